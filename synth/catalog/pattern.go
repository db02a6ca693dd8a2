package catalog

import (
	"sort"
	"strings"
)

// ExpandPattern returns every catalog action that matches an IAM action
// pattern ("s3:Get*", "ec2:Describe?pcs", "*"), case-insensitively, where '*'
// matches any run of characters and '?' any one character. The result holds
// canonical names, sorted case-insensitively as the catalog is, and is nil
// when nothing matches.
func (c *AWS) ExpandPattern(pattern string) []string {
	p := strings.ToLower(pattern)
	// The literal start of the pattern narrows the search to a range.
	lo, hi := prefixRange(c.lower, p[:literalPrefixLen(p)])
	var out []string
	for i := lo; i < hi; i++ {
		if matchWildcard(p, c.lower[i]) {
			out = append(out, c.names[i])
		}
	}
	return out
}

// prefixRange returns the range [lo, hi) of the sorted list whose elements
// start with prefix: all of it for "".
func prefixRange(sorted []string, prefix string) (lo, hi int) {
	lo = sort.SearchStrings(sorted, prefix)
	hi = lo + sort.Search(len(sorted)-lo, func(i int) bool {
		return !strings.HasPrefix(sorted[lo+i], prefix)
	})
	return lo, hi
}

func literalPrefixLen(p string) int {
	if i := strings.IndexAny(p, "*?"); i >= 0 {
		return i
	}
	return len(p)
}

// matchWildcard reports whether s matches pattern p with '*' (any run) and
// '?' (any one byte). It runs in O(len(p)*len(s)) at worst, without recursion.
func matchWildcard(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
