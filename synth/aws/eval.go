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
//
// Allows compiles doc for one question; to ask many, Compile once.
func Allows(doc Document, action, resource string) bool {
	return Compile([]Document{doc}).Allows(action, resource)
}

// AllowsAny reports whether the documents together allow action on
// resource: some document allows it and none denies it, as IAM combines the
// identity policies attached to one principal. Like Allows, it compiles
// for one question.
func AllowsAny(docs []Document, action, resource string) bool {
	return Compile(docs).Allows(action, resource)
}

// Verify returns the accesses of p.Principal, in input order, that p's
// documents do not allow. A sound policy gives none.
func Verify(p Policy, accesses []synth.Access) []synth.Access {
	e := Compile(p.Documents)
	var missing []synth.Access
	for _, a := range accesses {
		if a.Principal != p.Principal {
			continue
		}
		if !e.Allows(a.Action, a.Resource) {
			missing = append(missing, a)
		}
	}
	return missing
}

// An Evaluator is a set of documents compiled for repeated questions:
// literal actions and resources go into maps, only patterns are matched one
// by one. It is not modified after Compile, so it is safe for concurrent
// use.
type Evaluator struct {
	statements []compiledStatement
}

type compiledStatement struct {
	deny             bool
	allActions       bool
	actions          map[string]bool // lower case literal actions
	actionPatterns   [][]token       // lower case
	allResources     bool
	resources        map[string]bool // literal resources, escapes resolved
	resourcePatterns []resourcePattern
}

// resourcePattern is a resource pattern with a wildcard.
type resourcePattern struct {
	toks []token
	segs [][]token // the six ARN components, or nil to match the whole string
}

func newResourcePattern(toks []token) resourcePattern {
	rp := resourcePattern{toks: toks}
	if segs := splitTokens(toks); len(segs) == 6 && isLiteral(segs[0], "arn") {
		rp.segs = segs
	}
	return rp
}

// matches reports whether resource matches the pattern. resSegs is
// resource split at its first five ':' (strings.SplitN(resource, ":", 6)),
// needed only when the pattern is an ARN (segs is not nil).
func (p resourcePattern) matches(resource string, resSegs []string) bool {
	if p.segs == nil || len(resSegs) != 6 {
		return glob(p.toks, resource)
	}
	for i := range p.segs {
		if !glob(p.segs[i], resSegs[i]) {
			return false
		}
	}
	return true
}

// Compile compiles docs for repeated questions to Allows, combined as IAM
// combines the identity policies attached to one principal (see the
// package-level Allows for the rules).
func Compile(docs []Document) *Evaluator {
	e := &Evaluator{}
	for _, doc := range docs {
		variables := doc.Version == Version
		for _, st := range doc.Statement {
			if st.Effect != "Allow" && st.Effect != "Deny" {
				continue
			}
			c := compiledStatement{
				deny:      st.Effect == "Deny",
				actions:   make(map[string]bool),
				resources: make(map[string]bool),
			}
			for _, pat := range st.Action {
				pat = strings.ToLower(pat)
				switch {
				case pat == "*":
					c.allActions = true
				case strings.ContainsAny(pat, "*?"):
					c.actionPatterns = append(c.actionPatterns, plainTokens(pat))
				default:
					c.actions[pat] = true
				}
			}
			for _, pat := range st.Resource {
				if pat == "*" {
					c.allResources = true
					continue
				}
				toks, ok := tokenize(pat, variables)
				if !ok {
					continue // matches nothing
				}
				if lit, ok := literal(toks); ok {
					c.resources[lit] = true
					continue
				}
				c.resourcePatterns = append(c.resourcePatterns, newResourcePattern(toks))
			}
			e.statements = append(e.statements, c)
		}
	}
	return e
}

// Allows reports whether the compiled documents allow action on resource:
// some statement allows it and none denies it.
func (e *Evaluator) Allows(action, resource string) bool {
	action = strings.ToLower(action)
	allowed := false
	for i := range e.statements {
		c := &e.statements[i]
		if (allowed && !c.deny) || !c.matches(action, resource) {
			continue
		}
		if c.deny {
			return false
		}
		allowed = true
	}
	return allowed
}

// matches reports whether the statement covers action (lower case) on
// resource.
func (c *compiledStatement) matches(action, resource string) bool {
	if !c.allActions && !c.actions[action] {
		found := false
		for _, p := range c.actionPatterns {
			if glob(p, action) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if c.allResources || c.resources[resource] {
		return true
	}
	var resSegs []string
	for _, p := range c.resourcePatterns {
		if p.segs != nil && resSegs == nil {
			resSegs = strings.SplitN(resource, ":", 6)
		}
		if p.matches(resource, resSegs) {
			return true
		}
	}
	return false
}

func plainTokens(s string) []token {
	toks := make([]token, 0, len(s))
	for _, r := range runes(s) {
		toks = append(toks, plainToken(r))
	}
	return toks
}

// runes splits s into characters (see decodeRune).
func runes(s string) []rune {
	out := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		r, size := decodeRune(s, i)
		out = append(out, r)
		i += size
	}
	return out
}

// decodeRune returns the character at byte offset i of s and its length. A
// byte that is not valid UTF-8 becomes a negative value of its own, so it
// matches only the same byte.
func decodeRune(s string, i int) (rune, int) {
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size == 1 {
		r = -1 - rune(s[i])
	}
	return r, size
}

// literal returns the string a wildcard-free pattern stands for.
func literal(toks []token) (string, bool) {
	var b strings.Builder
	for _, t := range toks {
		if t.kind != 'l' {
			return "", false
		}
		if t.r < 0 {
			b.WriteByte(byte(-1 - t.r))
		} else {
			b.WriteRune(t.r)
		}
	}
	return b.String(), true
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
	toks := make([]token, 0, len(pattern))
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
		r, size := decodeRune(pattern, i)
		toks = append(toks, plainToken(r))
		i += size
	}
	return toks, true
}

// splitTokens splits a compiled pattern at its first five literal ':'.
func splitTokens(toks []token) [][]token {
	segs := make([][]token, 0, 6)
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
	i := 0
	for _, t := range toks {
		if i == len(s) {
			return false
		}
		r, size := decodeRune(s, i)
		if t.kind != 'l' || t.r != r {
			return false
		}
		i += size
	}
	return i == len(s)
}

// glob matches s against toks: '*' any run of characters (runes), '?'
// exactly one. It walks s by byte offset, decoding as it goes, so it does not
// allocate.
func glob(toks []token, s string) bool {
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		r, size := decodeRune(s, i)
		switch {
		case p < len(toks) && toks[p].kind == '*':
			starP, starI = p, i
			p++
		case p < len(toks) && (toks[p].kind == '?' || toks[p].r == r):
			p++
			i += size
		case starP >= 0:
			_, skip := decodeRune(s, starI)
			starI += skip
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
