package k8s

import "github.com/leastpriv/pare/synth"

// Subject is who a binding grants to, as RBAC names it.
type Subject struct {
	Kind      string // "User", "Group" or "ServiceAccount"
	Name      string // user name, group name, or the service account's own name
	Namespace string // the service account's namespace; "" otherwise
}

// SubjectOf turns an effective user name from the audit log into its RBAC
// subject: "system:serviceaccount:NS:NAME" is a ServiceAccount, anything
// else a User. Group subjects only come from existing bindings.
func SubjectOf(user string) Subject {
	const sa = "system:serviceaccount:"
	if len(user) > len(sa) && user[:len(sa)] == sa {
		rest := user[len(sa):]
		for i := 0; i < len(rest); i++ {
			if rest[i] == ':' && i > 0 && i < len(rest)-1 {
				return Subject{Kind: "ServiceAccount", Namespace: rest[:i], Name: rest[i+1:]}
			}
		}
	}
	return Subject{Kind: "User", Name: user}
}

// Rule is one RBAC PolicyRule with the evidence that justifies it. Every
// slice is sorted and distinct. A resource rule sets APIGroups, Resources
// and Verbs (and ResourceNames when the access was to named objects only);
// a non-resource rule sets NonResourceURLs and Verbs.
type Rule struct {
	Verbs           []string
	APIGroups       []string
	Resources       []string // "pods", "pods/exec"
	ResourceNames   []string
	NonResourceURLs []string

	// Evidence is the recorded usage behind the rule, one entry per
	// distinct action (synth.CollectEvidence), sorted by action.
	Evidence []synth.ActionEvidence
}

// Role is a Role (Namespace set) or ClusterRole (Namespace "").
type Role struct {
	Namespace string
	Name      string // RoleName(principal): "pare:" and the principal, '/' and '%' escaped; stable across runs
	Rules     []Rule // sorted: resource rules by group, resource, verbs; then non-resource rules
}

// Binding binds one Role or ClusterRole to the principal's subject: a
// RoleBinding when Namespace is set, a ClusterRoleBinding otherwise.
type Binding struct {
	Namespace string
	Name      string // same as the role's name
	RoleKind  string // "Role" or "ClusterRole"
	RoleName  string
	Subject   Subject
}

// Generalization records where synthesis granted more than was seen, and
// why (an access seen in more namespaces than Options.ClusterWideAfter became
// cluster-wide; more named objects than Options.MaxResourceNames dropped
// the names).
type Generalization struct {
	Reason  string
	Actions []string // affected canonical actions, sorted
	Detail  string   // e.g. the namespaces it replaced
}

// Policy is the RBAC synthesized for one principal: one Role and
// RoleBinding per namespace used, and at most one ClusterRole and
// ClusterRoleBinding for cluster-scoped, all-namespace and non-resource
// access.
type Policy struct {
	Principal string // effective user name, e.g. "system:serviceaccount:ns:app" or "alice@example.com"
	Subject   Subject
	Roles     []Role    // namespaced roles sorted by namespace, then the ClusterRole
	Bindings  []Binding // in the same order as Roles
	// AlreadyGranted are the accesses existing RBAC (bootstrap discovery
	// roles, the cluster's or given bindings) already allows, left out of
	// Roles.
	AlreadyGranted  []synth.Access
	Generalizations []Generalization
	// Rejected are the accesses no rule was made for: not Kubernetes
	// requests, or values that would be RBAC wildcards. Sorted by action,
	// then resource.
	Rejected []Rejected
}

// Rejected is an access Synthesize made no rule for, and why.
type Rejected struct {
	Access synth.Access
	Reason string
}

// Grant is one rule of existing RBAC as it applies to one subject: the
// subject of a binding, one rule of the role it binds, and where the
// binding applies (Namespace "" for a ClusterRoleBinding, which applies in
// every namespace and to cluster-scoped resources). Readers of manifests
// and of a live cluster produce them; Synthesize subtracts what they allow.
type Grant struct {
	Subject   Subject // Kind "User", "Group" or "ServiceAccount"
	Namespace string
	Rule      Rule   // Evidence unused
	Origin    string // e.g. "ClusterRoleBinding/view-all -> ClusterRole/view (rbac.yaml:40)"
}
