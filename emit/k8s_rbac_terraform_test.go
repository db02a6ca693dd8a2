package emit

import (
	"bytes"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/api/validate/content"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/k8s"
)

// tfK8sResource is one resource of a Kubernetes RBAC Terraform file, every
// attribute evaluated.
type tfK8sResource struct {
	Type, Label string
	Meta        map[string]cty.Value
	Rules       []map[string]cty.Value
	RoleRef     map[string]cty.Value // name as "ref:<type>.<label>" when it refers to a resource
	Subjects    []map[string]cty.Value
}

// tfK8sSchema is what the hashicorp/kubernetes provider accepts in each
// nested block pare writes.
var tfK8sSchema = map[string]map[string]bool{
	"metadata": {"name": true, "namespace": true, "labels": true, "annotations": true},
	"rule":     {"api_groups": true, "resources": true, "resource_names": true, "non_resource_urls": true, "verbs": true},
	"role_ref": {"api_group": true, "kind": true, "name": true},
	"subject":  {"kind": true, "name": true, "namespace": true, "api_group": true},
}

var tfLabelRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// parseK8sTerraform parses src and evaluates every attribute. Nothing may
// refer to anything except a role_ref's name, which must be exactly
// <role type>.<label>.metadata[0].name.
func parseK8sTerraform(t testing.TB, src []byte) []tfK8sResource {
	t.Helper()
	file, diags := hclparse.NewParser().ParseHCL(src, "rbac.tf")
	if diags.HasErrors() {
		t.Fatalf("parsing:\n%s\n%s", src, diags.Error())
	}
	body := file.Body.(*hclsyntax.Body)
	if len(body.Attributes) != 0 {
		t.Fatalf("top-level attributes in\n%s", src)
	}
	eval := func(block string, attrs hclsyntax.Attributes) map[string]cty.Value {
		out := map[string]cty.Value{}
		for name, a := range attrs {
			if !tfK8sSchema[block][name] {
				t.Fatalf("%s has attribute %s, which the provider does not know", block, name)
			}
			vars := a.Expr.Variables()
			if block == "role_ref" && name == "name" && len(vars) > 0 {
				_, plain := a.Expr.(*hclsyntax.ScopeTraversalExpr)
				v := vars[0]
				if !plain || len(vars) != 1 || len(v) != 5 || (v.RootName() != "kubernetes_role_v1" && v.RootName() != "kubernetes_cluster_role_v1") {
					t.Fatalf("role_ref.name is not a plain reference to a role: %#v", vars)
				}
				label, ok1 := v[1].(hcl.TraverseAttr)
				meta, ok2 := v[2].(hcl.TraverseAttr)
				index, ok3 := v[3].(hcl.TraverseIndex)
				attr, ok4 := v[4].(hcl.TraverseAttr)
				if !ok1 || !ok2 || !ok3 || !ok4 || meta.Name != "metadata" || !index.Key.RawEquals(cty.NumberIntVal(0)) || attr.Name != "name" {
					t.Fatalf("role_ref.name refers to %#v", v)
				}
				out[name] = cty.StringVal("ref:" + v.RootName() + "." + label.Name)
				continue
			}
			// No expression may refer to anything: that is what an
			// interpolation smuggled in through a log string would do.
			if len(vars) != 0 {
				t.Fatalf("%s.%s refers to variables %v", block, name, vars)
			}
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				t.Fatalf("evaluating %s.%s: %s", block, name, diags.Error())
			}
			out[name] = v
		}
		return out
	}
	var out []tfK8sResource
	for _, block := range body.Blocks {
		if block.Type != "resource" || len(block.Labels) != 2 || !tfLabelRE.MatchString(block.Labels[1]) || !hclsyntax.ValidIdentifier(block.Labels[1]) {
			t.Fatalf("unexpected block %s %q", block.Type, block.Labels)
		}
		if len(block.Body.Attributes) != 0 {
			t.Fatalf("%q has attributes outside blocks", block.Labels)
		}
		r := tfK8sResource{Type: block.Labels[0], Label: block.Labels[1]}
		role := r.Type == "kubernetes_role_v1" || r.Type == "kubernetes_cluster_role_v1"
		binding := r.Type == "kubernetes_role_binding_v1" || r.Type == "kubernetes_cluster_role_binding_v1"
		if !role && !binding {
			t.Fatalf("unexpected resource type %q", r.Type)
		}
		for _, nested := range block.Body.Blocks {
			if len(nested.Body.Blocks) != 0 || len(nested.Labels) != 0 {
				t.Fatalf("%q: nested blocks or labels in %s", block.Labels, nested.Type)
			}
			attrs := eval(nested.Type, nested.Body.Attributes)
			switch {
			case nested.Type == "metadata" && r.Meta == nil:
				r.Meta = attrs
			case nested.Type == "rule" && role:
				r.Rules = append(r.Rules, attrs)
			case nested.Type == "role_ref" && binding && r.RoleRef == nil:
				r.RoleRef = attrs
			case nested.Type == "subject" && binding:
				r.Subjects = append(r.Subjects, attrs)
			default:
				t.Fatalf("%q: unexpected block %s", block.Labels, nested.Type)
			}
		}
		if r.Meta == nil || (role && len(r.Rules) == 0) || (binding && (r.RoleRef == nil || len(r.Subjects) == 0)) {
			t.Fatalf("%q misses a required block", block.Labels)
		}
		out = append(out, r)
	}
	return out
}

func stringMapOf(t testing.TB, v cty.Value) map[string]string {
	t.Helper()
	if v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		t.Fatalf("%#v is not a map", v)
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		out[k.AsString()] = str(t, e)
	}
	return out
}

// optStrs is an optional list attribute; absent is nil.
func optStrs(t testing.TB, attrs map[string]cty.Value, name string) []string {
	t.Helper()
	v, ok := attrs[name]
	if !ok {
		return nil
	}
	return strs(t, v)
}

// checkK8sTerraform checks that src holds exactly p's objects in the order
// K8sRBACYAML writes them, each evaluating back to the model's strings,
// and every binding's role_ref naming its role through a reference.
func checkK8sTerraform(t testing.TB, src []byte, p k8s.Policy, window synth.Window) {
	t.Helper()
	got := parseK8sTerraform(t, src)
	byRef := map[string]tfK8sResource{}
	labels := map[string]bool{}
	for _, r := range got {
		if labels[r.Type+"."+r.Label] {
			t.Fatalf("resource %s.%s twice", r.Type, r.Label)
		}
		labels[r.Type+"."+r.Label] = true
		byRef["ref:"+r.Type+"."+r.Label] = r
	}
	want := wantK8sObjects(p)
	if len(got) != len(want) {
		t.Fatalf("%d resources, want %d:\n%s", len(got), len(want), src)
	}
	role := 0
	for i, g := range got {
		meta := reflect.ValueOf(want[i]).Elem().FieldByName("ObjectMeta")
		kind := reflect.ValueOf(want[i]).Elem().Type().Name()
		name, namespace := meta.FieldByName("Name").String(), meta.FieldByName("Namespace").String()
		wantType := map[string]string{
			"Role": "kubernetes_role_v1", "ClusterRole": "kubernetes_cluster_role_v1",
			"RoleBinding": "kubernetes_role_binding_v1", "ClusterRoleBinding": "kubernetes_cluster_role_binding_v1",
		}[kind]
		if g.Type != wantType || str(t, g.Meta["name"]) != name {
			t.Fatalf("resource %d = %s %q, want %s %q", i, g.Type, str(t, g.Meta["name"]), wantType, name)
		}
		if ns, ok := g.Meta["namespace"]; ok != (namespace != "") || (ok && str(t, ns) != namespace) {
			t.Errorf("resource %d namespace = %#v, want %q", i, ns, namespace)
		}
		if l := stringMapOf(t, g.Meta["labels"]); !reflect.DeepEqual(l, map[string]string{"app.kubernetes.io/managed-by": "pare"}) {
			t.Errorf("resource %d labels = %v", i, l)
		}
		a := stringMapOf(t, g.Meta["annotations"])
		if a["pare.dev/principal"] != p.Principal || a["pare.dev/window"] != k8sWindow(window) {
			t.Errorf("resource %d annotations = %q", i, a)
		}
		switch kind {
		case "Role", "ClusterRole":
			r := p.Roles[role]
			role++
			if len(a) != 3 {
				t.Errorf("role annotations = %q", a)
			}
			checkK8sEvidenceAnnotation(t, a["pare.dev/evidence"], r)
			if len(g.Rules) != len(r.Rules) {
				t.Fatalf("%d rules, want %d", len(g.Rules), len(r.Rules))
			}
			for j, rule := range r.Rules {
				if _, ok := g.Rules[j]["non_resource_urls"]; ok && g.Type == "kubernetes_role_v1" {
					t.Errorf("non_resource_urls in a kubernetes_role_v1")
				}
				gotRule := k8s.Rule{
					Verbs:           optStrs(t, g.Rules[j], "verbs"),
					APIGroups:       optStrs(t, g.Rules[j], "api_groups"),
					Resources:       optStrs(t, g.Rules[j], "resources"),
					ResourceNames:   optStrs(t, g.Rules[j], "resource_names"),
					NonResourceURLs: optStrs(t, g.Rules[j], "non_resource_urls"),
				}
				rule.Evidence = nil
				if !reflect.DeepEqual(gotRule, rule) {
					t.Errorf("rule %d = %#v, want %#v", j, gotRule, rule)
				}
			}
		default:
			if len(a) != 2 {
				t.Errorf("binding annotations = %q", a)
			}
			ref := reflect.ValueOf(want[i]).Elem().FieldByName("RoleRef").Interface()
			subjects := reflect.ValueOf(want[i]).Elem().FieldByName("Subjects")
			wantRef := reflect.ValueOf(ref)
			if str(t, g.RoleRef["api_group"]) != "rbac.authorization.k8s.io" || str(t, g.RoleRef["kind"]) != wantRef.FieldByName("Kind").String() {
				t.Errorf("role_ref = %#v", g.RoleRef)
			}
			// The policy holds every role its fixtures bind: the name is
			// a reference to that role's resource.
			target, ok := byRef[str(t, g.RoleRef["name"])]
			if !ok {
				t.Fatalf("role_ref.name = %#v, not a reference to a role in the file", g.RoleRef["name"])
			}
			if str(t, target.Meta["name"]) != wantRef.FieldByName("Name").String() {
				t.Errorf("role_ref refers to %q, want %q", str(t, target.Meta["name"]), wantRef.FieldByName("Name").String())
			}
			if target.Label != g.Label {
				t.Errorf("binding label %q differs from its role's %q", g.Label, target.Label)
			}
			if len(g.Subjects) != subjects.Len() {
				t.Fatalf("%d subjects, want %d", len(g.Subjects), subjects.Len())
			}
			for j, s := range g.Subjects {
				w := subjects.Index(j)
				for attr, field := range map[string]string{"kind": "Kind", "name": "Name", "namespace": "Namespace", "api_group": "APIGroup"} {
					v, ok := s[attr]
					if !ok || str(t, v) != w.FieldByName(field).String() {
						t.Errorf("subject %s = %#v, want %q", attr, v, w.FieldByName(field).String())
					}
				}
			}
		}
	}
}

func TestK8sRBACTerraformGolden(t *testing.T) {
	for name, p := range k8sPolicyFixtures() {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := K8sRBACTerraform(&buf, p, k8sWindowFixture); err != nil {
				t.Fatal(err)
			}
			golden(t, "k8s/rbac/"+name+".tf", buf.Bytes())
			checkK8sTerraform(t, buf.Bytes(), p, k8sWindowFixture)
			if !allVisible(buf.Bytes(), true) {
				t.Errorf("output shows invisible runes:\n%q", buf.String())
			}
			var again bytes.Buffer
			if err := K8sRBACTerraform(&again, p, k8sWindowFixture); err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Errorf("output is not deterministic (%v)", err)
			}
		})
	}
}

// TestK8sRBACTerraformLabels: labels are valid, stable, distinct for
// distinct objects (even across principals, whose files share a module),
// and the same for a role and its binding.
func TestK8sRBACTerraformLabels(t *testing.T) {
	seen := map[string]string{}
	for _, obj := range [][2]string{
		{"", "pare:a"}, {"ns", "pare:a"}, {"ns2", "pare:a"}, {"", "pare:a.b"}, {"", "pare:a_b"}, {"", "pare:a~sb"},
		{"", "pare:" + strings.Repeat("x", 500)}, {"", "pare:" + strings.Repeat("x", 500) + "y"}, {"", "ünï"}, {"", "9"}, {"a", "b_c"}, {"a_b", "c"},
	} {
		label := k8sTerraformLabel(obj[0], obj[1])
		if !tfLabelRE.MatchString(label) || !hclsyntax.ValidIdentifier(label) {
			t.Errorf("%q: label %q is not a valid resource name", obj, label)
		}
		if prev, ok := seen[label]; ok {
			t.Errorf("%q and %s share label %q", obj, prev, label)
		}
		seen[label] = obj[0] + "/" + obj[1]
		if k8sTerraformLabel(obj[0], obj[1]) != label {
			t.Errorf("%q: label not stable", obj)
		}
	}
	if got := k8sTerraformLabel("shop", "pare:system:serviceaccount:shop:cart"); !strings.HasPrefix(got, "shop_pare_system_serviceaccount_shop_cart_") {
		t.Errorf("label %q is not readable", got)
	}
}

// TestK8sRBACTerraformUserNamespace: User and Group subjects carry
// namespace = "" so the provider does not set "default" on them.
func TestK8sRBACTerraformUserNamespace(t *testing.T) {
	var buf bytes.Buffer
	if err := K8sRBACTerraform(&buf, k8sPolicyFixtures()["user"], k8sWindowFixture); err != nil {
		t.Fatal(err)
	}
	for _, r := range parseK8sTerraform(t, buf.Bytes()) {
		for _, s := range r.Subjects {
			if v, ok := s["namespace"]; !ok || str(t, v) != "" {
				t.Errorf("user subject namespace = %#v, want \"\"", v)
			}
		}
	}
}

func TestK8sRBACTerraformRejects(t *testing.T) {
	bad := badK8sPolicies()
	for _, s := range []string{"cafe\u0301", "\u212b"} {
		p := k8sPolicyFixtures()["user"]
		p.Principal = s
		bad["not NFC principal "+s] = p
		p = k8sPolicyFixtures()["user"]
		p.Roles = append([]k8s.Role(nil), p.Roles...)
		p.Roles[2].Rules = append([]k8s.Rule(nil), p.Roles[2].Rules...)
		p.Roles[2].Rules[2].NonResourceURLs = []string{"/" + s}
		bad["not NFC URL "+s] = p
	}
	for name, p := range bad {
		var buf bytes.Buffer
		if err := K8sRBACTerraform(&buf, p, k8sWindowFixture); err == nil || buf.Len() != 0 {
			t.Errorf("%s: err %v, wrote %q", name, err, buf.String())
		}
	}
}

func TestK8sRBACTerraformEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := K8sRBACTerraform(&buf, k8s.Policy{Principal: "p"}, synth.Window{}); err != nil {
		t.Fatal(err)
	}
	if len(parseK8sTerraform(t, buf.Bytes())) != 0 {
		t.Errorf("resources for an empty policy:\n%s", buf.Bytes())
	}
}

// TestK8sRBACTerraformOutsideBinding: a binding of a role outside the
// policy names it as a literal string.
func TestK8sRBACTerraformOutsideBinding(t *testing.T) {
	p := k8sPolicyFixtures()["serviceaccount"]
	p.Bindings = append(p.Bindings, k8s.Binding{Namespace: "other", Name: "pare:view", RoleKind: "ClusterRole", RoleName: "view", Subject: p.Subject})
	var buf bytes.Buffer
	if err := K8sRBACTerraform(&buf, p, k8sWindowFixture); err != nil {
		t.Fatal(err)
	}
	got := parseK8sTerraform(t, buf.Bytes())
	last := got[len(got)-1]
	if len(got) != 3 || last.Type != "kubernetes_role_binding_v1" || str(t, last.RoleRef["name"]) != "view" || str(t, last.RoleRef["kind"]) != "ClusterRole" {
		t.Errorf("outside binding = %#v", last)
	}
}

// FuzzK8sTerraformRoundTrip: arbitrary principals, role names, resource
// names, non-resource URLs and evidence samples either evaluate back
// exactly, or, when Terraform or RBAC cannot carry them unchanged, are an
// error and nothing is written.
func FuzzK8sTerraformRoundTrip(f *testing.F) {
	for _, s := range []string{"${jndi:ldap://x}", "%{ if }", "$${", "%%{", "\\", `"`, "\n", "'", "<script>", "ünï 日本 😀", "\xff", "cafe\u0301", "\u202e", "\x00", "/", "%", "..", ""} {
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
		err := K8sRBACTerraform(&buf, p, k8sWindowFixture)
		valid := roleName != "" && len(content.IsPathSegmentName(roleName)) == 0 && principal != ""
		for _, s := range []string{principal, roleName, name, sample, "/" + name} {
			valid = valid && terraformRepresentable(s)
		}
		if valid {
			for _, r := range p.Roles {
				ev, evErr := k8sEvidenceAnnotationValue(r)
				valid = valid && evErr == nil && terraformRepresentable(ev)
			}
		}
		if !valid {
			if err == nil || buf.Len() != 0 {
				t.Fatalf("K8sRBACTerraform(%q, %q, %q, %q) = %v, wrote %d bytes; want an error and nothing", principal, roleName, name, sample, err, buf.Len())
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		checkK8sTerraform(t, buf.Bytes(), p, k8sWindowFixture)
	})
}
