package loganalytics

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azlogs"

	"github.com/leastpriv/pare/usage/internal/retry"
)

const (
	userOID = "f409edeb-4d29-44b5-9763-ee9348ad91bb"
	spOID   = "abcdef03-8c64-44c1-8f1c-31311fabcdef"
	scopeSA = "/subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups/rg-001/providers/microsoft.storage/storageaccounts/sa1"
	opDiag  = "MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE"
	opKeys  = "Microsoft.Storage/storageAccounts/listKeys/action"
)

func TestQueryDecodesRows(t *testing.T) {
	f := &fakeLogs{t: t, answer: func(c call) reply {
		return reply{rows: []azlogs.Row{
			row(userOID, "user", "rob@contoso.com", opDiag, scopeSA, "allowed", 3, "2025-04-01T10:16:32.9873441Z", "2025-04-01T18:00:00Z"),
			// The same principal as recorded by role assignment evidence:
			// 32 digits, no dashes, upper case. It merges with the next row.
			row("ABCDEF038C6444C18F1C31311FABCDEF", "service-principal", "app-1", opKeys, scopeSA, "denied", 1, "2025-04-01T05:00:00Z", "2025-04-01T05:00:00Z"),
			row(spOID, "service-principal", "app-1", opKeys, scopeSA, "denied", 2, "2025-04-01T06:00:00Z", "2025-04-01T07:00:00Z"),
			row(spOID, "service-principal", "app-1", opKeys, scopeSA, "error", 1, "2025-04-01T08:00:00Z", "2025-04-01T08:00:00Z"),
			// No principal (a group in the evidence, no claims): skipped, counted.
			row("", "", "", opDiag, scopeSA, "allowed", 4, "2025-04-01T01:00:00Z", "2025-04-01T02:00:00Z"),
		}}
	}}
	got, rep, err := query(context.Background(), f.client(), Options{Workspace: testWS, From: day(1), To: day(2)}, testPacing(&noSleep{}))
	if err != nil {
		t.Fatal(err)
	}
	want := []Rollup{
		{Principal: spOID, PrincipalKind: "service-principal", Caller: "app-1", Operation: opKeys, Scope: scopeSA, Outcome: "denied", Count: 3, First: ts("2025-04-01T05:00:00Z"), Last: ts("2025-04-01T07:00:00Z")},
		{Principal: spOID, PrincipalKind: "service-principal", Caller: "app-1", Operation: opKeys, Scope: scopeSA, Outcome: "error", Count: 1, First: ts("2025-04-01T08:00:00Z"), Last: ts("2025-04-01T08:00:00Z")},
		{Principal: userOID, PrincipalKind: "user", Caller: "rob@contoso.com", Operation: opDiag, Scope: scopeSA, Outcome: "allowed", Count: 3, First: ts("2025-04-01T10:16:32.9873441Z"), Last: ts("2025-04-01T18:00:00Z")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rollups:\n got %+v\nwant %+v", got, want)
	}
	if rep.Skipped["no principal"] != 4 || rep.Slices != 1 || rep.Queries != 1 || rep.Rows != 5 || rep.Splits != 0 {
		t.Errorf("report = %+v", rep)
	}
	if len(f.calls) != 1 {
		t.Fatalf("%d queries, want 1", len(f.calls))
	}
	c := f.calls[0]
	if c.workspace != testWS {
		t.Errorf("workspace = %q", c.workspace)
	}
	if c.wait != serverWait {
		t.Errorf("server wait = %d, want %d", c.wait, serverWait)
	}
	if c.timespan != "2025-04-01T00:00:00Z/2025-04-02T00:00:00Z" {
		t.Errorf("timespan = %q", c.timespan)
	}
}

func TestQuerySlicesAndCombines(t *testing.T) {
	f := &fakeLogs{t: t, answer: func(c call) reply {
		mid := c.from.Add(c.to.Sub(c.from) / 2).Format(time.RFC3339)
		return reply{rows: []azlogs.Row{row(userOID, "user", "rob@contoso.com", opDiag, scopeSA, "allowed", 2, c.from.Format(time.RFC3339), mid)}}
	}}
	from := ts("2025-04-01T12:00:00Z")
	got, rep, err := query(context.Background(), f.client(), Options{Workspace: testWS, From: from, To: day(4)}, testPacing(&noSleep{}))
	if err != nil {
		t.Fatal(err)
	}
	// Slices are aligned to whole UTC days and clipped to the window.
	wantSlices := [][2]time.Time{{from, day(2)}, {day(2), day(3)}, {day(3), day(4)}}
	if s := f.slices(); !reflect.DeepEqual(s, wantSlices) {
		t.Errorf("slices queried = %v, want %v", s, wantSlices)
	}
	want := []Rollup{{Principal: userOID, PrincipalKind: "user", Caller: "rob@contoso.com", Operation: opDiag, Scope: scopeSA, Outcome: "allowed", Count: 6, First: from, Last: ts("2025-04-03T12:00:00Z")}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rollups:\n got %+v\nwant %+v", got, want)
	}
	if rep.Slices != 3 || rep.Queries != 3 {
		t.Errorf("report = %+v", rep)
	}
	// Each query's own KQL carries its slice's bounds, half-open.
	for i, c := range f.calls {
		lo := "TimeGenerated >= datetime(" + kqlTime(wantSlices[i][0]) + ")"
		hi := "TimeGenerated < datetime(" + kqlTime(wantSlices[i][1]) + ")"
		if !strings.Contains(c.kql, lo) || !strings.Contains(c.kql, hi) {
			t.Errorf("query %d lacks %q and %q:\n%s", i, lo, hi, c.kql)
		}
	}
}

func TestQuerySplitsPartialResult(t *testing.T) {
	f := &fakeLogs{t: t, answer: func(c call) reply {
		if c.to.Sub(c.from) > 6*time.Hour {
			// What the service does past a limit: some rows and an error.
			return reply{partial: "PartialError", rows: []azlogs.Row{row(userOID, "user", "u", opDiag, scopeSA, "allowed", 1000, "2025-04-01T00:00:00Z", "2025-04-01T00:00:00Z")}}
		}
		return reply{rows: []azlogs.Row{row(userOID, "user", "u", opDiag, scopeSA, "allowed", 1, c.from.Format(time.RFC3339), c.from.Format(time.RFC3339))}}
	}}
	got, rep, err := query(context.Background(), f.client(), Options{Workspace: testWS, From: day(1), To: day(2)}, testPacing(&noSleep{}))
	if err != nil {
		t.Fatal(err)
	}
	h := func(n int) time.Time { return day(1).Add(time.Duration(n) * time.Hour) }
	wantSlices := [][2]time.Time{{h(0), h(24)}, {h(0), h(12)}, {h(0), h(6)}, {h(6), h(12)}, {h(12), h(24)}, {h(12), h(18)}, {h(18), h(24)}}
	if s := f.slices(); !reflect.DeepEqual(s, wantSlices) {
		t.Errorf("slices queried = %v, want %v", s, wantSlices)
	}
	// The partial results' rows are never used: 4 quarter-days of 1.
	if len(got) != 1 || got[0].Count != 4 || !got[0].First.Equal(h(0)) || !got[0].Last.Equal(h(18)) {
		t.Errorf("rollups = %+v", got)
	}
	if rep.Splits != 3 || rep.Slices != 4 || rep.Queries != 7 || rep.Rows != 4 {
		t.Errorf("report = %+v", rep)
	}
}

func TestQuerySplitsNearRowLimit(t *testing.T) {
	f := &fakeLogs{t: t, answer: func(c call) reply {
		r := []azlogs.Row{row(userOID, "user", "u", opDiag, scopeSA, "allowed", 1, "2025-04-01T00:00:00Z", "2025-04-01T00:00:00Z")}
		if c.to.Sub(c.from) > 12*time.Hour {
			r = append(r, row(spOID, "service-principal", "a", opKeys, scopeSA, "allowed", 1, "2025-04-01T00:00:00Z", "2025-04-01T00:00:00Z"))
		}
		return reply{rows: r}
	}}
	got, rep, err := query(context.Background(), f.client(), Options{Workspace: testWS, From: day(1), To: day(2), MaxRowsPerSlice: 2}, testPacing(&noSleep{}))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Splits != 1 || rep.Slices != 2 || len(got) != 1 || got[0].Count != 2 {
		t.Errorf("report = %+v, rollups = %+v", rep, got)
	}
}

func TestQuerySplitsTimeout(t *testing.T) {
	f := &fakeLogs{t: t, answer: func(c call) reply {
		if c.to.Sub(c.from) > 12*time.Hour {
			return reply{status: http.StatusGatewayTimeout, code: "GatewayTimeout"}
		}
		return reply{}
	}}
	_, rep, err := query(context.Background(), f.client(), Options{Workspace: testWS, From: day(1), To: day(2)}, testPacing(&noSleep{}))
	if err != nil || rep.Splits != 1 || rep.Slices != 2 {
		t.Errorf("err = %v, report = %+v", err, rep)
	}
}

func TestQueryPartialAtShortestSliceFails(t *testing.T) {
	f := &fakeLogs{t: t, answer: func(c call) reply { return reply{partial: "PartialError"} }}
	got, _, err := query(context.Background(), f.client(), Options{Workspace: testWS, From: day(1), To: day(1).Add(time.Hour)}, testPacing(&noSleep{}))
	if err == nil {
		t.Fatalf("no error; rollups %+v", got)
	}
	// Depth first: 60m, 30m, 15m, 7m30s, 3m45s, 1m52s (shorter than two
	// minimum slices): the first leaf fails, naming itself.
	for _, want := range []string{"azure-logs://" + testWS, "slice 2025-04-01T00:00:00Z/2025-04-01T00:01:52Z", "partial result (PartialError)", "shortest"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if n := len(f.calls); n != 6 {
		t.Errorf("%d queries, want 6", n)
	}
}

func TestQueryHardErrorNamesSlice(t *testing.T) {
	f := &fakeLogs{t: t, answer: func(c call) reply {
		if c.from.Equal(day(2)) {
			return reply{status: http.StatusBadRequest, code: "BadArgumentError"}
		}
		return reply{rows: []azlogs.Row{row(userOID, "user", "u", opDiag, scopeSA, "allowed", 1, "2025-04-01T00:00:00Z", "2025-04-01T00:00:00Z")}}
	}}
	got, _, err := query(context.Background(), f.client(), Options{Workspace: testWS, From: day(1), To: day(4)}, testPacing(&noSleep{}))
	if err == nil {
		t.Fatal("no error")
	}
	if got != nil {
		t.Errorf("rollups returned with the error: %+v", got)
	}
	for _, want := range []string{"azure-logs://" + testWS, "slice 2025-04-02T00:00:00Z/2025-04-03T00:00:00Z", "BadArgumentError"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	// No retry of a bad request, no split, and no query past the failure.
	if n := len(f.calls); n != 2 {
		t.Errorf("%d queries, want 2", n)
	}
}

func TestQueryRetriesThrottling(t *testing.T) {
	tries := 0
	f := &fakeLogs{t: t, answer: func(c call) reply {
		tries++
		if tries <= 2 {
			return reply{status: http.StatusTooManyRequests, code: "TooManyRequests"}
		}
		if tries == 3 {
			return reply{partial: "ThrottledError"} // throttling reported in the body
		}
		return reply{rows: []azlogs.Row{row(userOID, "user", "u", opDiag, scopeSA, "allowed", 1, "2025-04-01T00:00:00Z", "2025-04-01T00:00:00Z")}}
	}}
	s := &noSleep{}
	got, rep, err := query(context.Background(), f.client(), Options{Workspace: testWS, From: day(1), To: day(2)}, testPacing(s))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || rep.Retries != 3 || rep.Queries != 4 || rep.Splits != 0 {
		t.Errorf("report = %+v, rollups = %+v", rep, got)
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}; !reflect.DeepEqual(s.waits, want) {
		t.Errorf("waits = %v, want %v", s.waits, want)
	}
}

func TestQueryGivesUpWhenThrottled(t *testing.T) {
	f := &fakeLogs{t: t, answer: func(c call) reply { return reply{status: http.StatusTooManyRequests, code: "TooManyRequests"} }}
	_, _, err := query(context.Background(), f.client(), Options{Workspace: testWS, From: day(1), To: day(2)}, testPacing(&noSleep{}))
	if err == nil || !strings.Contains(err.Error(), "still throttled after 4 tries") || !strings.Contains(err.Error(), "slice 2025-04-01T00:00:00Z/2025-04-02T00:00:00Z") {
		t.Errorf("err = %v", err)
	}
	if len(f.calls) != 4 {
		t.Errorf("%d queries, want 4", len(f.calls))
	}
}

func TestQueryHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &fakeLogs{t: t, answer: func(c call) reply { return reply{status: http.StatusTooManyRequests, code: "TooManyRequests"} }}
	pace := retry.Backoff{Attempts: 100, First: time.Hour, Max: time.Hour, Sleep: func(ctx context.Context, d time.Duration) error {
		cancel() // the user gives up while Query waits
		return retry.Sleep(ctx, d)
	}}
	start := time.Now()
	_, _, err := query(ctx, f.client(), Options{Workspace: testWS, From: day(1), To: day(2)}, pace)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("cancellation took %s", time.Since(start))
	}
	if len(f.calls) != 1 {
		t.Errorf("%d queries, want 1", len(f.calls))
	}
}

func TestQueryBadResults(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    reply
		want string
	}{
		{"missing column", reply{cols: []string{colPrincipal}}, `no "kind" column`},
		{"bad outcome", reply{rows: []azlogs.Row{row(userOID, "user", "u", opDiag, scopeSA, "maybe", 1, "2025-04-01T00:00:00Z", "2025-04-01T00:00:00Z")}}, `unexpected outcome "maybe"`},
		{"bad time", reply{rows: []azlogs.Row{row(userOID, "user", "u", opDiag, scopeSA, "allowed", 1, "yesterday", "2025-04-01T00:00:00Z")}}, `column "firstSeen"`},
		{"bad count", reply{rows: []azlogs.Row{row(userOID, "user", "u", opDiag, scopeSA, "allowed", 0, "2025-04-01T00:00:00Z", "2025-04-01T00:00:00Z")}}, "count 0"},
		{"number for string", reply{rows: []azlogs.Row{{1, "user", "u", opDiag, scopeSA, "allowed", 1, "2025-04-01T00:00:00Z", "2025-04-01T00:00:00Z"}}}, `column "principal": want a string`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeLogs{t: t, answer: func(c call) reply { return tc.r }}
			_, _, err := query(context.Background(), f.client(), Options{Workspace: testWS, From: day(1), To: day(2)}, testPacing(&noSleep{}))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "slice 2025-04-01T00:00:00Z/2025-04-02T00:00:00Z") {
				t.Errorf("err = %v, want one naming the slice and %q", err, tc.want)
			}
		})
	}
}

func TestQueryOptions(t *testing.T) {
	f := &fakeLogs{t: t, answer: func(c call) reply { return reply{} }}
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"workspace", Options{Workspace: "my-workspace", From: day(1), To: day(2)}, "not a GUID"},
		{"no start", Options{Workspace: testWS, To: day(2)}, "both a start and an end"},
		{"reversed", Options{Workspace: testWS, From: day(2), To: day(1)}, "not before its end"},
		{"negative", Options{Workspace: testWS, From: day(1), To: day(2), MaxRowsPerSlice: -1}, "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := query(context.Background(), f.client(), tc.o, testPacing(&noSleep{}))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	if len(f.calls) != 0 {
		t.Errorf("%d queries sent for bad options", len(f.calls))
	}
}

func TestErrorInfoMessage(t *testing.T) {
	// The body the service sends with a partial result past the row limit.
	body := `{"code":"PartialError","message":"There were some errors when processing your query.","details":[{"code":"EngineError","message":"Something went wrong processing your query on the server.","innererror":{"code":"-2133196797","message":"Query result set has exceeded the internal record count limit 500000 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)","severity":2,"severityName":"Error"}}]}`
	var e azlogs.ErrorInfo
	if err := e.UnmarshalJSON([]byte(body)); err != nil {
		t.Fatal(err)
	}
	got := errorInfoMessage(&e)
	want := "PartialError: Query result set has exceeded the internal record count limit 500000 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	long := azlogs.ErrorInfo{Code: strings.Repeat("x", 1000)}
	if n := len(errorInfoMessage(&long)); n > 310 {
		t.Errorf("message of %d bytes not capped", n)
	}
}
