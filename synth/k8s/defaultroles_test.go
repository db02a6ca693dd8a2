package k8s

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// defaultRole returns a default role's rules or fails the test.
func defaultRole(t *testing.T, name string) []Rule {
	t.Helper()
	rules, ok := DefaultClusterRole(name)
	if !ok {
		t.Fatalf("DefaultClusterRole(%q): not found", name)
	}
	return rules
}

// parsed turns "<verb> <resource>[.<group>][/<sub>]" or "<verb> /<path>"
// and a "<namespace>/<name>" reference into a Request.
func parsed(t *testing.T, action, ref string) Request {
	t.Helper()
	r, err := Parse(action, ref)
	if err != nil {
		t.Fatalf("Parse(%q, %q): %v", action, ref, err)
	}
	return r
}

func TestDefaultClusterRoleAllows(t *testing.T) {
	for _, c := range []struct {
		role, action, ref string
		want              bool
	}{
		// view: reads what is not secret, writes nothing.
		{"view", "get pods", "shop/web-0", true},
		{"view", "list pods", "shop/", true},
		{"view", "watch deployments.apps", "shop/", true},
		{"view", "get pods/log", "shop/web-0", true},
		{"view", "get namespaces", "/shop", true},
		{"view", "list endpointslices.discovery.k8s.io", "shop/", true},
		{"view", "get secrets", "shop/db", false},
		{"view", "list secrets", "shop/", false},
		{"view", "create pods", "shop/", false},
		{"view", "create pods/exec", "shop/web-0", false},
		{"view", "get roles.rbac.authorization.k8s.io", "shop/r", false},
		{"view", "get /healthz", "", false},

		// edit: view plus writes, secrets, exec; no RBAC.
		{"edit", "create deployments.apps", "shop/", true},
		{"edit", "patch deployments.apps/scale", "shop/web", true},
		{"edit", "get secrets", "shop/db", true},
		{"edit", "create secrets", "shop/", true},
		{"edit", "create pods/exec", "shop/web-0", true},
		{"edit", "impersonate serviceaccounts", "shop/app", true},
		{"edit", "create serviceaccounts/token", "shop/app", true},
		{"edit", "get pods", "shop/web-0", true}, // from view, aggregated into edit
		{"edit", "delete leases.coordination.k8s.io", "shop/lock", true},
		{"edit", "create rolebindings.rbac.authorization.k8s.io", "shop/", false},
		{"edit", "create localsubjectaccessreviews.authorization.k8s.io", "shop/", false},
		{"edit", "update resourcequotas", "shop/q", false},
		{"edit", "delete namespaces", "/shop", false},

		// admin: edit plus RBAC in the namespace.
		{"admin", "create rolebindings.rbac.authorization.k8s.io", "shop/", true},
		{"admin", "delete roles.rbac.authorization.k8s.io", "shop/r", true},
		{"admin", "create localsubjectaccessreviews.authorization.k8s.io", "shop/", true},
		{"admin", "create deployments.apps", "shop/", true}, // from edit
		{"admin", "get pods", "shop/web-0", true},           // from view, through edit
		{"admin", "create clusterroles.rbac.authorization.k8s.io", "/", false},
		{"admin", "update resourcequotas", "shop/q", false},

		// cluster-admin: everything, non-resource URLs included.
		{"cluster-admin", "delete nodes", "/node-1", true},
		{"cluster-admin", "escalate clusterroles.rbac.authorization.k8s.io", "/x", true},
		{"cluster-admin", "frobnicate widgets.example.com/status", "shop/w", true},
		{"cluster-admin", "get /metrics", "", true},
		{"cluster-admin", "post /anything/at/all", "", true},

		// A few system: roles.
		{"system:discovery", "get /apis/apps/v1", "", true},
		{"system:discovery", "get /metrics", "", false},
		{"system:monitoring", "get /metrics", "", true},
		{"system:public-info-viewer", "get /version", "", true},
		{"system:public-info-viewer", "get /apis", "", false},
		{"system:kube-scheduler", "create pods/binding", "kube-system/p", true},
		{"system:kube-scheduler", "update leases.coordination.k8s.io", "kube-system/kube-scheduler", true},
		{"system:kube-scheduler", "update leases.coordination.k8s.io", "kube-system/other", false},
		{"system:node", "get secrets", "shop/db", true},
		{"system:node", "create secrets", "shop/", false},
		{"system:certificates.k8s.io:kubelet-serving-approver", "approve signers.certificates.k8s.io", "/kubernetes.io/kubelet-serving", true},
		{"system:certificates.k8s.io:kubelet-serving-approver", "approve signers.certificates.k8s.io", "/example.com/other", false},
		{"system:kubelet-api-admin", "get nodes/proxy", "/node-1", true},
		{"system:kube-controller-manager", "list widgets.example.com", "", true},
		{"system:kube-controller-manager", "get widgets.example.com", "shop/w", false},
	} {
		got := Allows(defaultRole(t, c.role), parsed(t, c.action, c.ref))
		if got != c.want {
			t.Errorf("%s allows %q on %q: %v, want %v", c.role, c.action, c.ref, got, c.want)
		}
	}
}

// TestDefaultClusterRoleAggregation checks admin ⊇ edit ⊇ view, each the
// union of its parts in the clusterrole-aggregation controller's order:
// selected roles by name, each rule once.
func TestDefaultClusterRoleAggregation(t *testing.T) {
	view, edit, admin := defaultRole(t, "view"), defaultRole(t, "edit"), defaultRole(t, "admin")
	toView := defaultRole(t, "system:aggregate-to-view")
	toEdit := defaultRole(t, "system:aggregate-to-edit")
	toAdmin := defaultRole(t, "system:aggregate-to-admin")

	if !reflect.DeepEqual(view, toView) {
		t.Errorf("view = %v\nwant system:aggregate-to-view = %v", view, toView)
	}
	// edit selects aggregate-to-edit: system:aggregate-to-edit, then view.
	if want := union(toEdit, view); !reflect.DeepEqual(edit, want) {
		t.Errorf("edit = %v\nwant %v", edit, want)
	}
	// admin selects aggregate-to-admin: edit, then system:aggregate-to-admin.
	if want := union(edit, toAdmin); !reflect.DeepEqual(admin, want) {
		t.Errorf("admin = %v\nwant %v", admin, want)
	}
	if len(view) == 0 || len(edit) <= len(view) || len(admin) <= len(edit) {
		t.Errorf("rules: view %d, edit %d, admin %d; want 0 < view < edit < admin", len(view), len(edit), len(admin))
	}
}

func union(parts ...[]Rule) []Rule {
	var out []Rule
	for _, part := range parts {
		for _, r := range part {
			if !slices.ContainsFunc(out, func(o Rule) bool { return reflect.DeepEqual(o, r) }) {
				out = append(out, r)
			}
		}
	}
	return out
}

// TestBootstrapMatchesDefaultClusterRoles ties the hand-written Bootstrap
// grants to the catalog: each grant's rule is a rule of the default role
// its origin names.
func TestBootstrapMatchesDefaultClusterRoles(t *testing.T) {
	for _, g := range Bootstrap() {
		_, after, ok := strings.Cut(g.Origin, "-> ClusterRole/")
		name, _, _ := strings.Cut(after, " ")
		if !ok || name == "" {
			t.Fatalf("Bootstrap origin %q names no ClusterRole", g.Origin)
		}
		if !slices.ContainsFunc(defaultRole(t, name), func(r Rule) bool { return reflect.DeepEqual(r, g.Rule) }) {
			t.Errorf("Bootstrap rule %+v is not a rule of default ClusterRole %s %+v", g.Rule, name, defaultRole(t, name))
		}
	}
}

func TestDefaultClusterRoleNames(t *testing.T) {
	names := DefaultClusterRoleNames()
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("names not sorted and distinct: %q", names)
	}
	for _, want := range []string{"admin", "cluster-admin", "edit", "view", "system:discovery", "system:node", "system:aggregate-to-edit"} {
		if !slices.Contains(names, want) {
			t.Errorf("names lack %q", want)
		}
	}
	if len(names) < 25 {
		t.Errorf("%d names, want the 25 or more of cluster-roles.yaml", len(names))
	}
	for _, n := range names {
		if _, ok := DefaultClusterRole(n); !ok {
			t.Errorf("DefaultClusterRole(%q): not found, though listed", n)
		}
	}
	for _, n := range []string{"", "View", "system:controller:deployment-controller", "admin ", "zzz"} {
		if rules, ok := DefaultClusterRole(n); ok || rules != nil {
			t.Errorf("DefaultClusterRole(%q) = %v, %v; want nil, false", n, rules, ok)
		}
	}
}

// TestDefaultClusterRoleRulesAreWellFormed checks every rule has the shape
// the Rule model promises: sorted distinct values, verbs, and resources
// with groups or else URLs; no evidence.
func TestDefaultClusterRoleRulesAreWellFormed(t *testing.T) {
	total := 0
	for _, n := range DefaultClusterRoleNames() {
		rules := defaultRole(t, n)
		if len(rules) == 0 {
			t.Errorf("%s: no rules", n)
		}
		for i, r := range rules {
			total++
			where := fmt.Sprintf("%s rule %d", n, i)
			for field, values := range map[string][]string{
				"Verbs": r.Verbs, "APIGroups": r.APIGroups, "Resources": r.Resources,
				"ResourceNames": r.ResourceNames, "NonResourceURLs": r.NonResourceURLs,
			} {
				if values != nil && len(values) == 0 {
					t.Errorf("%s: %s empty but not nil", where, field)
				}
				if !slices.IsSorted(values) || len(slices.Compact(slices.Clone(values))) != len(values) {
					t.Errorf("%s: %s %q not sorted and distinct", where, field, values)
				}
			}
			resource := len(r.APIGroups) > 0 && len(r.Resources) > 0
			url := len(r.NonResourceURLs) > 0
			if len(r.Verbs) == 0 || resource == url {
				t.Errorf("%s: %+v is neither a resource rule nor a non-resource rule", where, r)
			}
			if r.Evidence != nil {
				t.Errorf("%s: evidence %v", where, r.Evidence)
			}
			for j := range i {
				if reflect.DeepEqual(rules[j], r) {
					t.Errorf("%s repeats rule %d", where, j)
				}
			}
		}
	}
	if total < 100 {
		t.Errorf("%d rules in all, want the 100 or more of cluster-roles.yaml", total)
	}
}

// TestDefaultClusterRoleReturnsCopies changes what it got and checks the
// next call is unchanged.
func TestDefaultClusterRoleReturnsCopies(t *testing.T) {
	first := defaultRole(t, "view")
	want := defaultRole(t, "view")
	first[0].Verbs[0] = "*"
	first[0].Resources = append(first[0].Resources[:0], "secrets")
	if got := defaultRole(t, "view"); !reflect.DeepEqual(got, want) {
		t.Errorf("view changed by a caller: %v", got)
	}
	names := DefaultClusterRoleNames()
	names[0] = "changed"
	if DefaultClusterRoleNames()[0] == "changed" {
		t.Error("DefaultClusterRoleNames shares its slice")
	}
	if Allows(defaultRole(t, "view"), parsed(t, "get secrets", "shop/db")) {
		t.Error("view allows get secrets after a caller changed its copy")
	}
}

func TestDefaultClusterRolesSource(t *testing.T) {
	const prefix = "kubernetes/kubernetes@"
	const path = " plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml"
	s := DefaultClusterRolesSource
	if !strings.HasPrefix(s, prefix) || !strings.HasSuffix(s, path) || len(s) != len(prefix)+40+len(path) {
		t.Errorf("DefaultClusterRolesSource = %q, want %s<commit>%s", s, prefix, path)
	}
}

func ExampleDefaultClusterRole() {
	rules, ok := DefaultClusterRole("view")
	fmt.Println(ok, len(rules) > 0)
	for _, action := range []string{"get pods", "get secrets", "create pods"} {
		r, _ := Parse(action, "shop/")
		fmt.Printf("view %s: %v\n", action, Allows(rules, r))
	}
	_, ok = DefaultClusterRole("no-such-role")
	fmt.Println(ok)
	// Output:
	// true true
	// view get pods: true
	// view get secrets: false
	// view create pods: false
	// false
}

func BenchmarkDefaultClusterRole(b *testing.B) {
	for b.Loop() {
		if _, ok := DefaultClusterRole("admin"); !ok {
			b.Fatal("admin not found")
		}
	}
}
