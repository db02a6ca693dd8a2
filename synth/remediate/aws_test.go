package remediate

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/aws"
	"github.com/leastpriv/pare/synth/report"
)

const awsRole = "arn:aws:iam::123456789012:role/app"

var (
	day1 = time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
	day2 = time.Date(2026, 3, 20, 17, 30, 0, 0, time.UTC)
	// window90 is a 90-day window around day1 and day2.
	window90 = synth.Window{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}
)

func access(provider, action, resource string, count int64, last time.Time) synth.Access {
	principal := map[string]string{"aws": awsRole, "azure": azurePrincipal, "k8s": k8sPrincipal}[provider]
	return synth.Access{Provider: provider, Principal: principal, Action: action, Resource: resource, Count: count, First: day1, Last: last}
}

// oldAWSFile is an existing policy file: a used grant, an unused risky one,
// a wildcard of which one action was used, an action pare's catalog no
// longer knows, a statement kept by its Sid and a Deny.
const oldAWSFile = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PareOld1",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:DeleteBucket"],
      "Resource": ["arn:aws:s3:::data/*"]
    },
    {
      "Effect": "Allow",
      "Action": "ec2:Describe*",
      "Resource": "*"
    },
    {
      "Sid": "PareKeepBreakGlass",
      "Effect": "Allow",
      "Action": ["kms:Decrypt"],
      "Resource": ["arn:aws:kms:eu-west-1:123456789012:key/k1"]
    },
    {
      "Sid": "NoPublicBuckets",
      "Effect": "Deny",
      "Action": ["s3:PutBucketPolicy"],
      "Resource": ["*"]
    }
  ]
}
`

// newAWSPolicy is what synthesis made of the window.
func newAWSPolicy() aws.Policy {
	return aws.Policy{
		Principal: awsRole,
		Documents: []aws.Document{{
			Version: aws.Version,
			Statement: []aws.Statement{
				{Sid: "Pareaaaa", Effect: "Allow", Action: []string{"ec2:DescribeInstances"}, Resource: []string{"*"}},
				{Sid: "Parebbbb", Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: []string{"arn:aws:iam::123456789012:role/worker"}},
				{Sid: "Parecccc", Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject"}, Resource: []string{"arn:aws:s3:::data/report.csv"}},
			},
		}},
		Actions:  []string{"ec2:DescribeInstances", "iam:PassRole", "s3:GetObject", "s3:PutObject"},
		Inferred: []string{"iam:PassRole"},
	}
}

func awsUsage() []synth.Access {
	passRole := access("aws", "iam:PassRole", "arn:aws:iam::123456789012:role/worker", 2, day1)
	passRole.Inferred = true
	return []synth.Access{
		access("aws", "s3:GetObject", "arn:aws:s3:::data/report.csv", 40, day2),
		access("aws", "s3:PutObject", "arn:aws:s3:::data/report.csv", 3, day1),
		access("aws", "ec2:DescribeInstances", "", 7, day2),
		passRole,
		// Another principal's usage never counts.
		{Provider: "aws", Principal: "arn:aws:iam::123456789012:role/other", Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::data", Count: 9, Last: day2},
	}
}

func fakeRisks(action string) []string {
	switch strings.ToLower(action) {
	case "s3:deletebucket":
		return []string{report.RiskResourceExposure}
	case "iam:passrole":
		return []string{report.RiskPrivilegeEscalation}
	}
	return nil
}

func planAWS(t *testing.T, existing string, used []synth.Access) Plan {
	t.Helper()
	var docs []AWSDocument
	if existing != "" {
		doc, err := ParseIAMJSON("iam/app.json", []byte(existing))
		if err != nil {
			t.Fatal(err)
		}
		docs = []AWSDocument{doc}
	}
	p, err := PlanAWS(AWSInput{Existing: docs, New: newAWSPolicy(), Used: used, Risks: fakeRisks})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func pairs(es []Entry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Action+" on "+e.Resource)
	}
	return out
}

func TestPlanAWSRemovedKeptAdded(t *testing.T) {
	p := planAWS(t, oldAWSFile, awsUsage())
	check := func(what string, got []Entry, want ...string) {
		t.Helper()
		if want == nil {
			want = []string{}
		}
		if g := pairs(got); !slices.Equal(g, want) {
			t.Errorf("%s = %q, want %q", what, g, want)
		}
	}
	check("Removed", p.Removed,
		"s3:DeleteBucket on arn:aws:s3:::data/*", // risky first
		"ec2:Describe* on *",
		"s3:GetObject on arn:aws:s3:::data/*")
	check("Risky", p.Risky, "s3:DeleteBucket on arn:aws:s3:::data/*")
	check("Kept", p.Kept, "ec2:DescribeInstances on *", "s3:GetObject on arn:aws:s3:::data/report.csv")
	check("Added", p.Added, "s3:PutObject on arn:aws:s3:::data/report.csv")
	check("Inferred", p.Inferred, "iam:PassRole on arn:aws:iam::123456789012:role/worker")

	// Evidence: kept entries carry their usage; an unused removal has
	// none; a wildcard narrowed to what was used shows the usage it
	// covered, which the new statements still allow.
	if e := p.Kept[1]; e.Count != 40 || !e.Last.Equal(day2) {
		t.Errorf("kept s3:GetObject evidence = %d, %v; want 40, %v", e.Count, e.Last, day2)
	}
	if e := p.Removed[0]; e.Count != 0 || !e.Last.IsZero() || !slices.Equal(e.Risks, []string{report.RiskResourceExposure}) {
		t.Errorf("removed s3:DeleteBucket = %+v, want no usage and resource-exposure", e)
	}
	if e := p.Removed[1]; e.Count != 7 {
		t.Errorf("removed ec2:Describe* count = %d, want the 7 DescribeInstances it covered", e.Count)
	}
	if e := p.Inferred[0]; e.Count != 2 || !slices.Equal(e.Risks, []string{report.RiskPrivilegeEscalation}) {
		t.Errorf("inferred iam:PassRole = %+v", e)
	}

	if len(p.KeptByOptOut) != 2 ||
		!strings.Contains(p.KeptByOptOut[0], `"PareKeepBreakGlass"`) || !strings.Contains(p.KeptByOptOut[0], "kms:Decrypt") ||
		!strings.Contains(p.KeptByOptOut[1], "a Deny, always kept") {
		t.Errorf("KeptByOptOut = %q", p.KeptByOptOut)
	}
	if p.NewFile || !p.Changed() || p.Provider != "aws" || p.Principal != awsRole {
		t.Errorf("plan header = %+v", p)
	}
	if err := Check(p, awsUsage(), window90, 30*24*time.Hour); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestPlanAWSNewFile(t *testing.T) {
	p := planAWS(t, "", awsUsage())
	if !p.NewFile || len(p.Removed) != 0 || len(p.Kept) != 0 || len(p.Added) != 3 || len(p.Inferred) != 1 || len(p.KeptByOptOut) != 0 {
		t.Errorf("new file plan: removed %q kept %q added %q inferred %q", pairs(p.Removed), pairs(p.Kept), pairs(p.Added), pairs(p.Inferred))
	}
	if err := Check(p, awsUsage(), window90, 30*24*time.Hour); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestMergeKeptAWS(t *testing.T) {
	doc, err := ParseIAMJSON("iam/app.json", []byte(oldAWSFile))
	if err != nil {
		t.Fatal(err)
	}
	// A statement kept by a comment in Terraform (the caller sets Keep),
	// with a Sid that clashes with pare's.
	doc.Statements = append(doc.Statements, AWSStatement{Sid: "Pare-aaaa", Effect: "Allow", Action: []string{"sqs:SendMessage"}, Resource: []string{"*"}, Keep: true, Line: 30})
	doc.Statements = append(doc.Statements, AWSStatement{Sid: "PareKeepBreakGlass", Effect: "Allow", Action: []string{"kms:Encrypt"}, Resource: []string{"*"}})
	got, err := MergeKeptAWS(newAWSPolicy(), []AWSDocument{doc})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d documents, want 1", len(got))
	}
	var sids []string
	for _, st := range got[0].Statement {
		sids = append(sids, st.Sid)
	}
	want := []string{"Pareaaaa", "Parebbbb", "Parecccc", "PareKeepBreakGlass", "NoPublicBuckets", "PareKeepPareaaaa", "PareKeepBreakGlass2"}
	if !slices.Equal(sids, want) {
		t.Errorf("Sids = %q, want %q", sids, want)
	}
	kms := got[0].Statement[3]
	if kms.Effect != "Allow" || !slices.Equal(kms.Action, []string{"kms:Decrypt"}) || !slices.Equal(kms.Resource, []string{"arn:aws:kms:eu-west-1:123456789012:key/k1"}) {
		t.Errorf("kept statement changed: %+v", kms)
	}
	// The new policy itself is untouched.
	if n := len(newAWSPolicy().Documents[0].Statement); n != 3 {
		t.Errorf("new policy has %d statements", n)
	}

	// A document nearly full pushes kept statements into another one.
	big := newAWSPolicy()
	for i := 0; aws.Size(big.Documents[0]) < aws.ManagedPolicyLimit-200; i++ {
		big.Documents[0].Statement = append(big.Documents[0].Statement, aws.Statement{Sid: "Pad" + strings.Repeat("x", i%5), Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::pad/" + strings.Repeat("p", 40)}})
	}
	got, err = MergeKeptAWS(big, []AWSDocument{doc})
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range got {
		if aws.Size(d) > aws.ManagedPolicyLimit {
			t.Errorf("document %d is %d characters", i+1, aws.Size(d))
		}
	}
	if len(got) < 2 {
		t.Errorf("got %d documents, want the kept statements in a second one", len(got))
	}

	// Nothing left: nil.
	got, err = MergeKeptAWS(aws.Policy{Principal: awsRole}, nil)
	if err != nil || got != nil {
		t.Errorf("empty merge = %v, %v; want nil, nil", got, err)
	}
}

func TestMergeKeptAWSRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, file, want string
	}{
		{"kept with a Condition", `{"Version":"2012-10-17","Statement":[{"Sid":"PareKeepX","Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`,
			"iam/app.json statement 1 (line 1) is marked pare:keep but holds Condition"},
		{"Deny with NotAction", "{\"Version\":\"2012-10-17\",\"Statement\":[\n{\"Effect\":\"Deny\",\"NotAction\":\"s3:*\",\"Resource\":\"*\"}]}",
			"statement 1 (line 2) is a Deny, which pare always keeps, but holds NotAction"},
		{"variable under the old Version", `{"Version":"2008-10-17","Statement":[{"Sid":"x pare:keep","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}"}]}`,
			`under policy Version "2008-10-17"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ParseIAMJSON("iam/app.json", []byte(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = MergeKeptAWS(newAWSPolicy(), []AWSDocument{doc})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("MergeKeptAWS error = %v, want it to contain %q", err, tc.want)
			}
			if _, err := PlanAWS(AWSInput{Existing: []AWSDocument{doc}, New: newAWSPolicy()}); err == nil {
				t.Error("PlanAWS accepted what MergeKeptAWS refuses")
			}
		})
	}
}

func TestCheckRefusesRemovingUsedPermission(t *testing.T) {
	// The existing file grants an action the new policy lacks (pare's
	// catalog did not know it, so synthesis rejected it) and it was used.
	old := strings.Replace(oldAWSFile, `"ec2:Describe*"`, `["ec2:Describe*", "newsvc:DoThing"]`, 1)
	used := append(awsUsage(), access("aws", "newsvc:DoThing", "", 5, day2))
	p := planAWS(t, old, used)
	if !slices.Contains(pairs(p.Removed), "newsvc:DoThing on *") {
		t.Fatalf("Removed = %q, want newsvc:DoThing", pairs(p.Removed))
	}
	err := Check(p, used, window90, 30*24*time.Hour)
	var unsafe *UnsafeError
	if !errors.As(err, &unsafe) {
		t.Fatalf("Check = %v, want an *UnsafeError", err)
	}
	if len(unsafe.Missing) != 1 || unsafe.Missing[0].Action != "newsvc:DoThing" ||
		!strings.Contains(err.Error(), `"newsvc:DoThing" (5 times, last 2026-03-20T17:30:00Z)`) ||
		!strings.Contains(unsafe.Hint(), "PareKeep") {
		t.Errorf("error = %v, hint %q", err, unsafe.Hint())
	}

	// Kept by its Sid, the same permission passes.
	kept := strings.Replace(oldAWSFile, `["kms:Decrypt"]`, `["kms:Decrypt", "newsvc:DoThing"]`, 1)
	kept = strings.Replace(kept, `["arn:aws:kms:eu-west-1:123456789012:key/k1"]`, `["*"]`, 1)
	if err := Check(planAWS(t, kept, used), used, window90, 30*24*time.Hour); err != nil {
		t.Errorf("Check with the permission kept: %v", err)
	}

	// A denied attempt is not a permission to keep.
	denied := access("aws", "newsvc:DoThing", "", 5, day2)
	denied.Denied = true
	used = append(awsUsage(), denied)
	if err := Check(planAWS(t, old, used), used, window90, 30*24*time.Hour); err != nil {
		t.Errorf("Check with only a denied attempt: %v", err)
	}
}

func TestCheckKeptDenyBlocksUsage(t *testing.T) {
	// A Deny carried over that blocks what was used: the final content
	// does not allow it, and Check says so.
	old := strings.Replace(oldAWSFile, `["s3:PutBucketPolicy"]`, `["s3:PutObject"]`, 1)
	err := Check(planAWS(t, old, awsUsage()), awsUsage(), window90, 0)
	if err == nil || !strings.Contains(err.Error(), `"s3:PutObject" on "arn:aws:s3:::data/report.csv"`) {
		t.Errorf("Check = %v, want the denied s3:PutObject", err)
	}
}

func TestCheckWindow(t *testing.T) {
	p := planAWS(t, oldAWSFile, awsUsage())
	short := synth.Window{From: window90.From, To: window90.From.Add(12*24*time.Hour + 3*time.Hour)}
	err := Check(p, awsUsage(), short, 30*24*time.Hour)
	var we *WindowError
	if !errors.As(err, &we) {
		t.Fatalf("Check = %v, want a *WindowError", err)
	}
	if !strings.Contains(err.Error(), "covers 12d 3h, less than min_window 30d") || !strings.Contains(we.Hint(), "lower min_window") {
		t.Errorf("error %q, hint %q", err, we.Hint())
	}
	if err := Check(p, awsUsage(), synth.Window{To: window90.To}, 30*24*time.Hour); !errors.As(err, &we) {
		t.Errorf("Check with no window start = %v, want a *WindowError", err)
	}
	if err := Check(p, awsUsage(), short, 0); err != nil {
		t.Errorf("Check without a minimum: %v", err)
	}
	if err := Check(p, awsUsage(), window90, 90*24*time.Hour); err != nil {
		t.Errorf("Check with a window exactly min_window: %v", err)
	}
	if err := Check(Plan{Principal: awsRole, Provider: "aws"}, nil, window90, 0); err == nil {
		t.Error("Check accepted a plan not made by PlanAWS")
	}
}

func TestPlanAWSDeterministic(t *testing.T) {
	want := planAWS(t, oldAWSFile, awsUsage())
	want.missing = nil
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		used := awsUsage()
		r.Shuffle(len(used), func(i, j int) { used[i], used[j] = used[j], used[i] })
		got := planAWS(t, oldAWSFile, used)
		got.missing = nil
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("plan differs with the usage reordered:\ngot  %+v\nwant %+v", got, want)
		}
	}
}

func TestPlanAWSConditionNote(t *testing.T) {
	old := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`
	p := planAWS(t, old, awsUsage())
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "has Condition, which pare does not write") {
		t.Errorf("Notes = %q", p.Notes)
	}
}

func TestPlanAWSCommentKeepRenamed(t *testing.T) {
	doc := AWSDocument{Name: "iam/app.tf: aws_iam_policy.pare-app", Version: aws.Version, Statements: []AWSStatement{
		{Sid: "Pareold", Effect: "Allow", Action: []string{"sqs:SendMessage"}, Resource: []string{"*"}, Keep: true, Line: 12},
	}}
	p, err := PlanAWS(AWSInput{Existing: []AWSDocument{doc}, New: newAWSPolicy(), Used: awsUsage()})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Removed) != 0 || len(p.KeptByOptOut) != 1 || len(p.Notes) != 1 || !strings.Contains(p.Notes[0], `its Sid becomes "PareKeepPareold"`) {
		t.Errorf("removed %q, kept %q, notes %q", pairs(p.Removed), p.KeptByOptOut, p.Notes)
	}
}

func TestParseIAMJSON(t *testing.T) {
	doc, err := ParseIAMJSON("p.json", []byte(oldAWSFile))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Version != aws.Version || len(doc.Statements) != 4 {
		t.Fatalf("doc = %+v", doc)
	}
	want := AWSStatement{Effect: "Allow", Action: []string{"ec2:Describe*"}, Resource: []string{"*"}, Line: 10}
	if !reflect.DeepEqual(doc.Statements[1], want) {
		t.Errorf("statement 2 = %+v, want %+v", doc.Statements[1], want)
	}
	if !doc.Statements[2].Keep || doc.Statements[0].Keep || doc.Statements[3].Keep {
		t.Errorf("Keep = %v %v %v %v, want only the PareKeep Sid", doc.Statements[0].Keep, doc.Statements[1].Keep, doc.Statements[2].Keep, doc.Statements[3].Keep)
	}

	one, err := ParseIAMJSON("p.json", []byte(`{"Statement":{"Sid":"a pare:keep b","Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{},"Principal":"*"}}`))
	if err != nil {
		t.Fatal(err)
	}
	st := one.Statements[0]
	if !st.Keep || !slices.Equal(st.NotAction, []string{"iam:*"}) || !slices.Equal(st.Other, []string{"Condition", "Principal"}) || st.Action != nil {
		t.Errorf("single statement = %+v", st)
	}

	for _, tc := range []struct{ name, in, want string }{
		{"syntax", "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\",, }\n  ]\n}", "p.json:3:"},
		{"effect", "{\"Statement\": [\n  {\"Effect\": \"allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}\n]}", `p.json:2:3: statement 1: Effect "allow": want "Allow" or "Deny"`},
		{"action type", "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": 3, \"Resource\": \"*\"}]}", "p.json:1:16: statement 1: Action: want a string or a list of strings"},
		{"no resource", "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"a:b\"}]}", "neither Resource nor NotResource"},
		{"no statement", `{"Version": "2012-10-17"}`, "p.json:1:1: the policy document has no Statement"},
		{"trailing", "{\"Statement\": []}\n{}", "p.json:2:1: data after the policy document"},
		{"not an object", `["Statement"]`, "p.json:1:"},
		{"truncated", `{"Statement": [`, "unexpected end of the document"},
		{"statement type", `{"Statement": "x"}`, "p.json:1:15: Statement: want a statement object or a list of them"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseIAMJSON("p.json", []byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// fakeCatalog is a risk catalog of three actions.
type fakeCatalog struct{}

func (fakeCatalog) Risks(action string) []string { return fakeRisks(action) }

func (fakeCatalog) RiskActions(category string) []string {
	switch category {
	case report.RiskResourceExposure:
		return []string{"s3:deletebucket"}
	case report.RiskPrivilegeEscalation:
		return []string{"iam:passrole", "iam:putrolepolicy"}
	}
	return nil
}

func TestAWSRisks(t *testing.T) {
	risks := AWSRisks(fakeCatalog{})
	for _, tc := range []struct {
		action string
		want   []string
	}{
		{"iam:PassRole", []string{report.RiskPrivilegeEscalation}},
		{"iam:Put*", []string{report.RiskPrivilegeEscalation}},
		{"s3:*", []string{report.RiskResourceExposure}},
		{"*", []string{report.RiskAdmin, report.RiskPrivilegeEscalation, report.RiskResourceExposure}},
		{"ec2:Describe*", nil},
		{"s3:GetObject", nil},
	} {
		if got := risks(tc.action); !slices.Equal(got, tc.want) {
			t.Errorf("risks(%q) = %q, want %q", tc.action, got, tc.want)
		}
	}
}
