package azure

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	stdjson "encoding/json"
	"strings"

	"github.com/goccy/go-json"

	"github.com/leastpriv/pare/usage/internal/hold"
	"github.com/leastpriv/pare/usage/internal/intern"
	"github.com/leastpriv/pare/usage/jsonscan"
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
func administrative(cat []byte) bool {
	for _, c := range [...]string{"Administrative", "Write", "Delete", "Action"} {
		if equalFold(cat, c) {
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
func phaseOf(status []byte) phase {
	var buf [16]byte
	switch string(jsonscan.AppendLower(buf[:0], status)) {
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

func isDenied(code []byte) bool {
	for _, c := range deniedCodes {
		if equalFold(code, c) {
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

// Sizes of a normalizer's caches, whose keys come from the input.
const (
	opsLimit      = 4096 // operations; a full cache is emptied and refilled
	strsSize      = 8192 // interned strings (a power of two)
	resourcesSize = 8192 // interned resource ids (a power of two)
	internMax     = 256  // longest string interned
	resourceMax   = 1024 // longest resource id interned
)

// normalizer turns records into Events. It is used by one Read call at a
// time (Reader keeps a pool of them), so its caches need no locks; they
// survive from one Read to the next and never change what is emitted. What
// one Read holds back (pending, seen) is reset for each.
type normalizer struct {
	cat  Catalog
	rec  fields
	wrap []json.RawMessage // the records of a wrapper decoded by decode
	ev   record.Event      // reused for every emitted event
	// pending holds the operations whose start half was read and whose
	// outcome was not yet, by EventID hash, in record order.
	pending hold.Queue[idKey, record.Event]
	// seen holds the EventIDs of outcomes read, so that a start half that
	// comes after its outcome is dropped too.
	seen map[idKey]struct{}

	// ops caches what an operation name (as recorded) gives: its
	// canonical action from the catalog.
	ops map[string]*opInfo
	// strs interns the strings Events carry: principals, sessions,
	// regions repeat from record to record.
	strs *intern.Table
	// resources interns resource ids: apart from strs, as they are many
	// and longer.
	resources *intern.Table

	buf, idBuf, evBuf, scopeBuf []byte // scratch
}

// idKey is the hash an EventID is the hex of.
type idKey [16]byte

// opInfo is what an operation name gives an Event.
type opInfo struct {
	op, service      string
	action, unmapped string
}

func newNormalizer(cat Catalog) *normalizer {
	return &normalizer{
		cat:       cat,
		seen:      make(map[idKey]struct{}),
		ops:       make(map[string]*opInfo),
		strs:      intern.New(strsSize, internMax),
		resources: intern.New(resourcesSize, resourceMax),
	}
}

// reset forgets what the previous Read held back and the references into
// its input, so that an idle normalizer holds no input memory.
func (n *normalizer) reset() {
	n.rec = fields{}
	n.wrap = nil
	n.ev = record.Event{}
	n.pending.Reset()
	clear(n.seen)
}

// str returns b as a string, interned.
func (n *normalizer) str(b []byte) string { return n.strs.String(b) }

// op returns what the operation name op gives.
func (n *normalizer) op(op []byte) *opInfo {
	if o, ok := n.ops[string(op)]; ok {
		return o
	}
	o := &opInfo{op: string(op), service: providerOf(string(op))}
	info, ok := n.cat.Operation(o.op)
	if !ok || info.Name == "" {
		o.unmapped = "unknown Azure operation " + quoteShort(o.op)
	} else {
		o.action = info.Name
	}
	if len(op) <= internMax {
		if len(n.ops) >= opsLimit {
			clear(n.ops)
		}
		n.ops[o.op] = o
	}
	return o
}

// resourceScope returns res as a string and its scope, both interned.
func (n *normalizer) resourceScope(res, sub, rg []byte) (string, string) {
	n.scopeBuf = appendScope(n.scopeBuf[:0], res, sub, rg)
	return n.resources.String(res), n.str(n.scopeBuf)
}

// decode decodes raw into n.rec, and into n.wrap the records of a wrapper.
func (n *normalizer) decode(raw []byte) error {
	n.wrap = nil
	if decodeFast(raw, &n.rec) {
		return nil
	}
	items, ok, err := decodeSlow(raw, &n.rec)
	if ok {
		n.wrap = items
		if n.wrap == nil {
			n.wrap = []json.RawMessage{}
		}
	}
	return err
}

// wrapped returns the records of the value decode read when it is a
// wrapper.
func (n *normalizer) wrapped() ([]json.RawMessage, bool) {
	return n.wrap, n.wrap != nil
}

// normalize emits the Events of the record in n.rec (decoded from raw), or
// holds them back when the record is the start half of an operation.
func (n *normalizer) normalize(i int, raw []byte, st *record.Stats, problem func(int, string), emit func(*record.Event) error) error {
	rec := &n.rec
	category := first(rec.eventCategory, rec.category)
	if category == nil {
		// Older REST records (api-version 2015-04-01) have no category;
		// one with an authorization block is a principal's request.
		if first(rec.auth.action, rec.auth.scope, rec.identity.auth.action, rec.identity.auth.scope) == nil {
			problem(i, "record without category or authorization")
			return nil
		}
	} else if !administrative(category) {
		if name, ok := skippedCategories[strings.ToLower(string(category))]; ok {
			st.Skip(name)
		} else {
			st.Skip(SkipOtherCategory)
		}
		return nil
	}
	opName := bytes.TrimSpace(first(rec.operationName, rec.auth.action, rec.identity.auth.action))
	if len(opName) == 0 {
		problem(i, "record without operationName")
		return nil
	}
	status := first(rec.status, rec.resultType)
	ph := phaseOf(status)
	if equalFold(rec.eventName, "BeginRequest") {
		ph = phaseStart
	}
	if ph == phaseUnknown {
		if status == nil {
			problem(i, "record without status or resultType")
		} else {
			problem(i, "unknown status "+quoteShort(string(status)))
		}
		return nil
	}
	when := first(rec.eventTimestamp, rec.time)
	t, ok := jsonscan.ParseTime(when)
	if !ok {
		problem(i, "bad or missing time "+quoteShort(string(when)))
		return nil
	}
	principal, kind, session, grant := n.principalOf(rec)
	if principal == "" {
		problem(i, "no principal: neither an oid claim nor authorization.evidence.principalId")
		return nil
	}
	op := n.op(opName)
	resBytes := resourceOf(rec)
	resource, scope := n.resourceScope(resBytes, rec.subscriptionID, rec.resourceGroupName)
	base := &n.ev
	*base = record.Event{
		Provider:      "azure",
		Time:          t,
		Principal:     principal,
		PrincipalKind: kind,
		Session:       session,
		Grant:         grant,
		Resource:      resource,
		Scope:         scope,
		Region:        n.str(bytes.TrimSpace(rec.location)),
		Service:       op.service,
		Operation:     op.op,
		Action:        op.action,
		Unmapped:      op.unmapped,
		Index:         i,
	}
	var key idKey
	base.EventID, key, n.buf = eventID(rec, opName, resBytes, raw, n.buf)
	switch ph {
	case phaseStart:
		base.Outcome = record.Allowed
	case phaseSuccess:
		base.Outcome = record.Allowed
	case phaseFailure:
		var code []byte
		code, base.Outcome = failure(rec)
		base.ErrorCode = n.str(code)
	}

	if ph == phaseStart {
		if _, ok := n.seen[key]; ok {
			return nil
		}
		if _, ok := n.pending.Find(key); ok {
			return nil // a second start half (Started, then Accepted)
		}
		if n.pending.Len() >= maxPending {
			ev := *base
			if err := n.flush(emit); err != nil { // reuses n.ev
				return err
			}
			n.ev = ev
		}
		n.pending.Hold(key, *base)
		return nil
	}
	n.pending.Drop(key)
	if len(n.seen) >= maxSeen {
		clear(n.seen)
	}
	n.seen[key] = struct{}{}
	// The reads an operation implies are not stored: synthesis infers
	// them (synth/azure.InferReads), so the store holds only what the log
	// recorded.
	return emit(base)
}

// flush emits the held-back operations, in record order, and forgets them.
func (n *normalizer) flush(emit func(*record.Event) error) error {
	return n.pending.Flush(func(ev *record.Event) error {
		n.ev = *ev
		return emit(&n.ev)
	})
}

// failure returns the error code and outcome of a failed operation. The
// code is the most specific one recorded: the error code in
// properties.statusMessage, else subStatus or resultSignature, else
// properties.statusCode.
func failure(rec *fields) ([]byte, record.Outcome) {
	sig := rec.resultSignature
	if j := bytes.IndexByte(sig, '.'); j >= 0 {
		sig = sig[j+1:] // "Failed.Forbidden"
	}
	candidates := [...][]byte{
		statusMessageCode(rec.statusMessage),
		rec.subStatus,
		sig,
		rec.statusCode,
	}
	var code []byte
	denied := false
	for _, c := range candidates {
		c = bytes.TrimSpace(c)
		if len(c) == 0 {
			continue
		}
		if code == nil {
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
func statusMessageCode(msg []byte) []byte {
	if jsonscan.FirstByte(msg) != '{' {
		return nil
	}
	if code, ok := fastStatusCode(msg); ok {
		return code
	}
	return slowStatusCode(msg)
}

// slowStatusCode is statusMessageCode with goccy: the reference.
func slowStatusCode(msg []byte) []byte {
	var v struct {
		Error struct {
			Code text `json:"code"`
		} `json:"error"`
		Code text `json:"code"`
	}
	if err := json.Unmarshal(msg, &v); err != nil {
		return nil
	}
	return first([]byte(v.Error.Code), []byte(v.Code))
}

// fastStatusCode is statusMessageCode with the fast decoder, for a
// statusMessage that it takes; it reports false for the others.
func fastStatusCode(msg []byte) ([]byte, bool) {
	var scratch []byte
	d := fastDecoder{Decoder: jsonscan.NewDecoder(msg, &scratch)}
	d.SkipSpace()
	var errCode, code []byte
	var seen, seenErr uint32
	ok := d.Object(func(k []byte) bool {
		switch string(k) {
		case "error":
			return d.ObjectField(&seen, 1<<0, func(k []byte) bool {
				if string(k) == "code" {
					return d.text(&errCode, &seenErr, 1<<0)
				}
				return !jsonscan.FoldsTo(k, codeKeys) && d.Skip(0)
			})
		case "code":
			return d.text(&code, &seen, 1<<1)
		}
		return !jsonscan.FoldsTo(k, statusMessageKeys) && d.Skip(0)
	})
	if !ok || jsonscan.SkipSpace(msg, d.Offset()) != len(msg) {
		return nil, false
	}
	return first(errCode, code), true
}

// principalOf returns the principal's canonical object id, its kind, a
// display name and, when the authorization evidence is about that
// principal, the role assignment it names.
func (n *normalizer) principalOf(rec *fields) (id, kind, session, grant string) {
	cl := &rec.claims
	if cl.empty() {
		cl = &rec.identity.claims
	}
	ev := &rec.auth
	if len(ev.principalID) == 0 && len(ev.principalType) == 0 {
		ev = &rec.identity.auth
	}
	n.idBuf = canonicalID(n.idBuf[:0], first(cl.objectIDLong, cl.objectID))
	n.evBuf = canonicalID(n.evBuf[:0], ev.principalID)
	idB, evID := n.idBuf, n.evBuf
	if len(idB) == 0 {
		idB = evID
	}
	if len(idB) == 0 {
		return "", "", "", ""
	}
	// The evidence's principalType says what the principal is only when
	// the evidence is about that principal.
	var pt []byte
	if bytes.Equal(evID, idB) {
		pt = bytes.TrimSpace(ev.principalType)
		grant = n.str(bytes.TrimSpace(ev.roleAssignmentID))
	}
	upn := first(cl.upnLong, cl.upn)
	appID := first(cl.appID, cl.azp)
	switch {
	case len(cl.miResourceID) > 0:
		kind = "managed-identity"
	case equalFold(pt, "User"):
		kind = "user"
	case equalFold(pt, "ServicePrincipal"):
		kind = "service-principal"
	case len(pt) > 0:
		kind = n.lower(pt)
	case equalFold(cl.idType, "user"):
		kind = "user"
	case equalFold(cl.idType, "app"):
		kind = "service-principal"
	case upn != nil:
		kind = "user"
	case appID != nil:
		kind = "service-principal"
	default:
		kind = "unknown"
	}
	var s []byte
	if kind == "managed-identity" {
		s = cl.miResourceID
	} else {
		s = first(upn, cl.uniqueName, cl.nameLong, appID, rec.caller, rec.identity.name)
	}
	return n.str(idB), kind, n.str(bytes.TrimSpace(s)), grant
}

// lower returns strings.ToLower of b, interned.
func (n *normalizer) lower(b []byte) string {
	n.buf = jsonscan.AppendLower(n.buf[:0], b)
	return n.str(n.buf)
}

// equalFold is strings.EqualFold for b and s.
func equalFold(b []byte, s string) bool {
	return string(b) == s || len(b) > 0 && strings.EqualFold(string(b), s)
}

// canonicalID appends the object id s lower-cased to dst, a 32-digit GUID
// (the evidence's form) with dashes (the claims' form).
func canonicalID(dst, s []byte) []byte {
	start := len(dst)
	dst = jsonscan.AppendLower(dst, bytes.TrimSpace(s))
	id := dst[start:]
	if len(id) != 32 {
		return dst
	}
	for _, c := range id {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return dst
		}
	}
	var g [36]byte
	copy(g[:], id[:8])
	g[8] = '-'
	copy(g[9:], id[8:12])
	g[13] = '-'
	copy(g[14:], id[12:16])
	g[18] = '-'
	copy(g[19:], id[16:20])
	g[23] = '-'
	copy(g[24:], id[20:])
	return append(dst[:start], g[:]...)
}

// resourceOf returns the resource id as recorded: resourceId, else the
// authorization scope, else the REST id without its /events/ suffix.
func resourceOf(rec *fields) []byte {
	if r := bytes.TrimSpace(rec.resourceID); len(r) > 0 {
		return r
	}
	if r := first(rec.auth.scope, rec.identity.auth.scope); r != nil {
		return r
	}
	// ASCII folding is enough: no other character lower-cases to an
	// ASCII letter but K (Kelvin sign) and İ, which "/events/" does not
	// have.
	if j := jsonscan.IndexLowerASCII(rec.id, "/events/"); j > 0 {
		return rec.id[:j]
	}
	return nil
}

// scopeOf returns the scope of a resource id: its resource group, its
// subscription, its management group, or "/" for the tenant. When the id
// names no subscription, sub and rg (the record's subscriptionId and
// resourceGroupName) are used.
func scopeOf(resource, sub, rg string) string {
	return string(appendScope(nil, []byte(resource), []byte(sub), []byte(rg)))
}

// appendScope appends scopeOf(resource, sub, rg) to dst.
func appendScope(dst, resource, sub, rg []byte) []byte {
	var seg [4][]byte
	rest := bytes.TrimPrefix(resource, []byte("/"))
	for k := range seg {
		var ok bool
		seg[k], rest, ok = bytes.Cut(rest, []byte("/"))
		if !ok {
			break
		}
	}
	switch {
	case equalFold(seg[0], "subscriptions") && len(seg[1]) > 0:
		sub, rg = seg[1], nil
		if equalFold(seg[2], "resourceGroups") && len(seg[3]) > 0 {
			rg = seg[3]
		}
	case equalFold(seg[0], "providers") && equalFold(seg[1], "Microsoft.Management") &&
		equalFold(seg[2], "managementGroups") && len(seg[3]) > 0:
		dst = append(dst, "/providers/Microsoft.Management/managementGroups/"...)
		return jsonscan.AppendLower(dst, seg[3])
	}
	sub, rg = bytes.TrimSpace(sub), bytes.TrimSpace(rg)
	if len(sub) == 0 || bytes.IndexByte(sub, '/') >= 0 || bytes.IndexByte(rg, '/') >= 0 {
		return append(dst, '/')
	}
	dst = append(dst, "/subscriptions/"...)
	dst = jsonscan.AppendLower(dst, sub)
	if len(rg) == 0 {
		return dst
	}
	dst = append(dst, "/resourceGroups/"...)
	return jsonscan.AppendLower(dst, rg)
}

// providerOf returns the resource provider of an operation, as recorded.
func providerOf(op string) string {
	if j := strings.IndexByte(op, '/'); j > 0 {
		return op[:j]
	}
	return ""
}

// eventID is the Event's dedupe key (see the package doc) and the hash it
// is the hex of. buf is scratch space, returned for reuse.
func eventID(rec *fields, op, resource, raw, buf []byte) (string, idKey, []byte) {
	b := buf[:0]
	switch corr := bytes.TrimSpace(rec.correlationID); {
	case len(corr) > 0:
		b = append(b, "op\x00"...)
		b = jsonscan.AppendLowerASCII(b, corr)
		b = append(b, 0)
		b = jsonscan.AppendLowerASCII(b, op)
		b = append(b, 0)
		b = jsonscan.AppendLowerASCII(b, resource)
	case len(rec.eventDataID) > 0:
		b = append(b, "eventDataId\x00"...)
		b = jsonscan.AppendLowerASCII(b, rec.eventDataID)
	default:
		b = append(b, "content\x00"...)
		c := bytes.NewBuffer(b)
		if err := stdjson.Compact(c, raw); err != nil {
			c.Write(raw)
		}
		b = c.Bytes()
	}
	sum := sha256.Sum256(b)
	var key idKey
	copy(key[:], sum[:])
	var out [len("azure:") + 32]byte
	copy(out[:], "azure:")
	hex.Encode(out[len("azure:"):], key[:])
	return string(out[:]), key, b
}

// first returns the first of ss that is not blank, or nil.
func first(ss ...[]byte) []byte {
	for _, s := range ss {
		if !blank(s) {
			return s
		}
	}
	return nil
}

// blank reports whether s is empty or only white space (as
// strings.TrimSpace has it).
func blank(s []byte) bool {
	for k := 0; k < len(s); k++ {
		switch c := s[k]; {
		case c >= 0x80:
			return len(strings.TrimSpace(string(s[k:]))) == 0
		case c != ' ' && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r':
			return false
		}
	}
	return true
}

func quoteShort(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + s + `"`
}
