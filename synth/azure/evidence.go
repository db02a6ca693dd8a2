package azure

import (
	"github.com/leastpriv/pare/synth"
)

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
type ActionEvidence = synth.ActionEvidence

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
	ev.Actions = synth.CollectEvidence(accesses, func(a synth.Access) (string, bool) {
		if a.Principal != r.Principal || (a.Provider != "" && a.Provider != "azure") {
			return "", false
		}
		name, ok := canonical[foldKey(a.Action)]
		return name, ok
	})
	return ev
}
