package k8s

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth"
)

// rule is newRule of kubernetes plugin/pkg/auth/authorizer/rbac/rbac_test.go:
// comma-separated verbs, groups, resources and URLs.
func rule(verbs, groups, resources, urls string) Rule {
	split := func(s string) []string {
		if s == "-" {
			return nil
		}
		return strings.Split(s, ",")
	}
	return Rule{Verbs: split(verbs), APIGroups: split(groups), Resources: split(resources), NonResourceURLs: split(urls)}
}

func res(verb, group, resource, subresource string) Request {
	return Request{Verb: verb, Group: group, Resource: resource, Subresource: subresource}
}

func url(verb, path string) Request { return Request{Verb: verb, Path: path} }

// TestRuleAllows ports TestRuleMatches of kubernetes
// plugin/pkg/auth/authorizer/rbac/rbac_test.go, case for case, and adds the
// forms it does not cover: "*/subresource", "resource/*", resourceNames and
// URL prefixes.
func TestRuleAllows(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
		want map[Request]bool
	}{
		{
			name: "star verb, exact match other",
			rule: rule("*", "group1", "resource1", "-"),
			want: map[Request]bool{
				res("verb1", "group1", "resource1", ""): true,
				res("verb1", "group2", "resource1", ""): false,
				res("verb1", "group1", "resource2", ""): false,
				res("verb1", "group2", "resource2", ""): false,
				res("verb2", "group1", "resource1", ""): true,
				res("verb2", "group2", "resource1", ""): false,
				res("verb2", "group1", "resource2", ""): false,
				res("verb2", "group2", "resource2", ""): false,
			},
		},
		{
			name: "star group, exact match other",
			rule: rule("verb1", "*", "resource1", "-"),
			want: map[Request]bool{
				res("verb1", "group1", "resource1", ""): true,
				res("verb1", "group2", "resource1", ""): true,
				res("verb1", "group1", "resource2", ""): false,
				res("verb1", "group2", "resource2", ""): false,
				res("verb2", "group1", "resource1", ""): false,
				res("verb2", "group2", "resource1", ""): false,
				res("verb2", "group1", "resource2", ""): false,
				res("verb2", "group2", "resource2", ""): false,
			},
		},
		{
			name: "star resource, exact match other",
			rule: rule("verb1", "group1", "*", "-"),
			want: map[Request]bool{
				res("verb1", "group1", "resource1", ""):     true,
				res("verb1", "group2", "resource1", ""):     false,
				res("verb1", "group1", "resource2", ""):     true,
				res("verb1", "group2", "resource2", ""):     false,
				res("verb2", "group1", "resource1", ""):     false,
				res("verb2", "group2", "resource1", ""):     false,
				res("verb2", "group1", "resource2", ""):     false,
				res("verb2", "group2", "resource2", ""):     false,
				res("verb1", "group1", "resource1", "sub"):  true, // "*" covers subresources too
				res("verb1", "group1", "resource1", "sub2"): true,
			},
		},
		{
			name: "tuple expansion",
			rule: rule("verb1,verb2", "group1,group2", "resource1,resource2", "-"),
			want: map[Request]bool{
				res("verb1", "group1", "resource1", ""): true,
				res("verb1", "group2", "resource1", ""): true,
				res("verb1", "group1", "resource2", ""): true,
				res("verb1", "group2", "resource2", ""): true,
				res("verb2", "group1", "resource1", ""): true,
				res("verb2", "group2", "resource1", ""): true,
				res("verb2", "group1", "resource2", ""): true,
				res("verb2", "group2", "resource2", ""): true,
				res("verb3", "group1", "resource1", ""): false,
			},
		},
		{
			name: "subresource expansion",
			rule: rule("*", "*", "resource1/subresource1", "-"),
			want: map[Request]bool{
				res("verb1", "group1", "resource1", "subresource1"): true,
				res("verb1", "group2", "resource1", "subresource2"): false,
				res("verb1", "group1", "resource2", "subresource1"): false,
				res("verb1", "group2", "resource2", "subresource1"): false,
				res("verb2", "group1", "resource1", "subresource1"): true,
				res("verb2", "group2", "resource1", "subresource2"): false,
				res("verb2", "group1", "resource2", "subresource1"): false,
				res("verb2", "group2", "resource2", "subresource1"): false,
				res("verb1", "group1", "resource1", ""):             false,
			},
		},
		{
			name: "star nonresource, exact match other",
			rule: rule("verb1", "-", "-", "*"),
			want: map[Request]bool{
				url("verb1", "/foo"):         true,
				url("verb1", "/foo/bar"):     true,
				url("verb1", "/foo/baz"):     true,
				url("verb1", "/foo/bar/one"): true,
				url("verb1", "/foo/baz/one"): true,
				url("verb2", "/foo"):         false,
				url("verb2", "/foo/bar"):     false,
				url("verb2", "/foo/baz"):     false,
				url("verb2", "/foo/bar/one"): false,
				url("verb2", "/foo/baz/one"): false,
			},
		},
		{
			name: "star nonresource subpath",
			rule: rule("verb1", "-", "-", "/foo/*"),
			want: map[Request]bool{
				url("verb1", "/foo"):            false,
				url("verb1", "/foo/bar"):        true,
				url("verb1", "/foo/baz"):        true,
				url("verb1", "/foo/bar/one"):    true,
				url("verb1", "/foo/baz/one"):    true,
				url("verb1", "/notfoo"):         false,
				url("verb1", "/notfoo/bar"):     false,
				url("verb1", "/notfoo/baz"):     false,
				url("verb1", "/notfoo/bar/one"): false,
				url("verb1", "/notfoo/baz/one"): false,
				url("verb1", "/foo/"):           true,
			},
		},
		{
			name: "star verb, exact nonresource",
			rule: rule("*", "-", "-", "/foo,/foo/bar/one"),
			want: map[Request]bool{
				url("verb1", "/foo"):         true,
				url("verb1", "/foo/bar"):     false,
				url("verb1", "/foo/baz"):     false,
				url("verb1", "/foo/bar/one"): true,
				url("verb1", "/foo/baz/one"): false,
				url("verb2", "/foo"):         true,
				url("verb2", "/foo/bar"):     false,
				url("verb2", "/foo/baz"):     false,
				url("verb2", "/foo/bar/one"): true,
				url("verb2", "/foo/baz/one"): false,
			},
		},
		{
			name: "prefix without slash",
			rule: rule("get", "-", "-", "/healthz*"),
			want: map[Request]bool{
				url("get", "/healthz"):      true,
				url("get", "/healthz/etcd"): true,
				url("get", "/healthzz"):     true,
				url("get", "/health"):       false,
			},
		},
		{
			name: "star subresource of any resource",
			rule: rule("get", "*", "*/scale", "-"),
			want: map[Request]bool{
				res("get", "apps", "deployments", "scale"):        true,
				res("get", "", "replicationcontrollers", "scale"): true,
				res("get", "apps", "deployments", ""):             false,
				res("get", "apps", "deployments", "status"):       false,
				res("get", "apps", "deployments", "xscale"):       false,
			},
		},
		{
			name: "resource slash star is literal in RBAC",
			rule: rule("get", "", "pods/*", "-"),
			want: map[Request]bool{
				res("get", "", "pods", "log"):  false,
				res("get", "", "pods", "exec"): false,
				res("get", "", "pods", ""):     false,
				res("get", "", "pods", "*"):    true,
			},
		},
		{
			name: "resource rule never matches a URL nor the reverse",
			rule: rule("*", "*", "*", "-"),
			want: map[Request]bool{
				url("get", "/api"):         false,
				res("get", "", "pods", ""): true,
			},
		},
		{
			name: "URL rule never matches a resource",
			rule: rule("*", "-", "-", "*"),
			want: map[Request]bool{
				res("get", "", "pods", ""): false,
				url("get", "/"):            true,
			},
		},
		{
			name: "verbs and groups are case sensitive",
			rule: rule("get", "apps", "deployments", "-"),
			want: map[Request]bool{
				res("GET", "apps", "deployments", ""): false,
				res("get", "Apps", "deployments", ""): false,
				res("get", "apps", "Deployments", ""): false,
				res("get", "", "deployments", ""):     false,
			},
		},
		{
			name: "core group is the empty string",
			rule: rule("get", "", "pods", "-"),
			want: map[Request]bool{
				res("get", "", "pods", ""):     true,
				res("get", "apps", "pods", ""): false,
			},
		},
	}
	for _, tc := range tests {
		for r, want := range tc.want {
			if got := RuleAllows(tc.rule, r); got != want {
				t.Errorf("%s: RuleAllows(%+v, %+v) = %v, want %v", tc.name, tc.rule, r, got, want)
			}
		}
	}
}

func TestResourceNames(t *testing.T) {
	named := Rule{Verbs: []string{"get", "list", "update"}, APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{"a", "b"}}
	cases := []struct {
		r    Request
		want bool
	}{
		{Request{Verb: "get", Resource: "configmaps", Name: "a"}, true},
		{Request{Verb: "update", Resource: "configmaps", Name: "b", Namespace: "ns"}, true},
		{Request{Verb: "get", Resource: "configmaps", Name: "c"}, false},
		{Request{Verb: "get", Resource: "configmaps", Name: "A"}, false},
		// A rule with names never allows a request without one.
		{Request{Verb: "list", Resource: "configmaps"}, false},
		{Request{Verb: "get", Resource: "configmaps"}, false},
	}
	for _, c := range cases {
		if got := RuleAllows(named, c.r); got != c.want {
			t.Errorf("RuleAllows(named, %+v) = %v, want %v", c.r, got, c.want)
		}
	}
	unnamed := named
	unnamed.ResourceNames = nil
	for _, r := range []Request{{Verb: "list", Resource: "configmaps"}, {Verb: "get", Resource: "configmaps", Name: "zzz"}} {
		if !RuleAllows(unnamed, r) {
			t.Errorf("a rule without names does not allow %+v", r)
		}
	}
}

// TestPolicyAllows ports the namespace cases of TestAuthorizer in kubernetes
// plugin/pkg/auth/authorizer/rbac/rbac_test.go: a RoleBinding's role applies
// in its namespace only, a ClusterRoleBinding's everywhere.
func TestPolicyAllows(t *testing.T) {
	admin := rule("*", "*", "*", "-")
	p := Policy{
		Principal: "admin",
		Roles: []Role{
			{Namespace: "ns1", Name: "r", Rules: []Rule{admin}},
			{Name: "urls", Rules: []Rule{rule("get", "-", "-", "/apis")}},
		},
		Bindings: []Binding{
			{Namespace: "ns1", Name: "r", RoleKind: "Role", RoleName: "r", Subject: Subject{Kind: "User", Name: "admin"}},
			{Name: "urls", RoleKind: "ClusterRole", RoleName: "urls", Subject: Subject{Kind: "User", Name: "admin"}},
		},
	}
	cases := []struct {
		r    Request
		want bool
	}{
		{Request{Verb: "get", Resource: "Pods", Namespace: "ns1"}, true},
		{Request{Verb: "watch", Resource: "Foobar", Namespace: "ns1"}, true},
		{Request{Verb: "GET", Resource: "Pods", Namespace: "ns2"}, false},
		{Request{Verb: "get", Resource: "Pods", Namespace: "ns2"}, false},
		{Request{Verb: "get", Resource: "Nodes"}, false},
		{Request{Verb: "list", Resource: "pods"}, false}, // all namespaces is not ns1
		{url("get", "/apis"), true},
		{url("watch", "/apis"), false},
		{url("get", "/api/v1"), false},
	}
	for _, c := range cases {
		if got := PolicyAllows(p, c.r); got != c.want {
			t.Errorf("PolicyAllows(%+v) = %v, want %v", c.r, got, c.want)
		}
	}

	// The same policy for another principal, a binding to a missing role,
	// a Role bound cluster-wide, and a Role with URL rules allow nothing.
	other := p
	other.Principal = "joe"
	if PolicyAllows(other, Request{Verb: "get", Resource: "pods", Namespace: "ns1"}) {
		t.Error("bindings to admin allow joe")
	}
	broken := Policy{
		Principal: "admin",
		Roles:     []Role{{Namespace: "ns1", Name: "r", Rules: []Rule{admin, rule("get", "-", "-", "*")}}},
		Bindings: []Binding{
			{Namespace: "ns1", Name: "x", RoleKind: "Role", RoleName: "missing", Subject: Subject{Kind: "User", Name: "admin"}},
			{Name: "y", RoleKind: "Role", RoleName: "r", Subject: Subject{Kind: "User", Name: "admin"}},
			{Namespace: "ns1", Name: "z", RoleKind: "Role", RoleName: "r", Subject: Subject{Kind: "User", Name: "admin"}},
		},
	}
	if PolicyAllows(broken, Request{Verb: "get", Resource: "pods", Namespace: "ns2"}) {
		t.Error("a Role bound by a ClusterRoleBinding applies outside its namespace")
	}
	if PolicyAllows(broken, url("get", "/healthz")) {
		t.Error("a RoleBinding grants a non-resource URL")
	}
	if !PolicyAllows(broken, Request{Verb: "get", Resource: "pods", Namespace: "ns1"}) {
		t.Error("the valid RoleBinding does not apply")
	}
}

func TestGrantsAllowSubjects(t *testing.T) {
	get := rule("get", "", "pods", "-")
	grant := func(kind, name, ns, bindingNS string) []Grant {
		return []Grant{{Subject: Subject{Kind: kind, Name: name, Namespace: ns}, Namespace: bindingNS, Rule: get}}
	}
	in := func(ns string) Request { return Request{Verb: "get", Resource: "pods", Namespace: ns} }
	const sa = "system:serviceaccount:team:app"
	cases := []struct {
		name      string
		granted   []Grant
		principal string
		r         Request
		want      bool
	}{
		{"user", grant("User", "alice", "", ""), "alice", in("x"), true},
		{"other user", grant("User", "alice", "", ""), "bob", in("x"), false},
		{"user name of a service account", grant("User", sa, "", ""), sa, in("x"), true},
		{"service account", grant("ServiceAccount", "app", "team", ""), sa, in("x"), true},
		{"service account of another namespace", grant("ServiceAccount", "app", "other", ""), sa, in("x"), false},
		{"service account defaulted to the binding's namespace", grant("ServiceAccount", "app", "", "team"), sa, in("team"), true},
		{"service account without any namespace", grant("ServiceAccount", "app", "", ""), sa, in("team"), false},
		{"user is not a service account", grant("ServiceAccount", "app", "team", ""), "app", in("x"), false},
		{"authenticated", grant("Group", "system:authenticated", "", ""), "alice", in("x"), true},
		{"authenticated, service account", grant("Group", "system:authenticated", "", ""), sa, in("x"), true},
		{"anonymous is not authenticated", grant("Group", "system:authenticated", "", ""), "system:anonymous", in("x"), false},
		{"all service accounts", grant("Group", "system:serviceaccounts", "", ""), sa, in("x"), true},
		{"all service accounts, user", grant("Group", "system:serviceaccounts", "", ""), "alice", in("x"), false},
		{"service accounts of team", grant("Group", "system:serviceaccounts:team", "", ""), sa, in("x"), true},
		{"service accounts of other", grant("Group", "system:serviceaccounts:other", "", ""), sa, in("x"), false},
		{"other groups are never assumed", grant("Group", "developers", "", ""), "alice", in("x"), false},
		{"system:masters is never assumed", grant("Group", "system:masters", "", ""), "alice", in("x"), false},
		{"role binding in its namespace", grant("User", "alice", "", "x"), "alice", in("x"), true},
		{"role binding elsewhere", grant("User", "alice", "", "x"), "alice", in("y"), false},
		{"role binding, cluster-wide request", grant("User", "alice", "", "x"), "alice", in(""), false},
		{"unknown subject kind", grant("Robot", "alice", "", ""), "alice", in("x"), false},
	}
	for _, c := range cases {
		if got := GrantsAllow(c.granted, c.principal, c.r); got != c.want {
			t.Errorf("%s: GrantsAllow = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestBootstrap(t *testing.T) {
	for _, c := range []struct {
		r    Request
		want bool
	}{
		{url("get", "/api"), true},
		{url("get", "/apis/apps/v1"), true},
		{url("get", "/openapi/v3"), true},
		{url("get", "/version"), true},
		{url("get", "/version/"), true},
		{url("get", "/healthz"), true},
		{url("get", "/livez"), true},
		{url("get", "/readyz"), true},
		{url("get", "/metrics"), false},
		{url("get", "/healthz/etcd"), false},
		{url("post", "/api"), false},
		{Request{Verb: "create", Group: "authorization.k8s.io", Resource: "selfsubjectaccessreviews"}, true},
		{Request{Verb: "create", Group: "authorization.k8s.io", Resource: "selfsubjectrulesreviews"}, true},
		{Request{Verb: "create", Group: "authentication.k8s.io", Resource: "selfsubjectreviews"}, true},
		{Request{Verb: "create", Group: "authorization.k8s.io", Resource: "subjectaccessreviews"}, false},
		{Request{Verb: "get", Resource: "namespaces", Name: "default"}, false},
	} {
		if got := GrantsAllow(Bootstrap(), "alice", c.r); got != c.want {
			t.Errorf("bootstrap allows %+v: %v, want %v", c.r, got, c.want)
		}
		// Only the system:authenticated bindings are listed.
		if GrantsAllow(Bootstrap(), "system:anonymous", c.r) {
			t.Errorf("bootstrap allows anonymous %+v", c.r)
		}
	}
}

func TestVerify(t *testing.T) {
	acc := func(action, resource string) synth.Access {
		return synth.Access{Provider: "k8s", Principal: "alice", Action: action, Resource: resource, Count: 1}
	}
	p := Policy{
		Principal: "alice",
		Subject:   Subject{Kind: "User", Name: "alice"},
		Roles:     []Role{{Namespace: "team", Name: "pare:alice", Rules: []Rule{rule("get", "", "pods", "-")}}},
		Bindings:  []Binding{{Namespace: "team", Name: "pare:alice", RoleKind: "Role", RoleName: "pare:alice", Subject: Subject{Kind: "User", Name: "alice"}}},
	}
	used := []synth.Access{
		acc("get pods", "team/web"),
		acc("get /version", ""),                                    // bootstrap
		{Principal: "bob", Action: "delete nodes", Resource: "/n"}, // another principal
		acc("* pods", "team/x"),                                    // rejected, not checked
	}
	// check runs Verify, the indexed Verify and Missing, which must agree:
	// an error naming the first missing access, in namespace ns.
	check := func(what string, used []synth.Access, granted []Grant, missing ...int) {
		t.Helper()
		var want []synth.Access
		for _, i := range missing {
			want = append(want, used[i])
		}
		if got := Missing(p, used, granted); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Missing = %v, want %v", what, got, want)
		}
		for _, err := range []error{Verify(p, used, granted), IndexGrants(granted).Verify(p, used)} {
			switch {
			case len(missing) == 0 && err != nil:
				t.Errorf("%s: Verify: %v", what, err)
			case len(missing) > 0 && (err == nil || !strings.Contains(err.Error(), fmt.Sprintf("access %d, %q", missing[0], used[missing[0]].Action))):
				t.Errorf("%s: Verify = %v, want an error naming access %d", what, err, missing[0])
			}
		}
	}
	check("all allowed", used, nil)
	used = append(used, acc("list secrets", "team/"))
	check("list secrets", used, nil, 4)
	granted := []Grant{{Subject: Subject{Kind: "User", Name: "alice"}, Namespace: "team", Rule: rule("list", "", "secrets", "-")}}
	check("with grants", used, granted)
	used = append(used, acc("get pods", "other/web"), acc("get pods", "team/web"), acc("delete pods", "other/web"))
	check("in namespace other", used, granted, 5, 7)
	if err := Verify(p, used, granted); err == nil || !strings.Contains(err.Error(), `namespace "other"`) {
		t.Errorf("Verify = %v, want an error for namespace other", err)
	}
	// The grants of other subjects, and of no one, do not apply.
	others := []Grant{
		{Subject: Subject{Kind: "User", Name: "bob"}, Rule: rule("*", "*", "*", "-")},
		{Subject: Subject{Kind: "ServiceAccount", Name: "alice"}, Rule: rule("*", "*", "*", "-")},
		{Subject: Subject{Kind: "Group", Name: "devs"}, Rule: rule("*", "*", "*", "-")},
		{Subject: Subject{Kind: "Robot", Name: "alice"}, Rule: rule("*", "*", "*", "-")},
	}
	check("other subjects", used, append(others, granted...), 5, 7)
	check("system:authenticated", used, append(others, Grant{Subject: Subject{Kind: "Group", Name: "system:authenticated"}, Rule: rule("*", "*", "*", "-")}))
}
