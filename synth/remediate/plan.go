package remediate

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/leastpriv/pare/synth"
)

// Marker is the opt-out marker: content holding it is kept as it stands.
const Marker = "pare:keep"

// SidMarker is the opt-out marker as an IAM Sid can hold it (letters and
// digits only); Sids are matched ignoring case.
const SidMarker = "PareKeep"

// K8sKeepAnnotation is the annotation that keeps a Kubernetes RBAC object
// when its value is "true".
const K8sKeepAnnotation = "pare.dev/keep"

// Entry is one permission and its evidence in the window.
type Entry struct {
	// Action is the provider's action: an IAM action or action pattern, an
	// Azure operation, a Kubernetes request's action ("get pods").
	Action string
	// Resource is an IAM resource pattern, an Azure assignable scope, or a
	// Kubernetes "<namespace>/<name>" ("shop/", "" cluster-wide).
	Resource string
	// Count and Last are the usage in the window the permission covers:
	// distinct events and the last time seen (zero when unused).
	Count int64
	Last  time.Time
	// Risks are the action's risk categories (synth/report constants),
	// sorted; nil when none.
	Risks []string
}

// Plan is what writing the new content of one principal's file changes.
type Plan struct {
	Principal string
	Provider  string // "aws", "azure" or "k8s"
	// NewFile is true when no file existed: everything is Added.
	NewFile bool
	// Removed are the existing file's permissions the final content no
	// longer allows, risky ones first, then by action and resource.
	Removed []Entry
	// Kept are the new content's permissions the existing file allowed.
	Kept []Entry
	// Added are the new content's permissions the existing file did not
	// allow.
	Added []Entry
	// Inferred are the new content's permissions that only inferred usage
	// justifies, whether the existing file had them or not.
	Inferred []Entry
	// KeptByOptOut describes, in file order, the content carried over
	// unchanged: pare:keep statements, roles and objects, and AWS Deny
	// statements.
	KeptByOptOut []string
	// Risky are the Removed entries with risk categories.
	Risky []Entry
	// Notes are what a reviewer should know beyond the tables.
	Notes []string

	// missing returns the accesses the final content does not allow; set
	// by the Plan* functions.
	missing func(used []synth.Access) []synth.Access
}

// Changed reports whether the plan removes, adds or infers anything.
func (p Plan) Changed() bool {
	return len(p.Removed) > 0 || len(p.Added) > 0 || len(p.Inferred) > 0
}

// pairKey identifies a permission while entries are collected.
type pairKey struct{ action, resource string }

// entrySet collects distinct entries.
type entrySet struct {
	seen    map[pairKey]bool
	entries []Entry
}

func (s *entrySet) add(e Entry) {
	if s.seen == nil {
		s.seen = make(map[pairKey]bool)
	}
	k := pairKey{e.Action, e.Resource}
	if s.seen[k] {
		return
	}
	s.seen[k] = true
	s.entries = append(s.entries, e)
}

// sorted returns the entries by action, then resource.
func (s *entrySet) sorted() []Entry {
	out := slices.Clone(s.entries)
	slices.SortFunc(out, compareEntries)
	return out
}

func compareEntries(a, b Entry) int {
	return cmp.Or(cmp.Compare(a.Action, b.Action), cmp.Compare(a.Resource, b.Resource))
}

// riskyFirst sorts removed entries risky first, each part by action and
// resource, and returns the risky ones.
func riskyFirst(removed []Entry) ([]Entry, []Entry) {
	slices.SortStableFunc(removed, func(a, b Entry) int {
		ra, rb := len(a.Risks) > 0, len(b.Risks) > 0
		switch {
		case ra && !rb:
			return -1
		case !ra && rb:
			return 1
		}
		return compareEntries(a, b)
	})
	var risky []Entry
	for _, e := range removed {
		if len(e.Risks) > 0 {
			risky = append(risky, e)
		}
	}
	return removed, risky
}

// evidence adds up the usage in used (one principal's, denied attempts
// dropped: ofProvider's) that covers says a permission covers: the count,
// the last time seen, and whether every such access was inferred (false
// when there is none).
func evidence(used []synth.Access, covers func(a synth.Access) bool) (count int64, last time.Time, allInferred bool) {
	ev := synth.ActionEvidence{Inferred: true}
	n := 0
	for _, a := range used {
		if !covers(a) {
			continue
		}
		ev.Add(a)
		n++
	}
	return ev.Count, ev.Last, ev.Inferred && n > 0
}

// ofProvider keeps the accesses of principal and provider ("" matches any
// provider) that are not denied attempts: what must stay allowed.
func ofProvider(used []synth.Access, principal, provider string) []synth.Access {
	var out []synth.Access
	for _, a := range used {
		if a.Principal == principal && !a.Denied && (a.Provider == "" || a.Provider == provider) {
			out = append(out, a)
		}
	}
	return out
}

// HasMarker reports whether text (a Terraform comment, a Description)
// holds Marker, ignoring case.
func HasMarker(text string) bool {
	return strings.Contains(strings.ToLower(text), Marker)
}

// sidHasMarker reports whether an IAM Sid holds Marker or SidMarker,
// ignoring case.
func sidHasMarker(sid string) bool {
	l := strings.ToLower(sid)
	return strings.Contains(l, Marker) || strings.Contains(l, strings.ToLower(SidMarker))
}

// groupBy groups accesses by key, keeping their order.
func groupBy(used []synth.Access, key func(synth.Access) string) map[string][]synth.Access {
	out := make(map[string][]synth.Access)
	for _, a := range used {
		k := key(a)
		out[k] = append(out[k], a)
	}
	return out
}

// noRisks is the risk function when the caller gives none.
func noRisks(string) []string { return nil }
