package loganalytics

import (
	"context"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azlogs"

	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/usage/record"
)

func loadCatalog(t testing.TB) *catalog.Azure {
	t.Helper()
	cat, err := catalog.LoadAzure()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func collect(t *testing.T, s Slice, ws string) ([]record.Event, record.Stats) {
	t.Helper()
	var got []record.Event
	st, err := Events("in", ws, s, loadCatalog(t), func(e *record.Event) error {
		got = append(got, *e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, st
}

const scopeRG = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-001"

func TestEvents(t *testing.T) {
	s := Slice{From: day(1), To: day(2), Rollups: []Rollup{
		{Principal: userOID, PrincipalKind: "user", Caller: "rob@contoso.com", Operation: opDiag, Scope: scopeSA, Outcome: "allowed", Count: 3, First: ts("2025-04-01T08:00:00Z"), Last: ts("2025-04-01T17:00:00Z")},
		{Principal: strings.ToUpper(spOID), PrincipalKind: "", Caller: "app-1", Operation: opKeys, Scope: scopeSA, Outcome: "denied", Count: 1, First: ts("2025-04-01T09:00:00Z"), Last: ts("2025-04-01T09:00:00Z")},
		{Principal: spOID, PrincipalKind: "service-principal", Caller: "app-1", Operation: "Contoso.Widgets/frobs/write", Scope: "/subscriptions/S2", Outcome: "error", Count: 2, First: ts("2025-04-01T10:00:00Z"), Last: ts("2025-04-01T10:00:00Z")},
		{Principal: userOID, PrincipalKind: "user", Operation: opDiag, Scope: scopeSA, Outcome: "allowed", Count: 0, First: ts("2025-04-01T10:00:00Z"), Last: ts("2025-04-01T10:00:00Z")},
		{Principal: userOID, PrincipalKind: "user", Operation: opDiag, Scope: scopeSA, Outcome: "allowed", Count: 1, First: ts("2025-04-01T11:00:00Z"), Last: ts("2025-04-01T10:00:00Z")},
	}}
	got, st := collect(t, s, testWS)
	diag := record.Event{Provider: "azure", Principal: userOID, PrincipalKind: "user", Session: "rob@contoso.com",
		Action: "Microsoft.Insights/DiagnosticSettings/Write", Resource: scopeSA, Scope: scopeRG, Outcome: record.Allowed,
		Service: "MICROSOFT.INSIGHTS", Operation: opDiag, Index: 0, Weight: 3}
	diagFirst, diagLast := diag, diag
	diagFirst.Time, diagLast.Time = ts("2025-04-01T08:00:00Z"), ts("2025-04-01T17:00:00Z")
	keys := record.Event{Provider: "azure", Principal: spOID, PrincipalKind: "unknown", Session: "app-1",
		Action: opKeys, Resource: scopeSA, Scope: scopeRG, Outcome: record.Denied, Time: ts("2025-04-01T09:00:00Z"),
		Service: "Microsoft.Storage", Operation: opKeys, Index: 1, Weight: 1}
	unknown := record.Event{Provider: "azure", Principal: spOID, PrincipalKind: "service-principal", Session: "app-1",
		Unmapped: `unknown Azure operation "Contoso.Widgets/frobs/write"`, Resource: "/subscriptions/S2", Scope: "/subscriptions/s2",
		Outcome: record.Failed, Time: ts("2025-04-01T10:00:00Z"), Service: "Contoso.Widgets", Operation: "Contoso.Widgets/frobs/write", Index: 2, Weight: 2}
	want := []record.Event{diagFirst, diagLast, keys, unknown}
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(got), len(want), got)
	}
	// The two events of one rollup share an id; ids differ between rollups.
	if got[0].EventID != got[1].EventID || got[0].EventID == got[2].EventID || got[2].EventID == got[3].EventID || !strings.HasPrefix(got[0].EventID, "rollup:") || len(got[0].EventID) != len("rollup:")+32 {
		t.Errorf("event ids %q %q %q %q", got[0].EventID, got[1].EventID, got[2].EventID, got[3].EventID)
	}
	for i := range got {
		got[i].EventID = ""
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events:\n got %+v\nwant %+v", got, want)
	}
	if st.Records != 5 || st.Events != 4 || len(st.Problems) != 2 ||
		st.Problems[0] != (record.Problem{Input: "in", Index: 3, Message: "rollup count 0"}) ||
		st.Problems[1] != (record.Problem{Input: "in", Index: 4, Message: "rollup last seen before first seen"}) {
		t.Errorf("stats = %+v", st)
	}
}

// Event ids are per workspace and UTC day, not per slice bound: a day
// queried again, whole or in part, gives the same ids.
func TestEventIDs(t *testing.T) {
	r := Rollup{Principal: userOID, PrincipalKind: "user", Caller: "rob", Operation: opDiag, Scope: scopeSA, Outcome: "allowed", Count: 1, First: ts("2025-04-01T08:00:00Z"), Last: ts("2025-04-01T08:00:00Z")}
	idOf := func(ws string, from, to time.Time, r Rollup) string {
		got, _ := collect(t, Slice{From: from, To: to, Rollups: []Rollup{r}}, ws)
		if len(got) != 1 {
			t.Fatalf("got %d events", len(got))
		}
		return got[0].EventID
	}
	base := idOf(testWS, day(1), day(2), r)
	if got := idOf(testWS, day(1), ts("2025-04-01T10:37:00Z"), r); got != base {
		t.Errorf("part of the day: id %s, want %s", got, base)
	}
	upper := r
	upper.Principal = strings.ToUpper(r.Principal)
	if got := idOf(testWS, day(1), day(2), upper); got != base {
		t.Errorf("upper-case principal: id %s, want %s", got, base)
	}
	other := map[string]string{"next day": idOf(testWS, day(2), day(3), r), "other workspace": idOf("00000000-0000-0000-0000-000000000001", day(1), day(2), r)}
	for _, change := range []func(*Rollup){
		func(r *Rollup) { r.PrincipalKind = "unknown" },
		func(r *Rollup) { r.Caller = "someone" },
		func(r *Rollup) { r.Operation = "Microsoft.Insights/diagnosticSettings/write" },
		func(r *Rollup) { r.Scope = scopeRG },
		func(r *Rollup) { r.Outcome = "error" },
	} {
		c := r
		change(&c)
		other[c.PrincipalKind+c.Caller+c.Operation+c.Scope+c.Outcome] = idOf(testWS, day(1), day(2), c)
	}
	for what, id := range other {
		if id == base {
			t.Errorf("%s: same id %s", what, id)
		}
	}
}

func TestInputRoundTrip(t *testing.T) {
	s := Slice{From: ts("2025-04-01T10:30:00Z"), To: day(2), Rollups: []Rollup{
		{Principal: userOID, PrincipalKind: "user", Caller: "rob", Operation: opDiag, Scope: scopeSA, Outcome: "allowed", Count: 4, First: ts("2025-04-01T10:31:00.1234567Z"), Last: ts("2025-04-01T20:00:00Z")},
	}}
	in, err := Input(testWS, s)
	if err != nil {
		t.Fatal(err)
	}
	if want := "azure-logs://" + testWS + "/2025-04-01T10:30:00Z/2025-04-02T00:00:00Z"; in.Name != want {
		t.Errorf("name = %q, want %q", in.Name, want)
	}
	rc, err := in.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	content, _ := io.ReadAll(rc)
	if int64(len(content)) != in.Size {
		t.Errorf("size %d, content %d bytes", in.Size, len(content))
	}
	var fromRead []record.Event
	st, err := NewReader(loadCatalog(t)).Read(context.Background(), in.Name, strings.NewReader(string(content)), func(e *record.Event) error {
		fromRead = append(fromRead, *e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	direct, _ := collect(t, s, testWS)
	if !reflect.DeepEqual(fromRead, direct) || st.Records != 1 || st.Events != 2 {
		t.Errorf("read back:\n got %+v (%+v)\nwant %+v", fromRead, st, direct)
	}
}

func TestInputChecksSlice(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ws       string
		from, to time.Time
		want     string
	}{
		{"two days", testWS, day(1), day(3), "crosses a UTC day"},
		{"across midnight", testWS, ts("2025-04-01T23:00:00Z"), ts("2025-04-02T01:00:00Z"), "crosses a UTC day"},
		{"empty", testWS, day(1), day(1), "empty"},
		{"workspace", "my-workspace", day(1), day(2), "not a GUID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Input(tc.ws, Slice{From: tc.from, To: tc.to})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestReadRefusesOtherContent(t *testing.T) {
	for _, content := range []string{
		`{"records":[{"operationName":"MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE"}]}`,
		`{"format":"something/else","workspace":"` + testWS + `","from":"2025-04-01T00:00:00Z","to":"2025-04-02T00:00:00Z","rollups":[]}`,
		`{"format":"pare/azure-logs-slice/v1","workspace":"` + testWS + `","from":"2025-04-01T00:00:00Z","to":"2025-04-03T00:00:00Z","rollups":[]}`,
		`{"format":"pare/azure-logs-slice/v1"`,
		``,
	} {
		st, err := NewReader(loadCatalog(t)).Read(context.Background(), "x", strings.NewReader(content), func(*record.Event) error {
			t.Errorf("%s: emitted an event", content)
			return nil
		})
		if err == nil || st.Events != 0 {
			t.Errorf("%s: err = %v, stats %+v; want a failure", content, err, st)
		}
	}
}

func TestQuerySlicesKeepsSlicesApart(t *testing.T) {
	f := &fakeLogs{t: t, answer: func(c call) reply {
		return reply{rows: []azlogs.Row{row(userOID, "user", "rob", opDiag, scopeSA, "allowed", 2, c.from.Format(time.RFC3339), c.from.Format(time.RFC3339))}}
	}}
	from := ts("2025-04-01T12:00:00Z")
	got, rep, err := querySlices(context.Background(), f.client(), Options{Workspace: testWS, From: from, To: day(3)}, testPacing(&noSleep{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || rep.Slices != 2 {
		t.Fatalf("slices = %+v, report %+v", got, rep)
	}
	for i, want := range [][2]time.Time{{from, day(2)}, {day(2), day(3)}} {
		s := got[i]
		if !s.From.Equal(want[0]) || !s.To.Equal(want[1]) || len(s.Rollups) != 1 || s.Rollups[0].Count != 2 || !s.Rollups[0].First.Equal(want[0]) {
			t.Errorf("slice %d = %+v, want [%v, %v) with one rollup of 2 at its start", i, s, want[0], want[1])
		}
	}
}
