package aws

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth"
)

const role = "arn:aws:iam::123456789012:role/app/Deploy"

func TestSynthesizeGroupsAndSorts(t *testing.T) {
	accesses := []synth.Access{
		{Principal: role, PrincipalKind: "role", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k1"},
		{Principal: role, PrincipalKind: "role", Action: "S3:GETOBJECT", Resource: "arn:aws:s3:::b/k1"},
		{Principal: role, PrincipalKind: "role", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k2"},
		{Principal: role, PrincipalKind: "role", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k2"},
		{Principal: role, PrincipalKind: "role", Action: "s3:ListAllMyBuckets", Resource: "arn:aws:s3:::ignored"},
		{Principal: role, PrincipalKind: "role", Action: "ec2:DescribeInstances"},
		{Principal: role, PrincipalKind: "role", Action: "dynamodb:GetItem"},
		{Principal: role, PrincipalKind: "role", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/worker", Inferred: true},
		{Principal: role, PrincipalKind: "role", Action: "iam:GetRole", Resource: "arn:aws:iam::123456789012:role/worker", Inferred: true},
		{Principal: role, PrincipalKind: "role", Action: "iam:GetRole", Resource: "arn:aws:iam::123456789012:role/worker"},
		{Principal: role, PrincipalKind: "role", Action: "nope:Nothing"},
		{Principal: "arn:aws:iam::123456789012:user/alice", PrincipalKind: "user", Action: "sts:GetCallerIdentity"},
	}
	policies := Synthesize(accesses, newFakeCatalog(), Options{})
	if len(policies) != 2 {
		t.Fatalf("got %d policies, want 2", len(policies))
	}
	if policies[0].Principal != role || policies[1].Principal != "arn:aws:iam::123456789012:user/alice" {
		t.Fatalf("policies not sorted by principal: %q, %q", policies[0].Principal, policies[1].Principal)
	}
	p := policies[0]
	if p.Kind != "role" {
		t.Errorf("Kind = %q, want role", p.Kind)
	}
	wantActions := []string{"dynamodb:GetItem", "ec2:DescribeInstances", "iam:GetRole", "iam:PassRole", "s3:GetObject", "s3:ListAllMyBuckets", "s3:PutObject"}
	if !reflect.DeepEqual(p.Actions, wantActions) {
		t.Errorf("Actions = %q, want %q", p.Actions, wantActions)
	}
	if !reflect.DeepEqual(p.Inferred, []string{"iam:PassRole"}) {
		t.Errorf("Inferred = %q, want only iam:PassRole", p.Inferred)
	}
	if !reflect.DeepEqual(p.Rejected, []string{"nope:Nothing"}) {
		t.Errorf("Rejected = %q", p.Rejected)
	}
	wantGen := []Generalization{{Action: "dynamodb:GetItem", Resource: "*", Reason: ReasonNoResource, Recorded: []string{""}}}
	if !reflect.DeepEqual(p.Generalizations, wantGen) {
		t.Errorf("Generalizations = %+v, want %+v", p.Generalizations, wantGen)
	}
	if len(p.Documents) != 1 {
		t.Fatalf("got %d documents, want 1", len(p.Documents))
	}
	d := p.Documents[0]
	if d.Version != "2012-10-17" {
		t.Errorf("Version = %q", d.Version)
	}
	type st struct{ a, r []string }
	var got []st
	sid := regexp.MustCompile(`^Pare[0-9a-f]{12}$`)
	sids := map[string]bool{}
	for _, s := range d.Statement {
		got = append(got, st{s.Action, s.Resource})
		if !sid.MatchString(s.Sid) || sids[s.Sid] {
			t.Errorf("bad or duplicate Sid %q", s.Sid)
		}
		sids[s.Sid] = true
		if s.Effect != "Allow" {
			t.Errorf("Effect = %q", s.Effect)
		}
	}
	want := []st{
		{[]string{"dynamodb:GetItem", "ec2:DescribeInstances", "s3:ListAllMyBuckets"}, []string{"*"}},
		{[]string{"iam:GetRole", "iam:PassRole"}, []string{"arn:aws:iam::123456789012:role/worker"}},
		{[]string{"s3:GetObject", "s3:PutObject"}, []string{"arn:aws:s3:::b/k1", "arn:aws:s3:::b/k2"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("statements:\n got %q\nwant %q", got, want)
	}
	if missing := Verify(p, accesses); len(missing) != 1 || missing[0].Action != "nope:Nothing" {
		t.Errorf("Verify = %+v, want only the rejected action", missing)
	}
}

func TestSynthesizeSidIsContentDerived(t *testing.T) {
	a := []synth.Access{{Principal: "p", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}}
	b := []synth.Access{{Principal: "q", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}}
	c := []synth.Access{{Principal: "p", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/j"}}
	sid := func(acc []synth.Access) string {
		return Synthesize(acc, newFakeCatalog(), Options{})[0].Documents[0].Statement[0].Sid
	}
	if sid(a) != sid(b) {
		t.Error("same content, different Sid")
	}
	if sid(a) == sid(c) {
		t.Error("different content, same Sid")
	}
}

func TestSynthesizeGeneralizesPastMaxResources(t *testing.T) {
	var accesses []synth.Access
	for i := 0; i < 25; i++ {
		accesses = append(accesses, synth.Access{Principal: "p", Action: "s3:GetObject", Resource: fmt.Sprintf("arn:aws:s3:::b/logs/2026/%02d.gz", i)})
	}
	accesses = append(accesses, synth.Access{Principal: "p", Action: "s3:GetObject", Resource: "arn:aws:s3:::other/k"})

	p := Synthesize(accesses, newFakeCatalog(), Options{})[0]
	want := []string{"arn:aws:s3:::b/logs/2026/*", "arn:aws:s3:::other/k"}
	if got := p.Documents[0].Statement[0].Resource; !reflect.DeepEqual(got, want) {
		t.Errorf("Resource = %q, want %q", got, want)
	}
	if len(p.Generalizations) != 1 || p.Generalizations[0].Resource != "arn:aws:s3:::b/logs/2026/*" ||
		len(p.Generalizations[0].Recorded) != 25 || !strings.HasPrefix(p.Generalizations[0].Reason, ReasonManyResources) {
		t.Errorf("Generalizations = %+v", p.Generalizations)
	}
	if missing := Verify(p, accesses); len(missing) != 0 {
		t.Errorf("Verify: %d accesses not allowed", len(missing))
	}

	p = Synthesize(accesses, newFakeCatalog(), Options{MaxResources: 25})[0]
	if n := len(p.Documents[0].Statement[0].Resource); n != 26 || len(p.Generalizations) != 0 {
		t.Errorf("MaxResources 25: %d resources, %d generalizations; want 26 literal, none", n, len(p.Generalizations))
	}
	p = Synthesize(accesses, newFakeCatalog(), Options{MaxResources: -1})[0]
	if len(p.Generalizations) != 0 {
		t.Errorf("MaxResources -1 generalized: %+v", p.Generalizations)
	}
}

func TestCommonPattern(t *testing.T) {
	tests := []struct {
		arns []string
		want string
	}{
		{[]string{"arn:aws:ec2:us-east-1:123:instance/i-1", "arn:aws:ec2:eu-west-1:123:instance/i-2"}, "arn:aws:ec2:*:123:instance/*"},
		{[]string{"arn:aws:ec2:us-east-1:123:instance/i-1", "arn:aws:ec2:us-east-1:456:instance/i-1"}, "arn:aws:ec2:us-east-1:*:instance/i-1"},
		{[]string{"arn:aws:s3:::b/a/x", "arn:aws:s3:::b/a/y/z"}, "arn:aws:s3:::b/a/*"},
		{[]string{"arn:aws:s3:::bucket-one", "arn:aws:s3:::bucket-two"}, "arn:aws:s3:::*"},
		{[]string{"arn:aws:logs:us-east-1:1:log-group:g:log-stream:a", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:b"}, "arn:aws:logs:us-east-1:1:log-group:g:log-stream:*"},
		{[]string{"arn:aws:s3:::b*/a?/x", "arn:aws:s3:::b*/a?/y"}, "arn:aws:s3:::b${*}/a${?}/*"},
		{[]string{"not-an-arn/x/1", "not-an-arn/x/2"}, "not-an-arn/x/*"},
		{[]string{"abc", "abd"}, "*"},
	}
	for _, tt := range tests {
		got := commonPattern(tt.arns)
		if got != tt.want {
			t.Errorf("commonPattern(%q) = %q, want %q", tt.arns, got, tt.want)
		}
		d := doc(allow([]string{"s3:GetObject"}, []string{got}))
		for _, a := range tt.arns {
			if !Allows(d, "s3:GetObject", a) {
				t.Errorf("pattern %q does not match %q", got, a)
			}
		}
	}
}

func TestWildcardCharactersInRecordedResourcesStayLiteral(t *testing.T) {
	hostile := []string{
		"arn:aws:s3:::b/*",
		"arn:aws:s3:::b/a?c",
		"arn:aws:s3:::b/${aws:username}",
		"arn:aws:s3:::b/$${x}",
		"*",
	}
	var accesses []synth.Access
	for _, r := range hostile {
		accesses = append(accesses, synth.Access{Principal: "p", Action: "s3:GetObject", Resource: r})
	}
	p := Synthesize(accesses, newFakeCatalog(), Options{})[0]
	if missing := Verify(p, accesses); len(missing) != 0 {
		t.Fatalf("Verify: not allowed: %+v", missing)
	}
	want := []string{"${*}", "arn:aws:s3:::b/${$}${$}{x}", "arn:aws:s3:::b/${$}{aws:username}", "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/a${?}c"}
	if got := p.Documents[0].Statement[0].Resource; !reflect.DeepEqual(got, want) {
		t.Errorf("Resource = %q, want %q", got, want)
	}
	for _, r := range []string{"arn:aws:s3:::b/secret", "arn:aws:s3:::b/abc", "arn:aws:s3:::b/alice", "arn:aws:s3:::other"} {
		if AllowsAny(p.Documents, "s3:GetObject", r) {
			t.Errorf("recorded wildcard widened the grant to %q", r)
		}
	}
	if len(p.Generalizations) != 0 {
		t.Errorf("escaping is exact, yet generalizations: %+v", p.Generalizations)
	}
}

func TestSynthesizeEmpty(t *testing.T) {
	if got := Synthesize(nil, newFakeCatalog(), Options{}); len(got) != 0 {
		t.Errorf("Synthesize(nil) = %+v", got)
	}
	got := Synthesize([]synth.Access{{Principal: "p", Action: "x:Unknown"}, {Principal: "p", Provider: "azure", Action: "s3:GetObject"}}, newFakeCatalog(), Options{})
	if len(got) != 1 || len(got[0].Documents) != 0 || !reflect.DeepEqual(got[0].Rejected, []string{"azure:s3:GetObject", "x:Unknown"}) {
		t.Errorf("only unknown actions: %+v", got)
	}
}
