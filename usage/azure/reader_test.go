package azure

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/usage/record"
)

// TestShapes reads the same operations in every shape and checks that they
// give the same events.
func TestShapes(t *testing.T) {
	ops := []op{
		{corr: "c1", status: "Start", time: "2025-04-15T10:00:00Z"},
		{corr: "c1", status: "Success", time: "2025-04-15T10:00:05.5Z", sig: "OK"},
		{corr: "c2", name: "Microsoft.Network/networkSecurityGroups/write", status: "Failure", sig: "Conflict",
			resource: "/subscriptions/" + testSub + "/resourcegroups/rg-one/providers/Microsoft.Network/networkSecurityGroups/nsg1",
			time:     "2025-04-15T10:01:00Z"},
		{corr: "c3", name: "Microsoft.Storage/storageAccounts/listKeys/action", status: "Failure", sig: "Forbidden",
			message:  `{"error":{"code":"AuthorizationFailed","message":"no"}}`,
			resource: "/subscriptions/" + testSub + "/resourceGroups/Other/providers/Microsoft.Storage/storageAccounts/st1",
			time:     "2025-04-15T10:02:00Z"},
		{corr: "c4", name: "Microsoft.Unknown/things/write", time: "2025-04-15T10:03:00Z"},
	}
	var exp, rest []string
	for _, o := range ops {
		exp = append(exp, o.export(t, nil))
		rest = append(rest, o.rest(t, nil))
	}
	var pretty bytes.Buffer
	for _, r := range rest {
		if err := jsonIndent(&pretty, r); err != nil {
			t.Fatal(err)
		}
		pretty.WriteString("\n")
	}
	shapes := []struct {
		name string
		data []byte
	}{
		{"export", exportFile(exp...)},
		{"export gzip", gz(t, exportFile(exp...))},
		{"export JSON Lines", jsonLines(exp...)},
		{"Event Hub messages a line", jsonLines(string(exportFile(exp[:2]...)), string(exportFile(exp[2:]...)))},
		{"REST page", restPage(rest...)},
		{"REST pages a line", jsonLines(string(restPage(rest[:3]...)), string(restPage(rest[3:]...)))},
		{"az list", azList(rest...)},
		{"REST JSON Lines", jsonLines(rest...)},
		{"REST pretty concatenated", pretty.Bytes()},
		{"mixed lines", jsonLines(exp[0], rest[1], exp[2], rest[3], exp[4])},
	}
	want, st := mustRead(t, shapes[0].data)
	if st.Records != len(ops) {
		t.Fatalf("records = %d, want %d", st.Records, len(ops))
	}
	// c1: the action; c2: the failed write; c3: the denied listKeys;
	// c4: unmapped. No inferred reads: synthesis adds them.
	if len(want) != 4 {
		t.Fatalf("export gave %d events, want 4: %+v", len(want), want)
	}
	for _, s := range shapes[1:] {
		t.Run(s.name, func(t *testing.T) {
			got, st := mustRead(t, s.data)
			if st.Records != len(ops) {
				t.Errorf("records = %d, want %d", st.Records, len(ops))
			}
			if g, w := keys(got), keys(want); !reflect.DeepEqual(g, w) {
				t.Errorf("events differ from the export's:\n got %+v\nwant %+v", g, w)
			}
			for _, ev := range got {
				checkEvent(t, ev)
			}
		})
	}
}

// TestOperationHalves checks that one operation gives exactly one event
// whatever halves of it the input holds, in any order.
func TestOperationHalves(t *testing.T) {
	start := op{status: "Start", time: "2025-04-15T10:00:00Z"}
	accept := op{status: "Accept", time: "2025-04-15T10:00:01Z"}
	done := op{status: "Success", time: "2025-04-15T10:00:09Z"}
	failed := op{status: "Failure", sig: "InternalServerError", time: "2025-04-15T10:00:09Z"}
	cases := []struct {
		name    string
		recs    []op
		time    string // of the kept event
		outcome record.Outcome
	}{
		{"start and success", []op{start, done}, done.time, record.Allowed},
		{"success before start", []op{done, start}, done.time, record.Allowed},
		{"started, accepted, succeeded", []op{start, accept, done}, done.time, record.Allowed},
		{"start and failure", []op{start, failed}, failed.time, record.Failed},
		{"start only", []op{start}, start.time, record.Allowed},
		{"accepted only", []op{accept, start}, accept.time, record.Allowed},
	}
	for _, c := range cases {
		for _, shape := range []string{"export", "rest"} {
			t.Run(c.name+" "+shape, func(t *testing.T) {
				var recs []string
				for _, o := range c.recs {
					if shape == "export" {
						recs = append(recs, o.export(t, nil))
					} else {
						recs = append(recs, o.rest(t, nil))
					}
				}
				evs, _ := mustRead(t, exportFile(recs...))
				if len(evs) != 1 {
					t.Fatalf("%d events, want 1 (the operation only): %+v", len(evs), evs)
				}
				ev := evs[0]
				if ev.Action != "Microsoft.Compute/virtualMachines/start/action" || ev.Inferred ||
					ev.Time.Format(time.RFC3339Nano) != c.time || ev.Outcome != c.outcome {
					t.Errorf("event %+v, want start/action at %s, %s", ev, c.time, c.outcome)
				}
			})
		}
	}
}

// TestPendingOrder checks that operations whose outcome is missing come
// out at the end of the input in record order.
func TestPendingOrder(t *testing.T) {
	var recs []string
	for _, c := range []string{"z", "y", "x"} {
		recs = append(recs, op{corr: c, status: "Start", name: "Microsoft.Resources/deployments/write"}.export(t, nil))
	}
	recs = append(recs, op{corr: "w"}.export(t, nil))
	evs, _ := mustRead(t, exportFile(recs...))
	var idx []int
	for _, ev := range evs {
		idx = append(idx, ev.Index)
	}
	if want := []int{3, 0, 1, 2}; !reflect.DeepEqual(idx, want) {
		t.Errorf("record indexes of the events %v, want %v", idx, want)
	}
}

func TestOutcome(t *testing.T) {
	cases := []struct {
		name    string
		rec     func(t testing.TB) string
		outcome record.Outcome
		code    string
	}{
		{"success", func(t testing.TB) string { return op{sig: "Created"}.export(t, nil) }, record.Allowed, ""},
		{"AuthorizationFailed in statusMessage", func(t testing.TB) string {
			return op{status: "Failure", sig: "Forbidden", message: `{"error":{"code":"AuthorizationFailed","message":"The client does not have authorization"}}`}.export(t, nil)
		}, record.Denied, "AuthorizationFailed"},
		{"Forbidden signature", func(t testing.TB) string { return op{status: "Failure", sig: "Forbidden"}.export(t, nil) },
			record.Denied, "Forbidden"},
		{"REST Forbidden subStatus", func(t testing.TB) string { return op{status: "Failure", sig: "Forbidden"}.rest(t, nil) },
			record.Denied, "Forbidden"},
		{"403 status code", func(t testing.TB) string {
			return op{status: "Failure"}.export(t, map[string]any{"resultSignature": "Failed.", "properties": map[string]any{
				"eventCategory": "Administrative", "statusCode": 403}})
		}, record.Denied, "403"},
		{"linked authorization", func(t testing.TB) string {
			return op{status: "Failure", message: `{"code":"LinkedAuthorizationFailed","message":"x"}`}.rest(t, nil)
		}, record.Denied, "LinkedAuthorizationFailed"},
		{"conflict", func(t testing.TB) string { return op{status: "Failure", sig: "Conflict"}.export(t, nil) },
			record.Failed, "Conflict"},
		{"error in statusMessage", func(t testing.TB) string {
			return op{status: "Failure", sig: "BadRequest", message: `{"error":{"code":"InvalidParameter"}}`}.rest(t, nil)
		}, record.Failed, "InvalidParameter"},
		{"canceled", func(t testing.TB) string {
			return op{}.rest(t, map[string]any{"status": map[string]any{"value": "Canceled"}})
		},
			record.Failed, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs, _ := mustRead(t, exportFile(c.rec(t)))
			// One event whatever the outcome: the reads an allowed or
			// failed operation implies are inferred at synthesis.
			if len(evs) != 1 || evs[0].Inferred {
				t.Fatalf("events %+v, want exactly the operation", evs)
			}
			if evs[0].Outcome != c.outcome || evs[0].ErrorCode != c.code {
				t.Errorf("outcome %s, code %q; want %s, %q", evs[0].Outcome, evs[0].ErrorCode, c.outcome, c.code)
			}
		})
	}
}

func TestCategories(t *testing.T) {
	cat := func(c string) map[string]any {
		return map[string]any{"category": c, "properties": map[string]any{"eventCategory": c}}
	}
	var recs []string
	for _, c := range []string{"ServiceHealth", "RESOURCEHEALTH", "alert", "Autoscale", "Recommendation", "Policy", "Security", "Nonsense"} {
		recs = append(recs, op{corr: c}.export(t, cat(c)))
	}
	recs = append(recs,
		op{corr: "old"}.export(t, map[string]any{"category": "Write", "properties": map[string]any{}}),
		op{corr: "admin"}.export(t, map[string]any{"category": "ADMINISTRATIVE", "properties": map[string]any{}}),
		op{corr: "prop"}.export(t, map[string]any{"category": "Write", "properties": map[string]any{"eventCategory": "Policy"}}),
		op{corr: "rest"}.rest(t, map[string]any{"category": map[string]any{"value": "Alert"}}),
	)
	evs, st := mustRead(t, exportFile(recs...))
	want := map[string]int{"ServiceHealth": 1, "ResourceHealth": 1, "Alert": 2, "Autoscale": 1, "Recommendation": 1,
		"Policy": 2, "Security": 1, SkipOtherCategory: 1}
	if !reflect.DeepEqual(st.Skipped, want) {
		t.Errorf("skipped %v, want %v", st.Skipped, want)
	}
	if len(evs) != 2 || evs[0].Index != 8 || evs[1].Index != 9 {
		t.Errorf("events %+v, want the two Administrative records' (8 and 9)", evs)
	}
}

func TestPrincipal(t *testing.T) {
	mi := "/subscriptions/" + testSub + "/resourcegroups/rg-one/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"
	cases := []struct {
		name                  string
		identity              any
		principal, kind, sess string
	}{
		{"user claims", map[string]any{"claims": aliceClaims()}, aliceOID, "user", "alice@contoso.com"},
		{"evidence only", map[string]any{"authorization": map[string]any{"evidence": map[string]any{
			"principalId": "ABCDEF038C6444C18F1C31311FABCDEF", "principalType": "ServicePrincipal"}}},
			"abcdef03-8c64-44c1-8f1c-31311fabcdef", "service-principal", ""},
		{"managed identity", map[string]any{"claims": map[string]any{"oid": "m1", "xms_mirid": mi, "appid": "app-1", "idtyp": "app"},
			"authorization": map[string]any{"evidence": map[string]any{"principalId": "m1", "principalType": "ServicePrincipal"}}},
			"m1", "managed-identity", mi},
		{"app token", map[string]any{"claims": map[string]any{"oid": "S1", "appid": "app-1", "idtyp": "app"}}, "s1", "service-principal", "app-1"},
		{"app token without idtyp", map[string]any{"claims": map[string]any{"oid": "s1", "appid": "app-1"}}, "s1", "service-principal", "app-1"},
		{"group", map[string]any{"authorization": map[string]any{"evidence": map[string]any{"principalId": "g1", "principalType": "Group"}}},
			"g1", "group", ""},
		{"upn with spaces", map[string]any{"claims": map[string]any{"oid": "u1", "upn": " bob@contoso.com "}}, "u1", "user", "bob@contoso.com"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs, _ := mustRead(t, exportFile(op{}.export(t, map[string]any{"identity": c.identity})))
			ev := evs[0]
			if ev.Principal != c.principal || ev.PrincipalKind != c.kind || ev.Session != c.sess {
				t.Errorf("principal %q kind %q session %q; want %q %q %q", ev.Principal, ev.PrincipalKind, ev.Session, c.principal, c.kind, c.sess)
			}
		})
	}
	t.Run("claims win over evidence", func(t *testing.T) {
		evs, _ := mustRead(t, exportFile(op{}.export(t, nil)))
		if evs[0].Principal != aliceOID || evs[0].PrincipalKind != "user" {
			t.Errorf("event %+v", evs[0])
		}
	})
	t.Run("REST caller as session", func(t *testing.T) {
		evs, _ := mustRead(t, restPage(op{}.rest(t, map[string]any{"claims": map[string]any{"oid": "x1", "idtyp": "user"}})))
		if evs[0].Session != "alice@contoso.com" || evs[0].PrincipalKind != "user" {
			t.Errorf("event %+v", evs[0])
		}
	})
	t.Run("identity as a string", func(t *testing.T) {
		_, st, err := read(t, NewReader(fakeCatalog{}, Options{}), "x", exportFile(op{}.export(t, map[string]any{"identity": "John Doe"})))
		if err != nil || len(st.Problems) != 1 || !strings.Contains(st.Problems[0].Message, "no principal") {
			t.Errorf("err %v, problems %v: want one 'no principal' problem", err, st.Problems)
		}
	})
}

func TestScope(t *testing.T) {
	cases := []struct{ resource, sub, rg, want string }{
		{"/subscriptions/S1/resourceGroups/My-RG/providers/Microsoft.Compute/virtualMachines/VM", "", "", "/subscriptions/s1/resourceGroups/my-rg"},
		{"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/MY-RG", "", "", "/subscriptions/s1/resourceGroups/my-rg"},
		{"/subscriptions/s1/resourcegroups/my-rg/", "", "", "/subscriptions/s1/resourceGroups/my-rg"},
		{"/subscriptions/S1/providers/microsoft.insights/diagnosticSettings/x", "", "", "/subscriptions/s1"},
		{"/subscriptions/s1", "", "", "/subscriptions/s1"},
		{"/providers/Microsoft.Management/managementGroups/MG1/providers/x", "", "", "/providers/Microsoft.Management/managementGroups/mg1"},
		{"", "S2", "RG2", "/subscriptions/s2/resourceGroups/rg2"},
		{"", "S2", "", "/subscriptions/s2"},
		{"/RESOURCE_ID", "", "", "/"},
		{"", "", "", "/"},
		{"", "a/b", "", "/"},
	}
	for _, c := range cases {
		if got := scopeOf(c.resource, c.sub, c.rg); got != c.want {
			t.Errorf("scopeOf(%q, %q, %q) = %q, want %q", c.resource, c.sub, c.rg, got, c.want)
		}
	}
}

// TestGrantOnlyFromOwnEvidence: the role assignment is kept only when the
// authorization evidence is about the event's own principal.
func TestGrantOnlyFromOwnEvidence(t *testing.T) {
	other := map[string]any{"identity": map[string]any{
		"claims": map[string]any{"http://schemas.microsoft.com/identity/claims/objectidentifier": aliceOID},
		"authorization": map[string]any{"evidence": map[string]any{
			"principalId": "99999999999999999999999999999999", "roleAssignmentId": "44444444444444444444444444444444"}},
	}}
	evs, _ := mustRead(t, exportFile(op{}.export(t, other)))
	if len(evs) != 1 || evs[0].Principal != aliceOID || evs[0].Grant != "" {
		t.Errorf("events = %+v; want alice's event without the other principal's role assignment", evs)
	}
}

func TestEventFields(t *testing.T) {
	evs, _ := mustRead(t, exportFile(op{}.export(t, map[string]any{"location": "westeurope"})))
	ev := evs[0]
	want := record.Event{
		Provider: "azure", EventID: ev.EventID, Time: time.Date(2025, 4, 15, 10, 16, 32, 987344100, time.UTC),
		Principal: aliceOID, PrincipalKind: "user", Session: "alice@contoso.com",
		Action: "Microsoft.Compute/virtualMachines/start/action", Resource: strings.ToUpper(vmID), Scope: testScope,
		Region: "westeurope", Outcome: record.Allowed, Service: "MICROSOFT.COMPUTE",
		Operation: "MICROSOFT.COMPUTE/VIRTUALMACHINES/START/ACTION",
		Grant:     "33333333333333333333333333333333", // the evidence's roleAssignmentId: it is about this principal
	}
	if ev != want {
		t.Errorf("event\n %+v\nwant\n %+v", ev, want)
	}
	if !strings.HasPrefix(ev.EventID, "azure:") || len(ev.EventID) != len("azure:")+32 {
		t.Errorf("EventID %q", ev.EventID)
	}
	other, _ := mustRead(t, exportFile(op{corr: "other"}.export(t, nil)))
	if other[0].EventID == ev.EventID {
		t.Error("operations with different correlation ids share an EventID")
	}
}

func TestUnmapped(t *testing.T) {
	evs, _ := mustRead(t, exportFile(op{name: "Microsoft.Nope/widgets/write"}.export(t, nil)))
	if len(evs) != 1 || evs[0].Action != "" || !strings.Contains(evs[0].Unmapped, "MICROSOFT.NOPE/WIDGETS/WRITE") {
		t.Errorf("events %+v, want one unmapped", evs)
	}
}

func TestEmitErrorStops(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	data := exportFile(op{corr: "a"}.export(t, nil), op{corr: "b"}.export(t, nil))
	_, err := NewReader(fakeCatalog{}, Options{}).Read(context.Background(), "x", bytes.NewReader(data), func(*record.Event) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("err %v after %d events, want stop after 1", err, n)
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewReader(fakeCatalog{}, Options{}).Read(ctx, "x", bytes.NewReader(exportFile(op{}.export(t, nil))),
		func(*record.Event) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}

// FuzzRead feeds arbitrary content to the reader: it must never panic and
// never emit an event without a principal, a time or an EventID.
func FuzzRead(f *testing.F) {
	for _, s := range [][]byte{
		exportFile(op{}.export(f, nil)),
		restPage(op{status: "Start"}.rest(f, nil)),
		jsonLines(op{status: "Failure", sig: "Forbidden"}.export(f, nil), op{}.rest(f, nil)),
		azList(op{}.rest(f, nil)),
		[]byte(`{"records":[{"time":"2022-11-11T04:48:27Z","resourceId":"/R","operationName":"x","category":"Administrative","resultType":"Success","identity":"John Doe"}]}`),
		[]byte(`{"records":[{"category":{"value":"Administrative"},"identity":{"claims":{"oid":1}}}]}`),
	} {
		f.Add(s)
	}
	for _, name := range realFiles {
		if b, err := readTestdata(name); err == nil {
			f.Add(b)
		}
	}
	r := NewReader(fakeCatalog{}, Options{MaxRecordBytes: 1 << 16})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = r.Read(context.Background(), "fuzz", bytes.NewReader(data), func(ev *record.Event) error {
			if ev.Principal == "" || ev.Time.IsZero() || ev.EventID == "" || ev.Provider != "azure" {
				t.Fatalf("incomplete event %+v", ev)
			}
			return nil
		})
	})
}
