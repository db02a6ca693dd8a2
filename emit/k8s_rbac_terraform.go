package emit

import (
	"fmt"
	"io"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/k8s"
)

// k8sLabelReadable bounds the readable part of a Terraform resource label.
const k8sLabelReadable = 80

// K8sRBACTerraform writes p as resources of the hashicorp/kubernetes
// provider, in the order K8sRBACYAML writes them: kubernetes_role_v1 or
// kubernetes_cluster_role_v1 (a metadata block with name, namespace, labels
// and annotations as K8sRBACYAML sets them, and one rule block per rule:
// api_groups, resources, resource_names when set and verbs, or
// non_resource_urls and verbs), then kubernetes_role_binding_v1 or
// kubernetes_cluster_role_binding_v1 (metadata, a role_ref block whose name
// refers to the role resource's metadata[0].name when p holds the role, and
// one subject block with kind, name, namespace and api_group). User and
// Group subjects get namespace = "" because the provider would otherwise
// set "default" on them.
//
// Resource labels are made of the object's namespace and name (letters,
// digits, '_' and '-', as hclLabel makes them) and 16 hex digits of a hash
// of both, so they are stable across runs and distinct even between the
// files of many principals in one Terraform module; a role and its binding
// share a label.
//
// Everything is built with hclwrite, so "${" and "%{" in strings from logs
// are escaped and never become interpolations or directives. A string that
// is not valid UTF-8 or not in Unicode normal form C (Terraform would change
// it), and an object the API server would refuse, are errors, and nothing
// is written.
func K8sRBACTerraform(w io.Writer, p k8s.Policy, window synth.Window) error {
	if err := eachK8sRBACString(p, checkTerraformString); err != nil {
		return fmt.Errorf("terraform RBAC of %q: %w", p.Principal, err)
	}
	groups, err := k8sRBACGroups(p)
	if err != nil {
		return err
	}
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	roleLabels := make(map[string]bool)
	bindingLabels := make(map[string]bool)
	first := true
	for _, g := range groups {
		var roleRef hcl.Traversal // the role's name, when p holds the role
		if r := g.role; r != nil {
			if !first {
				body.AppendNewline()
			}
			first = false
			typ := "kubernetes_role_v1"
			if r.Namespace == "" {
				typ = "kubernetes_cluster_role_v1"
			}
			label := uniqueLabel(k8sTerraformLabel(r.Namespace, r.Name), roleLabels)
			annotations, err := k8sRoleAnnotations(p, *r, window)
			if err != nil {
				return err
			}
			// The evidence annotation is built from checked strings, but
			// escaping may have made it something Terraform would change.
			if err := checkTerraformString("evidence annotation", annotations[k8sEvidenceAnnotation]); err != nil {
				return fmt.Errorf("terraform RBAC of %q: role %q: %w", p.Principal, r.Name, err)
			}
			res := body.AppendNewBlock("resource", []string{typ, label}).Body()
			appendK8sMetadata(res, r.Namespace, r.Name, annotations)
			for _, rule := range r.Rules {
				res.AppendNewline()
				rb := res.AppendNewBlock("rule", nil).Body()
				if len(rule.NonResourceURLs) > 0 {
					rb.SetAttributeRaw("non_resource_urls", listTokens(rule.NonResourceURLs))
				} else {
					rb.SetAttributeRaw("api_groups", listTokens(rule.APIGroups))
					rb.SetAttributeRaw("resources", listTokens(rule.Resources))
					if len(rule.ResourceNames) > 0 {
						rb.SetAttributeRaw("resource_names", listTokens(rule.ResourceNames))
					}
				}
				rb.SetAttributeRaw("verbs", listTokens(rule.Verbs))
			}
			roleRef = hcl.Traversal{
				hcl.TraverseRoot{Name: typ},
				hcl.TraverseAttr{Name: label},
				hcl.TraverseAttr{Name: "metadata"},
				hcl.TraverseIndex{Key: cty.NumberIntVal(0)},
				hcl.TraverseAttr{Name: "name"},
			}
		}
		for _, b := range g.bindings {
			if !first {
				body.AppendNewline()
			}
			first = false
			typ := "kubernetes_role_binding_v1"
			if b.Namespace == "" {
				typ = "kubernetes_cluster_role_binding_v1"
			}
			label := uniqueLabel(k8sTerraformLabel(b.Namespace, b.Name), bindingLabels)
			res := body.AppendNewBlock("resource", []string{typ, label}).Body()
			appendK8sMetadata(res, b.Namespace, b.Name, k8sBindingAnnotations(p, window))

			res.AppendNewline()
			ref := res.AppendNewBlock("role_ref", nil).Body()
			ref.SetAttributeValue("api_group", cty.StringVal(rbacAPIGroup))
			ref.SetAttributeValue("kind", cty.StringVal(b.RoleKind))
			if roleRef != nil {
				ref.SetAttributeTraversal("name", roleRef)
			} else {
				ref.SetAttributeValue("name", cty.StringVal(b.RoleName))
			}

			res.AppendNewline()
			subj := res.AppendNewBlock("subject", nil).Body()
			subj.SetAttributeValue("kind", cty.StringVal(b.Subject.Kind))
			subj.SetAttributeValue("name", cty.StringVal(b.Subject.Name))
			subj.SetAttributeValue("namespace", cty.StringVal(b.Subject.Namespace))
			subj.SetAttributeValue("api_group", cty.StringVal(k8sSubjectAPIGroup(b.Subject.Kind)))
		}
	}
	_, err = w.Write(hclwrite.Format(f.Bytes()))
	return err
}

// appendK8sMetadata appends an object's metadata block: name, namespace
// (left out for cluster-scoped objects), labels and annotations.
func appendK8sMetadata(res *hclwrite.Body, namespace, name string, annotations map[string]string) {
	meta := res.AppendNewBlock("metadata", nil).Body()
	meta.SetAttributeValue("name", cty.StringVal(name))
	if namespace != "" {
		meta.SetAttributeValue("namespace", cty.StringVal(namespace))
	}
	meta.SetAttributeValue("labels", stringMap(k8sLabels()))
	meta.SetAttributeValue("annotations", stringMap(annotations))
}

// stringMap is m as an HCL map value; hclwrite writes its keys sorted.
func stringMap(m map[string]string) cty.Value {
	vals := make(map[string]cty.Value, len(m))
	for k, v := range m {
		vals[k] = cty.StringVal(v)
	}
	return cty.MapVal(vals)
}

// k8sTerraformLabel is the Terraform resource label of the RBAC object
// namespace/name: the readable part "<namespace>_<name>" (just the name for
// cluster-scoped objects) as hclLabel makes it, cut to k8sLabelReadable
// bytes, then '_' and hash16 of "namespace/name". Namespaces never contain
// '/', so distinct objects have distinct hashes.
func k8sTerraformLabel(namespace, name string) string {
	readable := name
	if namespace != "" {
		readable = namespace + "_" + name
	}
	label := hclLabel(readable)
	if len(label) > k8sLabelReadable {
		label = label[:k8sLabelReadable]
	}
	return label + "_" + hash16(namespace+"/"+name)
}
