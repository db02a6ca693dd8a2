package azure

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/leastpriv/pare/synth"
)

// DefaultCollapseResourceGroups is how many resource groups of one
// subscription a role may be scoped to before Synthesize scopes it to the
// subscription instead, used when Options.CollapseResourceGroups is 0. Past
// five, a list of resource groups stops being easier to review than the
// subscription it stands for, and the role would break as soon as the
// principal touched the next one.
const DefaultCollapseResourceGroups = 5

// ReasonManyResourceGroups is the Reason of a Generalization that replaced
// the scopes in many resource groups of one subscription by the
// subscription.
const ReasonManyResourceGroups = "too many resource groups in one subscription"

// ReasonCreatesResourceGroups is the Reason of a Generalization to the
// subscription a principal wrote resource groups in: the write may have
// created the group, which a role assigned at the group cannot do (see
// Allows), so the role is assigned at the subscription.
const ReasonCreatesResourceGroups = "writes resource groups, which needs the subscription (a role at a group cannot create it)"

// Options are the choices Synthesize makes explicit.
type Options struct {
	// Scope is the granularity of assignable scopes; "" means
	// ResourceGroup. An unknown value is treated as Resource, the
	// narrowest, so a typo never widens a role.
	Scope Granularity
	// CollapseResourceGroups: once a role's scopes lie in more than this
	// many resource groups of one subscription, they are replaced by the
	// subscription and a Generalization says so. 0 means
	// DefaultCollapseResourceGroups; a negative value never collapses.
	CollapseResourceGroups int
	// Window is the observation window the Description names. A zero bound
	// is taken from the accesses' first or last time seen.
	Window synth.Window
}

// Role is the synthesized custom role definition of one principal.
type Role struct {
	Principal string // Entra object id
	Kind      string // user, service-principal, managed-identity
	// ID is the role definition's stable name (a GUID): the RFC 9562
	// version 5 UUID of pare's namespace and the principal, a newline and
	// the assignable scopes, case-folded (as Azure compares them), sorted
	// and joined by newlines. It changes only when the principal or the
	// scopes change, so regenerating updates the same role.
	ID string
	// Name is the role's display name: "pare-", up to 8 letters or digits
	// of the principal, '-', and the first 8 hex digits of ID.
	Name        string
	Description string
	// Actions are the operations granted, sorted, distinct ignoring case;
	// empty, never nil, when none could be granted.
	Actions []string
	// NotActions, DataActions and NotDataActions are always empty (never
	// nil): the Activity Log records no data-plane operations.
	NotActions, DataActions, NotDataActions []string
	// AssignableScopes are sorted, distinct ignoring case, and none lies
	// under another.
	AssignableScopes []string
	// Generalizations records every scope wider than the recorded usage
	// needs.
	Generalizations []Generalization
	// Inferred lists the granted actions no event named directly (a /read
	// inferred for a written resource type), sorted.
	Inferred []string
	// Rejected lists actions not granted: not Azure operations (no '/',
	// a '*' that would be a wildcard, spaces or control characters) or
	// from another provider, sorted and distinct.
	Rejected []string
	// Unscoped lists recorded resources that are not under a subscription
	// or management group (malformed ids, tenant-level resources); each is
	// kept as its own assignable scope so the role stays sound, but Azure
	// may refuse such a scope. Sorted, distinct.
	Unscoped []string
}

// Generalization is one assignable scope wider than the recorded usage
// needs, and why.
type Generalization struct {
	Scope    string   // the scope granted
	Reason   string   // ReasonManyResourceGroups and the counts
	Recorded []string // the scopes it replaces, sorted
}

// Synthesize builds one role per principal from accesses, sorted by
// principal. Every access given is treated as to be allowed: the caller
// decides which (window, denied attempts) to pass.
func Synthesize(accesses []synth.Access, opts Options) []Role {
	byPrincipal := make(map[string][]synth.Access)
	for _, a := range accesses {
		byPrincipal[a.Principal] = append(byPrincipal[a.Principal], a)
	}
	roles := make([]Role, 0, len(byPrincipal))
	for _, p := range slices.Sorted(maps.Keys(byPrincipal)) {
		roles = append(roles, synthesizeOne(p, byPrincipal[p], opts))
	}
	return roles
}

func synthesizeOne(principal string, accesses []synth.Access, opts Options) Role {
	r := Role{
		Principal:      principal,
		Kind:           synth.KindOf(accesses),
		Actions:        []string{},
		NotActions:     []string{},
		DataActions:    []string{},
		NotDataActions: []string{},
	}
	g := granularity(opts.Scope)
	collapse := opts.CollapseResourceGroups
	if collapse == 0 {
		collapse = DefaultCollapseResourceGroups
	}

	actions := make(map[string]string) // fold key → chosen spelling
	explicit := make(map[string]bool)  // fold key → some access not inferred
	rejected := make(map[string]bool)
	unscoped := make(map[string]bool)
	scopes := make(map[string]resourceID)  // String() → parsed scope
	createdIn := make(map[string][]string) // fold key of a subscription → resource groups written in it
	for _, a := range accesses {
		if a.Provider != "" && a.Provider != "azure" {
			rejected[a.Provider+":"+a.Action] = true
			continue
		}
		if !validOperation(a.Action) {
			rejected[a.Action] = true
			continue
		}
		k := foldKey(a.Action)
		if cur, ok := actions[k]; !ok || a.Action < cur {
			actions[k] = a.Action
		}
		if !a.Inferred {
			explicit[k] = true
		}
		id := parseID(a.Resource)
		if id.kind == kindMalformed || id.kind == kindTenantResource {
			unscoped[a.Resource] = true
		}
		s := parseID(id.scopeAt(g))
		if id.kind == kindMalformed {
			s = id
		}
		if needsParent(a.Action, id) {
			s = parseID(id.subscription())
			if g != Subscription {
				k := foldKey(s.String())
				createdIn[k] = append(createdIn[k], id.String())
			}
		}
		scopes[s.String()] = s
	}
	for _, k := range slices.Sorted(maps.Keys(actions)) {
		r.Actions = append(r.Actions, actions[k])
		if !explicit[k] {
			r.Inferred = append(r.Inferred, actions[k])
		}
	}
	sort.Strings(r.Actions)
	sort.Strings(r.Inferred)
	// Empty lists are [], as the other lists of the role.
	r.Rejected = append([]string{}, slices.Sorted(maps.Keys(rejected))...)
	r.Unscoped = append([]string{}, slices.Sorted(maps.Keys(unscoped))...)

	var list []resourceID
	for _, k := range slices.Sorted(maps.Keys(scopes)) {
		list = append(list, scopes[k])
	}
	recorded := list
	list, r.Generalizations = collapseGroups(minimalScopes(append([]resourceID(nil), list...)), collapse)
	list = minimalScopes(list)
	r.Generalizations = append(r.Generalizations, createdGroups(createdIn, recorded, list)...)
	sort.Slice(r.Generalizations, func(i, j int) bool { return r.Generalizations[i].Scope < r.Generalizations[j].Scope })
	for _, s := range list {
		r.AssignableScopes = append(r.AssignableScopes, s.String())
	}
	sort.Strings(r.AssignableScopes)
	if r.AssignableScopes == nil {
		r.AssignableScopes = []string{}
	}

	r.ID = roleID(principal, r.AssignableScopes)
	r.Name = roleName(principal, r.ID)
	r.Description = description(r.Kind, principal, opts.Window, accesses)
	return r
}

// granularity maps an option value to a Granularity: "" is the default,
// unknown values the narrowest.
func granularity(g Granularity) Granularity {
	switch g {
	case "":
		return ResourceGroup
	case ResourceGroup, Subscription, Resource:
		return g
	}
	return Resource
}

// ParseGranularity checks a --azure-scope value.
func ParseGranularity(s string) (Granularity, error) {
	switch g := Granularity(s); g {
	case ResourceGroup, Subscription, Resource:
		return g, nil
	}
	return "", fmt.Errorf("unknown Azure scope granularity %q (want %s, %s or %s)", s, ResourceGroup, Subscription, Resource)
}

// validOperation reports whether s can be granted as an Azure operation
// without meaning more than itself: a provider namespace and at least one
// more '/'-separated part, no '*' (Azure's wildcard), no spaces or control
// characters. Anything else is rejected, never emitted.
func validOperation(s string) bool {
	if !strings.Contains(s, "/") || strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.Contains(s, "//") {
		return false
	}
	for _, c := range s {
		if c == '*' || c <= ' ' || c == 0x7f || c == '\uFFFD' {
			return false
		}
	}
	return true
}

// createdGroups gives, for each subscription a role needs because the
// principal wrote resource groups in it (createdIn, by the subscription's
// fold key), the Generalization that says so: it replaces the groups
// written and every scope of recorded inside the subscription. The scope is
// spelled as in final, the role's minimal scopes.
func createdGroups(createdIn map[string][]string, recorded, final []resourceID) []Generalization {
	var gens []Generalization
	for _, k := range slices.Sorted(maps.Keys(createdIn)) {
		var subID resourceID
		for _, s := range final {
			if foldKey(s.String()) == k {
				subID = s
			}
		}
		if subID.segs == nil {
			continue // a wider recorded scope (a management group, the root) covers it: nothing was widened
		}
		spelled := make(map[string]string) // fold key → smallest spelling
		add := func(s string) {
			if k := foldKey(s); spelled[k] == "" || s < spelled[k] {
				spelled[k] = s
			}
		}
		for _, g := range createdIn[k] {
			add(g)
		}
		for _, s := range recorded {
			if covers(subID, s) && !covers(s, subID) {
				add(s.String())
			}
		}
		g := Generalization{Scope: subID.String(), Reason: ReasonCreatesResourceGroups}
		for _, k := range slices.Sorted(maps.Keys(spelled)) {
			g.Recorded = append(g.Recorded, spelled[k])
		}
		sort.Strings(g.Recorded)
		gens = append(gens, g)
	}
	return gens
}

// collapseGroups replaces, per subscription, the scopes inside it by the
// subscription once they lie in more than limit resource groups.
func collapseGroups(list []resourceID, limit int) ([]resourceID, []Generalization) {
	if limit < 0 {
		return list, nil
	}
	type sub struct {
		scope  resourceID
		inside []resourceID
		groups map[string]bool
	}
	subs := make(map[string]*sub) // fold key of the subscription
	for _, s := range list {
		if s.kind != kindSubscription || len(s.segs) <= 2 {
			continue
		}
		k := foldKey(s.subscription())
		x := subs[k]
		if x == nil {
			x = &sub{groups: make(map[string]bool)}
			subs[k] = x
		}
		// The spelling of the subscription is the smallest seen, so the
		// result does not depend on input order.
		if cand := parseID(s.subscription()); x.scope.segs == nil || cand.String() < x.scope.String() {
			x.scope = cand
		}
		x.inside = append(x.inside, s)
		if rg := s.resourceGroup(); rg != "" {
			x.groups[foldKey(rg)] = true
		}
	}
	replaced := make(map[string]bool)
	var gens []Generalization
	for _, k := range slices.Sorted(maps.Keys(subs)) {
		x := subs[k]
		if len(x.groups) <= limit {
			continue
		}
		g := Generalization{
			Scope:  x.scope.String(),
			Reason: fmt.Sprintf("%s: %d, more than %d", ReasonManyResourceGroups, len(x.groups), limit),
		}
		for _, s := range x.inside {
			replaced[s.String()] = true
			g.Recorded = append(g.Recorded, s.String())
		}
		sort.Strings(g.Recorded)
		gens = append(gens, g)
		list = append(list, x.scope)
	}
	if len(replaced) == 0 {
		return list, nil
	}
	out := list[:0:0]
	for _, s := range list {
		if !replaced[s.String()] {
			out = append(out, s)
		}
	}
	sort.Slice(gens, func(i, j int) bool { return gens[i].Scope < gens[j].Scope })
	return out, gens
}

// minimalScopes drops scopes another scope of the list covers, and of
// scopes equal ignoring case keeps the smallest spelling. The result is
// sorted.
func minimalScopes(list []resourceID) []resourceID {
	sort.Slice(list, func(i, j int) bool {
		// Shorter first, so covering scopes come before what they cover.
		if len(list[i].segs) != len(list[j].segs) {
			return len(list[i].segs) < len(list[j].segs)
		}
		return list[i].String() < list[j].String()
	})
	var out []resourceID
	for _, s := range list {
		covered := false
		for _, o := range out {
			if covers(o, s) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// roleID is the stable role definition id of principal with scopes.
func roleID(principal string, scopes []string) string {
	lower := make([]string, len(scopes))
	for i, s := range scopes {
		lower[i] = foldKey(s)
	}
	sort.Strings(lower)
	return uuidV5(namespace(), principal+"\n"+strings.Join(lower, "\n"))
}

// roleName is "pare-", up to 8 ASCII letters or digits of the principal
// (lower-cased; "x" when it has none), '-', and 8 hex digits of id.
func roleName(principal, id string) string {
	var short strings.Builder
	for _, c := range principal {
		if short.Len() == 8 {
			break
		}
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			short.WriteRune(c)
		case c >= 'A' && c <= 'Z':
			short.WriteRune(c + 'a' - 'A')
		}
	}
	if short.Len() == 0 {
		short.WriteString("x")
	}
	return "pare-" + short.String() + "-" + strings.ReplaceAll(id, "-", "")[:8]
}

// description says whose role it is, the observation window, and what the
// Activity Log cannot show.
func description(kind, principal string, w synth.Window, accesses []synth.Access) string {
	from, to := w.From, w.To
	if from.IsZero() || to.IsZero() {
		var first, last time.Time
		for _, a := range accesses {
			if !a.First.IsZero() && (first.IsZero() || a.First.Before(first)) {
				first = a.First
			}
			if a.Last.After(last) {
				last = a.Last
			}
		}
		if from.IsZero() {
			from = first
		}
		if to.IsZero() {
			to = last
		}
	}
	who := principal
	if kind != "" {
		who = kind + " " + principal
	}
	window := "over the whole log"
	if !from.IsZero() || !to.IsZero() {
		window = fmt.Sprintf("%s to %s", day(from), day(to))
	}
	return fmt.Sprintf("Least privilege for %s, generated by pare from Azure Activity Log usage observed %s. "+
		"The Activity Log records writes, deletes and actions, not reads or data-plane operations: "+
		"the /read permissions of written resource types are inferred.", who, window)
}

func day(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format("2006-01-02")
}
