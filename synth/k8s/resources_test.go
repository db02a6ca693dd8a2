package k8s

import (
	"slices"
	"testing"
)

func TestResourceCatalog(t *testing.T) {
	cat := newResourceCatalog()
	for _, c := range []struct {
		group, resource string
		namespaced, ga  bool
		verbs           []string
	}{
		{"", "pods", true, true, []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}},
		{"", "pods/exec", true, true, []string{"create", "get"}},
		{"", "pods/eviction", true, true, []string{"create"}},
		{"", "nodes", false, true, []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}},
		{"", "nodes/proxy", false, true, []string{"create", "delete", "get", "patch", "update"}},
		{"", "nodes/stats", false, true, []string{"get"}},
		{"", "namespaces", false, true, []string{"create", "delete", "get", "list", "patch", "update", "watch"}},
		{"", "serviceaccounts", true, true, []string{"create", "delete", "deletecollection", "get", "impersonate", "list", "patch", "update", "watch"}},
		{"", "users", false, true, []string{"impersonate"}},
		{"apps", "deployments/scale", true, true, []string{"get", "patch", "update"}},
		{"rbac.authorization.k8s.io", "clusterroles", false, true, []string{"bind", "create", "delete", "deletecollection", "escalate", "get", "list", "patch", "update", "watch"}},
		{"certificates.k8s.io", "signers", false, true, []string{"approve", "attest", "sign"}},
		{"coordination.k8s.io", "leasecandidates", true, false, []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}},
		{"lifecycle.k8s.io", "evictionrequests", true, false, []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}},
	} {
		info, ok := cat.lookup(c.group, c.resource)
		if !ok {
			t.Errorf("%s in %q: not found", c.resource, c.group)
			continue
		}
		if info.namespaced != c.namespaced || info.ga != c.ga || !slices.Equal(info.verbs, c.verbs) {
			t.Errorf("%s in %q: namespaced %t ga %t verbs %v; want %t %t %v", c.resource, c.group, info.namespaced, info.ga, info.verbs, c.namespaced, c.ga, c.verbs)
		}
		if wildcardExpandsTo(c.group, c.resource, "get") != (c.ga && info.supports("get")) {
			t.Errorf("wildcardExpandsTo(%q, %q, get) disagrees with the catalog", c.group, c.resource)
		}
	}
	if _, ok := cat.lookup("", "widgets"); ok {
		t.Error("widgets found")
	}
	if !slices.IsSortedFunc(builtinResources, func(a, b resourceInfo) int {
		if a.group != b.group {
			if a.group < b.group {
				return -1
			}
			return 1
		}
		if a.resource < b.resource {
			return -1
		}
		if a.resource > b.resource {
			return 1
		}
		return 0
	}) {
		t.Error("builtinResources is not sorted by group and resource: wildcardExpandsTo's binary search needs it")
	}
	for _, r := range extraResources {
		if !slices.IsSorted(r.verbs) {
			t.Errorf("extraResources %s: verbs not sorted", r.resource)
		}
	}
	t.Logf("catalog: %d entries from Kubernetes %s discovery, %d groups", len(cat.list), discoveryVersion, len(cat.groups))
}
