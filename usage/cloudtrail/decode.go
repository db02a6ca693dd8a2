package cloudtrail

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/goccy/go-json"
)

// fields are the parts of a CloudTrail record the reader uses, as byte
// slices. The fast decoder fills them with views into the record's bytes, so
// that only the strings an Event keeps are ever allocated; they are valid
// while the record is being normalized. An absent field and a JSON null are
// both empty, as they are for a Go string.
type fields struct {
	eventID, eventTime, eventSource, eventName, eventType, eventCategory []byte
	awsRegion, sourceIP, errorCode, recipientAccountID                   []byte

	// userIdentity
	uType, principalID, arn, accountID, accessKeyID, userName, invokedBy []byte
	identityProvider, issuerARN, onBehalfOfUserID, identityStoreARN      []byte

	requestParameters []byte   // raw JSON value, nil when absent
	insight           bool     // the record has an insightDetails member
	resources         [][]byte // resources[].ARN, in order
}

// rawRecord is what goccy decodes a record into when the fast decoder
// declines it (escapes, duplicate keys, wrong types, invalid JSON): the
// reference for what each field means. Its errors are the messages of
// invalid records.
type rawRecord struct {
	EventVersion       string          `json:"eventVersion"`
	EventID            string          `json:"eventID"`
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	EventType          string          `json:"eventType"`
	EventCategory      string          `json:"eventCategory"`
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	ErrorCode          string          `json:"errorCode"`
	RecipientAccountID string          `json:"recipientAccountId"`
	UserIdentity       userIdentity    `json:"userIdentity"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	Resources          []resource      `json:"resources"`
	InsightDetails     json.RawMessage `json:"insightDetails"`
}

type userIdentity struct {
	Type             string `json:"type"`
	PrincipalID      string `json:"principalId"`
	ARN              string `json:"arn"`
	AccountID        string `json:"accountId"`
	AccessKeyID      string `json:"accessKeyId"`
	UserName         string `json:"userName"`
	InvokedBy        string `json:"invokedBy"`
	IdentityProvider string `json:"identityProvider"`
	SessionContext   struct {
		SessionIssuer struct {
			ARN string `json:"arn"`
		} `json:"sessionIssuer"`
	} `json:"sessionContext"`
	OnBehalfOf struct {
		UserID           string `json:"userId"`
		IdentityStoreARN string `json:"identityStoreArn"`
	} `json:"onBehalfOf"`
}

type resource struct {
	ARN string `json:"ARN"`
}

// decodeSlow decodes raw with goccy into f. It allocates: it is the path for
// records the fast decoder declines.
func decodeSlow(raw []byte, f *fields) error {
	var r rawRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	u := &r.UserIdentity
	*f = fields{
		eventID: bs(r.EventID), eventTime: bs(r.EventTime), eventSource: bs(r.EventSource),
		eventName: bs(r.EventName), eventType: bs(r.EventType), eventCategory: bs(r.EventCategory),
		awsRegion: bs(r.AWSRegion), sourceIP: bs(r.SourceIPAddress), errorCode: bs(r.ErrorCode),
		recipientAccountID: bs(r.RecipientAccountID),
		uType:              bs(u.Type), principalID: bs(u.PrincipalID), arn: bs(u.ARN), accountID: bs(u.AccountID),
		accessKeyID: bs(u.AccessKeyID), userName: bs(u.UserName), invokedBy: bs(u.InvokedBy),
		identityProvider: bs(u.IdentityProvider), issuerARN: bs(u.SessionContext.SessionIssuer.ARN),
		onBehalfOfUserID: bs(u.OnBehalfOf.UserID), identityStoreARN: bs(u.OnBehalfOf.IdentityStoreARN),
		requestParameters: r.RequestParameters,
		insight:           len(r.InsightDetails) > 0,
		resources:         f.resources[:0],
	}
	for _, res := range r.Resources {
		f.resources = append(f.resources, bs(res.ARN))
	}
	return nil
}

func bs(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// maxFastDepth bounds the nesting the fast decoder skips over; deeper
// records take the slow path.
const maxFastDepth = 512

// decodeFast fills f from raw without allocating, for the common shape of a
// record: valid JSON, one object, every used field a string (or null)
// without escapes, no duplicate or differently-cased used key. It reports
// false for anything else, and the caller then decodes with decodeSlow,
// which gives the same fields or the error message. So decodeFast must
// accept only what goccy accepts and decodes the same way; it is checked
// against decodeSlow by FuzzDecodeFast.
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
	d := fastDecoder{b: b}
	*f = fields{resources: f.resources[:0]}
	if !d.record(f) {
		return 0, false
	}
	return d.i, true
}

type fastDecoder struct {
	b        []byte
	i        int
	seenUser uint32 // userIdentity members read, to catch duplicates
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
	for j := start; j < len(d.b); j++ {
		for j+8 <= len(d.b) {
			x := binary.LittleEndian.Uint64(d.b[j:])
			if stopBytes(x)|x&hiBits != 0 {
				break
			}
			j += 8
		}
		for j < len(d.b) && strClass[d.b[j]] == 0 {
			j++
		}
		if j == len(d.b) {
			break
		}
		switch strClass[d.b[j]] {
		case strQuote:
			d.i = j + 1
			s := d.b[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			return s, true
		case strNonASCII:
			ascii = false
		default:
			return nil, false // an escape or a control character
		}
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
	s, ok := d.plainString()
	if !ok {
		return false
	}
	*dst = s
	return true
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

// record reads the top-level object of a record.
func (d *fastDecoder) record(f *fields) bool {
	var seen uint32
	return d.object(func(k []byte) bool {
		switch string(k) {
		case "eventVersion":
			var v []byte
			return d.str(&v, &seen, 1<<0)
		case "eventID":
			return d.str(&f.eventID, &seen, 1<<1)
		case "eventTime":
			return d.str(&f.eventTime, &seen, 1<<2)
		case "eventSource":
			return d.str(&f.eventSource, &seen, 1<<3)
		case "eventName":
			return d.str(&f.eventName, &seen, 1<<4)
		case "eventType":
			return d.str(&f.eventType, &seen, 1<<5)
		case "eventCategory":
			return d.str(&f.eventCategory, &seen, 1<<6)
		case "awsRegion":
			return d.str(&f.awsRegion, &seen, 1<<7)
		case "sourceIPAddress":
			return d.str(&f.sourceIP, &seen, 1<<8)
		case "errorCode":
			return d.str(&f.errorCode, &seen, 1<<9)
		case "recipientAccountId":
			return d.str(&f.recipientAccountID, &seen, 1<<10)
		case "userIdentity":
			return d.structObject(&seen, 1<<11, func(k []byte) bool { return d.userIdentity(k, f) })
		case "requestParameters":
			if seen&(1<<12) != 0 {
				return false
			}
			seen |= 1 << 12
			start := d.i
			if !d.skip(0) {
				return false
			}
			f.requestParameters = d.b[start:d.i]
			return true
		case "resources":
			if seen&(1<<13) != 0 {
				return false
			}
			seen |= 1 << 13
			return d.null() || d.resources(f)
		case "insightDetails":
			if seen&(1<<14) != 0 {
				return false
			}
			seen |= 1 << 14
			f.insight = true
			return d.skip(0)
		case "userAgent", "requestID", "responseElements", "readOnly", "managementEvent", "tlsDetails",
			"errorMessage", "sharedEventID", "vpcEndpointId", "vpcEndpointAccountId", "additionalEventData",
			"apiVersion", "serviceEventDetails", "sessionCredentialFromConsole", "addendum", "edgeDeviceDetails":
			return d.skip(0) // common members no field folds to: no need for foldsTo
		}
		return !foldsTo(k, recordFieldKeys) && d.skip(0)
	})
}

// userIdentity reads one member of userIdentity.
func (d *fastDecoder) userIdentity(k []byte, f *fields) bool {
	// Duplicate members of nested objects are caught by one set of bits
	// for the whole object: userIdentity is read at most once.
	seen := &d.seenUser
	switch string(k) {
	case "type":
		return d.str(&f.uType, seen, 1<<0)
	case "principalId":
		return d.str(&f.principalID, seen, 1<<1)
	case "arn":
		return d.str(&f.arn, seen, 1<<2)
	case "accountId":
		return d.str(&f.accountID, seen, 1<<3)
	case "accessKeyId":
		return d.str(&f.accessKeyID, seen, 1<<4)
	case "userName":
		return d.str(&f.userName, seen, 1<<5)
	case "invokedBy":
		return d.str(&f.invokedBy, seen, 1<<6)
	case "identityProvider":
		return d.str(&f.identityProvider, seen, 1<<7)
	case "sessionContext":
		return d.structObject(seen, 1<<8, func(k []byte) bool {
			if string(k) == "sessionIssuer" {
				return d.structObject(seen, 1<<9, func(k []byte) bool {
					if string(k) == "arn" {
						return d.str(&f.issuerARN, seen, 1<<10)
					}
					switch string(k) {
					case "type", "principalId", "accountId", "userName":
						return d.skip(0)
					}
					return !foldsTo(k, arnKeys) && d.skip(0)
				})
			}
			switch string(k) {
			case "attributes", "webIdFederationData", "sourceIdentity", "ec2RoleDelivery", "assumedRoot":
				return d.skip(0)
			}
			return !foldsTo(k, sessionContextKeys) && d.skip(0)
		})
	case "credentialId":
		return d.skip(0)
	case "onBehalfOf":
		return d.structObject(seen, 1<<11, func(k []byte) bool {
			switch string(k) {
			case "userId":
				return d.str(&f.onBehalfOfUserID, seen, 1<<12)
			case "identityStoreArn":
				return d.str(&f.identityStoreARN, seen, 1<<13)
			}
			return !foldsTo(k, onBehalfOfKeys) && d.skip(0)
		})
	}
	return !foldsTo(k, userIdentityKeys) && d.skip(0)
}

// resources reads the resources array: objects whose ARN member is kept.
func (d *fastDecoder) resources(f *fields) bool {
	if d.i >= len(d.b) || d.b[d.i] != '[' {
		return false
	}
	d.i++
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return true
	}
	for {
		var arn []byte
		var seen uint32
		if !d.object(func(k []byte) bool {
			switch string(k) {
			case "ARN":
				return d.str(&arn, &seen, 1)
			case "type", "accountId":
				return d.skip(0)
			}
			return !foldsTo(k, arnKeys) && d.skip(0)
		}) {
			return false
		}
		f.resources = append(f.resources, arn)
		d.ws()
		if d.i >= len(d.b) {
			return false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
			d.ws()
		case ']':
			d.i++
			return true
		default:
			return false
		}
	}
}

// Lower-cased field names of each decoded object. goccy matches keys
// case-insensitively, so a key that differs from a field name only in case
// (or that is not ASCII) declines the fast path.
var (
	recordFieldKeys = []string{"eventversion", "eventid", "eventtime", "eventsource", "eventname", "eventtype",
		"eventcategory", "awsregion", "sourceipaddress", "errorcode", "recipientaccountid", "useridentity",
		"requestparameters", "resources", "insightdetails"}
	userIdentityKeys = []string{"type", "principalid", "arn", "accountid", "accesskeyid", "username",
		"invokedby", "identityprovider", "sessioncontext", "onbehalfof"}
	sessionContextKeys = []string{"sessionissuer"}
	onBehalfOfKeys     = []string{"userid", "identitystorearn"}
	arnKeys            = []string{"arn"}
)

// foldsTo reports whether key might name one of the lower-cased field names
// in another letter case: it is true for a non-ASCII key.
func foldsTo(key []byte, names []string) bool {
	var buf [24]byte
	if len(key) > len(buf) {
		return false // longer than every field name
	}
	for i, c := range key {
		if c >= 0x80 {
			return true
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	lower := buf[:len(key)]
	for _, n := range names {
		if string(lower) == n {
			return true
		}
	}
	return false
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
		for j+8 <= len(d.b) && stopBytes(binary.LittleEndian.Uint64(d.b[j:])) == 0 {
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
