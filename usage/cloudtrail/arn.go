package cloudtrail

import (
	"bytes"
	stdjson "encoding/json"
	"slices"
	"strings"

	"github.com/goccy/go-json"

	"github.com/leastpriv/pare/usage/jsonscan"
)

// filler finds the resources of one record's actions: ARNs the record names
// in resources[] or request parameters, or the catalog's ARN formats filled
// from request parameters. One is reused for every record of a normalizer.
type filler struct {
	norm      *normalizer // interns the ARNs found
	rec       *fields
	partition string
	account   string

	parsed bool
	params []param // top-level string request parameters

	arns []string // scratch for resources' result
	arn  []byte   // scratch for a filled ARN
	tmp  []byte   // scratch for a variable's value
}

// param is a top-level request parameter with a string value. Both are
// sub-slices of the record, valid while it is being normalized; a value
// with escapes is decoded into fresh memory.
type param struct {
	key, value []byte
}

func (f *filler) reset(rec *fields, account string) {
	f.rec = rec
	f.partition = partition(rec.awsRegion)
	f.account = account
	f.parsed = false
	f.params = f.params[:0]
}

func (f *filler) parse() {
	if f.parsed {
		return
	}
	f.parsed = true
	f.params = topLevelStrings(f.rec.requestParameters, f.params[:0])
}

// topLevelStrings appends the string-valued members of a JSON object. raw
// has already been decoded once, so it is valid JSON.
func topLevelStrings(raw []byte, dst []param) []param {
	i := jsonscan.SkipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return dst
	}
	i++
	for {
		i = jsonscan.SkipSpace(raw, i)
		if i >= len(raw) || raw[i] != '"' {
			return dst // '}' or malformed
		}
		kEnd, _ := stringEnd(raw, i)
		if kEnd < 0 {
			return dst
		}
		key := raw[i+1 : kEnd-1]
		i = jsonscan.SkipSpace(raw, kEnd)
		if i >= len(raw) || raw[i] != ':' {
			return dst
		}
		i = jsonscan.SkipSpace(raw, i+1)
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
		i = jsonscan.SkipSpace(raw, i)
		if i >= len(raw) || raw[i] != ',' {
			return dst
		}
		i++
	}
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
// action with no resource type gets none. The result is valid until the
// next call.
func (f *filler) resources(a *actionPlan) []string {
	out := f.arns[:0]
	defer func() { f.arns = out[:0] }()
	if !a.required {
		for k := range a.types {
			out = f.resourcesOf(&a.types[k], out[:0])
			if len(out) > 0 {
				slices.Sort(out)
				return slices.Compact(out)
			}
		}
		return nil
	}
	for k := range a.types {
		rt := &a.types[k]
		if !rt.required {
			continue
		}
		n := len(out)
		out = f.resourcesOf(rt, out)
		if len(out) == n {
			return nil // one required type unknown: the action's resource is unknown
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// resourcesOf appends the ARNs of one resource type to dst.
func (f *filler) resourcesOf(rt *resourcePlan, dst []string) []string {
	start := len(dst)
	for _, r := range f.rec.resources {
		if len(r) == 0 {
			continue
		}
		for _, format := range rt.formats {
			if format.match(r) {
				dst = append(dst, f.norm.str(r))
				break
			}
		}
	}
	if len(dst) > start {
		return dst
	}
	f.parse()
	for _, p := range f.params {
		if !bytes.HasPrefix(p.value, []byte("arn:")) {
			continue
		}
		for _, format := range rt.formats {
			if format.match(p.value) {
				dst = append(dst, f.norm.str(p.value))
				break
			}
		}
	}
	if len(dst) > start {
		return dst
	}
	for _, format := range rt.formats {
		if arn, ok := f.fillARN(format); ok {
			return append(dst, arn)
		}
	}
	return dst
}

// fillARN fills the variables of an ARN format from the record, as
// catalog.FillARN does with lookup.
func (f *filler) fillARN(a *arnFormat) (string, bool) {
	if !a.fillable {
		return "", false
	}
	b := f.arn[:0]
	defer func() { f.arn = b[:0] }()
	for k := range a.parts {
		p := &a.parts[k]
		if !p.variable {
			b = append(b, p.lit...)
			continue
		}
		v, ok := f.value(p)
		if !ok || len(v) == 0 {
			return "", false
		}
		if p.segment && (bytes.IndexByte(v, ':') >= 0 || bytes.IndexByte(v, '/') >= 0) {
			return "", false
		}
		b = append(b, v...)
	}
	return f.norm.str(b), true
}

// param returns a top-level request parameter that is a plain value (not an
// ARN), its key matched case-insensitively.
func (f *filler) param(key []byte) ([]byte, bool) {
	for _, p := range f.params {
		if len(p.key) == len(key) && bytes.EqualFold(p.key, key) {
			if bytes.HasPrefix(p.value, []byte("arn:")) {
				return nil, false
			}
			return p.value, true
		}
	}
	return nil, false
}

// withPath joins an IAM path parameter and a name: "/a/" and "n" give "a/n".
func (f *filler) withPath(nameKey []byte) ([]byte, bool) {
	name, ok := f.param(nameKey)
	if !ok {
		return nil, false
	}
	path, _ := f.param(keyPath)
	path = bytes.TrimPrefix(path, []byte("/"))
	b := append(f.tmp[:0], path...)
	if len(path) > 0 && !bytes.HasSuffix(path, []byte("/")) {
		b = append(b, '/')
	}
	b = append(b, name...)
	f.tmp = b
	return b, true
}

// Request parameter names, lower-cased.
var (
	keyPath                 = []byte("path")
	keyBucketName           = []byte("bucketname")
	keyBucket               = []byte("bucket")
	keyKey                  = []byte("key")
	keyRoleName             = []byte("rolename")
	keyUserName             = []byte("username")
	keyGroupName            = []byte("groupname")
	keyPolicyName           = []byte("policyname")
	keyInstanceProfileName  = []byte("instanceprofilename")
	keyKeyID                = []byte("keyid")
	keyAliasName            = []byte("aliasname")
	keyTrailName            = []byte("trailname")
	keyName                 = []byte("name")
	keyDBInstanceIdentifier = []byte("dbinstanceidentifier")
	keyKeyName              = []byte("keyname")
	keySecurityGroupID      = []byte("securitygroupid")
	keyGroupID              = []byte("groupid")
)

// varKind says where the value of an ARN format variable comes from.
type varKind int

const (
	varParam varKind = iota // the request parameter named like the variable
	varPartition
	varRegion
	varAccount
	varBucketName
	varObjectName
	varRoleNameWithPath
	varUserNameWithPath
	varAWSUserName
	varGroupNameWithPath
	varPolicyNameWithPath
	varInstanceProfileNameWithPath
	varSecretID
	varKeyID
	varAlias
	varTrailName
	varDBInstanceName
	varParameterNameWithoutLeadingSlash
	varKeyPairName
	varSecurityGroupID
)

var varKinds = map[string]varKind{
	"partition": varPartition, "region": varRegion, "account": varAccount, "accountid": varAccount,
	"bucketname": varBucketName, "objectname": varObjectName,
	"rolenamewithpath": varRoleNameWithPath, "usernamewithpath": varUserNameWithPath,
	"awsusername": varAWSUserName, "groupnamewithpath": varGroupNameWithPath,
	"policynamewithpath": varPolicyNameWithPath, "instanceprofilenamewithpath": varInstanceProfileNameWithPath,
	"secretid": varSecretID, "keyid": varKeyID, "alias": varAlias, "trailname": varTrailName,
	"dbinstancename": varDBInstanceName, "parameternamewithoutleadingslash": varParameterNameWithoutLeadingSlash,
	"keypairname": varKeyPairName, "securitygroupid": varSecurityGroupID,
}

// value gives the value of an ARN format variable for this record. The
// result is valid until the next call.
func (f *filler) value(p *arnPart) ([]byte, bool) {
	switch p.kind {
	case varPartition:
		f.tmp = append(f.tmp[:0], f.partition...)
		return f.tmp, true
	case varRegion:
		return f.rec.awsRegion, len(f.rec.awsRegion) > 0
	case varAccount:
		f.tmp = append(f.tmp[:0], f.account...)
		return f.tmp, f.account != ""
	}
	f.parse()
	switch p.kind {
	case varBucketName:
		if s, ok := f.param(keyBucketName); ok {
			return s, true
		}
		return f.param(keyBucket)
	case varObjectName:
		return f.param(keyKey)
	case varRoleNameWithPath:
		return f.withPath(keyRoleName)
	case varUserNameWithPath:
		return f.withPath(keyUserName)
	case varAWSUserName:
		return f.param(keyUserName)
	case varGroupNameWithPath:
		return f.withPath(keyGroupName)
	case varPolicyNameWithPath:
		return f.withPath(keyPolicyName)
	case varInstanceProfileNameWithPath:
		return f.withPath(keyInstanceProfileName)
	case varSecretID:
		// A secret's ARN ends in a random six-character suffix its name
		// lacks, so a name cannot be made into the ARN: only a full ARN
		// (matched above) names the resource.
		return nil, false
	case varKeyID:
		s, ok := f.param(keyKeyID)
		if !ok || bytes.HasPrefix(s, []byte("alias/")) {
			return nil, false
		}
		return s, true
	case varAlias:
		s, ok := f.param(keyAliasName)
		return bytes.TrimPrefix(s, []byte("alias/")), ok && string(s) != "alias/"
	case varTrailName:
		if s, ok := f.param(keyTrailName); ok {
			return s, true
		}
		return f.param(keyName)
	case varDBInstanceName:
		return f.param(keyDBInstanceIdentifier)
	case varParameterNameWithoutLeadingSlash:
		s, ok := f.param(keyName)
		s = bytes.TrimPrefix(s, []byte("/"))
		return s, ok && len(s) > 0
	case varKeyPairName:
		return f.param(keyKeyName)
	case varSecurityGroupID:
		if s, ok := f.param(keySecurityGroupID); ok {
			return s, true
		}
		return f.param(keyGroupID)
	}
	return f.param(p.key)
}

// maxARN bounds the ARNs matched: matching backtracks over variables.
const maxARN = 2048

// arnFormat is a catalog ARN format split once into literal and variable
// parts, for matching ARNs against it and filling it in.
type arnFormat struct {
	parts      []arnPart
	wellFormed bool // every "${" has its '}'
	fillable   bool // wellFormed, and no variable is "${}"
}

type arnPart struct {
	lit      []byte // a literal part, when !variable
	variable bool
	// For matching: a variable matches a non-empty run without ':' or
	// '/', but a path-like one may contain '/' and the last part ':'.
	slash, colon bool
	// For filling: a ${Partition}, ${Region} or ${Account} value must not
	// contain ':' or '/'; kind and key say where the value comes from.
	segment bool
	kind    varKind
	key     []byte // the variable's name, lower-cased
}

// compileARN splits an ARN format into parts, the way matchARN and
// catalog.FillARN read it.
func compileARN(format string) *arnFormat {
	a := &arnFormat{wellFormed: true, fillable: true}
	rest := format
	for rest != "" {
		i := strings.Index(rest, "${")
		if i < 0 {
			a.parts = append(a.parts, arnPart{lit: []byte(rest)})
			break
		}
		if i > 0 {
			a.parts = append(a.parts, arnPart{lit: []byte(rest[:i])})
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return &arnFormat{}
		}
		name := rest[i+2 : i+j]
		if name == "" {
			a.fillable = false
		}
		lower := strings.ToLower(name)
		a.parts = append(a.parts, arnPart{
			variable: true,
			slash:    pathLike(name),
			segment:  name == "Partition" || name == "Region" || name == "Account",
			kind:     varKinds[lower],
			key:      []byte(lower),
		})
		rest = rest[i+j+1:]
	}
	if n := len(a.parts); n > 0 && a.parts[n-1].variable {
		a.parts[n-1].colon = true
	}
	return a
}

// matchARN reports whether arn is an instance of the ARN format. It is
// stricter than catalog.MatchARN, which lets any resource variable span '/'
// and ':' (so that a bucket format matches an object ARN): here a variable
// matches a non-empty run without ':' or '/', except that path-like
// variables (names with "Path", ObjectName, SecretId, ...) may contain '/',
// and the last variable of a format may contain ':' (a Lambda qualifier).
func matchARN(format, arn string) bool {
	return compileARN(format).match([]byte(arn))
}

func (a *arnFormat) match(arn []byte) bool {
	if len(arn) > maxARN || !a.wellFormed {
		return false
	}
	return a.matchFrom(0, arn)
}

// matchFrom reports whether s matches parts[k:].
func (a *arnFormat) matchFrom(k int, s []byte) bool {
	if k == len(a.parts) {
		return len(s) == 0
	}
	g := &a.parts[k]
	if !g.variable {
		rest, ok := bytes.CutPrefix(s, g.lit)
		return ok && a.matchFrom(k+1, rest)
	}
	if k == len(a.parts)-1 {
		// The last variable takes all the rest.
		return len(s) > 0 && (g.slash || bytes.IndexByte(s, '/') < 0) && (g.colon || bytes.IndexByte(s, ':') < 0)
	}
	// The variable takes s[:i] for some i > 0. When a literal follows, only
	// an i where that literal starts can match.
	var next byte
	literalNext := k+1 < len(a.parts) && !a.parts[k+1].variable
	if literalNext {
		next = a.parts[k+1].lit[0]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c == '/' && !g.slash) || (c == ':' && !g.colon) {
			return i > 0 && a.matchFrom(k+1, s[i:])
		}
		if i > 0 && (!literalNext || c == next) && a.matchFrom(k+1, s[i:]) {
			return true
		}
	}
	return len(s) > 0 && a.matchFrom(k+1, s[len(s):])
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
func passedRoles(raw []byte) []string {
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
