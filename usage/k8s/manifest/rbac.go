package manifest

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/leastpriv/pare/synth/k8s"
	"github.com/leastpriv/pare/usage/record"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Builtin returns the rules of a ClusterRole the objects do not hold (the
// bootstrap roles view, edit, admin, ... when reading manifests), or false.
type Builtin func(name string) ([]k8s.Rule, bool)

// role is a Role or ClusterRole ready to bind: its rules normalized.
type role struct {
	rules  []k8s.Rule
	source string
}

// clusterRole is a ClusterRole before aggregation.
type clusterRole struct {
	obj    *rbacv1.ClusterRole
	source string
}

// rbacReader resolves bindings through roles into Grants.
type rbacReader struct {
	builtin  Builtin
	problems []record.Problem
	skipped  map[string]int
}

func (r *rbacReader) problem(source, format string, args ...any) {
	r.problems = append(r.problems, record.Problem{Input: source, Index: -1, Message: fmt.Sprintf(format, args...)})
}

func (r *rbacReader) skip(reason string) {
	if r.skipped == nil {
		r.skipped = make(map[string]int)
	}
	r.skipped[reason]++
}

// grantsOf resolves the bindings among objs through the roles among them
// (or builtin) into Grants, sorted.
func grantsOf(objs []Object, builtin Builtin) ([]k8s.Grant, []record.Problem, map[string]int) {
	r := &rbacReader{builtin: builtin}
	roles := make(map[string]role) // "Role/ns/name", "ClusterRole//name"
	var crs []clusterRole
	for _, o := range objs {
		switch v := o.Obj.(type) {
		case *rbacv1.Role:
			key := ownerKey("Role", v.Namespace, v.Name)
			if prev, ok := roles[key]; ok {
				r.problem(o.Source, "Role %s/%s defined again (first at %s); this one is ignored", v.Namespace, v.Name, prev.source)
				continue
			}
			roles[key] = role{rules: r.rules(o.Source, "Role "+v.Namespace+"/"+v.Name, v.Rules), source: o.Source}
		case *rbacv1.ClusterRole:
			crs = append(crs, clusterRole{obj: v, source: o.Source})
		}
	}
	for name, cr := range r.aggregate(crs) {
		roles[ownerKey("ClusterRole", "", name)] = cr
	}
	var grants []k8s.Grant
	for _, o := range objs {
		switch v := o.Obj.(type) {
		case *rbacv1.RoleBinding:
			what := fmt.Sprintf("RoleBinding/%s/%s", v.Namespace, v.Name)
			grants = append(grants, r.bind(o.Source, what, v.Namespace, v.RoleRef, v.Subjects, roles)...)
		case *rbacv1.ClusterRoleBinding:
			what := "ClusterRoleBinding/" + v.Name
			if v.RoleRef.Kind != "ClusterRole" {
				r.problem(o.Source, "%s: roleRef kind %q: a ClusterRoleBinding binds only a ClusterRole", what, v.RoleRef.Kind)
				continue
			}
			grants = append(grants, r.bind(o.Source, what, "", v.RoleRef, v.Subjects, roles)...)
		}
	}
	sortGrants(grants)
	return grants, r.problems, r.skipped
}

// aggregate returns every ClusterRole's rules, those of aggregated ones
// resolved as the aggregation controller does: the union of the rules of
// every other ClusterRole one of its selectors matches, recursively.
func (r *rbacReader) aggregate(crs []clusterRole) map[string]role {
	byName := make(map[string]clusterRole)
	var names []string
	for _, cr := range crs {
		if prev, ok := byName[cr.obj.Name]; ok {
			r.problem(cr.source, "ClusterRole %s defined again (first at %s); this one is ignored", cr.obj.Name, prev.source)
			continue
		}
		byName[cr.obj.Name] = cr
		names = append(names, cr.obj.Name)
	}
	sort.Strings(names)
	// Own rules, normalized once (problems reported once per role).
	own := make(map[string][]k8s.Rule)
	for _, name := range names {
		cr := byName[name]
		if cr.obj.AggregationRule == nil {
			own[name] = r.rules(cr.source, "ClusterRole "+name, cr.obj.Rules)
		}
	}
	selectors := make(map[string][]labels.Selector)
	for _, name := range names {
		cr := byName[name]
		if cr.obj.AggregationRule == nil {
			continue
		}
		var sels []labels.Selector
		for i := range cr.obj.AggregationRule.ClusterRoleSelectors {
			sel, err := metav1.LabelSelectorAsSelector(&cr.obj.AggregationRule.ClusterRoleSelectors[i])
			if err != nil {
				r.problem(cr.source, "ClusterRole %s: aggregationRule selector %d: %v", name, i, err)
				continue
			}
			sels = append(sels, sel)
		}
		selectors[name] = sels
	}
	out := make(map[string]role)
	var resolve func(name string, visiting map[string]bool) []k8s.Rule
	resolve = func(name string, visiting map[string]bool) []k8s.Rule {
		if rules, ok := own[name]; ok {
			return rules
		}
		if visiting[name] {
			return nil // a cycle: the rules it would add are already being collected
		}
		visiting[name] = true
		defer delete(visiting, name)
		var rules []k8s.Rule
		for _, other := range names {
			if other == name {
				continue
			}
			set := labels.Set(byName[other].obj.Labels)
			for _, sel := range selectors[name] {
				if !sel.Empty() && sel.Matches(set) {
					rules = append(rules, resolve(other, visiting)...)
					break
				}
			}
		}
		return dedupRules(rules)
	}
	for _, name := range names {
		out[name] = role{rules: resolve(name, make(map[string]bool)), source: byName[name].source}
	}
	return out
}

// bind gives one Grant per subject and rule of the bound role.
func (r *rbacReader) bind(source, what, namespace string, ref rbacv1.RoleRef, subjects []rbacv1.Subject, roles map[string]role) []k8s.Grant {
	if ref.APIGroup != rbacv1.GroupName {
		r.problem(source, "%s: roleRef apiGroup %q, want %q", what, ref.APIGroup, rbacv1.GroupName)
		return nil
	}
	var rules []k8s.Rule
	var roleName string
	switch ref.Kind {
	case "Role":
		roleName = fmt.Sprintf("Role/%s/%s", namespace, ref.Name)
		ro, ok := roles[ownerKey("Role", namespace, ref.Name)]
		if !ok {
			r.problem(source, "%s: Role %s/%s not found; it grants nothing here", what, namespace, ref.Name)
			return nil
		}
		rules = ro.rules
	case "ClusterRole":
		roleName = "ClusterRole/" + ref.Name
		ro, ok := roles[ownerKey("ClusterRole", "", ref.Name)]
		switch {
		case ok:
			rules = ro.rules
		case r.builtin != nil:
			rules, ok = r.builtin(ref.Name)
		}
		if !ok {
			r.problem(source, "%s: ClusterRole %s not found; it grants nothing here", what, ref.Name)
			return nil
		}
	default:
		r.problem(source, "%s: roleRef kind %q, want Role or ClusterRole", what, ref.Kind)
		return nil
	}
	origin := fmt.Sprintf("%s -> %s (%s)", what, roleName, source)
	var grants []k8s.Grant
	for i, s := range subjects {
		subject, err := subjectOf(s, namespace)
		if err != nil {
			r.problem(source, "%s: subjects[%d]: %v", what, i, err)
			continue
		}
		for _, rule := range rules {
			if namespace != "" && len(rule.NonResourceURLs) > 0 {
				// A RoleBinding's rules match only requests in its
				// namespace, and non-resource URLs have none.
				r.skip("non-resource rule bound by a RoleBinding (grants nothing)")
				continue
			}
			grants = append(grants, k8s.Grant{Subject: subject, Namespace: namespace, Rule: rule, Origin: origin})
		}
	}
	return grants
}

// subjectOf is the binding subject as synth/k8s names it. A service
// account without a namespace in a RoleBinding is in the binding's.
func subjectOf(s rbacv1.Subject, namespace string) (k8s.Subject, error) {
	if s.Name == "" {
		return k8s.Subject{}, fmt.Errorf("%s without a name", s.Kind)
	}
	switch s.Kind {
	case rbacv1.UserKind, rbacv1.GroupKind:
		return k8s.Subject{Kind: s.Kind, Name: s.Name}, nil
	case rbacv1.ServiceAccountKind:
		ns := s.Namespace
		if ns == "" {
			ns = namespace
		}
		if ns == "" {
			return k8s.Subject{}, fmt.Errorf("ServiceAccount %s without a namespace", s.Name)
		}
		if strings.Contains(ns, ":") || strings.Contains(s.Name, ":") {
			return k8s.Subject{}, fmt.Errorf("ServiceAccount %s/%s: a colon in its namespace or name", ns, s.Name)
		}
		return k8s.Subject{Kind: s.Kind, Namespace: ns, Name: s.Name}, nil
	}
	return k8s.Subject{}, fmt.Errorf("kind %q, want User, Group or ServiceAccount", s.Kind)
}

// rules normalizes a role's rules: each slice sorted and distinct. A rule
// that allows nothing (no verbs; a resource rule without API groups) is
// dropped and counted; one whose strings could not be stored losslessly
// (see encodable) is a Problem.
func (r *rbacReader) rules(source, what string, in []rbacv1.PolicyRule) []k8s.Rule {
	var out []k8s.Rule
	for i, p := range in {
		rule := k8s.Rule{
			Verbs:           distinct(p.Verbs),
			APIGroups:       distinct(p.APIGroups),
			Resources:       distinct(p.Resources),
			ResourceNames:   distinct(p.ResourceNames),
			NonResourceURLs: distinct(p.NonResourceURLs),
		}
		if err := encodable(rule); err != nil {
			r.problem(source, "%s: rules[%d]: %v; the rule is ignored", what, i, err)
			continue
		}
		if len(rule.Verbs) == 0 || (len(rule.NonResourceURLs) == 0 && (len(rule.APIGroups) == 0 || len(rule.Resources) == 0)) {
			r.skip("RBAC rule that allows nothing")
			continue
		}
		out = append(out, rule)
	}
	return dedupRules(out)
}

// encodable checks that a rule's strings have the forms GrantRecords
// stores without loss: no blanks anywhere, no "." in a resource, no "/" in
// an API group, URLs that start with "/" (or are "*"), no empty resource
// name, and not both resources and URLs.
func encodable(r k8s.Rule) error {
	check := func(field string, values []string, bad string, allowEmpty bool) error {
		for _, v := range values {
			if v == "" && !allowEmpty {
				return fmt.Errorf("%s: an empty value", field)
			}
			if strings.ContainsAny(v, " \t\r\n") {
				return fmt.Errorf("%s: %q has a blank", field, v)
			}
			if bad != "" && strings.ContainsAny(v, bad) {
				return fmt.Errorf("%s: %q has one of %q", field, v, bad)
			}
		}
		return nil
	}
	for _, err := range []error{
		check("verbs", r.Verbs, "", false),
		check("apiGroups", r.APIGroups, "/", true),
		check("resources", r.Resources, ".", false),
		check("resourceNames", r.ResourceNames, "", false),
		check("nonResourceURLs", r.NonResourceURLs, "", false),
	} {
		if err != nil {
			return err
		}
	}
	for _, u := range r.NonResourceURLs {
		if u != "*" && !strings.HasPrefix(u, "/") {
			return fmt.Errorf("nonResourceURLs: %q does not start with \"/\"", u)
		}
	}
	if len(r.NonResourceURLs) > 0 && (len(r.Resources) > 0 || len(r.APIGroups) > 0 || len(r.ResourceNames) > 0) {
		return fmt.Errorf("both nonResourceURLs and resources")
	}
	return nil
}

// distinct returns values sorted without duplicates, in a new slice; nil
// when empty.
func distinct(values []string) []string {
	if len(values) == 0 {
		return nil
	}
	out := slices.Clone(values)
	slices.Sort(out)
	return slices.Compact(out)
}

// dedupRules sorts rules (k8s.CompareRules) and drops repeated ones.
func dedupRules(rules []k8s.Rule) []k8s.Rule {
	slices.SortFunc(rules, k8s.CompareRules)
	return slices.CompactFunc(rules, func(a, b k8s.Rule) bool { return k8s.CompareRules(a, b) == 0 })
}

// sortGrants orders grants by subject (kind, namespace, name), binding
// namespace, origin and rule.
func sortGrants(gs []k8s.Grant) {
	slices.SortFunc(gs, func(a, b k8s.Grant) int {
		return cmp.Or(
			cmp.Compare(a.Subject.Kind, b.Subject.Kind),
			cmp.Compare(a.Subject.Namespace, b.Subject.Namespace),
			cmp.Compare(a.Subject.Name, b.Subject.Name),
			cmp.Compare(a.Namespace, b.Namespace),
			cmp.Compare(a.Origin, b.Origin),
			k8s.CompareRules(a.Rule, b.Rule),
		)
	})
}
