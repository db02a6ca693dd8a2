// Package k8s synthesizes least-privilege Kubernetes RBAC from observed API
// requests and evaluates RBAC with Kubernetes' own matching rules.
//
// The request model (Request, Parse, ParseAccess) and the RBAC model (Rule,
// Role, Binding, Policy, Grant) are what every Kubernetes package of pare
// shares: readers of audit logs, manifests and live clusters produce them,
// emitters render them.
//
// Synthesize turns the accesses of many principals into one Policy per
// principal: a Role and RoleBinding for each namespace used, and a
// ClusterRole and ClusterRoleBinding for cluster-scoped resources, requests
// across all namespaces and non-resource URLs. Verbs are exact unless
// Options.VerbExpansion asks for audit2rbac's expansions. Named access keeps
// its resourceNames up to Options.MaxResourceNames; the same access in more
// than Options.ClusterWideAfter namespaces becomes cluster-wide. Every
// widening is reported as a Generalization and every rule carries the
// evidence behind it. Whatever existing RBAC already allows (Kubernetes'
// bootstrap discovery roles always, and the grants given) is left out and
// listed in Policy.AlreadyGranted.
//
// Allows, RuleAllows, PolicyAllows and GrantsAllow evaluate rules the way
// the RBAC authorizer does (kubernetes pkg/apis/rbac/v1
// evaluation_helpers.go and plugin/pkg/auth/authorizer/rbac/rbac.go); Verify
// uses them to prove a Policy, with the existing grants, allows every access
// it came from before anything is written, and Missing lists the accesses
// it does not allow. A GrantIndex (IndexGrants) finds the grants that apply
// to one principal without scanning them all, for checking many principals
// against the same grants.
//
// Entitlements is the granted side of the privilege report: it expands the
// grants that apply to each principal (Bootstrap included) into concrete
// actions in Request.Action's form, wildcards resolved against a catalog of
// the built-in resources generated from Kubernetes' discovery documents
// (resources_table.go, `go generate`; testdata/discovery/SOURCE). Covers
// says whether an entitlement allows an access, Risks what an action risks
// (the RBAC good practices' privilege escalation risks), and Unobservable
// which uses the audit log cannot show (the kubelet's API).
//
// Actions, resources and principals come from audit logs and are attacker
// controlled. A value that would mean more than itself in RBAC (a '*' in a
// verb, API group, resource or subresource, a non-resource URL ending in
// '*') is never granted: the access is reported in Policy.Rejected.
//
// The package is pure: it imports only the standard library and synth, and
// must never touch files, the network, the environment, DuckDB, client-go
// or the clock. The same input always gives the same output.
package k8s
