package synth

import "time"

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
