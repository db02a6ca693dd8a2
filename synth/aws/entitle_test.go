package aws

import (
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/catalog"
)

var loadCatalog = sync.OnceValues(catalog.LoadAWS)

func realCatalog(t testing.TB) *catalog.AWS {
	t.Helper()
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const alice = "arn:aws:iam::123456789012:user/alice"

func grantAllow(origin string, actions []string, resources ...string) GrantStatement {
	return GrantStatement{Principal: alice, Account: "123456789012", Effect: Allow, Actions: actions, Resources: resources, Origin: origin}
}

func grantDeny(origin string, actions []string, resources ...string) GrantStatement {
	st := grantAllow(origin, actions, resources...)
	st.Effect = Deny
	return st
}

func boundary(st GrantStatement) GrantStatement {
	st.Boundary = true
	return st
}

// index maps "action resource" to the entitlement.
func index(es []synth.Entitlement) map[string]synth.Entitlement {
	m := make(map[string]synth.Entitlement, len(es))
	for _, e := range es {
		m[e.Action+" "+e.Resource] = e
	}
	return m
}

func actionsOf(es []synth.Entitlement) []string {
	var out []string
	for _, e := range es {
		if len(out) == 0 || out[len(out)-1] != e.Action {
			out = append(out, e.Action)
		}
	}
	return out
}

func TestEntitlementsWildcard(t *testing.T) {
	cat := realCatalog(t)
	es := Entitlements([]GrantStatement{grantAllow("p #0", []string{"S3:get*"}, "*")}, cat)
	m := index(es)
	if _, ok := m["s3:GetObject *"]; !ok {
		t.Error("s3:Get* does not give s3:GetObject")
	}
	if _, ok := m["s3:PutObject *"]; ok {
		t.Error("s3:Get* gives s3:PutObject")
	}
	if got, want := len(es), len(cat.ExpandPattern("s3:Get*")); got != want || want < 50 {
		t.Errorf("%d entitlements, want %d (the catalog's s3:Get* actions)", got, want)
	}
	for _, e := range es {
		if !strings.HasPrefix(e.Action, "s3:Get") || e.Provider != "aws" || e.Principal != alice || len(e.Risks) != 0 {
			t.Errorf("unexpected %+v", e)
		}
		if !slices.Equal(e.Origins, []string{"p #0"}) {
			t.Errorf("%s: Origins = %q", e.Action, e.Origins)
		}
	}
	// '?' matches one character, and the catalog's spelling is used.
	es = Entitlements([]GrantStatement{grantAllow("p", []string{"s3:getobjec?", "ec2:describeinstances"}, "*")}, cat)
	if got := actionsOf(es); !slices.Equal(got, []string{"ec2:DescribeInstances", "s3:GetObject"}) {
		t.Errorf("actions = %q", got)
	}
}

func TestEntitlementsNotAction(t *testing.T) {
	cat := realCatalog(t)
	st := grantAllow("p", []string{"iam:*", "s3:*"}, "*")
	st.NotAction = true
	es := Entitlements([]GrantStatement{st}, cat)
	m := index(es)
	for _, a := range []string{"iam:CreateUser", "s3:GetObject", "s3:PutObject"} {
		if _, ok := m[a+" *"]; ok {
			t.Errorf("NotAction iam:*, s3:* grants %s", a)
		}
	}
	for _, a := range []string{"ec2:RunInstances", "s3-object-lambda:GetObject", "sts:AssumeRole"} {
		if _, ok := m[a+" *"]; !ok {
			t.Errorf("NotAction iam:*, s3:* does not grant %s", a)
		}
	}
	want := cat.Len() - len(cat.ExpandPattern("iam:*")) - len(cat.ExpandPattern("s3:*"))
	if len(es) != want {
		t.Errorf("%d entitlements, want %d", len(es), want)
	}
	for _, e := range es {
		if len(e.Risks) != 0 {
			t.Fatalf("NotAction grant marked %q: %+v", e.Risks, e)
		}
	}
}

func TestEntitlementsAdmin(t *testing.T) {
	cat := realCatalog(t)
	es := Entitlements([]GrantStatement{grantAllow("admin", []string{"*"}, "*", "arn:aws:s3:::b")}, cat)
	if len(es) != cat.Len() {
		t.Fatalf("%d entitlements, want %d (every catalog action once)", len(es), cat.Len())
	}
	m := index(es)
	e, ok := m["iam:CreateUser *"]
	if !ok || !slices.Equal(e.Risks, []string{RiskAdmin}) {
		t.Errorf("iam:CreateUser: %+v", e)
	}
	// "*" on a narrower resource is no admin wildcard.
	es = Entitlements([]GrantStatement{grantAllow("p", []string{"*"}, "arn:aws:s3:::b/*")}, cat)
	if len(es) != cat.Len() || len(es[0].Risks) != 0 {
		t.Errorf("Action * on a bucket: %d entitlements, first %+v", len(es), es[0])
	}
}

func TestEntitlementsDeny(t *testing.T) {
	cat := realCatalog(t)
	get := []string{"s3:GetObject"}
	cases := []struct {
		name string
		deny GrantStatement
		want map[string][]string // "action resource" → Origins; absent = removed
	}{
		{"deny on * removes", grantDeny("d", get, "*"), map[string][]string{}},
		{"deny by pattern removes", grantDeny("d", []string{"s3:Get*"}, "arn:aws:s3:::b/*"), map[string][]string{}},
		{"narrower deny notes", grantDeny("d", get, "arn:aws:s3:::b/secret/*"),
			map[string][]string{"s3:GetObject arn:aws:s3:::b/*": {"a", "partly denied by d"}}},
		{"disjoint deny leaves it", grantDeny("d", get, "arn:aws:s3:::other/*"),
			map[string][]string{"s3:GetObject arn:aws:s3:::b/*": {"a"}}},
		{"other action leaves it", grantDeny("d", []string{"s3:PutObject"}, "*"),
			map[string][]string{"s3:GetObject arn:aws:s3:::b/*": {"a"}}},
		{"conditional deny notes", func() GrantStatement {
			d := grantDeny("d with condition aws:SourceIp", get, "*")
			d.Conditional = true
			return d
		}(), map[string][]string{"s3:GetObject arn:aws:s3:::b/*": {"a", "denied when the condition holds: d with condition aws:SourceIp"}}},
		{"NotResource deny excepting it leaves it", func() GrantStatement {
			d := grantDeny("d", get, "arn:aws:s3:::b/*")
			d.NotResource = true
			return d
		}(), map[string][]string{"s3:GetObject arn:aws:s3:::b/*": {"a"}}},
		{"NotResource deny excepting part notes", func() GrantStatement {
			d := grantDeny("d", get, "arn:aws:s3:::b/public/*")
			d.NotResource = true
			return d
		}(), map[string][]string{"s3:GetObject arn:aws:s3:::b/*": {"a", "partly denied by d"}}},
		{"NotResource deny excepting elsewhere removes", func() GrantStatement {
			d := grantDeny("d", get, "arn:aws:s3:::public/*")
			d.NotResource = true
			return d
		}(), map[string][]string{}},
		{"NotAction deny of other actions leaves it", func() GrantStatement {
			d := grantDeny("d", []string{"s3:Get*"}, "*")
			d.NotAction = true
			return d
		}(), map[string][]string{"s3:GetObject arn:aws:s3:::b/*": {"a"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			es := Entitlements([]GrantStatement{grantAllow("a", get, "arn:aws:s3:::b/*"), tc.deny}, cat)
			got := map[string][]string{}
			for _, e := range es {
				got[e.Action+" "+e.Resource] = e.Origins
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}

	// A Deny on "*" takes one action away from an admin and leaves the rest.
	es := Entitlements([]GrantStatement{grantAllow("admin", []string{"*"}, "*"), grantDeny("d", []string{"iam:*"}, "*")}, cat)
	if len(es) != cat.Len()-len(cat.ExpandPattern("iam:*")) {
		t.Errorf("%d entitlements after denying iam:*", len(es))
	}
	if e := index(es)["s3:GetObject *"]; !slices.Equal(e.Risks, []string{RiskAdmin}) {
		t.Errorf("s3:GetObject lost its admin risk: %+v", e)
	}
}

func TestEntitlementsBoundary(t *testing.T) {
	cat := realCatalog(t)
	stmts := []GrantStatement{
		grantAllow("admin", []string{"*"}, "*"),
		grantAllow("inline", []string{"s3:GetObject"}, "arn:aws:s3:::b/x/*", "arn:aws:s3:::other/*"),
		boundary(grantAllow("boundary #0", []string{"s3:Get*", "ec2:DescribeInstances"}, "arn:aws:s3:::b/*")),
		boundary(grantAllow("boundary #1", []string{"sts:GetCallerIdentity"}, "*")),
	}
	es := Entitlements(stmts, cat)
	m := index(es)
	want := len(cat.ExpandPattern("s3:Get*")) + 1 + 1 + 1 // narrowed s3:Get*, ec2:DescribeInstances, sts, b/x/*
	if len(es) != want {
		t.Errorf("%d entitlements, want %d: %v", len(es), want, keys(m))
	}
	// admin's s3:GetObject on "*" narrowed to the boundary's pattern.
	e, ok := m["s3:GetObject arn:aws:s3:::b/*"]
	if !ok || !slices.Equal(e.Origins, []string{"admin", "limited to arn:aws:s3:::b/* by permissions boundary boundary #0"}) || len(e.Risks) != 0 {
		t.Errorf("s3:GetObject on b/*: %+v", e)
	}
	// the inline grant on b/x/* lies within the boundary: unchanged.
	if e, ok := m["s3:GetObject arn:aws:s3:::b/x/*"]; !ok || !slices.Equal(e.Origins, []string{"inline"}) {
		t.Errorf("s3:GetObject on b/x/*: %+v", e)
	}
	// ...and the one on other/* does not.
	if _, ok := m["s3:GetObject arn:aws:s3:::other/*"]; ok {
		t.Error("s3:GetObject on other/* survives the boundary")
	}
	if e, ok := m["sts:GetCallerIdentity *"]; !ok || len(e.Risks) != 0 || !slices.Equal(e.Origins, []string{"admin"}) {
		t.Errorf("sts:GetCallerIdentity: %+v", e)
	}
	if _, ok := m["iam:CreateUser *"]; ok {
		t.Error("iam:CreateUser survives a boundary without it")
	}

	// A boundary of Action "*" on "*" keeps the admin risk.
	es = Entitlements([]GrantStatement{grantAllow("admin", []string{"*"}, "*"), boundary(grantAllow("b", []string{"*"}, "*"))}, cat)
	if len(es) != cat.Len() || !slices.Equal(index(es)["iam:CreateUser *"].Risks, []string{RiskAdmin}) {
		t.Errorf("admin within an admin boundary: %d entitlements", len(es))
	}
	// A boundary that only denies allows nothing.
	es = Entitlements([]GrantStatement{grantAllow("admin", []string{"*"}, "*"), boundary(grantDeny("b", []string{"iam:*"}, "*"))}, cat)
	if len(es) != 0 {
		t.Errorf("a deny-only boundary leaves %d entitlements", len(es))
	}
	// A conditional boundary Allow keeps the grant with a note.
	cb := boundary(grantAllow("b if mfa", []string{"s3:GetObject"}, "*"))
	cb.Conditional = true
	es = Entitlements([]GrantStatement{grantAllow("a", []string{"s3:GetObject"}, "*"), cb}, cat)
	if len(es) != 1 || !slices.Equal(es[0].Origins, []string{"a", "limited by permissions boundary b if mfa to requests its condition allows"}) {
		t.Errorf("conditional boundary: %+v", es)
	}
}

func TestEntitlementsNotResource(t *testing.T) {
	cat := realCatalog(t)
	st := grantAllow("p", []string{"s3:GetObject"}, "arn:aws:s3:::secret/*", "arn:aws:s3:::private/*")
	st.NotResource = true
	es := Entitlements([]GrantStatement{st}, cat)
	if len(es) != 1 || es[0].Resource != "*" || !slices.Equal(es[0].Origins, []string{"p except on arn:aws:s3:::secret/*, arn:aws:s3:::private/*"}) {
		t.Errorf("got %+v", es)
	}
}

func TestEntitlementsMergeAndOrder(t *testing.T) {
	cat := realCatalog(t)
	bob := "arn:aws:iam::123456789012:role/bob"
	stmts := []GrantStatement{
		grantAllow("z", []string{"s3:GetObject"}, "*"),
		grantAllow("a", []string{"s3:getobject", "s3:GetObject"}, "*", "*"),
		{Principal: bob, Effect: Allow, Actions: []string{"sqs:SendMessage"}, Resources: []string{"arn:aws:sqs:eu-west-1:1:q"}, Origin: "q"},
		{Principal: bob, Effect: "allow", Actions: []string{"*"}, Resources: []string{"*"}, Origin: "bad effect"},
		grantAllow("u", []string{"nosuch:Action", "s3:NoSuchAction*"}, "*"),
	}
	want := []synth.Entitlement{
		{Provider: "aws", Principal: bob, Action: "sqs:SendMessage", Resource: "arn:aws:sqs:eu-west-1:1:q", Origins: []string{"q"}},
		{Provider: "aws", Principal: alice, Action: "s3:GetObject", Resource: "*", Origins: []string{"a", "z"}},
	}
	x := NewExpander(cat)
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 5; i++ {
		got := x.Entitlements(stmts)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d:\ngot  %+v\nwant %+v", i, got, want)
		}
		rng.Shuffle(len(stmts), func(i, j int) { stmts[i], stmts[j] = stmts[j], stmts[i] })
	}
	if got := x.UnknownActions(stmts); !slices.Equal(got, []string{"nosuch:Action", "s3:NoSuchAction*"}) {
		t.Errorf("UnknownActions = %q", got)
	}
}

func TestCovers(t *testing.T) {
	e := func(action, resource string) synth.Entitlement {
		return synth.Entitlement{Provider: "aws", Principal: alice, Action: action, Resource: resource}
	}
	a := func(action, resource string) synth.Access {
		return synth.Access{Provider: "aws", Principal: alice, Action: action, Resource: resource}
	}
	cases := []struct {
		e    synth.Entitlement
		a    synth.Access
		want bool
	}{
		{e("s3:GetObject", "*"), a("s3:GetObject", "arn:aws:s3:::b/k"), true},
		{e("s3:GetObject", "*"), a("s3:getobject", ""), true},
		{e("s3:GetObject", "*"), a("s3:PutObject", "arn:aws:s3:::b/k"), false},
		{e("s3:GetObject", "arn:aws:s3:::b/*"), a("s3:GetObject", "arn:aws:s3:::b/dir/k"), true},
		{e("s3:GetObject", "arn:aws:s3:::b/*"), a("s3:GetObject", "arn:aws:s3:::c/k"), false},
		{e("s3:GetObject", "arn:aws:s3:::b/*"), a("s3:GetObject", ""), false},
		{e("s3:GetObject", "arn:aws:s3:::b/k"), a("s3:GetObject", "arn:aws:s3:::b/k"), true},
		{e("s3:GetObject", "arn:aws:s3:::b/k?"), a("s3:GetObject", "arn:aws:s3:::b/k1"), true},
		{e("s3:GetObject", "arn:aws:s3:::b/k${*}"), a("s3:GetObject", "arn:aws:s3:::b/k*"), true},
		{e("s3:GetObject", "arn:aws:s3:::b/k${*}"), a("s3:GetObject", "arn:aws:s3:::b/k1"), false},
		{e("ec2:StartInstances", "arn:aws:ec2:*:123456789012:instance/*"), a("ec2:StartInstances", "arn:aws:ec2:eu-west-1:123456789012:instance/i-1"), true},
		{e("ec2:StartInstances", "arn:aws:ec2:*:123456789012:instance/*"), a("ec2:StartInstances", "arn:aws:ec2:eu-west-1:999999999999:instance/i-1"), false},
		{e("iam:PassRole", "arn:aws:iam::*:role/${aws:username}"), a("iam:PassRole", "arn:aws:iam::1:role/x"), false},
	}
	for _, tc := range cases {
		if got := Covers(tc.e, tc.a); got != tc.want {
			t.Errorf("Covers(%s on %q, %s on %q) = %v, want %v", tc.e.Action, tc.e.Resource, tc.a.Action, tc.a.Resource, got, tc.want)
		}
	}
}

func TestSubsumesAndOverlap(t *testing.T) {
	cases := []struct {
		d, p              string
		subsumes, overlap bool
	}{
		{"*", "arn:aws:s3:::b/*", true, true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/x/*", true, true},
		{"arn:aws:s3:::b/x/*", "arn:aws:s3:::b/*", false, true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/k", true, true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::c/*", false, false},
		{"arn:aws:s3:::b/k", "arn:aws:s3:::b/j", false, false},
		{"arn:aws:s3:::a*", "arn:aws:s3:::*b", false, true},
		// A '*' in the region does not span components: no prefix rule.
		{"arn:aws:ec2:*", "arn:aws:ec2:eu-west-1:1:instance/*", false, true},
	}
	for _, tc := range cases {
		if got := subsumes(tc.d, tc.p); got != tc.subsumes {
			t.Errorf("subsumes(%q, %q) = %v", tc.d, tc.p, got)
		}
		if got := mayOverlap(tc.d, tc.p); got != tc.overlap {
			t.Errorf("mayOverlap(%q, %q) = %v", tc.d, tc.p, got)
		}
		if got := mayOverlap(tc.p, tc.d); got != tc.overlap {
			t.Errorf("mayOverlap(%q, %q) = %v", tc.p, tc.d, got)
		}
	}
}

// TestSubsumesSound checks subsumes against the evaluator: whenever it says
// d contains p, every concrete resource p matches, d matches too.
func TestSubsumesSound(t *testing.T) {
	patterns := []string{"*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/x/*", "arn:aws:s3:::b*", "arn:aws:s3:::b/k",
		"arn:aws:s3:::b/k?", "arn:aws:ec2:*:1:instance/*", "arn:aws:ec2:eu-west-1:1:instance/*", "arn:*", "arn:aws:s3:::b/${*}"}
	resources := []string{"arn:aws:s3:::b/k", "arn:aws:s3:::b/x/k", "arn:aws:s3:::bb", "arn:aws:s3:::b/k1", "arn:aws:s3:::b/*",
		"arn:aws:ec2:eu-west-1:1:instance/i", "arn:aws:ec2:us-east-1:1:instance/i", "x"}
	for _, d := range patterns {
		for _, p := range patterns {
			if !subsumes(d, p) {
				continue
			}
			for _, r := range resources {
				if resourceMatches(p, r) && !resourceMatches(d, r) {
					t.Errorf("subsumes(%q, %q) but %q matches only the second", d, p, r)
				}
			}
		}
	}
}

func TestEach(t *testing.T) {
	cat := realCatalog(t)
	stmts := benchStatements(30)
	want := Entitlements(stmts, cat)
	var got []synth.Entitlement
	calls := 0
	err := NewExpander(cat).Each(stmts, func(es []synth.Entitlement) error {
		calls++
		for _, e := range es {
			if e.Principal != es[0].Principal {
				t.Fatalf("one call holds %s and %s", es[0].Principal, e.Principal)
			}
		}
		got = append(got, es...)
		return nil
	})
	if err != nil || calls != 30 || !reflect.DeepEqual(got, want) {
		t.Errorf("Each: %d calls, err %v, same as Entitlements: %v", calls, err, reflect.DeepEqual(got, want))
	}
	stop := fmt.Errorf("stop")
	calls = 0
	err = NewExpander(cat).Each(stmts, func([]synth.Entitlement) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("Each after an error: %d calls, err %v", calls, err)
	}
}

func keys(m map[string]synth.Entitlement) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// benchStatements makes n principals sharing a few managed policies worth
// about 1,000 actions each, plus an inline policy of their own.
func benchStatements(n int) []GrantStatement {
	var stmts []GrantStatement
	for i := 0; i < n; i++ {
		p := fmt.Sprintf("arn:aws:iam::123456789012:role/r%05d", i)
		add := func(origin string, actions []string, resources ...string) {
			stmts = append(stmts, GrantStatement{Principal: p, Account: "123456789012", Effect: Allow, Actions: actions, Resources: resources, Origin: origin})
		}
		add("arn:aws:iam::aws:policy/AmazonEC2FullAccess (v1) statement #0", []string{"ec2:*"}, "*")
		add("arn:aws:iam::aws:policy/ReadOnly (v1) statement #0", []string{"s3:Get*", "s3:List*", "iam:Get*", "iam:List*", "lambda:Get*", "lambda:List*"}, "*")
		add(fmt.Sprintf("arn:aws:iam::123456789012:role/r%05d inline #0", i), []string{"sqs:*", "sns:*"}, fmt.Sprintf("arn:aws:sqs:eu-west-1:123456789012:q%05d", i))
		if i%10 == 0 {
			stmts = append(stmts, GrantStatement{Principal: p, Effect: Deny, Actions: []string{"ec2:Terminate*"}, Resources: []string{"*"}, Origin: "deny"})
		}
	}
	return stmts
}

func BenchmarkEntitlements(b *testing.B) {
	cat := realCatalog(b)
	const principals = 1000
	stmts := benchStatements(principals)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		es := Entitlements(stmts, cat)
		b.ReportMetric(float64(len(es))/principals, "entitlements/principal")
	}
}

// BenchmarkEach walks the principals one at a time, keeping nothing: the
// memory a streaming caller needs.
func BenchmarkEach(b *testing.B) {
	cat := realCatalog(b)
	const principals = 1000
	stmts := benchStatements(principals)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		NewExpander(cat).Each(stmts, func(es []synth.Entitlement) error {
			n += len(es)
			return nil
		})
		b.ReportMetric(float64(n)/principals, "entitlements/principal")
	}
}
