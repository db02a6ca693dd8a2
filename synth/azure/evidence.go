package azure

import (
	"sort"
	"time"

	"github.com/leastpriv/pare/synth"
)

// MaxSamples is how many event ids Evidence keeps per action.
const MaxSamples = 5

// Evidence explains a role: for every action granted, the usage that
// justifies it.
type Evidence struct {
	Principal       string
	Kind            string
	RoleID          string
	Actions         []ActionEvidence // sorted by action
	Generalizations []Generalization
	Rejected        []string
	Unscoped        []string
}

// ActionEvidence is the recorded usage of one granted action.
type ActionEvidence struct {
	Action    string
	Count     int64
	First     time.Time
	Last      time.Time
	Samples   []string // at most MaxSamples event ids, sorted, distinct
	Resources []string // recorded resource ids, sorted, distinct, "" left out
	Inferred  bool     // no event named the action directly
	Denied    bool     // some of the usage was a denied attempt
}

// NewEvidence collects the evidence for r from the accesses it was
// synthesized from. Accesses of other principals and of actions r does not
// grant are ignored; actions are matched ignoring case, as Azure does.
func NewEvidence(r Role, accesses []synth.Access) Evidence {
	ev := Evidence{
		Principal:       r.Principal,
		Kind:            r.Kind,
		RoleID:          r.ID,
		Generalizations: r.Generalizations,
		Rejected:        r.Rejected,
		Unscoped:        r.Unscoped,
	}
	canonical := make(map[string]string, len(r.Actions))
	for _, a := range r.Actions {
		canonical[foldKey(a)] = a
	}
	type acc struct {
		ev                 ActionEvidence
		samples, resources map[string]bool
	}
	byAction := make(map[string]*acc)
	for _, a := range accesses {
		if a.Principal != r.Principal || (a.Provider != "" && a.Provider != "azure") {
			continue
		}
		name, ok := canonical[foldKey(a.Action)]
		if !ok {
			continue
		}
		x := byAction[name]
		if x == nil {
			x = &acc{
				ev:        ActionEvidence{Action: name, Inferred: true},
				samples:   make(map[string]bool),
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
		for _, s := range a.Samples {
			x.samples[s] = true
		}
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
	for _, name := range sortedKeys(byAction) {
		x := byAction[name]
		x.ev.Samples = sortedKeys(x.samples)
		if len(x.ev.Samples) > MaxSamples {
			x.ev.Samples = x.ev.Samples[:MaxSamples]
		}
		x.ev.Resources = sortedKeys(x.resources)
		ev.Actions = append(ev.Actions, x.ev)
	}
	sort.Slice(ev.Actions, func(i, j int) bool { return ev.Actions[i].Action < ev.Actions[j].Action })
	return ev
}
