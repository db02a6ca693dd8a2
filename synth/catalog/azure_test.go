package catalog

import (
	"bytes"
	"compress/gzip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// loadAzure decodes the real embedded Azure catalog once per test binary.
var loadAzure = sync.OnceValues(LoadAzure)

func mustLoadAzure(t testing.TB) *Azure {
	t.Helper()
	c, err := loadAzure()
	if err != nil {
		t.Fatalf("LoadAzure: %v", err)
	}
	return c
}

// TestLoadAzureCounts checks the embedded catalog against the counts in
// rules/azure/SOURCE.
func TestLoadAzureCounts(t *testing.T) {
	c := mustLoadAzure(t)
	if got, want := c.Date(), "2026-08-22 (endgor/azure-hub@eeeb25e, iann0036/iam-dataset@2073fa5, awsles/AzureServices; MIT)"; got != want {
		t.Errorf("Date() = %q, want %q", got, want)
	}
	if got, want := c.Len(), 24884; got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
	var current, data, control, unknown int
	providers := map[string]bool{}
	for _, op := range c.ops {
		if op.Current {
			current++
		}
		switch {
		case !op.DataActionKnown:
			unknown++
			if op.DataAction {
				t.Errorf("%s: DataAction without DataActionKnown", op.Name)
			}
		case op.DataAction:
			data++
		default:
			control++
		}
		providers[op.Provider] = true
	}
	if current != 22640 || data != 4109 || control != 18761 || unknown != 2014 {
		t.Errorf("current %d, data %d, control %d, unknown %d; want 22640, 4109, 18761, 2014", current, data, control, unknown)
	}
	if len(providers) != 350 {
		t.Errorf("%d providers, want 350", len(providers))
	}
	roles := c.BuiltinRoles()
	if len(roles) != 928 {
		t.Errorf("%d built-in roles, want 928", len(roles))
	}
	if !slices.IsSortedFunc(roles, func(a, b AzureRole) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) }) {
		t.Error("BuiltinRoles() is not sorted by name")
	}
	conditions := 0
	for _, r := range roles {
		for _, p := range r.Permissions {
			if p.Condition != "" {
				conditions++
				if p.ConditionVersion == "" {
					t.Errorf("%s: condition without a version", r.Name)
				}
			}
		}
	}
	if conditions != 31 {
		t.Errorf("%d permission blocks with a condition, want 31", conditions)
	}
}

func TestAzureOperation(t *testing.T) {
	c := mustLoadAzure(t)
	// The catalog's spelling is the one `az provider operation list` gives,
	// which is not always the one the documentation or the roles use:
	// "Microsoft.Insights/DiagnosticSettings/Write" but
	// "Microsoft.Insights/diagnosticSettings/read".
	tests := []struct {
		in   string
		want AzureOperation
		ok   bool
	}{
		{"Microsoft.Insights/diagnosticSettings/write", AzureOperation{Name: "Microsoft.Insights/DiagnosticSettings/Write", Provider: "Microsoft.Insights", DataActionKnown: true, Current: true}, true},
		{"MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE", AzureOperation{Name: "Microsoft.Insights/DiagnosticSettings/Write", Provider: "Microsoft.Insights", DataActionKnown: true, Current: true}, true},
		{"microsoft.insights/diagnosticsettings/read", AzureOperation{Name: "Microsoft.Insights/diagnosticSettings/read", Provider: "Microsoft.Insights", DataActionKnown: true, Current: true}, true},
		{"MICROSOFT.SUPPORT/SUPPORTTICKETS/WRITE", AzureOperation{Name: "Microsoft.Support/supporttickets/write", Provider: "Microsoft.Support", DataActionKnown: true, Current: true}, true},
		{"microsoft.storage/storageaccounts/blobservices/containers/blobs/read", AzureOperation{Name: "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", Provider: "Microsoft.Storage", DataAction: true, DataActionKnown: true, Current: true}, true},
		// Old, and whose namespace is spelt differently from the provider's usual spelling.
		{"WANDISCO.FUSION/OPERATIONS/READ", AzureOperation{Name: "Wandisco.Fusion/operations/read", Provider: "Wandisco.Fusion", DataActionKnown: true}, true},
		// Unknown plane.
		{"anyscale.platform/agreements/read", AzureOperation{Name: "Anyscale.Platform/agreements/read", Provider: "Anyscale.Platform", Current: true}, true},
		{"", AzureOperation{}, false},
		{"Microsoft.Insights/diagnosticSettings", AzureOperation{}, false},
		{"Microsoft.Insights/diagnosticSettings/write ", AzureOperation{}, false},
		{"Microsoft.Insights/*", AzureOperation{}, false},
		// Unicode case folding must not make a lookalike match: 'ı' and 'K' (Kelvin).
		{"Microsoft.Insights/dıagnosticSettings/write", AzureOperation{}, false},
		{"\u212Aicrosoft.Insights/diagnosticSettings/write", AzureOperation{}, false},
		{strings.Repeat("Microsoft.Insights/", 100) + "read", AzureOperation{}, false},
	}
	for _, tt := range tests {
		got, ok := c.Operation(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("Operation(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	// The wrong spelling of a namespace is kept as the operation spells it.
	if op, ok := c.Operation("MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE"); !ok || op.Provider != "Microsoft.Compute" {
		t.Errorf("Microsoft.Compute/virtualMachines/write = %+v, %v", op, ok)
	}
}

func TestAzureOperationAllocs(t *testing.T) {
	c := mustLoadAzure(t)
	allocs := testing.AllocsPerRun(100, func() {
		if _, ok := c.Operation("MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE"); !ok {
			t.Fatal("not found")
		}
		if _, ok := c.ReadOperation("MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS"); !ok {
			t.Fatal("not found")
		}
	})
	if allocs != 0 {
		t.Errorf("lookups allocate %v times, want 0", allocs)
	}
}

func TestAzureReadOperation(t *testing.T) {
	c := mustLoadAzure(t)
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Microsoft.Insights/diagnosticSettings", "Microsoft.Insights/diagnosticSettings/read", true},
		{"MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS", "Microsoft.Insights/diagnosticSettings/read", true},
		{"microsoft.compute/virtualmachines", "Microsoft.Compute/virtualMachines/read", true},
		// Chained with ResourceType, whose spelling comes from DiagnosticSettings/Write.
		{c.ResourceType("MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE"), "Microsoft.Insights/diagnosticSettings/read", true},
		{"Microsoft.Support/supportTickets", "Microsoft.Support/supportTickets/read", true},
		{"Microsoft.Nothing/things", "", false},
		{"", "", false},
		{"Microsoft.Insights/diagnosticSettings/", "", false},
	}
	for _, tt := range tests {
		got, ok := c.ReadOperation(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ReadOperation(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAzureResourceType(t *testing.T) {
	c := mustLoadAzure(t)
	tests := []struct{ in, want string }{
		{"Microsoft.Insights/diagnosticSettings/write", "Microsoft.Insights/DiagnosticSettings"},
		{"MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE", "Microsoft.Insights/DiagnosticSettings"},
		{"Microsoft.Insights/diagnosticSettings/read", "Microsoft.Insights/diagnosticSettings"},
		{"Microsoft.Compute/virtualMachines/delete", "Microsoft.Compute/virtualMachines"},
		{"Microsoft.Compute/virtualMachines/start/action", "Microsoft.Compute/virtualMachines"},
		{"MICROSOFT.COMPUTE/VIRTUALMACHINES/START/ACTION", "Microsoft.Compute/virtualMachines"},
		{"Microsoft.Storage/storageAccounts/listKeys/action", "Microsoft.Storage/storageAccounts"},
		{"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"},
		{"Microsoft.Support/register/action", "Microsoft.Support"},
		{"Microsoft.ProgrammableConnectivity/Gateways/NetworkAPIAccess", "Microsoft.ProgrammableConnectivity/Gateways"},
		{"Microsoft.Insights/alertRules/", "Microsoft.Insights/alertRules"},
		// Not in the catalog: cut as given.
		{"Contoso.Widgets/gadgets/spin/Action", "Contoso.Widgets/gadgets"},
		{"Contoso.Widgets/gadgets/write", "Contoso.Widgets/gadgets"},
		{"Contoso.Widgets/action", "Contoso.Widgets"},
		{"Contoso.Widgets", ""},
		{"/write", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := c.ResourceType(tt.in); got != tt.want {
			t.Errorf("ResourceType(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAzureReadForWrites checks ResourceType and ReadOperation together on
// the real catalog: most control-plane writes have a read of their type.
func TestAzureReadForWrites(t *testing.T) {
	c := mustLoadAzure(t)
	var writes, withRead int
	for _, op := range c.ops {
		if !op.Current || !strings.HasSuffix(strings.ToLower(op.Name), "/write") {
			continue
		}
		writes++
		if _, ok := c.ReadOperation(c.ResourceType(op.Name)); ok {
			withRead++
		}
	}
	if writes < 4000 || withRead*100 < writes*90 {
		t.Errorf("%d of %d current writes have a read of their resource type; want at least 90%%", withRead, writes)
	}
	t.Logf("%d of %d current writes have a read of their resource type", withRead, writes)
}

func TestAzureExpandPattern(t *testing.T) {
	c := mustLoadAzure(t)

	support := c.ExpandPattern("Microsoft.Support/*", false)
	if !slices.Contains(support, "Microsoft.Support/supporttickets/write") {
		t.Errorf("Microsoft.Support/* = %q, lacks supportTickets/write", support)
	}
	if got := c.ExpandPattern("MICROSOFT.SUPPORT/SUPPORTTICKETS/WRITE", false); !slices.Equal(got, []string{"Microsoft.Support/supporttickets/write"}) {
		t.Errorf("exact upper-case pattern = %q", got)
	}
	if got := c.ExpandPattern("Microsoft.Support/supportTickets/write", true); got != nil {
		t.Errorf("a control-plane operation expanded as data: %q", got)
	}

	reads := c.ExpandPattern("*/read", false)
	if len(reads) < 8000 {
		t.Errorf("*/read matches %d control-plane operations, want more than 8,000", len(reads))
	}
	for _, name := range reads {
		if !strings.HasSuffix(strings.ToLower(name), "/read") {
			t.Errorf("*/read matched %q", name)
		}
	}
	if !slices.Contains(reads, "Microsoft.Insights/diagnosticSettings/read") {
		t.Error("*/read lacks Microsoft.Insights/diagnosticSettings/read")
	}
	if slices.Contains(reads, "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read") {
		t.Error("*/read on the control plane matched a data action")
	}
	if data := c.ExpandPattern("*/read", true); !slices.Contains(data, "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read") {
		t.Error("*/read on the data plane lacks blobs/read")
	}

	// Everything, per plane: unknown-plane operations count in both.
	if got, want := len(c.ExpandPattern("*", false)), 18761+2014; got != want {
		t.Errorf("* (control) matches %d, want %d", got, want)
	}
	if got, want := len(c.ExpandPattern("*", true)), 4109+2014; got != want {
		t.Errorf("* (data) matches %d, want %d", got, want)
	}
	if got := c.ExpandPattern("Microsoft.Nothing/*", false); got != nil {
		t.Errorf("Microsoft.Nothing/* = %q, want nil", got)
	}

	// Against a brute-force scan with AzureMatch: same set, sorted.
	for _, p := range []string{"Microsoft.Support/*", "*/read", "microsoft.costmanagement/*/query/*", "Microsoft.Compute/virtualMachines/*/action", "*Insights*diag*", "Microsoft.Insights/alertRules/", "?"} {
		for _, data := range []bool{false, true} {
			got := c.ExpandPattern(p, data)
			var want []string
			for _, op := range c.ops {
				if (!op.DataActionKnown || op.DataAction == data) && AzureMatch(p, op.Name) {
					want = append(want, op.Name)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("ExpandPattern(%q, %v): %d names, brute force %d", p, data, len(got), len(want))
			}
			if !slices.IsSortedFunc(got, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
				t.Errorf("ExpandPattern(%q, %v) is not sorted", p, data)
			}
		}
	}
	if got := c.ExpandPattern("microsoft.costmanagement/*/query/*", false); len(got) == 0 {
		t.Error("Microsoft.CostManagement/*/query/* matches nothing")
	}
}

func TestAzureMatch(t *testing.T) {
	tests := []struct {
		pattern, op string
		want        bool
	}{
		{"*", "Microsoft.Compute/virtualMachines/read", true},
		{"*", "", true},
		{"", "", true},
		{"", "a", false},
		{"*/read", "Microsoft.Compute/virtualMachines/read", true},
		{"*/read", "MICROSOFT.COMPUTE/VIRTUALMACHINES/READ", true},
		{"*/read", "Microsoft.Compute/virtualMachines/write", false},
		{"*/read", "Microsoft.Compute/virtualMachines/readiness/action", false},
		{"Microsoft.Compute/*", "Microsoft.Compute/virtualMachines/start/action", true},
		{"microsoft.compute/*", "Microsoft.Compute/virtualMachines/start/action", true},
		{"Microsoft.Compute/*", "Microsoft.ComputeSchedule/register/action", false},
		{"Microsoft.Compute*", "Microsoft.ComputeSchedule/register/action", true},
		{"Microsoft.CostManagement/*/query/*", "Microsoft.CostManagement/externalBillingAccounts/query/action", true},
		{"Microsoft.CostManagement/*/query/*", "Microsoft.CostManagement/query/action", false},
		{"Microsoft.Compute/virtualMachines/*/action", "Microsoft.Compute/virtualMachines/start/action", true},
		{"Microsoft.Compute/virtualMachines/*/action", "Microsoft.Compute/virtualMachines/read", false},
		{"Microsoft.Compute/virtualMachines/read", "Microsoft.Compute/virtualMachines/read", true},
		{"Microsoft.Compute/virtualMachines/read", "Microsoft.Compute/virtualMachines/readX", false},
		{"Microsoft.Compute/virtualMachines/read ", "Microsoft.Compute/virtualMachines/read", false},
		{"**/read", "a/b/read", true},
		{"*a*b*c", "xxaxxbxxc", true},
		{"*a*b*c", "xxaxxcxxb", false},
		// '?' is not a wildcard in Azure.
		{"Microsoft.Compute/virtualMachines/rea?", "Microsoft.Compute/virtualMachines/read", false},
		{"a?", "a?", true},
		// Unicode folding does not apply.
		{"\u212A", "k", false},
		{"é", "É", false},
	}
	for _, tt := range tests {
		if got := AzureMatch(tt.pattern, tt.op); got != tt.want {
			t.Errorf("AzureMatch(%q, %q) = %v, want %v", tt.pattern, tt.op, got, tt.want)
		}
	}
	// Worst case stays fast (no exponential backtracking).
	long := strings.Repeat("a", 2000)
	if AzureMatch(strings.Repeat("*a", 50)+"*b", long) {
		t.Error("pathological pattern matched")
	}
}

func TestAzureBuiltinRole(t *testing.T) {
	c := mustLoadAzure(t)
	owner, ok := c.BuiltinRole("Owner")
	if !ok || owner.ID != "8e3af657-a8ff-443c-a75c-2fe8c4bcb635" || len(owner.Permissions) != 1 || !slices.Equal(owner.Permissions[0].Actions, []string{"*"}) {
		t.Errorf("Owner = %+v, %v; want id 8e3af657-..., actions [*]", owner, ok)
	}
	reader, ok := c.BuiltinRole("acdd72a7-3385-48ef-bd42-f606fba81ae7")
	if !ok || reader.Name != "Reader" || !slices.Equal(reader.Permissions[0].Actions, []string{"*/read"}) || reader.Permissions[0].NotActions != nil {
		t.Errorf("Reader by id = %+v, %v; want Reader, actions [*/read]", reader, ok)
	}
	for _, key := range []string{"reader", "READER", "ACDD72A7-3385-48EF-BD42-F606FBA81AE7"} {
		if r, ok := c.BuiltinRole(key); !ok || r.Name != "Reader" {
			t.Errorf("BuiltinRole(%q) = %q, %v; want Reader", key, r.Name, ok)
		}
	}
	for _, key := range []string{"", "Readers", " Reader", "acdd72a7"} {
		if r, ok := c.BuiltinRole(key); ok {
			t.Errorf("BuiltinRole(%q) found %q", key, r.Name)
		}
	}
	blob, ok := c.BuiltinRole("Storage Blob Data Reader")
	if !ok || !slices.ContainsFunc(blob.Permissions[0].DataActions, func(p string) bool {
		return AzureMatch(p, "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read")
	}) {
		t.Errorf("Storage Blob Data Reader = %+v, %v; want a data action granting blobs/read", blob, ok)
	}
	// BuiltinRoles returns the caller's own slice.
	roles := c.BuiltinRoles()
	roles[0] = AzureRole{Name: "changed"}
	if again := c.BuiltinRoles(); again[0].Name == "changed" {
		t.Error("BuiltinRoles shares its slice with the catalog")
	}
}

// TestAzureRolesMatchOperations checks that the role patterns mostly name
// catalog operations: the operations table was built from them.
func TestAzureRolesMatchOperations(t *testing.T) {
	c := mustLoadAzure(t)
	var total, unmatched int
	for _, r := range c.BuiltinRoles() {
		for _, p := range r.Permissions {
			for _, list := range [][]string{p.Actions, p.NotActions, p.DataActions, p.NotDataActions} {
				for _, pattern := range list {
					total++
					if c.ExpandPattern(pattern, false) == nil && c.ExpandPattern(pattern, true) == nil {
						unmatched++
					}
				}
			}
		}
	}
	if total < 10000 || unmatched*100 > total {
		t.Errorf("%d of %d role patterns match no operation; want under 1%%", unmatched, total)
	}
}

// TestDecodeAzureGolden decodes the generator's golden output, so the
// generator and the decoder agree on the format.
func TestDecodeAzureGolden(t *testing.T) {
	ops := gzipFile(t, "internal/genazure/testdata/golden_operations.tsv")
	roles := gzipFile(t, "internal/genazure/testdata/golden_roles.tsv")
	c, err := decodeAzure(ops, roles)
	if err != nil {
		t.Fatalf("decodeAzure: %v", err)
	}
	if c.Date() != "2026-08-22 (fixture tables)" || c.Len() != 9 {
		t.Errorf("Date() = %q, Len() = %d", c.Date(), c.Len())
	}
	if op, ok := c.Operation("MICROSOFT.COMPUTE/VIRTUALMACHINES/START/ACTION"); !ok || op.Name != "microsoft.Compute/virtualMachines/start/action" || op.Provider != "Microsoft.Compute" {
		t.Errorf("start/action = %+v, %v", op, ok)
	}
	if op, ok := c.Operation("Microsoft.Storage/storageAccounts/oldThing/delete"); !ok || op.Current || !op.DataActionKnown || op.DataAction {
		t.Errorf("oldThing/delete = %+v, %v; want old, control plane", op, ok)
	}
	if op, ok := c.Operation("Microsoft.ComputeSchedule/register/action"); !ok || op.DataActionKnown {
		t.Errorf("register/action = %+v, %v; want unknown plane", op, ok)
	}
	r, ok := c.BuiltinRole("fixture conditional role")
	if !ok || len(r.Permissions) != 2 {
		t.Fatalf("fixture role = %+v, %v", r, ok)
	}
	p := r.Permissions[0]
	if p.ConditionVersion != "2.0" || !strings.HasPrefix(p.Condition, "((!(ActionMatches{") ||
		!slices.Equal(p.Actions, []string{"Microsoft.Authorization/*/read", "Microsoft.Compute/virtualMachines/read ", "Microsoft.Storage/*/write"}) ||
		!slices.Equal(p.NotActions, []string{"Microsoft.Storage/storageAccounts/oldThing/delete"}) ||
		!slices.Equal(p.DataActions, []string{"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"}) ||
		p.NotDataActions != nil {
		t.Errorf("fixture role block 0 = %+v", p)
	}
	if q := r.Permissions[1]; q.Condition != "" || !slices.Equal(q.Actions, []string{"Microsoft.Support/*"}) {
		t.Errorf("fixture role block 1 = %+v", q)
	}
}

func TestDecodeAzureErrors(t *testing.T) {
	const head = "#\tc\nD\t2026-08-22\ts\n"
	goodOps := head + "P\tA.B\t2\nO\tA.B/x/read\tc\nO\tA.B/y/read\td\told\n"
	goodRoles := head + "R\t1\tRole\nP\nactions\t*\n"
	if _, err := decodeAzure(gz(t, goodOps), gz(t, goodRoles)); err != nil {
		t.Fatalf("good input: %v", err)
	}
	badOps := map[string]string{
		"no date":          "P\tA.B\t1\nO\tA.B/x/read\tc\n",
		"no operations":    head,
		"out of order":     head + "P\tA.B\t2\nO\tA.B/y/read\tc\nO\tA.B/x/read\tc\n",
		"duplicate":        head + "P\tA.B\t2\nO\tA.B/x/read\tc\nO\tA.b/X/read\tc\n",
		"too few":          head + "P\tA.B\t2\nO\tA.B/x/read\tc\n",
		"too many":         head + "P\tA.B\t1\nO\tA.B/x/read\tc\nO\tA.B/y/read\tc\n",
		"bad plane":        head + "P\tA.B\t1\nO\tA.B/x/read\tx\n",
		"bad old mark":     head + "P\tA.B\t1\nO\tA.B/x/read\tc\tnew\n",
		"wrong provider":   head + "P\tA.B\t1\nO\tA.C/x/read\tc\n",
		"no provider":      head + "O\tA.B/x/read\tc\n",
		"wildcard":         head + "P\tA.B\t1\nO\tA.B/*\tc\n",
		"unknown record":   head + "X\n",
		"bad count":        head + "P\tA.B\tmany\nO\tA.B/x/read\tc\n",
		"provider only":    head + "P\tA.B\t1\nO\tA.B/\tc\n" + "",
		"two dates":        head + "D\t2026-08-22\ts\nP\tA.B\t1\nO\tA.B/x/read\tc\n",
		"provider w/slash": head + "P\tA/B\t1\nO\tA/B/x/read\tc\n",
	}
	for name, text := range badOps {
		if _, err := decodeAzure(gz(t, text), gz(t, goodRoles)); err == nil {
			t.Errorf("operations %s: no error", name)
		}
	}
	badRoles := map[string]string{
		"no date":                    "R\t1\tRole\nP\nactions\t*\n",
		"other date":                 "D\t2025-01-01\ts\nR\t1\tRole\nP\nactions\t*\n",
		"no roles":                   head,
		"no permissions":             head + "R\t1\tRole\n",
		"no permissions before next": head + "R\t1\tA\nR\t2\tB\nP\nactions\t*\n",
		"orphan block":               head + "P\nactions\t*\n",
		"orphan list":                head + "R\t1\tRole\nactions\t*\n",
		"empty list":                 head + "R\t1\tRole\nP\nactions\n",
		"list twice":                 head + "R\t1\tRole\nP\nactions\t*\nactions\t*/read\n",
		"out of order":               head + "R\t1\tB\nP\nactions\t*\nR\t2\tA\nP\nactions\t*\n",
		"duplicate id":               head + "R\t1\tA\nP\nactions\t*\nR\t1\tB\nP\nactions\t*\n",
		"bad condition":              head + "R\t1\tRole\nP\t2.0\nactions\t*\n",
		"unknown record":             head + "R\t1\tRole\nP\nallow\t*\n",
	}
	for name, text := range badRoles {
		if _, err := decodeAzure(gz(t, goodOps), gz(t, text)); err == nil {
			t.Errorf("roles %s: no error", name)
		}
	}
	if _, err := decodeAzure([]byte("not gzip"), gz(t, goodRoles)); err == nil {
		t.Error("operations that are not gzip: no error")
	}
	if _, err := decodeAzure(gz(t, goodOps), []byte{0x1f, 0x8b}); err == nil {
		t.Error("truncated roles: no error")
	}
}

// TestAzureConcurrent runs lookups from several goroutines (meaningful
// under -race).
func TestAzureConcurrent(t *testing.T) {
	c := mustLoadAzure(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if _, ok := c.Operation("MICROSOFT.SUPPORT/SUPPORTTICKETS/WRITE"); !ok {
					t.Error("lookup failed")
					return
				}
				if len(c.ExpandPattern("Microsoft.Support/*", false)) == 0 {
					t.Error("expand failed")
					return
				}
				if _, ok := c.BuiltinRole("Reader"); !ok {
					t.Error("role lookup failed")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func gz(t testing.TB, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gzipFile(t testing.TB, path string) []byte {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return gz(t, string(text))
}

func BenchmarkLoadAzure(b *testing.B) {
	for b.Loop() {
		if _, err := LoadAzure(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAzureOperation(b *testing.B) {
	c := mustLoadAzure(b)
	for b.Loop() {
		if _, ok := c.Operation("MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE"); !ok {
			b.Fatal("not found")
		}
	}
}

func BenchmarkAzureExpandPattern(b *testing.B) {
	c := mustLoadAzure(b)
	for b.Loop() {
		if len(c.ExpandPattern("*/read", false)) == 0 {
			b.Fatal("nothing")
		}
	}
}
