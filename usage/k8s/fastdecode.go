package k8s

import "github.com/leastpriv/pare/usage/jsonscan"

// The fast decoder reads the fields of a record in one pass over its bytes,
// without allocating, for the common shape of a record: valid JSON, one
// object, every used field of its usual type (a string or null, an object,
// an array of strings, a small integer code), no duplicate or
// differently-cased used key. It declines anything else, and the caller
// then decodes with decodeSlow (goccy), which gives the same fields or the
// error message. So it must accept only what goccy accepts and decode it
// the same way; FuzzDecodeFast checks it against decodeSlow. The JSON
// primitives are jsonscan.Decoder's, shared with the other readers.

// decodeFast fills f from raw when it can, and reports whether it did.
func decodeFast(raw []byte, f *fields) bool {
	i := jsonscan.SkipSpace(raw, 0)
	n, ok := decodeObject(raw[i:], f)
	return ok && jsonscan.SkipSpace(raw, i+n) == len(raw)
}

// decodeObject is decodeFast for the record object at the start of b,
// followed by anything; it returns the object's length. Reading records
// from the scanner's buffer with it finds where each ends and decodes it
// in one pass.
func decodeObject(b []byte, f *fields) (int, bool) {
	f.reset()
	d := fastDecoder{Decoder: jsonscan.NewDecoder(b, &f.unescaped), f: f}
	if !d.record() {
		return 0, false
	}
	return d.Offset(), true
}

type fastDecoder struct {
	jsonscan.Decoder
	f *fields
}

// Bits of the top-level members read, to catch duplicates.
const (
	seenAuditID = 1 << iota
	seenStage
	seenRequestURI
	seenVerb
	seenUser
	seenImpersonated
	seenUserAgent
	seenObjectRef
	seenResponseStatus
	seenReceived
	seenStageTime
	seenTimestamp
	seenAnnotations
	seenCategory
	seenProperties
	seenLogS
	seenMessage
	seenResourceID
	seenLAResourceID
	seenLogGroup
	seenLogStream
	seenListStream
)

// record reads the top-level object of a record.
func (d *fastDecoder) record() bool {
	f := d.f
	var seen uint32
	return d.Object(func(k []byte) bool {
		switch string(k) {
		case "auditID":
			return d.StringField(&f.auditID, &seen, seenAuditID)
		case "stage":
			return d.StringField(&f.stage, &seen, seenStage)
		case "requestURI":
			return d.StringField(&f.requestURI, &seen, seenRequestURI)
		case "verb":
			return d.StringField(&f.verb, &seen, seenVerb)
		case "user":
			return d.user(&f.user, &seen, seenUser, false)
		case "impersonatedUser":
			return d.user(&f.impersonated, &seen, seenImpersonated, true)
		case "userAgent":
			return d.StringField(&f.userAgent, &seen, seenUserAgent)
		case "objectRef":
			var rs uint32
			return d.ObjectField(&seen, seenObjectRef, func(k []byte) bool { return d.objectRef(k, &rs) })
		case "responseStatus":
			var ss uint32
			return d.ObjectField(&seen, seenResponseStatus, func(k []byte) bool { return d.status(k, &ss) })
		case "requestReceivedTimestamp":
			return d.StringField(&f.received, &seen, seenReceived)
		case "stageTimestamp":
			return d.StringField(&f.stageTime, &seen, seenStageTime)
		case "timestamp":
			return d.looseString(&f.timestamp, &seen, seenTimestamp)
		case "annotations":
			var as uint32
			return d.ObjectField(&seen, seenAnnotations, func(k []byte) bool {
				if string(k) == "authorization.k8s.io/decision" {
					return d.StringField(&f.decision, &as, 1)
				}
				return !jsonscan.FoldsTo(k, annotationKeys) && d.Skip(0)
			})
		// Log Analytics rows name it Category: goccy matches either to
		// the one field, so both count as one here.
		case "category", "Category":
			return d.StringField(&f.category, &seen, seenCategory)
		case "properties":
			var ps uint32
			return d.ObjectField(&seen, seenProperties, func(k []byte) bool {
				if string(k) == "log" {
					return d.presentString(&f.log, &f.hasLog, &ps, 1)
				}
				return !jsonscan.FoldsTo(k, propertiesKeys) && d.Skip(0)
			})
		case "log_s":
			return d.presentString(&f.logS, &f.hasLogS, &seen, seenLogS)
		case "message":
			return d.presentString(&f.message, &f.hasMessage, &seen, seenMessage)
		case "resourceId", "ResourceId":
			return d.StringField(&f.resourceID, &seen, seenResourceID)
		case "_ResourceId":
			return d.StringField(&f.laResourceID, &seen, seenLAResourceID)
		case "logGroup":
			return d.StringField(&f.logGroup, &seen, seenLogGroup)
		case "logStreamName":
			return d.StringField(&f.logStream, &seen, seenLogStream)
		case "logStream":
			return d.StringField(&f.listStream, &seen, seenListStream)
		case "items", "records", "events", "logEvents":
			return false // maybe a list: the slow path knows
		case "kind", "apiVersion", "level", "sourceIPs", "metadata", "requestObject", "responseObject",
			"TimeGenerated", "time", "operationName", "timestamp_t", "id", "ingestionTime", "eventId",
			"SourceSystem", "TenantId", "Type", "pod_s", "stream_s", "containerID_s", "ccpNamespace":
			return d.Skip(0) // common members no field folds to: no need for FoldsTo
		}
		return !jsonscan.FoldsTo(k, recordKeysLower) && d.Skip(0)
	})
}

// presentString reads a string field that is also noted as present when
// it is a string (goccy decodes it into a *string); null leaves it absent.
func (d *fastDecoder) presentString(dst *[]byte, present *bool, seen *uint32, bit uint32) bool {
	if !jsonscan.Once(seen, bit) {
		return false
	}
	if d.Null() {
		return true
	}
	s, ok := d.String()
	*dst, *present = s, ok
	return ok
}

// looseString reads a looseString field: a string, or any other value,
// which leaves it empty.
func (d *fastDecoder) looseString(dst *[]byte, seen *uint32, bit uint32) bool {
	if !jsonscan.Once(seen, bit) {
		return false
	}
	if d.Peek() != '"' {
		return d.Skip(0)
	}
	s, ok := d.String()
	*dst = s
	return ok
}

// user reads a user block, user or impersonatedUser (extra true: its extra
// map, which goccy decodes for impersonatedUser only, is left to goccy
// unless it is empty).
func (d *fastDecoder) user(u *userFields, seen *uint32, bit uint32, extra bool) bool {
	var us uint32
	return d.ObjectField(seen, bit, func(k []byte) bool {
		switch string(k) {
		case "username":
			return d.StringField(&u.username, &us, 1<<0)
		case "uid":
			return d.StringField(&u.uid, &us, 1<<1)
		case "groups":
			return jsonscan.Once(&us, 1<<2) && d.groups(u)
		case "extra":
			if extra {
				return jsonscan.Once(&us, 1<<3) && (d.Null() || d.Object(func([]byte) bool { return false }))
			}
		}
		keys := userKeys
		if extra {
			keys = impersonatedKeys
		}
		return !jsonscan.FoldsTo(k, keys) && d.Skip(0)
	})
}

// groups reads an array of strings (or null) into u.groups.
func (d *fastDecoder) groups(u *userFields) bool {
	if d.Null() {
		return true
	}
	start := len(d.f.groupsBuf)
	ok := d.Array(func() bool {
		s, ok := d.String()
		if ok {
			d.f.groupsBuf = append(d.f.groupsBuf, s)
		}
		return ok
	})
	u.groups = d.f.groupsBuf[start:len(d.f.groupsBuf):len(d.f.groupsBuf)]
	return ok
}

// objectRef reads one member of objectRef.
func (d *fastDecoder) objectRef(k []byte, seen *uint32) bool {
	r := &d.f.ref
	switch string(k) {
	case "resource":
		return d.StringField(&r.resource, seen, 1<<0)
	case "subresource":
		return d.StringField(&r.subresource, seen, 1<<1)
	case "namespace":
		return d.StringField(&r.namespace, seen, 1<<2)
	case "name":
		return d.StringField(&r.name, seen, 1<<3)
	case "apiGroup":
		return d.StringField(&r.apiGroup, seen, 1<<4)
	case "apiVersion":
		return d.StringField(&r.apiVersion, seen, 1<<5)
	case "uid", "resourceVersion":
		return d.Skip(0)
	}
	return !jsonscan.FoldsTo(k, objectRefKeys) && d.Skip(0)
}

// status reads one member of responseStatus.
func (d *fastDecoder) status(k []byte, seen *uint32) bool {
	switch string(k) {
	case "code":
		return jsonscan.Once(seen, 1<<0) && d.code()
	case "reason":
		return d.StringField(&d.f.reason, seen, 1<<1)
	case "metadata", "status", "message", "details":
		return d.Skip(0)
	}
	return !jsonscan.FoldsTo(k, statusKeys) && d.Skip(0)
}

// code reads responseStatus.code: null or an integer of at most nine
// digits, which an int32 holds; it declines any other number.
func (d *fastDecoder) code() bool {
	if d.Null() {
		d.f.code = 0
		return true
	}
	v, ok := d.Value()
	if !ok {
		return false
	}
	neg := false
	if len(v) > 0 && v[0] == '-' {
		neg, v = true, v[1:]
	}
	if len(v) == 0 || len(v) > 9 || (v[0] == '0' && len(v) > 1) {
		return false
	}
	n := int64(0)
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	d.f.code = n
	return true
}

// Lower-cased field names of each decoded object, for jsonscan.FoldsTo: a
// key that differs from a field name only in case (or that is not ASCII)
// declines the fast path.
var (
	recordKeysLower = []string{"auditid", "stage", "requesturi", "verb", "user", "impersonateduser", "useragent",
		"objectref", "responsestatus", "requestreceivedtimestamp", "stagetimestamp", "timestamp", "annotations",
		"category", "properties", "log_s", "message", "resourceid", "_resourceid", "loggroup", "logstreamname", "logstream",
		"items", "records", "events", "logevents"}
	userKeys         = []string{"username", "uid", "groups"}
	impersonatedKeys = []string{"username", "uid", "groups", "extra"}
	objectRefKeys    = []string{"resource", "subresource", "namespace", "name", "apigroup", "apiversion"}
	statusKeys       = []string{"code", "reason"}
	annotationKeys   = []string{"authorization.k8s.io/decision"}
	propertiesKeys   = []string{"log"}
)
