package k8s

import "fmt"

// Verb expansion modes (Options.VerbExpansion, --verb-expansion).
const (
	// VerbsExact grants exactly the verbs used.
	VerbsExact = "exact"
	// VerbsAudit2RBAC adds the verbs liggitt/audit2rbac adds by default, for
	// users who want its output.
	VerbsAudit2RBAC = "audit2rbac"
)

// DefaultMaxResourceNames is how many object names a rule may list before
// Synthesize drops them, used when Options.MaxResourceNames is 0. Up to five
// names are easy to review and usually the fixed objects a workload owns
// (its ConfigMap, its leader-election Lease); past five the names are most
// often generated (Pods of a ReplicaSet, Jobs of a CronJob), the list is
// harder to read than the resource type it stands for, and the role would
// break on the next name.
const DefaultMaxResourceNames = 5

// DefaultClusterWideAfter is how many namespaces the same verb on the same
// resource may be used in before Synthesize grants it cluster-wide, used
// when Options.ClusterWideAfter is 0.
const DefaultClusterWideAfter = 3

// Generalization reasons.
const (
	// ReasonClusterWide: the same verb on the same resource was used in
	// more than Options.ClusterWideAfter namespaces and is granted by the
	// ClusterRole instead of one Role per namespace.
	ReasonClusterWide = "used in many namespaces"
	// ReasonManyNames: a rule would have listed more than
	// Options.MaxResourceNames object names and lists none.
	ReasonManyNames = "too many resource names"
	// ReasonUnnamedVerb: a list, watch, create or deletecollection request
	// on a resource (not a subresource) named an object; rules for those
	// verbs never carry resourceNames.
	ReasonUnnamedVerb = "verb granted without resource names"
	// ReasonVerbExpansion: verbs added by Options.VerbExpansion.
	ReasonVerbExpansion = "verb expansion"
)

// Options are the choices Synthesize makes explicit.
type Options struct {
	// VerbExpansion is VerbsExact ("" means exact) or VerbsAudit2RBAC. An
	// unknown value is treated as exact, so a typo never widens a role.
	VerbExpansion string
	// MaxResourceNames: a rule that would list more object names than this
	// lists none, and a Generalization says so. 0 means
	// DefaultMaxResourceNames; a negative value keeps every name.
	MaxResourceNames int
	// ClusterWideAfter: the same verb on the same resource used in more
	// namespaces than this is granted cluster-wide, and a Generalization
	// names the namespaces. 0 means DefaultClusterWideAfter; a negative
	// value never grants cluster-wide for that reason.
	ClusterWideAfter int
}

// ParseVerbExpansion checks a --verb-expansion value.
func ParseVerbExpansion(s string) (string, error) {
	switch s {
	case VerbsExact, VerbsAudit2RBAC:
		return s, nil
	}
	return "", fmt.Errorf("unknown verb expansion %q (want %s or %s)", s, VerbsExact, VerbsAudit2RBAC)
}

func (o Options) maxNames() int {
	if o.MaxResourceNames == 0 {
		return DefaultMaxResourceNames
	}
	return o.MaxResourceNames
}

func (o Options) clusterWideAfter() int {
	if o.ClusterWideAfter == 0 {
		return DefaultClusterWideAfter
	}
	return o.ClusterWideAfter
}

// extraVerbs are the verbs granted with verb under mode, besides verb
// itself. For VerbsAudit2RBAC they are audit2rbac's default expansions,
// DefaultGenerateOptions().VerbExpansions in liggitt/audit2rbac
// pkg/process.go:
//
//	"watch":  {"get", "list"},
//	"list":   {"get", "watch"},
//	"update": {"get", "patch"},
//	"patch":  {"get", "update"},
//
// audit2rbac applies them to resource requests only (attributesToResourceRule
// in pkg/util.go), never to non-resource URLs; so does Synthesize.
func extraVerbs(mode, verb string) []string {
	if mode != VerbsAudit2RBAC {
		return nil
	}
	switch verb {
	case "watch":
		return []string{"get", "list"}
	case "list":
		return []string{"get", "watch"}
	case "update":
		return []string{"get", "patch"}
	case "patch":
		return []string{"get", "update"}
	}
	return nil
}

// unnamedVerb reports whether rules for verb on a resource (subresource
// "") or on one of its subresources never carry resourceNames: list, watch
// and deletecollection act on collections, and a create's object has no
// name RBAC can check before it exists. A subresource belongs to an
// existing object, so any verb on it keeps that object's name ("create
// pods/exec" on pod web).
func unnamedVerb(verb, subresource string) bool {
	if subresource != "" {
		return false
	}
	switch verb {
	case "list", "watch", "create", "deletecollection":
		return true
	}
	return false
}
