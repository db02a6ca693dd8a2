package k8s

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/report"
)

// Entitlements expands what existing RBAC grants each principal into
// concrete entitlements, sorted by principal, action and resource, one per
// distinct (principal, action, resource) with the origins of every grant
// that gives it.
//
// A principal is an effective user name as the audit log records it
// ("alice@example.com", "system:serviceaccount:NS:NAME"). The grants that
// apply to it are those whose subject is its user or service account, or
// one of the groups every such user is known to be in (system:authenticated,
// system:serviceaccounts, system:serviceaccounts:NS; see GrantsAllow), plus
// Bootstrap. Grants to other groups are not applied: the audit log does not
// say who is in them.
//
// Each rule becomes actions in Request.Action's form:
//
//   - verbs: named verbs as they are; "*" becomes the verbs the resource
//     serves (the discovery documents of Kubernetes discoveryVersion, plus
//     the authorizer's own verbs: impersonate on users, groups, uids and
//     serviceaccounts, bind and escalate on roles and clusterroles, approve,
//     sign and attest on signers), or the eight standard verbs (get, list,
//     watch, create, update, patch, delete, deletecollection) on a
//     resource the catalog does not know;
//   - resources "*" (and "*/<subresource>"): every built-in resource (and
//     subresource) of the rule's groups served by a GA version, keeping
//     only the named verbs each serves; API groups "*": every group of the
//     catalog;
//   - what a wildcard matches beyond the catalog (custom resources, alpha
//     and beta APIs, verbs discovery does not list, other groups' resources
//     of the same name) stays one residual entitlement per wildcard, its
//     wildcard parts kept: "* *.*" for cluster-admin's rule, "get *.apps",
//     "update *.*/scale", "get widgets.*". Covers matches a residual only
//     against what the concrete entitlements of the same pattern do not
//     cover;
//   - non-resource URLs: "<verb> <url>" with the URL as the rule has it
//     ("get /healthz", "get /api/*"; "*" becomes "/*"), verb "*" becoming
//     get, head, options, post, put, patch and delete; only through
//     ClusterRoleBindings, which alone grant them.
//
// Resources containing '*' anywhere else ("pods/*", "*/*"), and verbs and
// API groups containing '*' but not equal to it, grant nothing a request
// can ask for (RBAC matches them literally; kubernetes/enhancements#4961)
// and give no entitlement.
//
// Resource is "<namespace>/<name>": the RoleBinding's namespace, or "*"
// under a ClusterRoleBinding, and each resourceName, or "*" for any. A
// cluster-scoped resource is "" under a ClusterRoleBinding ("/<name>" with
// resourceNames) and nothing under a RoleBinding, except namespaces and its
// subresources, whose requests carry the namespace's own name as their
// namespace: "<ns>/<ns>" under a RoleBinding of ns, "*/<name>" with names
// under a ClusterRoleBinding. A resource of unknown scope is treated as
// namespaced ("*/*" under a ClusterRoleBinding covers both).
//
// Risks carry report.RiskAdmin for every entitlement of a rule with verb
// "*" and resource "*" (any API group); per-action risks are Risks'.
// Origins are the grants' Origin strings.
func Entitlements(grants []Grant, principals []string) []synth.Entitlement {
	cat := newResourceCatalog()
	idx := IndexGrants(grants)
	all := idx.all
	// Many grants are the same rule in the same namespace (a ClusterRole
	// bound to many subjects): each distinct one is expanded once.
	expanded := make([][]entitlementItem, len(all))
	cache := make(map[string][]entitlementItem)
	for i := range all {
		k := expansionKey(all[i])
		items, ok := cache[k]
		if !ok {
			items = expandGrant(cat, all[i])
			cache[k] = items
		}
		expanded[i] = items
	}

	ps := slices.Clone(principals)
	slices.Sort(ps)
	origins := make(map[string][]string)
	var parts [][]synth.Entitlement
	total := 0
	for _, p := range slices.Compact(ps) {
		part := principalEntitlements(p, idx, expanded, origins)
		parts = append(parts, part)
		total += len(part)
	}
	out := make([]synth.Entitlement, 0, total)
	for _, part := range parts {
		out = append(out, part...)
	}
	return out
}

// Principals returns the principals the grants name directly: the users
// and service accounts ("system:serviceaccount:NS:NAME") bound, sorted and
// distinct. Group subjects name no principal.
func Principals(grants []Grant) []string {
	seen := make(map[string]bool)
	for _, g := range grants {
		if p := subjectPrincipal(g.Subject, g.Namespace); p != "" {
			seen[p] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// subjectPrincipal is the effective user name a User or ServiceAccount
// subject stands for in a binding of namespace bindingNS, or "".
func subjectPrincipal(s Subject, bindingNS string) string {
	switch s.Kind {
	case "User":
		return s.Name
	case "ServiceAccount":
		ns := s.Namespace
		if ns == "" {
			ns = bindingNS
		}
		if ns == "" || s.Name == "" {
			return ""
		}
		return "system:serviceaccount:" + ns + ":" + s.Name
	}
	return ""
}

// principalEntitlements merges the expansions of the grants that apply to
// principal, sorted by action and resource. origins holds one shared
// one-element list per origin (cap 1, so appending copies).
func principalEntitlements(principal string, idx *GrantIndex, expanded [][]entitlementItem, origins map[string][]string) []synth.Entitlement {
	type key struct{ action, resource string }
	adminRisk := []string{report.RiskAdmin}[:1:1]
	all := idx.all
	applied := idx.applying(principal)
	size := 0
	for _, i := range applied {
		size += len(expanded[i])
	}
	byKey := make(map[key]int, size)
	out := make([]synth.Entitlement, 0, size)
	for _, i := range applied {
		origin := all[i].Origin
		shared, ok := origins[origin]
		if !ok {
			shared = []string{origin}[:1:1]
			origins[origin] = shared
		}
		for _, it := range expanded[i] {
			k := key{it.action, it.resource}
			n, ok := byKey[k]
			if !ok {
				byKey[k] = len(out)
				e := synth.Entitlement{Provider: "k8s", Principal: principal, Action: it.action, Resource: it.resource, Origins: shared}
				if it.admin {
					e.Risks = adminRisk
				}
				out = append(out, e)
				continue
			}
			e := &out[n]
			e.Origins = synth.InsertSorted(e.Origins, origin) // copies a shared list: its cap is 1
			if it.admin && e.Risks == nil {
				e.Risks = adminRisk
			}
		}
	}
	// Sort positions rather than the entitlements themselves: moving
	// small integers is cheaper.
	order := make([]int32, len(out))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int {
		a, b := &out[i], &out[j]
		return cmp.Or(strings.Compare(a.Action, b.Action), strings.Compare(a.Resource, b.Resource))
	})
	sorted := make([]synth.Entitlement, len(out))
	for i, n := range order {
		sorted[i] = out[n]
	}
	return sorted
}

// expansionKey is what expandGrant's result depends on: the binding's
// namespace and the rule, one-to-one (setKey encodes each list).
func expansionKey(g Grant) string {
	r := g.Rule
	return setKey([]string{g.Namespace, setKey(r.Verbs), setKey(r.APIGroups), setKey(r.Resources), setKey(r.ResourceNames), setKey(r.NonResourceURLs)})
}

// entitlementItem is one entitlement a grant gives, whoever holds it.
type entitlementItem struct {
	action, resource string
	admin            bool
}

// expansionTarget is one resource a rule's API group and resource entry
// stand for: a catalog entry, a resource the catalog does not know, or a
// residual pattern with wildcard parts.
type expansionTarget struct {
	group, resource, subresource string
	info                         resourceInfo
	known                        bool // info is set
	fromWildcard                 bool // the rule's resource was "*" or "*/<sub>": keep only the verbs info serves
	residual                     bool // group or resource is "*"
}

// expandGrant lists what one grant gives, deduplicated and sorted.
func expandGrant(cat *resourceCatalog, g Grant) []entitlementItem {
	seen := make(map[entitlementItem]bool)
	var out []entitlementItem
	emit := func(it entitlementItem) {
		if !seen[it] {
			seen[it] = true
			out = append(out, it)
		}
	}
	rule := g.Rule
	admin := slices.Contains(rule.Verbs, verbAll) && slices.Contains(rule.Resources, resourceAll)

	if g.Namespace == "" {
		for _, u := range rule.NonResourceURLs {
			if u == nonResourceAll {
				u = "/*"
			}
			if !strings.HasPrefix(u, "/") {
				continue // matches no request path
			}
			for _, v := range rule.Verbs {
				verbs := []string{v}
				if v == verbAll {
					verbs = nonResourceVerbs
				} else if strings.Contains(v, "*") {
					continue
				}
				for _, verb := range verbs {
					emit(entitlementItem{action: verb + " " + u})
				}
			}
		}
	}

	for _, ag := range rule.APIGroups {
		if ag != apiGroupAll && strings.Contains(ag, "*") {
			continue
		}
		for _, rr := range rule.Resources {
			for _, t := range expansionTargets(cat, ag, rr) {
				refs := resourcePatterns(g.Namespace, t, rule.ResourceNames)
				if len(refs) == 0 {
					continue
				}
				for _, v := range rule.Verbs {
					for _, verb := range targetVerbs(t, v) {
						action := Request{Verb: verb, Group: t.group, Resource: t.resource, Subresource: t.subresource}.Action()
						for _, ref := range refs {
							emit(entitlementItem{action: action, resource: ref, admin: admin})
						}
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b entitlementItem) int {
		return cmp.Or(strings.Compare(a.action, b.action), strings.Compare(a.resource, b.resource))
	})
	return out
}

// expansionTargets resolves one API group and resource entry of a rule.
func expansionTargets(cat *resourceCatalog, group, entry string) []expansionTarget {
	res, sub := splitResource(entry)
	if res == "" || strings.Contains(sub, "*") || strings.Contains(sub, "/") || (res != resourceAll && strings.Contains(res, "*")) {
		return nil // "pods/*", "*/*", "po*": literal in RBAC, no request asks for them
	}
	var out []expansionTarget
	switch {
	case res == resourceAll:
		groups := []string{group}
		if group == apiGroupAll {
			groups = cat.groupNames()
		}
		for _, gr := range groups {
			for _, i := range cat.groups[gr] {
				info := cat.list[i]
				r, s := splitResource(info.resource)
				if !info.ga || (sub != "" && s != sub) {
					continue
				}
				out = append(out, expansionTarget{group: gr, resource: r, subresource: s, info: info, known: true, fromWildcard: true})
			}
		}
		out = append(out, expansionTarget{group: group, resource: resourceAll, subresource: sub, residual: true})
	case group == apiGroupAll:
		for _, gr := range cat.groupNames() {
			if info, ok := cat.lookup(gr, entry); ok {
				out = append(out, expansionTarget{group: gr, resource: res, subresource: sub, info: info, known: true})
			}
		}
		out = append(out, expansionTarget{group: apiGroupAll, resource: res, subresource: sub, residual: true})
	default:
		info, ok := cat.lookup(group, entry)
		out = append(out, expansionTarget{group: group, resource: res, subresource: sub, info: info, known: ok})
	}
	return out
}

// targetVerbs is what a rule's verb gives on a target.
func targetVerbs(t expansionTarget, verb string) []string {
	switch {
	case verb == verbAll && t.residual:
		return []string{verbAll}
	case verb == verbAll && t.known:
		return t.info.verbs
	case verb == verbAll:
		return standardVerbs
	case strings.Contains(verb, "*"):
		return nil
	case t.fromWildcard && !t.info.supports(verb):
		return nil
	}
	return []string{verb}
}

// resourcePatterns is where a target is granted by a binding of namespace
// bindingNS ("" for a ClusterRoleBinding), one pattern per resource name.
func resourcePatterns(bindingNS string, t expansionTarget, names []string) []string {
	if len(names) == 0 {
		names = []string{"*"}
	}
	namespaces := t.group == "" && t.resource == "namespaces"
	clusterScoped := t.known && !t.info.namespaced
	var out []string
	for _, n := range names {
		switch {
		case namespaces && bindingNS != "":
			if n == "*" || n == bindingNS {
				out = append(out, bindingNS+"/"+bindingNS)
			}
		case namespaces && n != "*":
			out = append(out, "*/"+n)
		case clusterScoped && bindingNS != "":
			// A RoleBinding grants nothing cluster-scoped.
		case clusterScoped && n == "*":
			out = append(out, "")
		case clusterScoped:
			out = append(out, "/"+n)
		case bindingNS != "":
			out = append(out, bindingNS+"/"+n)
		default:
			out = append(out, "*/"+n)
		}
	}
	return out
}

// groupNames lists the catalog's API groups, sorted.
func (c *resourceCatalog) groupNames() []string {
	return slices.Sorted(maps.Keys(c.groups))
}

// Covers reports whether entitlement e (from Entitlements) allows access a:
//
//   - a non-resource entitlement ("get /healthz", "get /api/*") covers a
//     non-resource access of the same verb whose path it matches as RBAC
//     matches non-resource URLs (itself, or a prefix ending in '*');
//   - a concrete entitlement covers an access of the same verb, API group,
//     resource and subresource;
//   - a residual entitlement (a "*" verb, group or resource) covers the
//     accesses its pattern matches that the concrete entitlements of the
//     same pattern do not: resources missing from the catalog (custom
//     resources), alpha and beta ones a resource wildcard leaves out, verbs
//     the resource does not list;
//
// and, for resource accesses, the access's "<namespace>/<name>" matches
// e.Resource: "" matches anything; otherwise each part is "*" (anything,
// empty included) or equal. A request across all namespaces ("") is
// matched only by a "*" namespace, a collection request ("ns/") only by a
// "*" name.
//
// Principals and providers are the caller's business.
func Covers(e synth.Entitlement, a synth.Access) bool {
	want, err := Parse(e.Action, "")
	if err != nil {
		return false
	}
	got, err := ParseAccess(a)
	if err != nil {
		return false
	}
	if want.Path != "" || got.Path != "" {
		if want.Path == "" || got.Path == "" || want.Verb != got.Verb {
			return false
		}
		return urlMatches(want.Path, got.Path)
	}
	residual := want.Verb == verbAll || want.Group == apiGroupAll || want.Resource == resourceAll
	if !residual {
		if want.Verb != got.Verb || want.Group != got.Group || want.Resource != got.Resource || want.Subresource != got.Subresource {
			return false
		}
	} else if !residualCovers(want, got) {
		return false
	}
	return refMatches(e.Resource, a.Resource)
}

// residualCovers reports whether a residual pattern matches request r and
// no concrete entitlement the same pattern expands to does.
func residualCovers(p, r Request) bool {
	if (p.Verb != verbAll && p.Verb != r.Verb) || (p.Group != apiGroupAll && p.Group != r.Group) {
		return false
	}
	if p.Resource == resourceAll {
		if p.Subresource != "" && p.Subresource != r.Subresource {
			return false
		}
		// The wildcard's concrete entitlements: GA catalog entries and the
		// verbs they serve.
		return !wildcardExpandsTo(r.Group, combinedResource(r.Resource, r.Subresource), r.Verb)
	}
	if p.Resource != r.Resource || p.Subresource != r.Subresource {
		return false
	}
	// Group "*" with a named resource: the catalog groups that have it are
	// concrete entitlements, with every verb they serve for verb "*", with
	// the named verb otherwise.
	info, ok := lookupResource(r.Group, combinedResource(r.Resource, r.Subresource))
	return !ok || (p.Verb == verbAll && !info.supports(r.Verb))
}

// refMatches matches a "<namespace>/<name>" access resource against an
// entitlement's pattern.
func refMatches(pattern, ref string) bool {
	if pattern == "" {
		return true
	}
	pns, pname, _ := strings.Cut(pattern, "/")
	rns, rname, _ := strings.Cut(ref, "/")
	return (pns == "*" || pns == rns) && (pname == "*" || pname == rname)
}

// Unobservable reports whether the audit log cannot show an action's use.
//
// For requests to the API server it never is: an audit policy can record
// every request, reads and non-resource URLs included, at the Metadata
// level pare needs (what a cluster's policy leaves out is its choice, and
// pare cannot know it). The exception is the kubelet's API: a client that
// calls a kubelet directly (https://NODE:10250/exec/..., /logs/, /stats/)
// is authorized by the kubelet with a SubjectAccessReview for nodes/proxy,
// nodes/log, nodes/stats, nodes/metrics, nodes/checkpoint, nodes/statusz,
// nodes/pods, nodes/healthz or nodes/configz, which the audit log records
// as the kubelet's request, not the client's (Kubernetes "Kubelet
// authentication/authorization"; RBAC good practices: nodes/proxy "bypasses
// audit logging and admission control"). Those subresources are
// unobservable: their use through the API server's proxy is logged, their
// use straight at a kubelet is not.
func Unobservable(action string) bool {
	r, err := Parse(action, "")
	if err != nil || r.Path != "" || r.Group != "" || r.Resource != "nodes" {
		return false
	}
	switch r.Subresource {
	case "proxy", "log", "stats", "metrics", "checkpoint", "statusz", "pods", "healthz", "configz":
		return true
	}
	return false
}
