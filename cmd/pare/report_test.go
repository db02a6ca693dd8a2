package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth/report"
	"github.com/leastpriv/pare/usage/awsiam"
	"github.com/leastpriv/pare/usage/awsiam/fetch/fakeiam"
)

// readReport runs pare report with --format json and decodes the report.
func readReport(t *testing.T, args ...string) report.Report {
	t.Helper()
	t.Setenv("SOURCE_DATE_EPOCH", "1772366400")
	out := filepath.Join(t.TempDir(), "report.json")
	code, _, stderr := pare(t, append([]string{"report", "--format", "json", "--out", out}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	body, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("the JSON report does not decode: %v", err)
	}
	return r
}

func principalNamed(t *testing.T, r report.Report, name string) report.Principal {
	t.Helper()
	for _, p := range r.Principals {
		if p.Principal == name {
			return p
		}
	}
	t.Fatalf("no principal %q in the report", name)
	return report.Principal{}
}

func itemOf(p report.Principal, status report.Status, action string) (report.Item, bool) {
	for _, it := range p.Items {
		if it.Status == status && strings.EqualFold(it.Action, action) {
			return it, true
		}
	}
	return report.Item{}, false
}

// TestReportAzure: a Contributor assignment at a subscription against the
// real Activity Log samples. Reads can never be seen in the Activity Log, so
// they are unobservable, never unused; the rest of Contributor sits idle.
func TestReportAzure(t *testing.T) {
	rbacData := filepath.Join("..", "..", "usage", "azure", "rbac", "testdata")
	samples := filepath.Join("..", "..", "testdata", "azure")
	r := readReport(t, "--provider", "azure",
		"--grants", filepath.Join(rbacData, "assignments-az.json"), "--grants", filepath.Join(rbacData, "definitions-az.json"),
		filepath.Join(samples, "otel-contrib-azurelogs"), filepath.Join(samples, "ms-docs-activity-log-schema"))
	if !r.Taken.Equal(time.Unix(1772366400, 0)) {
		t.Errorf("taken %v, want SOURCE_DATE_EPOCH", r.Taken)
	}
	var contributor *report.Principal
	for i, p := range r.Principals {
		if p.Granted > 20000 {
			contributor = &r.Principals[i]
		}
	}
	if contributor == nil {
		t.Fatalf("no principal holds Contributor's ~20,000 operations: %+v", r.Principals)
	}
	if _, ok := itemOf(*contributor, report.Unobservable, "Microsoft.Compute/virtualMachines/read"); !ok {
		t.Errorf("virtualMachines/read is not unobservable for the Contributor")
	}
	start, ok := itemOf(*contributor, report.Unused, "Microsoft.Compute/virtualMachines/start/action")
	if !ok || !strings.HasPrefix(strings.ToLower(start.Resource), "/subscriptions/") {
		t.Errorf("virtualMachines/start/action not unused at a subscription scope: %+v", start)
	}
	if _, ok := itemOf(*contributor, report.Unused, "Microsoft.Authorization/roleAssignments/write"); ok {
		t.Errorf("Contributor's NotActions were not applied: roleAssignments/write is granted")
	}
	if contributor.Score < 80 {
		t.Errorf("an idle Contributor scores %d, want at least 80", contributor.Score)
	}
	// The REST sample's caller wrote a support ticket no loaded grant allows.
	caller := principalNamed(t, r, "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb")
	if caller.NotGranted != 1 || caller.Container != "11111111-1111-1111-1111-111111111111" {
		t.Errorf("the sample's caller: %d used-not-granted in %q, want 1 in its subscription", caller.NotGranted, caller.Container)
	}
}

// TestReportK8s: RBAC manifests against an audit log: what the RoleBinding
// grants and was used, what it grants and was not, what was used without a
// grant, the denied attempt, and the discovery roles left out.
func TestReportK8s(t *testing.T) {
	dir := t.TempDir()
	script, err := os.ReadFile(filepath.Join("..", "..", "testdata", "script", "k8s.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"audit.log", "rbac.yaml"} {
		_, rest, _ := strings.Cut(string(script), "-- "+name+" --\n")
		body, _, _ := strings.Cut(rest, "\n-- ")
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := readReport(t, "--provider", "k8s", "--grants", filepath.Join(dir, "rbac.yaml"), filepath.Join(dir, "audit.log"))
	app := principalNamed(t, r, "system:serviceaccount:shop:app")
	if app.Kind != "serviceaccount" {
		t.Errorf("kind %q, want serviceaccount", app.Kind)
	}
	if _, ok := itemOf(app, report.Used, "list configmaps"); !ok {
		t.Errorf("list configmaps, granted by the RoleBinding and used, is not used: %+v", app.Items)
	}
	if _, ok := itemOf(app, report.Unused, "get configmaps"); !ok {
		t.Errorf("get configmaps, granted and never used, is not unused")
	}
	exec, ok := itemOf(app, report.NotGranted, "create pods/exec")
	if !ok || !reflect.DeepEqual(exec.Risks, []string{report.RiskPrivilegeEscalation}) {
		t.Errorf("create pods/exec is not used-not-granted with the privilege-escalation risk: %+v", exec)
	}
	if _, ok := itemOf(app, report.Denied, "delete deployments.apps"); !ok {
		t.Errorf("the denied delete is not reported")
	}
	for _, it := range app.Items {
		if strings.HasPrefix(it.Action, "get /") {
			t.Errorf("a discovery endpoint every user holds is in the report: %+v", it)
		}
	}
	if app.Granted != 3 || app.Used != 1 || app.Unused != 2 {
		t.Errorf("granted %d, used %d, unused %d; want 3, 1, 2", app.Granted, app.Used, app.Unused)
	}
}

// TestSnapshotRoundTrip: a snapshot keeps what a later comparison reads
// and drops the rest.
func TestSnapshotRoundTrip(t *testing.T) {
	in := report.Report{
		Taken: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Principals: []report.Principal{{
			Provider: "aws", Principal: "arn:aws:iam::111122223333:role/app", Granted: 2, Used: 1, Unused: 1, Score: 20,
			Policy: "{}", PolicyFormat: "json",
			Items: []report.Item{
				{Action: "s3:GetObject", Resource: "*", Status: report.Used, Count: 3, Samples: []string{"e1"}, Origins: []string{"inline"}},
				{Action: "iam:CreateUser", Resource: "*", Status: report.Unused, Risks: []string{report.RiskPrivilegeEscalation}},
			},
		}},
		Trend: []report.TrendPoint{{Snapshot: 1, MeanScore: 20}},
	}
	body, err := encodeSnapshot(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := decodeSnapshot(body)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.Principals = []report.Principal{in.Principals[0]}
	want.Principals[0].Policy, want.Principals[0].PolicyFormat = "", ""
	want.Principals[0].Items = []report.Item{
		{Action: "s3:GetObject", Resource: "*", Status: report.Used},
		{Action: "iam:CreateUser", Resource: "*", Status: report.Unused, Risks: []string{report.RiskPrivilegeEscalation}},
	}
	if !reflect.DeepEqual(out, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", out, want)
	}
	if _, err := decodeSnapshot([]byte(`{"principals":[]}`)); err == nil {
		t.Error("a body pare did not write decodes")
	}
}

// TestReportFromIAM reads the granted side through iam:// (the real SDK
// client against a local Query-protocol IAM) and gets the same report as
// from the same details in a file.
func TestReportFromIAM(t *testing.T) {
	file := filepath.Join("..", "..", "testdata", "aws-iam", "cloudsplaining", "example-authz-details.json")
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	d, err := awsiam.Decode(file, f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	fake := fakeiam.New(d)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	awsTestEnv(t, "IAM", srv.URL)

	fromAPI := readReport(t, "--grants", "iam://")
	fromFile := readReport(t, "--grants", file)
	if len(fake.Calls()) == 0 {
		t.Fatal("the fake IAM saw no call")
	}
	if len(fromAPI.Principals) == 0 || !reflect.DeepEqual(fromAPI.Principals, fromFile.Principals) {
		t.Errorf("iam:// and the file give different reports: %d and %d principals", len(fromAPI.Principals), len(fromFile.Principals))
	}
	obama := principalNamed(t, fromFile, "arn:aws:iam::012345678901:user/obama")
	createUser, ok := itemOf(obama, report.Unused, "iam:CreateUser")
	if !ok || !slices.Contains(createUser.Risks, report.RiskAdmin) || obama.Score != 100 {
		t.Errorf("obama (AdministratorAccess, nothing used): iam:CreateUser %+v, score %d; want unused with the admin risk, score 100", createUser, obama.Score)
	}
}

// TestReportBadDetails: malformed authorization details are an error
// naming the file, line and column, and nothing is written or stored.
func TestReportBadDetails(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "authz.json")
	if err := os.WriteFile(bad, []byte("{\"UserDetailList\": [\n  {\"UserName\": \"a\",}\n]}"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "pare.duckdb")
	out := filepath.Join(dir, "report.html")
	code, _, stderr := pare(t, "report", "--db", db, "--grants", bad, "--out", out)
	if code != 1 || !strings.Contains(stderr, "authz.json") || !strings.Contains(stderr, "line 2") || strings.Contains(stderr, "goroutine") {
		t.Errorf("exit %d; want 1 and an error naming the file and line 2:\n%s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a report was written after bad grants: %v", err)
	}
}
