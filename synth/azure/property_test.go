package azure

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth"
)

var (
	testPrincipals = []string{"11111111-aaaa-4000-8000-000000000001", "22222222-bbbb-4000-8000-000000000002", "${x}"}
	testActions    = []string{
		"Microsoft.Compute/virtualMachines/write",
		"Microsoft.Compute/virtualMachines/read",
		"MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE",
		"Microsoft.Insights/diagnosticSettings/write",
		"Microsoft.Support/supportTickets/write",
		"Microsoft.Web/sites/restart/action",
		"Microsoft.Storage/storageAccounts/delete",
	}
	testSubs   = []string{"S1", "s1", "S2", "0000-ÄÖ"}
	testGroups = []string{"rg", "RG", "net", "g1", "g2", "g3", "g4", "g5", "g6", "g7"}
	testTypes  = []string{"providers/Microsoft.Compute/virtualMachines/vm", "providers/Microsoft.Web/sites/s/slots/x", "PROVIDERS/microsoft.web/sites/s"}
)

// accessesFrom decodes fuzz bytes into Azure accesses: a few principals,
// operations (some only differing in case), resource ids at every level in
// several casings, malformed ids and raw bytes as ids and operations.
func accessesFrom(data []byte) []synth.Access {
	var out []synth.Access
	for len(data) >= 4 && len(out) < 120 {
		a := synth.Access{
			Provider:      "azure",
			Principal:     testPrincipals[int(data[0])%len(testPrincipals)],
			PrincipalKind: []string{"user", "service-principal", "managed-identity"}[int(data[0]>>4)%3],
			Action:        testActions[int(data[1]&0x3f)%len(testActions)],
			Count:         1,
			Inferred:      data[1]&0x80 != 0,
		}
		s := testSubs[int(data[2])%len(testSubs)]
		g := testGroups[int(data[2]>>2)%len(testGroups)]
		typ := testTypes[int(data[3])%len(testTypes)]
		sel := int(data[3] >> 2)
		data = data[4:]
		switch {
		case sel < 20:
			a.Resource = fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/%s", s, g, typ)
		case sel < 30:
			a.Resource = fmt.Sprintf("/SUBSCRIPTIONS/%s/RESOURCEGROUPS/%s", s, g)
		case sel < 36:
			a.Resource = fmt.Sprintf("/subscriptions/%s/providers/Microsoft.Insights/diagnosticSettings/d", s)
		case sel < 40:
			a.Resource = "/subscriptions/" + s
		case sel < 44:
			a.Resource = "/providers/Microsoft.Management/managementGroups/" + g
		case sel < 48:
			a.Resource = []string{"", "/", "x", "/subscriptions/", rg + "/", "/providers/Microsoft.Support/t/1"}[sel%6]
		case sel < 56:
			n := min(sel%8, len(data))
			a.Resource = fmt.Sprintf("/subscriptions/%s/resourceGroups/%s", s, data[:n])
			data = data[n:]
		default:
			n := min(sel%8, len(data))
			a.Action = "Microsoft.Raw/" + string(data[:n])
			a.Resource = string(data[:n])
			data = data[n:]
		}
		out = append(out, a)
	}
	return out
}

func FuzzSynthesize(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{1, 2, 3, 200, 'a', '*', '/', 0xff, 0, 0, 0, 0})
	var many []byte
	for i := 0; i < 200; i++ {
		many = append(many, byte(i%3), byte(i*7), byte(i*13), byte(i*29))
	}
	f.Add(many)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkProperties(t, accessesFrom(data), uint64(len(data)))
	})
}

// TestPropertiesRandom runs the fuzz properties over random inputs, so they
// hold in every plain go test run.
func TestPropertiesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 300; i++ {
		data := make([]byte, rng.IntN(400))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		checkProperties(t, accessesFrom(data), uint64(i))
	}
}

func checkProperties(t *testing.T, in []synth.Access, seed uint64) {
	t.Helper()
	for _, opts := range []Options{{}, {Scope: Subscription}, {Scope: Resource}, {CollapseResourceGroups: 1}, {CollapseResourceGroups: -1, Scope: Resource}, {Scope: "?"}} {
		roles := Synthesize(in, opts)
		byPrincipal := make(map[string][]synth.Access)
		for _, a := range in {
			byPrincipal[a.Principal] = append(byPrincipal[a.Principal], a)
		}
		if len(roles) != len(byPrincipal) {
			t.Fatalf("%d roles for %d principals", len(roles), len(byPrincipal))
		}
		for i, r := range roles {
			if i > 0 && roles[i-1].Principal >= r.Principal {
				t.Fatalf("roles not sorted by principal")
			}
			mine := byPrincipal[r.Principal]
			checkRole(t, r, mine, opts)
		}

		// Determinism: shuffled input, identical roles.
		shuffled := append([]synth.Access(nil), in...)
		rand.New(rand.NewPCG(seed, 7)).Shuffle(len(shuffled), func(i, j int) {
			shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
		})
		if again := Synthesize(shuffled, opts); !reflect.DeepEqual(again, roles) {
			t.Fatalf("%+v: shuffled input gives different roles:\n%+v\n%+v", opts, again, roles)
		}
	}
}

func checkRole(t *testing.T, r Role, mine []synth.Access, opts Options) {
	t.Helper()
	rejected := make(map[string]bool)
	for _, a := range r.Rejected {
		rejected[a] = true
	}
	seenActions := make(map[string]bool)
	seenSubs := make(map[string]bool)
	seenExact := make(map[string]bool)
	for _, a := range mine {
		if !rejected[a.Action] {
			seenActions[foldKey(a.Action)] = true
		}
		id := parseID(a.Resource)
		if s := id.subscription(); s != "" {
			seenSubs[foldKey(s)] = true
		}
		seenExact[a.Resource] = true
	}

	// Soundness: every access with a granted action is allowed.
	for _, a := range Verify(r, mine) {
		if !rejected[a.Action] {
			t.Fatalf("%+v: role %+v does not allow %+v", opts, r, a)
		}
	}
	// Minimality: only operations seen, case aside.
	if len(r.Actions) != len(seenActions) {
		t.Fatalf("%d actions for %d seen: %q", len(r.Actions), len(seenActions), r.Actions)
	}
	for i, a := range r.Actions {
		if !seenActions[foldKey(a)] || strings.Contains(a, "*") {
			t.Fatalf("action %q was not seen", a)
		}
		if i > 0 && r.Actions[i-1] >= a {
			t.Fatalf("actions not sorted and distinct: %q", r.Actions)
		}
	}
	if len(r.Actions) > 0 && Allows(r, "Microsoft.Unseen/things/write", r.AssignableScopes[0]) {
		t.Fatalf("role allows an operation never seen")
	}
	// Minimality: every scope is in a seen subscription, or is a seen
	// management group, root or unscoped id itself; none covers another.
	for i, s := range r.AssignableScopes {
		id := parseID(s)
		switch id.kind {
		case kindSubscription:
			if !seenSubs[foldKey(id.subscription())] {
				t.Fatalf("scope %q is outside the seen subscriptions", s)
			}
		default:
			found := false
			for _, a := range mine {
				if covers(id, parseID(a.Resource)) {
					found = true
				}
			}
			if !found {
				t.Fatalf("scope %q covers nothing seen", s)
			}
		}
		if opts.Scope == Subscription && id.kind == kindSubscription && len(id.segs) != 2 {
			t.Fatalf("scope %q below a subscription at subscription granularity", s)
		}
		if opts.CollapseResourceGroups < 0 && id.kind == kindSubscription && len(id.segs) == 2 && !seenExact[s] {
			exact := false
			for _, a := range mine {
				if strings.EqualFold(a.Resource, s) {
					exact = true
				}
			}
			if !exact {
				t.Fatalf("scope %q widened to a subscription with collapsing off", s)
			}
		}
		for j, o := range r.AssignableScopes {
			if i != j && covers(parseID(o), id) {
				t.Fatalf("scope %q lies under %q", s, o)
			}
		}
		if i > 0 && r.AssignableScopes[i-1] >= s {
			t.Fatalf("scopes not sorted: %q", r.AssignableScopes)
		}
	}
	if r.ID != roleID(r.Principal, r.AssignableScopes) || !uuidV5RE.MatchString(r.ID) || !roleNameRE.MatchString(r.Name) {
		t.Fatalf("id %q or name %q", r.ID, r.Name)
	}
	if r.NotActions == nil || r.DataActions == nil || r.NotDataActions == nil || r.AssignableScopes == nil {
		t.Fatalf("nil list in %+v", r)
	}
}
