package aws

import (
	"strings"
	"unicode/utf8"

	"github.com/leastpriv/pare/synth"
)

// Allows reports whether doc allows action on resource, following IAM's
// rules for identity policies without conditions:
//
//   - an explicit Deny wins over any Allow; with no matching statement the
//     answer is no (implicit deny);
//   - Effect must be exactly "Allow" or "Deny"; other statements are ignored;
//   - actions match case-insensitively, with '*' matching any run of
//     characters and '?' exactly one;
//   - resources match case-sensitively with the same wildcards. A lone "*"
//     matches everything. A pattern that is an ARN (six ':'-separated
//     components starting with "arn") is matched component by component
//     against an ARN, so '*' in the region never spans a ':'; otherwise the
//     whole string is matched;
//   - with Version "2012-10-17", "${*}", "${?}" and "${$}" in a resource are
//     the literal characters '*', '?' and '$'; any other policy variable
//     ("${aws:username}") cannot be resolved without a request context and
//     the pattern matches nothing. With another Version, "${" is literal.
//
// Not supported: NotAction, NotResource, Principal and Condition (Statement
// has no fields for them), and other policy types (SCPs, boundaries, session
// and resource policies). Matching ARNs by component is at most as permissive
// as IAM, so Allows may answer no where IAM says yes, never the reverse, for
// the Allow statements pare writes.
func Allows(doc Document, action, resource string) bool {
	allowed := false
	for _, st := range doc.Statement {
		if st.Effect != "Allow" && st.Effect != "Deny" {
			continue
		}
		if !statementMatches(st, doc.Version, action, resource) {
			continue
		}
		if st.Effect == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}

// AllowsAny reports whether the documents together allow action on
// resource: some document allows it and none denies it, as IAM combines the
// identity policies attached to one principal.
func AllowsAny(docs []Document, action, resource string) bool {
	allowed := false
	for _, doc := range docs {
		for _, st := range doc.Statement {
			if st.Effect == "Deny" && statementMatches(st, doc.Version, action, resource) {
				return false
			}
		}
		if Allows(doc, action, resource) {
			allowed = true
		}
	}
	return allowed
}

// Verify returns the accesses of p.Principal, in input order, that p's
// documents do not allow. A sound policy gives none.
func Verify(p Policy, accesses []synth.Access) []synth.Access {
	var missing []synth.Access
	for _, a := range accesses {
		if a.Principal != p.Principal {
			continue
		}
		if !AllowsAny(p.Documents, a.Action, a.Resource) {
			missing = append(missing, a)
		}
	}
	return missing
}

func statementMatches(st Statement, version, action, resource string) bool {
	actionOK := false
	for _, pat := range st.Action {
		if matchAction(pat, action) {
			actionOK = true
			break
		}
	}
	if !actionOK {
		return false
	}
	for _, pat := range st.Resource {
		if matchResource(pat, resource, version) {
			return true
		}
	}
	return false
}

func matchAction(pattern, action string) bool {
	toks := make([]token, 0, len(pattern))
	for _, r := range strings.ToLower(pattern) {
		toks = append(toks, plainToken(r))
	}
	return glob(toks, strings.ToLower(action))
}

func matchResource(pattern, resource, version string) bool {
	if pattern == "*" {
		return true
	}
	toks, ok := tokenize(pattern, version == Version)
	if !ok {
		return false
	}
	patSegs := splitTokens(toks)
	resSegs := strings.SplitN(resource, ":", 6)
	if len(patSegs) == 6 && isLiteral(patSegs[0], "arn") && len(resSegs) == 6 {
		for i := range patSegs {
			if !glob(patSegs[i], resSegs[i]) {
				return false
			}
		}
		return true
	}
	return glob(toks, resource)
}

// token is one element of a compiled pattern.
type token struct {
	kind byte // 'l' literal, '*' any run, '?' one character
	r    rune
}

func plainToken(r rune) token {
	switch r {
	case '*':
		return token{kind: '*'}
	case '?':
		return token{kind: '?'}
	}
	return token{kind: 'l', r: r}
}

// tokenize compiles a resource pattern. With variables, "${*}", "${?}" and
// "${$}" are literals and any other "${...}" makes the pattern unmatchable
// (ok false).
func tokenize(pattern string, variables bool) ([]token, bool) {
	var toks []token
	for i := 0; i < len(pattern); {
		if variables && strings.HasPrefix(pattern[i:], "${") {
			end := strings.IndexByte(pattern[i:], '}')
			if end < 0 {
				return nil, false
			}
			switch name := pattern[i+2 : i+end]; name {
			case "*", "?", "$":
				toks = append(toks, token{kind: 'l', r: rune(name[0])})
			default:
				return nil, false
			}
			i += end + 1
			continue
		}
		r, size := utf8.DecodeRuneInString(pattern[i:])
		toks = append(toks, plainToken(r))
		i += size
	}
	return toks, true
}

// splitTokens splits a compiled pattern at its first five literal ':'.
func splitTokens(toks []token) [][]token {
	var segs [][]token
	start := 0
	for i, t := range toks {
		if len(segs) == 5 {
			break
		}
		if t.kind == 'l' && t.r == ':' {
			segs = append(segs, toks[start:i])
			start = i + 1
		}
	}
	return append(segs, toks[start:])
}

func isLiteral(toks []token, s string) bool {
	rs := []rune(s)
	if len(toks) != len(rs) {
		return false
	}
	for i, t := range toks {
		if t.kind != 'l' || t.r != rs[i] {
			return false
		}
	}
	return true
}

// glob matches s against toks: '*' any run of characters (runes), '?'
// exactly one.
func glob(toks []token, s string) bool {
	rs := []rune(s)
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(rs) {
		switch {
		case p < len(toks) && toks[p].kind == '*':
			starP, starI = p, i
			p++
		case p < len(toks) && (toks[p].kind == '?' || toks[p].r == rs[i]):
			p++
			i++
		case starP >= 0:
			starI++
			p, i = starP+1, starI
		default:
			return false
		}
	}
	for p < len(toks) && toks[p].kind == '*' {
		p++
	}
	return p == len(toks)
}
