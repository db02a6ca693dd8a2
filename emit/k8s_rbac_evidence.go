package emit

import (
	"fmt"
	"io"
	"strings"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/k8s"
)

// K8sUnobservable is what every Kubernetes evidence file says the audit log
// cannot show.
const K8sUnobservable = "The Kubernetes audit log records only the requests the cluster's audit policy selects: " +
	"requests it leaves out (often reads of some resources, or everything at level None) cannot be observed, " +
	"and access that needs them is missing from the generated roles."

// k8sEvidenceFile is the JSON shape of a Kubernetes principal's evidence
// file: the AWS evidence file's (principal, kind, actions as evidenceAction,
// generalizations), with the actions under the rule they justify.
type k8sEvidenceFile struct {
	Principal       string                  `json:"principal"`
	Kind            string                  `json:"kind"`
	Subject         k8sEvidenceSubject      `json:"subject"`
	Window          k8sEvidenceWindow       `json:"window"`
	Note            string                  `json:"note"`
	Roles           []k8sEvidenceRole       `json:"roles"`
	Generalizations []k8sEvidenceGeneralize `json:"generalizations"`
	AlreadyGranted  []evidenceAction        `json:"alreadyGranted"`
	Rejected        []k8sEvidenceRejected   `json:"rejected"`
}

type k8sEvidenceSubject struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

type k8sEvidenceWindow struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type k8sEvidenceRole struct {
	Kind      string            `json:"kind"`
	Namespace string            `json:"namespace,omitempty"`
	Name      string            `json:"name"`
	Rules     []k8sEvidenceRule `json:"rules"`
}

type k8sEvidenceRule struct {
	Verbs           []string         `json:"verbs"`
	APIGroups       []string         `json:"apiGroups,omitempty"`
	Resources       []string         `json:"resources,omitempty"`
	ResourceNames   []string         `json:"resourceNames,omitempty"`
	NonResourceURLs []string         `json:"nonResourceURLs,omitempty"`
	Actions         []evidenceAction `json:"actions"`
}

type k8sEvidenceRejected struct {
	Action   string   `json:"action"`
	Resource string   `json:"resource"`
	Reason   string   `json:"reason"`
	Count    int64    `json:"count"`
	Samples  []string `json:"sampleEventIds"`
}

type k8sEvidenceGeneralize struct {
	Reason  string   `json:"reason"`
	Actions []string `json:"actions"`
	Detail  string   `json:"detail"`
}

// K8sEvidence writes why every rule of p is there: the principal, its kind
// ("serviceaccount", "user" or "group") and RBAC subject, the observation
// window (RFC 3339, UTC; "" for an open end), K8sUnobservable, then per role
// its kind, namespace, name and rules, each rule with its verbs, API groups,
// resources, resource names or non-resource URLs and, per action it was
// made for, the count, first and last seen, clusters (under "regions", as
// usage records them), sample audit ids, impersonators ("via"), recorded
// namespace/name resources and whether it was inferred or denied; then every
// generalization (where synthesis granted more than was seen, and why), the
// accesses existing RBAC already allows, collected per action the same way,
// and the accesses no rule was made for, with the reason. Like Evidence,
// it refuses strings that are not valid UTF-8 and writes nothing then.
func K8sEvidence(w io.Writer, p k8s.Policy, window synth.Window) error {
	f := k8sEvidenceFile{
		Principal:       p.Principal,
		Kind:            strings.ToLower(p.Subject.Kind),
		Subject:         k8sEvidenceSubject{Kind: p.Subject.Kind, Name: p.Subject.Name, Namespace: p.Subject.Namespace},
		Window:          k8sEvidenceWindow{From: rfc3339(window.From, ""), To: rfc3339(window.To, "")},
		Note:            K8sUnobservable,
		Roles:           []k8sEvidenceRole{},
		Generalizations: []k8sEvidenceGeneralize{},
		AlreadyGranted:  []evidenceAction{},
		Rejected:        []k8sEvidenceRejected{},
	}
	for _, r := range p.Roles {
		role := k8sEvidenceRole{Kind: "Role", Namespace: r.Namespace, Name: r.Name, Rules: []k8sEvidenceRule{}}
		if r.Namespace == "" {
			role.Kind = "ClusterRole"
		}
		for _, rule := range r.Rules {
			er := k8sEvidenceRule{
				Verbs:           nonNil(rule.Verbs),
				APIGroups:       rule.APIGroups,
				Resources:       rule.Resources,
				ResourceNames:   rule.ResourceNames,
				NonResourceURLs: rule.NonResourceURLs,
				Actions:         []evidenceAction{},
			}
			for _, ev := range rule.Evidence {
				er.Actions = append(er.Actions, newEvidenceAction(ev))
			}
			role.Rules = append(role.Rules, er)
		}
		f.Roles = append(f.Roles, role)
	}
	for _, g := range p.Generalizations {
		f.Generalizations = append(f.Generalizations, k8sEvidenceGeneralize{Reason: g.Reason, Actions: nonNil(g.Actions), Detail: g.Detail})
	}
	granted := synth.CollectEvidence(p.AlreadyGranted, func(a synth.Access) (string, bool) { return a.Action, true })
	for _, ev := range granted {
		f.AlreadyGranted = append(f.AlreadyGranted, newEvidenceAction(ev))
	}
	for _, r := range p.Rejected {
		a := r.Access
		f.Rejected = append(f.Rejected, k8sEvidenceRejected{Action: a.Action, Resource: a.Resource, Reason: r.Reason, Count: a.Count, Samples: nonNil(a.Samples)})
	}

	for _, r := range f.Roles {
		for _, rule := range r.Rules {
			for _, a := range rule.Actions {
				if err := checkEvidenceAction(a); err != nil {
					return fmt.Errorf("kubernetes evidence of %q: %w", p.Principal, err)
				}
			}
		}
	}
	for _, a := range f.AlreadyGranted {
		if err := checkEvidenceAction(a); err != nil {
			return fmt.Errorf("kubernetes evidence of %q: already granted: %w", p.Principal, err)
		}
	}
	// WriteJSON refuses the other strings that are not valid UTF-8.
	if err := WriteJSON(w, f); err != nil {
		return fmt.Errorf("kubernetes evidence of %q: %w", p.Principal, err)
	}
	return nil
}
