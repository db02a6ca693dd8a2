package remediate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/aws"
)

// AWSInput is what PlanAWS compares.
type AWSInput struct {
	// Existing are the documents of the principal's file as it stands (one
	// per aws_iam_policy resource or -partN file); nil for a new file.
	Existing []AWSDocument
	// New is the policy synthesized from the window.
	New aws.Policy
	// Used is the usage in the window; accesses of other principals are
	// ignored.
	Used []synth.Access
	// Risks gives an action's risk categories (AWSRisks of the catalog);
	// nil for none.
	Risks func(action string) []string
}

// carried is a statement of the existing file that goes into the new
// content unchanged.
type carried struct {
	stmt    aws.Statement
	from    AWSStatement
	where   string // "iam/app.json statement 2 (line 7)"
	renamed bool   // kept by the caller's Keep, Sid given SidMarker
}

// MergeKeptAWS returns the documents to write for p: p's documents, then the
// existing statements to carry over, in file order, packed into the last
// document while it stays within aws.ManagedPolicyLimit and into further
// documents after it. Carried over are the statements marked Keep or with a
// Sid holding the marker (see the package doc) and every Deny statement. A
// Sid that another statement of the result already has gets a number
// appended, as IAM wants Sids distinct within a policy. It returns nil when
// nothing is left to write: the caller removes the file.
//
// A statement to carry over that holds NotAction, NotResource or other keys
// (Condition, Principal) is an error, and so is one with "${" in a resource
// under a policy Version other than aws.Version, where it would change
// meaning: pare's documents cannot carry them unchanged.
func MergeKeptAWS(p aws.Policy, existing []AWSDocument) ([]aws.Document, error) {
	keep, err := carryAWS(p, existing)
	if err != nil {
		return nil, err
	}
	docs := make([]aws.Document, len(p.Documents))
	for i, d := range p.Documents {
		docs[i] = aws.Document{Version: d.Version, Statement: slices.Clone(d.Statement)}
	}
	for _, c := range keep {
		if len(docs) == 0 {
			docs = append(docs, aws.Document{Version: aws.Version})
		}
		last := &docs[len(docs)-1]
		grown := aws.Document{Version: last.Version, Statement: append(slices.Clone(last.Statement), c.stmt)}
		if len(last.Statement) == 0 || aws.Size(grown) <= aws.ManagedPolicyLimit {
			*last = grown
			continue
		}
		docs = append(docs, aws.Document{Version: aws.Version, Statement: []aws.Statement{c.stmt}})
	}
	if len(docs) == 0 {
		return nil, nil
	}
	return docs, nil
}

// carryAWS picks the statements to carry over, checks pare can write them
// unchanged, and gives them distinct Sids.
func carryAWS(p aws.Policy, existing []AWSDocument) ([]carried, error) {
	sids := make(map[string]bool)
	for _, d := range p.Documents {
		for _, st := range d.Statement {
			sids[st.Sid] = true
		}
	}
	var out []carried
	for _, doc := range existing {
		for i, st := range doc.Statements {
			byMarker := st.Keep || sidHasMarker(st.Sid)
			if !byMarker && st.Effect != "Deny" {
				continue
			}
			where := fmt.Sprintf("%s statement %d", doc.Name, i+1)
			if st.Line > 0 {
				where += fmt.Sprintf(" (line %d)", st.Line)
			}
			why := "is marked " + Marker
			if !byMarker {
				why = "is a Deny, which pare always keeps,"
			}
			if extra := unmodeled(st); len(extra) > 0 {
				return nil, fmt.Errorf("%s %s but holds %s, which pare's policy documents cannot carry unchanged: move the statement to a policy pare does not manage", where, why, strings.Join(extra, ", "))
			}
			if doc.Version != aws.Version && slices.ContainsFunc(st.Resource, func(r string) bool { return strings.Contains(r, "${") }) {
				return nil, fmt.Errorf("%s %s but has \"${\" in a resource under policy Version %q, where it is literal; pare writes Version %s, where it starts a policy variable: move the statement to a policy pare does not manage", where, why, doc.Version, aws.Version)
			}
			c := carried{
				stmt:  aws.Statement{Sid: st.Sid, Effect: st.Effect, Action: slices.Clone(st.Action), Resource: slices.Clone(st.Resource)},
				from:  st,
				where: where,
			}
			if byMarker && !sidHasMarker(st.Sid) && st.Effect == "Allow" {
				c.stmt.Sid = SidMarker + alphanumeric(st.Sid)
				c.renamed = true
			}
			c.stmt.Sid = distinctSid(c.stmt.Sid, sids)
			out = append(out, c)
		}
	}
	return out, nil
}

// unmodeled lists what st holds beyond Sid, Effect, Action and Resource.
func unmodeled(st AWSStatement) []string {
	var out []string
	if st.NotAction != nil {
		out = append(out, "NotAction")
	}
	if st.NotResource != nil {
		out = append(out, "NotResource")
	}
	return append(out, st.Other...)
}

// distinctSid returns sid, or sid with a number appended, whichever is not
// in used yet, and adds it. An empty Sid stays empty.
func distinctSid(sid string, used map[string]bool) string {
	if sid == "" {
		return ""
	}
	candidate := sid
	for n := 2; used[candidate]; n++ {
		candidate = fmt.Sprintf("%s%d", sid, n)
	}
	used[candidate] = true
	return candidate
}

func alphanumeric(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// PlanAWS compares the existing documents with the new policy and its
// carried-over statements (MergeKeptAWS). Conditions of existing
// statements are ignored when deciding what they allowed: a statement with
// a Condition is read as allowing what its Action and Resource name, and a
// Note says pare's replacement has no condition.
func PlanAWS(in AWSInput) (Plan, error) {
	p := Plan{Principal: in.New.Principal, Provider: "aws", NewFile: len(in.Existing) == 0}
	risks := in.Risks
	if risks == nil {
		risks = noRisks
	}
	keep, err := carryAWS(in.New, in.Existing)
	if err != nil {
		return Plan{}, err
	}
	final, err := MergeKeptAWS(in.New, in.Existing)
	if err != nil {
		return Plan{}, err
	}
	used := ofProvider(in.Used, p.Principal, "aws")
	finalPolicy := aws.Policy{Principal: p.Principal, Documents: final}

	// The existing file's permissions, and whether the final content still
	// allows each.
	type versioned struct {
		pr      awsPair
		version string
	}
	var old []aws.Document // what the existing file allowed, conditions aside
	var olds []versioned
	for _, doc := range in.Existing {
		modeled := aws.Document{Version: doc.Version}
		for i, st := range doc.Statements {
			if st.Action != nil && st.Resource != nil {
				modeled.Statement = append(modeled.Statement, aws.Statement{Effect: st.Effect, Action: st.Action, Resource: st.Resource})
			}
			if st.Effect != "Allow" || st.Keep || sidHasMarker(st.Sid) {
				continue
			}
			if len(st.Other) > 0 {
				p.Notes = append(p.Notes, fmt.Sprintf("%s statement %d%s has %s, which pare does not write: what the new policy grants, it grants without it",
					doc.Name, i+1, lineNote(st.Line), strings.Join(st.Other, ", ")))
			}
			for _, pr := range statementPairs(st) {
				olds = append(olds, versioned{pr, doc.Version})
			}
		}
		old = append(old, modeled)
	}
	probes := make([]pairKey, len(olds))
	for i, o := range olds {
		probes[i] = pairKey{o.pr.action, literalResource(o.pr.resource, o.version)}
	}
	stillAllowed := allowedBy(final, probes)
	usage := indexUsage(used)
	var removed entrySet
	for i, o := range olds {
		if o.pr.plain() && stillAllowed[i] {
			continue
		}
		count, last, _ := evidence(usage.forPair(o.pr), o.pr.coverage(o.version))
		removed.add(Entry{Action: o.pr.action, Resource: o.pr.resource, Count: count, Last: last, Risks: risks(o.pr.action)})
	}
	p.Removed, p.Risky = riskyFirst(removed.sorted())

	var news []versioned
	for _, doc := range in.New.Documents {
		for _, st := range doc.Statement {
			for _, action := range st.Action {
				for _, resource := range st.Resource {
					news = append(news, versioned{awsPair{action: action, resource: resource}, doc.Version})
				}
			}
		}
	}
	probes = make([]pairKey, len(news))
	for i, n := range news {
		probes[i] = pairKey{n.pr.action, literalResource(n.pr.resource, n.version)}
	}
	allowedBefore := allowedBy(old, probes)
	inferred := make(map[string]bool)
	for _, a := range in.New.Inferred {
		inferred[strings.ToLower(a)] = true
	}
	var kept, added, inf entrySet
	for i, n := range news {
		count, last, _ := evidence(usage.forPair(n.pr), n.pr.coverage(n.version))
		e := Entry{Action: n.pr.action, Resource: n.pr.resource, Count: count, Last: last, Risks: risks(n.pr.action)}
		switch {
		case inferred[strings.ToLower(n.pr.action)]:
			inf.add(e)
		case allowedBefore[i]:
			kept.add(e)
		default:
			added.add(e)
		}
	}
	p.Kept, p.Added, p.Inferred = kept.sorted(), added.sorted(), inf.sorted()

	for _, c := range keep {
		what := Marker
		if c.stmt.Effect == "Deny" && !c.from.Keep && !sidHasMarker(c.from.Sid) {
			what = "a Deny, always kept"
		}
		p.KeptByOptOut = append(p.KeptByOptOut, fmt.Sprintf("%s, Sid %q (%s): %s %s on %s",
			c.where, c.stmt.Sid, what, c.stmt.Effect, strings.Join(c.stmt.Action, ", "), strings.Join(c.stmt.Resource, ", ")))
		if c.renamed {
			p.Notes = append(p.Notes, fmt.Sprintf("%s is kept by a %s comment, which does not survive rendering: its Sid becomes %q so the opt-out does", c.where, Marker, c.stmt.Sid))
		}
	}
	if len(final) == 0 && !p.NewFile {
		p.Notes = append(p.Notes, "nothing is left to grant: no usage in the window and nothing kept, so the file is removed")
	}
	for i, d := range final {
		if n := aws.Size(d); n > aws.ManagedPolicyLimit {
			p.Notes = append(p.Notes, fmt.Sprintf("document %d is %d characters, more than IAM's managed policy limit of %d", i+1, n, aws.ManagedPolicyLimit))
		}
	}
	p.missing = func(used []synth.Access) []synth.Access { return aws.Verify(finalPolicy, used) }
	return p, nil
}

func lineNote(line int) string {
	if line <= 0 {
		return ""
	}
	return fmt.Sprintf(" (line %d)", line)
}

// awsPair is one action and one resource of a statement; for a statement
// with NotAction or NotResource, the lists it excludes instead.
type awsPair struct {
	action, resource       string
	notAction, notResource []string
}

func (pr awsPair) plain() bool { return pr.notAction == nil && pr.notResource == nil }

// statementPairs lists the permissions of st: every action with every
// resource. A NotAction or NotResource list stands as one entry written
// "(every action but a, b)" or "(every resource but x)".
func statementPairs(st AWSStatement) []awsPair {
	actions, notAction := st.Action, []string(nil)
	if st.Action == nil {
		actions, notAction = []string{"(every action but " + strings.Join(st.NotAction, ", ") + ")"}, st.NotAction
	}
	resources, notResource := st.Resource, []string(nil)
	if st.Resource == nil {
		resources, notResource = []string{"(every resource but " + strings.Join(st.NotResource, ", ") + ")"}, st.NotResource
	}
	var out []awsPair
	for _, a := range actions {
		for _, r := range resources {
			out = append(out, awsPair{action: a, resource: r, notAction: notAction, notResource: notResource})
		}
	}
	return out
}

// coverage returns whether the pair, in a document of version, allows an
// access, with the pair's patterns compiled once for all the accesses asked
// about.
func (pr awsPair) coverage(version string) func(a synth.Access) bool {
	// The common case without evaluating: one action, a literal resource.
	literalAction := pr.plain() && !strings.ContainsAny(pr.action, "*?")
	if literalAction && (pr.resource == "*" || !strings.ContainsAny(pr.resource, "*?$")) {
		return func(a synth.Access) bool {
			return strings.EqualFold(pr.action, a.Action) && (pr.resource == "*" || pr.resource == a.Resource)
		}
	}
	actions, resources := []string{pr.action}, []string{pr.resource}
	if pr.notAction != nil {
		actions = pr.notAction
	}
	if pr.notResource != nil {
		resources = pr.notResource
	}
	// One evaluator for the action part, one for the resource part: a
	// NotAction or NotResource list allows what its part does not.
	byAction := aws.Compile([]aws.Document{{Version: version, Statement: []aws.Statement{{Effect: "Allow", Action: actions, Resource: []string{"*"}}}}})
	byResource := aws.Compile([]aws.Document{{Version: version, Statement: []aws.Statement{{Effect: "Allow", Action: []string{"*"}, Resource: resources}}}})
	return func(a synth.Access) bool {
		if literalAction && !strings.EqualFold(pr.action, a.Action) {
			return false
		}
		return byAction.Allows(a.Action, a.Resource) == (pr.notAction == nil) &&
			byResource.Allows(a.Action, a.Resource) == (pr.notResource == nil)
	}
}

// literalResource is the resource string a pattern names when read as a
// name: IAM's escapes "${*}", "${?}" and "${$}" (under aws.Version)
// become the characters, so asking whether another document allows it
// asks whether that document allows what the pattern grants.
func literalResource(pattern, version string) string {
	if version != aws.Version || !strings.Contains(pattern, "${") {
		return pattern
	}
	return strings.NewReplacer("${*}", "*", "${?}", "?", "${$}", "$").Replace(pattern)
}

// allowedBy reports for each probe (an action and a resource read as a
// name) whether docs allow it, compiling docs once for all of them.
func allowedBy(docs []aws.Document, probes []pairKey) []bool {
	e := aws.Compile(docs)
	out := make([]bool, len(probes))
	for i, k := range probes {
		out[i] = e.Allows(k.action, k.resource)
	}
	return out
}

// usageIndex is the usage indexed by action, ignoring case.
type usageIndex struct {
	all      []synth.Access
	byAction map[string][]synth.Access
}

func indexUsage(used []synth.Access) usageIndex {
	return usageIndex{all: used, byAction: groupBy(used, func(a synth.Access) string { return strings.ToLower(a.Action) })}
}

// forPair is the usage the pair may cover: the accesses of its action, or
// all of them for a pattern or NotAction.
func (u usageIndex) forPair(pr awsPair) []synth.Access {
	if pr.notAction != nil || strings.ContainsAny(pr.action, "*?") {
		return u.all
	}
	return u.byAction[strings.ToLower(pr.action)]
}
