package azure

import (
	"github.com/leastpriv/pare/synth"
)

// Allows reports whether role r, assigned at each of its assignable scopes,
// allows operation at scope, following Azure RBAC's rules for one role:
//
//   - some Actions pattern matches the operation and no NotActions pattern
//     does. Patterns match case-insensitively; '*' matches any run of
//     characters, '/' included, and is the only wildcard;
//   - scope is one of the AssignableScopes or lies under one: a resource id
//     is under its resource group, its subscription and the root "/".
//     Segments compare case-insensitively. A string that is not an Azure id
//     is only at the scope that is exactly the same string;
//   - writing a resource group (Microsoft.Resources/subscriptions/
//     resourceGroups/write) needs a scope above the group: a role assigned
//     at the group cannot create it, and is deleted with it.
//
// DataActions are not evaluated (pare grants none), nor are deny
// assignments, conditions, or the management group hierarchy (a
// subscription is never taken to be under a management group).
//
// Allows compiles r for one question; to ask many, Compile once.
func Allows(r Role, operation, scope string) bool {
	return Compile(r).Allows(operation, scope)
}

// Verify returns the accesses of r.Principal, in input order, that r does
// not allow (the access's Resource is the scope). A sound role gives none.
func Verify(r Role, accesses []synth.Access) []synth.Access {
	e := Compile(r)
	var missing []synth.Access
	for _, a := range accesses {
		if a.Principal != r.Principal {
			continue
		}
		if !e.Allows(a.Action, a.Resource) {
			missing = append(missing, a)
		}
	}
	return missing
}

// An Evaluator is a role compiled for repeated questions. It is not
// modified after Compile, so it is safe for concurrent use.
type Evaluator struct {
	actions    map[string]bool // fold keys of literal actions
	patterns   [][]rune        // folded patterns with '*'
	notActions [][]rune        // folded NotActions patterns
	scopes     []resourceID
}

// Compile compiles r for repeated questions to Allows (see the
// package-level Allows for the rules).
func Compile(r Role) *Evaluator {
	e := &Evaluator{actions: make(map[string]bool)}
	for _, a := range r.Actions {
		if containsStar(a) {
			e.patterns = append(e.patterns, foldRunes(a))
		} else {
			e.actions[foldKey(a)] = true
		}
	}
	for _, a := range r.NotActions {
		e.notActions = append(e.notActions, foldRunes(a))
	}
	for _, s := range r.AssignableScopes {
		e.scopes = append(e.scopes, parseID(s))
	}
	return e
}

// Allows reports whether the compiled role allows operation at scope.
func (e *Evaluator) Allows(operation, scope string) bool {
	op := foldRunes(operation)
	if !e.actions[foldKey(operation)] {
		found := false
		for _, p := range e.patterns {
			if glob(p, op) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	for _, p := range e.notActions {
		if glob(p, op) {
			return false
		}
	}
	id := parseID(scope)
	above := needsParent(operation, id)
	for _, s := range e.scopes {
		if covers(s, id) && !(above && covers(id, s)) {
			return true
		}
	}
	return false
}

func containsStar(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' {
			return true
		}
	}
	return false
}

// glob matches folded characters s against a folded pattern in which '*'
// matches any run.
func glob(pattern, s []rune) bool {
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			starP, starI = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case starP >= 0:
			starI++
			p, i = starP+1, starI
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
