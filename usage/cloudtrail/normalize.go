package cloudtrail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	stdjson "encoding/json"
	"strings"

	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/usage/internal/intern"
	"github.com/leastpriv/pare/usage/jsonscan"
	"github.com/leastpriv/pare/usage/record"
)

// deniedCodes are error codes that mean the caller lacked permission,
// without a "Client." or "Server." prefix.
var deniedCodes = map[string]bool{
	"AccessDenied":                     true,
	"AccessDeniedException":            true,
	"UnauthorizedOperation":            true,
	"UnauthorizedAccess":               true,
	"UnauthorizedAccessException":      true,
	"UnauthorizedException":            true,
	"AuthorizationError":               true,
	"AuthorizationErrorException":      true,
	"AuthorizationException":           true,
	"Forbidden":                        true,
	"ForbiddenException":               true,
	"AllAccessDisabled":                true,
	"InsufficientPermissions":          true,
	"InsufficientPermissionsException": true,
	"NotAuthorized":                    true,
}

// outcome classifies an errorCode.
func outcome(code string) record.Outcome {
	if code == "" {
		return record.Allowed
	}
	c := strings.TrimPrefix(strings.TrimPrefix(code, "Client."), "Server.")
	if deniedCodes[c] {
		return record.Denied
	}
	return record.Failed
}

// noResource is the resource list of an action whose resource is unknown.
// It is never modified.
var noResource = []string{""}

// Sizes of a normalizer's caches, whose keys come from the input.
const (
	cacheLimit = 4096 // event plans; a full cache is emptied and refilled
	strsSize   = 8192 // interned strings (a power of two)
	internMax  = 256  // longest string interned
)

// normalizer turns records into Events. It is used by one Read call at a
// time (Reader keeps a pool of them), so its caches need no locks; they
// survive from one Read to the next and never change what is emitted.
type normalizer struct {
	cat   Catalog
	rec   fields
	ev    record.Event // reused for every emitted event
	fill  filler
	plans map[[2]string]*eventPlan
	// formats holds the compiled ARN formats, shared by plans.
	formats map[string]*arnFormat
	// strs interns the strings Events carry: principals, regions,
	// services, ARNs repeat from record to record.
	strs *intern.Table
	// last is the string str gave at each slot: consecutive records of
	// one file mostly share their account, region, service and principal,
	// and comparing with the last one is cheaper than a map look-up.
	last [numSlots]string
	buf  []byte // scratch for built strings
}

// Slots of normalizer.last.
const (
	slotAccount = iota
	slotRegion
	slotSource
	slotName
	slotIssuer
	numSlots
)

// strAt is str with a one-entry cache at slot.
func (n *normalizer) strAt(slot int, b []byte) string {
	if s := n.last[slot]; s == string(b) {
		return s
	}
	s := n.str(b)
	n.last[slot] = s
	return s
}

func newNormalizer(cat Catalog) *normalizer {
	n := &normalizer{
		cat:     cat,
		plans:   make(map[[2]string]*eventPlan),
		formats: make(map[string]*arnFormat),
		strs:    intern.New(strsSize, internMax),
	}
	n.fill.norm = n
	return n
}

// release drops the references into the input just read (the record's
// fields, the last Event), so that an idle normalizer holds no input memory.
func (n *normalizer) release() {
	res := n.rec.resources[:cap(n.rec.resources)]
	clear(res)
	n.rec = fields{resources: res[:0]}
	params := n.fill.params[:cap(n.fill.params)]
	clear(params)
	n.fill.params = params[:0]
	n.fill.rec = nil
	n.ev = record.Event{}
}

// str returns b as a string, interned.
func (n *normalizer) str(b []byte) string { return n.strs.String(b) }

// eventPlan is what one eventSource and eventName need, worked out once:
// the catalog's mapping, and each action's canonical name and compiled
// resource types.
type eventPlan struct {
	m        catalog.Mapping
	unmapped string // Event.Unmapped when m has no action
	actions  []actionPlan
}

type actionPlan struct {
	name  string // canonical spelling
	known bool   // the catalog has the action
	types []resourcePlan
	// required is true when some type is required: then all required
	// types must be found; else the first type found is used.
	required bool
}

type resourcePlan struct {
	required bool
	formats  []*arnFormat
}

func (n *normalizer) plan(source, name string) *eventPlan {
	k := [2]string{source, name}
	if p, ok := n.plans[k]; ok {
		return p
	}
	m := n.cat.MapEvent(source, name)
	p := &eventPlan{m: m}
	if len(m.Actions) == 0 {
		p.unmapped = m.Reason
		if p.unmapped == "" {
			p.unmapped = "no mapping for " + source + " " + name
		}
	}
	for _, a := range m.Actions {
		info, ok := n.cat.Action(a)
		ap := actionPlan{name: a, known: ok}
		if ok && info.Name != "" {
			ap.name = info.Name
		}
		if ok {
			for _, rt := range info.ResourceTypes {
				rp := resourcePlan{required: rt.Required}
				for _, f := range rt.ARNFormats {
					rp.formats = append(rp.formats, n.format(f))
				}
				ap.types = append(ap.types, rp)
				ap.required = ap.required || rt.Required
			}
		}
		p.actions = append(p.actions, ap)
	}
	if len(n.plans) >= cacheLimit {
		clear(n.plans)
		clear(n.formats)
	}
	n.plans[k] = p
	return p
}

func (n *normalizer) format(s string) *arnFormat {
	f, ok := n.formats[s]
	if !ok {
		f = compileARN(s)
		n.formats[s] = f
	}
	return f
}

// Skip reasons, the keys of record.Stats.Skipped.
const (
	SkipSignIn       = "AwsConsoleSignIn"
	SkipServiceEvent = "AwsServiceEvent"
	SkipInsight      = "Insight"
	SkipService      = "AWSService caller"
	SkipNoPermission = "needs no permission"
	SkipOtherType    = "other eventType"
)

// normalize decodes one record and emits its Events. When decoded is true,
// n.rec already holds raw's fields.
func (n *normalizer) normalize(i int, raw []byte, decoded bool, st *record.Stats, problem func(int, string), emit func(*record.Event) error) error {
	rec := &n.rec
	if !decoded && !decodeFast(raw, rec) {
		if err := decodeSlow(raw, rec); err != nil {
			problem(i, "invalid record: "+jsonscan.ShortError(err))
			return nil
		}
	}
	if string(rec.eventCategory) == "Insight" || string(rec.eventType) == "AwsCloudTrailInsight" || rec.insight {
		st.Skip(SkipInsight)
		return nil
	}
	switch string(rec.eventType) {
	case "AwsApiCall", "":
	case "AwsConsoleSignIn":
		st.Skip(SkipSignIn)
		return nil
	case "AwsServiceEvent":
		st.Skip(SkipServiceEvent)
		return nil
	default:
		st.Skip(SkipOtherType)
		return nil
	}
	if len(rec.eventSource) == 0 || len(rec.eventName) == 0 {
		problem(i, "record without eventSource or eventName")
		return nil
	}
	if len(rec.uType) == 0 && len(rec.arn) == 0 && len(rec.principalID) == 0 && len(rec.accountID) == 0 {
		problem(i, "record without userIdentity")
		return nil
	}
	if string(rec.uType) == "AWSService" {
		st.Skip(SkipService)
		return nil
	}
	t, ok := jsonscan.ParseTime(rec.eventTime)
	if !ok {
		problem(i, "bad eventTime "+quoteShort(string(rec.eventTime)))
		return nil
	}
	base := &n.ev
	*base = record.Event{
		Provider:  "aws",
		Time:      t,
		Scope:     n.strAt(slotAccount, rec.accountID),
		Region:    n.strAt(slotRegion, rec.awsRegion),
		ErrorCode: n.str(rec.errorCode),
		Service:   n.strAt(slotSource, rec.eventSource),
		Operation: n.strAt(slotName, rec.eventName),
		Index:     i,
	}
	base.Outcome = outcome(base.ErrorCode)
	if base.Scope == "" {
		base.Scope = n.str(rec.recipientAccountID)
	}
	base.Principal, base.PrincipalKind, base.Session = n.principal(rec)
	if base.Principal == "" {
		problem(i, "userIdentity names no principal")
		return nil
	}
	base.Via = n.via(rec.invokedBy, rec.sourceIP)
	if len(rec.eventID) > 0 {
		base.EventID = string(rec.eventID)
	} else {
		base.EventID = contentID(raw)
	}

	p := n.plan(base.Service, base.Operation)
	if p.m.NoPermission {
		st.Skip(SkipNoPermission)
		return nil
	}
	fill := &n.fill
	fill.reset(rec, base.Scope)
	if len(p.m.Actions) == 0 {
		base.Unmapped = p.unmapped
		if err := emit(base); err != nil {
			return err
		}
		base.Unmapped = ""
	}
	for k := range p.actions {
		a := &p.actions[k]
		var arns []string
		if a.known {
			arns = fill.resources(a)
		}
		if len(arns) == 0 {
			arns = noResource
		}
		for _, arn := range arns {
			base.Action = a.name
			base.Resource = arn
			if err := emit(base); err != nil {
				return err
			}
		}
	}
	if base.Service != "sts.amazonaws.com" && base.Service != "iam.amazonaws.com" {
		for _, arn := range passedRoles(rec.requestParameters) {
			base.Action = "iam:PassRole"
			base.Resource = arn
			base.Inferred = true
			if err := emit(base); err != nil {
				return err
			}
		}
	}
	return nil
}

// principal returns the canonical principal, its kind and the session
// detail for a record's userIdentity.
func (n *normalizer) principal(u *fields) (id, kind, session string) {
	switch string(u.uType) {
	case "AssumedRole":
		session = n.str(sessionName(u.arn))
		id = n.strAt(slotIssuer, u.issuerARN)
		if id == "" {
			id = n.roleFromAssumed(u.arn)
		}
		if id == "" {
			id = n.str(firstNonEmpty(u.arn, u.principalID))
		}
		return id, "role", session
	case "IAMUser":
		id = n.str(u.arn)
		if id == "" && len(u.accountID) > 0 && len(u.userName) > 0 {
			id = n.build("arn:", partition(u.awsRegion), ":iam::", u.accountID, ":user/", u.userName)
		}
		if id == "" {
			id = n.str(u.principalID)
		}
		return id, "user", n.str(u.accessKeyID)
	case "Root":
		if len(u.accountID) > 0 {
			id = n.build("arn:", partitionOf(u.arn, u.awsRegion), ":iam::", u.accountID, ":root")
		} else {
			id = n.str(u.arn)
		}
		return id, "root", n.str(u.accessKeyID)
	case "FederatedUser":
		id = n.str(firstNonEmpty(u.issuerARN, u.arn, u.principalID))
		return id, "federated", n.str(sessionName(u.arn))
	case "SAMLUser", "WebIdentityUser":
		kind = "saml"
		if string(u.uType) == "WebIdentityUser" {
			kind = "web-identity"
		}
		if len(u.identityProvider) > 0 && len(u.userName) > 0 {
			id = n.build(u.identityProvider, ":", u.userName)
		} else {
			id = n.str(u.principalID)
		}
		return id, kind, n.str(u.userName)
	case "AWSAccount":
		if len(u.accountID) > 0 {
			id = n.build("arn:", partition(u.awsRegion), ":iam::", u.accountID, ":root")
		} else {
			id = n.str(u.principalID)
		}
		return id, "account", n.str(u.principalID)
	}
	id = n.str(firstNonEmpty(u.arn, u.principalID))
	if id == "" && len(u.onBehalfOfUserID) > 0 {
		id = n.build(u.identityStoreARN, "/", u.onBehalfOfUserID)
	}
	kind = n.lower(u.uType)
	if kind == "" {
		kind = "unknown"
	}
	return id, kind, n.str(u.userName)
}

// build concatenates parts, each a string or a []byte, into an interned
// string.
func (n *normalizer) build(parts ...any) string {
	b := n.buf[:0]
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			b = append(b, p...)
		case []byte:
			b = append(b, p...)
		}
	}
	n.buf = b
	return n.str(b)
}

// lower is strings.ToLower of b, interned.
func (n *normalizer) lower(b []byte) string {
	n.buf = jsonscan.AppendLower(n.buf[:0], b)
	return n.str(n.buf)
}

// sessionName returns the last path element of an assumed-role or
// federated-user ARN: the session or federated user name.
func sessionName(arn []byte) []byte {
	if j := bytes.Index(arn, []byte(":assumed-role/")); j >= 0 {
		rest := arn[j+len(":assumed-role/"):]
		k := bytes.LastIndexByte(rest, '/')
		if k < 0 {
			return nil
		}
		return rest[k+1:]
	}
	if j := bytes.Index(arn, []byte(":federated-user/")); j >= 0 {
		return arn[j+len(":federated-user/"):]
	}
	return nil
}

// roleFromAssumed turns arn:P:sts::A:assumed-role/R/S into arn:P:iam::A:role/R.
func (n *normalizer) roleFromAssumed(arn []byte) string {
	// The first five ':' split arn into six parts, the last the rest.
	var parts [6][]byte
	rest := arn
	for k := 0; k < 5; k++ {
		j := bytes.IndexByte(rest, ':')
		if j < 0 {
			return ""
		}
		parts[k], rest = rest[:j], rest[j+1:]
	}
	parts[5] = rest
	if string(parts[0]) != "arn" || string(parts[2]) != "sts" {
		return ""
	}
	rest, ok := bytes.CutPrefix(parts[5], []byte("assumed-role/"))
	if !ok {
		return ""
	}
	k := bytes.LastIndexByte(rest, '/')
	if k <= 0 {
		return ""
	}
	return n.build("arn:", parts[1], ":iam::", parts[4], ":role/", rest[:k])
}

// partition is the AWS partition of a region.
func partition(region []byte) string {
	switch {
	case bytes.HasPrefix(region, []byte("cn-")):
		return "aws-cn"
	case bytes.HasPrefix(region, []byte("us-gov-")):
		return "aws-us-gov"
	case bytes.HasPrefix(region, []byte("us-isob-")):
		return "aws-iso-b"
	case bytes.HasPrefix(region, []byte("us-iso-")):
		return "aws-iso"
	}
	return "aws"
}

// partitionOf takes the partition from an ARN, else from the region.
func partitionOf(arn, region []byte) []byte {
	if p, ok := bytes.CutPrefix(arn, []byte("arn:")); ok {
		if j := bytes.IndexByte(p, ':'); j > 0 && bytes.HasPrefix(p[:j], []byte("aws")) {
			return p[:j]
		}
	}
	return []byte(partition(region))
}

// via names the AWS service that made a call with the principal's
// permissions, or "".
func (n *normalizer) via(invokedBy, sourceIP []byte) string {
	if isService(invokedBy) {
		return n.str(invokedBy)
	}
	if isService(sourceIP) {
		return n.str(sourceIP)
	}
	return ""
}

func isService(s []byte) bool {
	return string(s) == "AWS Internal" || (bytes.HasSuffix(s, []byte(".amazonaws.com")) && len(s) > len(".amazonaws.com"))
}

func firstNonEmpty(ss ...[]byte) []byte {
	for _, s := range ss {
		if len(s) > 0 {
			return s
		}
	}
	return nil
}

// contentID is the EventID of a record without eventID: a hash of its
// compacted bytes, so that the same record gets the same id in any shape.
func contentID(raw []byte) string {
	var b bytes.Buffer
	if err := stdjson.Compact(&b, raw); err != nil {
		b.Reset()
		b.Write(raw)
	}
	sum := sha256.Sum256(b.Bytes())
	return "sha256:" + hex.EncodeToString(sum[:16])
}

func quoteShort(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + s + `"`
}
