package k8s

import (
	"strings"

	"github.com/leastpriv/pare/synth"
)

// discoveryRoles are the ClusterRoles Bootstrap binds to every
// authenticated user.
var discoveryRoles = []string{"system:discovery", "system:basic-user", "system:public-info-viewer"}

// WithoutDiscovery drops the entitlements that only the discovery roles
// grant (discovery, version, health, self-reviews): every authenticated
// user holds them, they are part of no principal's own RBAC, so a report
// leaves them out. An entitlement's origins name its role as
// "-> ClusterRole/NAME " (Bootstrap, and the manifest and cluster readers,
// write them so); one with any other origin stays. ents is reused.
func WithoutDiscovery(ents []synth.Entitlement) []synth.Entitlement {
	out := ents[:0]
	for _, e := range ents {
		if !onlyDiscovery(e.Origins) {
			out = append(out, e)
		}
	}
	return out
}

func onlyDiscovery(origins []string) bool {
	for _, o := range origins {
		discovery := false
		for _, r := range discoveryRoles {
			discovery = discovery || strings.Contains(o+" ", "-> ClusterRole/"+r+" ")
		}
		if !discovery {
			return false
		}
	}
	return len(origins) > 0
}
