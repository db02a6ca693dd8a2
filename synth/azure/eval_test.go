package azure

import (
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth"
)

func TestAllows(t *testing.T) {
	r := Role{
		Principal:        "p",
		Actions:          []string{"Microsoft.Compute/virtualMachines/write", "Microsoft.Storage/*", "*/read", "Microsoft.Web/sites/*/action"},
		NotActions:       []string{"Microsoft.Storage/storageAccounts/delete", "*/listKeys/action"},
		AssignableScopes: []string{rg, "/subscriptions/other", "x"},
	}
	for _, tc := range []struct {
		op, scope string
		want      bool
	}{
		{"Microsoft.Compute/virtualMachines/write", vm, true},
		{"MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE", vm, true},
		{"Microsoft.Compute/virtualMachines/write", rg, true},
		{"Microsoft.Compute/virtualMachines/write", sub, false},
		{"Microsoft.Compute/virtualMachines/write", sub + "/resourceGroups/rg2", false},
		{"Microsoft.Compute/virtualMachines/write", "/subscriptions/OTHER/resourceGroups/z", true},
		{"Microsoft.Compute/virtualMachines/delete", vm, false},
		{"Microsoft.Compute/virtualMachines/writeX", vm, false},
		// '*' spans '/'.
		{"Microsoft.Storage/storageAccounts/blobServices/containers/write", vm, true},
		{"Microsoft.Web/sites/slots/restart/action", vm, true},
		{"Microsoft.Web/sites/restart", vm, false},
		{"Microsoft.Network/virtualNetworks/subnets/read", vm, true},
		// NotActions win.
		{"Microsoft.Storage/storageAccounts/delete", vm, false},
		{"microsoft.storage/storageaccounts/DELETE", vm, false},
		{"Microsoft.Storage/storageAccounts/listKeys/action", vm, false},
		// Malformed scope: only exactly.
		{"Microsoft.Compute/virtualMachines/write", "x", true},
		{"Microsoft.Compute/virtualMachines/write", "X", false},
		{"Microsoft.Compute/virtualMachines/write", "", false},
		{"", vm, false},
	} {
		if got := Allows(r, tc.op, tc.scope); got != tc.want {
			t.Errorf("Allows(%q, %q) = %v, want %v", tc.op, tc.scope, got, tc.want)
		}
	}
}

func TestAllowsEmpty(t *testing.T) {
	if Allows(Role{Actions: []string{"*"}}, "Microsoft.Compute/virtualMachines/write", vm) {
		t.Errorf("a role with no assignable scopes allows something")
	}
	if Allows(Role{AssignableScopes: []string{"/"}}, "Microsoft.Compute/virtualMachines/write", vm) {
		t.Errorf("a role with no actions allows something")
	}
	if !Allows(Role{Actions: []string{"*"}, AssignableScopes: []string{"/"}}, "a/b", vm) {
		t.Errorf("* at / does not allow everything")
	}
}

func TestVerify(t *testing.T) {
	r := Role{Principal: "p", Actions: []string{"Microsoft.Compute/virtualMachines/write"}, AssignableScopes: []string{rg}}
	in := []synth.Access{
		{Principal: "p", Action: "Microsoft.Compute/virtualMachines/write", Resource: vm},
		{Principal: "p", Action: "Microsoft.Compute/virtualMachines/delete", Resource: vm},
		{Principal: "p", Action: "Microsoft.Compute/virtualMachines/write", Resource: sub},
		{Principal: "q", Action: "Microsoft.Compute/virtualMachines/delete", Resource: vm},
	}
	got := Verify(r, in)
	if len(got) != 2 || got[0].Action != in[1].Action || got[1].Resource != in[2].Resource {
		t.Errorf("Verify = %+v, want accesses 2 and 3", got)
	}
}

// TestAllowsResourceGroupWrite: only a role assigned above a resource
// group can write (create) it; reading or deleting it needs only the group.
func TestAllowsResourceGroupWrite(t *testing.T) {
	actions := []string{"Microsoft.Resources/subscriptions/resourceGroups/*"}
	for _, tc := range []struct {
		scopes    []string
		op, scope string
		want      bool
	}{
		{[]string{rg}, "Microsoft.Resources/subscriptions/resourceGroups/write", rg, false},
		{[]string{rg}, "microsoft.resources/subscriptions/resourcegroups/WRITE", strings.ToUpper(rg), false},
		{[]string{rg}, "Microsoft.Resources/subscriptions/resourceGroups/read", rg, true},
		{[]string{rg}, "Microsoft.Resources/subscriptions/resourceGroups/delete", rg, true},
		{[]string{sub}, "Microsoft.Resources/subscriptions/resourceGroups/write", rg, true},
		{[]string{"/"}, "Microsoft.Resources/subscriptions/resourceGroups/write", rg, true},
		{[]string{rg, sub + "/resourceGroups/rg2"}, "Microsoft.Resources/subscriptions/resourceGroups/write", rg, false},
	} {
		r := Role{Principal: "p", Actions: actions, AssignableScopes: tc.scopes}
		if got := Allows(r, tc.op, tc.scope); got != tc.want {
			t.Errorf("Allows(%q at %q, %q, %q) = %v, want %v", actions, tc.scopes, tc.op, tc.scope, got, tc.want)
		}
	}
}
