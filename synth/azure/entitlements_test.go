package azure

import (
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/synth/report"
)

const (
	entSub = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590"
	entRG  = entSub + "/resourceGroups/rg-web"
	entSP  = "6412223c-c65b-2694-1eca-72bdac29b189"
)

func loadCatalog(t testing.TB) *catalog.Azure {
	t.Helper()
	cat, err := catalog.LoadAzure()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// builtinGrants assigns a built-in role of the catalog to principal at
// scope, one Grant per permissions block.
func builtinGrants(t testing.TB, cat *catalog.Azure, role, principal, scope string) []Grant {
	t.Helper()
	r, ok := cat.BuiltinRole(role)
	if !ok {
		t.Fatalf("built-in role %q not found", role)
	}
	var out []Grant
	for i, p := range r.Permissions {
		out = append(out, Grant{
			Principal: principal, Scope: scope,
			Origin:  "role assignment " + scope + "/providers/Microsoft.Authorization/roleAssignments/a-" + strings.ReplaceAll(role, " ", "") + " (" + r.Name + ")" + strings.Repeat("'", i),
			Actions: p.Actions, NotActions: p.NotActions, DataActions: p.DataActions, NotDataActions: p.NotDataActions,
		})
	}
	return out
}

func byAction(ents []synth.Entitlement) map[string]synth.Entitlement {
	out := make(map[string]synth.Entitlement)
	for _, e := range ents {
		out[strings.ToLower(e.Action)] = e
	}
	return out
}

func TestEntitlementsContributor(t *testing.T) {
	cat := loadCatalog(t)
	ents := Entitlements(builtinGrants(t, cat, "Contributor", entSP, entSub), cat)
	got := byAction(ents)
	start, ok := got["microsoft.compute/virtualmachines/start/action"]
	if !ok {
		t.Fatal("Contributor lacks Microsoft.Compute/virtualMachines/start/action")
	}
	if start.Action != "Microsoft.Compute/virtualMachines/start/action" || start.Resource != entSub || start.Data || start.Provider != "azure" || start.Principal != entSP {
		t.Errorf("start = %+v", start)
	}
	if !slices.Equal(start.Risks, []string{report.RiskAdmin}) {
		t.Errorf("Contributor's \"*\": risks %v, want admin", start.Risks)
	}
	for _, op := range []string{
		"Microsoft.Authorization/roleAssignments/write",                        // NotActions Microsoft.Authorization/*/Write
		"Microsoft.Authorization/roleDefinitions/delete",                       // NotActions Microsoft.Authorization/*/Delete
		"Microsoft.Authorization/elevateAccess/action",                         // NotActions
		"Microsoft.Blueprint/blueprintAssignments/write",                       // NotActions
		"Microsoft.Compute/galleries/share/action",                             // NotActions
		"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", // a data action
	} {
		if _, ok := got[strings.ToLower(op)]; ok {
			t.Errorf("Contributor grants %s", op)
		}
	}
	if _, ok := got["microsoft.authorization/roleassignments/read"]; !ok {
		t.Error("Contributor lacks Microsoft.Authorization/roleAssignments/read (only writes and deletes are taken away)")
	}
	for _, e := range ents {
		if e.Data {
			t.Errorf("Contributor grants data action %s", e.Action)
		}
	}
	if n := len(ents); n < 15000 {
		t.Errorf("Contributor: %d entitlements, want the catalog's control plane (over 15,000)", n)
	}
	t.Logf("Contributor at a subscription: %d entitlements", len(ents))
}

func TestEntitlementsOwnerAndUserAccessAdministrator(t *testing.T) {
	cat := loadCatalog(t)
	owner := byAction(Entitlements(builtinGrants(t, cat, "Owner", entSP, entSub), cat))
	ra, ok := owner["microsoft.authorization/roleassignments/write"]
	if !ok {
		t.Fatal("Owner lacks roleAssignments/write")
	}
	if !slices.Equal(ra.Risks, []string{report.RiskAdmin}) {
		t.Errorf("Owner roleAssignments/write risks %v, want admin", ra.Risks)
	}
	if !slices.Contains(Risks(ra.Action), report.RiskPrivilegeEscalation) {
		t.Errorf("Risks(%s) = %v", ra.Action, Risks(ra.Action))
	}

	uaa := Entitlements(builtinGrants(t, cat, "User Access Administrator", entSP, entSub), cat)
	var admin, reads int
	for _, e := range uaa {
		isAuth := strings.HasPrefix(strings.ToLower(e.Action), "microsoft.authorization/")
		if isAuth != slices.Contains(e.Risks, report.RiskAdmin) {
			t.Errorf("UAA %s: risks %v; admin belongs to Microsoft.Authorization/* alone", e.Action, e.Risks)
		}
		if isAuth {
			admin++
		} else if Unobservable(e.Action, e.Data) {
			reads++
		}
	}
	if admin == 0 || reads == 0 {
		t.Errorf("UAA: %d admin entitlements, %d reads", admin, reads)
	}

	reader := Entitlements(builtinGrants(t, cat, "Reader", entSP, entSub), cat)
	for _, e := range reader {
		if len(e.Risks) != 0 || !Unobservable(e.Action, e.Data) {
			t.Errorf("Reader %s: risks %v, unobservable %t", e.Action, e.Risks, Unobservable(e.Action, e.Data))
		}
	}
	if len(reader) < 5000 {
		t.Errorf("Reader: %d entitlements", len(reader))
	}
}

func TestEntitlementsDataActions(t *testing.T) {
	cat := loadCatalog(t)
	ents := Entitlements(builtinGrants(t, cat, "Storage Blob Data Reader", entSP, entRG), cat)
	got := byAction(ents)
	blobs, ok := got["microsoft.storage/storageaccounts/blobservices/containers/blobs/read"]
	if !ok || !blobs.Data {
		t.Fatalf("blobs/read = %+v, %t; want a data entitlement", blobs, ok)
	}
	if c := got["microsoft.storage/storageaccounts/blobservices/containers/read"]; c.Data {
		t.Error("containers/read (an Action) marked data")
	}
	if !Unobservable(blobs.Action, blobs.Data) || !slices.Equal(Risks(blobs.Action), []string{report.RiskDataExfiltration}) {
		t.Errorf("blobs/read: unobservable %t, risks %v", Unobservable(blobs.Action, blobs.Data), Risks(blobs.Action))
	}
	if len(ents) != 3 {
		t.Errorf("Storage Blob Data Reader: %d entitlements, want 3: %v", len(ents), ents)
	}
}

// TestNotActionsStayInTheirBlock: a NotActions pattern of one block does
// not take away what another block (of the same role, or another role)
// grants.
func TestNotActionsStayInTheirBlock(t *testing.T) {
	cat := loadCatalog(t)
	grants := []Grant{
		{Principal: entSP, Scope: entRG, Origin: "custom, block 1", Actions: []string{"Microsoft.Compute/virtualMachines/*"}, NotActions: []string{"Microsoft.Compute/virtualMachines/delete", "*/runCommand/action"}},
		{Principal: entSP, Scope: entRG, Origin: "custom, block 2", Actions: []string{"Microsoft.Compute/virtualMachines/runCommand/action"}},
		{Principal: entSP, Scope: entRG, Origin: "data", DataActions: []string{"Microsoft.KeyVault/vaults/secrets/*"}, NotDataActions: []string{"Microsoft.KeyVault/vaults/secrets/getSecret/action"}},
	}
	got := byAction(Entitlements(grants, cat))
	if _, ok := got["microsoft.compute/virtualmachines/delete"]; ok {
		t.Error("delete granted despite its block's NotActions")
	}
	if e, ok := got["microsoft.compute/virtualmachines/runcommand/action"]; !ok || !slices.Equal(e.Origins, []string{"custom, block 2"}) {
		t.Errorf("runCommand/action = %+v, %t; want it from block 2 only", e, ok)
	}
	if _, ok := got["microsoft.compute/virtualmachines/start/action"]; !ok {
		t.Error("start/action missing")
	}
	if _, ok := got["microsoft.keyvault/vaults/secrets/getsecret/action"]; ok {
		t.Error("getSecret granted despite NotDataActions")
	}
	if e, ok := got["microsoft.keyvault/vaults/secrets/readmetadata/action"]; !ok || !e.Data {
		t.Errorf("readMetadata = %+v, %t", e, ok)
	}
}

func TestEntitlementsPatternsAndMerging(t *testing.T) {
	cat := loadCatalog(t)
	grants := []Grant{
		{Principal: "p", Scope: entRG, Origin: "a1", Actions: []string{"MICROSOFT.COMPUTE/VIRTUALMACHINES/START/ACTION", "Contoso.Widgets/*", "Contoso.Gadgets/frob/action", ""}},
		{Principal: "p", Scope: strings.ToUpper(entRG[:14]) + entRG[14:], Origin: "a2", Actions: []string{"Microsoft.Compute/virtualMachines/start/action"}},
		{Principal: "p", Scope: entRG, Origin: "a3", Actions: []string{"Contoso.Other/*"}, NotActions: []string{"Contoso.*"}},
		{Principal: "", Scope: entRG, Origin: "no principal", Actions: []string{"*"}},
		{Principal: "p", Scope: "", Origin: "no scope", Actions: []string{"*"}},
	}
	ents := Entitlements(grants, cat)
	var keys []string
	for _, e := range ents {
		keys = append(keys, e.Action+" @ "+e.Resource+" "+strings.Join(e.Origins, ","))
	}
	want := []string{
		"Contoso.Gadgets/frob/action @ " + entRG + " a1",
		"Contoso.Widgets/* @ " + entRG + " a1",
		"Microsoft.Compute/virtualMachines/start/action @ " + entRG + " a1,a2",
	}
	if !slices.Equal(keys, want) {
		t.Errorf("entitlements:\n got %q\nwant %q", keys, want)
	}
}

func TestEntitlementsDeterministic(t *testing.T) {
	cat := loadCatalog(t)
	var grants []Grant
	grants = append(grants, builtinGrants(t, cat, "Virtual Machine Contributor", "p1", entRG)...)
	grants = append(grants, builtinGrants(t, cat, "Storage Blob Data Contributor", "p1", entSub)...)
	grants = append(grants, builtinGrants(t, cat, "Key Vault Secrets User", "p2", entRG)...)
	grants = append(grants, builtinGrants(t, cat, "Reader", "p2", entSub)...)
	grants = append(grants, builtinGrants(t, cat, "Virtual Machine Contributor", "p2", strings.ToLower(entRG))...)
	first := Entitlements(grants, cat)
	rng := rand.New(rand.NewSource(2))
	for range 3 {
		g := slices.Clone(grants)
		rng.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
		if again := Entitlements(g, cat); !reflect.DeepEqual(first, again) {
			t.Fatal("entitlements depend on the order of grants")
		}
	}
	for i := 1; i < len(first); i++ {
		a, b := first[i-1], first[i]
		if a.Principal > b.Principal || (a.Principal == b.Principal && a.Action > b.Action) {
			t.Fatalf("not sorted at %d: %s %s, %s %s", i, a.Principal, a.Action, b.Principal, b.Action)
		}
	}
}

func TestEntitlementCovers(t *testing.T) {
	vm := entRG + "/providers/Microsoft.Compute/virtualMachines/vm1"
	ent := func(action, scope string) synth.Entitlement {
		return synth.Entitlement{Provider: "azure", Principal: entSP, Action: action, Resource: scope}
	}
	acc := func(action, resource string) synth.Access {
		return synth.Access{Provider: "azure", Principal: entSP, Action: action, Resource: resource}
	}
	const start = "Microsoft.Compute/virtualMachines/start/action"
	for _, c := range []struct {
		e    synth.Entitlement
		a    synth.Access
		want bool
	}{
		{ent(start, entRG), acc(start, vm), true},
		{ent(start, entRG), acc(strings.ToUpper(start), strings.ToUpper(vm)), true},
		{ent(start, entRG), acc(start, entRG), true},
		{ent(start, entSub), acc(start, vm), true},
		{ent(start, "/"), acc(start, vm), true},
		{ent(start, vm), acc(start, vm), true},
		{ent(start, vm), acc(start, entRG), false}, // above the scope
		{ent(start, entRG), acc(start, entSub+"/resourceGroups/rg-web2/providers/Microsoft.Compute/virtualMachines/vm1"), false}, // a sibling whose name starts the same
		{ent(start, entRG), acc(start, entSub+"/resourceGroups/rg-db/providers/Microsoft.Compute/virtualMachines/vm1"), false},
		{ent(start, entRG), acc(start, "/subscriptions/other/resourceGroups/rg-web"), false},
		{ent(start, entRG), acc("Microsoft.Compute/virtualMachines/stop/action", vm), false},
		{ent(start, entRG), acc(start, ""), false},
		{ent(start, entRG), acc(start, "not an id"), false},
		{ent(start, "/providers/Microsoft.Management/managementGroups/mg1"), acc(start, vm), false}, // the hierarchy is unknown
		{ent("Contoso.Widgets/*", entRG), acc("contoso.widgets/things/write", vm), true},
		{ent("Contoso.Widgets/*", entRG), acc("Contoso.Gadgets/things/write", vm), false},
	} {
		if got := Covers(c.e, c.a); got != c.want {
			t.Errorf("Covers(%s @ %s, %s @ %s) = %t, want %t", c.e.Action, c.e.Resource, c.a.Action, c.a.Resource, got, c.want)
		}
	}
}

func BenchmarkEntitlementsOwner(b *testing.B) {
	cat := loadCatalog(b)
	var grants []Grant
	for i := range 100 {
		grants = append(grants, builtinGrants(b, cat, "Owner", "p"+string(rune('a'+i%26))+string(rune('a'+i/26)), entSub)...)
	}
	b.ResetTimer()
	for range b.N {
		Entitlements(grants, cat)
	}
}

// TestCoversResourceGroupWrite: a grant at a resource group covered a
// recorded write to that group (Azure allowed it: the group existed), while
// Allows refuses a role at the group the same write, which may have been
// the group's creation.
func TestCoversResourceGroupWrite(t *testing.T) {
	const write = "Microsoft.Resources/subscriptions/resourceGroups/write"
	e := synth.Entitlement{Provider: "azure", Principal: entSP, Action: write, Resource: entRG}
	a := synth.Access{Provider: "azure", Principal: entSP, Action: write, Resource: entRG}
	if !Covers(e, a) {
		t.Error("a grant at the group does not cover a recorded write to it")
	}
	if Allows(Role{Principal: entSP, Actions: []string{write}, AssignableScopes: []string{entRG}}, write, entRG) {
		t.Error("a role at the group allows creating it")
	}
}
