package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azlogs"
	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azlogs/fake"
)

const (
	laWorkspace = "6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b"
	laUser      = "f409edeb-4d29-44b5-9763-ee9348ad91bb"
	laApp       = "abcdef03-8c64-44c1-8f1c-31311fabcdef"
	laAccount   = "/subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups/rg-001/providers/microsoft.storage/storageaccounts/sa1"
	laGroup     = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-001"
)

// fakeWorkspace is a Log Analytics workspace behind azlogs' own fake
// server: every query is answered with rows for its slice, made by rows.
type fakeWorkspace struct {
	rows   func(from, to time.Time) []azlogs.Row
	status int // non-zero: every query fails with this HTTP status

	mu    sync.Mutex
	calls [][2]time.Time // the [from, to) of each query, from its KQL
	ws    []string
}

var kqlDatetime = regexp.MustCompile(`datetime\(([0-9T:.Z-]+)\)`)

// client returns an azlogs client whose requests go through the SDK's
// pipeline to the fake, never to the network.
func (f *fakeWorkspace) client(t *testing.T) *azlogs.Client {
	t.Helper()
	srv := &fake.Server{
		QueryWorkspace: func(ctx context.Context, workspaceID string, body azlogs.QueryBody, opts *azlogs.QueryWorkspaceOptions) (resp azfake.Responder[azlogs.QueryWorkspaceResponse], errResp azfake.ErrorResponder) {
			m := kqlDatetime.FindAllStringSubmatch(*body.Query, -1)
			if len(m) != 2 {
				t.Errorf("query without its two bounds:\n%s", *body.Query)
				errResp.SetResponseError(http.StatusBadRequest, "BadArgumentError")
				return
			}
			from, _ := time.Parse(time.RFC3339Nano, m[0][1])
			to, _ := time.Parse(time.RFC3339Nano, m[1][1])
			f.mu.Lock()
			f.calls = append(f.calls, [2]time.Time{from, to})
			f.ws = append(f.ws, workspaceID)
			f.mu.Unlock()
			if f.status != 0 {
				errResp.SetResponseError(f.status, "Forbidden")
				return
			}
			table := azlogs.Table{Name: new("PrimaryResult"), Rows: f.rows(from, to)}
			for _, c := range []struct {
				name string
				typ  azlogs.ColumnType
			}{
				{"principal", azlogs.ColumnTypeString}, {"kind", azlogs.ColumnTypeString}, {"caller", azlogs.ColumnTypeString},
				{"operation", azlogs.ColumnTypeString}, {"scope", azlogs.ColumnTypeString}, {"outcome", azlogs.ColumnTypeString},
				{"calls", azlogs.ColumnTypeLong}, {"firstSeen", azlogs.ColumnTypeDatetime}, {"lastSeen", azlogs.ColumnTypeDatetime},
			} {
				table.Columns = append(table.Columns, azlogs.Column{Name: new(c.name), Type: new(c.typ)})
			}
			resp.SetResponse(http.StatusOK, azlogs.QueryWorkspaceResponse{QueryResults: azlogs.QueryResults{Tables: []azlogs.Table{table}}}, nil)
			return
		},
	}
	c, err := azlogs.NewClient(&azfake.TokenCredential{}, &azlogs.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: fake.NewServerTransport(srv)}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// dailyRows is what the fake workspace holds each day: a user writing a
// diagnostic setting (3 times the first day, 2 the second), an app listing
// keys, attempting a delete it is denied and calling an unknown operation,
// and operations whose caller is unknown.
func dailyRows(from, to time.Time) []azlogs.Row {
	d := from.Truncate(24 * time.Hour)
	at := func(h int) string { return d.Add(time.Duration(h) * time.Hour).Format(time.RFC3339) }
	writes := int64(3)
	if d.Day() != 1 {
		writes = 2
	}
	return []azlogs.Row{
		{laUser, "user", "rob@contoso.com", "MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE", laAccount, "allowed", writes, at(8), at(17)},
		{laApp, "service-principal", "app-1", "Microsoft.Storage/storageAccounts/listKeys/action", laAccount, "allowed", int64(1), at(9), at(9)},
		{laApp, "service-principal", "app-1", "Microsoft.Storage/storageAccounts/delete", laAccount, "denied", int64(2), at(10), at(11)},
		{laApp, "service-principal", "app-1", "Contoso.Widgets/frobs/write", laAccount, "allowed", int64(1), at(12), at(12)},
		{"", "", "", "Microsoft.Storage/storageAccounts/write", laAccount, "allowed", int64(4), at(1), at(2)},
	}
}

// pareWith runs the CLI in-process with the fake workspace as its Log
// Analytics service.
func pareWith(t *testing.T, f *fakeWorkspace, args ...string) (code int, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &environment{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, logsClient: f.client(t)}
	code = exitStatus(&errOut, runIn(context.Background(), env, args))
	return code, errOut.String()
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

type evidenceFile struct {
	Actions []struct {
		Action    string `json:"action"`
		Count     int64  `json:"count"`
		FirstSeen string `json:"firstSeen"`
		LastSeen  string `json:"lastSeen"`
		Inferred  bool   `json:"inferred"`
	} `json:"actions"`
}

// TestGenerateFromLogAnalytics runs generate on a workspace of the fake
// service and checks the roles grant what it returned, at the right
// scope, with the inferred reads and the counts of both days.
func TestGenerateFromLogAnalytics(t *testing.T) {
	f := &fakeWorkspace{rows: dailyRows}
	out := t.TempDir()
	code, stderr := pareWith(t, f, "generate", "--provider", "azure", "--from", "2025-04-01", "--to", "2025-04-02", "--out", out, "azure-logs://"+strings.ToUpper(laWorkspace))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	// One query per UTC day of the window, to the workspace named.
	wantCalls := [][2]time.Time{
		{time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 2, 0, 0, 0, 0, time.UTC)},
		{time.Date(2025, 4, 2, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 3, 0, 0, 0, 0, time.UTC)},
	}
	if !slices.Equal(f.calls, wantCalls) || slices.ContainsFunc(f.ws, func(ws string) bool { return ws != laWorkspace }) {
		t.Errorf("queries %v to %v, want %v to %s", f.calls, f.ws, wantCalls, laWorkspace)
	}
	for _, want := range []string{
		"pare: note: azure-logs://" + strings.ToUpper(laWorkspace) + ": 2 queries for 2 slices (0 split, 0 throttled and retried), 10 rollup rows",
		"skipped 8 operations (no principal)",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}

	var m manifest
	readJSON(t, filepath.Join(out, "manifest.json"), &m)
	byID := make(map[string]*manifestPrincipal)
	for _, p := range m.Principals {
		byID[p.Principal] = p
	}
	user, app := byID[laUser], byID[laApp]
	if len(m.Principals) != 2 || user == nil || app == nil {
		t.Fatalf("manifest principals %+v, want %s and %s", m.Principals, laUser, laApp)
	}
	wantUser := []string{"Microsoft.Insights/DiagnosticSettings/Write", "Microsoft.Insights/diagnosticSettings/read"}
	if !sameSet(user.Actions, wantUser) || !sameSet(user.Inferred, wantUser[1:]) || user.Kind != "user" || user.Events != 5 {
		t.Errorf("user: kind %s, %d events, actions %v, inferred %v; want user, 5, %v with the read inferred", user.Kind, user.Events, user.Actions, user.Inferred, wantUser)
	}
	wantApp := []string{"Microsoft.Storage/storageAccounts/listKeys/action", "Microsoft.Storage/storageAccounts/read"}
	if !sameSet(app.Actions, wantApp) || !sameSet(app.Inferred, wantApp[1:]) || app.Kind != "service-principal" {
		t.Errorf("app: kind %s, actions %v, inferred %v; want service-principal, %v with the read inferred", app.Kind, app.Actions, app.Inferred, wantApp)
	}
	if !slices.Contains(app.Denied, "Microsoft.Storage/storageAccounts/delete") || len(app.Unmapped) != 1 {
		t.Errorf("app: denied %v, unmapped %+v; want the delete denied and one unmapped operation", app.Denied, app.Unmapped)
	}

	var role struct {
		Actions          []string
		AssignableScopes []string
	}
	readJSON(t, filepath.Join(out, "azure", laUser+".json"), &role)
	if !sameSet(role.Actions, wantUser) || !slices.Equal(role.AssignableScopes, []string{laGroup}) {
		t.Errorf("user role: actions %v at %v; want %v at %s", role.Actions, role.AssignableScopes, wantUser, laGroup)
	}
	readJSON(t, filepath.Join(out, "azure", laApp+".json"), &role)
	if !sameSet(role.Actions, wantApp) || !slices.Equal(role.AssignableScopes, []string{laGroup}) {
		t.Errorf("app role: actions %v at %v; want %v at %s", role.Actions, role.AssignableScopes, wantApp, laGroup)
	}

	var ev evidenceFile
	readJSON(t, filepath.Join(out, "azure", laUser+".evidence.json"), &ev)
	found := false
	for _, a := range ev.Actions {
		if a.Action == wantUser[0] {
			found = true
			if a.Count != 5 || a.FirstSeen != "2025-04-01T08:00:00Z" || a.LastSeen != "2025-04-02T17:00:00Z" {
				t.Errorf("evidence of %s: count %d, %s to %s; want 5, 2025-04-01T08:00:00Z to 2025-04-02T17:00:00Z", a.Action, a.Count, a.FirstSeen, a.LastSeen)
			}
		}
	}
	if !found {
		t.Errorf("evidence lacks %s: %+v", wantUser[0], ev.Actions)
	}
}

func sameSet(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

// Loading the same window into a store twice adds nothing: the slices are
// stored by name, and the counts stay those of one load.
func TestLogAnalyticsLoadsOnce(t *testing.T) {
	f := &fakeWorkspace{rows: dailyRows}
	db := filepath.Join(t.TempDir(), "store.duckdb")
	args := []string{"generate", "--provider", "azure", "--db", db, "--from", "2025-04-01", "--to", "2025-04-02", "azure-logs://" + laWorkspace}
	for run := 1; run <= 2; run++ {
		out := t.TempDir()
		code, stderr := pareWith(t, f, append(args, "--out", out)...)
		if code != 0 {
			t.Fatalf("run %d: exit %d:\n%s", run, code, stderr)
		}
		want := "pare: read 8 records from 2 files (0 files already in the store)"
		if run == 2 {
			want = "pare: read 0 records from 0 files (2 files already in the store)"
		}
		if !strings.Contains(stderr, want) {
			t.Errorf("run %d: stderr lacks %q:\n%s", run, want, stderr)
		}
		var ev evidenceFile
		readJSON(t, filepath.Join(out, "azure", laUser+".evidence.json"), &ev)
		if len(ev.Actions) == 0 || ev.Actions[0].Count != 5 {
			t.Errorf("run %d: evidence %+v, want the write counted 5 times", run, ev.Actions)
		}
	}
}

func TestLogAnalyticsErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		args    []string
		code    int
		want    []string
		queries bool
	}{
		{"not azure", 0, []string{"generate", "--out", "OUT", "azure-logs://" + laWorkspace}, exitUsage,
			[]string{"azure-logs:// inputs are Azure Log Analytics workspaces, not aws logs", "pare: hint: pass --provider azure"}, false},
		{"workspace name", 0, []string{"generate", "--provider", "azure", "--out", "OUT", "azure-logs://my-workspace"}, exitUsage,
			[]string{`workspace id "my-workspace" is not a GUID`}, false},
		{"forbidden", http.StatusForbidden, []string{"generate", "--provider", "azure", "--since", "1d", "--out", "OUT", "azure-logs://" + laWorkspace}, exitError,
			[]string{"pare: error: azure-logs://" + laWorkspace + ": slice ", "403", "pare: hint: the signed-in identity needs the Log Analytics Reader role"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeWorkspace{rows: dailyRows, status: tc.status}
			out := t.TempDir()
			args := slices.Clone(tc.args)
			args[slices.Index(args, "OUT")] = out
			code, stderr := pareWith(t, f, args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d:\n%s", code, tc.code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if (len(f.calls) > 0) != tc.queries {
				t.Errorf("%d queries sent", len(f.calls))
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("wrote %d files in --out after failing", len(entries))
			}
		})
	}
}

func TestLogsWindow(t *testing.T) {
	now := time.Date(2025, 4, 10, 15, 4, 5, 123, time.UTC)
	nowS := now.Truncate(time.Second)
	day := func(d int) time.Time { return time.Date(2025, 4, d, 0, 0, 0, 0, time.UTC) }
	parse := func(since, from, to string) windowFlags {
		wf, err := parseWindowFlags(since, from, to)
		if err != nil {
			t.Fatal(err)
		}
		return wf
	}
	for _, tc := range []struct {
		name     string
		wf       windowFlags
		from, to time.Time
	}{
		{"default: the last 90 days", parse("", "", ""), nowS.Add(-90 * 24 * time.Hour), nowS},
		{"since counts back from now", parse("3d", "", ""), nowS.Add(-72 * time.Hour), nowS},
		{"dates: --to runs to its next midnight", parse("", "2025-04-01", "2025-04-02"), day(1), day(3)},
		{"times", parse("", "2025-04-01T06:00:00Z", "2025-04-02T06:00:00Z"), day(1).Add(6 * time.Hour), day(2).Add(6 * time.Hour)},
		{"only --from: to now", parse("", "2025-04-01", ""), day(1), nowS},
		{"only --to: 90 days before it", parse("", "", "2025-04-05"), day(6).Add(-90 * 24 * time.Hour), day(6)},
	} {
		from, to := logsWindow(tc.wf, now)
		if !from.Equal(tc.from) || !to.Equal(tc.to) {
			t.Errorf("%s: [%v, %v), want [%v, %v)", tc.name, from, to, tc.from, tc.to)
		}
	}
}
