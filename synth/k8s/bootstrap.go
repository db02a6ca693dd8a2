package k8s

// Bootstrap returns the grants every authenticated user has in any
// Kubernetes cluster with RBAC: the bootstrap ClusterRoles system:discovery,
// system:basic-user and system:public-info-viewer, bound by
// ClusterRoleBindings of the same names to the group system:authenticated.
// Synthesize and Verify always subtract them.
//
// The rules are Kubernetes' bootstrap policy, kubernetes/kubernetes
// plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go (clusterRoles,
// clusterRoleBindings), rendered in that directory's
// testdata/cluster-roles.yaml. system:public-info-viewer is also bound to
// system:unauthenticated; pare never synthesizes for anonymous users, so
// only the authenticated binding is listed.
func Bootstrap() []Grant {
	authenticated := Subject{Kind: "Group", Name: "system:authenticated"}
	origin := func(name string) string {
		return "ClusterRoleBinding/" + name + " -> ClusterRole/" + name + " (Kubernetes bootstrap policy)"
	}
	return []Grant{
		{
			Subject: authenticated,
			Rule: Rule{
				Verbs: []string{"get"},
				NonResourceURLs: []string{
					"/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez",
					"/openapi", "/openapi/*", "/readyz", "/version", "/version/",
				},
			},
			Origin: origin("system:discovery"),
		},
		{
			Subject: authenticated,
			Rule: Rule{
				Verbs:     []string{"create"},
				APIGroups: []string{"authorization.k8s.io"},
				Resources: []string{"selfsubjectaccessreviews", "selfsubjectrulesreviews"},
			},
			Origin: origin("system:basic-user"),
		},
		{
			Subject: authenticated,
			Rule: Rule{
				Verbs:     []string{"create"},
				APIGroups: []string{"authentication.k8s.io"},
				Resources: []string{"selfsubjectreviews"},
			},
			Origin: origin("system:basic-user"),
		},
		{
			Subject: authenticated,
			Rule: Rule{
				Verbs:           []string{"get"},
				NonResourceURLs: []string{"/healthz", "/livez", "/readyz", "/version", "/version/"},
			},
			Origin: origin("system:public-info-viewer"),
		},
	}
}
