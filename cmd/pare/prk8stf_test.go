package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/leastpriv/pare/emit"
	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/k8s"
)

// TestDecodeK8sTerraform: what emit.K8sRBACTerraform writes reads back to
// the same roles and bindings; other content is refused.
func TestDecodeK8sTerraform(t *testing.T) {
	sa := k8s.Subject{Kind: "ServiceAccount", Name: "app", Namespace: "shop"}
	p := k8s.Policy{
		Principal: "system:serviceaccount:shop:app", Subject: sa,
		Roles: []k8s.Role{
			{Namespace: "shop", Name: k8s.RoleName("system:serviceaccount:shop:app"), Rules: []k8s.Rule{
				{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{"db"}},
				{Verbs: []string{"list", "watch"}, APIGroups: []string{""}, Resources: []string{"pods"}},
			}},
			{Name: k8s.RoleName("system:serviceaccount:shop:app"), Rules: []k8s.Rule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}}},
		},
		Bindings: []k8s.Binding{
			{Namespace: "shop", Name: k8s.RoleName("system:serviceaccount:shop:app"), RoleKind: "Role", RoleName: k8s.RoleName("system:serviceaccount:shop:app"), Subject: sa},
			{Name: k8s.RoleName("system:serviceaccount:shop:app"), RoleKind: "ClusterRole", RoleName: k8s.RoleName("system:serviceaccount:shop:app"), Subject: sa},
		},
	}
	var b bytes.Buffer
	if err := emit.K8sRBACTerraform(&b, p, synth.Window{}); err != nil {
		t.Fatal(err)
	}
	objs, err := decodeK8sTerraform("rbac.tf", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var roles []k8s.Role
	var bindings []k8s.Binding
	for _, o := range objs {
		if o.Keep || o.Source == "" || o.Line == 0 {
			t.Errorf("%s: keep %v, line %d, source %q", o.Kind, o.Keep, o.Line, o.Source)
		}
		switch o.Kind {
		case "Role", "ClusterRole":
			roles = append(roles, o.Role)
		default:
			bindings = append(bindings, o.Bindings...)
		}
	}
	if !reflect.DeepEqual(roles, p.Roles) || !reflect.DeepEqual(bindings, p.Bindings) {
		t.Errorf("read back:\nroles %+v\nwant  %+v\nbindings %+v\nwant     %+v", roles, p.Roles, bindings, p.Bindings)
	}
	kept := strings.Replace(b.String(), `"pare.dev/principal"`, `"pare.dev/keep" = "true"`+"\n      "+`"pare.dev/principal"`, 1)
	if objs, err := decodeK8sTerraform("rbac.tf", []byte(kept)); err != nil || !objs[0].Keep {
		t.Errorf("the keep annotation is not read: %v", err)
	}
	for name, src := range map[string]string{
		"other resource": `resource "aws_iam_policy" "x" {}`,
		"no metadata":    `resource "kubernetes_role_v1" "x" {}`,
		"reference":      `resource "kubernetes_role_v1" "x" { metadata { name = var.n } }`,
		"dangling ref":   `resource "kubernetes_role_binding_v1" "x" { metadata { name = "b" } ` + "\n" + `role_ref { kind = "Role" ` + "\n" + `name = kubernetes_role_v1.gone.metadata[0].name } }`,
	} {
		if _, err := decodeK8sTerraform("rbac.tf", []byte(src)); err == nil || !strings.Contains(err.Error(), "rbac.tf:") {
			t.Errorf("%s: error %v, want one naming rbac.tf and a line", name, err)
		}
	}
}
