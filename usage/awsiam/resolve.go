package awsiam

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/leastpriv/pare/synth/aws"
	"github.com/leastpriv/pare/usage/record"
)

// resolver resolves principals, parsing each managed policy once.
type resolver struct {
	d        Details
	groups   map[string]*Group         // by name
	policies map[string]*ManagedPolicy // by ARN
	parsed   map[string]*parsedPolicy  // managed policies by ARN, once looked at
	problems []record.Problem
}

// parsedPolicy is the default version of a managed policy, or why it
// cannot be used and whom that affects.
type parsedPolicy struct {
	label      string // "ARN (v3)"
	statements []statement
	err        string   // why it grants nothing; "" when usable
	attached   []string // principals it is attached to, when err is set
	bounded    []string // principals it is the boundary of, when err is set
}

// Statements resolves every user and role of d into the statements that
// apply to it (see the package documentation), sorted by principal and
// Origin. Problems name what could not be resolved; the rest is returned.
// A managed policy that cannot be used is one problem, however many
// principals it is attached to.
func Statements(d Details) ([]aws.GrantStatement, []record.Problem) {
	r := &resolver{d: d, groups: make(map[string]*Group), policies: make(map[string]*ManagedPolicy), parsed: make(map[string]*parsedPolicy)}
	for i := range d.Groups {
		r.groups[d.Groups[i].Name] = &d.Groups[i]
	}
	for i := range d.Policies {
		r.policies[d.Policies[i].ARN] = &d.Policies[i]
	}
	var out []aws.GrantStatement
	for _, u := range d.Users {
		out = r.principal(out, u.ARN, u.Inline, u.Attached, u.Boundary)
		for _, name := range sortedDistinct(u.Groups) {
			g := r.groups[name]
			if g == nil {
				r.problem("%s: group %q is not in the input: its policies are missing", u.ARN, name)
				continue
			}
			out = r.policiesOf(out, u.ARN, g.Inline, g.Attached, " via group "+g.ARN)
		}
	}
	for _, role := range d.Roles {
		out = r.principal(out, role.ARN, role.Inline, role.Attached, role.Boundary)
	}
	r.policyProblems()
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Principal != out[j].Principal {
			return out[i].Principal < out[j].Principal
		}
		return out[i].Origin < out[j].Origin
	})
	// A statement reached twice the same way (a group listed twice) once.
	n := 0
	for i := range out {
		if n > 0 && out[n-1].Principal == out[i].Principal && out[n-1].Origin == out[i].Origin {
			continue
		}
		out[n] = out[i]
		n++
	}
	return out[:n], r.problems
}

func (r *resolver) problem(format string, args ...any) {
	r.problems = append(r.problems, record.Problem{Input: r.d.Name, Index: -1, Message: fmt.Sprintf(format, args...)})
}

// policyProblems reports every managed policy that could not be used, in
// ARN order.
func (r *resolver) policyProblems() {
	arns := make([]string, 0, len(r.parsed))
	for arn, p := range r.parsed {
		if p.err != "" {
			arns = append(arns, arn)
		}
	}
	sort.Strings(arns)
	for _, arn := range arns {
		p := r.parsed[arn]
		var who []string
		if len(p.attached) > 0 {
			who = append(who, "it grants nothing to "+principals(p.attached))
		}
		if len(p.bounded) > 0 {
			who = append(who, "the grants of "+principals(p.bounded)+" are shown without this permissions boundary")
		}
		r.problem("managed policy %s: %s; %s", p.label, p.err, strings.Join(who, "; "))
	}
}

// principals names a list of principals briefly.
func principals(ps []string) string {
	ps = sortedDistinct(ps)
	if len(ps) == 1 {
		return ps[0]
	}
	return fmt.Sprintf("%d principals (%s, ...)", len(ps), ps[0])
}

// principal appends the statements of a user's or role's own policies and
// boundary.
func (r *resolver) principal(out []aws.GrantStatement, arn string, inline []InlinePolicy, attached []AttachedPolicy, boundary string) []aws.GrantStatement {
	out = r.policiesOf(out, arn, inline, attached, "")
	if boundary == "" {
		return out
	}
	p := r.managed(boundary)
	if p.err != "" {
		p.bounded = append(p.bounded, arn)
		return out
	}
	return appendStatements(out, arn, p.label, p.statements, " as permissions boundary", true)
}

// policiesOf appends the statements of inline and attached policies,
// with suffix (" via group ...") in their Origins.
func (r *resolver) policiesOf(out []aws.GrantStatement, principal string, inline []InlinePolicy, attached []AttachedPolicy, suffix string) []aws.GrantStatement {
	for _, p := range inline {
		stmts, err := parseDocument(p.Document)
		if err != nil {
			r.problem("%s: inline policy %q%s: %v: it grants nothing", principal, p.Name, suffix, err)
			continue
		}
		out = appendStatements(out, principal, "inline policy "+p.Name, stmts, suffix, false)
	}
	for _, a := range attached {
		p := r.managed(a.ARN)
		if p.err != "" {
			p.attached = append(p.attached, principal)
			continue
		}
		out = appendStatements(out, principal, p.label, p.statements, suffix, false)
	}
	return out
}

// managed returns the parsed default version of a managed policy, or why
// it cannot be used.
func (r *resolver) managed(arn string) *parsedPolicy {
	if p, ok := r.parsed[arn]; ok {
		return p
	}
	p := &parsedPolicy{label: arn}
	r.parsed[arn] = p
	mp := r.policies[arn]
	if mp == nil {
		p.err = "not in the input (get-account-authorization-details lists it unless --filter leaves out LocalManagedPolicy or AWSManagedPolicy)"
		return p
	}
	var v *PolicyVersion
	for i := range mp.Versions {
		if mp.Versions[i].Default {
			v = &mp.Versions[i]
			break
		}
		if v == nil && mp.DefaultVersion != "" && mp.Versions[i].ID == mp.DefaultVersion {
			v = &mp.Versions[i]
		}
	}
	if v == nil {
		p.err = fmt.Sprintf("no default version among its %d listed versions", len(mp.Versions))
		return p
	}
	if v.ID != "" {
		p.label = arn + " (" + v.ID + ")"
	}
	stmts, err := parseDocument(v.Document)
	if err != nil {
		p.err = err.Error()
		return p
	}
	p.statements = stmts
	return p
}

// appendStatements appends one GrantStatement per parsed statement.
func appendStatements(out []aws.GrantStatement, principal, policy string, stmts []statement, suffix string, boundary bool) []aws.GrantStatement {
	account := accountOf(principal)
	for i, st := range stmts {
		origin := policy + " " + st.label(i) + suffix
		if len(st.Conditions) > 0 {
			origin += " with condition " + strings.Join(st.Conditions, ", ")
		}
		out = append(out, aws.GrantStatement{
			Principal: principal, Account: account, Boundary: boundary, Effect: st.Effect,
			NotAction: st.NotAction, Actions: st.Actions, NotResource: st.NotResource, Resources: st.Resources,
			Conditional: len(st.Conditions) > 0, Origin: origin,
		})
	}
	return out
}

// accountOf is the account id of an IAM ARN ("" when it has none).
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// GrantRecords resolves d (Statements) and encodes the statements as rows
// of the grants table (see the package documentation), sorted.
func GrantRecords(d Details) ([]record.Grant, []record.Problem) {
	stmts, problems := Statements(d)
	return Records(stmts), problems
}

// Records encodes statements as grant rows, one per statement, sorted by
// principal and origin: Action holds the statement's action patterns and
// Resource its resource patterns, sorted, one per line (neither can hold a
// newline). One row per statement rather than per action and resource keeps
// the grants of 10,000 principals at 150,000 rows instead of 10 million,
// which the store writes and reads back in well under a second.
func Records(stmts []aws.GrantStatement) []record.Grant {
	out := make([]record.Grant, 0, len(stmts))
	for _, st := range stmts {
		out = append(out, record.Grant{Provider: "aws", Principal: st.Principal, Effect: Effect(st),
			Action: strings.Join(st.Actions, "\n"), Resource: strings.Join(st.Resources, "\n"), Scope: st.Account, Origin: st.Origin})
	}
	// Statements usually come sorted (Statements sorts them): then so are
	// the rows.
	if !slices.IsSortedFunc(out, compareRecords) {
		slices.SortStableFunc(out, compareRecords)
	}
	return out
}

func compareRecords(a, b record.Grant) int {
	if c := strings.Compare(a.Principal, b.Principal); c != 0 {
		return c
	}
	return strings.Compare(a.Origin, b.Origin)
}

// Effect is the grant row Effect of a statement: [boundary-](allow|deny)
// [-not-action][-not-resource][-conditional].
func Effect(st aws.GrantStatement) string {
	var b strings.Builder
	if st.Boundary {
		b.WriteString("boundary-")
	}
	b.WriteString(strings.ToLower(st.Effect))
	if st.NotAction {
		b.WriteString("-not-action")
	}
	if st.NotResource {
		b.WriteString("-not-resource")
	}
	if st.Conditional {
		b.WriteString("-conditional")
	}
	return b.String()
}

// parseEffect inverts Effect.
func parseEffect(s string) (aws.GrantStatement, error) {
	var st aws.GrantStatement
	rest := s
	if r, ok := strings.CutPrefix(rest, "boundary-"); ok {
		st.Boundary, rest = true, r
	}
	switch {
	case strings.HasPrefix(rest, "allow"):
		st.Effect, rest = aws.Allow, rest[len("allow"):]
	case strings.HasPrefix(rest, "deny"):
		st.Effect, rest = aws.Deny, rest[len("deny"):]
	default:
		return st, fmt.Errorf("effect %q is not an AWS grant effect", s)
	}
	if r, ok := strings.CutPrefix(rest, "-not-action"); ok {
		st.NotAction, rest = true, r
	}
	if r, ok := strings.CutPrefix(rest, "-not-resource"); ok {
		st.NotResource, rest = true, r
	}
	if r, ok := strings.CutPrefix(rest, "-conditional"); ok {
		st.Conditional, rest = true, r
	}
	if rest != "" {
		return st, fmt.Errorf("effect %q is not an AWS grant effect", s)
	}
	return st, nil
}

// StatementsFromRecords decodes rows Records wrote back into statements:
// rows of one principal and Origin are one statement, its Actions and
// Resources the distinct patterns of its rows. Rows of another provider,
// an unknown Effect, or one Origin with different Effects or Scopes are
// errors naming the row. The result is sorted by principal and Origin, as
// Statements returns it.
func StatementsFromRecords(rows []record.Grant) ([]aws.GrantStatement, error) {
	type key struct{ principal, origin string }
	index := make(map[key]int)
	var out []aws.GrantStatement
	var effects []string
	for i, row := range rows {
		if row.Provider != "aws" {
			return nil, fmt.Errorf("grant row %d: provider %q: not an AWS grant", i, row.Provider)
		}
		if row.Principal == "" || row.Action == "" || row.Resource == "" {
			return nil, fmt.Errorf("grant row %d: empty principal, action or resource", i)
		}
		k := key{row.Principal, row.Origin}
		j, ok := index[k]
		if !ok {
			st, err := parseEffect(row.Effect)
			if err != nil {
				return nil, fmt.Errorf("grant row %d: %w", i, err)
			}
			st.Principal, st.Account, st.Origin = row.Principal, row.Scope, row.Origin
			j = len(out)
			index[k] = j
			out = append(out, st)
			effects = append(effects, row.Effect)
		}
		st := &out[j]
		if row.Effect != effects[j] || row.Scope != st.Account {
			return nil, fmt.Errorf("grant row %d: %s %q: effect %q and scope %q differ from an earlier row's (%q, %q)",
				i, row.Principal, row.Origin, row.Effect, row.Scope, effects[j], st.Account)
		}
		st.Actions = append(st.Actions, strings.Split(row.Action, "\n")...)
		st.Resources = append(st.Resources, strings.Split(row.Resource, "\n")...)
	}
	for i := range out {
		out[i].Actions = sortedDistinct(out[i].Actions)
		out[i].Resources = sortedDistinct(out[i].Resources)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Principal != out[j].Principal {
			return out[i].Principal < out[j].Principal
		}
		return out[i].Origin < out[j].Origin
	})
	return out, nil
}
