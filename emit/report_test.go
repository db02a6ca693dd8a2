package emit

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/report"
)

// hostileName is the principal name the issue asks about: it must render
// as text in every format.
const hostileName = "<script>alert(1)</script>"

func day(d int) time.Time {
	return time.Date(2024, 6, d, 9, 30, 0, 0, time.UTC)
}

// counted sets p's counts from its items, as the report's comparison does.
func counted(p report.Principal) report.Principal {
	for _, it := range p.Items {
		switch it.Status {
		case report.Used:
			p.Used++
		case report.Unused:
			p.Unused++
		case report.Unobservable:
			p.Unobservable++
		case report.Denied:
			p.Denied++
		case report.NotGranted:
			p.NotGranted++
		}
		if (it.Status == report.Unused || it.Status == report.Unobservable) && len(it.Risks) > 0 {
			p.RiskyUnused++
		}
	}
	p.Granted = p.Used + p.Unused + p.Unobservable
	return p
}

// reportFixture is a small report over the three providers with changes,
// a trend and hostile strings where logs and policies put them.
func reportFixture() report.Report {
	deploy := counted(report.Principal{
		Provider: "aws", Principal: "arn:aws:iam::123456789012:role/deploy", Kind: "role", Container: "123456789012", Score: 72,
		Items: []report.Item{
			{Action: "s3:GetObject", Resource: "arn:aws:s3:::artifacts/*", Status: report.Used, Origins: []string{"inline deploy-s3"}, Count: 120, First: day(1), Last: day(2), Samples: []string{"0a1b2c3d-0000-0000-0000-000000000001"}},
			{Action: "iam:PassRole", Resource: "*", Status: report.Used, Origins: []string{"managed arn:aws:iam::aws:policy/AdministratorAccess"}, Risks: []string{report.RiskPrivilegeEscalation}, Inferred: true, Count: 3, First: day(1), Last: day(1)},
			{Action: "iam:CreateAccessKey", Resource: "*", Status: report.Unused, Origins: []string{"managed arn:aws:iam::aws:policy/AdministratorAccess"}, Risks: []string{report.RiskCredentialsExposure, report.RiskPrivilegeEscalation}},
			{Action: "s3:PutBucketPolicy", Resource: "*", Status: report.Unused, Origins: []string{"managed arn:aws:iam::aws:policy/AdministratorAccess"}, Risks: []string{report.RiskResourceExposure}},
			{Action: "ec2:DescribeInstances", Resource: "*", Status: report.Unused, Origins: []string{"managed arn:aws:iam::aws:policy/AdministratorAccess"}},
			{Action: "s3:GetObject", Resource: "arn:aws:s3:::secrets/*", Status: report.Unobservable, Origins: []string{"managed arn:aws:iam::aws:policy/AdministratorAccess"}, Risks: []string{report.RiskDataExfiltration}},
			{Action: "sts:AssumeRole", Resource: "arn:aws:iam::123456789012:role/admin", Status: report.Denied, Count: 2, First: day(2), Last: day(2), Samples: []string{"0a1b2c3d-0000-0000-0000-000000000002"}},
		},
		Policy:       "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": [\"s3:GetObject\"],\n      \"Resource\": [\"arn:aws:s3:::artifacts/*\"]\n    }\n  ]\n}\n",
		PolicyFormat: "json",
	})
	hostile := counted(report.Principal{
		Provider: "aws", Principal: hostileName, Kind: "role", Container: "123456789012", Score: 55,
		Items: []report.Item{
			{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/\" onmouseover=\"alert(2)", Status: report.Used, Origins: []string{"inline <img src=x onerror=alert(3)>"}, Count: 1, First: day(3), Last: day(3), Samples: []string{"</script><script>alert(4)</script>"}},
			{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/*bold* _it_ | pipe `code` [link](javascript:alert(5)) #h", Status: report.Unused, Origins: []string{"inline x"}, Risks: []string{report.RiskDataExfiltration}},
			{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/line\nbreak\ttab rlo\u202eexe.txt zwj\u200d", Status: report.Unused, Origins: []string{"inline x"}},
			{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b/&lt;entity&gt; {{.}} ${x} $math$ :smile: @user https://evil.example", Status: report.NotGranted, Count: 4, First: day(3), Last: day(4)},
		},
		Policy:       "{\"Statement\": \"</pre><script>alert(6)</script>\"}\n```\n````not a fence\n",
		PolicyFormat: "json",
	})
	ci := counted(report.Principal{
		Provider: "azure", Principal: "11111111-2222-3333-4444-555555555555", Kind: "serviceprincipal", Container: "00000000-0000-0000-0000-000000000000", Score: 40,
		Items: []report.Item{
			{Action: "Microsoft.Compute/virtualMachines/start/action", Resource: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ci", Status: report.Used, Origins: []string{"assignment Virtual Machine Contributor at /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ci"}, Count: 30, First: day(1), Last: day(4), Samples: []string{"azure:abc"}},
			{Action: "Microsoft.Compute/virtualMachines/delete", Resource: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ci", Status: report.Unused, Origins: []string{"assignment Virtual Machine Contributor at /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ci"}},
			{Action: "Microsoft.Compute/virtualMachines/read", Resource: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ci", Status: report.Unobservable, Origins: []string{"assignment Virtual Machine Contributor at /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ci"}},
			{Action: "Microsoft.Authorization/roleAssignments/write", Resource: "/subscriptions/00000000-0000-0000-0000-000000000000", Status: report.Denied, Count: 1, First: day(4), Last: day(4), Risks: []string{report.RiskPrivilegeEscalation}},
		},
	})
	deployer := counted(report.Principal{
		Provider: "k8s", Principal: "system:serviceaccount:ci:deployer", Kind: "serviceaccount", Container: "prod", Score: 64,
		Items: []report.Item{
			{Action: "get deployments.apps", Resource: "ci/*", Status: report.Used, Origins: []string{"RoleBinding ci/deployer -> Role ci/deployer"}, Count: 900, First: day(1), Last: day(4), Samples: []string{"k8s:1", "k8s:2"}},
			{Action: "get secrets", Resource: "ci/*", Status: report.Unused, Origins: []string{"RoleBinding ci/deployer -> Role ci/deployer"}, Risks: []string{report.RiskCredentialsExposure}},
			{Action: "create pods/exec", Resource: "ci/*", Status: report.Unused, Origins: []string{"RoleBinding ci/deployer -> Role ci/deployer"}, Risks: []string{report.RiskPrivilegeEscalation}},
		},
		Policy:       "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: deployer\n  namespace: ci\nrules:\n- apiGroups: [apps]\n  resources: [deployments]\n  verbs: [get]\n",
		PolicyFormat: "yaml",
	})
	alice := counted(report.Principal{
		Provider: "k8s", Principal: "alice@example.com", Kind: "user", Container: "prod", Score: 0,
		Items: []report.Item{
			{Action: "list pods", Resource: "default/*", Status: report.Used, Origins: []string{"ClusterRoleBinding view"}, Count: 5, First: day(2), Last: day(3)},
		},
	})
	return report.Report{
		Window:     synth.Window{From: time.Date(2024, 3, 6, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 6, 4, 0, 0, 0, 0, time.UTC)},
		Taken:      time.Date(2024, 6, 4, 2, 0, 0, 0, time.UTC),
		Snapshot:   7,
		Principals: []report.Principal{deploy, hostile, ci, alice, deployer},
		Rollups: []report.Rollup{
			{Provider: "aws", Container: "123456789012", Principals: 2, Granted: 8, Used: 3, Unused: 5, RiskyUnused: 4, MeanScore: 63.5, MaxScore: 72},
			{Provider: "azure", Container: "00000000-0000-0000-0000-000000000000", Principals: 1, Granted: 3, Used: 1, Unused: 1, RiskyUnused: 0, MeanScore: 40, MaxScore: 40},
			{Provider: "k8s", Container: "prod", Principals: 2, Granted: 4, Used: 2, Unused: 2, RiskyUnused: 2, MeanScore: 32, MaxScore: 64},
		},
		Changes: &report.Changes{
			Since:      6,
			SinceTaken: time.Date(2024, 6, 3, 2, 0, 0, 0, time.UTC),
			New:        []string{"k8s alice@example.com"},
			Gone:       []string{"aws arn:aws:iam::123456789012:user/old"},
			Principals: []report.PrincipalChange{
				{Provider: "aws", Principal: "arn:aws:iam::123456789012:role/deploy", Gained: []string{"iam:CreateAccessKey on *", "s3:PutBucketPolicy on *"}, RiskyGained: []string{"iam:CreateAccessKey on *", "s3:PutBucketPolicy on *"}, NewlyUsed: []string{"iam:PassRole on *"}, ScoreFrom: 40, ScoreTo: 72},
				{Provider: "aws", Principal: hostileName, Lost: []string{"s3:* on <b>all</b> | *"}, NewlyUnused: []string{"s3:PutObject on arn:aws:s3:::b/x"}, ScoreFrom: 60, ScoreTo: 55},
				{Provider: "azure", Principal: "11111111-2222-3333-4444-555555555555", Gained: []string{"Microsoft.Compute/virtualMachines/delete on /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ci"}, ScoreFrom: 30, ScoreTo: 40},
			},
		},
		Trend: []report.TrendPoint{
			{Snapshot: 5, Taken: time.Date(2024, 6, 2, 2, 0, 0, 0, time.UTC), Principals: 3, Granted: 9, Unused: 3, RiskyUnused: 1, MeanScore: 30},
			{Snapshot: 6, Taken: time.Date(2024, 6, 3, 2, 0, 0, 0, time.UTC), Principals: 4, Granted: 12, Unused: 5, RiskyUnused: 2, MeanScore: 43.3},
			{Snapshot: 7, Taken: time.Date(2024, 6, 4, 2, 0, 0, 0, time.UTC), Principals: 5, Granted: 15, Unused: 8, RiskyUnused: 6, MeanScore: 46.2},
		},
	}
}

// reportRenderers are the three formats, by golden file name.
var reportRenderers = []struct {
	golden string
	render func(w *bytes.Buffer, r report.Report) error
}{
	{"report_json.golden", func(w *bytes.Buffer, r report.Report) error { return ReportJSON(w, r) }},
	{"report_html.golden", func(w *bytes.Buffer, r report.Report) error { return ReportHTML(w, r) }},
	{"report_md.golden", func(w *bytes.Buffer, r report.Report) error { return ReportMarkdown(w, r) }},
}

func TestReportGolden(t *testing.T) {
	for _, rr := range reportRenderers {
		t.Run(rr.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := rr.render(&buf, reportFixture()); err != nil {
				t.Fatal(err)
			}
			golden(t, rr.golden, buf.Bytes())
			checkVisible(t, buf.Bytes())
			var again bytes.Buffer
			if err := rr.render(&again, reportFixture()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Error("two renderings of one report differ")
			}
		})
	}
}

func TestReportJSONRoundTrip(t *testing.T) {
	want := reportFixture()
	var buf bytes.Buffer
	if err := ReportJSON(&buf, want); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&buf)
	dec.DisallowUnknownFields()
	var got report.Report
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if dec.More() {
		t.Fatal("trailing data after the report")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("report does not round-trip:\ngot  %+v\nwant %+v", got, want)
	}
}

// TestReportJSONNames pins the JSON names doc/report-schema.md documents.
func TestReportJSONNames(t *testing.T) {
	var buf bytes.Buffer
	if err := ReportJSON(&buf, reportFixture()); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	keys := func(v any) []string {
		var ks []string
		for k := range v.(map[string]any) {
			ks = append(ks, k)
		}
		return sortedStrings(ks)
	}
	first := func(v any) any { return v.([]any)[0] }
	for _, c := range []struct {
		what string
		v    any
		want string
	}{
		{"report", got, "changes principals rollups snapshot taken trend window"},
		{"window", got["window"], "from to"},
		{"principal", first(got["principals"]), "container granted items kind notGranted policy policyFormat principal provider riskyUnused score unobservable unused used denied"},
		{"item", first(first(got["principals"]).(map[string]any)["items"]), "action count first last origins resource samples status"},
		{"rollup", first(got["rollups"]), "container granted maxScore meanScore principals provider riskyUnused unused used"},
		{"changes", got["changes"], "gone new principals since sinceTaken"},
		{"change", first(got["changes"].(map[string]any)["principals"]), "newlyUsed principal provider riskyGained gained scoreFrom scoreTo"},
		{"trend point", first(got["trend"]), "granted meanScore principals riskyUnused snapshot taken unused"},
	} {
		want := sortedStrings(strings.Fields(c.want))
		if g := keys(c.v); !reflect.DeepEqual(g, want) {
			t.Errorf("%s keys = %v, want %v", c.what, g, want)
		}
	}
	if strings.Contains(buf.String(), `\u003c`) || !strings.Contains(buf.String(), hostileName) {
		t.Error("JSON escapes HTML characters; the report's JSON keeps them")
	}
	if !strings.HasPrefix(buf.String(), "{\n  \"window\": {\n    \"from\": ") {
		t.Errorf("JSON is not indented by two spaces:\n%.80s", buf.String())
	}
}

func sortedStrings(ss []string) []string {
	out := append([]string(nil), ss...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestReportInvalidUTF8(t *testing.T) {
	bad := "role/\xff"
	for _, mutate := range []func(r *report.Report){
		func(r *report.Report) { r.Principals[0].Principal = bad },
		func(r *report.Report) { r.Principals[2].Items[1].Origins = []string{bad} },
		func(r *report.Report) { r.Principals[0].Policy = bad },
		func(r *report.Report) { r.Rollups[1].Container = bad },
		func(r *report.Report) { r.Changes.Gone = []string{bad} },
		func(r *report.Report) { r.Changes.Principals[0].RiskyGained = []string{bad} },
	} {
		r := reportFixture()
		mutate(&r)
		for _, rr := range reportRenderers {
			var buf bytes.Buffer
			err := rr.render(&buf, r)
			if err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
				t.Errorf("%s: err = %v, want an invalid UTF-8 error", rr.golden, err)
			}
			if buf.Len() != 0 {
				t.Errorf("%s wrote %d bytes before failing", rr.golden, buf.Len())
			}
		}
	}
}

func TestReportEmpty(t *testing.T) {
	for _, rr := range reportRenderers {
		var buf bytes.Buffer
		if err := rr.render(&buf, report.Report{}); err != nil {
			t.Errorf("%s: %v", rr.golden, err)
		}
		if buf.Len() == 0 {
			t.Errorf("%s wrote nothing for an empty report", rr.golden)
		}
	}
	var buf bytes.Buffer
	if err := ReportMarkdown(&buf, report.Report{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"No principals.", "No earlier snapshots yet"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("empty Markdown report lacks %q", want)
		}
	}
}

// bigReport has n principals with items items each (all principals share
// one item list, to keep the memory small), scores spread over 0..100;
// every riskyEvery-th item has a risk.
func bigReport(n, items, riskyEvery int) report.Report {
	list := make([]report.Item, items)
	statuses := []report.Status{report.Used, report.Unused, report.Unused, report.Unobservable}
	for i := range list {
		it := report.Item{
			Action:   "svc:Action" + itoa(i),
			Resource: "arn:aws:s3:::bucket-" + itoa(i%50) + "/*",
			Status:   statuses[i%len(statuses)],
			Origins:  []string{"managed arn:aws:iam::aws:policy/Policy" + itoa(i%7)},
		}
		if i%riskyEvery == 0 {
			it.Risks = []string{report.RiskPrivilegeEscalation}
		}
		if it.Status == report.Used {
			it.Count = int64(i + 1)
			it.First, it.Last = day(1), day(2)
			it.Samples = []string{"event-" + itoa(i)}
		}
		list[i] = it
	}
	proto := counted(report.Principal{Items: list})
	r := report.Report{Taken: day(4), Snapshot: 2}
	for i := range n {
		p := proto
		p.Provider = []string{"aws", "azure", "k8s"}[i%3]
		p.Principal = "principal-" + itoa(i)
		p.Kind = "role"
		p.Container = "container-" + itoa(i%10)
		p.Score = (i * 37) % 101
		p.Policy = "{\n  \"Version\": \"2012-10-17\"\n}\n"
		p.PolicyFormat = "json"
		r.Principals = append(r.Principals, p)
	}
	return r
}

func TestReportLimits(t *testing.T) {
	r := bigReport(150, 1000, 10)
	var buf bytes.Buffer
	if err := ReportHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	if n := strings.Count(html, "<details id="); n != reportDetailPrincipals {
		t.Errorf("%d details, want %d", n, reportDetailPrincipals)
	}
	// 1000 items: 100 risky (all idle: i%10 == 0 is used when i%4 == 0,
	// so 50 risky used), 50 risky idle; the other sections are capped.
	p := counted(report.Principal{Items: r.Principals[0].Items})
	sections := detailSections(p)
	if sections[0].Title != "Risky and idle (unused or unobservable)" || len(sections[0].Items) != 50 || sections[0].More != 0 {
		t.Errorf("risky section = %q with %d items and %d more", sections[0].Title, len(sections[0].Items), sections[0].More)
	}
	for _, s := range sections[1:] {
		if len(s.Items) != reportSectionItems || s.More == 0 {
			t.Errorf("section %q lists %d items with %d more, want %d and some more", s.Title, len(s.Items), s.More, reportSectionItems)
		}
	}
	if !strings.Contains(html, "(50 more principals have none here)") {
		t.Error("the HTML report does not say how many principals have no details")
	}
	if n := strings.Count(html, "<tr><td>"); n < reportPageRows {
		t.Errorf("%d rows rendered, want at least the first page of %d", n, reportPageRows)
	}
	buf.Reset()
	if err := ReportMarkdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	if n := strings.Count(md, "\n### "); n != reportDetailPrincipals {
		t.Errorf("%d Markdown details, want %d", n, reportDetailPrincipals)
	}
	if n := strings.Count(md, "| principal\\-") + strings.Count(md, "| principal-"); n < 150 {
		t.Errorf("Markdown lists %d principal rows, want every one of 150 at least once", n)
	}
}

func TestReportByScore(t *testing.T) {
	ps := []report.Principal{
		{Provider: "k8s", Principal: "b", Score: 50},
		{Provider: "aws", Principal: "z", Score: 50, RiskyUnused: 1},
		{Provider: "aws", Principal: "a", Score: 50},
		{Provider: "aws", Principal: "q", Score: 90},
		{Provider: "aws", Principal: "a", Score: 50},
	}
	got := byScore(ps)
	want := []int{3, 1, 2, 4, 0}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("byScore = %v, want %v", got, want)
	}
	bins := scoreBins([]report.Principal{{Score: 0}, {Score: 9}, {Score: 10}, {Score: 99}, {Score: 100}, {Score: 120}, {Score: -3}})
	if bins != [10]int{3, 1, 0, 0, 0, 0, 0, 0, 0, 3} {
		t.Errorf("scoreBins = %v", bins)
	}
}

// TestReportJSONStreamed checks that writing the principals one at a time
// gives the bytes of encoding the whole report at once.
func TestReportJSONStreamed(t *testing.T) {
	hostileReport := reportFixture()
	for i := range hostileReport.Principals {
		hostileReport.Principals[i].Container = "ctr\u202e\n\"],\n  ]\n" + hostile[i]
	}
	hostileReport.Rollups[0].Container = "\n  \"principals\": [\n"
	bare := reportFixture()
	bare.Rollups, bare.Changes, bare.Trend = nil, nil, nil
	one := reportFixture()
	one.Principals = one.Principals[:1]
	for name, r := range map[string]report.Report{
		"fixture": reportFixture(), "hostile": hostileReport, "principals last": bare, "one principal": one,
		"empty": {}, "big": bigReport(40, 30, 10),
	} {
		var streamed, whole bytes.Buffer
		if err := ReportJSON(&streamed, r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := WriteJSON(&whole, r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(streamed.Bytes(), whole.Bytes()) {
			t.Errorf("%s: streamed JSON differs from encoding the whole report:\nstreamed:\n%s\nwhole:\n%s", name, streamed.Bytes(), whole.Bytes())
		}
	}
}

func TestReportJSONUnencodable(t *testing.T) {
	for name, mutate := range map[string]func(r *report.Report){
		"item time": func(r *report.Report) { r.Principals[3].Items[0].Last = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
		"NaN mean":  func(r *report.Report) { r.Trend[1].MeanScore = math.NaN() },
	} {
		r := reportFixture()
		mutate(&r)
		var buf bytes.Buffer
		if err := ReportJSON(&buf, r); err == nil {
			t.Errorf("%s: no error", name)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: wrote %d bytes before failing", name, buf.Len())
		}
	}
}
