package azure

import (
	"math/rand"
	"testing"

	"github.com/leastpriv/pare/synth"
)

// TestEntitlementsAgreeWithAllows checks Entitlements and Covers against
// Allows, the package's evaluator of Azure RBAC, on random built-in roles
// (their control plane blocks) assigned at random scopes and random
// control plane operations of the catalog: an access is covered exactly
// when some block of the principal allows it.
func TestEntitlementsAgreeWithAllows(t *testing.T) {
	cat := loadCatalog(t)
	roles := cat.BuiltinRoles()
	ops := cat.ExpandPattern("*", false)
	rng := rand.New(rand.NewSource(3))
	vm := entRG + "/providers/Microsoft.Compute/virtualMachines/vm1"
	scopes := []string{entSub, entRG, entSub + "/resourceGroups/rg-web2", vm, "/subscriptions/other", "/"}
	resources := []string{vm, entRG, entSub + "/resourceGroups/rg-web2/providers/Microsoft.Storage/storageAccounts/s", "/subscriptions/other/resourceGroups/x", entSub}

	checked, allowed := 0, 0
	for iter := range 60 {
		var grants []Grant
		for range 1 + rng.Intn(3) {
			r := roles[rng.Intn(len(roles))]
			for _, p := range r.Permissions {
				grants = append(grants, Grant{Principal: "p", Scope: scopes[rng.Intn(len(scopes))], Origin: r.Name, Actions: p.Actions, NotActions: p.NotActions})
			}
		}
		ents := Entitlements(grants, cat)
		// Operations the roles name, and random ones.
		byAction := make(map[string][]synth.Entitlement)
		for _, e := range ents {
			byAction[foldKey(e.Action)] = append(byAction[foldKey(e.Action)], e)
		}
		var candidates []string
		for range 60 {
			if len(ents) > 0 {
				candidates = append(candidates, ents[rng.Intn(len(ents))].Action)
			}
			candidates = append(candidates, ops[rng.Intn(len(ops))])
		}
		for _, op := range candidates {
			res := resources[rng.Intn(len(resources))]
			want := false
			for _, g := range grants {
				role := Role{Principal: "p", Actions: g.Actions, NotActions: g.NotActions, AssignableScopes: []string{g.Scope}}
				want = want || Allows(role, op, res)
			}
			a := synth.Access{Provider: "azure", Principal: "p", Action: op, Resource: res}
			got := false
			for _, e := range byAction[foldKey(op)] {
				if Covers(e, a) {
					got = true
					break
				}
			}
			if needsParent(op, parseID(res)) {
				// By design the one difference: Covers says whether a grant
				// authorized a write to a resource group that happened (an
				// update, if the group was there), Allows whether a role
				// could also create the group (TestCoversResourceGroupWrite).
				continue
			}
			checked++
			if want {
				allowed++
			}
			if got != want {
				t.Fatalf("iteration %d: %s on %s: covered %t, Allows %t; grants %+v", iter, op, res, got, want, grants)
			}
		}
	}
	if allowed < checked/5 {
		t.Errorf("only %d of %d accesses allowed: the generator tests too little", allowed, checked)
	}
	t.Logf("%d accesses, %d allowed", checked, allowed)
}
