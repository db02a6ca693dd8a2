package aws

import (
	"strings"
	"time"

	"github.com/leastpriv/pare/synth"
)

// MaxSamples is how many event ids Evidence keeps per action.
const MaxSamples = 5

// Evidence explains a policy: for every action granted, the usage that
// justifies it.
type Evidence struct {
	Principal       string
	Kind            string
	Actions         []ActionEvidence // sorted by action
	Generalizations []Generalization
	Rejected        []string
}

// ActionEvidence is the recorded usage of one granted action.
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

// NewEvidence collects the evidence for p from the accesses it was
// synthesized from. Accesses of other principals and of actions p does not
// grant are ignored; actions are matched case-insensitively, as IAM does.
func NewEvidence(p Policy, accesses []synth.Access) Evidence {
	ev := Evidence{
		Principal:       p.Principal,
		Kind:            p.Kind,
		Generalizations: p.Generalizations,
		Rejected:        p.Rejected,
	}
	canonical := make(map[string]string, len(p.Actions))
	for _, a := range p.Actions {
		canonical[strings.ToLower(a)] = a
	}
	type acc struct {
		ev                               ActionEvidence
		regions, samples, via, resources map[string]bool
	}
	byAction := make(map[string]*acc)
	for _, a := range accesses {
		if a.Principal != p.Principal {
			continue
		}
		name, ok := canonical[strings.ToLower(a.Action)]
		if !ok {
			continue
		}
		x := byAction[name]
		if x == nil {
			x = &acc{
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
	for _, name := range sortedKeys(byAction) {
		x := byAction[name]
		x.ev.Regions = sortedKeys(x.regions)
		x.ev.Samples = sortedKeys(x.samples)
		if len(x.ev.Samples) > MaxSamples {
			x.ev.Samples = x.ev.Samples[:MaxSamples]
		}
		x.ev.Via = sortedKeys(x.via)
		x.ev.Resources = sortedKeys(x.resources)
		ev.Actions = append(ev.Actions, x.ev)
	}
	return ev
}

func addAll(set map[string]bool, ss []string) {
	for _, s := range ss {
		set[s] = true
	}
}
