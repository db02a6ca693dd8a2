package rbac

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth/azure"
	"github.com/leastpriv/pare/usage/record"
)

func TestGrantsFromRecordsRoundTrip(t *testing.T) {
	as := decodeFile(t, "assignments-az.json")
	defs := decodeFile(t, "definitions-az.json")
	rows, _ := Grants(as.Assignments, defs.Definitions, contributor)

	grants, err := GrantsFromRecords(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(grants) != 2 {
		t.Fatalf("got %d grants, want 2 (Contributor, Web Restarter): %+v", len(grants), grants)
	}
	const sub = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590"
	c := grants[0]
	if c.Principal != "6412223c-c65b-2694-1eca-72bdac29b189" || c.Scope != sub || !strings.HasSuffix(c.Origin, "(Contributor)") ||
		!slices.Equal(c.Actions, []string{"*"}) || !slices.Equal(c.NotActions, []string{"Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write"}) ||
		c.DataActions != nil || c.NotDataActions != nil {
		t.Errorf("Contributor grant = %+v", c)
	}
	w := grants[1]
	if w.Scope != sub+"/resourceGroups/rg-web" || !slices.Equal(w.Actions, []string{"Microsoft.Web/sites/read", "Microsoft.Web/sites/restart/action"}) ||
		!slices.Equal(w.DataActions, []string{"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"}) {
		t.Errorf("Web Restarter grant = %+v", w)
	}

	back := GrantRecords(grants)
	if !reflect.DeepEqual(back, rows) {
		t.Errorf("GrantRecords(GrantsFromRecords(rows)) differs:\n got %+v\nwant %+v", back, rows)
	}
	again, err := GrantsFromRecords(back)
	if err != nil || !reflect.DeepEqual(again, grants) {
		t.Errorf("second round trip: %v\n got %+v\nwant %+v", err, again, grants)
	}
}

// TestGrantsKeepPermissionBlocks: a role with two permissions blocks is
// stored with one origin per block, so NotActions of one block never
// reach the other's Actions.
func TestGrantsKeepPermissionBlocks(t *testing.T) {
	def := Definition{ID: "role-1", RoleName: "Two Blocks", Permissions: []Permission{
		{Actions: []string{"Microsoft.Compute/virtualMachines/*"}, NotActions: []string{"Microsoft.Compute/virtualMachines/delete"}},
		{Actions: []string{"Microsoft.Compute/virtualMachines/delete", "Microsoft.Authorization/roleAssignments/write"}, Condition: "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{00000000000000000000000000000001}"},
	}}
	a := Assignment{ID: "/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/a1", PrincipalID: "p", RoleDefinitionID: "role-1", Scope: "/subscriptions/s"}
	rows, unresolved := Grants([]Assignment{a}, []Definition{def}, nil)
	if len(unresolved) != 0 {
		t.Fatal(unresolved)
	}
	grants, err := GrantsFromRecords(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(grants) != 2 {
		t.Fatalf("got %d grants, want one per block: %+v", len(grants), grants)
	}
	first, second := grants[0], grants[1]
	if !strings.HasSuffix(first.Origin, "(Two Blocks), permissions block 1 of 2") || !slices.Equal(first.NotActions, []string{"Microsoft.Compute/virtualMachines/delete"}) {
		t.Errorf("block 1 = %+v", first)
	}
	if !strings.HasSuffix(second.Origin, "(Two Blocks), permissions block 2 of 2 (conditional)") || second.NotActions != nil ||
		!slices.Contains(second.Actions, "Microsoft.Compute/virtualMachines/delete") {
		t.Errorf("block 2 = %+v", second)
	}
}

func TestGrantsFromRecordsErrors(t *testing.T) {
	ok := record.Grant{Provider: "azure", Principal: "p", Effect: "allow", Action: "*", Scope: "/subscriptions/s", Origin: "o"}
	for _, c := range []struct {
		change func(*record.Grant)
		want   string
	}{
		{func(g *record.Grant) { g.Provider = "k8s" }, `grant row 1: provider "k8s"`},
		{func(g *record.Grant) { g.Effect = "deny" }, `grant row 1: effect "deny"`},
		{func(g *record.Grant) { g.Principal = "" }, "grant row 1: principal, scope and action are required"},
		{func(g *record.Grant) { g.Scope = "" }, "grant row 1: principal, scope and action are required"},
		{func(g *record.Grant) { g.Action = "" }, "grant row 1: principal, scope and action are required"},
	} {
		bad := ok
		c.change(&bad)
		got, err := GrantsFromRecords([]record.Grant{ok, bad})
		if err == nil || !strings.Contains(err.Error(), c.want) || got != nil {
			t.Errorf("error = %v (grants %v), want %q and nothing", err, got, c.want)
		}
	}
	if got, err := GrantsFromRecords(nil); err != nil || len(got) != 0 {
		t.Errorf("no rows: %v, %v", got, err)
	}
}

// TestGrantRecordsOfEntitlementGrants ties the two packages: what cmd
// reads back from the store is what synth/azure expands.
func TestGrantRecordsOfEntitlementGrants(t *testing.T) {
	in := []azure.Grant{{
		Principal: "p", Scope: "/subscriptions/s", Origin: "o",
		Actions: []string{"b", "a", "a"}, NotDataActions: []string{"x"},
	}}
	rows := GrantRecords(in)
	if len(rows) != 4 || rows[0].Effect != "allow" || rows[3].Effect != "not" || !rows[3].Data {
		t.Fatalf("rows = %+v", rows)
	}
	out, err := GrantsFromRecords(rows)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out[0].Actions, []string{"a", "b"}) || !slices.Equal(out[0].NotDataActions, []string{"x"}) {
		t.Errorf("out = %+v", out)
	}
}
