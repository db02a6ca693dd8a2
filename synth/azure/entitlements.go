package azure

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/synth/report"
)

// Grant is one permissions block of a role definition as one role
// assignment gives it to one principal: what usage/azure/rbac stores as
// grants rows (GrantsFromRecords rebuilds it). NotActions and
// NotDataActions subtract only from the Actions and DataActions of the same
// block, as Azure applies them; a role with several blocks is several
// Grants with distinct Origins.
type Grant struct {
	Principal string // Entra object id the assignment names
	Scope     string // the assignment's scope
	// Origin names the assignment and its role, e.g. "role assignment
	// /subscriptions/.../roleAssignments/ID (Contributor)"; it is the
	// entitlements' origin.
	Origin                      string
	Actions, NotActions         []string
	DataActions, NotDataActions []string
}

// Entitlements expands grants into concrete entitlements, one per
// principal, operation (canonical spelling), scope and plane, sorted by
// principal, action and resource, with the origins of every grant giving
// it.
//
// Actions and DataActions are matched against the catalog's operations as
// Azure matches them (catalog.AzureMatch: case-insensitive, '*' anywhere,
// across '/'): control-plane operations for Actions, data-plane ones for
// DataActions, operations of unknown plane for both. An operation a
// NotActions (NotDataActions) pattern of the same block matches is left
// out. A pattern without '*' the catalog does not know is kept as written;
// a pattern with '*' that matches no catalog operation is kept as a pattern
// (Covers matches it as Azure would), unless a NotActions pattern of its
// block matches the pattern itself. Operations newer than the catalog that
// a wildcard would also match are not listed: Covers does not see them
// under a pattern that did expand.
//
// Resource is the assignment scope (fixed segment names in canonical
// casing): the entitlement holds there and below. Data marks data actions.
// Risks carries report.RiskAdmin on the entitlements an admin wildcard of
// their block gives: Actions "*" (Owner and Contributor, which Microsoft
// lists among the "privileged administrator roles"), Actions
// "Microsoft.Authorization/*" (User Access Administrator: its
// Microsoft.Authorization operations, not its "*/read" ones) and
// DataActions "*"; per-operation risks are Risks'. Grants with
// an empty principal or scope give nothing.
func Entitlements(grants []Grant, cat *catalog.Azure) []synth.Entitlement {
	x := expander{cat: cat, blocks: make(map[string]*operationSet), origins: make(map[string][]string)}
	byPrincipal := make(map[string][]int)
	for i, g := range grants {
		if g.Principal != "" && g.Scope != "" {
			byPrincipal[g.Principal] = append(byPrincipal[g.Principal], i)
		}
	}
	principals := slices.Sorted(maps.Keys(byPrincipal))
	parts := make([][]synth.Entitlement, len(principals))
	total := 0
	for i, p := range principals {
		parts[i] = x.principal(p, grants, byPrincipal[p])
		total += len(parts[i])
	}
	out := make([]synth.Entitlement, 0, total)
	for _, part := range parts {
		out = append(out, part...)
	}
	return out
}

// expander holds one Entitlements run's caches.
type expander struct {
	cat     *catalog.Azure
	blocks  map[string]*operationSet // cacheKey of a block's patterns → what they give
	origins map[string][]string      // origin → a shared one-element list (cap 1, so appending copies)
}

// operationSet is what one block's Actions minus NotActions (or
// DataActions minus NotDataActions) give: operations sorted, their fold
// keys, and whether an admin wildcard gives each.
type operationSet struct {
	ops, keys []string
	admin     []bool
}

// entitlementKey identifies an entitlement of one principal.
type entitlementKey struct {
	action, scope string // fold keys
	data          bool
}

// principal merges the entitlements of one principal's grants, sorted by
// action, resource and plane.
func (x *expander) principal(p string, grants []Grant, idx []int) []synth.Entitlement {
	adminRisk := []string{report.RiskAdmin}[:1:1]
	size := 0
	for _, i := range idx {
		size += len(x.block(&grants[i], false).ops) + len(x.block(&grants[i], true).ops)
	}
	byKey := make(map[entitlementKey]int, size)
	out := make([]synth.Entitlement, 0, size)
	for _, i := range idx {
		g := &grants[i]
		scope := parseID(g.Scope).String()
		scopeKey := foldKey(scope)
		origin := x.origin(g.Origin)
		for _, data := range []bool{false, true} {
			set := x.block(g, data)
			for j, op := range set.ops {
				k := entitlementKey{set.keys[j], scopeKey, data}
				n, ok := byKey[k]
				if !ok {
					byKey[k] = len(out)
					e := synth.Entitlement{Provider: "azure", Principal: p, Action: op, Resource: scope, Data: data, Origins: origin}
					if set.admin[j] {
						e.Risks = adminRisk
					}
					out = append(out, e)
					continue
				}
				e := &out[n]
				if scope < e.Resource {
					e.Resource = scope // the smallest spelling, whatever the order
				}
				e.Origins = synth.InsertSorted(e.Origins, g.Origin)
				if set.admin[j] && e.Risks == nil {
					e.Risks = adminRisk
				}
			}
		}
	}
	// Sort positions rather than the entitlements themselves: moving
	// small integers is cheaper.
	order := make([]int32, len(out))
	for i := range order {
		order[i] = int32(i)
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := &out[order[i]], &out[order[j]]
		if a.Action != b.Action {
			return a.Action < b.Action
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return !a.Data && b.Data
	})
	sorted := make([]synth.Entitlement, len(out))
	for i, n := range order {
		sorted[i] = out[n]
	}
	return sorted
}

// origin returns a shared list holding only origin.
func (x *expander) origin(origin string) []string {
	list, ok := x.origins[origin]
	if !ok {
		list = []string{origin}[:1:1]
		x.origins[origin] = list
	}
	return list
}

// block expands a grant's Actions and NotActions (data false) or
// DataActions and NotDataActions (data true), cached by the patterns.
func (x *expander) block(g *Grant, data bool) *operationSet {
	patterns, not := g.Actions, g.NotActions
	if data {
		patterns, not = g.DataActions, g.NotDataActions
	}
	k := cacheKey(patterns, not, data)
	if set, ok := x.blocks[k]; ok {
		return set
	}
	set := &operationSet{ops: allowedOperations(x.cat, patterns, not, data)}
	admins := adminPatterns(patterns, data)
	for _, op := range set.ops {
		set.keys = append(set.keys, foldKey(op))
		admin := false
		for _, a := range admins {
			admin = admin || catalog.AzureMatch(a, op)
		}
		set.admin = append(set.admin, admin)
	}
	x.blocks[k] = set
	return set
}

// adminPatterns returns the patterns that grant everything ("*") or, in
// Actions, all of access management ("Microsoft.Authorization/*").
func adminPatterns(patterns []string, data bool) []string {
	var out []string
	for _, p := range patterns {
		if p == "*" || (!data && strings.EqualFold(p, "Microsoft.Authorization/*")) {
			out = append(out, p)
		}
	}
	return out
}

// allowedOperations expands a block's patterns minus its not-patterns,
// sorted and distinct ignoring case.
func allowedOperations(cat *catalog.Azure, patterns, not []string, data bool) []string {
	seen := make(map[string]bool)
	var ops []string
	keep := func(op string) {
		k := foldKey(op)
		if seen[k] {
			return
		}
		for _, n := range not {
			if catalog.AzureMatch(n, op) {
				return
			}
		}
		seen[k] = true
		ops = append(ops, op)
	}
	for _, p := range patterns {
		if p == "" {
			continue
		}
		if !strings.Contains(p, "*") {
			if op, ok := cat.Operation(p); ok {
				keep(op.Name)
			} else {
				keep(p)
			}
			continue
		}
		expanded := cat.ExpandPattern(p, data)
		if len(expanded) == 0 {
			keep(p) // a wildcard the catalog cannot resolve: kept as a pattern
		}
		for _, op := range expanded {
			keep(op)
		}
	}
	sort.Strings(ops)
	return ops
}

func cacheKey(patterns, not []string, data bool) string {
	var b strings.Builder
	if data {
		b.WriteString("d")
	}
	for _, p := range patterns {
		b.WriteString("\x00")
		b.WriteString(p)
	}
	b.WriteString("\x01")
	for _, p := range not {
		b.WriteString("\x00")
		b.WriteString(p)
	}
	return b.String()
}

// Covers reports whether entitlement e (from Entitlements) allows access a:
// the same operation, compared as Azure compares names (case-insensitive;
// an entitlement that kept a '*' pattern matches as Azure RBAC matches
// it), on a resource at or below e's scope, segment by segment,
// case-insensitively (a resource group does not cover a sibling whose name
// starts the same way). The root scope "/" covers every resource id. A
// scope never covers an id that is not an Azure resource id, and pare does
// not know the management group hierarchy, so an assignment to a
// management group covers only ids under that management group's own path.
// Principals and providers are the caller's business.
//
// Covers is the rule Azure applied when the access happened. It differs
// from Allows on one thing: a grant at a resource group covers a recorded
// write to that group (it existed, so the write updated it), where Allows,
// which asks whether a role keeps working, wants the subscription.
func Covers(e synth.Entitlement, a synth.Access) bool {
	if strings.Contains(e.Action, "*") {
		if !glob(foldRunes(e.Action), foldRunes(a.Action)) {
			return false
		}
	} else if !equalFold(e.Action, a.Action) {
		return false
	}
	scope, id := parseID(e.Resource), parseID(a.Resource)
	if scope.kind == kindMalformed || id.kind == kindMalformed {
		return false
	}
	return covers(scope, id)
}
