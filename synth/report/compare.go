package report

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/leastpriv/pare/synth"
)

// Input is what Compare compares: one provider's entitlements and the
// accesses of the window, with that provider's matching and risk rules.
// Entitlements and accesses of another provider are ignored.
type Input struct {
	Provider     string
	Entitlements []synth.Entitlement
	// Used are the accesses of the window, allowed and denied.
	Used []synth.Access

	// Covers reports whether the entitlement allows the access. Compare
	// asks it only about an entitlement and an allowed access of the same
	// principal whose actions are equal ignoring case, or whose
	// entitlement action contains '*': an entitlement never covers an
	// access of another action. nil means equal actions and either equal
	// resources or the entitlement's resource "*".
	Covers func(synth.Entitlement, synth.Access) bool
	// Risks lists the risk categories of an action (the constants of this
	// package); nil means none. Its results are treated as read-only.
	Risks func(action string) []string
	// Unobservable reports whether the logs cannot show the entitlement's
	// use (AWS data events, Azure reads); nil means every entitlement is
	// observable.
	Unobservable func(synth.Entitlement) bool
	// Container names the account, subscription or cluster of a principal
	// from its id and its accesses (sorted); nil leaves it "".
	Container func(principal string, accesses []synth.Access) string
	// Kind names the kind of a principal (role, user, serviceaccount)
	// from its id and its accesses (sorted); nil takes the smallest
	// non-empty PrincipalKind of its accesses.
	Kind func(principal string, accesses []synth.Access) string
}

// Compare returns the granted-versus-used picture of every principal with
// entitlements or accesses of the input's provider, sorted by principal.
//
// Each distinct entitlement (principal, action, resource; duplicates are
// merged, their origins and risks joined) becomes one item: Used when some
// allowed access covers it, else Unobservable when the logs cannot show its
// use, else Unused. Allowed accesses that no entitlement covers become
// NotGranted items and denied accesses Denied items, one per action and
// resource. An item's evidence (count, first, last, samples, inferred) sums
// the accesses it stands for; its risks join the entitlement's own with
// Risks(action). Counts, RiskyUnused and Score are filled; Policy is left
// to the caller.
//
// Items and slices may share memory with the input (origins, risks,
// samples): treat both as read-only.
func Compare(in Input) []Principal {
	c := newComparer(in)
	groups := make(map[string]*group)
	groupOf := func(name string) *group {
		g := groups[name]
		if g == nil {
			g = &group{}
			groups[name] = g
		}
		return g
	}
	for i := range in.Entitlements {
		e := &in.Entitlements[i]
		if e.Provider == in.Provider {
			g := groupOf(e.Principal)
			g.ents = append(g.ents, i)
		}
	}
	for i := range in.Used {
		a := &in.Used[i]
		if a.Provider == in.Provider {
			g := groupOf(a.Principal)
			g.accs = append(g.accs, i)
		}
	}
	names := slices.Sorted(maps.Keys(groups))
	out := make([]Principal, 0, len(names))
	for _, name := range names {
		out = append(out, c.principal(name, groups[name]))
	}
	return out
}

// group holds the indices of one principal's entitlements and accesses.
type group struct {
	ents, accs []int
}

type entKey struct {
	action, resource string
}

// comparer holds Compare's per-run caches; its maps are cleared and reused
// for each principal.
type comparer struct {
	in     Input
	facts  map[string]*actionFacts // by action
	byKey  map[entKey]int          // entitlement -> index into merged
	byAct  map[string][]int        // lower-case action -> allowed accesses
	merged []merged
	items  []Item    // scratch for one principal's items
	keys   []itemKey // scratch for sorting them
}

// actionFacts is what Compare keeps about one action string.
type actionFacts struct {
	lower string
	risks []string // Risks(action), sorted and distinct
}

// merged is one distinct entitlement of a principal.
type merged struct {
	e       synth.Entitlement // Origins and Risks joined over duplicates
	facts   *actionFacts
	covered []int // allowed accesses it covers
}

func newComparer(in Input) *comparer {
	if in.Covers == nil {
		in.Covers = exactCovers
	}
	return &comparer{
		in:    in,
		facts: make(map[string]*actionFacts),
		byKey: make(map[entKey]int),
		byAct: make(map[string][]int),
	}
}

func exactCovers(e synth.Entitlement, a synth.Access) bool {
	return e.Action == a.Action && (e.Resource == "*" || e.Resource == a.Resource)
}

func (c *comparer) principal(name string, g *group) Principal {
	accs := make([]synth.Access, len(g.accs))
	for i, j := range g.accs {
		accs[i] = c.in.Used[j]
	}
	// Sorted by every field, the accesses reach Container and Kind, and
	// items sum them, in the same order however the input was ordered.
	slices.SortFunc(accs, synth.CompareAccess)

	p := Principal{Provider: c.in.Provider, Principal: name}
	if c.in.Container != nil {
		p.Container = c.in.Container(name, accs)
	}
	if c.in.Kind != nil {
		p.Kind = c.in.Kind(name, accs)
	} else {
		p.Kind = synth.KindOf(accs)
	}

	clear(c.byAct)
	var allowed []int // indices into accs
	for i := range accs {
		if !accs[i].Denied {
			allowed = append(allowed, i)
			k := c.factsOf(accs[i].Action).lower
			c.byAct[k] = append(c.byAct[k], i)
		}
	}

	c.mergeEntitlements(g.ents)
	covered := make([]bool, len(accs))
	for m := range c.merged {
		x := &c.merged[m]
		x.facts = c.factsOf(x.e.Action)
		candidates := c.byAct[x.facts.lower]
		if strings.Contains(x.e.Action, "*") {
			candidates = allowed
		}
		for _, i := range candidates {
			if c.in.Covers(x.e, accs[i]) {
				x.covered = append(x.covered, i)
				covered[i] = true
			}
		}
	}

	items := c.items[:0]
	for m := range c.merged {
		items = append(items, c.entitlementItem(&c.merged[m], accs))
	}
	items = c.accessItems(items, accs, covered)
	p.Items = c.sortItems(items)
	clear(items) // drop references the scratch would keep alive
	c.items = items[:0]
	count(&p)
	p.Score = Score(p)
	return p
}

// mergeEntitlements fills c.merged with the distinct entitlements of one
// principal, in input order of their first occurrence.
func (c *comparer) mergeEntitlements(idx []int) {
	clear(c.byKey)
	c.merged = c.merged[:0]
	for _, i := range idx {
		e := c.in.Entitlements[i]
		k := entKey{e.Action, e.Resource}
		if m, ok := c.byKey[k]; ok {
			x := &c.merged[m].e
			x.Origins = union(x.Origins, e.Origins)
			x.Risks = union(x.Risks, e.Risks)
			x.Data = x.Data || e.Data
			continue
		}
		c.byKey[k] = len(c.merged)
		c.merged = append(c.merged, merged{e: e})
	}
}

func (c *comparer) entitlementItem(x *merged, accs []synth.Access) Item {
	it := Item{
		Action:   x.e.Action,
		Resource: x.e.Resource,
		Origins:  sortedDistinct(x.e.Origins),
		Risks:    union(sortedDistinct(x.e.Risks), x.facts.risks),
	}
	switch {
	case len(x.covered) > 0:
		it.Status = Used
		evidence(&it, accs, x.covered)
	case c.in.Unobservable != nil && c.in.Unobservable(x.e):
		it.Status = Unobservable
	default:
		it.Status = Unused
	}
	return it
}

// accessItems appends one Denied item per action and resource of the
// denied accesses, and one NotGranted item per action and resource of the
// allowed accesses no entitlement covers. accs is sorted, so accesses of one
// action and resource are adjacent.
func (c *comparer) accessItems(items []Item, accs []synth.Access, covered []bool) []Item {
	for _, status := range []Status{Denied, NotGranted} {
		var run []int
		flush := func() {
			if len(run) == 0 {
				return
			}
			a := accs[run[0]]
			it := Item{Action: a.Action, Resource: a.Resource, Status: status, Risks: c.factsOf(a.Action).risks}
			evidence(&it, accs, run)
			items = append(items, it)
			run = run[:0]
		}
		for i := range accs {
			a := &accs[i]
			want := a.Denied
			if status == NotGranted {
				want = !a.Denied && !covered[i]
			}
			if !want {
				continue
			}
			if len(run) > 0 {
				prev := &accs[run[0]]
				if prev.Action != a.Action || prev.Resource != a.Resource {
					flush()
				}
			}
			run = append(run, i)
		}
		flush()
	}
	return items
}

// evidence sums the accesses accs[idx...] into it.
func evidence(it *Item, accs []synth.Access, idx []int) {
	ev := synth.ActionEvidence{Inferred: true}
	for _, i := range idx {
		ev.Add(accs[i])
	}
	it.Count, it.First, it.Last, it.Inferred, it.Samples = ev.Count, ev.First, ev.Last, ev.Inferred, ev.Samples
}

func (c *comparer) factsOf(action string) *actionFacts {
	f := c.facts[action]
	if f == nil {
		f = &actionFacts{lower: strings.ToLower(action)}
		if c.in.Risks != nil {
			f.risks = sortedDistinct(c.in.Risks(action))
		}
		c.facts[action] = f
	}
	return f
}

// count fills p's counts from its items.
func count(p *Principal) {
	for _, it := range p.Items {
		switch it.Status {
		case Used:
			p.Used++
		case Unused:
			p.Unused++
		case Unobservable:
			p.Unobservable++
		case Denied:
			p.Denied++
		case NotGranted:
			p.NotGranted++
		}
		if (it.Status == Unused || it.Status == Unobservable) && len(it.Risks) > 0 {
			p.RiskyUnused++
		}
	}
	p.Granted = p.Used + p.Unused + p.Unobservable
}

// statusRank orders statuses as the constants are declared.
func statusRank(s Status) int {
	switch s {
	case Used:
		return 0
	case Unused:
		return 1
	case Unobservable:
		return 2
	case Denied:
		return 3
	case NotGranted:
		return 4
	}
	return 5
}

// compareItems orders items by status, risky first, then action and
// resource.
func compareItems(a, b Item) int {
	return compareKeys(keyOf(a, 0), keyOf(b, 0))
}

// itemKey is what items sort by, with the item's index: sorting keys and
// then placing the items moves far less memory than sorting items.
type itemKey struct {
	rank             int // status rank, then 0 risky, 1 not
	action, resource string
	index            int
}

func keyOf(it Item, index int) itemKey {
	rank := 2 * statusRank(it.Status)
	if len(it.Risks) == 0 {
		rank++
	}
	return itemKey{rank: rank, action: it.Action, resource: it.Resource, index: index}
}

func compareKeys(a, b itemKey) int {
	if a.rank != b.rank {
		return cmp.Compare(a.rank, b.rank)
	}
	if c := strings.Compare(a.action, b.action); c != 0 {
		return c
	}
	return strings.Compare(a.resource, b.resource)
}

// sortItems returns a copy of items in compareItems order.
func (c *comparer) sortItems(items []Item) []Item {
	keys := c.keys[:0]
	for i, it := range items {
		keys = append(keys, keyOf(it, i))
	}
	slices.SortFunc(keys, compareKeys)
	out := make([]Item, len(items))
	for i, k := range keys {
		out[i] = items[k.index]
	}
	clear(keys)
	c.keys = keys[:0]
	return out
}

// sortedDistinct returns ss sorted without duplicates: ss itself when it
// already is, else a sorted copy.
func sortedDistinct(ss []string) []string {
	ok := true
	for i := 1; i < len(ss); i++ {
		if ss[i-1] >= ss[i] {
			ok = false
			break
		}
	}
	if ok {
		return ss
	}
	out := slices.Clone(ss)
	slices.Sort(out)
	return slices.Compact(out)
}

// union returns the sorted distinct union of a and b, reusing one of them
// when the other adds nothing.
func union(a, b []string) []string {
	a, b = sortedDistinct(a), sortedDistinct(b)
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := synth.UnionSorted(a, b)
	if len(out) == len(a) {
		return a
	}
	if len(out) == len(b) {
		return b
	}
	return out
}
