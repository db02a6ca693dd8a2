package k8s

import (
	"math/rand"
	"slices"
	"testing"

	"github.com/leastpriv/pare/synth"
)

// TestEntitlementsAgreeWithRBAC checks Entitlements and Covers against the
// RBAC evaluator (GrantsAllow) on random rules, bindings and requests:
//
//   - soundness: an entitlement covers an access only when RBAC allows the
//     request;
//   - completeness: every request RBAC allows is covered, except requests
//     with a verb the resource does not serve that only a "*" verb allows
//     (a "*" verb stands for the verbs a resource serves; the API server
//     refuses the others anyway).
func TestEntitlementsAgreeWithRBAC(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	pick := func(list []string) string { return list[rng.Intn(len(list))] }
	some := func(list []string, most int) []string {
		n := 1 + rng.Intn(most)
		var out []string
		for range n {
			out = append(out, pick(list))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	ruleVerbs := []string{"get", "list", "create", "patch", "delete", "impersonate", "bind", "escalate", "approve", "*", "frob"}
	ruleGroups := []string{"", "apps", "rbac.authorization.k8s.io", "example.com", "lifecycle.k8s.io", "authentication.k8s.io", "certificates.k8s.io", "events.k8s.io", "*"}
	ruleResources := []string{"pods", "pods/exec", "pods/eviction", "deployments", "deployments/scale", "events", "*", "*/scale", "*/status",
		"widgets", "widgets/scale", "users", "serviceaccounts", "roles", "clusterroles", "evictionrequests", "nodes", "nodes/proxy", "namespaces",
		"signers", "uids", "userextras/scopes"}
	names := []string{"a", "dev", "b"}
	urls := []string{"/healthz", "/api/*", "*", "/metrics"}
	subjects := []Subject{
		{Kind: "User", Name: entAlice},
		{Kind: "ServiceAccount", Name: "app", Namespace: "dev"},
		{Kind: "Group", Name: "system:serviceaccounts"},
		{Kind: "Group", Name: "system:authenticated"},
	}
	reqVerbs := []string{"get", "list", "watch", "create", "patch", "delete", "impersonate", "bind", "escalate", "approve", "frob"}
	reqGroups := []string{"", "apps", "rbac.authorization.k8s.io", "example.com", "lifecycle.k8s.io", "authentication.k8s.io", "certificates.k8s.io", "events.k8s.io"}
	reqResources := []string{"pods", "pods/exec", "pods/eviction", "pods/status", "deployments", "deployments/scale", "events", "widgets", "widgets/scale",
		"users", "serviceaccounts", "roles", "clusterroles", "evictionrequests", "nodes", "nodes/proxy", "nodes/stats", "namespaces", "signers", "uids", "userextras/scopes", "secrets"}

	checked, allowed := 0, 0
	for iter := range 500 {
		var grants []Grant
		for range 2 + rng.Intn(6) {
			g := Grant{Subject: subjects[rng.Intn(len(subjects))], Namespace: pick([]string{"", "dev", "prod"}), Origin: "g"}
			if rng.Intn(5) == 0 {
				g.Namespace = ""
				g.Rule = Rule{Verbs: some([]string{"get", "post", "*"}, 2), NonResourceURLs: some(urls, 2)}
			} else {
				g.Rule = Rule{Verbs: some(ruleVerbs, 3), APIGroups: some(ruleGroups, 2), Resources: some(ruleResources, 3)}
				if rng.Intn(3) == 0 {
					g.Rule.ResourceNames = some(names, 2)
				}
			}
			grants = append(grants, g)
		}
		principals := []string{entApp, entAlice}
		ents := Entitlements(grants, principals)
		all := append(Bootstrap(), grants...)

		for range 40 {
			principal := pick(principals)
			var r Request
			if rng.Intn(6) == 0 {
				r = Request{Verb: pick([]string{"get", "post", "head"}), Path: pick([]string{"/healthz", "/api/v1", "/api", "/metrics", "/version"})}
			} else {
				res, sub := splitResource(pick(reqResources))
				r = Request{Verb: pick(reqVerbs), Group: pick(reqGroups), Resource: res, Subresource: sub}
				// Half the requests aim at a grant's rule, so that many are
				// allowed and the corners (names, namespaces) are reached.
				if g := grants[rng.Intn(len(grants))]; rng.Intn(2) == 0 && len(g.Rule.Resources) > 0 {
					if v := pick(g.Rule.Verbs); v != "*" {
						r.Verb = v
					}
					if gr := pick(g.Rule.APIGroups); gr != "*" {
						r.Group = gr
					}
					if rr := pick(g.Rule.Resources); rr[0] != '*' {
						r.Resource, r.Subresource = splitResource(rr)
					}
					res, sub = r.Resource, r.Subresource
				}
				info, known := lookupResource(r.Group, combinedResource(res, sub))
				ns, name := pick([]string{"", "dev", "prod"}), pick([]string{"", "a", "b", "dev"})
				if rng.Intn(2) == 0 {
					ns = pick([]string{"", "a", "dev"})
				}
				switch {
				case known && r.Group == "" && res == "namespaces":
					if name == "" {
						ns = ""
					} else if rng.Intn(2) == 0 {
						ns = name // get, update, delete of a namespace
					} else {
						ns = "" // create names it without a namespace
					}
				case known && !info.namespaced:
					ns = ""
				case ns == "":
					name = "" // a namespaced request across all namespaces names nothing
				}
				r.Namespace, r.Name = ns, name
			}
			a := synth.Access{Provider: "k8s", Principal: principal, Action: r.Action(), Resource: r.ResourceRef()}
			want := GrantsAllow(all, principal, r)
			var covering []synth.Entitlement
			for _, e := range ents {
				if e.Principal == principal && Covers(e, a) {
					covering = append(covering, e)
				}
			}
			checked++
			if want {
				allowed++
			}
			switch {
			case len(covering) > 0 && !want:
				t.Fatalf("iteration %d: %s @ %q for %s is covered by %+v, but RBAC refuses it; grants %+v", iter, a.Action, a.Resource, principal, covering[0], grants)
			case want && len(covering) == 0 && !onlyByVerbWildcard(all, principal, r):
				t.Fatalf("iteration %d: RBAC allows %s @ %q for %s, no entitlement covers it; grants %+v", iter, a.Action, a.Resource, principal, grants)
			}
		}
	}
	if allowed < checked/10 {
		t.Errorf("only %d of %d requests allowed: the generator tests too little", allowed, checked)
	}
	t.Logf("%d requests, %d allowed by RBAC", checked, allowed)
}

// onlyByVerbWildcard reports whether r's verb is not one its resource
// serves and no grant allowing r names the verb itself.
func onlyByVerbWildcard(all []Grant, principal string, r Request) bool {
	if r.Path != "" {
		return false
	}
	info, known := lookupResource(r.Group, combinedResource(r.Resource, r.Subresource))
	if known && info.supports(r.Verb) || !known && slices.Contains(standardVerbs, r.Verb) {
		return false
	}
	for _, g := range all {
		if appliesTo(g.Subject, g.Namespace, principal) && inScope(g.Namespace, r) && RuleAllows(g.Rule, r) && slices.Contains(g.Rule.Verbs, r.Verb) {
			return false
		}
	}
	return true
}
