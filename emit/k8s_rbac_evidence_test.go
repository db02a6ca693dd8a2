package emit

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/k8s"
)

// decodeK8sEvidence unmarshals an evidence file strictly.
func decodeK8sEvidence(t testing.TB, data []byte) k8sEvidenceFile {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f k8sEvidenceFile
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
	if dec.More() {
		t.Fatalf("trailing data in %s", data)
	}
	return f
}

func TestK8sEvidenceGolden(t *testing.T) {
	for name, p := range k8sPolicyFixtures() {
		t.Run(name, func(t *testing.T) {
			if name == "user" {
				p.Rejected = []k8s.Rejected{{
					Access: synth.Access{Provider: "k8s", Principal: p.Principal, Action: "* pods", Resource: "dev/", Count: 3, Samples: []string{"k8s:w1"}},
					Reason: `verb "*" contains '*', an RBAC wildcard`,
				}}
			}
			var buf bytes.Buffer
			if err := K8sEvidence(&buf, p, k8sWindowFixture); err != nil {
				t.Fatal(err)
			}
			golden(t, "k8s/rbac/"+name+".evidence.json", buf.Bytes())
			checkVisible(t, buf.Bytes())
			f := decodeK8sEvidence(t, buf.Bytes())

			if f.Principal != p.Principal || f.Subject.Kind != p.Subject.Kind || f.Subject.Name != p.Subject.Name || f.Subject.Namespace != p.Subject.Namespace {
				t.Errorf("principal/subject = %q %+v", f.Principal, f.Subject)
			}
			if want := strings.ToLower(p.Subject.Kind); f.Kind != want {
				t.Errorf("kind = %q, want %q", f.Kind, want)
			}
			if f.Window.From != "2026-01-01T00:00:00Z" || f.Window.To != "2026-03-31T23:59:59Z" || f.Note != K8sUnobservable {
				t.Errorf("window/note = %+v %q", f.Window, f.Note)
			}
			if len(f.Roles) != len(p.Roles) {
				t.Fatalf("%d roles, want %d", len(f.Roles), len(p.Roles))
			}
			for i, r := range p.Roles {
				g := f.Roles[i]
				if g.Name != r.Name || g.Namespace != r.Namespace || (g.Kind == "ClusterRole") != (r.Namespace == "") || len(g.Rules) != len(r.Rules) {
					t.Fatalf("role %d = %+v", i, g)
				}
				for j, rule := range r.Rules {
					gr := g.Rules[j]
					got := k8s.Rule{Verbs: gr.Verbs, APIGroups: gr.APIGroups, Resources: gr.Resources, ResourceNames: gr.ResourceNames, NonResourceURLs: gr.NonResourceURLs}
					if len(gr.Actions) != len(rule.Evidence) {
						t.Fatalf("rule %d.%d: %d actions, want %d", i, j, len(gr.Actions), len(rule.Evidence))
					}
					for k, ev := range rule.Evidence {
						if gr.Actions[k].Action != ev.Action || gr.Actions[k].Count != ev.Count || !reflect.DeepEqual(gr.Actions[k].Samples, nonNil(ev.Samples)) ||
							gr.Actions[k].Inferred != ev.Inferred || gr.Actions[k].Denied != ev.Denied || gr.Actions[k].First != rfc3339(ev.First, "") {
							t.Errorf("rule %d.%d action %d = %+v, want %+v", i, j, k, gr.Actions[k], ev)
						}
					}
					rule.Evidence = nil
					if !reflect.DeepEqual(got, rule) {
						t.Errorf("rule %d.%d = %+v, want %+v", i, j, got, rule)
					}
				}
			}
			if len(f.Generalizations) != len(p.Generalizations) || len(f.Rejected) != len(p.Rejected) {
				t.Errorf("generalizations %+v, rejected %+v", f.Generalizations, f.Rejected)
			}
		})
	}
}

// TestK8sEvidenceAlreadyGranted: accesses existing RBAC allows are listed
// per action, counts added up and resources collected, like rule evidence.
func TestK8sEvidenceAlreadyGranted(t *testing.T) {
	var buf bytes.Buffer
	if err := K8sEvidence(&buf, k8sPolicyFixtures()["user"], k8sWindowFixture); err != nil {
		t.Fatal(err)
	}
	f := decodeK8sEvidence(t, buf.Bytes())
	want := []evidenceAction{
		{Action: "create selfsubjectaccessreviews.authorization.k8s.io", Count: 2, Regions: []string{}, Samples: []string{"k8s:ssar"}, Resources: []string{}},
		{Action: "get /api", Count: 30, First: "2026-01-01T08:00:00Z", Last: "2026-03-01T08:00:00Z", Regions: []string{"prod-eu"}, Samples: []string{"k8s:api1"}, Resources: []string{}},
		{Action: "get pods", Count: 3, Regions: []string{}, Samples: []string{}, Resources: []string{"dev/web-0", "dev/web-1"}},
	}
	if !reflect.DeepEqual(f.AlreadyGranted, want) {
		t.Errorf("alreadyGranted =\n%+v\nwant\n%+v", f.AlreadyGranted, want)
	}
	if len(f.Generalizations) != 1 || f.Generalizations[0].Detail != "dev, prod, qa, staging" || !reflect.DeepEqual(f.Generalizations[0].Actions, []string{"list deployments.apps"}) {
		t.Errorf("generalizations = %+v", f.Generalizations)
	}
}

func TestK8sEvidenceEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := K8sEvidence(&buf, k8s.Policy{Principal: "p", Subject: k8s.Subject{Kind: "User", Name: "p"}}, synth.Window{}); err != nil {
		t.Fatal(err)
	}
	want := `{
  "principal": "p",
  "kind": "user",
  "subject": {
    "kind": "User",
    "name": "p"
  },
  "window": {
    "from": "",
    "to": ""
  },
  "note": "` + K8sUnobservable + `",
  "roles": [],
  "generalizations": [],
  "alreadyGranted": [],
  "rejected": []
}
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestK8sEvidenceInvalidUTF8(t *testing.T) {
	for _, bad := range []string{"\xff", "a\xc3", "\xed\xa0\x80"} {
		for i, edit := range []func(p *k8s.Policy){
			func(p *k8s.Policy) { p.Principal = bad },
			func(p *k8s.Policy) { p.Subject.Name = bad },
			func(p *k8s.Policy) { p.Roles[0].Rules[0].ResourceNames = []string{bad} },
			func(p *k8s.Policy) {
				p.Roles[0].Rules[0].Evidence = []synth.ActionEvidence{{Action: "get", Resources: []string{bad}}}
			},
			func(p *k8s.Policy) { p.Generalizations = []k8s.Generalization{{Reason: "r", Actions: []string{bad}}} },
			func(p *k8s.Policy) { p.AlreadyGranted = []synth.Access{{Action: "get pods", Samples: []string{bad}}} },
			func(p *k8s.Policy) { p.Rejected = []k8s.Rejected{{Access: synth.Access{Action: bad}}} },
		} {
			p := k8sPolicyFixtures()["serviceaccount"]
			p.Roles = []k8s.Role{{Namespace: "shop", Name: "r", Rules: []k8s.Rule{{Verbs: []string{"get"}}}}}
			edit(&p)
			var buf bytes.Buffer
			if err := K8sEvidence(&buf, p, k8sWindowFixture); err == nil || buf.Len() != 0 {
				t.Errorf("%q in place %d: err %v, wrote %q", bad, i, err, buf.String())
			}
		}
	}
}

// TestK8sRenderSynthesized: policies from k8s.Synthesize, hostile strings
// included, render in all three formats and read back exactly.
func TestK8sRenderSynthesized(t *testing.T) {
	at := time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)
	acc := func(principal, action, resource string) synth.Access {
		kind := "user"
		if strings.HasPrefix(principal, "system:serviceaccount:") {
			kind = "serviceaccount"
		}
		return synth.Access{Provider: "k8s", Principal: principal, PrincipalKind: kind, Action: action, Resource: resource, Count: 2, First: at, Last: at.Add(time.Hour), Regions: []string{"c1"}, Samples: []string{"k8s:" + action}}
	}
	const sa = "system:serviceaccount:shop:cart"
	const user = "oidc:https://idp.example/${jndi:x} <b>\"q\"\n%{ if }"
	var in []synth.Access
	in = append(in,
		acc(sa, "get configmaps", "shop/cart-config"),
		acc(sa, "list pods", "shop/"),
		acc(sa, "create pods/exec", "shop/web-0"),
		acc(sa, "get /healthz", ""),
		acc(sa, "get /api", ""),
		acc(user, "get /metrics", ""),
		acc(user, "get nodes", "/node-${x}"),
		acc(user, "* pods", "dev/"),
	)
	for _, ns := range []string{"a", "b", "c", "d"} {
		in = append(in, acc(user, "list deployments.apps", ns+"/"))
	}
	for _, name := range []string{"${jndi:ldap://x}", "<script>", "a\"b", "p1", "p2", "p3"} {
		in = append(in, acc(user, "get secrets", "dev/"+name))
	}
	in = append(in, acc(user, "get secrets", "qa/${only}"))
	policies := k8s.Synthesize(in, nil, k8s.Options{})
	if len(policies) != 2 {
		t.Fatalf("%d policies, want 2", len(policies))
	}
	for _, p := range policies {
		var y, tf, ev bytes.Buffer
		if err := K8sRBACYAML(&y, p, k8sWindowFixture); err != nil {
			t.Fatalf("%q: %v", p.Principal, err)
		}
		checkK8sYAML(t, y.Bytes(), p, k8sWindowFixture)
		if err := K8sRBACTerraform(&tf, p, k8sWindowFixture); err != nil {
			t.Fatalf("%q: %v", p.Principal, err)
		}
		checkK8sTerraform(t, tf.Bytes(), p, k8sWindowFixture)
		if err := K8sEvidence(&ev, p, k8sWindowFixture); err != nil {
			t.Fatalf("%q: %v", p.Principal, err)
		}
		f := decodeK8sEvidence(t, ev.Bytes())
		if p.Principal == user && (len(f.Generalizations) == 0 || len(f.Rejected) != 1 || len(p.Roles) == 0) {
			t.Errorf("%q: generalizations %+v, rejected %+v", p.Principal, f.Generalizations, f.Rejected)
		}
		if p.Principal == sa && len(f.AlreadyGranted) == 0 {
			t.Errorf("%q: nothing already granted; the bootstrap discovery role allows get /healthz and /api", p.Principal)
		}
	}
}
