package fetch

import "sort"

// Report says what a listing left out and why, so nothing is dropped
// silently.
type Report struct {
	// Skipped counts folders or objects deliberately not returned, by
	// reason: "CloudTrail-Digest folder", "CloudTrail-Insight folder",
	// "unexpected folder", "not a log object", "outside window".
	Skipped map[string]int
	// Notes are remarks for the user, e.g. that the window was clamped to
	// the 90 days the LookupEvents API keeps.
	Notes []string
}

func (r *Report) skip(reason string) {
	if r.Skipped == nil {
		r.Skipped = make(map[string]int)
	}
	r.Skipped[reason]++
}

// Reasons returns the keys of Skipped, sorted.
func (r Report) Reasons() []string {
	keys := make([]string, 0, len(r.Skipped))
	for k := range r.Skipped {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
