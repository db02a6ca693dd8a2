package k8s

import (
	"slices"
	"testing"

	"github.com/leastpriv/pare/synth"
)

func TestWithoutDiscovery(t *testing.T) {
	ents := Entitlements(nil, []string{"alice"})
	if len(ents) == 0 {
		t.Fatal("the bootstrap roles give alice no entitlement")
	}
	if got := WithoutDiscovery(ents); len(got) != 0 {
		t.Errorf("discovery entitlements left: %v", got)
	}
	own := synth.Entitlement{Action: "get pods", Origins: []string{"RoleBinding/app -> Role/reader (rbac.yaml:3)"}}
	both := synth.Entitlement{Action: "get /healthz", Origins: []string{
		"ClusterRoleBinding/system:discovery -> ClusterRole/system:discovery (k8s://prod)",
		"ClusterRoleBinding/ops -> ClusterRole/system:discovery-extra (k8s://prod)"}}
	cluster := synth.Entitlement{Action: "get /version", Origins: []string{"ClusterRoleBinding/system:public-info-viewer -> ClusterRole/system:public-info-viewer (k8s://prod)"}}
	got := WithoutDiscovery([]synth.Entitlement{own, both, cluster})
	if !slices.EqualFunc(got, []synth.Entitlement{own, both}, func(a, b synth.Entitlement) bool { return a.Action == b.Action }) {
		t.Errorf("kept %v, want get pods and get /healthz (also granted by another role)", got)
	}
}
