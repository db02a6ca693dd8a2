package synth

import (
	"maps"
	"slices"
	"time"
)

// MaxSamples is how many event ids evidence keeps per action.
const MaxSamples = 5

// ActionEvidence is the recorded usage that justifies one granted action.
type ActionEvidence struct {
	Action    string
	Count     int64
	First     time.Time
	Last      time.Time
	Regions   []string // sorted, distinct
	Samples   []string // at most MaxSamples event ids, sorted, distinct
	Via       []string // sorted, distinct
	Resources []string // recorded resources, sorted, distinct, "" left out
	Inferred  bool     // no event named the action directly
	Denied    bool     // some of the usage was a denied attempt
}

// Add counts access a in e: its count, first and last times, regions,
// samples (e keeps the MaxSamples smallest) and services, and whether it
// was inferred or denied. Inferred stays true only while every access added
// is inferred, so start from Inferred true. Resources is the caller's: an
// action can touch very many, which a set gathers faster than a sorted
// list. Add keeps e's lists sorted and distinct, and may write into their
// backing arrays.
func (e *ActionEvidence) Add(a Access) {
	e.Count += a.Count
	if !a.First.IsZero() && (e.First.IsZero() || a.First.Before(e.First)) {
		e.First = a.First
	}
	if a.Last.After(e.Last) {
		e.Last = a.Last
	}
	for _, r := range a.Regions {
		e.Regions = InsertSorted(e.Regions, r)
	}
	for _, s := range a.Samples {
		e.Samples = InsertSorted(e.Samples, s)
		if len(e.Samples) > MaxSamples {
			e.Samples = e.Samples[:MaxSamples]
		}
	}
	for _, v := range a.Via {
		e.Via = InsertSorted(e.Via, v)
	}
	if !a.Inferred {
		e.Inferred = false
	}
	if a.Denied {
		e.Denied = true
	}
}

// CollectEvidence adds up accesses per granted action, sorted by action.
// grantedAs says which granted action an access counts for, and false for
// accesses that count for none (another principal, an action not granted).
// Empty lists are [], not nil.
func CollectEvidence(accesses []Access, grantedAs func(Access) (string, bool)) []ActionEvidence {
	type tally struct {
		ev        ActionEvidence
		resources map[string]bool
	}
	byAction := make(map[string]*tally)
	for _, a := range accesses {
		name, ok := grantedAs(a)
		if !ok {
			continue
		}
		x := byAction[name]
		if x == nil {
			x = &tally{
				ev:        ActionEvidence{Action: name, Inferred: true, Regions: []string{}, Samples: []string{}, Via: []string{}},
				resources: make(map[string]bool),
			}
			byAction[name] = x
		}
		x.ev.Add(a)
		if a.Resource != "" {
			x.resources[a.Resource] = true
		}
	}
	out := make([]ActionEvidence, 0, len(byAction))
	for _, name := range slices.Sorted(maps.Keys(byAction)) {
		x := byAction[name]
		x.ev.Resources = slices.AppendSeq(make([]string, 0, len(x.resources)), maps.Keys(x.resources))
		slices.Sort(x.ev.Resources)
		out = append(out, x.ev)
	}
	return out
}
