package remediate

import (
	"fmt"
	"strings"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/k8s"
)

// K8sObject is one RBAC object of an existing file, decoded by the caller.
type K8sObject struct {
	// Kind is "Role", "ClusterRole", "RoleBinding" or "ClusterRoleBinding".
	Kind string
	// Role is the object of a Role (Namespace set) or ClusterRole
	// (Namespace "").
	Role k8s.Role
	// Bindings is the object of a RoleBinding or ClusterRoleBinding, one
	// Binding per subject, all with the object's namespace and name.
	Bindings []k8s.Binding
	// Keep is true when the object is annotated K8sKeepAnnotation: "true".
	Keep bool
	// Source is the object as written in the file (a YAML document or a
	// Terraform block); a kept object is written back as exactly this.
	Source string
	// Line is the object's first line in its file, 1-based; 0 when unknown.
	Line int
}

// name is the object's namespace and name.
func (o K8sObject) name() (namespace, name string) {
	if o.Kind == "Role" || o.Kind == "ClusterRole" {
		return o.Role.Namespace, o.Role.Name
	}
	if len(o.Bindings) > 0 {
		return o.Bindings[0].Namespace, o.Bindings[0].Name
	}
	return "", ""
}

func (o K8sObject) String() string {
	ns, name := o.name()
	if ns != "" {
		return fmt.Sprintf("%s %s/%s", o.Kind, ns, name)
	}
	return fmt.Sprintf("%s %s", o.Kind, name)
}

// K8sInput is what PlanK8s compares.
type K8sInput struct {
	// Existing are the RBAC objects of the principal's file as it stands;
	// nil for a new file.
	Existing []K8sObject
	// New is the policy synthesized from the window.
	New k8s.Policy
	// Used is the usage in the window; accesses of other principals are
	// ignored.
	Used []synth.Access
	// Granted is the existing RBAC outside the managed file, as given to
	// k8s.Synthesize. It must not hold the file's own objects (as read
	// back from the cluster): they are what the change replaces, and
	// counting them would let pare remove what only they grant.
	Granted []k8s.Grant
}

// K8sMerged is what MergeKeptK8s gives.
type K8sMerged struct {
	// Policy is what pare renders (emit.K8sRBACYAML, emit.K8sRBACTerraform):
	// the new policy without the objects a kept object replaces.
	Policy k8s.Policy
	// Verbatim are the kept objects' Source, in file order, to write after
	// what pare renders.
	Verbatim []string
	// Final is Policy and the kept objects together: what the written file
	// grants.
	Final k8s.Policy
}

// YAML returns the file to write: rendered (the YAML emit made of Policy)
// followed by each kept object as its own document.
func (m K8sMerged) YAML(rendered []byte) []byte {
	out := append([]byte(nil), rendered...)
	for _, src := range m.Verbatim {
		if len(out) > 0 && out[len(out)-1] != '\n' {
			out = append(out, '\n')
		}
		if !strings.HasPrefix(src, "---") {
			out = append(out, "---\n"...)
		}
		out = append(out, src...)
	}
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return out
}

// Terraform returns the file to write: rendered (the Terraform emit made of
// Policy) followed by each kept block, a blank line before each.
func (m K8sMerged) Terraform(rendered []byte) []byte {
	out := append([]byte(nil), rendered...)
	for _, src := range m.Verbatim {
		if len(out) > 0 {
			for len(out) > 0 && out[len(out)-1] == '\n' {
				out = out[:len(out)-1]
			}
			out = append(out, "\n\n"...)
		}
		out = append(out, strings.TrimRight(src, "\n")...)
		out = append(out, '\n')
	}
	return out
}
