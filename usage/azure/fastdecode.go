package azure

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// The fast decoder reads the fields of a record in one pass over its bytes,
// without allocating, for the common shape of a record: valid JSON, one
// object, every used field of its usual type (a string without escapes or
// null; an object with a "value" string for the text fields), no duplicate
// or differently-cased used key. It declines anything else, and the caller
// then decodes with decodeSlow (goccy), which gives the same fields or the
// error message. So it must accept only what goccy accepts and decode it
// the same way; FuzzDecodeFast checks it against decodeSlow. The JSON
// primitives mirror usage/cloudtrail's decoder.

// decodeFast fills f from raw when it can, and reports whether it did.
func decodeFast(raw []byte, f *fields) bool {
	i := skipWS(raw, 0)
	n, ok := decodeObject(raw[i:], f)
	return ok && skipWS(raw, i+n) == len(raw)
}

// decodeObject is decodeFast for the record object at the start of b,
// followed by anything; it returns the object's length. Reading records
// from the scanner's buffer with it finds where each ends and decodes it
// in one pass.
func decodeObject(b []byte, f *fields) (int, bool) {
	d := fastDecoder{b: b, unesc: &f.unescaped}
	*f = fields{unescaped: f.unescaped[:0]}
	if !d.record(f) {
		return 0, false
	}
	return d.i, true
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// maxFastDepth bounds the nesting the fast decoder skips over; deeper
// records take the slow path.
const maxFastDepth = 512

type fastDecoder struct {
	b         []byte
	i         int
	seenProps uint32  // properties members read, to catch duplicates
	unesc     *[]byte // where strings with escapes are unescaped
}

func (d *fastDecoder) ws() {
	for d.i < len(d.b) && d.b[d.i] <= ' ' {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// record reads the top-level object of a record.
func (d *fastDecoder) record(f *fields) bool {
	var seen uint32
	return d.object(func(k []byte) bool {
		switch string(k) {
		case "resourceId":
			return d.str(&f.resourceID, &seen, 1<<0)
		case "operationName":
			return d.text(&f.operationName, &seen, 1<<1)
		case "category":
			return d.text(&f.category, &seen, 1<<2)
		case "correlationId":
			return d.str(&f.correlationID, &seen, 1<<3)
		case "properties":
			return d.structObject(&seen, 1<<4, func(k []byte) bool { return d.properties(k, f) })
		case "time":
			return d.str(&f.time, &seen, 1<<5)
		case "resultType":
			return d.str(&f.resultType, &seen, 1<<6)
		case "resultSignature":
			return d.str(&f.resultSignature, &seen, 1<<7)
		case "identity":
			return d.identity(&f.identity, &seen, 1<<8)
		case "location":
			return d.str(&f.location, &seen, 1<<9)
		case "eventTimestamp":
			return d.str(&f.eventTimestamp, &seen, 1<<10)
		case "status":
			return d.text(&f.status, &seen, 1<<11)
		case "subStatus":
			return d.text(&f.subStatus, &seen, 1<<12)
		case "eventName":
			return d.text(&f.eventName, &seen, 1<<13)
		case "claims":
			var cs uint32
			return d.structObject(&seen, 1<<14, func(k []byte) bool { return d.claims(k, &f.claims, &cs) })
		case "authorization":
			var as uint32
			return d.structObject(&seen, 1<<15, func(k []byte) bool { return d.authorization(k, &f.auth, &as) })
		case "caller":
			return d.str(&f.caller, &seen, 1<<16)
		case "eventDataId":
			return d.str(&f.eventDataID, &seen, 1<<17)
		case "id":
			return d.str(&f.id, &seen, 1<<18)
		case "subscriptionId":
			return d.str(&f.subscriptionID, &seen, 1<<19)
		case "resourceGroupName":
			return d.str(&f.resourceGroupName, &seen, 1<<20)
		case "records", "value":
			return false // maybe a wrapper: the slow path knows
		case "durationMs", "callerIpAddress", "level", "tenantId", "RoleLocation", "resultDescription",
			"channels", "description", "httpRequest", "operationId", "resourceProviderName", "resourceType",
			"submissionTimestamp", "eventSource", "relatedEvents":
			return d.skip(0) // common members no field folds to: no need for foldsTo
		}
		return !foldsTo(k, recordFieldKeys) && d.skip(0)
	})
}

// properties reads one member of properties.
func (d *fastDecoder) properties(k []byte, f *fields) bool {
	// properties is read at most once, so one set of bits catches its
	// duplicate members.
	switch string(k) {
	case "eventCategory":
		return d.str(&f.eventCategory, &d.seenProps, 1<<0)
	case "statusCode":
		return d.text(&f.statusCode, &d.seenProps, 1<<1)
	case "statusMessage":
		return d.str(&f.statusMessage, &d.seenProps, 1<<2)
	case "entity", "message", "hierarchy", "serviceRequestId", "requestbody", "responseBody":
		return d.skip(0)
	}
	return !foldsTo(k, propertiesKeys) && d.skip(0)
}

// identity reads the export's identity: an object, a string (its name) or
// null.
func (d *fastDecoder) identity(id *identityFields, seen *uint32, bit uint32) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	if d.i >= len(d.b) {
		return false
	}
	switch d.b[d.i] {
	case 'n':
		return d.null()
	case '"':
		s, ok := d.stringValue()
		id.name = s
		return ok
	case '{':
		var own, as, cs uint32
		return d.object(func(k []byte) bool {
			switch string(k) {
			case "authorization":
				return d.structObject(&own, 1<<0, func(k []byte) bool { return d.authorization(k, &id.auth, &as) })
			case "claims":
				return d.structObject(&own, 1<<1, func(k []byte) bool { return d.claims(k, &id.claims, &cs) })
			}
			return !foldsTo(k, identityKeys) && d.skip(0)
		})
	}
	return false
}

// authorization reads one member of an authorization block; seen holds the
// members read of the block and of its evidence.
func (d *fastDecoder) authorization(k []byte, a *authFields, seen *uint32) bool {
	switch string(k) {
	case "action":
		return d.str(&a.action, seen, 1<<0)
	case "scope":
		return d.str(&a.scope, seen, 1<<1)
	case "evidence":
		return d.structObject(seen, 1<<2, func(k []byte) bool {
			var discard []byte
			switch string(k) {
			case "principalId":
				return d.str(&a.principalID, seen, 1<<3)
			case "principalType":
				return d.str(&a.principalType, seen, 1<<4)
			case "roleAssignmentId":
				return d.str(&a.roleAssignmentID, seen, 1<<5)
			case "roleDefinitionId":
				return d.str(&discard, seen, 1<<6)
			case "role", "roleAssignmentScope":
				return d.skip(0)
			}
			return !foldsTo(k, evidenceKeys) && d.skip(0)
		})
	}
	return !foldsTo(k, authorizationKeys) && d.skip(0)
}

// claims reads one member of a claims object.
func (d *fastDecoder) claims(k []byte, c *claimFields, seen *uint32) bool {
	switch string(k) {
	case "http://schemas.microsoft.com/identity/claims/objectidentifier":
		return d.str(&c.objectIDLong, seen, 1<<0)
	case "oid":
		return d.str(&c.objectID, seen, 1<<1)
	case "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":
		return d.str(&c.upnLong, seen, 1<<2)
	case "upn":
		return d.str(&c.upn, seen, 1<<3)
	case "unique_name":
		return d.str(&c.uniqueName, seen, 1<<4)
	case "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name":
		return d.str(&c.nameLong, seen, 1<<5)
	case "appid":
		return d.str(&c.appID, seen, 1<<6)
	case "azp":
		return d.str(&c.azp, seen, 1<<7)
	case "idtyp":
		return d.str(&c.idType, seen, 1<<8)
	case "xms_mirid":
		return d.str(&c.miResourceID, seen, 1<<9)
	case "aud", "iss", "iat", "nbf", "exp", "name", "ver", "appidacr", "ipaddr", "puid", "uti", "rh",
		"http://schemas.microsoft.com/identity/claims/tenantid", "http://schemas.microsoft.com/claims/authnmethodsreferences",
		"http://schemas.microsoft.com/claims/authnclassreference", "http://schemas.microsoft.com/identity/claims/scope",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier":
		return d.skip(0)
	}
	return !foldsTo(k, claimKeys) && d.skip(0)
}

// Lower-cased field names of each decoded object. goccy matches keys
// case-insensitively, so a key that differs from a field name only in case
// (or that is not ASCII) declines the fast path. identityKeys has "name"
// and "-" too: identity's Name field is never decoded from a key, and a
// record that has one is left to goccy rather than to a guess.
var (
	recordFieldKeys = []string{"resourceid", "operationname", "category", "correlationid", "properties",
		"time", "resulttype", "resultsignature", "identity", "location", "eventtimestamp", "status",
		"substatus", "eventname", "claims", "authorization", "caller", "eventdataid", "id",
		"subscriptionid", "resourcegroupname", "records", "value"}
	propertiesKeys    = []string{"eventcategory", "statuscode", "statusmessage"}
	identityKeys      = []string{"authorization", "claims", "name", "-"}
	authorizationKeys = []string{"action", "scope", "evidence"}
	evidenceKeys      = []string{"principalid", "principaltype", "roleassignmentid", "roledefinitionid"}
	claimKeys         = []string{"http://schemas.microsoft.com/identity/claims/objectidentifier", "oid",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", "upn", "unique_name",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "appid", "azp", "idtyp", "xms_mirid"}
	textKeys          = []string{"value"}
	statusMessageKeys = []string{"error", "code"}
	codeKeys          = []string{"code"}
)

// foldsTo reports whether key might name one of the lower-cased field names
// in another letter case: it is true for a non-ASCII key.
func foldsTo(key []byte, names []string) bool {
	for _, c := range key {
		if c >= 0x80 {
			return true
		}
	}
	for _, n := range names {
		if len(n) == len(key) && equalLowerASCII(key, n) {
			return true
		}
	}
	return false
}

// equalLowerASCII reports whether the ASCII key lower-cased is name.
func equalLowerASCII(key []byte, name string) bool {
	for i, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[i] {
			return false
		}
	}
	return true
}

// object walks the members of an object, calling member with each key (a
// view, without escapes) with d positioned at the value; member must consume
// the value. It reports false on bad syntax or when member does.
func (d *fastDecoder) object(member func(key []byte) bool) bool {
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	d.i++
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return true
	}
	for {
		key, ok := d.plainString()
		if !ok {
			return false
		}
		d.ws()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return false
		}
		d.i++
		d.ws()
		if !member(key) {
			return false
		}
		d.ws()
		if d.i >= len(d.b) {
			return false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
			d.ws()
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

// plainString reads a string without escapes or control characters whose
// bytes are valid UTF-8 (goccy would replace invalid bytes), returning its
// contents.
func (d *fastDecoder) plainString() ([]byte, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false
	}
	start := d.i + 1
	ascii := true
	for j := start; j < len(d.b); {
		if j+8 <= len(d.b) {
			// Skip to the first byte of the next eight that is not
			// plain ASCII (the lowest flagged byte is exact).
			x := binary.LittleEndian.Uint64(d.b[j:])
			m := stopBytes(x) | x&hiBits
			if m == 0 {
				j += 8
				continue
			}
			j += bits.TrailingZeros64(m) >> 3
		}
		switch strClass[d.b[j]] {
		case 0:
			j++
		case strQuote:
			d.i = j + 1
			s := d.b[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			return s, true
		case strNonASCII:
			ascii = false
			j++
		default:
			return nil, false // an escape or a control character
		}
	}
	return nil, false
}

// stringValue reads a string value: a plain one as a view, one with
// escapes unescaped into d.unesc. It declines invalid UTF-8, control
// characters and escaped surrogates (\uD800-\uDFFF), whose decoding it
// leaves to goccy.
func (d *fastDecoder) stringValue() ([]byte, bool) {
	start := d.i
	if s, ok := d.plainString(); ok {
		return s, true
	}
	d.i = start
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false
	}
	from := len(*d.unesc)
	out := *d.unesc
	ascii := true
	j := d.i + 1
	for j < len(d.b) {
		k := j
		for k < len(d.b) && (strClass[d.b[k]] == 0 || strClass[d.b[k]] == strNonASCII) {
			if d.b[k] >= 0x80 {
				ascii = false
			}
			k++
		}
		out = append(out, d.b[j:k]...)
		if k >= len(d.b) {
			break
		}
		switch strClass[d.b[k]] {
		case strQuote:
			*d.unesc = out
			s := out[from:]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			d.i = k + 1
			return s, true
		case strControl:
			return nil, false
		}
		// An escape.
		if k+1 >= len(d.b) {
			return nil, false
		}
		switch c := d.b[k+1]; c {
		case '"', '\\', '/':
			out = append(out, c)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if k+6 > len(d.b) {
				return nil, false
			}
			r := rune(0)
			for _, h := range d.b[k+2 : k+6] {
				switch {
				case '0' <= h && h <= '9':
					r = r<<4 | rune(h-'0')
				case 'a' <= h && h <= 'f':
					r = r<<4 | rune(h-'a'+10)
				case 'A' <= h && h <= 'F':
					r = r<<4 | rune(h-'A'+10)
				default:
					return nil, false
				}
			}
			if 0xD800 <= r && r <= 0xDFFF {
				return nil, false
			}
			out = utf8.AppendRune(out, r)
			j = k + 6
			continue
		default:
			return nil, false
		}
		j = k + 2
	}
	return nil, false
}

// Classes of bytes in a JSON string; 0 is plain ASCII.
const (
	strQuote    = 1
	strEscape   = 2 // '\\'
	strControl  = 3
	strNonASCII = 4
)

// Eight bytes at a time: stopBytes(x) is non-zero when one of the eight
// bytes in x is '"', '\\' or a control character (below 0x20), and x&hiBits
// when one is not ASCII. These are the classic "has a zero byte" and "has a
// byte less than n" bit tricks: exact as yes-or-no answers, which is all
// the string loops ask before skipping eight plain bytes.
const (
	loBits = 0x0101010101010101
	hiBits = 0x8080808080808080
)

func stopBytes(x uint64) uint64 {
	q := x ^ (loBits * '"')
	e := x ^ (loBits * '\\')
	return (((q - loBits) &^ q) | ((e - loBits) &^ e) | ((x - loBits*0x20) &^ x)) & hiBits
}

// strClass classifies every byte value; the string loops skip runs of
// plain bytes with one table look-up each.
var strClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c == '"':
			t[c] = strQuote
		case c == '\\':
			t[c] = strEscape
		case c < 0x20:
			t[c] = strControl
		case c >= 0x80:
			t[c] = strNonASCII
		}
	}
	return t
}()

// str reads a string field into *dst; null leaves it empty. A second value
// for the same field declines the record (goccy keeps the last, but the
// slow path handles that).
func (d *fastDecoder) str(dst *[]byte, seen *uint32, bit uint32) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	if d.null() {
		return true
	}
	s, ok := d.stringValue()
	if !ok {
		return false
	}
	*dst = s
	return true
}

// text reads a text field: a string, null, or an object whose "value"
// member is text in turn. Numbers and other values decline the record.
func (d *fastDecoder) text(dst *[]byte, seen *uint32, bit uint32) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return d.textValue(dst, 0)
}

func (d *fastDecoder) textValue(dst *[]byte, depth int) bool {
	if d.i >= len(d.b) || depth > maxFastDepth {
		return false
	}
	switch d.b[d.i] {
	case 'n':
		return d.null()
	case '"':
		s, ok := d.stringValue()
		*dst = s
		return ok
	case '{':
		var seen uint32
		return d.object(func(k []byte) bool {
			if string(k) == "value" {
				if seen != 0 {
					return false
				}
				seen = 1
				return d.textValue(dst, depth+1)
			}
			return !foldsTo(k, textKeys) && d.skip(depth+1)
		})
	}
	return false
}

func (d *fastDecoder) null() bool {
	if len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

// structObject reads an object (or null) decoded into a Go struct.
func (d *fastDecoder) structObject(seen *uint32, bit uint32, member func(key []byte) bool) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	if d.null() {
		return true
	}
	return d.object(member)
}

// skip validates and skips any JSON value.
func (d *fastDecoder) skip(depth int) bool {
	if d.i >= len(d.b) || depth > maxFastDepth {
		return false
	}
	switch c := d.b[d.i]; c {
	case '"':
		return d.skipString()
	case '{':
		d.i++
		d.ws()
		if d.i < len(d.b) && d.b[d.i] == '}' {
			d.i++
			return true
		}
		for {
			if !d.skipString() {
				return false
			}
			d.ws()
			if d.i >= len(d.b) || d.b[d.i] != ':' {
				return false
			}
			d.i++
			d.ws()
			if !d.skip(depth + 1) {
				return false
			}
			d.ws()
			if d.i >= len(d.b) {
				return false
			}
			if d.b[d.i] == '}' {
				d.i++
				return true
			}
			if d.b[d.i] != ',' {
				return false
			}
			d.i++
			d.ws()
		}
	case '[':
		d.i++
		d.ws()
		if d.i < len(d.b) && d.b[d.i] == ']' {
			d.i++
			return true
		}
		for {
			if !d.skip(depth + 1) {
				return false
			}
			d.ws()
			if d.i >= len(d.b) {
				return false
			}
			if d.b[d.i] == ']' {
				d.i++
				return true
			}
			if d.b[d.i] != ',' {
				return false
			}
			d.i++
			d.ws()
		}
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	default:
		return d.number()
	}
}

func (d *fastDecoder) literal(s string) bool {
	if len(d.b)-d.i >= len(s) && string(d.b[d.i:d.i+len(s)]) == s {
		d.i += len(s)
		return true
	}
	return false
}

// skipString skips a string with valid escapes and no control characters;
// other bytes are not checked (goccy accepts invalid UTF-8 in skipped
// strings).
func (d *fastDecoder) skipString() bool {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return false
	}
	for j := d.i + 1; j < len(d.b); j++ {
		for j+8 <= len(d.b) {
			m := stopBytes(binary.LittleEndian.Uint64(d.b[j:]))
			if m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				break
			}
			j += 8
		}
		for j < len(d.b) && (strClass[d.b[j]] == 0 || strClass[d.b[j]] == strNonASCII) {
			j++
		}
		if j == len(d.b) {
			break
		}
		switch strClass[d.b[j]] {
		case strQuote:
			d.i = j + 1
			return true
		case strControl:
			return false
		case strEscape:
			j++
			if j >= len(d.b) {
				return false
			}
			switch d.b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(d.b) {
					return false
				}
				for _, h := range d.b[j+1 : j+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				j += 4
			default:
				return false
			}
		}
	}
	return false
}

// number skips a number of strict JSON syntax.
func (d *fastDecoder) number() bool {
	b, i := d.b, d.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		k := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == k {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		k := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == k {
			return false
		}
	}
	d.i = i
	return true
}
