package rbac

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/leastpriv/pare/synth/azure"
	"github.com/leastpriv/pare/usage/record"
)

// GrantsFromRecords rebuilds what Grants stored: the rows of one
// principal, scope and origin are one permissions block of one role
// assignment (Grants gives each block of a role with several its own
// origin), Effect "allow" rows its Actions or DataActions, "not" rows its
// NotActions or NotDataActions, by Data. The result is sorted by
// principal, scope and origin, with each list sorted and distinct.
//
// A row of another provider, with an effect other than "allow" and "not",
// or without a principal, scope or action is an error naming its index;
// nothing is returned then.
func GrantsFromRecords(rows []record.Grant) ([]azure.Grant, error) {
	type key struct{ principal, scope, origin string }
	byKey := make(map[key]*azure.Grant)
	for i, r := range rows {
		if r.Provider != "azure" {
			return nil, fmt.Errorf("grant row %d: provider %q, want azure", i, r.Provider)
		}
		if r.Principal == "" || r.Scope == "" || r.Action == "" {
			return nil, fmt.Errorf("grant row %d: principal, scope and action are required (got %q, %q, %q)", i, r.Principal, r.Scope, r.Action)
		}
		k := key{r.Principal, r.Scope, r.Origin}
		g := byKey[k]
		if g == nil {
			g = &azure.Grant{Principal: r.Principal, Scope: r.Scope, Origin: r.Origin}
			byKey[k] = g
		}
		switch {
		case r.Effect == "allow" && !r.Data:
			g.Actions = append(g.Actions, r.Action)
		case r.Effect == "not" && !r.Data:
			g.NotActions = append(g.NotActions, r.Action)
		case r.Effect == "allow":
			g.DataActions = append(g.DataActions, r.Action)
		case r.Effect == "not":
			g.NotDataActions = append(g.NotDataActions, r.Action)
		default:
			return nil, fmt.Errorf("grant row %d: effect %q, want allow or not", i, r.Effect)
		}
	}
	out := make([]azure.Grant, 0, len(byKey))
	for _, g := range byKey {
		g.Actions = sortedDistinct(g.Actions)
		g.NotActions = sortedDistinct(g.NotActions)
		g.DataActions = sortedDistinct(g.DataActions)
		g.NotDataActions = sortedDistinct(g.NotDataActions)
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b azure.Grant) int {
		return cmp.Or(
			cmp.Compare(a.Principal, b.Principal),
			cmp.Compare(a.Scope, b.Scope),
			cmp.Compare(a.Origin, b.Origin),
		)
	})
	return out, nil
}

// GrantRecords turns grants back into rows, in the order Grants sorts
// them: GrantsFromRecords(GrantRecords(g)) gives g again (sorted, lists
// distinct).
func GrantRecords(grants []azure.Grant) []record.Grant {
	var out []record.Grant
	for _, g := range grants {
		add := func(actions []string, effect string, data bool) {
			for _, a := range actions {
				out = append(out, record.Grant{Provider: "azure", Principal: g.Principal, Effect: effect, Action: a, Data: data, Scope: g.Scope, Origin: g.Origin})
			}
		}
		add(g.Actions, "allow", false)
		add(g.NotActions, "not", false)
		add(g.DataActions, "allow", true)
		add(g.NotDataActions, "not", true)
	}
	sortGrants(out)
	return out
}

// sortedDistinct sorts list in place and drops repeats.
func sortedDistinct(list []string) []string {
	slices.Sort(list)
	return slices.Compact(list)
}
