package k8s

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth"
)

const testSA = "system:serviceaccount:team:app"

// use is one observed access of principal: action on resource, once.
func use(principal, action, resource string) synth.Access {
	return synth.Access{
		Provider:  "k8s",
		Principal: principal,
		Action:    action,
		Resource:  resource,
		Count:     1,
		First:     time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Last:      time.Date(2026, 1, 3, 3, 4, 5, 0, time.UTC),
		Samples:   []string{"k8s:" + action + "@" + resource},
	}
}

// only synthesizes for one principal and returns its policy, failing the
// test unless Verify passes.
func only(t *testing.T, accesses []synth.Access, granted []Grant, opts Options) Policy {
	t.Helper()
	ps := Synthesize(accesses, granted, opts)
	if len(ps) != 1 {
		t.Fatalf("%d policies, want 1", len(ps))
	}
	if err := Verify(ps[0], accesses, granted); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return ps[0]
}

// shape renders a policy's roles compactly, without evidence:
// "ns: verbs groups resources [names]" per rule.
func shape(p Policy) []string {
	var out []string
	for _, r := range p.Roles {
		where := r.Namespace
		if where == "" {
			where = "*"
		}
		for _, ru := range r.Rules {
			s := where + ": " + strings.Join(ru.Verbs, ",")
			if len(ru.NonResourceURLs) > 0 {
				s += " " + strings.Join(ru.NonResourceURLs, ",")
			} else {
				s += " " + fmt.Sprintf("%q", ru.APIGroups) + " " + strings.Join(ru.Resources, ",")
			}
			if ru.ResourceNames != nil {
				s += " [" + strings.Join(ru.ResourceNames, ",") + "]"
			}
			out = append(out, s)
		}
	}
	return out
}

func wantShape(t *testing.T, p Policy, want ...string) {
	t.Helper()
	if got := shape(p); !reflect.DeepEqual(got, want) {
		t.Errorf("rules:\n got %q\nwant %q", got, want)
	}
}

func TestSynthesizeExactVerbs(t *testing.T) {
	p := only(t, []synth.Access{
		use(testSA, "list pods", "team/"),
		use(testSA, "watch pods", "team/"),
		use(testSA, "get pods", "team/web-1"),
		use(testSA, "get pods", "team/"),
		use(testSA, "update deployments.apps/scale", "team/web"),
		use(testSA, "patch deployments.apps", "team/web"),
	}, nil, Options{})
	wantShape(t, p,
		`team: get,list,watch [""] pods`,
		`team: patch ["apps"] deployments [web]`,
		`team: update ["apps"] deployments/scale [web]`,
	)
	if p.Subject != (Subject{Kind: "ServiceAccount", Namespace: "team", Name: "app"}) {
		t.Errorf("subject %+v", p.Subject)
	}
	wantName := "pare:" + testSA
	if len(p.Bindings) != 1 || p.Bindings[0] != (Binding{Namespace: "team", Name: wantName, RoleKind: "Role", RoleName: wantName, Subject: p.Subject}) {
		t.Errorf("bindings %+v", p.Bindings)
	}
	if p.Roles[0].Name != wantName || len(p.Generalizations) != 0 || len(p.Rejected) != 0 {
		t.Errorf("policy %+v", p)
	}
	// Unseen verbs stay out.
	for _, r := range []Request{
		{Verb: "delete", Resource: "pods", Namespace: "team", Name: "web-1"},
		{Verb: "update", Group: "apps", Resource: "deployments", Namespace: "team", Name: "web"},
		{Verb: "patch", Group: "apps", Resource: "deployments", Namespace: "team", Name: "api"},
	} {
		if PolicyAllows(p, r) {
			t.Errorf("allows unseen %+v", r)
		}
	}
}

func TestSynthesizeMergesResourcesWithTheSameVerbs(t *testing.T) {
	p := only(t, []synth.Access{
		use("alice", "get configmaps", "ns/"),
		use("alice", "get secrets", "ns/"),
		use("alice", "get services", "ns/"),
		use("alice", "list services", "ns/"),
		use("alice", "get /metrics", ""),
		use("alice", "get /logs/kube.log", ""),
		use("alice", "post /logs/kube.log", ""),
	}, nil, Options{})
	wantShape(t, p,
		`ns: get [""] configmaps,secrets`,
		`ns: get,list [""] services`,
		`*: get,post /logs/kube.log`,
		`*: get /metrics`,
	)
	if p.Roles[1].Namespace != "" || p.Bindings[1].RoleKind != "ClusterRole" || p.Bindings[1].Namespace != "" {
		t.Errorf("the ClusterRole is not last: %+v", p.Bindings)
	}
}

func TestSynthesizeResourceNames(t *testing.T) {
	var five, six []synth.Access
	for i := 0; i < 6; i++ {
		a := use("alice", "get configmaps", fmt.Sprintf("ns/cm-%d", i))
		if i < 5 {
			five = append(five, a)
		}
		six = append(six, a)
	}
	p := only(t, five, nil, Options{})
	wantShape(t, p, `ns: get [""] configmaps [cm-0,cm-1,cm-2,cm-3,cm-4]`)
	if PolicyAllows(p, Request{Verb: "get", Resource: "configmaps", Namespace: "ns", Name: "cm-5"}) {
		t.Error("allows a name never seen")
	}

	p = only(t, six, nil, Options{})
	wantShape(t, p, `ns: get [""] configmaps`)
	if len(p.Generalizations) != 1 || p.Generalizations[0].Reason != ReasonManyNames ||
		p.Generalizations[0].Detail != "in namespace ns: 6 names, more than 5" ||
		!reflect.DeepEqual(p.Generalizations[0].Actions, []string{"get configmaps"}) {
		t.Errorf("generalizations %+v", p.Generalizations)
	}

	p = only(t, six, nil, Options{MaxResourceNames: -1})
	wantShape(t, p, `ns: get [""] configmaps [cm-0,cm-1,cm-2,cm-3,cm-4,cm-5]`)
	p = only(t, five, nil, Options{MaxResourceNames: 2})
	wantShape(t, p, `ns: get [""] configmaps`)

	// A named and an unnamed get: the rule needs every name.
	p = only(t, []synth.Access{use("alice", "get configmaps", "ns/a"), use("alice", "get configmaps", "ns/")}, nil, Options{})
	wantShape(t, p, `ns: get [""] configmaps`)

	// Names per verb: update on a, get on b.
	p = only(t, []synth.Access{use("alice", "update configmaps", "ns/a"), use("alice", "get configmaps", "ns/b")}, nil, Options{})
	wantShape(t, p, `ns: get [""] configmaps [b]`, `ns: update [""] configmaps [a]`)

	// Collection verbs and create never carry names; a subresource keeps
	// its object's name, create included.
	p = only(t, []synth.Access{
		use("alice", "list configmaps", "ns/a"),
		use("alice", "watch configmaps", "ns/a"),
		use("alice", "create configmaps", "ns/a"),
		use("alice", "deletecollection configmaps", "ns/a"),
		use("alice", "create pods/exec", "ns/web"),
		use("alice", "get pods/log", "ns/web"),
		use("alice", "create pods/eviction", "ns/web"),
	}, nil, Options{})
	wantShape(t, p,
		`ns: create,deletecollection,list,watch [""] configmaps`,
		`ns: create [""] pods/eviction,pods/exec [web]`,
		`ns: get [""] pods/log [web]`,
	)
	if len(p.Generalizations) != 1 || p.Generalizations[0].Reason != ReasonUnnamedVerb ||
		!reflect.DeepEqual(p.Generalizations[0].Actions, []string{"create configmaps", "deletecollection configmaps", "list configmaps", "watch configmaps"}) {
		t.Errorf("generalizations %+v", p.Generalizations)
	}
	if PolicyAllows(p, Request{Verb: "create", Resource: "pods", Subresource: "exec", Namespace: "ns", Name: "db"}) {
		t.Error("exec allowed into a pod never exec'd into")
	}
}

func TestSynthesizeClusterWideAfter(t *testing.T) {
	var accesses []synth.Access
	for _, ns := range []string{"a", "b", "c", "d"} {
		accesses = append(accesses, use("alice", "get pods", ns+"/web"), use("alice", "list secrets", ns+"/"))
	}
	accesses = append(accesses, use("alice", "delete pods", "a/web"))
	p := only(t, accesses, nil, Options{})
	wantShape(t, p,
		`a: delete [""] pods [web]`,
		`*: get [""] pods [web]`,
		`*: list [""] secrets`,
	)
	want := []Generalization{{
		Reason:  ReasonClusterWide,
		Actions: []string{"get pods", "list secrets"},
		Detail:  "4 namespaces, more than 3: a, b, c, d",
	}}
	if !reflect.DeepEqual(p.Generalizations, want) {
		t.Errorf("generalizations:\n got %+v\nwant %+v", p.Generalizations, want)
	}
	// The cluster-wide rule's evidence covers every namespace.
	ev := p.Roles[1].Rules[0].Evidence
	if len(ev) != 1 || ev[0].Action != "get pods" || ev[0].Count != 4 || len(ev[0].Resources) != 4 {
		t.Errorf("evidence %+v", ev)
	}

	p = only(t, accesses[:6], nil, Options{}) // three namespaces
	wantShape(t, p,
		`a: get [""] pods [web]`, `a: list [""] secrets`,
		`b: get [""] pods [web]`, `b: list [""] secrets`,
		`c: get [""] pods [web]`, `c: list [""] secrets`,
	)
	p = only(t, accesses, nil, Options{ClusterWideAfter: -1})
	if len(p.Roles) != 4 || len(p.Generalizations) != 0 {
		t.Errorf("ClusterWideAfter -1: %q %+v", shape(p), p.Generalizations)
	}
	p = only(t, accesses, nil, Options{ClusterWideAfter: 1})
	if len(p.Roles) != 2 { // a keeps delete
		t.Errorf("ClusterWideAfter 1: %q", shape(p))
	}
}

func TestSynthesizeAllNamespacesAndClusterScoped(t *testing.T) {
	p := only(t, []synth.Access{
		use("alice", "list pods", ""),
		use("alice", "watch pods", ""),
		use("alice", "get nodes", "/node-1"),
		use("alice", "get nodes/proxy", "/node-1"),
		use("alice", "list namespaces", ""),
	}, nil, Options{})
	wantShape(t, p,
		`*: list [""] namespaces`,
		`*: get [""] nodes,nodes/proxy [node-1]`,
		`*: list,watch [""] pods`,
	)
	if !PolicyAllows(p, Request{Verb: "list", Resource: "pods", Namespace: "anywhere"}) {
		t.Error("an all-namespace list does not cover each namespace, as in RBAC")
	}
}

func TestSynthesizeSubtractsBootstrapAndGrants(t *testing.T) {
	accesses := []synth.Access{
		use("alice", "get /version", ""),
		use("alice", "get /apis/apps/v1", ""),
		use("alice", "create selfsubjectaccessreviews.authorization.k8s.io", ""),
		use("alice", "get pods", "team/web"),
		use("alice", "list pods", "team/"),
		use("alice", "get /metrics", ""),
	}
	granted := []Grant{{
		Subject:   Subject{Kind: "User", Name: "alice"},
		Namespace: "team",
		Rule:      rule("get,watch", "", "pods", "-"),
		Origin:    "RoleBinding/team/viewers -> Role/viewer",
	}}
	p := only(t, accesses, granted, Options{})
	wantShape(t, p, `team: list [""] pods`, `*: get /metrics`)
	var already []string
	for _, a := range p.AlreadyGranted {
		already = append(already, a.Action)
	}
	want := []string{"create selfsubjectaccessreviews.authorization.k8s.io", "get /apis/apps/v1", "get /version", "get pods"}
	if !reflect.DeepEqual(already, want) {
		t.Errorf("already granted %q, want %q", already, want)
	}

	// Everything granted: no roles at all, still a policy.
	p = only(t, accesses[:3], nil, Options{})
	if len(p.Roles) != 0 || len(p.Bindings) != 0 || len(p.AlreadyGranted) != 3 {
		t.Errorf("policy %+v", p)
	}
}

func TestSynthesizeGroupGrants(t *testing.T) {
	granted := []Grant{
		{Subject: Subject{Kind: "Group", Name: "system:serviceaccounts:team"}, Namespace: "team", Rule: rule("get", "", "configmaps", "-")},
		{Subject: Subject{Kind: "Group", Name: "system:serviceaccounts"}, Rule: rule("list", "", "nodes", "-")},
		{Subject: Subject{Kind: "Group", Name: "developers"}, Rule: rule("*", "*", "*", "-")},
		{Subject: Subject{Kind: "Group", Name: "system:authenticated"}, Rule: rule("get", "", "namespaces", "-")},
	}
	accesses := []synth.Access{
		use(testSA, "get configmaps", "team/cfg"),
		use(testSA, "list nodes", ""),
		use(testSA, "get namespaces", "/team"),
		use(testSA, "list secrets", "team/"),
		use("alice", "get configmaps", "team/cfg"),
		use("alice", "list nodes", ""),
		use("alice", "get namespaces", "/team"),
	}
	ps := Synthesize(accesses, granted, Options{})
	if len(ps) != 2 || ps[0].Principal != "alice" || ps[1].Principal != testSA {
		t.Fatalf("policies %+v", ps)
	}
	for _, p := range ps {
		if err := Verify(p, accesses, granted); err != nil {
			t.Fatal(err)
		}
	}
	wantShape(t, ps[0], `team: get [""] configmaps [cfg]`, `*: list [""] nodes`)
	wantShape(t, ps[1], `team: list [""] secrets`)
	if len(ps[1].AlreadyGranted) != 3 || len(ps[0].AlreadyGranted) != 1 {
		t.Errorf("already granted: alice %d, sa %d", len(ps[0].AlreadyGranted), len(ps[1].AlreadyGranted))
	}
}

func TestSynthesizeAudit2RBACVerbs(t *testing.T) {
	accesses := []synth.Access{
		use("alice", "watch pods", "ns/"),
		use("alice", "update configmaps", "ns/cfg"),
		use("alice", "get /metrics", ""),
	}
	p := only(t, accesses, nil, Options{VerbExpansion: VerbsAudit2RBAC})
	wantShape(t, p,
		`ns: get,patch,update [""] configmaps [cfg]`,
		`ns: get,list,watch [""] pods`,
		`*: get /metrics`,
	)
	var reasons []string
	for _, g := range p.Generalizations {
		reasons = append(reasons, g.Reason+" | "+g.Detail+" | "+strings.Join(g.Actions, ","))
	}
	want := []string{
		"verb expansion | audit2rbac: update also grants get, patch | update configmaps",
		"verb expansion | audit2rbac: watch also grants get, list | watch pods",
	}
	if !reflect.DeepEqual(reasons, want) {
		t.Errorf("generalizations\n got %q\nwant %q", reasons, want)
	}
	// Expanded verbs already granted are not added.
	granted := []Grant{{Subject: Subject{Kind: "User", Name: "alice"}, Rule: rule("get", "", "pods,configmaps", "-")}}
	p = only(t, accesses, granted, Options{VerbExpansion: VerbsAudit2RBAC})
	wantShape(t, p,
		`ns: patch,update [""] configmaps [cfg]`,
		`ns: list,watch [""] pods`,
		`*: get /metrics`,
	)
	// Unknown modes are exact.
	p = only(t, accesses, nil, Options{VerbExpansion: "everything"})
	wantShape(t, p, `ns: update [""] configmaps [cfg]`, `ns: watch [""] pods`, `*: get /metrics`)
}

func TestSynthesizeRejects(t *testing.T) {
	accesses := []synth.Access{
		use("alice", "* pods", "ns/"),
		use("alice", "get *", "ns/"),
		use("alice", "get pods.*", "ns/"),
		use("alice", "get */scale", "ns/"),
		use("alice", "get pods/*", "ns/"),
		use("alice", "get /api/*", ""),
		use("alice", "get *", ""),
		use("alice", "getpods", ""),
		use("alice", "get pods", "no-slash"),
		{Provider: "aws", Principal: "alice", Action: "s3:GetObject"},
		use("alice", "get pods", "ns/p"),
	}
	p := only(t, accesses, nil, Options{})
	wantShape(t, p, `ns: get [""] pods [p]`)
	if len(p.Rejected) != 10 {
		t.Fatalf("%d rejected: %+v", len(p.Rejected), p.Rejected)
	}
	for _, r := range p.Rejected {
		if r.Reason == "" {
			t.Errorf("no reason for %+v", r.Access)
		}
	}
	for _, ru := range p.Roles[0].Rules {
		for _, s := range append(append(ru.Verbs, ru.APIGroups...), ru.Resources...) {
			if strings.Contains(s, "*") {
				t.Errorf("wildcard granted: %+v", ru)
			}
		}
	}
}

func TestSynthesizeDeniedAndInferred(t *testing.T) {
	denied := use("alice", "delete pods", "ns/web")
	denied.Denied = true
	inferred := use("alice", "impersonate serviceaccounts", "ns/builder")
	inferred.Inferred = true
	p := only(t, []synth.Access{denied, inferred, use("alice", "get pods", "ns/web")}, nil, Options{})
	wantShape(t, p,
		`ns: delete,get [""] pods [web]`,
		`ns: impersonate [""] serviceaccounts [builder]`,
	)
	ev := p.Roles[0].Rules[0].Evidence
	if len(ev) != 2 || ev[0].Action != "delete pods" || !ev[0].Denied || ev[1].Action != "get pods" || ev[1].Denied {
		t.Errorf("evidence %+v", ev)
	}
	ev = p.Roles[0].Rules[1].Evidence
	if len(ev) != 1 || !ev[0].Inferred || ev[0].Action != "impersonate serviceaccounts" || ev[0].Count != 1 ||
		!reflect.DeepEqual(ev[0].Resources, []string{"ns/builder"}) || len(ev[0].Samples) != 1 {
		t.Errorf("evidence %+v", ev)
	}
}

func TestRoleName(t *testing.T) {
	for in, want := range map[string]string{
		testSA:              "pare:" + testSA,
		"alice@example.com": "pare:alice@example.com",
		"https://idp/alice": "pare:https:~s~sidp~salice",
		"100%":              "pare:100~p",
		"a~s":               "pare:a~~s",
		"":                  "pare:",
		"..":                "pare:..",
		"oidc:x/y%z~w":      "pare:oidc:x~sy~pz~~w",
	} {
		got := RoleName(in)
		if got != want {
			t.Errorf("RoleName(%q) = %q, want %q", in, got, want)
		}
		if strings.ContainsAny(got, "/%") {
			t.Errorf("RoleName(%q) = %q holds a character RBAC rejects", in, got)
		}
	}
	// One-to-one on names that differ only where escaping happens.
	seen := make(map[string]string)
	for _, p := range []string{"a/b", "a~sb", "a%b", "a~pb", "a~b", "a~~b", "a/~b", "a~/b"} {
		n := RoleName(p)
		if q, dup := seen[n]; dup {
			t.Errorf("RoleName(%q) = RoleName(%q) = %q", p, q, n)
		}
		seen[n] = p
	}
}

func TestSynthesizeDeterministic(t *testing.T) {
	var accesses []synth.Access
	for i, ns := range []string{"a", "b", "c", "d", "e"} {
		for j, who := range []string{"alice", testSA, "bob/x"} {
			accesses = append(accesses,
				use(who, "get pods", fmt.Sprintf("%s/p%d", ns, i*j)),
				use(who, "list configmaps", ns+"/"),
				use(who, "get /metrics", ""),
				use(who, "create pods/exec", fmt.Sprintf("%s/p%d", ns, j)),
			)
		}
	}
	dup := use("alice", "get pods", "a/p0")
	dup.Denied = true
	accesses = append(accesses, dup, use("alice", "* x", ""))
	for _, opts := range []Options{{}, {VerbExpansion: VerbsAudit2RBAC, MaxResourceNames: 2, ClusterWideAfter: 2}} {
		want := Synthesize(accesses, nil, opts)
		for seed := uint64(0); seed < 20; seed++ {
			shuffled := append([]synth.Access(nil), accesses...)
			rand.New(rand.NewPCG(seed, 1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			if got := Synthesize(shuffled, nil, opts); !reflect.DeepEqual(got, want) {
				t.Fatalf("seed %d: shuffled input gives different policies", seed)
			}
		}
	}
}

func TestSynthesizeEmpty(t *testing.T) {
	if ps := Synthesize(nil, nil, Options{}); len(ps) != 0 {
		t.Errorf("policies for nothing: %+v", ps)
	}
}

func TestParseVerbExpansion(t *testing.T) {
	for _, s := range []string{"exact", "audit2rbac"} {
		if got, err := ParseVerbExpansion(s); err != nil || got != s {
			t.Errorf("ParseVerbExpansion(%q) = %q, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "Exact", "all"} {
		if _, err := ParseVerbExpansion(s); err == nil {
			t.Errorf("ParseVerbExpansion(%q) accepted", s)
		}
	}
}
