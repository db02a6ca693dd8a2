package k8s

import (
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/report"
)

const (
	entApp   = "system:serviceaccount:dev:app"
	entProd  = "system:serviceaccount:prod:app"
	entAlice = "alice@example.com"
)

// entKey is an entitlement's action and resource, "<action> @ <resource>".
func entKey(e synth.Entitlement) string { return e.Action + " @ " + e.Resource }

// entitlementsOf returns principal's entitlements by entKey.
func entitlementsOf(t *testing.T, ents []synth.Entitlement, principal string) map[string]synth.Entitlement {
	t.Helper()
	out := make(map[string]synth.Entitlement)
	for _, e := range ents {
		if e.Principal != principal {
			continue
		}
		if e.Provider != "k8s" {
			t.Errorf("%s: provider %q", entKey(e), e.Provider)
		}
		if _, dup := out[entKey(e)]; dup {
			t.Errorf("%s listed twice for %s", entKey(e), principal)
		}
		out[entKey(e)] = e
	}
	return out
}

func roleGrants(subject Subject, namespace, origin string, rules []Rule) []Grant {
	var out []Grant
	for _, r := range rules {
		out = append(out, Grant{Subject: subject, Namespace: namespace, Rule: r, Origin: origin})
	}
	return out
}

func TestEntitlementsViewInANamespace(t *testing.T) {
	sa := Subject{Kind: "ServiceAccount", Name: "app", Namespace: "dev"}
	grants := roleGrants(sa, "dev", "RoleBinding/dev/view -> ClusterRole/view", defaultRole(t, "view"))
	got := entitlementsOf(t, Entitlements(grants, []string{entApp}), entApp)

	for _, k := range []string{
		"get pods @ dev/*",
		"list pods @ dev/*",
		"watch deployments.apps @ dev/*",
		"get pods/log @ dev/*",
		"get namespaces @ dev/dev", // a namespace's own requests carry its name as namespace
		"list endpointslices.discovery.k8s.io @ dev/*",
		// Bootstrap, for every authenticated principal:
		"create selfsubjectaccessreviews.authorization.k8s.io @ ",
		"get /healthz @ ",
		"get /api/* @ ",
	} {
		if _, ok := got[k]; !ok {
			t.Errorf("missing %s", k)
		}
	}
	for k, e := range got {
		if strings.HasPrefix(k, "get secrets") || strings.HasPrefix(k, "list secrets") || strings.Contains(k, "pods/exec") {
			t.Errorf("view grants %s", k)
		}
		if strings.Contains(e.Action, "*") && !strings.HasPrefix(e.Action, "get /") {
			t.Errorf("view has no wildcard, got residual %s", k)
		}
		if len(e.Risks) != 0 && !strings.HasPrefix(k, "get /") {
			t.Errorf("%s: grant risks %v, want none", k, e.Risks)
		}
		ns, _, _ := strings.Cut(e.Resource, "/")
		if e.Resource != "" && ns != "dev" {
			t.Errorf("%s: outside the RoleBinding's namespace", k)
		}
		if len(e.Origins) != 1 && !strings.Contains(e.Origins[0], "bootstrap") {
			t.Errorf("%s: origins %v", k, e.Origins)
		}
	}
	if e := got["get pods @ dev/*"]; !slices.Equal(e.Origins, []string{"RoleBinding/dev/view -> ClusterRole/view"}) {
		t.Errorf("origins = %v", e.Origins)
	}
	// view grants nothing cluster-scoped through a RoleBinding (nodes,
	// persistentvolumes are in its rules only for the aggregated
	// cluster-reader roles, if at all).
	for k := range got {
		if strings.HasPrefix(k, "get nodes") || strings.HasPrefix(k, "list persistentvolumes ") {
			t.Errorf("cluster-scoped %s through a RoleBinding", k)
		}
	}
}

func TestEntitlementsClusterAdmin(t *testing.T) {
	user := Subject{Kind: "User", Name: entAlice}
	grants := roleGrants(user, "", "ClusterRoleBinding/root -> ClusterRole/cluster-admin", defaultRole(t, "cluster-admin"))
	ents := Entitlements(grants, []string{entAlice})
	got := entitlementsOf(t, ents, entAlice)

	admin := []string{
		"get secrets @ */*",
		"list secrets @ */*",
		"create pods/exec @ */*",
		"get pods/exec @ */*",
		"get nodes/proxy @ ",
		"get nodes/stats @ ", // the kubelet's subresources
		"impersonate users @ ",
		"impersonate groups @ ",
		"impersonate serviceaccounts @ */*",
		"impersonate uids.authentication.k8s.io @ ",
		"bind clusterroles.rbac.authorization.k8s.io @ ",
		"escalate roles.rbac.authorization.k8s.io @ */*",
		"approve signers.certificates.k8s.io @ ",
		"create pods/eviction @ */*",
		"patch deployments.apps/scale @ */*",
		"deletecollection configmaps @ */*",
		"delete namespaces @ ",
		"* *.* @ */*", // custom resources, alpha and beta APIs
	}
	for _, k := range admin {
		e, ok := got[k]
		if !ok {
			t.Errorf("missing %s", k)
			continue
		}
		if !slices.Equal(e.Risks, []string{report.RiskAdmin}) {
			t.Errorf("%s: risks %v, want admin", k, e.Risks)
		}
	}
	for _, k := range []string{
		"get /* @ ", "post /* @ ", "head /* @ ", // cluster-admin's non-resource rule
	} {
		e, ok := got[k]
		if !ok {
			t.Errorf("missing %s", k)
		} else if len(e.Risks) != 0 {
			t.Errorf("%s: risks %v; non-resource URLs are not admin", k, e.Risks)
		}
	}
	for _, k := range []string{
		"get pods/eviction @ */*",                                    // eviction serves create only
		"list pods/exec @ */*",                                       // exec serves create and get
		"impersonate pods @ */*",                                     // impersonate is for users, groups, uids, serviceaccounts
		"get evictionrequests.lifecycle.k8s.io @ */*",                // alpha only: left to the residual
		"get leasecandidates.coordination.k8s.io @ */*",              // beta only
		"get userextras.authentication.k8s.io/scopes @ */*",          // the extra's key is unknowable
		"* secrets @ */*",                                            // verbs are concrete on catalog resources
		"create selfsubjectaccessreviews.authorization.k8s.io @ */*", // cluster-scoped
	} {
		if _, ok := got[k]; ok {
			t.Errorf("unexpected %s", k)
		}
	}
	if _, ok := got["list resourceslices.resource.k8s.io @ "]; !ok {
		t.Errorf("missing list resourceslices.resource.k8s.io (GA in resource.k8s.io/v1)")
	}
	// Bootstrap's grants are there too, with their own origin.
	if e := got["get /healthz @ "]; len(e.Origins) == 0 || !strings.Contains(e.Origins[0], "bootstrap") {
		t.Errorf("get /healthz origins = %v", e.Origins)
	}
	if e := got["create selfsubjectaccessreviews.authorization.k8s.io @ "]; len(e.Origins) != 2 {
		t.Errorf("selfsubjectaccessreviews origins = %v, want cluster-admin's and system:basic-user's", e.Origins)
	}
	// The figure the report shows for a cluster-admin: pinned so that a
	// change of catalog is noticed.
	if n := len(got); n < 600 || n > 800 {
		t.Errorf("cluster-admin has %d entitlements, want about 700", n)
	}
	t.Logf("cluster-admin: %d entitlements", len(got))
}

func TestEntitlementsWildcards(t *testing.T) {
	sa := Subject{Kind: "ServiceAccount", Name: "app", Namespace: "dev"}
	grants := []Grant{
		{Subject: sa, Namespace: "dev", Origin: "scale", Rule: Rule{Verbs: []string{"get", "update"}, APIGroups: []string{"*"}, Resources: []string{"*/scale"}}},
		{Subject: sa, Namespace: "dev", Origin: "crd", Rule: Rule{Verbs: []string{"*"}, APIGroups: []string{"example.com"}, Resources: []string{"widgets"}}},
		{Subject: sa, Namespace: "dev", Origin: "apps", Rule: Rule{Verbs: []string{"list"}, APIGroups: []string{"apps"}, Resources: []string{"*"}}},
		{Subject: sa, Namespace: "dev", Origin: "events", Rule: Rule{Verbs: []string{"create"}, APIGroups: []string{"*"}, Resources: []string{"events"}}},
		{Subject: sa, Namespace: "dev", Origin: "gadgets", Rule: Rule{Verbs: []string{"get"}, APIGroups: []string{"*"}, Resources: []string{"gadgets"}}},
		{Subject: sa, Namespace: "dev", Origin: "literal stars", Rule: Rule{Verbs: []string{"get", "g*t"}, APIGroups: []string{"", "ap*s"}, Resources: []string{"pods/*", "*/*", "po*"}}},
		{Subject: sa, Namespace: "dev", Origin: "urls in a RoleBinding", Rule: Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"/metrics"}}},
	}
	got := entitlementsOf(t, Entitlements(grants, []string{entApp}), entApp)
	var keys []string
	for k, e := range got {
		if !strings.Contains(e.Origins[0], "bootstrap") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	want := []string{
		"create events @ dev/*",
		"create events.* @ dev/*", // events of any other group
		"create events.events.k8s.io @ dev/*",
		"create widgets.example.com @ dev/*",
		"delete widgets.example.com @ dev/*",
		"deletecollection widgets.example.com @ dev/*",
		"get deployments.apps/scale @ dev/*",
		"get gadgets.* @ dev/*",
		"get replicasets.apps/scale @ dev/*",
		"get replicationcontrollers/scale @ dev/*",
		"get statefulsets.apps/scale @ dev/*",
		"get widgets.example.com @ dev/*",
		"get *.*/scale @ dev/*",
		"list *.apps @ dev/*",
		"list controllerrevisions.apps @ dev/*",
		"list daemonsets.apps @ dev/*",
		"list deployments.apps @ dev/*",
		"list replicasets.apps @ dev/*",
		"list statefulsets.apps @ dev/*",
		"list widgets.example.com @ dev/*",
		"patch widgets.example.com @ dev/*",
		"update *.*/scale @ dev/*",
		"update deployments.apps/scale @ dev/*",
		"update replicasets.apps/scale @ dev/*",
		"update replicationcontrollers/scale @ dev/*",
		"update statefulsets.apps/scale @ dev/*",
		"update widgets.example.com @ dev/*",
		"watch widgets.example.com @ dev/*",
	}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("entitlements:\n got %q\nwant %q", keys, want)
	}
}

func TestEntitlementsResourceNames(t *testing.T) {
	user := Subject{Kind: "User", Name: entAlice}
	grants := []Grant{
		{Subject: user, Namespace: "dev", Origin: "rb", Rule: Rule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"configmaps", "namespaces", "nodes"}, ResourceNames: []string{"a", "dev"}}},
		{Subject: user, Namespace: "", Origin: "crb", Rule: Rule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"nodes", "namespaces", "secrets"}, ResourceNames: []string{"n1"}}},
		{Subject: user, Namespace: "ops", Origin: "rb-ns", Rule: Rule{Verbs: []string{"patch"}, APIGroups: []string{""}, Resources: []string{"namespaces"}}},
		{Subject: user, Namespace: "ops", Origin: "rb-other-ns", Rule: Rule{Verbs: []string{"delete"}, APIGroups: []string{""}, Resources: []string{"namespaces"}, ResourceNames: []string{"dev"}}},
	}
	got := entitlementsOf(t, Entitlements(grants, []string{entAlice}), entAlice)
	for _, k := range []string{
		"get configmaps @ dev/a",
		"get configmaps @ dev/dev",
		"get namespaces @ dev/dev", // named dev in dev's RoleBinding
		"get nodes @ /n1",
		"get namespaces @ */n1",
		"get secrets @ */n1",
		"patch namespaces @ ops/ops",
	} {
		if _, ok := got[k]; !ok {
			t.Errorf("missing %s", k)
		}
	}
	for k := range got {
		if strings.HasPrefix(k, "get nodes @ dev") || strings.HasPrefix(k, "delete namespaces") || k == "get namespaces @ dev/a" {
			t.Errorf("unexpected %s", k)
		}
	}
	if e := got["patch namespaces @ ops/ops"]; !slices.Equal(Risks(e.Action), []string{report.RiskPrivilegeEscalation, report.RiskResourceExposure}) {
		t.Errorf("Risks(patch namespaces) = %v", Risks(e.Action))
	}
}

func TestEntitlementsGroups(t *testing.T) {
	rule := Rule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"configmaps"}}
	grants := []Grant{
		{Subject: Subject{Kind: "Group", Name: "system:serviceaccounts:dev"}, Namespace: "dev", Rule: rule, Origin: "sa-of-dev"},
		{Subject: Subject{Kind: "Group", Name: "system:serviceaccounts"}, Namespace: "shared", Rule: rule, Origin: "all-sas"},
		{Subject: Subject{Kind: "Group", Name: "system:authenticated"}, Namespace: "public", Rule: rule, Origin: "everyone"},
		{Subject: Subject{Kind: "Group", Name: "developers"}, Namespace: "dev", Rule: rule, Origin: "developers"},
		{Subject: Subject{Kind: "ServiceAccount", Name: "app"}, Namespace: "dev", Rule: Rule{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"configmaps"}}, Origin: "sa-without-namespace"},
	}
	ents := Entitlements(grants, []string{entProd, entAlice, entApp, entApp})
	want := map[string][]string{
		entApp:   {"get configmaps @ dev/*", "get configmaps @ public/*", "get configmaps @ shared/*", "list configmaps @ dev/*"},
		entProd:  {"get configmaps @ public/*", "get configmaps @ shared/*"},
		entAlice: {"get configmaps @ public/*"},
	}
	for p, keys := range want {
		var got []string
		for k := range entitlementsOf(t, ents, p) {
			if strings.Contains(k, "configmaps") {
				got = append(got, k)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, keys) {
			t.Errorf("%s: got %q, want %q", p, got, keys)
		}
	}
	if ps := Principals(grants); !slices.Equal(ps, []string{entApp}) {
		t.Errorf("Principals = %q, want the service account only (groups name nobody)", ps)
	}
	// Anonymous requests get none of system:authenticated's grants.
	if got := Entitlements(grants, []string{"system:anonymous"}); len(got) != 0 {
		t.Errorf("system:anonymous: %d entitlements, want 0", len(got))
	}
}

func TestEntitlementsDeterministic(t *testing.T) {
	var grants []Grant
	grants = append(grants, roleGrants(Subject{Kind: "ServiceAccount", Name: "app", Namespace: "dev"}, "dev", "rb/edit", defaultRole(t, "edit"))...)
	grants = append(grants, roleGrants(Subject{Kind: "User", Name: entAlice}, "", "crb/admin", defaultRole(t, "admin"))...)
	grants = append(grants, roleGrants(Subject{Kind: "Group", Name: "system:serviceaccounts"}, "", "crb/view", defaultRole(t, "view"))...)
	principals := []string{entApp, entAlice, entProd}
	first := Entitlements(grants, principals)
	if !slices.IsSortedFunc(first, func(a, b synth.Entitlement) int {
		return strings.Compare(a.Principal+"\x00"+a.Action+"\x00"+a.Resource, b.Principal+"\x00"+b.Action+"\x00"+b.Resource)
	}) {
		t.Error("entitlements are not sorted by principal, action, resource")
	}
	rng := rand.New(rand.NewSource(1))
	for range 5 {
		g := slices.Clone(grants)
		rng.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
		p := slices.Clone(principals)
		rng.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
		if again := Entitlements(g, p); !reflect.DeepEqual(first, again) {
			t.Fatal("entitlements depend on the order of grants or principals")
		}
	}
}

func TestCovers(t *testing.T) {
	ent := func(action, resource string) synth.Entitlement {
		return synth.Entitlement{Provider: "k8s", Principal: entApp, Action: action, Resource: resource}
	}
	acc := func(action, resource string) synth.Access {
		return synth.Access{Provider: "k8s", Principal: entApp, Action: action, Resource: resource}
	}
	for _, c := range []struct {
		e    synth.Entitlement
		a    synth.Access
		want bool
	}{
		{ent("get pods", "dev/*"), acc("get pods", "dev/web"), true},
		{ent("get pods", "dev/*"), acc("get pods", "prod/web"), false},
		{ent("get pods", "dev/*"), acc("get pods", ""), false}, // across all namespaces
		{ent("list pods", "dev/*"), acc("list pods", "dev/"), true},
		{ent("list pods", "*/*"), acc("list pods", ""), true},
		{ent("get pods", "dev/*"), acc("list pods", "dev/"), false},
		{ent("get pods", "dev/*"), acc("get pods/log", "dev/web"), false},
		{ent("get pods", "dev/*"), acc("get pods.example.com", "dev/web"), false},
		{ent("get configmaps", "dev/a"), acc("get configmaps", "dev/a"), true},
		{ent("get configmaps", "dev/a"), acc("get configmaps", "dev/b"), false},
		{ent("list configmaps", "dev/a"), acc("list configmaps", "dev/"), false}, // names never allow a collection
		{ent("get nodes", ""), acc("get nodes", "/n1"), true},
		{ent("get nodes", "/n1"), acc("get nodes", "/n1"), true},
		{ent("get nodes", "/n1"), acc("get nodes", "/n2"), false},
		{ent("get namespaces", "dev/dev"), acc("get namespaces", "dev/dev"), true},
		{ent("get namespaces", "*/dev"), acc("get namespaces", "dev/dev"), true},
		{ent("get namespaces", "dev/dev"), acc("list namespaces", ""), false},
		// Residuals cover what the catalog's concrete entitlements do not.
		{ent("* *.*", "*/*"), acc("get widgets.example.com", "dev/w"), true},
		{ent("* *.*", "*/*"), acc("frob widgets.example.com", "dev/w"), true},
		{ent("* *.*", "*/*"), acc("get pods/eviction", "dev/web"), true}, // eviction serves create only
		{ent("* *.*", "*/*"), acc("get evictionrequests.lifecycle.k8s.io", "dev/x"), true},
		{ent("* *.*", "*/*"), acc("get pods", "dev/web"), false},
		{ent("* *.*", "*/*"), acc("impersonate users", "/bob"), false},
		{ent("* *.*", "*/*"), acc("get /healthz", ""), false},
		{ent("list *.apps", "dev/*"), acc("list widgets.apps", "dev/"), true},
		{ent("list *.apps", "dev/*"), acc("list deployments.apps", "dev/"), false},
		{ent("list *.apps", "dev/*"), acc("list widgets.example.com", "dev/"), false},
		{ent("get *.*/scale", "dev/*"), acc("get widgets.example.com/scale", "dev/w"), true},
		{ent("get *.*/scale", "dev/*"), acc("get widgets.example.com/status", "dev/w"), false},
		{ent("get *.*/scale", "dev/*"), acc("get deployments.apps/scale", "dev/w"), false},
		{ent("get gadgets.*", "dev/*"), acc("get gadgets.example.com", "dev/g"), true},
		{ent("get gadgets.*", "dev/*"), acc("get gadgets.example.com", "prod/g"), false},
		{ent("create events.*", "dev/*"), acc("create events.example.com", "dev/e"), true},
		{ent("create events.*", "dev/*"), acc("create events", "dev/e"), false},       // a concrete entitlement's
		{ent("* events.*", "dev/*"), acc("frob events.events.k8s.io", "dev/e"), true}, // a verb events does not serve
		{ent("* events.*", "dev/*"), acc("patch events.events.k8s.io", "dev/e"), false},
		// Non-resource URLs.
		{ent("get /api/*", ""), acc("get /api/v1", ""), true},
		{ent("get /api/*", ""), acc("get /api", ""), false},
		{ent("get /healthz", ""), acc("get /healthz", ""), true},
		{ent("get /healthz", ""), acc("post /healthz", ""), false},
		{ent("get /*", ""), acc("get /metrics", ""), true},
		{ent("get /*", ""), acc("get pods", "dev/web"), false},
		// Malformed input covers nothing.
		{ent("get", ""), acc("get pods", ""), false},
		{ent("get pods", "*/*"), acc("get", ""), false},
	} {
		if got := Covers(c.e, c.a); got != c.want {
			t.Errorf("Covers(%q @ %q, %q @ %q) = %t, want %t", c.e.Action, c.e.Resource, c.a.Action, c.a.Resource, got, c.want)
		}
	}
}

// TestCoversWhatEntitlementsExpand checks, for every concrete action
// cluster-admin's expansion gives, that an access to it is covered by that
// entitlement and not by the residual: the two never count the same access.
func TestCoversWhatEntitlementsExpand(t *testing.T) {
	grants := roleGrants(Subject{Kind: "User", Name: entAlice}, "", "crb", defaultRole(t, "cluster-admin"))
	ents := Entitlements(grants, []string{entAlice})
	residual := synth.Entitlement{Action: "* *.*", Resource: "*/*"}
	for _, e := range ents {
		if strings.Contains(e.Action, "*") {
			continue
		}
		ref := "dev/x"
		if e.Resource == "" {
			ref = "/x"
		}
		if strings.HasPrefix(strings.SplitN(e.Action, " ", 2)[1], "/") {
			ref = ""
		}
		a := synth.Access{Action: e.Action, Resource: ref}
		if !Covers(e, a) {
			t.Errorf("%s @ %q does not cover %s @ %q", e.Action, e.Resource, a.Action, a.Resource)
		}
		if Covers(residual, a) {
			t.Errorf("the residual also covers %s", a.Action)
		}
	}
}

func TestUnobservable(t *testing.T) {
	for action, want := range map[string]bool{
		"get nodes/proxy":    true,
		"create nodes/proxy": true,
		"get nodes/stats":    true,
		"get nodes/log":      true,
		"get nodes":          false,
		"patch nodes/status": false,
		"get pods/log":       false,
		"get secrets":        false,
		"get /healthz":       false,
		"get":                false,
	} {
		if got := Unobservable(action); got != want {
			t.Errorf("Unobservable(%q) = %t, want %t", action, got, want)
		}
	}
}

// BenchmarkEntitlements: 10,000 service accounts in 100 namespaces, each
// with edit through a RoleBinding and view cluster-wide through
// system:serviceaccounts.
func BenchmarkEntitlements(b *testing.B) {
	edit, _ := DefaultClusterRole("edit")
	view, _ := DefaultClusterRole("view")
	grants := roleGrants(Subject{Kind: "Group", Name: "system:serviceaccounts"}, "", "crb/view", view)
	var principals []string
	for i := range 10000 {
		ns := "ns" + string(rune('a'+i%26)) + string(rune('a'+(i/26)%4))
		name := "sa" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+(i/26)%26)) + string(rune('a'+(i/676)%26))
		principals = append(principals, "system:serviceaccount:"+ns+":"+name)
		grants = append(grants, roleGrants(Subject{Kind: "ServiceAccount", Name: name, Namespace: ns}, ns, "rb/edit", edit)...)
	}
	b.ResetTimer()
	var n int
	for range b.N {
		n = len(Entitlements(grants, principals))
	}
	b.ReportMetric(float64(n), "entitlements")
}
