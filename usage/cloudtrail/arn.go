package cloudtrail

import (
	"bytes"
	stdjson "encoding/json"
	"slices"
	"strings"

	"github.com/goccy/go-json"

	"github.com/leastpriv/pare/synth/catalog"
)

// filler finds the resources of one record's actions: ARNs the record names
// in resources[] or request parameters, or the catalog's ARN formats filled
// from request parameters. One is reused for every record of a read.
type filler struct {
	rec       *rawRecord
	partition string
	account   string

	parsed bool
	params []param // top-level string request parameters
}

// param is a top-level request parameter with a string value. Both are
// sub-slices of the record, valid while it is being normalized; a value
// with escapes is decoded into fresh memory.
type param struct {
	key, value []byte
}

func (f *filler) reset(rec *rawRecord, account string) {
	f.rec = rec
	f.partition = partition(rec.AWSRegion)
	f.account = account
	f.parsed = false
	f.params = f.params[:0]
}

func (f *filler) parse() {
	if f.parsed {
		return
	}
	f.parsed = true
	f.params = topLevelStrings(f.rec.RequestParameters, f.params[:0])
}

// topLevelStrings appends the string-valued members of a JSON object. raw
// has already been decoded once, so it is valid JSON.
func topLevelStrings(raw []byte, dst []param) []param {
	i := skipWS(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return dst
	}
	i++
	for {
		i = skipWS(raw, i)
		if i >= len(raw) || raw[i] != '"' {
			return dst // '}' or malformed
		}
		kEnd, _ := stringEnd(raw, i)
		if kEnd < 0 {
			return dst
		}
		key := raw[i+1 : kEnd-1]
		i = skipWS(raw, kEnd)
		if i >= len(raw) || raw[i] != ':' {
			return dst
		}
		i = skipWS(raw, i+1)
		if i >= len(raw) {
			return dst
		}
		if raw[i] == '"' {
			end, escaped := stringEnd(raw, i)
			if end < 0 {
				return dst
			}
			v := raw[i+1 : end-1]
			if escaped {
				var s string
				if err := stdjson.Unmarshal(raw[i:end], &s); err != nil {
					return dst
				}
				v = []byte(s)
			}
			if len(v) > 0 {
				dst = append(dst, param{key, v})
			}
			i = end
		} else {
			i = valueEnd(raw, i)
			if i < 0 {
				return dst
			}
		}
		i = skipWS(raw, i)
		if i >= len(raw) || raw[i] != ',' {
			return dst
		}
		i++
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the string starting at b[i] == '"', and
// whether it has escapes; -1 when it does not end.
func stringEnd(b []byte, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, escaped
		}
	}
	return -1, escaped
}

// valueEnd returns the index after the non-string value starting at b[i],
// or -1.
func valueEnd(b []byte, i int) int {
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			end, _ := stringEnd(b, j)
			if end < 0 {
				return -1
			}
			j = end - 1
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return j
			}
			depth--
			if depth == 0 {
				return j + 1
			}
		case ',':
			if depth == 0 {
				return j
			}
		}
	}
	if depth == 0 {
		return len(b)
	}
	return -1
}

// resources returns the sorted ARNs an action acted on, or nil when they
// cannot all be told. It looks at the resource types the action requires;
// when none is required (s3:GetObject takes an object or an access point
// object), the first type, in catalog order, whose ARN the event shows. An
// action with no resource type gets none.
func (f *filler) resources(info catalog.ActionInfo) []string {
	var types []catalog.ResourceRef
	for _, rt := range info.ResourceTypes {
		if rt.Required {
			types = append(types, rt)
		}
	}
	if len(types) == 0 {
		for _, rt := range info.ResourceTypes {
			if arns := f.resourcesOf(rt); len(arns) > 0 {
				slices.Sort(arns)
				return slices.Compact(arns)
			}
		}
		return nil
	}
	var out []string
	for _, rt := range types {
		arns := f.resourcesOf(rt)
		if len(arns) == 0 {
			return nil // one required type unknown: the action's resource is unknown
		}
		out = append(out, arns...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (f *filler) resourcesOf(rt catalog.ResourceRef) []string {
	var out []string
	for _, r := range f.rec.Resources {
		for _, format := range rt.ARNFormats {
			if r.ARN != "" && matchARN(format, r.ARN) {
				out = append(out, r.ARN)
				break
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	f.parse()
	for _, p := range f.params {
		if !bytes.HasPrefix(p.value, []byte("arn:")) {
			continue
		}
		v := string(p.value)
		for _, format := range rt.ARNFormats {
			if matchARN(format, v) {
				out = append(out, v)
				break
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, format := range rt.ARNFormats {
		if arn, ok := catalog.FillARN(format, f.lookup); ok {
			return []string{arn}
		}
	}
	return nil
}

// param returns a top-level request parameter that is a plain value (not an ARN).
func (f *filler) param(key string) (string, bool) {
	for _, p := range f.params {
		if len(p.key) == len(key) && strings.EqualFold(string(p.key), key) {
			if bytes.HasPrefix(p.value, []byte("arn:")) {
				return "", false
			}
			return string(p.value), true
		}
	}
	return "", false
}

// withPath joins an IAM path parameter and a name: "/a/" and "n" give "a/n".
func (f *filler) withPath(nameKey string) (string, bool) {
	name, ok := f.param(nameKey)
	if !ok {
		return "", false
	}
	path, _ := f.param("path")
	path = strings.TrimPrefix(path, "/")
	if path != "" && !strings.HasSuffix(path, "/") {
		path += "/"
	}
	return path + name, true
}

// lookup gives the value of an ARN format variable for this record.
func (f *filler) lookup(variable string) (string, bool) {
	v := strings.ToLower(variable)
	switch v {
	case "partition":
		return f.partition, true
	case "region":
		return f.rec.AWSRegion, f.rec.AWSRegion != ""
	case "account", "accountid":
		return f.account, f.account != ""
	}
	f.parse()
	switch v {
	case "bucketname":
		if s, ok := f.param("bucketname"); ok {
			return s, true
		}
		return f.param("bucket")
	case "objectname":
		return f.param("key")
	case "rolenamewithpath":
		return f.withPath("rolename")
	case "usernamewithpath":
		return f.withPath("username")
	case "awsusername":
		return f.param("username")
	case "groupnamewithpath":
		return f.withPath("groupname")
	case "policynamewithpath":
		return f.withPath("policyname")
	case "instanceprofilenamewithpath":
		return f.withPath("instanceprofilename")
	case "secretid":
		// A secret's ARN ends in a random six-character suffix its name
		// lacks, so a name cannot be made into the ARN: only a full ARN
		// (matched above) names the resource.
		return "", false
	case "keyid":
		s, ok := f.param("keyid")
		if !ok || strings.HasPrefix(s, "alias/") {
			return "", false
		}
		return s, true
	case "alias":
		s, ok := f.param("aliasname")
		return strings.TrimPrefix(s, "alias/"), ok && s != "alias/"
	case "trailname":
		if s, ok := f.param("trailname"); ok {
			return s, true
		}
		return f.param("name")
	case "dbinstancename":
		return f.param("dbinstanceidentifier")
	case "parameternamewithoutleadingslash":
		s, ok := f.param("name")
		s = strings.TrimPrefix(s, "/")
		return s, ok && s != ""
	case "keypairname":
		return f.param("keyname")
	case "securitygroupid":
		if s, ok := f.param("securitygroupid"); ok {
			return s, true
		}
		return f.param("groupid")
	}
	return f.param(v)
}

// maxARN bounds the ARNs matched: matching backtracks over variables.
const maxARN = 2048

// matchARN reports whether arn is an instance of the ARN format. It is
// stricter than catalog.MatchARN, which lets any resource variable span '/'
// and ':' (so that a bucket format matches an object ARN): here a variable
// matches a non-empty run without ':' or '/', except that path-like
// variables (names with "Path", ObjectName, SecretId, ...) may contain '/',
// and the last variable of a format may contain ':' (a Lambda qualifier).
func matchARN(format, arn string) bool {
	if len(arn) > maxARN {
		return false
	}
	type seg struct {
		lit      string
		variable bool
		slash    bool
		colon    bool
	}
	var segs []seg
	rest := format
	for rest != "" {
		i := strings.Index(rest, "${")
		if i < 0 {
			segs = append(segs, seg{lit: rest})
			break
		}
		if i > 0 {
			segs = append(segs, seg{lit: rest[:i]})
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return false
		}
		name := rest[i+2 : i+j]
		segs = append(segs, seg{variable: true, slash: pathLike(name)})
		rest = rest[i+j+1:]
	}
	if n := len(segs); n > 0 && segs[n-1].variable {
		segs[n-1].colon = true
	}
	var match func(k int, s string) bool
	match = func(k int, s string) bool {
		if k == len(segs) {
			return s == ""
		}
		g := segs[k]
		if !g.variable {
			rest, ok := strings.CutPrefix(s, g.lit)
			return ok && match(k+1, rest)
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			if (c == '/' && !g.slash) || (c == ':' && !g.colon) {
				return i > 0 && match(k+1, s[i:])
			}
			if i > 0 && match(k+1, s[i:]) {
				return true
			}
		}
		return len(s) > 0 && match(k+1, "")
	}
	return match(0, arn)
}

func pathLike(name string) bool {
	switch name {
	case "ObjectName", "ParameterNameWithoutLeadingSlash", "LogGroupName", "SecretId", "KeyName", "Key":
		return true
	}
	return strings.Contains(name, "Path")
}

// passedRoles returns the sorted role ARNs found anywhere in request
// parameters: roles the caller hands to a service (iam:PassRole).
func passedRoles(raw json.RawMessage) []string {
	if !bytes.Contains(raw, []byte(":role/")) {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if isRoleARN(x) {
				out = append(out, x)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	slices.Sort(out)
	return slices.Compact(out)
}

// isRoleARN reports whether s is arn:PARTITION:iam::123456789012:role/NAME.
func isRoleARN(s string) bool {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return false
	}
	p, rest, ok := strings.Cut(rest, ":")
	if !ok || !strings.HasPrefix(p, "aws") {
		return false
	}
	rest, ok = strings.CutPrefix(rest, "iam::")
	if !ok || len(rest) < 13 || rest[12] != ':' {
		return false
	}
	for i := 0; i < 12; i++ {
		if rest[i] < '0' || rest[i] > '9' {
			return false
		}
	}
	name, ok := strings.CutPrefix(rest[13:], "role/")
	return ok && name != "" && !strings.HasSuffix(name, "/")
}
