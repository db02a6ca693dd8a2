package k8s

import "bytes"

// Skip reasons, the keys of record.Stats.Skipped.
const (
	SkipUnauthenticated = "unauthenticated (401)"
	SkipAnonymous       = "anonymous"
	SkipNode            = "node"
	SkipControlPlane    = "control plane"
	SkipMasters         = "system:masters member"
	SkipEarlierStage    = "earlier stage of a logged request"
	SkipOtherLog        = "not an audit log record"
	// A request's impersonator whose own identity is skipped: the
	// impersonate permission it used is not added.
	SkipImpersonatorPrefix = "impersonator: "
)

// saPrefix starts a service account's user name,
// system:serviceaccount:NAMESPACE:NAME.
const saPrefix = "system:serviceaccount:"

// controllerAccounts are the kube-system service accounts the controller
// manager runs its controllers as (--use-service-account-credentials)
// whose names do not end in "-controller".
var controllerAccounts = map[string]bool{
	"generic-garbage-collector":            true,
	"horizontal-pod-autoscaler":            true,
	"persistent-volume-binder":             true,
	"pod-garbage-collector":                true,
	"root-ca-cert-publisher":               true,
	"legacy-service-account-token-cleaner": true,
	"bootstrap-signer":                     true,
	"token-cleaner":                        true,
}

// skipReason returns why requests by the user name with groups are not
// used, or "" when they are. A user without a name (an impersonator whose
// event lost it) counts as anonymous.
func skipReason(name []byte, groups [][]byte, keepMasters bool) string {
	switch {
	case len(name) == 0 || string(name) == "system:anonymous" || hasGroup(groups, "system:unauthenticated"):
		return SkipAnonymous
	case bytes.HasPrefix(name, []byte("system:node:")) || hasGroup(groups, "system:nodes"):
		return SkipNode
	case controlPlane(name):
		return SkipControlPlane
	case !keepMasters && hasGroup(groups, "system:masters"):
		return SkipMasters
	}
	return ""
}

// controlPlane reports whether name is one of the control plane's own
// identities: a system: user that is not a service account or node
// (system:kube-controller-manager, system:kube-scheduler,
// system:apiserver, system:kube-proxy, ...), a kube-system controller
// service account, or an EKS-managed eks: user.
func controlPlane(name []byte) bool {
	if sa, ok := bytes.CutPrefix(name, []byte(saPrefix)); ok {
		ns, n, ok := bytes.Cut(sa, []byte(":"))
		return ok && string(ns) == "kube-system" && (bytes.HasSuffix(n, []byte("-controller")) || controllerAccounts[string(n)])
	}
	return bytes.HasPrefix(name, []byte("system:")) || bytes.HasPrefix(name, []byte("eks:"))
}

func hasGroup(groups [][]byte, g string) bool {
	for _, x := range groups {
		if string(x) == g {
			return true
		}
	}
	return false
}

// serviceAccount splits a service account's user name into its namespace
// and name; ok is false for any other user name.
func serviceAccount(name []byte) (ns, sa []byte, ok bool) {
	rest, ok := bytes.CutPrefix(name, []byte(saPrefix))
	if !ok {
		return nil, nil, false
	}
	ns, sa, ok = bytes.Cut(rest, []byte(":"))
	if !ok || len(ns) == 0 || len(sa) == 0 || bytes.IndexByte(sa, ':') >= 0 {
		return nil, nil, false
	}
	return ns, sa, true
}

// principalKind is the kind of the user name: "serviceaccount" or "user".
func principalKind(name []byte) string {
	if _, _, ok := serviceAccount(name); ok {
		return "serviceaccount"
	}
	return "user"
}

// impersonatedGroups returns the groups of impersonatedUser the
// impersonator named (and so needed `impersonate groups` for), leaving
// out those the API server adds by itself: system:authenticated when no
// group was named, and a service account's system:serviceaccounts and
// system:serviceaccounts:NAMESPACE. A named group list equal to what the
// server would add is taken as added.
func impersonatedGroups(u *userFields) [][]byte {
	ns, _, isSA := serviceAccount(u.username)
	auto := func(g []byte) bool {
		if string(g) == "system:authenticated" {
			return true
		}
		if !isSA {
			return false
		}
		if string(g) == "system:serviceaccounts" {
			return true
		}
		rest, ok := bytes.CutPrefix(g, []byte("system:serviceaccounts:"))
		return ok && bytes.Equal(rest, ns)
	}
	for _, g := range u.groups {
		if !auto(g) {
			return u.groups
		}
	}
	return nil
}
