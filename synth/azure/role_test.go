package azure

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth"
)

const principal = "6f1c2a3b-0000-4000-8000-00000000abcd"

func access(action, resource string) synth.Access {
	return synth.Access{Provider: "azure", Principal: principal, PrincipalKind: "service-principal", Action: action, Resource: resource, Count: 1}
}

func inferred(action, resource string) synth.Access {
	a := access(action, resource)
	a.Inferred = true
	return a
}

// TestOracleEventHubSample: the diagnostic-settings export sample names
// one upper-cased subscription-level resource; its role grants the write and
// the inferred read at the subscription.
func TestOracleEventHubSample(t *testing.T) {
	const id = "/SUBSCRIPTIONS/11111111-1111-1111-1111-111111111111/PROVIDERS/MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/EXAMPLE-COLLECT-SAMPLE-LOGS"
	in := []synth.Access{
		access("Microsoft.Insights/diagnosticSettings/write", id),
		inferred("Microsoft.Insights/diagnosticSettings/read", id),
	}
	roles := Synthesize(in, Options{})
	if len(roles) != 1 {
		t.Fatalf("%d roles, want 1", len(roles))
	}
	r := roles[0]
	want := Role{
		Principal:        principal,
		Kind:             "service-principal",
		Actions:          []string{"Microsoft.Insights/diagnosticSettings/read", "Microsoft.Insights/diagnosticSettings/write"},
		NotActions:       []string{},
		DataActions:      []string{},
		NotDataActions:   []string{},
		AssignableScopes: []string{"/subscriptions/11111111-1111-1111-1111-111111111111"},
		Inferred:         []string{"Microsoft.Insights/diagnosticSettings/read"},
		Rejected:         []string{},
		Unscoped:         []string{},
		ID:               r.ID,
		Name:             r.Name,
		Description:      r.Description,
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got  %#v\nwant %#v", r, want)
	}
	if v := Verify(r, in); len(v) != 0 {
		t.Errorf("role does not allow %+v", v)
	}
}

// TestOracleRESTSample: the REST sample's support ticket is granted at the
// MSSupportGroup resource group.
func TestOracleRESTSample(t *testing.T) {
	const id = "/subscriptions/089bd33f-d4ec-47fe-8ba5-0753aa5c5b33/resourceGroups/MSSupportGroup/providers/microsoft.support/supporttickets/115012112305841"
	r := Synthesize([]synth.Access{access("Microsoft.Support/supportTickets/write", id)}, Options{})[0]
	if want := []string{"/subscriptions/089bd33f-d4ec-47fe-8ba5-0753aa5c5b33/resourceGroups/MSSupportGroup"}; !reflect.DeepEqual(r.AssignableScopes, want) {
		t.Errorf("scopes = %q, want %q", r.AssignableScopes, want)
	}
	if want := []string{"Microsoft.Support/supportTickets/write"}; !reflect.DeepEqual(r.Actions, want) {
		t.Errorf("actions = %q, want %q", r.Actions, want)
	}
}

func TestGranularity(t *testing.T) {
	in := []synth.Access{
		access("Microsoft.Compute/virtualMachines/write", vm),
		access("Microsoft.Compute/virtualMachines/write", sub+"/resourceGroups/RG1/providers/Microsoft.Compute/virtualMachines/vm2"),
		access("Microsoft.Network/networkSecurityGroups/write", sub+"/resourceGroups/net/providers/Microsoft.Network/networkSecurityGroups/n"),
		access("Microsoft.Resources/deployments/write", "/subscriptions/S2/providers/Microsoft.Resources/deployments/d"),
	}
	for g, want := range map[Granularity][]string{
		Subscription:  {"/subscriptions/00000000-0000-0000-0000-000000000001", "/subscriptions/S2"},
		ResourceGroup: {"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/RG1", "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/net", "/subscriptions/S2"},
		"":            {"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/RG1", "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/net", "/subscriptions/S2"},
		Resource: {
			"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/RG1/providers/Microsoft.Compute/virtualMachines/vm2",
			"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/net/providers/Microsoft.Network/networkSecurityGroups/n",
			vm,
			"/subscriptions/S2/providers/Microsoft.Resources/deployments/d",
		},
		"bogus": { // unknown: the narrowest
			"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/RG1/providers/Microsoft.Compute/virtualMachines/vm2",
			"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/net/providers/Microsoft.Network/networkSecurityGroups/n",
			vm,
			"/subscriptions/S2/providers/Microsoft.Resources/deployments/d",
		},
	} {
		r := Synthesize(in, Options{Scope: g})[0]
		if !reflect.DeepEqual(r.AssignableScopes, want) {
			t.Errorf("%q: scopes = %q, want %q", g, r.AssignableScopes, want)
		}
		if len(r.Generalizations) != 0 {
			t.Errorf("%q: generalizations %+v", g, r.Generalizations)
		}
		if v := Verify(r, in); len(v) != 0 {
			t.Errorf("%q: role does not allow %+v", g, v)
		}
	}
}

func TestParseGranularity(t *testing.T) {
	for _, s := range []string{"resource-group", "subscription", "resource"} {
		if g, err := ParseGranularity(s); err != nil || string(g) != s {
			t.Errorf("ParseGranularity(%q) = %q, %v", s, g, err)
		}
	}
	for _, s := range []string{"", "Resource", "rg", "management-group"} {
		if _, err := ParseGranularity(s); err == nil {
			t.Errorf("ParseGranularity(%q): no error", s)
		}
	}
}

func TestCollapse(t *testing.T) {
	var in []synth.Access
	for i := 0; i < 7; i++ {
		in = append(in, access("Microsoft.Web/sites/write", fmt.Sprintf("%s/resourceGroups/g%d/providers/Microsoft.Web/sites/s", sub, i)))
	}
	other := "/subscriptions/S2/resourceGroups/only/providers/Microsoft.Web/sites/s"
	in = append(in, access("Microsoft.Web/sites/write", other))

	for _, tc := range []struct {
		opts     Options
		scopes   int
		collapse bool
	}{
		{Options{}, 2, true},                                                // default 5 < 7
		{Options{CollapseResourceGroups: 7}, 8, false},                      // not past 7
		{Options{CollapseResourceGroups: 6}, 2, true},                       // past 6
		{Options{CollapseResourceGroups: -1}, 8, false},                     // never
		{Options{CollapseResourceGroups: 6, Scope: Resource}, 2, true},      // counted by group at resource granularity
		{Options{CollapseResourceGroups: 6, Scope: Subscription}, 2, false}, // nothing to collapse
	} {
		r := Synthesize(in, tc.opts)[0]
		if len(r.AssignableScopes) != tc.scopes {
			t.Errorf("%+v: scopes = %q", tc.opts, r.AssignableScopes)
		}
		if got := len(r.Generalizations) == 1; got != tc.collapse {
			t.Errorf("%+v: generalizations = %+v", tc.opts, r.Generalizations)
		}
		if tc.collapse {
			g := r.Generalizations[0]
			if g.Scope != sub || len(g.Recorded) != 7 || !strings.HasPrefix(g.Reason, ReasonManyResourceGroups+": 7, more than") {
				t.Errorf("%+v: generalization = %+v", tc.opts, g)
			}
			if want := []string{sub, "/subscriptions/S2/resourceGroups/only"}; tc.opts.Scope == "" && !reflect.DeepEqual(r.AssignableScopes, want) {
				t.Errorf("scopes = %q, want %q", r.AssignableScopes, want)
			}
		}
		if v := Verify(r, in); len(v) != 0 {
			t.Errorf("%+v: role does not allow %+v", tc.opts, v)
		}
	}
}

func TestActionsAndScopesDistinctIgnoringCase(t *testing.T) {
	in := []synth.Access{
		access("Microsoft.Compute/virtualMachines/write", vm),
		access("MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE", strings.ToUpper(vm)),
		access("microsoft.compute/virtualmachines/write", strings.ToLower(vm)),
		access("Microsoft.Compute/virtualMachines/start/action", sub), // covers the resource groups
		inferred("Microsoft.Compute/virtualMachines/read", vm),
		access("Microsoft.Compute/virtualMachines/read", vm), // seen once directly: not inferred
		inferred("Microsoft.Compute/disks/read", vm),
	}
	r := Synthesize(in, Options{})[0]
	wantActions := []string{"MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE", "Microsoft.Compute/disks/read", "Microsoft.Compute/virtualMachines/read", "Microsoft.Compute/virtualMachines/start/action"}
	if !reflect.DeepEqual(r.Actions, wantActions) {
		t.Errorf("actions = %q, want %q", r.Actions, wantActions)
	}
	if want := []string{"Microsoft.Compute/disks/read"}; !reflect.DeepEqual(r.Inferred, want) {
		t.Errorf("inferred = %q, want %q", r.Inferred, want)
	}
	if want := []string{sub}; !reflect.DeepEqual(r.AssignableScopes, want) {
		t.Errorf("scopes = %q, want %q", r.AssignableScopes, want)
	}
	// Without the subscription-level access, the differently cased resource
	// groups are one scope, in the smallest spelling.
	r = Synthesize(in[:3], Options{})[0]
	if want := []string{"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/RESOURCEGROUPS/RG1"}; len(r.AssignableScopes) != 1 || !strings.EqualFold(r.AssignableScopes[0], want[0]) {
		t.Errorf("scopes = %q, want one spelling of %q", r.AssignableScopes, want)
	}
	if v := Verify(r, in[:3]); len(v) != 0 {
		t.Errorf("role does not allow %+v", v)
	}
}

func TestRejected(t *testing.T) {
	in := []synth.Access{
		access("Microsoft.Compute/*", vm),
		access("*", vm),
		access("*/read", vm),
		access("Microsoft.Compute virtualMachines/write", vm),
		access("Microsoft.Compute/virtualMachines/write\n", vm),
		access("nosplit", vm),
		access("/Microsoft.Compute/x", vm),
		access("Microsoft.Compute//x", vm),
		access("Microsoft.Compute/x/", vm),
		access("Microsoft.Compute/\xff", vm),
		{Provider: "aws", Principal: principal, Action: "s3:GetObject", Resource: "arn:aws:s3:::b"},
		access("Microsoft.Compute/virtualMachines/write", vm),
	}
	r := Synthesize(in, Options{})[0]
	if want := []string{"Microsoft.Compute/virtualMachines/write"}; !reflect.DeepEqual(r.Actions, want) {
		t.Errorf("actions = %q, want %q", r.Actions, want)
	}
	if len(r.Rejected) != len(in)-1 {
		t.Errorf("rejected = %q, want %d", r.Rejected, len(in)-1)
	}
	if !reflect.DeepEqual(r.AssignableScopes, []string{rg}) {
		t.Errorf("rejected accesses added scopes: %q", r.AssignableScopes)
	}
}

func TestUnscoped(t *testing.T) {
	in := []synth.Access{
		access("Microsoft.Support/supportTickets/write", "/providers/Microsoft.Support/supportTickets/t"),
		access("Microsoft.Support/supportTickets/write", "not an id"),
		access("Microsoft.Support/supportTickets/write", ""),
		access("Microsoft.Support/supportTickets/write", vm),
	}
	r := Synthesize(in, Options{})[0]
	want := []string{"", "/providers/Microsoft.Support/supportTickets/t", "not an id"}
	if !reflect.DeepEqual(r.Unscoped, want) {
		t.Errorf("unscoped = %q, want %q", r.Unscoped, want)
	}
	if want := []string{"", "/providers/Microsoft.Support/supportTickets/t", rg, "not an id"}; !reflect.DeepEqual(r.AssignableScopes, want) {
		t.Errorf("scopes = %q, want %q", r.AssignableScopes, want)
	}
	if v := Verify(r, in); len(v) != 0 {
		t.Errorf("role does not allow %+v", v)
	}
}

var roleNameRE = regexp.MustCompile(`^pare-[a-z0-9]{1,8}-[0-9a-f]{8}$`)

func TestNameAndDescription(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC)
	a := access("Microsoft.Compute/virtualMachines/write", vm)
	a.First, a.Last = from.Add(48*time.Hour), to.Add(-48*time.Hour)

	r := Synthesize([]synth.Access{a}, Options{Window: synth.Window{From: from, To: to}})[0]
	if want := "pare-6f1c2a3b-" + strings.ReplaceAll(r.ID, "-", "")[:8]; r.Name != want || !roleNameRE.MatchString(r.Name) {
		t.Errorf("name = %q, want %q", r.Name, want)
	}
	if !strings.Contains(r.Description, "observed 2026-01-01 to 2026-03-31") || !strings.Contains(r.Description, "service-principal "+principal) {
		t.Errorf("description = %q", r.Description)
	}
	// Without a window, the accesses' own first and last times.
	r = Synthesize([]synth.Access{a}, Options{})[0]
	if !strings.Contains(r.Description, "observed 2026-01-03 to 2026-03-29") {
		t.Errorf("description = %q", r.Description)
	}

	for _, p := range []string{"", "${x}", "ÄÖÜ", "\xff\x00", "UPPER-case-0123456789", strings.Repeat("z", 300)} {
		b := a
		b.Principal = p
		r := Synthesize([]synth.Access{b}, Options{})[0]
		if !roleNameRE.MatchString(r.Name) {
			t.Errorf("principal %q: name %q", p, r.Name)
		}
	}
}

// TestPinnedID: the id of a fixed input never changes across releases.
func TestPinnedID(t *testing.T) {
	r := Synthesize([]synth.Access{access("Microsoft.Compute/virtualMachines/write", vm)}, Options{})[0]
	if want := roleID(principal, []string{rg}); r.ID != want {
		t.Fatalf("id %s is not roleID(principal, scopes) %s", r.ID, want)
	}
	const pinned = "84f446d6-7e12-5ea3-bcde-2ce1e28c00d3"
	if r.ID != pinned {
		t.Errorf("id = %s, want %s", r.ID, pinned)
	}
}

// TestWritesResourceGroup: a principal that wrote a resource group may
// have created it, which a role assigned at the group cannot do, so its
// role is assigned at the subscription and a Generalization says why.
func TestWritesResourceGroup(t *testing.T) {
	const write = "Microsoft.Resources/subscriptions/resourceGroups/write"
	app := sub + "/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/st1"
	other := "/subscriptions/S2/resourceGroups/only/providers/Microsoft.Web/sites/s"
	in := []synth.Access{
		access(write, sub+"/resourceGroups/rg-new"),
		access(write, strings.ToUpper(sub)+"/RESOURCEGROUPS/RG-NEW"), // the same group, spelled otherwise
		access("Microsoft.Storage/storageAccounts/write", app),
		access("Microsoft.Web/sites/write", other),
		// Deleting a group needs no more than the group.
		access("Microsoft.Resources/subscriptions/resourceGroups/delete", "/subscriptions/S2/resourceGroups/gone"),
	}
	for _, tc := range []struct {
		scope    Granularity
		scopes   []string
		recorded []string // of the one Generalization; nil: none
	}{
		{ResourceGroup,
			[]string{sub, "/subscriptions/S2/resourceGroups/gone", "/subscriptions/S2/resourceGroups/only"},
			[]string{sub + "/resourceGroups/RG-NEW", sub + "/resourceGroups/rg-app"}},
		{Resource,
			[]string{sub, "/subscriptions/S2/resourceGroups/gone", other},
			[]string{sub + "/resourceGroups/RG-NEW", app}},
		{Subscription, []string{sub, "/subscriptions/S2"}, nil},
	} {
		r := Synthesize(in, Options{Scope: tc.scope})[0]
		if !reflect.DeepEqual(r.AssignableScopes, tc.scopes) {
			t.Errorf("%s: scopes = %q, want %q", tc.scope, r.AssignableScopes, tc.scopes)
		}
		switch {
		case tc.recorded == nil && len(r.Generalizations) != 0:
			t.Errorf("%s: generalizations %+v", tc.scope, r.Generalizations)
		case tc.recorded != nil:
			want := []Generalization{{Scope: sub, Reason: ReasonCreatesResourceGroups, Recorded: tc.recorded}}
			if !reflect.DeepEqual(r.Generalizations, want) {
				t.Errorf("%s: generalizations\n got %+v\nwant %+v", tc.scope, r.Generalizations, want)
			}
		}
		if v := Verify(r, in); len(v) != 0 {
			t.Errorf("%s: role does not allow %+v", tc.scope, v)
		}
	}

	// Writes in more groups than the collapse limit give one
	// Generalization, for the resource groups written.
	var many []synth.Access
	for i := 0; i < 7; i++ {
		many = append(many, access("Microsoft.Web/sites/write", fmt.Sprintf("%s/resourceGroups/g%d/providers/Microsoft.Web/sites/s", sub, i)))
	}
	many = append(many, access(write, sub+"/resourceGroups/g0"))
	r := Synthesize(many, Options{})[0]
	if len(r.Generalizations) != 1 || r.Generalizations[0].Reason != ReasonCreatesResourceGroups || len(r.Generalizations[0].Recorded) != 7 {
		t.Errorf("generalizations = %+v", r.Generalizations)
	}
}
