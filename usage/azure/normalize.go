package azure

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	stdjson "encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-json"

	"github.com/leastpriv/pare/usage/record"
)

// Skip reasons, the keys of record.Stats.Skipped, besides the names of the
// skipped categories in skippedCategories.
const (
	SkipOtherCategory = "other category"
)

// skippedCategories are the Activity Log categories that are not a
// principal's own operations, by lower-cased name, with the name Stats
// counts them under.
var skippedCategories = map[string]string{
	"servicehealth":  "ServiceHealth",
	"resourcehealth": "ResourceHealth",
	"alert":          "Alert",
	"autoscale":      "Autoscale",
	"recommendation": "Recommendation",
	"policy":         "Policy",
	"security":       "Security",
}

// administrative reports whether a category holds a principal's own
// operations: Administrative, or the operation types the older export wrote
// in its place.
func administrative(cat string) bool {
	for _, c := range [...]string{"Administrative", "Write", "Delete", "Action"} {
		if strings.EqualFold(cat, c) {
			return true
		}
	}
	return false
}

// phase is where a record stands in its operation.
type phase int

const (
	phaseUnknown phase = iota
	phaseStart         // Started, Accepted, BeginRequest: the outcome follows
	phaseSuccess
	phaseFailure
)

// phaseOf classifies a status (REST status.value or export resultType).
func phaseOf(status string) phase {
	switch strings.ToLower(status) {
	case "start", "started", "accept", "accepted", "beginrequest", "inprogress", "active":
		return phaseStart
	case "success", "succeeded":
		return phaseSuccess
	case "failure", "failed", "canceled", "cancelled", "cancel":
		return phaseFailure
	}
	return phaseUnknown
}

// deniedCodes are error codes that mean the caller lacked permission.
var deniedCodes = []string{"AuthorizationFailed", "LinkedAuthorizationFailed", "Forbidden", "403"}

func isDenied(code string) bool {
	for _, c := range deniedCodes {
		if strings.EqualFold(code, c) {
			return true
		}
	}
	return false
}

// Bounds on what one Read holds back.
const (
	maxPending = 1 << 16 // operations waiting for their outcome
	maxSeen    = 1 << 16 // outcomes remembered to drop a late start half
)

// normalizer turns records into Events. It is used by one Read call.
type normalizer struct {
	cat Catalog
	rec rawRecord
	ev  record.Event // reused for every emitted event
	// pending holds operations whose start half was read and whose
	// outcome was not yet, by EventID: the Event before its action is
	// looked up.
	pending map[string]record.Event
	// seen holds the EventIDs of outcomes read, so that a start half that
	// comes after its outcome is dropped too.
	seen map[string]bool
	buf  []byte // scratch
}

func newNormalizer(cat Catalog) *normalizer {
	return &normalizer{cat: cat, pending: make(map[string]record.Event), seen: make(map[string]bool)}
}

// decode decodes raw into n.rec.
func (n *normalizer) decode(raw []byte) error {
	n.rec = rawRecord{}
	if firstByte(raw) != '{' {
		return errNotObject
	}
	if err := json.Unmarshal(raw, &n.rec); err == nil {
		return nil
	}
	var l looseRecord
	if err := json.Unmarshal(raw, &l); err != nil {
		return err
	}
	n.rec = rawRecord{recordFields: l.recordFields, Identity: identity(l.Identity)}
	return nil
}

type decodeError string

func (e decodeError) Error() string { return string(e) }

const errNotObject = decodeError("not a JSON object")

// wrapped returns the records of n.rec when it is a wrapper.
func (n *normalizer) wrapped() ([]json.RawMessage, bool) {
	switch {
	case n.rec.Records.set:
		return n.rec.Records.items, true
	case n.rec.Value.set:
		return n.rec.Value.items, true
	}
	return nil, false
}

// normalize emits the Events of the record in n.rec (decoded from raw), or
// holds them back when the record is the start half of an operation.
func (n *normalizer) normalize(i int, raw []byte, st *record.Stats, problem func(int, string), emit func(*record.Event) error) error {
	rec := &n.rec
	category := first(rec.Properties.EventCategory, string(rec.Category))
	if category == "" {
		// Older REST records (api-version 2015-04-01) have no category;
		// one with an authorization block is a principal's request.
		if first(rec.Authorization.Action, rec.Authorization.Scope, rec.Identity.Authorization.Action, rec.Identity.Authorization.Scope) == "" {
			problem(i, "record without category or authorization")
			return nil
		}
		category = "Administrative"
	}
	if !administrative(category) {
		if name, ok := skippedCategories[strings.ToLower(category)]; ok {
			st.Skip(name)
		} else {
			st.Skip(SkipOtherCategory)
		}
		return nil
	}
	op := strings.TrimSpace(first(string(rec.OperationName), rec.Authorization.Action, rec.Identity.Authorization.Action))
	if op == "" {
		problem(i, "record without operationName")
		return nil
	}
	status := first(string(rec.Status), rec.ResultType)
	ph := phaseOf(status)
	if strings.EqualFold(string(rec.EventName), "BeginRequest") {
		ph = phaseStart
	}
	if ph == phaseUnknown {
		if status == "" {
			problem(i, "record without status or resultType")
		} else {
			problem(i, "unknown status "+quoteShort(status))
		}
		return nil
	}
	t, ok := parseTime(string(first(rec.EventTimestamp, rec.Time)))
	if !ok {
		problem(i, "bad or missing time "+quoteShort(string(first(rec.EventTimestamp, rec.Time))))
		return nil
	}
	principal, kind, session := principalOf(rec)
	if principal == "" {
		problem(i, "no principal: neither an oid claim nor authorization.evidence.principalId")
		return nil
	}
	resource := resourceOf(rec)
	base := &n.ev
	*base = record.Event{
		Provider:      "azure",
		Time:          t,
		Principal:     principal,
		PrincipalKind: kind,
		Session:       session,
		Resource:      resource,
		Scope:         scopeOf(resource, string(rec.SubscriptionID), string(rec.ResourceGroupName)),
		Region:        strings.TrimSpace(string(rec.Location)),
		Service:       providerOf(op),
		Operation:     op,
		Index:         i,
	}
	base.EventID, n.buf = eventID(rec, op, resource, raw, n.buf)
	switch ph {
	case phaseStart:
		base.Outcome = record.Allowed
	case phaseSuccess:
		base.Outcome = record.Allowed
	case phaseFailure:
		base.ErrorCode, base.Outcome = failure(rec)
	}

	if ph == phaseStart {
		if n.seen[base.EventID] {
			return nil
		}
		if _, ok := n.pending[base.EventID]; ok {
			return nil // a second start half (Started, then Accepted)
		}
		ev := *base
		if len(n.pending) >= maxPending {
			if err := n.flush(emit); err != nil { // reuses n.ev
				return err
			}
		}
		n.pending[ev.EventID] = ev
		return nil
	}
	delete(n.pending, base.EventID)
	if len(n.seen) >= maxSeen {
		clear(n.seen)
	}
	n.seen[base.EventID] = true
	return n.events(emit)
}

// events emits the Event of n.ev. The reads an operation implies are not
// stored: synthesis infers them (synth/azure.InferReads), so the store holds
// only what the log recorded.
func (n *normalizer) events(emit func(*record.Event) error) error {
	base := &n.ev
	info, ok := n.cat.Operation(base.Operation)
	if !ok || info.Name == "" {
		base.Unmapped = "unknown Azure operation " + quoteShort(base.Operation)
		return emit(base)
	}
	base.Action = info.Name
	return emit(base)
}

// flush emits the held-back operations, in record order, and forgets them.
func (n *normalizer) flush(emit func(*record.Event) error) error {
	all := make([]record.Event, 0, len(n.pending))
	for _, ev := range n.pending {
		all = append(all, ev)
	}
	clear(n.pending)
	slices.SortFunc(all, func(a, b record.Event) int { return a.Index - b.Index })
	for _, ev := range all {
		n.ev = ev
		if err := n.events(emit); err != nil {
			return err
		}
	}
	return nil
}

// failure returns the error code and outcome of a failed operation. The
// code is the most specific one recorded: the error code in
// properties.statusMessage, else subStatus or resultSignature, else
// properties.statusCode.
func failure(rec *rawRecord) (string, record.Outcome) {
	sig := string(rec.ResultSignature)
	if j := strings.IndexByte(sig, '.'); j >= 0 {
		sig = sig[j+1:] // "Failed.Forbidden"
	}
	candidates := [...]string{
		statusMessageCode(string(rec.Properties.StatusMessage)),
		string(rec.SubStatus),
		sig,
		string(rec.Properties.StatusCode),
	}
	code := ""
	denied := false
	for _, c := range candidates {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if code == "" {
			code = c
		}
		denied = denied || isDenied(c)
	}
	if denied {
		return code, record.Denied
	}
	return code, record.Failed
}

// statusMessageCode returns error.code from a statusMessage such as
// {"error":{"code":"AuthorizationFailed","message":"..."}}, or "".
func statusMessageCode(msg string) string {
	if firstByte([]byte(msg)) != '{' {
		return ""
	}
	var v struct {
		Error struct {
			Code text `json:"code"`
		} `json:"error"`
		Code text `json:"code"`
	}
	if err := json.Unmarshal([]byte(msg), &v); err != nil {
		return ""
	}
	return string(first(v.Error.Code, v.Code))
}

// principalOf returns the principal's canonical object id, its kind and
// a display name.
func principalOf(rec *rawRecord) (id, kind, session string) {
	cl := &rec.Claims
	if isEmptyClaims(cl) {
		cl = &rec.Identity.Claims
	}
	ev := &rec.Authorization.Evidence
	if ev.PrincipalID == "" && ev.PrincipalType == "" {
		ev = &rec.Identity.Authorization.Evidence
	}
	id = canonicalID(string(first(cl.ObjectIDLong, cl.ObjectID)))
	evID := canonicalID(string(ev.PrincipalID))
	if id == "" {
		id = evID
	}
	if id == "" {
		return "", "", ""
	}
	// The evidence's principalType says what the principal is only when
	// the evidence is about that principal.
	pt := ""
	if evID == id {
		pt = strings.TrimSpace(string(ev.PrincipalType))
	}
	upn := first(cl.UPNLong, cl.UPN)
	appID := first(cl.AppID, cl.AZP)
	switch {
	case cl.MIResourceID != "":
		kind = "managed-identity"
	case strings.EqualFold(pt, "User"):
		kind = "user"
	case strings.EqualFold(pt, "ServicePrincipal"):
		kind = "service-principal"
	case pt != "":
		kind = strings.ToLower(pt)
	case strings.EqualFold(string(cl.IDType), "user"):
		kind = "user"
	case strings.EqualFold(string(cl.IDType), "app"):
		kind = "service-principal"
	case upn != "":
		kind = "user"
	case appID != "":
		kind = "service-principal"
	default:
		kind = "unknown"
	}
	if kind == "managed-identity" {
		session = string(cl.MIResourceID)
	} else {
		session = string(first(upn, cl.UniqueName, cl.NameLong, appID, rec.Caller, rec.Identity.Name))
	}
	return id, kind, strings.TrimSpace(session)
}

func isEmptyClaims(c *claims) bool { return *c == claims{} }

// canonicalID lower-cases an object id and writes a 32-digit GUID (the
// evidence's form) with dashes (the claims' form).
func canonicalID(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) != 32 {
		return s
	}
	for k := 0; k < len(s); k++ {
		c := s[k]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return s
		}
	}
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// resourceOf returns the resource id as recorded: resourceId, else the
// authorization scope, else the REST id without its /events/ suffix.
func resourceOf(rec *rawRecord) string {
	if r := strings.TrimSpace(string(rec.ResourceID)); r != "" {
		return r
	}
	if r := string(first(rec.Authorization.Scope, rec.Identity.Authorization.Scope)); r != "" {
		return r
	}
	id := string(rec.ID)
	if j := strings.Index(strings.ToLower(id), "/events/"); j > 0 {
		return id[:j]
	}
	return ""
}

// scopeOf returns the scope of a resource id: its resource group, its
// subscription, its management group, or "/" for the tenant. When the id
// names no subscription, sub and rg (the record's subscriptionId and
// resourceGroupName) are used.
func scopeOf(resource, sub, rg string) string {
	var seg [4]string
	rest := strings.TrimPrefix(resource, "/")
	for k := range seg {
		var ok bool
		seg[k], rest, ok = strings.Cut(rest, "/")
		if !ok {
			break
		}
	}
	switch {
	case strings.EqualFold(seg[0], "subscriptions") && seg[1] != "":
		sub, rg = seg[1], ""
		if strings.EqualFold(seg[2], "resourceGroups") && seg[3] != "" {
			rg = seg[3]
		}
	case strings.EqualFold(seg[0], "providers") && strings.EqualFold(seg[1], "Microsoft.Management") &&
		strings.EqualFold(seg[2], "managementGroups") && seg[3] != "":
		return "/providers/Microsoft.Management/managementGroups/" + strings.ToLower(seg[3])
	}
	sub, rg = strings.TrimSpace(sub), strings.TrimSpace(rg)
	if sub == "" || strings.Contains(sub, "/") || strings.Contains(rg, "/") {
		return "/"
	}
	if rg == "" {
		return "/subscriptions/" + strings.ToLower(sub)
	}
	return "/subscriptions/" + strings.ToLower(sub) + "/resourceGroups/" + strings.ToLower(rg)
}

// providerOf returns the resource provider of an operation, as recorded.
func providerOf(op string) string {
	if j := strings.IndexByte(op, '/'); j > 0 {
		return op[:j]
	}
	return ""
}

// eventID is the Event's dedupe key (see the package doc). buf is
// scratch space, returned for reuse.
func eventID(rec *rawRecord, op, resource string, raw, buf []byte) (string, []byte) {
	b := buf[:0]
	switch {
	case strings.TrimSpace(rec.CorrelationID) != "":
		b = append(b, "op\x00"...)
		b = appendLower(b, strings.TrimSpace(rec.CorrelationID))
		b = append(b, 0)
		b = appendLower(b, op)
		b = append(b, 0)
		b = appendLower(b, resource)
	case rec.EventDataID != "":
		b = append(b, "eventDataId\x00"...)
		b = appendLower(b, rec.EventDataID)
	default:
		b = append(b, "content\x00"...)
		c := bytes.NewBuffer(b)
		if err := stdjson.Compact(c, raw); err != nil {
			c.Write(raw)
		}
		b = c.Bytes()
	}
	sum := sha256.Sum256(b)
	var out [len("azure:") + 32]byte
	copy(out[:], "azure:")
	hex.Encode(out[len("azure:"):], sum[:16])
	return string(out[:]), b
}

// appendLower appends s lower-cased (ASCII letters only: Azure's ids and
// names compare case-insensitively in ASCII).
func appendLower(b []byte, s string) []byte {
	for k := 0; k < len(s); k++ {
		c := s[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// parseTime parses an RFC 3339 time into UTC; it reports false for a bad or
// zero time.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil || t.IsZero() {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// first returns the first of ss that is not blank.
func first[S ~string](ss ...S) S {
	for _, s := range ss {
		if strings.TrimSpace(string(s)) != "" {
			return s
		}
	}
	return ""
}

func quoteShort(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + s + `"`
}
