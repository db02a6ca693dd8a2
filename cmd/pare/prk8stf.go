package main

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/leastpriv/pare/synth/k8s"
	"github.com/leastpriv/pare/synth/remediate"
)

// k8sTerraformKinds maps the hashicorp/kubernetes resource types pare
// writes to the RBAC kinds they create.
var k8sTerraformKinds = map[string]string{
	"kubernetes_role_v1":                 "Role",
	"kubernetes_cluster_role_v1":         "ClusterRole",
	"kubernetes_role_binding_v1":         "RoleBinding",
	"kubernetes_cluster_role_binding_v1": "ClusterRoleBinding",
}

// decodeK8sTerraform reads back the RBAC resources of a managed Terraform
// file as emit.K8sRBACTerraform writes them, each with its own text and
// whether its metadata annotates pare.dev/keep = "true". A binding's
// role_ref.name may be a literal or a reference to a role of the same file
// (kubernetes_role_v1.LABEL.metadata[0].name). Any other block or value is
// an error naming file and line.
func decodeK8sTerraform(name string, src []byte) ([]remediate.K8sObject, error) {
	f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	body := f.Body.(*hclsyntax.Body)
	// Role names by "TYPE.LABEL", for role_ref references.
	names := make(map[string]string)
	for _, b := range body.Blocks {
		if b.Type == "resource" && len(b.Labels) == 2 {
			if md := firstBlock(b.Body, "metadata"); md != nil {
				var n string
				if err := literalString(md.Body, "name", &n); err == nil {
					names[b.Labels[0]+"."+b.Labels[1]] = n
				}
			}
		}
	}
	var out []remediate.K8sObject
	for _, b := range body.Blocks {
		kind, ok := k8sTerraformKinds[labelOf(b, 0)]
		if b.Type != "resource" || len(b.Labels) != 2 || !ok {
			return nil, fmt.Errorf("%s: a file pare manages holds only Kubernetes RBAC resources", b.DefRange())
		}
		md := firstBlock(b.Body, "metadata")
		if md == nil {
			return nil, fmt.Errorf("%s: no metadata block", b.DefRange())
		}
		var objName, namespace string
		if err := literalString(md.Body, "name", &objName); err != nil {
			return nil, err
		}
		if err := literalString(md.Body, "namespace", &namespace); err != nil {
			return nil, err
		}
		obj := remediate.K8sObject{Kind: kind, Source: string(b.Range().SliceBytes(src)), Line: b.DefRange().Start.Line}
		if a, ok := md.Body.Attributes["annotations"]; ok {
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() || !v.CanIterateElements() {
				return nil, fmt.Errorf("%s: annotations are not a literal map pare can read back", a.SrcRange)
			}
			if v.Type().IsObjectType() && v.Type().HasAttribute(remediate.K8sKeepAnnotation) {
				keep := v.GetAttr(remediate.K8sKeepAnnotation)
				obj.Keep = keep.Type() == cty.String && keep.IsKnown() && !keep.IsNull() && keep.AsString() == "true"
			}
		}
		switch kind {
		case "Role", "ClusterRole":
			obj.Role = k8s.Role{Namespace: namespace, Name: objName}
			for _, r := range b.Body.Blocks {
				if r.Type != "rule" {
					continue
				}
				var rule k8s.Rule
				for _, l := range []struct {
					name string
					to   *[]string
				}{{"api_groups", &rule.APIGroups}, {"resources", &rule.Resources}, {"resource_names", &rule.ResourceNames},
					{"verbs", &rule.Verbs}, {"non_resource_urls", &rule.NonResourceURLs}} {
					if err := literalStrings(r.Body, l.name, l.to); err != nil {
						return nil, err
					}
				}
				obj.Role.Rules = append(obj.Role.Rules, rule)
			}
		default:
			ref := firstBlock(b.Body, "role_ref")
			if ref == nil {
				return nil, fmt.Errorf("%s: no role_ref block", b.DefRange())
			}
			var refKind, refName string
			if err := literalString(ref.Body, "kind", &refKind); err != nil {
				return nil, err
			}
			if a, ok := ref.Body.Attributes["name"]; ok {
				if err := literalString(ref.Body, "name", &refName); err != nil {
					t, diags := hcl.AbsTraversalForExpr(a.Expr)
					if diags.HasErrors() || len(t) < 2 {
						return nil, err
					}
					root, _ := t[0].(hcl.TraverseRoot)
					attr, _ := t[1].(hcl.TraverseAttr)
					n, ok := names[root.Name+"."+attr.Name]
					if !ok {
						return nil, fmt.Errorf("%s: role_ref names %s.%s, which the file does not hold", a.SrcRange, root.Name, attr.Name)
					}
					refName = n
				}
			}
			for _, s := range b.Body.Blocks {
				if s.Type != "subject" {
					continue
				}
				var subj k8s.Subject
				for _, l := range []struct {
					name string
					to   *string
				}{{"kind", &subj.Kind}, {"name", &subj.Name}, {"namespace", &subj.Namespace}} {
					if err := literalString(s.Body, l.name, l.to); err != nil {
						return nil, err
					}
				}
				obj.Bindings = append(obj.Bindings, k8s.Binding{Namespace: namespace, Name: objName, RoleKind: refKind, RoleName: refName, Subject: subj})
			}
		}
		out = append(out, obj)
	}
	return out, nil
}

func firstBlock(body *hclsyntax.Body, typ string) *hclsyntax.Block {
	for _, b := range body.Blocks {
		if b.Type == typ {
			return b
		}
	}
	return nil
}

func labelOf(b *hclsyntax.Block, i int) string {
	if i < len(b.Labels) {
		return b.Labels[i]
	}
	return ""
}
