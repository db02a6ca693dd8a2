package azure

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Granularity is how finely Synthesize draws a role's assignable scopes.
type Granularity string

// Granularities.
const (
	// ResourceGroup scopes a role to the resource groups it was used in
	// (subscription-level resources to their subscription). The default.
	ResourceGroup Granularity = "resource-group"
	// Subscription scopes a role to the subscriptions it was used in.
	Subscription Granularity = "subscription"
	// Resource scopes a role to the exact resources it was used on.
	Resource Granularity = "resource"
)

// kind is what an Azure id names.
type kind int

const (
	kindMalformed       kind = iota // not an Azure id: its own scope, compared exactly
	kindRoot                        // "/", the tenant root
	kindTenantResource              // /providers/... outside a management group
	kindManagementGroup             // /providers/Microsoft.Management/managementGroups/mg[/...]
	kindSubscription                // /subscriptions/s[/...]
)

// resourceID is a parsed Azure resource id or scope.
type resourceID struct {
	raw  string
	kind kind
	// segs are the '/'-separated segments, with the fixed segment names
	// (subscriptions, resourceGroups, providers, Microsoft.Management,
	// managementGroups) in their canonical casing. Nil for the root and
	// malformed ids.
	segs []string
	// top is how many segments name the subscription (2) or management
	// group (4) the id is in; group is 4 when it is in a resource group.
	top, group int
}

// parseID parses an Azure id. It never fails: anything that is not shaped
// like a scope or resource id (no leading '/', empty segments, a
// subscription or resource group without a name) is kindMalformed.
func parseID(id string) resourceID {
	r := resourceID{raw: id}
	if id == "/" {
		r.kind = kindRoot
		return r
	}
	if !strings.HasPrefix(id, "/") {
		return r
	}
	segs := strings.Split(id[1:], "/")
	for _, s := range segs {
		if s == "" {
			return r
		}
	}
	switch {
	case strings.EqualFold(segs[0], "subscriptions"):
		if len(segs) < 2 {
			return r
		}
		segs[0] = "subscriptions"
		r.top = 2
		if len(segs) > 2 && strings.EqualFold(segs[2], "resourceGroups") {
			if len(segs) < 4 {
				return r
			}
			segs[2] = "resourceGroups"
			r.group = 4
		}
		r.kind = kindSubscription
	case strings.EqualFold(segs[0], "providers"):
		segs[0] = "providers"
		if len(segs) >= 4 && strings.EqualFold(segs[1], "Microsoft.Management") && strings.EqualFold(segs[2], "managementGroups") {
			segs[1], segs[2] = "Microsoft.Management", "managementGroups"
			r.kind = kindManagementGroup
			r.top = 4
		} else {
			r.kind = kindTenantResource
		}
	default:
		return r
	}
	// Canonical casing of "providers" after the subscription, resource
	// group or management group part.
	if n := max(r.top, r.group); r.kind != kindTenantResource && len(segs) > n && strings.EqualFold(segs[n], "providers") {
		segs[n] = "providers"
	}
	r.segs = segs
	return r
}

// String is the id with its fixed segment names in canonical casing, or the
// raw id when it is malformed.
func (r resourceID) String() string {
	switch r.kind {
	case kindMalformed:
		return r.raw
	case kindRoot:
		return "/"
	}
	return "/" + strings.Join(r.segs, "/")
}

// prefix is the id cut to its first n segments.
func (r resourceID) prefix(n int) string {
	return "/" + strings.Join(r.segs[:n], "/")
}

// scopeAt is the assignable scope an access to r needs at granularity g:
// its subscription, resource group or itself. Management-group ids go to the
// management group at subscription and resource-group granularity; the
// root, tenant-level resources and malformed ids are their own scope.
func (r resourceID) scopeAt(g Granularity) string {
	switch r.kind {
	case kindSubscription, kindManagementGroup:
		switch g {
		case Subscription:
			return r.prefix(r.top)
		case ResourceGroup:
			if r.group > 0 {
				return r.prefix(r.group)
			}
			return r.prefix(r.top)
		}
	}
	return r.String()
}

// subscription is the subscription scope r is in, or "".
func (r resourceID) subscription() string {
	if r.kind != kindSubscription {
		return ""
	}
	return r.prefix(2)
}

// resourceGroup is the resource group scope r is in, or "".
func (r resourceID) resourceGroup() string {
	if r.group == 0 {
		return ""
	}
	return r.prefix(4)
}

// createResourceGroup is the operation that creates (or updates) a
// resource group, folded.
var createResourceGroup = foldKey("Microsoft.Resources/subscriptions/resourceGroups/write")

// needsParent reports whether operation on id needs a role assigned above
// id: writing a resource group creates it when it does not exist, and a
// role assigned at a resource group exists only while the group does (Azure
// deletes the assignment with it), so only one assigned at the
// subscription, or above, can create it.
func needsParent(operation string, id resourceID) bool {
	return id.kind == kindSubscription && len(id.segs) == 4 && id.group == 4 && foldKey(operation) == createResourceGroup
}

// covers reports whether scope a includes b: b is a itself or lies under
// it, comparing segments case-insensitively as Azure does. The root covers
// every well-formed id; a malformed id covers, and is covered by, only the
// exactly equal string.
func covers(a, b resourceID) bool {
	if a.kind == kindMalformed || b.kind == kindMalformed {
		return a.kind == b.kind && a.raw == b.raw
	}
	if a.kind == kindRoot {
		return true
	}
	if b.kind == kindRoot || len(a.segs) > len(b.segs) {
		return false
	}
	for i := range a.segs {
		if !equalFold(a.segs[i], b.segs[i]) {
			return false
		}
	}
	return true
}

// foldRunes splits s into characters folded to upper case, as .NET's
// OrdinalIgnoreCase compares strings (Azure Resource Manager is written in
// .NET). A byte that is not valid UTF-8 becomes a negative value of its own,
// so it equals only the same byte (strings.EqualFold would treat every
// invalid byte as U+FFFD).
func foldRunes(s string) []rune {
	out := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			r = -1 - rune(s[i])
		} else {
			r = unicode.ToUpper(r)
		}
		out = append(out, r)
		i += size
	}
	return out
}

// equalFold reports whether a and b are equal ignoring case, with invalid
// bytes equal only to themselves.
func equalFold(a, b string) bool {
	ra, rb := foldRunes(a), foldRunes(b)
	if len(ra) != len(rb) {
		return false
	}
	for i := range ra {
		if ra[i] != rb[i] {
			return false
		}
	}
	return true
}

// foldKey is a string that two strings share exactly when equalFold says
// they are equal.
func foldKey(s string) string {
	var b strings.Builder
	for _, r := range foldRunes(s) {
		if r < 0 {
			b.WriteByte(byte(-1 - r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
