package remediate

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/k8s"
	"github.com/leastpriv/pare/synth/report"
)

const k8sPrincipal = "system:serviceaccount:shop:cart"

func k8sUsage() []synth.Access {
	return []synth.Access{
		access("k8s", "list pods", "shop/", 40, day2),
		access("k8s", "get configmaps", "shop/cart-config", 12, day1),
	}
}

func newK8sPolicy(t *testing.T) k8s.Policy {
	t.Helper()
	ps := k8s.Synthesize(k8sUsage(), nil, k8s.Options{})
	if len(ps) != 1 {
		t.Fatalf("Synthesize gave %d policies", len(ps))
	}
	return ps[0]
}

// oldK8sObjects is the file as it stands: pare's Role and RoleBinding of
// an earlier run, which also granted get on secrets.
func oldK8sObjects() []K8sObject {
	name := k8s.RoleName(k8sPrincipal)
	return []K8sObject{
		{Kind: "Role", Line: 2, Role: k8s.Role{Namespace: "shop", Name: name, Rules: []k8s.Rule{
			{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}},
			{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"secrets"}},
		}}},
		{Kind: "RoleBinding", Line: 20, Bindings: []k8s.Binding{{
			Namespace: "shop", Name: name, RoleKind: "Role", RoleName: name, Subject: k8s.SubjectOf(k8sPrincipal),
		}}},
	}
}

// keptRole is a Role annotated pare.dev/keep with its binding, also kept.
func keptRole() []K8sObject {
	return []K8sObject{
		{Kind: "Role", Keep: true, Line: 40, Source: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: cart-debug\n  namespace: shop\n  annotations:\n    pare.dev/keep: \"true\"\nrules: []\n",
			Role: k8s.Role{Namespace: "shop", Name: "cart-debug", Rules: []k8s.Rule{{Verbs: []string{"create"}, APIGroups: []string{""}, Resources: []string{"pods/exec"}}}}},
		{Kind: "RoleBinding", Keep: true, Line: 60, Source: "---\nkind: RoleBinding\nmetadata:\n  name: cart-debug\n",
			Bindings: []k8s.Binding{{Namespace: "shop", Name: "cart-debug", RoleKind: "Role", RoleName: "cart-debug", Subject: k8s.SubjectOf(k8sPrincipal)}}},
	}
}

func TestPlanK8s(t *testing.T) {
	p, err := PlanK8s(K8sInput{Existing: oldK8sObjects(), New: newK8sPolicy(t), Used: k8sUsage()})
	if err != nil {
		t.Fatal(err)
	}
	if got := pairs(p.Removed); !slices.Equal(got, []string{"get secrets on shop/"}) {
		t.Errorf("Removed = %q", got)
	}
	if len(p.Risky) != 1 || !slices.Contains(p.Risky[0].Risks, report.RiskCredentialsExposure) {
		t.Errorf("Risky = %+v", p.Risky)
	}
	if got := pairs(p.Kept); !slices.Equal(got, []string{"list pods on shop/"}) || p.Kept[0].Count != 40 {
		t.Errorf("Kept = %+v", p.Kept)
	}
	if got := pairs(p.Added); !slices.Equal(got, []string{"get configmaps on shop/cart-config"}) || p.Added[0].Count != 12 {
		t.Errorf("Added = %+v", p.Added)
	}
	if err := Check(p, k8sUsage(), window90, 30*24*time.Hour); err != nil {
		t.Errorf("Check: %v", err)
	}

	// get secrets was used after all: the new policy must not drop it.
	used := append(k8sUsage(), access("k8s", "get secrets", "shop/db-password", 2, day2))
	p, err = PlanK8s(K8sInput{Existing: oldK8sObjects(), New: newK8sPolicy(t), Used: used})
	if err != nil {
		t.Fatal(err)
	}
	var unsafe *UnsafeError
	if err := Check(p, used, window90, 30*24*time.Hour); !errors.As(err, &unsafe) || unsafe.Missing[0].Action != "get secrets" || !strings.Contains(unsafe.Hint(), "pare.dev/keep") {
		t.Errorf("Check = %v, want get secrets refused", err)
	}
	if got := pairs(p.Removed); !slices.Equal(got, []string{"get secrets on shop/"}) || p.Removed[0].Count != 2 {
		t.Errorf("Removed = %+v, want get secrets with its usage", p.Removed)
	}
	// Granted elsewhere (not by the managed file), it may go.
	granted := []k8s.Grant{{Subject: k8s.SubjectOf(k8sPrincipal), Namespace: "shop",
		Rule: k8s.Rule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"secrets"}}}}
	p, err = PlanK8s(K8sInput{Existing: oldK8sObjects(), New: newK8sPolicy(t), Used: used, Granted: granted})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(p, used, window90, 30*24*time.Hour); err != nil {
		t.Errorf("Check with get secrets granted elsewhere: %v", err)
	}
}

func TestMergeKeptK8s(t *testing.T) {
	existing := append(oldK8sObjects(), keptRole()...)
	newPolicy := newK8sPolicy(t)
	m, err := MergeKeptK8s(newPolicy, existing)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Policy.Roles) != len(newPolicy.Roles) || len(m.Verbatim) != 2 || len(m.Final.Roles) != len(newPolicy.Roles)+1 || len(m.Final.Bindings) != len(newPolicy.Bindings)+1 {
		t.Errorf("merged: %d roles to render, %d verbatim, final %d roles %d bindings", len(m.Policy.Roles), len(m.Verbatim), len(m.Final.Roles), len(m.Final.Bindings))
	}
	file := string(m.YAML([]byte("---\nkind: Role\n")))
	want := "---\nkind: Role\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: cart-debug\n  namespace: shop\n  annotations:\n    pare.dev/keep: \"true\"\nrules: []\n---\nkind: RoleBinding\nmetadata:\n  name: cart-debug\n"
	if file != want {
		t.Errorf("YAML =\n%s\nwant\n%s", file, want)
	}
	if got := string(m.Terraform([]byte("resource \"a\" \"b\" {}\n"))); !strings.HasPrefix(got, "resource \"a\" \"b\" {}\n\napiVersion") {
		t.Errorf("Terraform = %q", got)
	}

	// The kept exec permission was used: Check passes because the kept
	// Role is in the final content.
	used := append(k8sUsage(), access("k8s", "create pods/exec", "shop/web-1", 1, day2))
	p, err := PlanK8s(K8sInput{Existing: existing, New: newPolicy, Used: used})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(p, used, window90, 0); err != nil {
		t.Errorf("Check: %v", err)
	}
	if len(p.KeptByOptOut) != 2 || !strings.HasPrefix(p.KeptByOptOut[0], "Role shop/cart-debug (line 40)") {
		t.Errorf("KeptByOptOut = %q", p.KeptByOptOut)
	}

	// A kept Role with pare's own name replaces pare's Role.
	own := oldK8sObjects()[0]
	own.Keep, own.Source = true, "kind: Role\n"
	m, err = MergeKeptK8s(newPolicy, []K8sObject{own})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Policy.Roles) != len(newPolicy.Roles)-1 || len(m.Policy.Bindings) != len(newPolicy.Bindings) {
		t.Errorf("pare's own Role kept: render %d roles, %d bindings", len(m.Policy.Roles), len(m.Policy.Bindings))
	}
	p, err = PlanK8s(K8sInput{Existing: []K8sObject{own, oldK8sObjects()[1]}, New: newPolicy, Used: k8sUsage()})
	if err != nil {
		t.Fatal(err)
	}
	// The kept Role lacks get configmaps, which was used: refused.
	if err := Check(p, k8sUsage(), window90, 0); err == nil || !strings.Contains(err.Error(), "get configmaps") {
		t.Errorf("Check = %v, want get configmaps refused", err)
	}

	for _, bad := range []K8sObject{
		{Kind: "Role", Keep: true, Role: k8s.Role{Namespace: "shop", Name: "x"}},
		{Kind: "Pod"},
		{Kind: "ClusterRole", Role: k8s.Role{Namespace: "shop", Name: "x"}},
		{Kind: "RoleBinding"},
	} {
		if _, err := MergeKeptK8s(newPolicy, []K8sObject{bad}); err == nil {
			t.Errorf("MergeKeptK8s accepted %+v", bad)
		}
	}
}
