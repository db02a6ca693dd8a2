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
	lo, hi := 0, len(c.lower)
	// The literal start of the pattern narrows the search to a range.
	if lit := p[:literalPrefixLen(p)]; lit != "" {
		lo = sort.SearchStrings(c.lower, lit)
		hi = lo + sort.Search(len(c.lower)-lo, func(i int) bool {
			return !strings.HasPrefix(c.lower[lo+i], lit)
		})
	}
	var out []string
	for i := lo; i < hi; i++ {
		if matchWildcard(p, c.lower[i]) {
			out = append(out, c.names[i])
		}
	}
	return out
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
