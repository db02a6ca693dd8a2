package remediate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/k8s"
)

// MergeKeptK8s returns what to write for p: the objects annotated
// K8sKeepAnnotation are kept as they stand and replace p's object of the
// same kind, namespace and name; everything else of the existing file is
// replaced by p. An unknown kind, or a kept object without Source, is an
// error.
func MergeKeptK8s(p k8s.Policy, existing []K8sObject) (K8sMerged, error) {
	m := K8sMerged{Policy: p}
	keptKeys := make(map[string]bool)
	var keptRoles []k8s.Role
	var keptBindings []k8s.Binding
	for _, o := range existing {
		if err := checkK8sObject(o); err != nil {
			return K8sMerged{}, err
		}
		if !o.Keep {
			continue
		}
		if strings.TrimSpace(o.Source) == "" {
			return K8sMerged{}, fmt.Errorf("%s%s is annotated %s but its text was not given: pare cannot write it back", o, lineNote(o.Line), K8sKeepAnnotation)
		}
		ns, name := o.name()
		keptKeys[objectKey(o.Kind, ns, name)] = true
		m.Verbatim = append(m.Verbatim, o.Source)
		if o.Kind == "Role" || o.Kind == "ClusterRole" {
			keptRoles = append(keptRoles, o.Role)
		} else {
			keptBindings = append(keptBindings, o.Bindings...)
		}
	}
	m.Policy.Roles = nil
	m.Policy.Bindings = nil
	for _, r := range p.Roles {
		if !keptKeys[objectKey(roleKind(r), r.Namespace, r.Name)] {
			m.Policy.Roles = append(m.Policy.Roles, r)
		}
	}
	for _, b := range p.Bindings {
		if !keptKeys[objectKey(bindingKind(b), b.Namespace, b.Name)] {
			m.Policy.Bindings = append(m.Policy.Bindings, b)
		}
	}
	m.Final = m.Policy
	m.Final.Roles = append(slices.Clone(m.Policy.Roles), keptRoles...)
	m.Final.Bindings = append(slices.Clone(m.Policy.Bindings), keptBindings...)
	return m, nil
}

func checkK8sObject(o K8sObject) error {
	switch o.Kind {
	case "Role", "ClusterRole":
		if (o.Kind == "Role") != (o.Role.Namespace != "") {
			return fmt.Errorf("%s%s: a Role has a namespace and a ClusterRole none", o, lineNote(o.Line))
		}
	case "RoleBinding", "ClusterRoleBinding":
		if len(o.Bindings) == 0 {
			return fmt.Errorf("%s%s: a binding without subjects was given", o, lineNote(o.Line))
		}
	default:
		return fmt.Errorf("object%s of kind %q: want Role, ClusterRole, RoleBinding or ClusterRoleBinding", lineNote(o.Line), o.Kind)
	}
	return nil
}

func objectKey(kind, namespace, name string) string {
	return kind + "\x00" + namespace + "\x00" + name
}

func roleKind(r k8s.Role) string {
	if r.Namespace == "" {
		return "ClusterRole"
	}
	return "Role"
}

func bindingKind(b k8s.Binding) string {
	if b.Namespace == "" {
		return "ClusterRoleBinding"
	}
	return "RoleBinding"
}

// PlanK8s compares the existing objects with what MergeKeptK8s gives. A
// permission is a request a rule allows where a binding in the file puts
// it: "get pods" in "shop/" for a RoleBinding in shop, in "" for a
// ClusterRoleBinding; a role no binding of the file grants counts in its
// own namespace.
func PlanK8s(in K8sInput) (Plan, error) {
	p := Plan{Principal: in.New.Principal, Provider: "k8s", NewFile: len(in.Existing) == 0}
	merged, err := MergeKeptK8s(in.New, in.Existing)
	if err != nil {
		return Plan{}, err
	}
	final := merged.Final
	used := ofProvider(in.Used, p.Principal, "k8s")
	byVerb := groupBy(used, func(a synth.Access) string { verb, _, _ := strings.Cut(a.Action, " "); return verb })
	// usageOf is the usage a pair may cover: that of its verb, or all of
	// it for "*".
	usageOf := func(pr k8sPair) []synth.Access {
		if pr.req.Verb == "*" {
			return used
		}
		return byVerb[pr.req.Verb]
	}

	old := k8s.Policy{Principal: p.Principal, Subject: k8s.SubjectOf(p.Principal)}
	for _, o := range in.Existing {
		if o.Kind == "Role" || o.Kind == "ClusterRole" {
			old.Roles = append(old.Roles, o.Role)
		} else {
			old.Bindings = append(old.Bindings, o.Bindings...)
		}
		if o.Keep {
			p.KeptByOptOut = append(p.KeptByOptOut, fmt.Sprintf("%s%s (%s: \"true\"), written back as it stands", o, lineNote(o.Line), K8sKeepAnnotation))
		}
	}

	var removed entrySet
	for _, pr := range k8sPairs(old) {
		if k8s.PolicyAllows(final, pr.req) {
			continue
		}
		count, last, _ := evidence(usageOf(pr), pr.covers)
		action := pr.req.Action()
		removed.add(Entry{Action: action, Resource: pr.req.ResourceRef(), Count: count, Last: last, Risks: k8s.Risks(action)})
	}
	p.Removed, p.Risky = riskyFirst(removed.sorted())

	var kept, added, inf entrySet
	for _, pr := range k8sPairs(in.New) {
		count, last, allInferred := evidence(usageOf(pr), pr.covers)
		action := pr.req.Action()
		e := Entry{Action: action, Resource: pr.req.ResourceRef(), Count: count, Last: last, Risks: k8s.Risks(action)}
		switch {
		case allInferred:
			inf.add(e)
		case k8s.PolicyAllows(old, pr.req):
			kept.add(e)
		default:
			added.add(e)
		}
	}
	p.Kept, p.Added, p.Inferred = kept.sorted(), added.sorted(), inf.sorted()

	if len(final.Roles) == 0 && !p.NewFile {
		p.Notes = append(p.Notes, "nothing is left to grant: no usage in the window and nothing kept, so the file is removed")
	}
	granted := in.Granted
	p.missing = func(used []synth.Access) []synth.Access { return k8s.Missing(final, used, granted) }
	return p, nil
}

// k8sPair is one request a policy's rule allows where a binding puts it,
// and the one-value rule that allows it.
type k8sPair struct {
	req  k8s.Request
	rule k8s.Rule
}

// covers reports whether the pair's rule, in the pair's place, allows a.
func (pr k8sPair) covers(a synth.Access) bool {
	r, err := k8s.ParseAccess(a)
	if err != nil {
		return false
	}
	if pr.req.Path == "" && pr.req.Namespace != "" && (r.Path != "" || r.Namespace != pr.req.Namespace) {
		return false
	}
	return k8s.RuleAllows(pr.rule, r)
}

// k8sPairs lists the permissions of p's roles in the places p's bindings
// put them, in the policy's order.
func k8sPairs(p k8s.Policy) []k8sPair {
	var out []k8sPair
	for _, role := range p.Roles {
		var places []string
		for _, b := range p.Bindings {
			if b.RoleName != role.Name {
				continue
			}
			if (b.RoleKind == "ClusterRole" && role.Namespace == "") || (b.RoleKind == "Role" && b.Namespace != "" && role.Namespace == b.Namespace) {
				if !slices.Contains(places, b.Namespace) {
					places = append(places, b.Namespace)
				}
			}
		}
		if len(places) == 0 {
			places = []string{role.Namespace}
		}
		for _, ns := range places {
			for _, rule := range role.Rules {
				out = append(out, rulePairs(rule, ns)...)
			}
		}
	}
	return out
}

// rulePairs expands one rule in namespace ns ("" cluster-wide) into
// requests of one verb, group, resource and name each.
func rulePairs(rule k8s.Rule, ns string) []k8sPair {
	var out []k8sPair
	for _, verb := range rule.Verbs {
		for _, url := range rule.NonResourceURLs {
			out = append(out, k8sPair{
				req:  k8s.Request{Verb: verb, Path: url},
				rule: k8s.Rule{Verbs: []string{verb}, NonResourceURLs: []string{url}},
			})
		}
		names := rule.ResourceNames
		if len(names) == 0 {
			names = []string{""}
		}
		for _, group := range rule.APIGroups {
			for _, resource := range rule.Resources {
				res, sub, _ := strings.Cut(resource, "/")
				for _, name := range names {
					one := k8s.Rule{Verbs: []string{verb}, APIGroups: []string{group}, Resources: []string{resource}}
					if name != "" {
						one.ResourceNames = []string{name}
					}
					out = append(out, k8sPair{
						req:  k8s.Request{Verb: verb, Group: group, Resource: res, Subresource: sub, Namespace: ns, Name: name},
						rule: one,
					})
				}
			}
		}
	}
	return out
}
