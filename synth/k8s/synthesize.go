package k8s

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/leastpriv/pare/synth"
)

// Synthesize builds one Policy per principal of accesses, sorted by
// principal. Every access given is treated as used and to be allowed, denied
// attempts included (the caller passes those only when asked to) and
// inferred ones (impersonate) too, whose evidence says so.
//
// For each principal:
//
//  1. Accesses that are not Kubernetes requests, or would be RBAC
//     wildcards, go to Policy.Rejected.
//  2. Accesses existing RBAC already allows go to Policy.AlreadyGranted: the
//     grants given and Bootstrap(), where a grant applies to the principal
//     when its subject is the principal's User or ServiceAccount, or the
//     group system:authenticated (everyone), system:serviceaccounts (every
//     service account) or system:serviceaccounts:NS (the service accounts
//     of NS). Membership in any other group is unknown and never assumed.
//  3. Each remaining access asks for its verb (and, with VerbsAudit2RBAC,
//     the verbs audit2rbac adds that no grant already allows) on its group,
//     resource and subresource, in its namespace, for its object name.
//     list, watch, create and deletecollection on a resource (not a
//     subresource) are always granted unnamed.
//  4. The same verb on the same resource in more than ClusterWideAfter
//     namespaces moves to the ClusterRole.
//  5. Names are kept as resourceNames unless the same verb on the same
//     resource in the same place was also used unnamed, or would list more
//     than MaxResourceNames names.
//  6. Rules are merged without widening: the same group, resource and
//     names take the union of their verbs, then the same group, verbs and
//     names the union of their resources.
//
// Each rule's Evidence adds up the accesses that asked for it, under their
// observed actions: a verb added by expansion, or a rule made cluster-wide,
// shows the accesses it was made for.
//
// The namespaced Roles come first, sorted by namespace, then the
// ClusterRole, which holds cluster-scoped requests, requests across all
// namespaces and non-resource URLs. Each Role has one binding to
// SubjectOf(principal), both named RoleName(principal).
func Synthesize(accesses []synth.Access, granted []Grant, opts Options) []Policy {
	byPrincipal := make(map[string][]synth.Access)
	for _, a := range accesses {
		byPrincipal[a.Principal] = append(byPrincipal[a.Principal], a)
	}
	existing := IndexGrants(granted)
	policies := make([]Policy, 0, len(byPrincipal))
	for _, p := range slices.Sorted(maps.Keys(byPrincipal)) {
		mine := byPrincipal[p]
		slices.SortFunc(mine, synth.CompareAccess)
		policies = append(policies, synthesizeOne(p, mine, existing.grantsFor(p), opts))
	}
	return policies
}

// tupleKey is one verb on one thing in one place: a resource (with its
// subresource) in a namespace ("" for cluster-wide), or a non-resource URL.
type tupleKey struct {
	ns, group, resource, subresource, verb, path string
}

func (k tupleKey) request() Request {
	return Request{Verb: k.verb, Group: k.group, Resource: k.resource, Subresource: k.subresource, Namespace: k.ns, Path: k.path}
}

// tuple is what the accesses asked of one tupleKey.
type tuple struct {
	unnamed bool            // some access needs it for any (or no) name
	names   map[string]bool // names asked for
	from    map[int]bool    // the accesses behind it, by index
}

// builder collects one principal's tuples and generalizations.
type builder struct {
	tuples map[tupleKey]*tuple
	gens   map[[2]string]map[string]bool // {reason, detail} -> actions
}

// tuple returns the tuple of k, creating it empty.
func (b *builder) tuple(k tupleKey) *tuple {
	t := b.tuples[k]
	if t == nil {
		t = &tuple{names: make(map[string]bool), from: make(map[int]bool)}
		b.tuples[k] = t
	}
	return t
}

// add records that access from asks for k, for object name ("" for none).
func (b *builder) add(k tupleKey, name string, from int) {
	t := b.tuple(k)
	if name == "" {
		t.unnamed = true
	} else {
		t.names[name] = true
	}
	t.from[from] = true
}

// merge adds what t asks for to the tuple of k.
func (b *builder) merge(k tupleKey, t *tuple) {
	c := b.tuple(k)
	c.unnamed = c.unnamed || t.unnamed
	for n := range t.names {
		c.names[n] = true
	}
	for i := range t.from {
		c.from[i] = true
	}
}

func (b *builder) generalize(reason, detail, action string) {
	k := [2]string{reason, detail}
	if b.gens[k] == nil {
		b.gens[k] = make(map[string]bool)
	}
	b.gens[k][action] = true
}

// synthesizeOne builds the policy of one principal from its accesses, sorted
// by synth.CompareAccess, and the grants that apply to it.
func synthesizeOne(principal string, mine []synth.Access, grants []Grant, opts Options) Policy {
	p := Policy{Principal: principal, Subject: SubjectOf(principal)}
	b := &builder{tuples: make(map[tupleKey]*tuple), gens: make(map[[2]string]map[string]bool)}
	for i, a := range mine {
		r, err := requestOf(a)
		if err != nil {
			p.Rejected = append(p.Rejected, Rejected{Access: a, Reason: err.Error()})
			continue
		}
		if GrantsAllow(grants, principal, r) {
			p.AlreadyGranted = append(p.AlreadyGranted, a)
			continue
		}
		if r.Path != "" {
			b.add(tupleKey{verb: r.Verb, path: r.Path}, "", i)
			continue
		}
		verbs := []string{r.Verb}
		for _, v := range extraVerbs(opts.VerbExpansion, r.Verb) {
			x := r
			x.Verb = v
			if !GrantsAllow(grants, principal, x) {
				verbs = append(verbs, v)
			}
		}
		if len(verbs) > 1 {
			b.generalize(ReasonVerbExpansion, fmt.Sprintf("%s: %s also grants %s", opts.VerbExpansion, r.Verb, strings.Join(verbs[1:], ", ")), a.Action)
		}
		for _, v := range verbs {
			k := tupleKey{ns: r.Namespace, group: r.Group, resource: r.Resource, subresource: r.Subresource, verb: v}
			name := r.Name
			if name != "" && unnamedVerb(v, r.Subresource) {
				b.generalize(ReasonUnnamedVerb, "list, watch, create and deletecollection rules on a resource never carry resourceNames", k.request().Action())
				name = ""
			}
			b.add(k, name, i)
		}
	}
	b.clusterWide(opts.clusterWideAfter())
	b.limitNames(opts.maxNames())

	rules := b.rules(mine)
	name := RoleName(principal)
	for _, ns := range sortedNamespaces(rules) {
		kind := "Role"
		if ns == "" {
			kind = "ClusterRole"
		}
		p.Roles = append(p.Roles, Role{Namespace: ns, Name: name, Rules: rules[ns]})
		p.Bindings = append(p.Bindings, Binding{Namespace: ns, Name: name, RoleKind: kind, RoleName: name, Subject: p.Subject})
	}
	for _, k := range sortedGenKeys(b.gens) {
		p.Generalizations = append(p.Generalizations, Generalization{Reason: k[0], Detail: k[1], Actions: slices.Sorted(maps.Keys(b.gens[k]))})
	}
	return p
}

// clusterWide moves every verb on a resource used in more than limit
// namespaces to the cluster scope. A negative limit moves none.
func (b *builder) clusterWide(limit int) {
	if limit < 0 {
		return
	}
	type wide struct{ group, resource, subresource, verb string }
	namespaces := make(map[wide]map[string]bool)
	for k := range b.tuples {
		if k.path != "" || k.ns == "" {
			continue
		}
		w := wide{k.group, k.resource, k.subresource, k.verb}
		if namespaces[w] == nil {
			namespaces[w] = make(map[string]bool)
		}
		namespaces[w][k.ns] = true
	}
	for w, set := range namespaces {
		if len(set) <= limit {
			continue
		}
		ck := tupleKey{group: w.group, resource: w.resource, subresource: w.subresource, verb: w.verb}
		for ns := range set {
			k := ck
			k.ns = ns
			b.merge(ck, b.tuples[k])
			delete(b.tuples, k)
		}
		list := slices.Sorted(maps.Keys(set))
		b.generalize(ReasonClusterWide, fmt.Sprintf("%d namespaces, more than %d: %s", len(list), limit, strings.Join(list, ", ")), ck.request().Action())
	}
}

// limitNames drops the names of tuples that would list more than limit. A
// negative limit keeps them all.
func (b *builder) limitNames(limit int) {
	if limit < 0 {
		return
	}
	for k, t := range b.tuples {
		if t.unnamed || len(t.names) <= limit {
			continue
		}
		t.unnamed = true
		where := "cluster-wide"
		if k.ns != "" {
			where = "in namespace " + k.ns
		}
		b.generalize(ReasonManyNames, fmt.Sprintf("%s: %d names, more than %d", where, len(t.names), limit), k.request().Action())
	}
}

func sortedNamespaces(rules map[string][]Rule) []string {
	var out []string
	for ns := range rules {
		if ns != "" {
			out = append(out, ns)
		}
	}
	slices.Sort(out)
	if _, ok := rules[""]; ok {
		out = append(out, "")
	}
	return out
}

func sortedGenKeys(m map[[2]string]map[string]bool) [][2]string {
	return slices.SortedFunc(maps.Keys(m), func(a, b [2]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
