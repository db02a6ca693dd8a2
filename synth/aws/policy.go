package aws

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/catalog"
)

// Version is the IAM policy language version pare writes. Policy variables,
// and with them the "${*}", "${?}" and "${$}" escapes, need it.
const Version = "2012-10-17"

// DefaultMaxResources is the number of distinct ARNs of one resource type one
// action may name before Synthesize replaces them with a wildcard pattern,
// used when Options.MaxResources is 0.
const DefaultMaxResources = 20

// ManagedPolicyLimit is the size limit of an IAM managed policy in characters,
// not counting whitespace.
const ManagedPolicyLimit = 6144

// Reasons a Generalization records.
const (
	// ReasonNoResource: the action takes resources but the log named none,
	// so the action is granted on "*".
	ReasonNoResource = "no resource recorded"
	// ReasonManyResources: more than Options.MaxResources distinct ARNs of
	// one resource type, replaced by a pattern.
	ReasonManyResources = "too many distinct resources"
)

// Options are the explicit generalizations Synthesize may make.
type Options struct {
	// MaxResources is how many distinct ARNs of one resource type one action
	// may name before they are replaced by a wildcard pattern built from
	// their longest common prefix. 0 means DefaultMaxResources; a negative
	// value never generalizes.
	MaxResources int
	// SizeLimit is the document size limit passed to Split. 0 means
	// ManagedPolicyLimit.
	SizeLimit int
}

// Catalog is what Synthesize needs from the AWS action catalog;
// *catalog.AWS satisfies it.
type Catalog interface {
	Action(name string) (catalog.ActionInfo, bool)
}

// Policy is the synthesized policy of one principal.
type Policy struct {
	Principal string
	Kind      string
	// Documents holds the policy; more than one when it was split to fit
	// the size limit. Empty when no action could be granted.
	Documents []Document
	// Actions are the canonical actions granted, sorted and distinct.
	Actions []string
	// Generalizations records every grant wider than what was recorded,
	// sorted by action then resource.
	Generalizations []Generalization
	// Inferred lists the granted actions no event named directly (every
	// access of them is marked Inferred, such as iam:PassRole), sorted.
	Inferred []string
	// Rejected lists actions that were not granted because the catalog does
	// not know them or their provider is not "aws", sorted and distinct.
	Rejected []string
}

// Generalization is one grant wider than the recorded usage, and why.
type Generalization struct {
	Action   string   // canonical action
	Resource string   // the resource pattern granted
	Reason   string   // ReasonNoResource or ReasonManyResources
	Recorded []string // the recorded resources the grant stands for, sorted; "" when none was named
}

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one IAM policy statement. Action and Resource are always
// written as JSON arrays, even with one element. NotAction, NotResource,
// Principal and Condition are not represented: pare never writes them, and
// decoding a document that has them drops them.
type Statement struct {
	Sid      string   `json:"Sid,omitempty"`
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
}

// Synthesize builds one policy per principal from accesses, sorted by
// principal. Every access given is treated as to be allowed: the caller
// decides which (window, denied attempts) to pass.
func Synthesize(accesses []synth.Access, cat Catalog, opts Options) []Policy {
	byPrincipal := make(map[string][]synth.Access)
	for _, a := range accesses {
		byPrincipal[a.Principal] = append(byPrincipal[a.Principal], a)
	}
	principals := slices.Sorted(maps.Keys(byPrincipal))

	policies := make([]Policy, 0, len(principals))
	for _, p := range principals {
		policies = append(policies, synthesizeOne(p, byPrincipal[p], cat, opts))
	}
	return policies
}

// actionUse is what one principal did with one action.
type actionUse struct {
	info        catalog.ActionInfo
	resources   map[string]bool // recorded resources; "" when one had none
	allInferred bool
}

func synthesizeOne(principal string, accesses []synth.Access, cat Catalog, opts Options) Policy {
	p := Policy{Principal: principal, Kind: synth.KindOf(accesses)}
	maxResources := opts.MaxResources
	if maxResources == 0 {
		maxResources = DefaultMaxResources
	}

	uses := make(map[string]*actionUse)
	rejected := make(map[string]bool)
	for _, a := range accesses {
		if a.Provider != "" && a.Provider != "aws" {
			rejected[a.Provider+":"+a.Action] = true
			continue
		}
		info, ok := cat.Action(a.Action)
		if !ok || info.Name == "" {
			rejected[a.Action] = true
			continue
		}
		u := uses[info.Name]
		if u == nil {
			u = &actionUse{info: info, resources: make(map[string]bool), allInferred: true}
			uses[info.Name] = u
		}
		u.resources[a.Resource] = true
		if !a.Inferred {
			u.allInferred = false
		}
	}
	p.Rejected = slices.Sorted(maps.Keys(rejected))

	// Resources granted per action, then actions grouped by identical
	// resource sets.
	groups := make(map[string][]string) // resource set key → actions
	sets := make(map[string][]string)   // resource set key → resources
	for _, action := range slices.Sorted(maps.Keys(uses)) {
		u := uses[action]
		p.Actions = append(p.Actions, action)
		if u.allInferred {
			p.Inferred = append(p.Inferred, action)
		}
		resources, gens := grantedResources(action, u, maxResources)
		p.Generalizations = append(p.Generalizations, gens...)
		key := strings.Join(resources, "\x00")
		groups[key] = append(groups[key], action)
		sets[key] = resources
	}
	sort.Slice(p.Generalizations, func(i, j int) bool {
		gi, gj := p.Generalizations[i], p.Generalizations[j]
		if gi.Action != gj.Action {
			return gi.Action < gj.Action
		}
		return gi.Resource < gj.Resource
	})
	if len(groups) == 0 {
		return p
	}

	doc := Document{Version: Version}
	for _, key := range slices.Sorted(maps.Keys(groups)) {
		doc.Statement = append(doc.Statement, newStatement(groups[key], sets[key]))
	}
	sort.Slice(doc.Statement, func(i, j int) bool {
		return doc.Statement[i].Action[0] < doc.Statement[j].Action[0]
	})
	limit := opts.SizeLimit
	if limit <= 0 {
		limit = ManagedPolicyLimit
	}
	p.Documents = Split(doc, limit)
	return p
}

// grantedResources returns the sorted resource patterns to grant action on
// and the generalizations made.
func grantedResources(action string, u *actionUse, maxResources int) ([]string, []Generalization) {
	if len(u.info.ResourceTypes) == 0 {
		return []string{"*"}, nil
	}
	recorded := slices.Sorted(maps.Keys(u.resources))
	if u.resources[""] {
		return []string{"*"}, []Generalization{{
			Action: action, Resource: "*", Reason: ReasonNoResource, Recorded: recorded,
		}}
	}

	byType := make(map[string][]string)
	for _, r := range recorded {
		k := typeKey(r)
		byType[k] = append(byType[k], r)
	}
	var resources []string
	var gens []Generalization
	for _, k := range slices.Sorted(maps.Keys(byType)) {
		arns := byType[k]
		if maxResources < 0 || len(arns) <= maxResources {
			for _, r := range arns {
				resources = append(resources, catalog.QuoteARN(r))
			}
			continue
		}
		pattern := commonPattern(arns)
		resources = append(resources, pattern)
		gens = append(gens, Generalization{
			Action:   action,
			Resource: pattern,
			Reason:   fmt.Sprintf("%s: %d, more than %d", ReasonManyResources, len(arns), maxResources),
			Recorded: arns,
		})
	}
	sort.Strings(resources)
	resources = slices.Compact(resources)
	return resources, gens
}

// typeKey groups ARNs by resource type: partition, service and the resource
// part up to its first '/' or ':' (an S3 object's bucket, "role" for IAM
// roles). Resource parts without a separator (S3 buckets, SNS topics) share
// one key per service. Strings that are not ARNs share one key.
func typeKey(r string) string {
	parts := strings.SplitN(r, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "\x00other"
	}
	token := ""
	if i := strings.IndexAny(parts[5], "/:"); i >= 0 {
		token = parts[5][:i]
	}
	return parts[1] + ":" + parts[2] + ":" + token
}

// commonPattern returns a pattern matching every one of arns (sorted,
// distinct, at least two): ARN components that differ become "*", and the
// resource part becomes its longest common prefix up to a '/' or ':'
// followed by "*".
func commonPattern(arns []string) string {
	split := make([][]string, len(arns))
	allARN := true
	for i, r := range arns {
		split[i] = strings.SplitN(r, ":", 6)
		if len(split[i]) != 6 || split[i][0] != "arn" {
			allARN = false
		}
	}
	if !allARN {
		return prefixPattern(arns)
	}
	out := make([]string, 6)
	for c := 0; c < 6; c++ {
		vals := make([]string, len(arns))
		same := true
		for i := range split {
			vals[i] = split[i][c]
			if vals[i] != vals[0] {
				same = false
			}
		}
		switch {
		case same:
			out[c] = catalog.QuoteARN(vals[0])
		case c < 5:
			out[c] = "*"
		default:
			out[c] = prefixPattern(vals)
		}
	}
	return strings.Join(out, ":")
}

// prefixPattern is the longest common prefix of ss cut after its last '/' or
// ':', escaped, followed by "*".
func prefixPattern(ss []string) string {
	prefix := ss[0]
	for _, s := range ss[1:] {
		n := 0
		for n < len(prefix) && n < len(s) && prefix[n] == s[n] {
			n++
		}
		prefix = prefix[:n]
	}
	i := strings.LastIndexAny(prefix, "/:")
	return catalog.QuoteARN(prefix[:i+1]) + "*"
}

// newStatement builds an Allow statement with sorted, distinct actions and
// resources and a Sid derived from them.
func newStatement(actions, resources []string) Statement {
	a := append([]string(nil), actions...)
	r := append([]string(nil), resources...)
	sort.Strings(a)
	sort.Strings(r)
	a = slices.Compact(a)
	r = slices.Compact(r)
	return Statement{Sid: sidFor(a, r), Effect: "Allow", Action: a, Resource: r}
}

// sidFor derives an alphanumeric Sid from a statement's content.
func sidFor(actions, resources []string) string {
	h := sha256.New()
	for _, a := range actions {
		h.Write([]byte(a))
		h.Write([]byte{0})
	}
	h.Write([]byte{1})
	for _, r := range resources {
		h.Write([]byte(r))
		h.Write([]byte{0})
	}
	return "Pare" + hex.EncodeToString(h.Sum(nil)[:6])
}
