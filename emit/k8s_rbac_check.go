package emit

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"

	"github.com/leastpriv/pare/synth/k8s"
)

// k8sRoleGroup is one role of a policy and the bindings of the policy that
// grant it; with role nil, bindings that grant a role the policy does not
// hold.
type k8sRoleGroup struct {
	role     *k8s.Role
	bindings []k8s.Binding
}

// k8sRBACGroups checks that p holds objects the API server accepts and
// pairs every role with its bindings, in p's order: each role followed by
// the bindings that refer to it, then bindings of roles outside p.
func k8sRBACGroups(p k8s.Policy) ([]k8sRoleGroup, error) {
	if err := checkK8sRBAC(p); err != nil {
		return nil, fmt.Errorf("kubernetes RBAC of %q: %w", p.Principal, err)
	}
	groups := make([]k8sRoleGroup, len(p.Roles))
	var outside []k8s.Binding
	for i := range p.Roles {
		groups[i].role = &p.Roles[i]
	}
	for _, b := range p.Bindings {
		found := false
		for i, r := range p.Roles {
			if bindsRole(b, r) {
				groups[i].bindings = append(groups[i].bindings, b)
				found = true
				break
			}
		}
		if !found {
			outside = append(outside, b)
		}
	}
	if len(outside) > 0 {
		groups = append(groups, k8sRoleGroup{bindings: outside})
	}
	return groups, nil
}

// bindsRole reports whether b grants r: a Role in b's own namespace, or a
// ClusterRole.
func bindsRole(b k8s.Binding, r k8s.Role) bool {
	if b.RoleName != r.Name {
		return false
	}
	if b.RoleKind == "ClusterRole" {
		return r.Namespace == ""
	}
	return r.Namespace != "" && r.Namespace == b.Namespace
}

// checkK8sRBAC reports the first object of p the API server would refuse:
// names that are not path segments, namespaces that are not DNS labels, two
// objects of one kind with the same namespace and name, rules without
// verbs, rules that mix resources and non-resource URLs or lack API groups
// or resources, non-resource URLs in a namespaced Role, bindings of unknown
// role kinds or of a Role from a ClusterRoleBinding, and subjects of unknown
// kinds or without a valid service account namespace.
func checkK8sRBAC(p k8s.Policy) error {
	seen := make(map[string]bool)
	for i, r := range p.Roles {
		kind := "Role"
		if r.Namespace == "" {
			kind = "ClusterRole"
		}
		where := fmt.Sprintf("role %d (%s %q)", i+1, kind, k8sObjectRef(r.Namespace, r.Name))
		if err := checkK8sNames(r.Namespace, r.Name); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		key := kind + "\x00" + r.Namespace + "\x00" + r.Name
		if seen[key] {
			return fmt.Errorf("%s: a second %s with this name", where, kind)
		}
		seen[key] = true
		if len(r.Rules) == 0 {
			return fmt.Errorf("%s: no rules", where)
		}
		for j, rule := range r.Rules {
			if err := checkK8sRule(rule, r.Namespace != ""); err != nil {
				return fmt.Errorf("%s rule %d: %w", where, j+1, err)
			}
		}
	}
	for i, b := range p.Bindings {
		kind := "RoleBinding"
		if b.Namespace == "" {
			kind = "ClusterRoleBinding"
		}
		where := fmt.Sprintf("binding %d (%s %q)", i+1, kind, k8sObjectRef(b.Namespace, b.Name))
		if err := checkK8sNames(b.Namespace, b.Name); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		key := kind + "\x00" + b.Namespace + "\x00" + b.Name
		if seen[key] {
			return fmt.Errorf("%s: a second %s with this name", where, kind)
		}
		seen[key] = true
		switch {
		case b.RoleKind != "Role" && b.RoleKind != "ClusterRole":
			return fmt.Errorf("%s: role kind %q, want Role or ClusterRole", where, b.RoleKind)
		case b.RoleKind == "Role" && b.Namespace == "":
			return fmt.Errorf("%s: a ClusterRoleBinding cannot grant a Role", where)
		}
		if msgs := content.IsPathSegmentName(b.RoleName); b.RoleName == "" || len(msgs) > 0 {
			return fmt.Errorf("%s: role name %q is not a valid RBAC name: %s", where, b.RoleName, strings.Join(msgs, "; "))
		}
		if err := checkK8sSubject(b.Subject); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	return nil
}

// checkK8sNames checks an RBAC object's name (a path segment, as the API
// server's ValidateRBACName wants) and namespace (a DNS label, or "").
func checkK8sNames(namespace, name string) error {
	if name == "" {
		return fmt.Errorf("no name")
	}
	if msgs := content.IsPathSegmentName(name); len(msgs) > 0 {
		return fmt.Errorf("name %q is not a valid RBAC name: %s", name, strings.Join(msgs, "; "))
	}
	if namespace == "" {
		return nil
	}
	if msgs := content.IsDNS1123Label(namespace); len(msgs) > 0 {
		return fmt.Errorf("namespace %q is not a valid namespace name: %s", namespace, strings.Join(msgs, "; "))
	}
	return nil
}

// checkK8sRule checks a rule as the API server's ValidatePolicyRule does,
// and also refuses resource names on a non-resource rule, where they would
// mean nothing.
func checkK8sRule(r k8s.Rule, namespaced bool) error {
	if len(r.Verbs) == 0 {
		return fmt.Errorf("no verbs")
	}
	if len(r.NonResourceURLs) > 0 {
		if namespaced {
			return fmt.Errorf("non-resource URLs %q in a namespaced Role", r.NonResourceURLs)
		}
		if len(r.APIGroups) > 0 || len(r.Resources) > 0 || len(r.ResourceNames) > 0 {
			return fmt.Errorf("a rule cannot apply to both resources and non-resource URLs")
		}
		return nil
	}
	if len(r.APIGroups) == 0 {
		return fmt.Errorf("no API groups (the core group is \"\")")
	}
	if len(r.Resources) == 0 {
		return fmt.Errorf("no resources")
	}
	return nil
}

// checkK8sSubject checks a binding's subject as the API server does: a User
// or Group (without a namespace, as SubjectOf makes them), or a
// ServiceAccount with a namespace and a name that is a DNS subdomain.
func checkK8sSubject(s k8s.Subject) error {
	if s.Name == "" {
		return fmt.Errorf("subject without a name")
	}
	switch s.Kind {
	case "User", "Group":
		if s.Namespace != "" {
			return fmt.Errorf("%s subject %q has namespace %q; only service accounts have one", s.Kind, s.Name, s.Namespace)
		}
	case "ServiceAccount":
		if s.Namespace == "" {
			return fmt.Errorf("service account subject %q without a namespace", s.Name)
		}
		if msgs := content.IsDNS1123Subdomain(s.Name); len(msgs) > 0 {
			return fmt.Errorf("service account subject %q: %s", s.Name, strings.Join(msgs, "; "))
		}
	default:
		return fmt.Errorf("subject kind %q, want User, Group or ServiceAccount", s.Kind)
	}
	return nil
}

// eachK8sRBACString calls f with every string of p that the RBAC objects
// carry, and what it is, and stops at the first error.
func eachK8sRBACString(p k8s.Policy, f func(what, s string) error) error {
	if err := f("principal", p.Principal); err != nil {
		return err
	}
	for _, r := range p.Roles {
		if err := f("role namespace", r.Namespace); err != nil {
			return err
		}
		if err := f("role name", r.Name); err != nil {
			return err
		}
		for _, rule := range r.Rules {
			for _, x := range []struct {
				what string
				ss   []string
			}{
				{"verb", rule.Verbs},
				{"API group", rule.APIGroups},
				{"resource", rule.Resources},
				{"resource name", rule.ResourceNames},
				{"non-resource URL", rule.NonResourceURLs},
			} {
				for _, s := range x.ss {
					if err := f(x.what, s); err != nil {
						return err
					}
				}
			}
			for _, ev := range rule.Evidence {
				if err := f("evidence action", ev.Action); err != nil {
					return err
				}
				for _, s := range ev.Samples {
					if err := f("evidence event id", s); err != nil {
						return err
					}
				}
			}
		}
	}
	for _, b := range p.Bindings {
		for _, x := range []struct{ what, s string }{
			{"binding namespace", b.Namespace},
			{"binding name", b.Name},
			{"role kind", b.RoleKind},
			{"role name", b.RoleName},
			{"subject kind", b.Subject.Kind},
			{"subject name", b.Subject.Name},
			{"subject namespace", b.Subject.Namespace},
		} {
			if err := f(x.what, x.s); err != nil {
				return err
			}
		}
	}
	return nil
}
