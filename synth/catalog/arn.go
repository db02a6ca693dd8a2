package catalog

import "strings"

// segmentVariables are the ARN variables that stand for exactly one ARN
// segment: they can never contain ':' or '/'.
func segmentVariable(name string) bool {
	return name == "Partition" || name == "Region" || name == "Account"
}

// FillARN fills the variables of a catalog ARN format ("${Partition}",
// "${Region}", "${Account}" and resource variables such as "${BucketName}")
// with the values lookup gives. It reports false if the format is malformed,
// a variable has no value or an empty one, or a ${Partition}, ${Region} or
// ${Account} value contains ':' or '/'.
//
// Values are inserted literally and never expanded again, so a value that
// itself contains "${...}" stays as it is. The result is a concrete ARN, not
// a policy pattern: use QuoteARN before putting it in a policy's Resource.
func FillARN(format string, lookup func(variable string) (string, bool)) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(format, "${")
		if i < 0 {
			b.WriteString(format)
			return b.String(), true
		}
		b.WriteString(format[:i])
		end := strings.IndexByte(format[i+2:], '}')
		if end < 0 {
			return "", false
		}
		name := format[i+2 : i+2+end]
		if name == "" {
			return "", false
		}
		v, ok := lookup(name)
		if !ok || v == "" {
			return "", false
		}
		if segmentVariable(name) && strings.ContainsAny(v, ":/") {
			return "", false
		}
		b.WriteString(v)
		format = format[i+2+end+1:]
	}
}

// MatchARN reports whether the concrete ARN arn fits the catalog ARN format.
// Each "${Var}" in format matches one or more characters; ${Partition},
// ${Region} and ${Account} match within one segment (no ':' or '/'), other
// variables may span '/' and ':' (S3 object keys, paths). Everything else in
// format must match literally and case-sensitively. A malformed format
// matches nothing. The cost is linear in len(arn) times the parts of format.
func MatchARN(format, arn string) bool {
	n := len(arn)
	reach := make([]bool, n+1) // reach[p]: arn[:p] matches the format so far
	next := make([]bool, n+1)
	reach[0] = true
	for format != "" {
		clear(next)
		i := strings.Index(format, "${")
		if i != 0 {
			// A literal part.
			lit := format
			if i > 0 {
				lit = format[:i]
			}
			format = format[len(lit):]
			for p := 0; p+len(lit) <= n; p++ {
				if reach[p] && arn[p:p+len(lit)] == lit {
					next[p+len(lit)] = true
				}
			}
		} else {
			end := strings.IndexByte(format, '}')
			if end < 0 || end == 2 {
				return false
			}
			segment := segmentVariable(format[2:end])
			format = format[end+1:]
			open := false // some reachable p < q has arn[p:q] as a valid non-empty value
			for q := 0; q <= n; q++ {
				if open {
					next[q] = true
				}
				if q == n {
					break
				}
				if segment && (arn[q] == ':' || arn[q] == '/') {
					open = false
					continue
				}
				if reach[q] {
					open = true
				}
			}
		}
		reach, next = next, reach
	}
	return reach[n]
}

// QuoteARN escapes the characters IAM treats specially in a policy's
// Resource element ('$', '*', '?') with IAM's policy variables ${$}, ${*} and
// ${?}, so that the result, used as a Resource, matches exactly arn and
// nothing else. Resource names from logs are attacker-controlled: always
// quote them.
func QuoteARN(arn string) string {
	if !strings.ContainsAny(arn, "$*?") {
		return arn
	}
	var b strings.Builder
	for i := 0; i < len(arn); i++ {
		switch c := arn[i]; c {
		case '$', '*', '?':
			b.WriteString("${")
			b.WriteByte(c)
			b.WriteByte('}')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
