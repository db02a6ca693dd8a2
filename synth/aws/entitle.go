package aws

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/catalog"
)

// RiskAdmin is the grant-level risk of an entitlement that comes from an
// Allow of Action "*" on Resource "*": synth's RiskAdmin.
const RiskAdmin = synth.RiskAdmin

// Entitlements expands the statements of any number of principals into
// what each principal holds; see Expander.Entitlements. For many calls
// (one per principal, say) share one Expander so that expansions of the
// same managed policies are computed once.
func Entitlements(stmts []GrantStatement, cat *catalog.AWS) []synth.Entitlement {
	return NewExpander(cat).Entitlements(stmts)
}

// Expander expands grant statements against the AWS action catalog,
// remembering the action set of every statement shape it has seen. It is
// not safe for concurrent use; use one per goroutine.
type Expander struct {
	cat   *catalog.AWS
	sets  map[string][]string // statement action set by actionKey
	admin []string            // the shared Risks of admin entitlements
	ents  []ent               // buffers reused from principal to principal
	spare []ent
}

// NewExpander returns an Expander over cat.
func NewExpander(cat *catalog.AWS) *Expander {
	return &Expander{cat: cat, sets: make(map[string][]string), admin: []string{RiskAdmin}}
}

// Entitlements expands stmts into one entitlement per principal, concrete
// action and resource pattern, sorted by principal, action and resource:
//
//   - Action patterns match catalog actions case-insensitively with '*' and
//     '?' (catalog.AWS.ExpandPattern) and give the catalog's spelling; a
//     NotAction statement gives every catalog action none of its patterns
//     matches. Patterns that match nothing are dropped (UnknownActions
//     lists them).
//   - Each Resource pattern of an Allow is kept as written. A NotResource
//     Allow gives Resource "*" and says "except ..." in its Origin.
//   - An unconditional Deny (in an identity policy or the boundary)
//     removes an entitlement whose resource pattern lies within one of the
//     Deny's patterns ("*" takes the action away entirely). A Deny that
//     covers only part of an entitlement's pattern (a narrower or
//     overlapping pattern, or a NotResource Deny whose exceptions reach
//     into it) keeps it, with an Origin "partly denied by ..." saying
//     where. A NotResource Deny none of whose exceptions can overlap the
//     pattern removes it. A conditional Deny removes
//     nothing; it adds "denied when the condition holds: ..." to the
//     entitlements it may apply to.
//   - With a permissions boundary (statements with Boundary set), an
//     entitlement stays only if a boundary Allow also allows the action:
//     unchanged when the boundary's pattern contains the entitlement's, the
//     boundary's narrower pattern instead when it lies within it, and kept
//     with "limited by permissions boundary ..." when the two merely may
//     overlap. A conditional boundary Allow keeps the entitlement with the
//     same note. A principal with boundary statements but no boundary Allow
//     for an action holds nothing of it.
//   - Risks is ["admin"] for entitlements an Allow of Action "*" on
//     Resource "*" grants that keep Resource "*", unless a boundary
//     limits the principal to less than Action "*" on "*". Per-action risks
//     (Risks) are left to the report.
//   - Origins lists the Origin of every Allow granting it and the notes
//     above, sorted and distinct.
//
// Entitlements of one principal may share Origins and Risks slices: treat
// them as read-only (appending is safe: their capacity equals their
// length).
func (x *Expander) Entitlements(stmts []GrantStatement) []synth.Entitlement {
	// Each principal's entitlements are built in one slice of their own and
	// copied once into the result: growing one slice for all of them would
	// copy it over and over.
	var parts [][]synth.Entitlement
	total := 0
	x.Each(stmts, func(part []synth.Entitlement) error {
		parts = append(parts, part)
		total += len(part)
		return nil
	})
	if len(parts) == 1 {
		return parts[0]
	}
	out := make([]synth.Entitlement, 0, total)
	for _, part := range parts {
		out = append(out, part...)
	}
	return out
}

// Each is Entitlements one principal at a time, in principal order: fn gets
// the entitlements of each principal that holds any, and may keep them.
// Memory then stays proportional to one principal's entitlements plus
// what fn keeps. An error from fn stops the walk and is returned.
func (x *Expander) Each(stmts []GrantStatement, fn func([]synth.Entitlement) error) error {
	order := make([]int, len(stmts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return stmts[order[i]].Principal < stmts[order[j]].Principal })
	var group []*GrantStatement
	for start := 0; start < len(order); {
		end := start + 1
		for end < len(order) && stmts[order[end]].Principal == stmts[order[start]].Principal {
			end++
		}
		group = group[:0]
		for _, i := range order[start:end] {
			group = append(group, &stmts[i])
		}
		if part := x.principal(group); len(part) > 0 {
			if err := fn(part); err != nil {
				return err
			}
		}
		start = end
	}
	return nil
}

// UnknownActions returns the action patterns of stmts that match no catalog
// action, sorted and distinct: typos, retired actions, services newer than
// the catalog. Entitlements grants nothing for them.
func (x *Expander) UnknownActions(stmts []GrantStatement) []string {
	seen := make(map[string]bool)
	for _, st := range stmts {
		for _, p := range st.Actions {
			if len(x.expand(p)) == 0 {
				seen[p] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// ent is one entitlement being built.
type ent struct {
	action, resource string
	origins          []string // shared with other ents until notes are added
	own              bool     // origins is this ent's own slice
	admin            bool
}

func (e *ent) addOrigin(o string) {
	if !e.own {
		e.origins = append(make([]string, 0, len(e.origins)+1), e.origins...)
		e.own = true
	}
	e.origins = append(e.origins, o)
}

// principal expands the statements of one principal into its entitlements.
func (x *Expander) principal(stmts []*GrantStatement) []synth.Entitlement {
	var boundary, denies []*GrantStatement
	ents := x.ents[:0]
	for _, st := range stmts {
		switch {
		case st.Effect == Deny:
			denies = append(denies, st)
		case st.Effect != Allow:
			continue
		case st.Boundary:
			boundary = append(boundary, st)
		default:
			ents = x.grant(ents, st)
		}
	}
	if len(boundary) > 0 || hasBoundaryDeny(denies) {
		ents = x.limit(ents, boundary)
	}
	for _, st := range denies {
		ents = x.deny(ents, st)
	}
	x.ents = ents[:0] // reused by the next principal

	slices.SortFunc(ents, func(a, b ent) int {
		if c := strings.Compare(a.action, b.action); c != 0 {
			return c
		}
		return strings.Compare(a.resource, b.resource)
	})
	n := 0
	for i := range ents {
		if i == 0 || ents[i].action != ents[i-1].action || ents[i].resource != ents[i-1].resource {
			n++
		}
	}
	out := make([]synth.Entitlement, 0, n)
	principal := stmts[0].Principal
	for i := 0; i < len(ents); {
		e := ents[i]
		j := i + 1
		origins := e.origins
		for ; j < len(ents) && ents[j].action == e.action && ents[j].resource == e.resource; j++ {
			origins = append(append([]string(nil), origins...), ents[j].origins...)
			e.admin = e.admin || ents[j].admin
			e.own = true
		}
		i = j
		if e.own {
			sort.Strings(origins)
			origins = slices.Compact(origins)
			origins = origins[:len(origins):len(origins)]
		}
		en := synth.Entitlement{Provider: "aws", Principal: principal, Action: e.action, Resource: e.resource, Origins: origins}
		if e.admin && e.resource == "*" {
			en.Risks = x.admin
		}
		out = append(out, en)
	}
	clear(ents) // drop references to strings and origins before reuse
	return out
}

func hasBoundaryDeny(denies []*GrantStatement) bool {
	for _, st := range denies {
		if st.Boundary {
			return true
		}
	}
	return false
}

// grant appends the entitlements of one Allow statement.
func (x *Expander) grant(ents []ent, st *GrantStatement) []ent {
	origin := st.Origin
	resources := st.Resources
	if st.NotResource {
		origin += " except on " + strings.Join(st.Resources, ", ")
		resources = []string{"*"}
	}
	origins := []string{origin}
	admin := !st.NotAction && !st.NotResource && slices.Contains(st.Actions, "*") && slices.Contains(st.Resources, "*")
	for _, a := range x.actionSet(st) {
		for _, r := range resources {
			if admin && r != "*" {
				continue // "*" covers the other patterns
			}
			ents = append(ents, ent{action: a, resource: r, origins: origins, admin: admin})
		}
	}
	return ents
}

// limit intersects the entitlements with the permissions boundary's Allow
// statements.
func (x *Expander) limit(ents []ent, boundary []*GrantStatement) []ent {
	adminBoundary := false
	sets := make([][]string, len(boundary))
	for i, st := range boundary {
		if !st.NotAction && !st.NotResource && !st.Conditional && slices.Contains(st.Actions, "*") && slices.Contains(st.Resources, "*") {
			adminBoundary = true
		}
		sets[i] = x.actionSet(st)
	}
	kept := x.spare[:0]
	for i := range ents {
		e := &ents[i]
		whole := false
		var narrower []string
		var partial []string // notes
		for k, st := range boundary {
			if _, ok := slices.BinarySearch(sets[k], e.action); !ok {
				continue
			}
			if st.NotResource {
				if !excluded(st.Resources, e.resource) {
					partial = append(partial, "limited by permissions boundary "+st.Origin+" to every resource except "+strings.Join(st.Resources, ", "))
				}
				continue
			}
			for _, b := range st.Resources {
				switch {
				case subsumes(b, e.resource):
					if st.Conditional {
						partial = append(partial, "limited by permissions boundary "+st.Origin+" to requests its condition allows")
					} else {
						whole = true
					}
				case subsumes(e.resource, b):
					note := "limited to " + b + " by permissions boundary " + st.Origin
					if st.Conditional {
						note += " when its condition holds"
					}
					narrower = append(narrower, b, note)
				case mayOverlap(b, e.resource):
					partial = append(partial, "limited by permissions boundary "+st.Origin+" to "+b)
				}
			}
			if whole {
				break
			}
		}
		if whole {
			if !adminBoundary {
				e.admin = false
			}
			kept = append(kept, *e)
			continue
		}
		for k := 0; k < len(narrower); k += 2 {
			n := ent{action: e.action, resource: narrower[k], origins: e.origins}
			n.addOrigin(narrower[k+1])
			kept = append(kept, n)
		}
		if len(partial) > 0 {
			e.admin = false
			for _, note := range partial {
				e.addOrigin(note)
			}
			kept = append(kept, *e)
		}
	}
	// Swap the buffers: ents becomes the spare one.
	clear(ents)
	x.spare = ents[:0]
	return kept
}

// excluded reports whether the NotResource patterns exclude all of r.
func excluded(notResources []string, r string) bool {
	for _, p := range notResources {
		if subsumes(p, r) {
			return true
		}
	}
	return false
}

// deny applies one Deny statement.
func (x *Expander) deny(ents []ent, st *GrantStatement) []ent {
	set := x.actionSet(st)
	kept := ents[:0]
	for i := range ents {
		e := &ents[i]
		if _, ok := slices.BinarySearch(set, e.action); ok {
			switch denyEffect(st, e.resource) {
			case denyAll:
				continue
			case denyPart:
				e.admin = false
				if st.Conditional {
					e.addOrigin("denied when the condition holds: " + st.Origin)
				} else {
					e.addOrigin("partly denied by " + st.Origin)
				}
			}
		}
		kept = append(kept, *e)
	}
	clear(ents[len(kept):])
	return kept
}

const (
	denyNone = iota
	denyPart
	denyAll
)

// denyEffect says how much of the resource pattern r the Deny statement
// takes away.
func denyEffect(st *GrantStatement, r string) int {
	if st.NotResource {
		// Denied everywhere except where Resources match.
		if excluded(st.Resources, r) {
			return denyNone
		}
		if st.Conditional {
			return denyPart
		}
		for _, p := range st.Resources {
			if mayOverlap(p, r) {
				return denyPart // some of r may be excepted
			}
		}
		return denyAll // no exception reaches into r
	}
	overlap := false
	for _, p := range st.Resources {
		if !st.Conditional && subsumes(p, r) {
			return denyAll
		}
		if mayOverlap(p, r) {
			overlap = true
		}
	}
	if overlap {
		return denyPart
	}
	return denyNone
}

// actionSet is the sorted, distinct catalog actions a statement applies
// to, computed once per statement shape.
func (x *Expander) actionSet(st *GrantStatement) []string {
	key := actionKey(st)
	if set, ok := x.sets[key]; ok {
		return set
	}
	var set []string
	if len(st.Actions) == 1 && !st.NotAction {
		set = x.expand(st.Actions[0])
	} else {
		matched := make(map[string]bool)
		for _, p := range st.Actions {
			for _, a := range x.expand(p) {
				matched[a] = true
			}
		}
		if st.NotAction {
			all := x.expand("*")
			set = make([]string, 0, len(all)-len(matched))
			for _, a := range all {
				if !matched[a] {
					set = append(set, a)
				}
			}
		} else {
			set = make([]string, 0, len(matched))
			for a := range matched {
				set = append(set, a)
			}
		}
	}
	sort.Strings(set)
	set = set[:len(set):len(set)]
	x.sets[key] = set
	return set
}

// expand is ExpandPattern, remembered.
func (x *Expander) expand(pattern string) []string {
	key := "=" + strings.ToLower(pattern)
	if set, ok := x.sets[key]; ok {
		return set
	}
	set := x.cat.ExpandPattern(pattern)
	sort.Strings(set)
	set = set[:len(set):len(set)]
	x.sets[key] = set
	return set
}

// actionKey identifies a statement's action set: its patterns, lower-cased
// and sorted, and whether they are NotAction.
func actionKey(st *GrantStatement) string {
	ps := make([]string, len(st.Actions))
	for i, p := range st.Actions {
		ps[i] = strings.ToLower(p)
	}
	sort.Strings(ps)
	prefix := "+"
	if st.NotAction {
		prefix = "-"
	}
	return prefix + strings.Join(ps, "\x00")
}
