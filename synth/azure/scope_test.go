package azure

import "testing"

const (
	sub = "/subscriptions/00000000-0000-0000-0000-000000000001"
	rg  = sub + "/resourceGroups/rg1"
	vm  = rg + "/providers/Microsoft.Compute/virtualMachines/vm1"
)

func TestScopeAt(t *testing.T) {
	for _, tc := range []struct {
		id                string
		subscription, grp string
		resource          string
	}{
		{vm, sub, rg, vm},
		{rg, sub, rg, rg},
		{sub, sub, sub, sub},
		// Fixed segment names take their canonical casing, names keep theirs.
		{"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/Microsoft.Web/sites/A",
			"/subscriptions/S1", "/subscriptions/S1/resourceGroups/RG", "/subscriptions/S1/resourceGroups/RG/providers/Microsoft.Web/sites/A"},
		// A subscription-level resource has no resource group.
		{sub + "/providers/Microsoft.Insights/diagnosticSettings/d", sub, sub, sub + "/providers/Microsoft.Insights/diagnosticSettings/d"},
		// Management groups stay management groups.
		{"/providers/Microsoft.Management/managementGroups/mg", "/providers/Microsoft.Management/managementGroups/mg",
			"/providers/Microsoft.Management/managementGroups/mg", "/providers/Microsoft.Management/managementGroups/mg"},
		{"/providers/microsoft.management/managementgroups/mg/providers/Microsoft.Authorization/policyDefinitions/p",
			"/providers/Microsoft.Management/managementGroups/mg", "/providers/Microsoft.Management/managementGroups/mg",
			"/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/policyDefinitions/p"},
		{"/", "/", "/", "/"},
		// Tenant-level resources and malformed ids are their own scope.
		{"/providers/Microsoft.Support/supportTickets/t", "/providers/Microsoft.Support/supportTickets/t",
			"/providers/Microsoft.Support/supportTickets/t", "/providers/Microsoft.Support/supportTickets/t"},
		{"", "", "", ""},
		{"subscriptions/s", "subscriptions/s", "subscriptions/s", "subscriptions/s"},
		{"/subscriptions/", "/subscriptions/", "/subscriptions/", "/subscriptions/"},
		{"/subscriptions", "/subscriptions", "/subscriptions", "/subscriptions"},
		{"/subscriptions/s/resourceGroups", "/subscriptions/s/resourceGroups", "/subscriptions/s/resourceGroups", "/subscriptions/s/resourceGroups"},
		{"/subscriptions/s//resourceGroups/x", "/subscriptions/s//resourceGroups/x", "/subscriptions/s//resourceGroups/x", "/subscriptions/s//resourceGroups/x"},
		{rg + "/", rg + "/", rg + "/", rg + "/"},
		{"/other/x", "/other/x", "/other/x", "/other/x"},
		{"\xff/\x00", "\xff/\x00", "\xff/\x00", "\xff/\x00"},
	} {
		id := parseID(tc.id)
		for g, want := range map[Granularity]string{Subscription: tc.subscription, ResourceGroup: tc.grp, Resource: tc.resource} {
			if got := id.scopeAt(g); got != want {
				t.Errorf("scopeAt(%q, %s) = %q, want %q", tc.id, g, got, want)
			}
		}
	}
}

func TestCovers(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{sub, vm, true},
		{rg, vm, true},
		{vm, vm, true},
		{"/", vm, true},
		{"/", "/", true},
		{vm, rg, false},
		{rg, sub, false},
		{"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/resourcegroups/RG1", vm, true},
		// Segment-wise: rg1 is not a prefix of rg10.
		{rg, sub + "/resourceGroups/rg10", false},
		{sub, "/subscriptions/00000000-0000-0000-0000-0000000000012", false},
		{rg, "/providers/Microsoft.Management/managementGroups/mg", false},
		// Malformed ids: only exactly themselves.
		{"", "", true},
		{"x", "x", true},
		{"x", "X", false},
		{"/", "x", false},
		{rg + "/", rg + "/", true},
		{rg, rg + "/", false},
		{rg + "/", vm, false},
		// Invalid bytes equal only themselves.
		{"/subscriptions/\xff", "/subscriptions/\xfe", false},
		{"/subscriptions/\xff", "/subscriptions/\xff/resourceGroups/r", true},
		// Case folding beyond ASCII, as .NET's OrdinalIgnoreCase.
		{"/subscriptions/s/resourceGroups/ÄRGER", "/subscriptions/s/resourceGroups/ärger/x", true},
	} {
		if got := covers(parseID(tc.a), parseID(tc.b)); got != tc.want {
			t.Errorf("covers(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestFoldKey(t *testing.T) {
	same := [][2]string{{"Microsoft.Compute/X", "microsoft.compute/x"}, {"ÄB", "äb"}, {"\xff", "\xff"}}
	differ := [][2]string{{"\xff", "\xfe"}, {"\xff", "\uFFFD"}, {"a\xc3", "a\xc3\xa4"}, {"a", "b"}}
	for _, p := range same {
		if foldKey(p[0]) != foldKey(p[1]) || !equalFold(p[0], p[1]) {
			t.Errorf("%q and %q should fold equal", p[0], p[1])
		}
	}
	for _, p := range differ {
		if foldKey(p[0]) == foldKey(p[1]) || equalFold(p[0], p[1]) {
			t.Errorf("%q and %q should not fold equal", p[0], p[1])
		}
	}
}
