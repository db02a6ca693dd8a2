package emit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/k8s"
)

// Labels and annotations on the RBAC objects K8sRBACYAML and
// K8sRBACTerraform write.
const (
	k8sManagedByLabel      = "app.kubernetes.io/managed-by"
	k8sManagedBy           = "pare"
	k8sPrincipalAnnotation = "pare.dev/principal"
	k8sWindowAnnotation    = "pare.dev/window"
	k8sEvidenceAnnotation  = "pare.dev/evidence"

	rbacAPIGroup = "rbac.authorization.k8s.io"

	// k8sEvidenceBudget bounds the pare.dev/evidence annotation. The API
	// server allows 256 KiB for all annotations of an object, and
	// `kubectl apply` copies the whole object into another annotation
	// (kubectl.kubernetes.io/last-applied-configuration), so the evidence
	// gets well under half of it.
	k8sEvidenceBudget = 64 << 10
)

// K8sRBACYAML writes p as a stream of YAML documents that `kubectl apply
// -f` takes: each Role or ClusterRole (typed as k8s.io/api/rbac/v1, with
// apiVersion and kind) followed by the RoleBindings or ClusterRoleBindings
// that grant it, in p's order, then bindings of roles p does not hold.
// Every object is labelled app.kubernetes.io/managed-by=pare and annotated
// with the principal (pare.dev/principal) and the observation window
// (pare.dev/window, an ISO 8601 interval with ".." for an open end); roles
// also carry their rules' evidence as compact JSON (pare.dev/evidence, see
// k8sEvidenceAnnotationValue).
//
// Objects are marshalled with sigs.k8s.io/yaml, so every string from a log
// is a YAML value, quoted as it needs. When a string of p holds a rune a
// reviewer cannot see (control, format and bidirectional characters,
// non-ASCII spaces), every document instead double-quotes every string
// value and writes such runes as escapes (yamlShowingInvisible).
//
// Like every emit renderer, K8sRBACYAML writes nothing and returns an error
// when a string is not valid UTF-8, or when p holds an object the API server
// would refuse (see checkK8sRBAC).
func K8sRBACYAML(w io.Writer, p k8s.Policy, window synth.Window) error {
	if err := eachK8sRBACString(p, func(what, s string) error {
		if !utf8.ValidString(s) {
			return fmt.Errorf("kubernetes RBAC of %q: %s %q is not valid UTF-8", p.Principal, what, s)
		}
		return nil
	}); err != nil {
		return err
	}
	groups, err := k8sRBACGroups(p)
	if err != nil {
		return err
	}
	// Every object carries the principal, so one invisible rune anywhere
	// makes every document show it escaped.
	visible := true
	_ = eachK8sRBACString(p, func(_, s string) error {
		visible = visible && allVisible([]byte(s), true)
		return nil
	})
	var buf bytes.Buffer
	for _, g := range groups {
		if g.role != nil {
			obj, err := k8sRoleObject(p, *g.role, window)
			if err != nil {
				return err
			}
			if err := writeYAMLDocument(&buf, obj, !visible); err != nil {
				return fmt.Errorf("role %q: %w", g.role.Name, err)
			}
		}
		for _, b := range g.bindings {
			if err := writeYAMLDocument(&buf, k8sBindingObject(p, b, window), !visible); err != nil {
				return fmt.Errorf("binding %q: %w", b.Name, err)
			}
		}
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// k8sRoleObject is r as a typed Role, or ClusterRole when r has no namespace.
func k8sRoleObject(p k8s.Policy, r k8s.Role, window synth.Window) (any, error) {
	annotations, err := k8sRoleAnnotations(p, r, window)
	if err != nil {
		return nil, err
	}
	meta := metav1.ObjectMeta{Name: r.Name, Namespace: r.Namespace, Labels: k8sLabels(), Annotations: annotations}
	rules := make([]rbacv1.PolicyRule, len(r.Rules))
	for i, rule := range r.Rules {
		rules[i] = rbacv1.PolicyRule{
			Verbs:           rule.Verbs,
			APIGroups:       rule.APIGroups,
			Resources:       rule.Resources,
			ResourceNames:   rule.ResourceNames,
			NonResourceURLs: rule.NonResourceURLs,
		}
	}
	if r.Namespace == "" {
		return &rbacv1.ClusterRole{TypeMeta: k8sRBACType("ClusterRole"), ObjectMeta: meta, Rules: rules}, nil
	}
	return &rbacv1.Role{TypeMeta: k8sRBACType("Role"), ObjectMeta: meta, Rules: rules}, nil
}

// k8sBindingObject is b as a typed RoleBinding, or ClusterRoleBinding when b
// has no namespace.
func k8sBindingObject(p k8s.Policy, b k8s.Binding, window synth.Window) any {
	meta := metav1.ObjectMeta{Name: b.Name, Namespace: b.Namespace, Labels: k8sLabels(), Annotations: k8sBindingAnnotations(p, window)}
	subjects := []rbacv1.Subject{{
		Kind:      b.Subject.Kind,
		APIGroup:  k8sSubjectAPIGroup(b.Subject.Kind),
		Name:      b.Subject.Name,
		Namespace: b.Subject.Namespace,
	}}
	ref := rbacv1.RoleRef{APIGroup: rbacAPIGroup, Kind: b.RoleKind, Name: b.RoleName}
	if b.Namespace == "" {
		return &rbacv1.ClusterRoleBinding{TypeMeta: k8sRBACType("ClusterRoleBinding"), ObjectMeta: meta, Subjects: subjects, RoleRef: ref}
	}
	return &rbacv1.RoleBinding{TypeMeta: k8sRBACType("RoleBinding"), ObjectMeta: meta, Subjects: subjects, RoleRef: ref}
}

func k8sRBACType(kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: kind}
}

// k8sSubjectAPIGroup is a subject's apiGroup: "" for service accounts (the
// core group), rbac.authorization.k8s.io for users and groups.
func k8sSubjectAPIGroup(kind string) string {
	if kind == "ServiceAccount" {
		return ""
	}
	return rbacAPIGroup
}

// k8sObjectRef is "namespace/name", or the name of a cluster-scoped object.
func k8sObjectRef(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

// k8sLabels are the labels of every object pare writes, so that
// `kubectl get -l app.kubernetes.io/managed-by=pare` finds them.
func k8sLabels() map[string]string {
	return map[string]string{k8sManagedByLabel: k8sManagedBy}
}

// k8sBindingAnnotations are a binding's annotations: the principal and the
// observation window.
func k8sBindingAnnotations(p k8s.Policy, window synth.Window) map[string]string {
	return map[string]string{
		k8sPrincipalAnnotation: p.Principal,
		k8sWindowAnnotation:    k8sWindow(window),
	}
}

// k8sRoleAnnotations are a role's annotations: the principal, the
// observation window and the evidence of every rule.
func k8sRoleAnnotations(p k8s.Policy, r k8s.Role, window synth.Window) (map[string]string, error) {
	ev, err := k8sEvidenceAnnotationValue(r)
	if err != nil {
		return nil, err
	}
	a := k8sBindingAnnotations(p, window)
	a[k8sEvidenceAnnotation] = ev
	return a, nil
}

// k8sWindow is the observation window as an ISO 8601 interval,
// "2026-01-01T00:00:00Z/2026-03-31T23:59:59Z", with ".." for an open end.
func k8sWindow(w synth.Window) string {
	return rfc3339(w.From, "..") + "/" + rfc3339(w.To, "..")
}

// k8sRuleEvidence is the evidence of one rule in the pare.dev/evidence
// annotation: the rule's index in the role's rules (from 0) and the usage
// of each action it was made for.
type k8sRuleEvidence struct {
	Rule    int                 `json:"rule"`
	Actions []k8sActionEvidence `json:"actions,omitempty"`
	// Omitted is the number of actions left out when even their names
	// would not fit the annotation.
	Omitted int `json:"omitted,omitempty"`
}

type k8sActionEvidence struct {
	Action   string   `json:"action"`
	Count    int64    `json:"count"`
	First    string   `json:"first,omitempty"`
	Last     string   `json:"last,omitempty"`
	Samples  []string `json:"samples,omitempty"`
	Inferred bool     `json:"inferred,omitempty"`
	Denied   bool     `json:"denied,omitempty"`
}

// k8sEvidenceAnnotationValue is the pare.dev/evidence annotation of r:
// compact JSON, one entry per rule in order, each action's count, first and
// last seen (RFC 3339, UTC), sample event ids and whether it was inferred
// or denied; invisible runes are escaped as in every JSON emit writes. When
// that exceeds k8sEvidenceBudget the samples are left out, and when that
// still does, each rule only says how many actions it has; the evidence
// file always has everything.
func k8sEvidenceAnnotationValue(r k8s.Role) (string, error) {
	for level := 0; ; level++ {
		entries := make([]k8sRuleEvidence, len(r.Rules))
		for i, rule := range r.Rules {
			entries[i].Rule = i
			if level == 2 {
				entries[i].Omitted = len(rule.Evidence)
				continue
			}
			entries[i].Actions = []k8sActionEvidence{}
			for _, ev := range rule.Evidence {
				a := k8sActionEvidence{Action: ev.Action, Count: ev.Count, First: rfc3339(ev.First, ""), Last: rfc3339(ev.Last, ""), Inferred: ev.Inferred, Denied: ev.Denied}
				if level == 0 {
					a.Samples = ev.Samples
				}
				entries[i].Actions = append(entries[i].Actions, a)
			}
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(entries); err != nil {
			return "", fmt.Errorf("encoding the evidence of role %q: %w", r.Name, err)
		}
		out := escapeInvisible(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), true)
		if len(out) <= k8sEvidenceBudget || level == 2 {
			return string(out), nil
		}
	}
}
