package k8s

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth"
)

var (
	propPrincipals = []string{"alice", "system:serviceaccount:ns0:app", "system:serviceaccount:ns2:ci", "https://idp/bob%", "system:anonymous"}
	propVerbs      = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "impersonate", "escalate"}
	propGroups     = []string{"", "", "apps", "batch", "rbac.authorization.k8s.io"}
	propResources  = []string{"pods", "configmaps", "deployments", "nodes", "secrets", "serviceaccounts"}
	propSubs       = []string{"", "", "", "exec", "log", "status", "scale"}
	propNamespaces = []string{"", "ns0", "ns1", "ns2", "ns3", "ns4", "ns5"}
	propNames      = []string{"", "", "a", "b", "c", "d", "e", "f", "g", "web-1"}
	propPaths      = []string{"/metrics", "/version", "/logs/kube.log", "/healthz/etcd", "/api", "/debug/pprof/"}

	// neverUsed is a namespace no generated access is in.
	neverUsed = "never-used"
)

// wantExtra is audit2rbac's default verb expansion, written out here
// independently of extraVerbs.
func wantExtra(mode, verb string) []string {
	if mode != VerbsAudit2RBAC {
		return nil
	}
	return map[string][]string{
		"watch":  {"get", "list"},
		"list":   {"get", "watch"},
		"update": {"get", "patch"},
		"patch":  {"get", "update"},
	}[verb]
}

// propGrants are existing RBAC for the property tests: grants that apply to
// some generated principals, one to a group never assumed, one wildcard.
func propGrants() []Grant {
	return []Grant{
		{Subject: Subject{Kind: "User", Name: "alice"}, Namespace: "ns1", Rule: Rule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}},
		{Subject: Subject{Kind: "Group", Name: "system:serviceaccounts:ns2"}, Rule: Rule{Verbs: []string{"list", "watch"}, APIGroups: []string{""}, Resources: []string{"configmaps"}}},
		{Subject: Subject{Kind: "Group", Name: "developers"}, Rule: Rule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}},
		{Subject: Subject{Kind: "ServiceAccount", Name: "app"}, Namespace: "ns0", Rule: Rule{Verbs: []string{"get", "update"}, APIGroups: []string{"apps"}, Resources: []string{"deployments", "*/scale"}, ResourceNames: []string{"a"}}},
		{Subject: Subject{Kind: "Group", Name: "system:authenticated"}, Rule: Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"/debug/*"}}},
	}
}

// accessesFrom decodes fuzz bytes into Kubernetes accesses: resource
// requests in a few namespaces (and across all of them), cluster-scoped and
// named, subresources, non-resource URLs, denied and inferred accesses,
// wildcards from the log, and raw bytes as actions and resources.
func accessesFrom(data []byte) []synth.Access {
	var out []synth.Access
	for len(data) >= 5 && len(out) < 150 {
		b0, b1, b2, b3, b4 := int(data[0]), int(data[1]), int(data[2]), int(data[3]), int(data[4])
		data = data[5:]
		a := synth.Access{
			Provider:  "k8s",
			Principal: propPrincipals[b0%len(propPrincipals)],
			Count:     int64(b4%7 + 1),
			Samples:   []string{"k8s:" + string(rune('a'+b4%26))},
			Denied:    b0&0x40 != 0,
			Inferred:  b0&0x80 != 0,
		}
		r := Request{Verb: propVerbs[b1%len(propVerbs)]}
		switch sel := b1 >> 4; {
		case sel < 11:
			r.Group = propGroups[b2%len(propGroups)]
			r.Resource = propResources[(b2>>3)%len(propResources)]
			r.Subresource = propSubs[b3%len(propSubs)]
			r.Namespace = propNamespaces[(b3>>3)%len(propNamespaces)]
			r.Name = propNames[b4%len(propNames)]
			a.Action, a.Resource = r.Action(), r.ResourceRef()
		case sel < 13:
			r.Path = propPaths[b2%len(propPaths)]
			a.Action = r.Action()
		case sel < 14:
			a.Action = []string{"* pods", "get *", "get */scale", "get pods.*", "get /api/*", "get *"}[b2%6]
			a.Resource = []string{"", "ns0/", "/n"}[b3%3]
		case sel < 15:
			a.Provider = []string{"aws", "azure", ""}[b2%3]
			a.Action, a.Resource = r.Verb+" pods", "ns1/a"
		default:
			n := min(b2%12, len(data))
			a.Action = r.Verb + " " + string(data[:n])
			a.Resource = string(data[:min(b3%6, n)])
			data = data[n:]
		}
		out = append(out, a)
	}
	return out
}

func FuzzSynthesize(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0})
	f.Add([]byte{1, 0xf0, 5, 3, 2, 'p', 'o', 'd', 's', '/', 'x', 0xff, '*'})
	var many []byte
	for i := 0; i < 150; i++ {
		many = append(many, byte(i%5), byte(i*7), byte(i*13), byte(i*29), byte(i*3))
	}
	f.Add(many)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkProperties(t, accessesFrom(data), uint64(len(data)))
	})
}

// TestPropertiesRandom runs the fuzz properties over random inputs, so they
// hold in every plain go test run.
func TestPropertiesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 300; i++ {
		data := make([]byte, rng.IntN(600))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		checkProperties(t, accessesFrom(data), uint64(i))
	}
}

func checkProperties(t *testing.T, in []synth.Access, seed uint64) {
	t.Helper()
	allOpts := []Options{
		{},
		{VerbExpansion: VerbsAudit2RBAC},
		{ClusterWideAfter: -1, MaxResourceNames: -1},
		{ClusterWideAfter: 1, MaxResourceNames: 1},
		{VerbExpansion: VerbsAudit2RBAC, ClusterWideAfter: 2, MaxResourceNames: 2},
	}
	for oi, opts := range allOpts {
		var granted []Grant
		if (seed+uint64(oi))%2 == 0 {
			granted = propGrants()
		}
		policies := Synthesize(in, granted, opts)
		byPrincipal := make(map[string][]synth.Access)
		for _, a := range in {
			byPrincipal[a.Principal] = append(byPrincipal[a.Principal], a)
		}
		if len(policies) != len(byPrincipal) {
			t.Fatalf("%d policies for %d principals", len(policies), len(byPrincipal))
		}
		for i, p := range policies {
			if i > 0 && policies[i-1].Principal >= p.Principal {
				t.Fatalf("policies not sorted by principal")
			}
			checkPolicy(t, p, byPrincipal[p.Principal], in, granted, opts, seed)
		}

		shuffled := append([]synth.Access(nil), in...)
		rand.New(rand.NewPCG(seed, 9)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if again := Synthesize(shuffled, granted, opts); !reflect.DeepEqual(again, policies) {
			t.Fatalf("%+v: shuffled input gives different policies", opts)
		}
	}
}

func checkPolicy(t *testing.T, p Policy, mine, all []synth.Access, granted []Grant, opts Options, seed uint64) {
	t.Helper()
	// Soundness: every access, denied ones included, is allowed.
	if err := Verify(p, all, granted); err != nil {
		t.Fatalf("%+v: %v\npolicy %+v", opts, err, p)
	}

	// Every access is rejected, already granted, or evidence of a rule.
	evidenced := make(map[string]bool)
	for _, role := range p.Roles {
		for _, ru := range role.Rules {
			if len(ru.Evidence) == 0 {
				t.Fatalf("rule without evidence: %+v", ru)
			}
			for _, ev := range ru.Evidence {
				evidenced[ev.Action] = true
			}
		}
	}
	if len(p.Rejected)+len(p.AlreadyGranted) > len(mine) {
		t.Fatalf("more rejected and granted than accesses")
	}
	rejected := make(map[string]bool)
	for _, r := range p.Rejected {
		rejected[r.Access.Action+"\x00"+r.Access.Resource+"\x00"+r.Access.Provider] = true
	}
	existing := append(Bootstrap(), granted...)
	used := make(map[string]bool) // namespaces the principal made rules necessary in
	var seenVerbs = make(map[string]bool)
	for _, a := range mine {
		r, err := requestOf(a)
		if err != nil {
			if !rejected[a.Action+"\x00"+a.Resource+"\x00"+a.Provider] {
				t.Fatalf("%q on %q not rejected: %v", a.Action, a.Resource, err)
			}
			continue
		}
		if GrantsAllow(existing, p.Principal, r) {
			continue
		}
		if !evidenced[a.Action] {
			t.Fatalf("%q on %q is in no rule's evidence", a.Action, a.Resource)
		}
		used[r.Namespace] = true
		seenVerbs[r.Verb] = true
		for _, v := range wantExtra(opts.VerbExpansion, r.Verb) {
			seenVerbs[v] = true
		}
	}

	// Shape: namespaced roles sorted, then the ClusterRole; one binding per
	// role to the principal; roles only where something was used; no
	// wildcards; verbs seen; names within the limit.
	if len(p.Roles) != len(p.Bindings) {
		t.Fatalf("%d roles, %d bindings", len(p.Roles), len(p.Bindings))
	}
	for i, role := range p.Roles {
		b := p.Bindings[i]
		if role.Name != RoleName(p.Principal) || b.Name != role.Name || b.RoleName != role.Name || b.Namespace != role.Namespace || b.Subject != SubjectOf(p.Principal) {
			t.Fatalf("role %d %q / binding %+v", i, role.Name, b)
		}
		if i > 0 && (p.Roles[i-1].Namespace == "" || (role.Namespace != "" && p.Roles[i-1].Namespace >= role.Namespace)) {
			t.Fatalf("roles not sorted: %q after %q", role.Namespace, p.Roles[i-1].Namespace)
		}
		if role.Namespace != "" && !used[role.Namespace] {
			t.Fatalf("role in namespace %q, never used", role.Namespace)
		}
		if len(role.Rules) == 0 {
			t.Fatalf("empty role")
		}
		for j, ru := range role.Rules {
			if j > 0 && CompareRules(role.Rules[j-1], ru) >= 0 {
				t.Fatalf("rules not sorted and distinct")
			}
			for _, s := range slices.Concat(ru.Verbs, ru.APIGroups, ru.Resources) {
				if strings.Contains(s, "*") {
					t.Fatalf("wildcard in %+v", ru)
				}
			}
			for _, u := range ru.NonResourceURLs {
				if strings.HasSuffix(u, "*") {
					t.Fatalf("URL wildcard in %+v", ru)
				}
			}
			if role.Namespace != "" && len(ru.NonResourceURLs) > 0 {
				t.Fatalf("URL rule in a Role")
			}
			for _, v := range ru.Verbs {
				if !seenVerbs[v] {
					t.Fatalf("verb %q never seen: %+v", v, ru)
				}
			}
			if len(ru.ResourceNames) > 0 {
				for _, v := range ru.Verbs {
					for _, res := range ru.Resources {
						if !strings.Contains(res, "/") && (v == "list" || v == "watch" || v == "create" || v == "deletecollection") {
							t.Fatalf("names on %s %s: %+v", v, res, ru)
						}
					}
				}
			}
			if max := opts.maxNames(); max >= 0 && len(ru.ResourceNames) > max {
				t.Fatalf("%d names, limit %d", len(ru.ResourceNames), max)
			}
		}
	}

	// Nothing in a namespace never used, unless the ClusterRole allows it
	// and something justifies it there: a request across all namespaces or
	// cluster-scoped with the same verb and resource, or a cluster-wide
	// generalization naming it.
	wide := make(map[string]bool)
	for _, g := range p.Generalizations {
		if g.Reason == ReasonClusterWide {
			for _, a := range g.Actions {
				wide[a] = true
			}
		}
	}
	clusterWide := make(map[string]bool)
	for _, a := range mine {
		r, err := requestOf(a)
		if err != nil || r.Path != "" || r.Namespace != "" {
			continue
		}
		for _, v := range append([]string{r.Verb}, wantExtra(opts.VerbExpansion, r.Verb)...) {
			x := r
			x.Verb = v
			x.Name = ""
			clusterWide[x.Action()] = true
		}
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	var probes []Request
	for _, a := range mine { // every access moved to the unused namespace
		if r, err := requestOf(a); err == nil && r.Path == "" {
			r.Namespace = neverUsed
			probes = append(probes, r)
		}
	}
	for i := 0; i < 30; i++ {
		probes = append(probes, Request{
			Verb:        propVerbs[rng.IntN(len(propVerbs))],
			Group:       propGroups[rng.IntN(len(propGroups))],
			Resource:    propResources[rng.IntN(len(propResources))],
			Subresource: propSubs[rng.IntN(len(propSubs))],
			Namespace:   neverUsed,
			Name:        propNames[rng.IntN(len(propNames))],
		})
	}
	for _, r := range probes {
		if !PolicyAllows(p, r) {
			continue
		}
		x := r
		x.Name = ""
		if !wide[x.Action()] && !clusterWide[x.Action()] {
			t.Fatalf("%+v: allows %+v in a namespace never used, unjustified\npolicy %+v", opts, r, p)
		}
		if opts.ClusterWideAfter < 0 && !clusterWide[x.Action()] {
			t.Fatalf("allows %+v in a namespace never used with cluster-wide generalization off", r)
		}
	}
}
