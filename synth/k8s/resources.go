package k8s

import (
	"cmp"
	"slices"

	"github.com/leastpriv/pare/synth"
)

//go:generate go run ./internal/genresources -in testdata/discovery -out resources_table.go -version v1.37.2

// resourceInfo is one built-in resource or subresource: what RBAC wildcards
// expand to.
type resourceInfo struct {
	group      string   // API group, "" for the core group
	resource   string   // "pods", or "pods/exec" for a subresource
	namespaced bool     // whether requests for it name a namespace
	ga         bool     // served in a version that is neither alpha nor beta, so on by default
	verbs      []string // the verbs it serves, sorted (discovery, or the authorizer for the extra ones)
	versions   string   // the versions serving it, space separated; "" for the extra ones
}

// extraResources are what RBAC authorizes but discovery does not list,
// written by hand from the Kubernetes sources that make the authorization
// checks:
//
//   - impersonation (k8s.io/apiserver pkg/endpoints/filters/impersonation,
//     impersonation.go): verb "impersonate" on users and groups (core group)
//     and uids (authentication.k8s.io), and on serviceaccounts, which
//     discovery lists without that verb. userextras/<key> is left out: its
//     subresource is the extra's key, which no catalog can list;
//   - roles and clusterroles: "bind" and "escalate" (kubernetes
//     pkg/registry/rbac/escalation_check.go);
//   - signers of certificates.k8s.io: "approve", "sign" and "attest"
//     (certificate approval and signing, ClusterTrustBundle attestation;
//     kubernetes plugin/pkg/admission/certificates);
//   - the kubelet's API, authorized as subresources of nodes (kubernetes
//     pkg/kubelet/server/auth.go): nodes/stats, nodes/metrics, nodes/log,
//     nodes/checkpoint, nodes/statusz, nodes/pods, nodes/healthz and
//     nodes/configz, verb from the HTTP method (GET get, POST create);
//     nodes/proxy is in discovery.
//
// Entries whose resource discovery also lists add verbs to it.
var extraResources = []resourceInfo{
	{group: "", resource: "groups", ga: true, verbs: []string{"impersonate"}},
	{group: "", resource: "nodes/checkpoint", ga: true, verbs: []string{"create"}},
	{group: "", resource: "nodes/configz", ga: true, verbs: []string{"get"}},
	{group: "", resource: "nodes/healthz", ga: true, verbs: []string{"get"}},
	{group: "", resource: "nodes/log", ga: true, verbs: []string{"get"}},
	{group: "", resource: "nodes/metrics", ga: true, verbs: []string{"get"}},
	{group: "", resource: "nodes/pods", ga: true, verbs: []string{"get"}},
	{group: "", resource: "nodes/stats", ga: true, verbs: []string{"get"}},
	{group: "", resource: "nodes/statusz", ga: true, verbs: []string{"get"}},
	{group: "", resource: "serviceaccounts", namespaced: true, ga: true, verbs: []string{"impersonate"}},
	{group: "", resource: "users", ga: true, verbs: []string{"impersonate"}},
	{group: "authentication.k8s.io", resource: "uids", ga: true, verbs: []string{"impersonate"}},
	{group: "certificates.k8s.io", resource: "signers", ga: true, verbs: []string{"approve", "attest", "sign"}},
	{group: "rbac.authorization.k8s.io", resource: "clusterroles", ga: true, verbs: []string{"bind", "escalate"}},
	{group: "rbac.authorization.k8s.io", resource: "roles", namespaced: true, ga: true, verbs: []string{"bind", "escalate"}},
}

// standardVerbs are the verbs a resource RBAC does not know serves (custom
// resources serve exactly these), and what "*" stands for on one.
var standardVerbs = []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}

// nonResourceVerbs are what "*" stands for on a non-resource URL: the API
// server authorizes those requests with the lower-cased HTTP method.
var nonResourceVerbs = []string{"delete", "get", "head", "options", "patch", "post", "put"}

// resourceCatalog indexes builtinResources and extraResources.
type resourceCatalog struct {
	list   []resourceInfo   // sorted by group, then resource
	byKey  map[string]int   // group + "\x00" + resource → index into list
	groups map[string][]int // group → indices into list
}

// newResourceCatalog merges the two tables. It is cheap (a few hundred
// entries): callers build one per run.
func newResourceCatalog() *resourceCatalog {
	c := &resourceCatalog{
		byKey:  make(map[string]int),
		groups: make(map[string][]int),
	}
	add := func(r resourceInfo) {
		k := r.group + "\x00" + r.resource
		if i, ok := c.byKey[k]; ok {
			c.list[i] = mergeInfo(c.list[i], r)
			return
		}
		c.byKey[k] = len(c.list)
		c.list = append(c.list, r)
	}
	for _, r := range builtinResources {
		add(r)
	}
	for _, r := range extraResources {
		add(r)
	}
	slices.SortFunc(c.list, compareInfo)
	for i, r := range c.list {
		c.byKey[r.group+"\x00"+r.resource] = i
		c.groups[r.group] = append(c.groups[r.group], i)
	}
	return c
}

// lookup finds a resource ("pods", "pods/exec") of a group.
func (c *resourceCatalog) lookup(group, resource string) (resourceInfo, bool) {
	i, ok := c.byKey[group+"\x00"+resource]
	if !ok {
		return resourceInfo{}, false
	}
	return c.list[i], true
}

// supports reports whether r serves verb.
func (r resourceInfo) supports(verb string) bool {
	_, ok := slices.BinarySearch(r.verbs, verb)
	return ok
}

// compareInfo orders resources by group, then resource.
func compareInfo(a, b resourceInfo) int {
	return cmp.Or(cmp.Compare(a.group, b.group), cmp.Compare(a.resource, b.resource))
}

// mergeInfo adds the verbs of extra, an extraResources entry for the
// same resource, to info's, which it does not change; GA if either is.
func mergeInfo(info, extra resourceInfo) resourceInfo {
	info.verbs = synth.UnionSorted(info.verbs, extra.verbs)
	info.ga = info.ga || extra.ga
	return info
}

// splitResource cuts "pods/exec" into "pods" and "exec".
func splitResource(s string) (resource, subresource string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// lookupResource finds a resource ("pods", "pods/exec") of group in
// builtinResources and extraResources, merged as newResourceCatalog merges
// them, without building a resourceCatalog, so that Covers stays cheap.
func lookupResource(group, resource string) (resourceInfo, bool) {
	var info resourceInfo
	i, found := slices.BinarySearchFunc(builtinResources, resourceInfo{group: group, resource: resource}, compareInfo)
	if found {
		info = builtinResources[i]
	}
	for _, r := range extraResources {
		if r.group != group || r.resource != resource {
			continue
		}
		if !found {
			info, found = r, true
			continue
		}
		info = mergeInfo(info, r)
	}
	return info, found
}

// wildcardExpandsTo reports whether a resource wildcard expands to verb on
// resource ("pods", "pods/exec") of group: the catalog has it, served by a
// GA version, with that verb. It is what expansionTargets and targetVerbs
// decide for a "*" resource.
func wildcardExpandsTo(group, resource, verb string) bool {
	info, ok := lookupResource(group, resource)
	return ok && info.ga && info.supports(verb)
}
