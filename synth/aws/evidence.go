package aws

import (
	"strings"

	"github.com/leastpriv/pare/synth"
)

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
type ActionEvidence = synth.ActionEvidence

// NewEvidence collects the evidence for p from the accesses it was
// synthesized from. Accesses of other principals and of actions p does not
// grant are ignored; actions are matched case-insensitively, as IAM does.
func NewEvidence(p Policy, accesses []synth.Access) Evidence {
	canonical := make(map[string]string, len(p.Actions))
	for _, a := range p.Actions {
		canonical[strings.ToLower(a)] = a
	}
	return Evidence{
		Principal:       p.Principal,
		Kind:            p.Kind,
		Generalizations: p.Generalizations,
		Rejected:        p.Rejected,
		Actions: synth.CollectEvidence(accesses, func(a synth.Access) (string, bool) {
			if a.Principal != p.Principal {
				return "", false
			}
			name, ok := canonical[strings.ToLower(a.Action)]
			return name, ok
		}),
	}
}
