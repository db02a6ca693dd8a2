package manifest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth/k8s"
	"github.com/leastpriv/pare/usage/record"
)

func TestGrantRecordsRows(t *testing.T) {
	grants := []k8s.Grant{
		{Subject: k8s.Subject{Kind: "ServiceAccount", Namespace: "shop", Name: "web"}, Namespace: "shop", Origin: "o1",
			Rule: k8s.Rule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{"a", "b"}}},
		{Subject: k8s.Subject{Kind: "Group", Name: "sre"}, Origin: "o2",
			Rule: k8s.Rule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*/scale", "deployments"}}},
		{Subject: k8s.Subject{Kind: "User", Name: "group:odd"}, Origin: "o3",
			Rule: k8s.Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"*", "/healthz"}}},
		{Subject: k8s.Subject{Kind: "User", Name: "bob"}, Origin: "o4",
			Rule: k8s.Rule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"nodes"}, ResourceNames: []string{"node-1"}}},
		{Subject: k8s.Subject{Kind: "User", Name: "bob"}, Namespace: "dev", Origin: "o5",
			Rule: k8s.Rule{Verbs: []string{"list"}, APIGroups: []string{"apps"}, Resources: []string{"*"}}},
	}
	row := func(principal, action, resource, scope, origin string) record.Grant {
		return record.Grant{Provider: "k8s", Principal: principal, Effect: "allow", Action: action, Resource: resource, Scope: scope, Origin: origin}
	}
	want := []record.Grant{
		row("bob", "get nodes", "/node-1", "", "o4"),
		row("bob", "list *.apps", "dev/", "dev", "o5"),
		row("group:sre", "* *.*/scale", "", "", "o2"),
		row("group:sre", "* deployments.*", "", "", "o2"),
		row("system:serviceaccount:shop:web", "get configmaps", "shop/a", "shop", "o1"),
		row("system:serviceaccount:shop:web", "get configmaps", "shop/b", "shop", "o1"),
		row("user:group:odd", "get /*", "", "", "o3"),
		row("user:group:odd", "get /healthz", "", "", "o3"),
	}
	if got := GrantRecords(grants); !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n%v\nwant:\n%v", got, want)
	}
}

// universe is every request the test grants could tell apart.
func universe(grants []k8s.Grant) []k8s.Request {
	verbs := map[string]bool{"get": true, "list": true, "zz": true}
	groups := map[string]bool{"": true, "apps": true, "zz": true}
	resources := map[string]bool{"pods": true, "zz": true, "pods/zz": true, "zz/scale": true}
	names := map[string]bool{"": true, "zz": true}
	paths := map[string]bool{"/": true, "/zz": true, "/api": true, "/api/v1": true, "/healthz/zz": true}
	namespaces := map[string]bool{"": true, "zz": true}
	for _, g := range grants {
		namespaces[g.Namespace] = true
		for _, v := range g.Rule.Verbs {
			verbs[v] = true
		}
		for _, v := range g.Rule.APIGroups {
			groups[v] = true
		}
		for _, v := range g.Rule.Resources {
			resources[v] = true
		}
		for _, v := range g.Rule.ResourceNames {
			names[v] = true
		}
		for _, v := range g.Rule.NonResourceURLs {
			// Request paths always start with "/" (which is why "*" may be
			// stored as "/*").
			if strings.HasPrefix(v, "/") {
				paths[v] = true
				paths[strings.TrimSuffix(v, "*")+"zz"] = true
			}
		}
	}
	var out []k8s.Request
	for v := range verbs {
		for p := range paths {
			out = append(out, k8s.Request{Verb: v, Path: p})
		}
		for g := range groups {
			for res := range resources {
				resource, sub, _ := strings.Cut(res, "/")
				for n := range names {
					for ns := range namespaces {
						out = append(out, k8s.Request{Verb: v, Group: g, Resource: resource, Subresource: sub, Name: n, Namespace: ns})
					}
				}
			}
		}
	}
	return out
}

// allowed is what grants allow, by principal and origin, as a set of
// "principal|origin|request" strings: a RoleBinding's grant only in its
// namespace and never for URLs, as the authorizer applies them.
func allowed(grants []k8s.Grant, reqs []k8s.Request) map[string]bool {
	out := make(map[string]bool)
	for _, g := range grants {
		for _, r := range reqs {
			if g.Namespace != "" && (r.Path != "" || r.Namespace != g.Namespace) {
				continue
			}
			if k8s.RuleAllows(g.Rule, r) {
				out[Principal(g.Subject)+"|"+g.Origin+"|"+r.Action()+"|"+r.Namespace+"/"+r.Name] = true
			}
		}
	}
	return out
}

func TestGrantRecordsRoundTrip(t *testing.T) {
	res := readTestdata(t, nil)
	grants := append([]k8s.Grant(nil), res.Grants...)
	grants = append(grants,
		k8s.Grant{Subject: k8s.Subject{Kind: "User", Name: "user:x"}, Origin: "w",
			Rule: k8s.Rule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}},
		k8s.Grant{Subject: k8s.Subject{Kind: "Group", Name: "g"}, Origin: "u",
			Rule: k8s.Rule{Verbs: []string{"get", "post"}, NonResourceURLs: []string{"*", "/api/*", "/healthz"}}},
		k8s.Grant{Subject: k8s.Subject{Kind: "Group", Name: "g"}, Origin: "u",
			Rule: k8s.Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"/version"}}},
		// One verb with a comma is not the two verbs it would split into.
		k8s.Grant{Subject: k8s.Subject{Kind: "Group", Name: "g"}, Origin: "comma",
			Rule: k8s.Rule{Verbs: []string{"get,list"}, NonResourceURLs: []string{"/a"}}},
		k8s.Grant{Subject: k8s.Subject{Kind: "Group", Name: "g"}, Origin: "comma",
			Rule: k8s.Rule{Verbs: []string{"get", "list"}, NonResourceURLs: []string{"/b"}}},
		k8s.Grant{Subject: k8s.Subject{Kind: "ServiceAccount", Namespace: "a", Name: "b"}, Namespace: "c", Origin: "n",
			Rule: k8s.Rule{Verbs: []string{"update"}, APIGroups: []string{"apps", ""}, Resources: []string{"*/scale", "pods/*"}, ResourceNames: []string{"x", "y"}}},
		k8s.Grant{Subject: k8s.Subject{Kind: "User", Name: "system:serviceaccount:a:b"}, Origin: "sa-as-user",
			Rule: k8s.Rule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"nodes"}, ResourceNames: []string{"n1"}}},
	)
	rows := GrantRecords(grants)
	back, err := GrantsFromRecords(rows)
	if err != nil {
		t.Fatal(err)
	}
	if again := GrantRecords(back); !reflect.DeepEqual(again, rows) {
		t.Errorf("rows differ after a round trip:\n%v\n%v", again, rows)
	}
	reqs := universe(grants)
	want, got := allowed(grants, reqs), allowed(back, reqs)
	if len(want) == 0 {
		t.Fatal("the universe allows nothing; the test proves nothing")
	}
	for k := range want {
		if !got[k] {
			t.Errorf("lost: %s", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("gained: %s", k)
		}
	}
}

func TestGrantsFromRecordsErrors(t *testing.T) {
	ok := record.Grant{Provider: "k8s", Principal: "bob", Effect: "allow", Action: "get pods", Resource: "dev/", Scope: "dev"}
	for _, c := range []struct {
		name string
		edit func(g *record.Grant)
		want string
	}{
		{"provider", func(g *record.Grant) { g.Provider = "aws" }, "not a Kubernetes RBAC grant"},
		{"effect", func(g *record.Grant) { g.Effect = "not" }, "not a Kubernetes RBAC grant"},
		{"action", func(g *record.Grant) { g.Action = "get" }, "want"},
		{"url with resource", func(g *record.Grant) { g.Action = "get /healthz" }, "non-resource URL"},
		{"outside scope", func(g *record.Grant) { g.Resource = "prod/x" }, "outside its scope"},
	} {
		g := ok
		c.edit(&g)
		_, err := GrantsFromRecords([]record.Grant{ok, g})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "row 1") {
			t.Errorf("%s: error = %v, want one with %q naming row 1", c.name, err, c.want)
		}
	}
}

func TestPrincipalRoundTrip(t *testing.T) {
	for _, s := range []k8s.Subject{
		{Kind: "User", Name: "alice"}, {Kind: "User", Name: "group:x"}, {Kind: "User", Name: "user:y"},
		{Kind: "Group", Name: "system:masters"}, {Kind: "ServiceAccount", Namespace: "ns", Name: "sa"},
	} {
		if got := subjectOfPrincipal(Principal(s)); got != s {
			t.Errorf("%+v -> %q -> %+v", s, Principal(s), got)
		}
	}
}
