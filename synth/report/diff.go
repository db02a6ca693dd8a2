package report

import (
	"cmp"
	"slices"
	"sort"
)

// Diff says what changed from an earlier report (a stored snapshot) to the
// current one: principals new and gone, and for principals in both, the
// entitlements gained and lost, the entitlements granted in both that are
// newly used or newly unused (used before, unused or unobservable now),
// the gained entitlements with a risk, and the score's movement. A
// principal in both appears only when something changed. Entitlements are
// written as EntitlementName writes them; every list is sorted.
func Diff(old, cur Report) *Changes {
	ch := &Changes{Since: old.Snapshot, SinceTaken: old.Taken}
	type key struct{ provider, principal string }
	before := make(map[key]*Principal, len(old.Principals))
	for i := range old.Principals {
		p := &old.Principals[i]
		before[key{p.Provider, p.Principal}] = p
	}
	seen := make(map[key]bool, len(cur.Principals))
	for i := range cur.Principals {
		p := &cur.Principals[i]
		k := key{p.Provider, p.Principal}
		seen[k] = true
		o := before[k]
		if o == nil {
			ch.New = append(ch.New, p.Provider+" "+p.Principal)
			continue
		}
		if pc, changed := principalChange(o, p); changed {
			ch.Principals = append(ch.Principals, pc)
		}
	}
	for k := range before {
		if !seen[k] {
			ch.Gone = append(ch.Gone, k.provider+" "+k.principal)
		}
	}
	sort.Strings(ch.New)
	sort.Strings(ch.Gone)
	ch.New = slices.Compact(ch.New)
	slices.SortFunc(ch.Principals, func(a, b PrincipalChange) int {
		return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Principal, b.Principal))
	})
	return ch
}

func principalChange(old, cur *Principal) (PrincipalChange, bool) {
	pc := PrincipalChange{Provider: cur.Provider, Principal: cur.Principal, ScoreFrom: old.Score, ScoreTo: cur.Score}
	before := grantedItems(old.Items)
	now := grantedItems(cur.Items)
	for k, it := range now {
		name := EntitlementName(k.action, k.resource)
		was, ok := before[k]
		switch {
		case !ok:
			pc.Gained = append(pc.Gained, name)
			if len(it.Risks) > 0 {
				pc.RiskyGained = append(pc.RiskyGained, name)
			}
		case it.Status == Used && was.Status != Used:
			pc.NewlyUsed = append(pc.NewlyUsed, name)
		case it.Status != Used && was.Status == Used:
			pc.NewlyUnused = append(pc.NewlyUnused, name)
		}
	}
	for k := range before {
		if _, ok := now[k]; !ok {
			pc.Lost = append(pc.Lost, EntitlementName(k.action, k.resource))
		}
	}
	for _, l := range [][]string{pc.Gained, pc.Lost, pc.NewlyUsed, pc.NewlyUnused, pc.RiskyGained} {
		sort.Strings(l)
	}
	changed := len(pc.Gained)+len(pc.Lost)+len(pc.NewlyUsed)+len(pc.NewlyUnused) > 0 || pc.ScoreFrom != pc.ScoreTo
	return pc, changed
}

// grantedItems indexes the Used, Unused and Unobservable items by action
// and resource.
func grantedItems(items []Item) map[entKey]*Item {
	out := make(map[entKey]*Item, len(items))
	for i := range items {
		it := &items[i]
		if it.Status == Used || it.Status == Unused || it.Status == Unobservable {
			out[entKey{it.Action, it.Resource}] = it
		}
	}
	return out
}

// EntitlementName writes an entitlement as changes list it: "action on
// resource", or the action alone when the resource is "" (Kubernetes
// cluster-scoped and non-resource access).
func EntitlementName(action, resource string) string {
	if resource == "" {
		return action
	}
	return action + " on " + resource
}
