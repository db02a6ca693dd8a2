package k8s

import (
	"slices"
	"strings"
)

// defaultClusterRole is one entry of defaultClusterRoles
// (defaultroles_gen.go, written by `make k8s-roles`).
type defaultClusterRole struct {
	Name  string
	Rules []Rule
}

// DefaultClusterRole returns the rules of the ClusterRole Kubernetes
// creates in every cluster under that name (cluster-admin, admin, edit,
// view, system:node, system:kube-scheduler, system:aggregate-to-edit, ...),
// or false when there is none. The aggregated roles admin, edit and view
// come with the rules the API server's clusterrole-aggregation controller
// gives them: the rules of the roles their selectors match
// (system:aggregate-to-*, and edit for admin, view for edit), in its order
// and without repeats. Only Kubernetes' own roles are included: rules that
// add-ons aggregate into admin, edit or view in a given cluster are not.
//
// Each rule's slices are sorted and distinct; Evidence is nil. The result
// is the caller's to change. The roles are those of
// DefaultClusterRolesSource.
//
// Its signature fits usage/k8s/manifest's Builtin, so that bindings of
// default roles a set of manifests does not define still resolve.
func DefaultClusterRole(name string) ([]Rule, bool) {
	i, ok := slices.BinarySearchFunc(defaultClusterRoles, name, func(r defaultClusterRole, name string) int {
		return strings.Compare(r.Name, name)
	})
	if !ok {
		return nil, false
	}
	rules := defaultClusterRoles[i].Rules
	out := make([]Rule, len(rules))
	for j, r := range rules {
		out[j] = Rule{
			Verbs:           slices.Clone(r.Verbs),
			APIGroups:       slices.Clone(r.APIGroups),
			Resources:       slices.Clone(r.Resources),
			ResourceNames:   slices.Clone(r.ResourceNames),
			NonResourceURLs: slices.Clone(r.NonResourceURLs),
		}
	}
	return out, true
}

// DefaultClusterRoleNames returns the names DefaultClusterRole knows,
// sorted.
func DefaultClusterRoleNames() []string {
	names := make([]string, len(defaultClusterRoles))
	for i, r := range defaultClusterRoles {
		names[i] = r.Name
	}
	return names
}
