package synth

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Access is one thing a principal did, aggregated over the observation
// window: the principal used Action on Resource Count times between First and
// Last. It is what usage queries return and what synthesizers consume.
type Access struct {
	Provider      string // "aws"
	Principal     string // canonical id: role ARN, user ARN, ...
	PrincipalKind string // role, user, root, federated, ...
	Action        string // canonical provider action, e.g. "s3:GetObject"
	Resource      string // the resource named by the log; "" when none was recorded

	Count   int64     // distinct events
	First   time.Time // first seen
	Last    time.Time // last seen
	Regions []string  // sorted, distinct
	Samples []string  // a few event ids, sorted
	Via     []string  // services that made the call with the principal's permissions, sorted

	// Inferred marks a permission no event names directly but an event
	// implies (iam:PassRole from a role ARN in request parameters).
	Inferred bool
	// Denied marks attempts the provider refused (AccessDenied).
	Denied bool
}

// Window is the time range an analysis covers. Zero times mean unbounded.
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Contains reports whether t lies inside the window, bounds included.
func (w Window) Contains(t time.Time) bool {
	if !w.From.IsZero() && t.Before(w.From) {
		return false
	}
	if !w.To.IsZero() && t.After(w.To) {
		return false
	}
	return true
}

// CompareAccess orders accesses by every field, action and resource first,
// so that sorting gives the same order however the input was ordered.
func CompareAccess(a, b Access) int {
	if c := strings.Compare(a.Action, b.Action); c != 0 {
		return c
	}
	if c := strings.Compare(a.Resource, b.Resource); c != 0 {
		return c
	}
	return cmp.Or(
		strings.Compare(a.Provider, b.Provider),
		strings.Compare(a.Principal, b.Principal),
		compareBool(a.Denied, b.Denied),
		compareBool(a.Inferred, b.Inferred),
		strings.Compare(a.PrincipalKind, b.PrincipalKind),
		a.First.Compare(b.First),
		a.Last.Compare(b.Last),
		cmp.Compare(a.Count, b.Count),
		slices.Compare(a.Regions, b.Regions),
		slices.Compare(a.Samples, b.Samples),
		slices.Compare(a.Via, b.Via),
	)
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// KindOf is the principal kind the accesses agree on: the smallest
// non-empty PrincipalKind, so the choice does not depend on input order;
// "" when none has one.
func KindOf(accesses []Access) string {
	kind := ""
	for _, a := range accesses {
		if a.PrincipalKind != "" && (kind == "" || a.PrincipalKind < kind) {
			kind = a.PrincipalKind
		}
	}
	return kind
}
