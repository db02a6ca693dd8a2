package k8s

import (
	"fmt"
	"strings"

	"github.com/leastpriv/pare/synth"
)

// Wildcards RBAC gives meaning to (k8s.io/api/rbac/v1 VerbAll, APIGroupAll,
// ResourceAll, NonResourceAll).
const (
	verbAll        = "*"
	apiGroupAll    = "*"
	resourceAll    = "*"
	nonResourceAll = "*"
)

// RuleAllows reports whether rule allows r, exactly as the RBAC authorizer
// decides for one PolicyRule (RuleAllows in kubernetes
// plugin/pkg/auth/authorizer/rbac/rbac.go, with the helpers of
// pkg/apis/rbac/v1/evaluation_helpers.go):
//
//   - a resource request (Path "") needs a matching verb, API group,
//     resource and resource name; a non-resource request a matching verb and
//     URL. A resource rule never matches a non-resource request nor the
//     reverse;
//   - verbs and API groups match exactly or by "*"; verbs are case
//     sensitive ("GET" is not "get");
//   - resources match "<resource>" or "<resource>/<subresource>" exactly,
//     or "*" (everything, subresources included), or "*/<subresource>" (that
//     subresource of any resource). "<resource>/*" is not a wildcard in
//     RBAC (Kubernetes declined it: kubernetes/enhancements#4961): it
//     matches only a request whose subresource is literally "*";
//   - empty ResourceNames match any name, including none; otherwise the
//     request's name must be one of them, so a rule with names never allows
//     list, watch, create or deletecollection without a name;
//   - a non-resource URL matches "*", itself, or a pattern ending in '*'
//     that is a prefix of it once the trailing '*'s are removed ("/apis/*"
//     matches "/apis/v1" and "/apis/", not "/apis").
func RuleAllows(rule Rule, r Request) bool {
	if r.Path != "" {
		return verbMatches(rule, r.Verb) && nonResourceURLMatches(rule, r.Path)
	}
	combined := r.Resource
	if r.Subresource != "" {
		combined += "/" + r.Subresource
	}
	return verbMatches(rule, r.Verb) &&
		apiGroupMatches(rule, r.Group) &&
		resourceMatches(rule, combined, r.Subresource) &&
		resourceNameMatches(rule, r.Name)
}

// Allows reports whether any of rules allows r. It ignores namespaces: which
// rules apply where is the bindings' business (PolicyAllows, GrantsAllow).
func Allows(rules []Rule, r Request) bool {
	for i := range rules {
		if RuleAllows(rules[i], r) {
			return true
		}
	}
	return false
}

func verbMatches(rule Rule, verb string) bool {
	for _, v := range rule.Verbs {
		if v == verbAll || v == verb {
			return true
		}
	}
	return false
}

func apiGroupMatches(rule Rule, group string) bool {
	for _, g := range rule.APIGroups {
		if g == apiGroupAll || g == group {
			return true
		}
	}
	return false
}

func resourceMatches(rule Rule, combined, subresource string) bool {
	for _, res := range rule.Resources {
		if res == resourceAll || res == combined {
			return true
		}
		if subresource == "" {
			continue
		}
		if len(res) == len(subresource)+2 && strings.HasPrefix(res, "*/") && strings.HasSuffix(res, subresource) {
			return true
		}
	}
	return false
}

func resourceNameMatches(rule Rule, name string) bool {
	if len(rule.ResourceNames) == 0 {
		return true
	}
	for _, n := range rule.ResourceNames {
		if n == name {
			return true
		}
	}
	return false
}

func nonResourceURLMatches(rule Rule, path string) bool {
	for _, u := range rule.NonResourceURLs {
		if urlMatches(u, path) {
			return true
		}
	}
	return false
}

// urlMatches reports whether the non-resource URL pattern u matches path:
// "*", itself, or a prefix of it once u's trailing '*'s are removed.
func urlMatches(u, path string) bool {
	return u == nonResourceAll || u == path || (strings.HasSuffix(u, "*") && strings.HasPrefix(path, strings.TrimRight(u, "*")))
}

// appliesTo reports whether a binding's subject, in a binding of namespace
// bindingNS ("" for a ClusterRoleBinding), includes principal, as RBAC's
// appliesToUser does (kubernetes pkg/registry/rbac/validation/rule.go) for
// what the audit log tells: the user name, and the groups every user of
// that name is known to have.
//
//   - User: the name is the principal's (service accounts included);
//   - ServiceAccount: the principal is "system:serviceaccount:NS:NAME"; an
//     empty subject namespace means the binding's own namespace;
//   - Group "system:authenticated": every principal but "system:anonymous";
//     "system:serviceaccounts": every service account;
//     "system:serviceaccounts:NS": the service accounts of NS. No other group
//     is assumed: the audit log does not say who is in it, so a grant to one
//     is never subtracted.
func appliesTo(s Subject, bindingNS, principal string) bool {
	switch s.Kind {
	case "User":
		return s.Name == principal
	case "ServiceAccount":
		ns := s.Namespace
		if ns == "" {
			ns = bindingNS
		}
		if ns == "" {
			return false
		}
		return principal == "system:serviceaccount:"+ns+":"+s.Name
	case "Group":
		p := SubjectOf(principal)
		switch {
		case s.Name == "system:authenticated":
			return principal != "system:anonymous"
		case s.Name == "system:serviceaccounts":
			return p.Kind == "ServiceAccount"
		case strings.HasPrefix(s.Name, "system:serviceaccounts:"):
			return p.Kind == "ServiceAccount" && s.Name == "system:serviceaccounts:"+p.Namespace
		}
	}
	return false
}

// inScope reports whether a binding of namespace bindingNS ("" for a
// ClusterRoleBinding) applies to r: a ClusterRoleBinding everywhere, a
// RoleBinding only to resource requests in its namespace.
func inScope(bindingNS string, r Request) bool {
	return bindingNS == "" || (r.Path == "" && r.Namespace == bindingNS)
}

// GrantsAllow reports whether existing RBAC allows principal to make r:
// some grant applies to the principal (see Synthesize for which subjects
// do), applies where r is made, and its rule allows r.
func GrantsAllow(granted []Grant, principal string, r Request) bool {
	for i := range granted {
		g := &granted[i]
		if appliesTo(g.Subject, g.Namespace, principal) && inScope(g.Namespace, r) && RuleAllows(g.Rule, r) {
			return true
		}
	}
	return false
}

// grantsFor keeps the grants of each list that apply to principal, so each
// access is matched only against those.
func grantsFor(principal string, lists ...[]Grant) []Grant {
	var out []Grant
	for _, list := range lists {
		for _, g := range list {
			if appliesTo(g.Subject, g.Namespace, principal) {
				out = append(out, g)
			}
		}
	}
	return out
}

// GrantIndex is existing RBAC and Bootstrap, indexed so that the grants
// that apply to one principal are found without scanning them all: by the
// principal a User or ServiceAccount subject names, with the Group grants
// apart (appliesTo decides those). Build one with IndexGrants when checking
// many principals against the same grants; it is safe for concurrent use.
type GrantIndex struct {
	all         []Grant          // Bootstrap(), then the grants given
	byPrincipal map[string][]int // into all
	groups      []int            // into all
}

// IndexGrants indexes Bootstrap() and granted.
func IndexGrants(granted []Grant) *GrantIndex {
	x := &GrantIndex{all: append(Bootstrap(), granted...), byPrincipal: make(map[string][]int)}
	for i, g := range x.all {
		if g.Subject.Kind == "Group" {
			x.groups = append(x.groups, i)
			continue
		}
		if p, ok := appliesOnlyTo(g.Subject, g.Namespace); ok {
			x.byPrincipal[p] = append(x.byPrincipal[p], i)
		}
	}
	return x
}

// appliesOnlyTo is the one principal a User or ServiceAccount subject, in
// a binding of namespace bindingNS, applies to (see appliesTo); false for
// a subject that applies to none.
func appliesOnlyTo(s Subject, bindingNS string) (string, bool) {
	switch s.Kind {
	case "User":
		return s.Name, true
	case "ServiceAccount":
		ns := s.Namespace
		if ns == "" {
			ns = bindingNS
		}
		if ns == "" {
			return "", false
		}
		return "system:serviceaccount:" + ns + ":" + s.Name, true
	}
	return "", false
}

// applying lists the positions in x.all of the grants that apply to
// principal: its own, then the group grants.
func (x *GrantIndex) applying(principal string) []int {
	var out []int
	for _, list := range [][]int{x.byPrincipal[principal], x.groups} {
		for _, i := range list {
			if appliesTo(x.all[i].Subject, x.all[i].Namespace, principal) {
				out = append(out, i)
			}
		}
	}
	return out
}

// grantsFor returns the grants that apply to principal.
func (x *GrantIndex) grantsFor(principal string) []Grant {
	var out []Grant
	for _, i := range x.applying(principal) {
		out = append(out, x.all[i])
	}
	return out
}

// PolicyAllows reports whether p's roles, through p's bindings, allow
// p.Principal to make r: a RoleBinding's role only in the binding's
// namespace, a ClusterRoleBinding's ClusterRole everywhere. A binding whose
// subject is not the principal, or whose role p does not hold, allows
// nothing.
func PolicyAllows(p Policy, r Request) bool {
	for _, b := range p.Bindings {
		if !appliesTo(b.Subject, b.Namespace, p.Principal) || !inScope(b.Namespace, r) {
			continue
		}
		role, ok := findRole(p.Roles, b)
		if ok && Allows(role.Rules, r) {
			return true
		}
	}
	return false
}

func findRole(roles []Role, b Binding) (Role, bool) {
	ns := ""
	switch b.RoleKind {
	case "ClusterRole":
	case "Role":
		if b.Namespace == "" {
			return Role{}, false // a ClusterRoleBinding cannot bind a Role
		}
		ns = b.Namespace
	default:
		return Role{}, false
	}
	for _, r := range roles {
		if r.Namespace == ns && r.Name == b.RoleName {
			return r, true
		}
	}
	return Role{}, false
}

// Verify checks that p, with the existing grants and Kubernetes' bootstrap
// discovery roles (Bootstrap), allows every access of p.Principal in used,
// denied ones included: whatever the caller passes is what must be allowed.
// Accesses Synthesize rejects (see Policy.Rejected) cannot be granted and
// are not checked. The error names the first access not allowed; Missing
// lists them all.
func Verify(p Policy, used []synth.Access, granted []Grant) error {
	return verifyError(p, used, missingAt(p, used, grantsFor(p.Principal, Bootstrap(), granted)))
}

// Missing returns the accesses of p.Principal in used that p, with the
// existing grants and Bootstrap, does not allow, in their order; nil when
// it allows them all. Like Verify, it checks no access of another
// principal, nor one Synthesize rejects.
func Missing(p Policy, used []synth.Access, granted []Grant) []synth.Access {
	return accessesAt(used, missingAt(p, used, grantsFor(p.Principal, Bootstrap(), granted)))
}

// Verify is Verify with the indexed grants.
func (x *GrantIndex) Verify(p Policy, used []synth.Access) error {
	return verifyError(p, used, missingAt(p, used, x.grantsFor(p.Principal)))
}

// missingAt returns the positions in used of the accesses of p.Principal
// that neither p nor grants (those that apply to p.Principal) allow.
func missingAt(p Policy, used []synth.Access, grants []Grant) []int {
	var out []int
	for i, a := range used {
		if a.Principal != p.Principal {
			continue
		}
		r, err := requestOf(a)
		if err != nil {
			continue
		}
		if !PolicyAllows(p, r) && !GrantsAllow(grants, p.Principal, r) {
			out = append(out, i)
		}
	}
	return out
}

// verifyError names the first access of used at the positions missing.
func verifyError(p Policy, used []synth.Access, missing []int) error {
	if len(missing) == 0 {
		return nil
	}
	i := missing[0]
	a := used[i]
	r, _ := requestOf(a) // it parsed in missingAt
	where := "cluster-wide"
	if r.Namespace != "" {
		where = fmt.Sprintf("in namespace %q", r.Namespace)
	}
	return fmt.Errorf("k8s RBAC for %q does not allow access %d, %q on %q %s", p.Principal, i, a.Action, a.Resource, where)
}

func accessesAt(used []synth.Access, at []int) []synth.Access {
	if len(at) == 0 {
		return nil
	}
	out := make([]synth.Access, len(at))
	for j, i := range at {
		out[j] = used[i]
	}
	return out
}
