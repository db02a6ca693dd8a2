package synth

import (
	"sort"
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

// CollectEvidence adds up accesses per granted action, sorted by action.
// grantedAs says which granted action an access counts for, and false for
// accesses that count for none (another principal, an action not granted).
func CollectEvidence(accesses []Access, grantedAs func(Access) (string, bool)) []ActionEvidence {
	type tally struct {
		ev                               ActionEvidence
		regions, samples, via, resources map[string]bool
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
				ev:        ActionEvidence{Action: name, Inferred: true},
				regions:   make(map[string]bool),
				samples:   make(map[string]bool),
				via:       make(map[string]bool),
				resources: make(map[string]bool),
			}
			byAction[name] = x
		}
		x.ev.Count += a.Count
		if !a.First.IsZero() && (x.ev.First.IsZero() || a.First.Before(x.ev.First)) {
			x.ev.First = a.First
		}
		if a.Last.After(x.ev.Last) {
			x.ev.Last = a.Last
		}
		addAll(x.regions, a.Regions)
		addAll(x.samples, a.Samples)
		addAll(x.via, a.Via)
		if a.Resource != "" {
			x.resources[a.Resource] = true
		}
		if !a.Inferred {
			x.ev.Inferred = false
		}
		if a.Denied {
			x.ev.Denied = true
		}
	}
	out := make([]ActionEvidence, 0, len(byAction))
	for _, name := range sortedKeys(byAction) {
		x := byAction[name]
		x.ev.Regions = sortedKeys(x.regions)
		x.ev.Samples = sortedKeys(x.samples)
		if len(x.ev.Samples) > MaxSamples {
			x.ev.Samples = x.ev.Samples[:MaxSamples]
		}
		x.ev.Via = sortedKeys(x.via)
		x.ev.Resources = sortedKeys(x.resources)
		out = append(out, x.ev)
	}
	return out
}

func addAll(set map[string]bool, ss []string) {
	for _, s := range ss {
		set[s] = true
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
