package aws

import (
	"strings"

	"github.com/leastpriv/pare/synth"
)

// Covers reports whether entitlement e allows access a: the same action
// (case-insensitively) and a.Resource within e.Resource, matched as the
// evaluator matches a policy's Resource (Allows: wildcards, ARN components,
// the "${*}" escapes). An access with no recorded resource is covered only
// by the pattern "*": pare cannot tell which resource it touched.
func Covers(e synth.Entitlement, a synth.Access) bool {
	if !strings.EqualFold(e.Action, a.Action) {
		return false
	}
	if e.Resource == "*" {
		return true
	}
	if a.Resource == "" {
		return false
	}
	if e.Resource == a.Resource && !strings.ContainsAny(e.Resource, "*?$") {
		return true
	}
	return resourceMatches(e.Resource, a.Resource)
}

// resourceMatches reports whether the policy resource pattern, read under
// Version, matches the concrete resource, with the evaluator's rules.
func resourceMatches(pattern, resource string) bool {
	if pattern == "*" {
		return true
	}
	toks, ok := tokenize(pattern, true)
	if !ok {
		return false // a policy variable matches nothing
	}
	if lit, ok := literal(toks); ok {
		return lit == resource
	}
	p := newResourcePattern(toks)
	var resSegs []string
	if p.segs != nil {
		resSegs = strings.SplitN(resource, ":", 6)
	}
	return p.matches(resource, resSegs)
}

// hasWildcard reports whether a resource pattern is anything but one
// literal resource. "${" counts: a policy variable or escape makes the raw
// text differ from what it matches.
func hasWildcard(p string) bool {
	return strings.ContainsAny(p, "*?") || strings.Contains(p, "${")
}

// subsumes reports whether every resource pattern p matches is also matched
// by pattern d. It is exact for "*", equal patterns and literal p, and for
// d = literal prefix + "*" where the "*" lies in the ARN's resource part (or
// d is no ARN); otherwise it answers false, never a wrong true.
func subsumes(d, p string) bool {
	switch {
	case d == "*" || d == p:
		return true
	case !hasWildcard(p):
		return resourceMatches(d, p)
	}
	prefix, ok := strings.CutSuffix(d, "*")
	if !ok || hasWildcard(prefix) || !strings.HasPrefix(p, prefix) {
		return false
	}
	// In an ARN pattern a '*' before the resource part matches within one
	// component only (see Allows); in the resource part it spans ':' and '/'.
	return !strings.HasPrefix(d, "arn:") || strings.Count(prefix, ":") >= 5
}

// mayOverlap reports whether some resource could match both patterns. It
// answers true unless it can tell they are disjoint: two different literals,
// or literal starts (before the first wildcard) where neither is a prefix
// of the other.
func mayOverlap(a, b string) bool {
	if a == "*" || b == "*" || a == b {
		return true
	}
	la, lb := literalStart(a), literalStart(b)
	if la == a && lb == b {
		return false // two different literals
	}
	if la == a {
		return resourceMatches(b, a)
	}
	if lb == b {
		return resourceMatches(a, b)
	}
	return strings.HasPrefix(la, lb) || strings.HasPrefix(lb, la)
}

// literalStart is p up to its first wildcard or policy variable.
func literalStart(p string) string {
	i := strings.IndexAny(p, "*?")
	if j := strings.Index(p, "${"); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i < 0 {
		return p
	}
	return p[:i]
}
