package aws

import (
	"testing"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/catalog"
)

// TestRealCatalog synthesizes against the embedded catalog and checks
// soundness and minimality over every action the catalog knows.
func TestRealCatalog(t *testing.T) {
	cat, err := catalog.LoadAWS()
	if err != nil {
		t.Fatal(err)
	}
	const p = "arn:aws:iam::123456789012:role/app"
	accesses := []synth.Access{
		{Principal: p, Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/key"},
		{Principal: p, Action: "s3:ListAllMyBuckets"},
		{Principal: p, Action: "ec2:DescribeInstances", Resource: "arn:aws:ec2:us-east-1:123456789012:instance/i-1"},
		{Principal: p, Action: "dynamodb:GetItem"},
		{Principal: p, Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/worker", Inferred: true},
		{Principal: p, Action: "lambda:invokefunction", Resource: "arn:aws:lambda:us-east-1:123456789012:function:f"},
	}
	pol := Synthesize(accesses, cat, Options{})[0]
	if missing := Verify(pol, accesses); len(missing) != 0 {
		t.Fatalf("not allowed: %+v", missing)
	}
	if len(pol.Rejected) != 0 {
		t.Errorf("Rejected = %q", pol.Rejected)
	}
	want := []string{"dynamodb:GetItem", "ec2:DescribeInstances", "iam:PassRole", "lambda:InvokeFunction", "s3:GetObject", "s3:ListAllMyBuckets"}
	if len(pol.Actions) != len(want) {
		t.Fatalf("Actions = %q, want %q", pol.Actions, want)
	}
	for i := range want {
		if pol.Actions[i] != want[i] {
			t.Errorf("Actions = %q, want %q", pol.Actions, want)
		}
	}
	// Only dynamodb:GetItem was widened: the others either name their
	// resource or take none.
	if len(pol.Generalizations) != 1 || pol.Generalizations[0].Action != "dynamodb:GetItem" {
		t.Errorf("Generalizations = %+v", pol.Generalizations)
	}
	used := map[string]bool{}
	for _, a := range want {
		used[a] = true
	}
	all := cat.ExpandPattern("*")
	if len(all) < 1000 {
		t.Fatalf("catalog has only %d actions", len(all))
	}
	e := Compile(pol.Documents)
	for _, action := range all {
		if used[action] {
			continue
		}
		if e.Allows(action, "*") || e.Allows(action, "arn:aws:s3:::bucket/key") {
			t.Errorf("unused %s is allowed", action)
		}
	}
	if e.Allows("s3:GetObject", "arn:aws:s3:::bucket/other") {
		t.Error("s3:GetObject allowed beyond the recorded object")
	}
}
