package azure

import "github.com/leastpriv/pare/usage/jsonscan"

// The fast decoder reads the fields of a record in one pass over its bytes,
// without allocating, for the common shape of a record: valid JSON, one
// object, every used field of its usual type (a string without escapes or
// null; an object with a "value" string for the text fields), no duplicate
// or differently-cased used key. It declines anything else, and the caller
// then decodes with decodeSlow (goccy), which gives the same fields or the
// error message. So it must accept only what goccy accepts and decode it
// the same way; FuzzDecodeFast checks it against decodeSlow. The JSON
// primitives are jsonscan.Decoder's, shared with usage/cloudtrail.

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
	d := fastDecoder{Decoder: jsonscan.NewDecoder(b, &f.unescaped)}
	*f = fields{unescaped: f.unescaped[:0]}
	if !d.record(f) {
		return 0, false
	}
	return d.Offset(), true
}

type fastDecoder struct {
	jsonscan.Decoder
	seenProps uint32 // properties members read, to catch duplicates
}

// record reads the top-level object of a record.
func (d *fastDecoder) record(f *fields) bool {
	var seen uint32
	return d.Object(func(k []byte) bool {
		switch string(k) {
		case "resourceId":
			return d.StringField(&f.resourceID, &seen, 1<<0)
		case "operationName":
			return d.text(&f.operationName, &seen, 1<<1)
		case "category":
			return d.text(&f.category, &seen, 1<<2)
		case "correlationId":
			return d.StringField(&f.correlationID, &seen, 1<<3)
		case "properties":
			return d.ObjectField(&seen, 1<<4, func(k []byte) bool { return d.properties(k, f) })
		case "time":
			return d.StringField(&f.time, &seen, 1<<5)
		case "resultType":
			return d.StringField(&f.resultType, &seen, 1<<6)
		case "resultSignature":
			return d.StringField(&f.resultSignature, &seen, 1<<7)
		case "identity":
			return d.identity(&f.identity, &seen, 1<<8)
		case "location":
			return d.StringField(&f.location, &seen, 1<<9)
		case "eventTimestamp":
			return d.StringField(&f.eventTimestamp, &seen, 1<<10)
		case "status":
			return d.text(&f.status, &seen, 1<<11)
		case "subStatus":
			return d.text(&f.subStatus, &seen, 1<<12)
		case "eventName":
			return d.text(&f.eventName, &seen, 1<<13)
		case "claims":
			var cs uint32
			return d.ObjectField(&seen, 1<<14, func(k []byte) bool { return d.claims(k, &f.claims, &cs) })
		case "authorization":
			var as uint32
			return d.ObjectField(&seen, 1<<15, func(k []byte) bool { return d.authorization(k, &f.auth, &as) })
		case "caller":
			return d.StringField(&f.caller, &seen, 1<<16)
		case "eventDataId":
			return d.StringField(&f.eventDataID, &seen, 1<<17)
		case "id":
			return d.StringField(&f.id, &seen, 1<<18)
		case "subscriptionId":
			return d.StringField(&f.subscriptionID, &seen, 1<<19)
		case "resourceGroupName":
			return d.StringField(&f.resourceGroupName, &seen, 1<<20)
		case "records", "value":
			return false // maybe a wrapper: the slow path knows
		case "durationMs", "callerIpAddress", "level", "tenantId", "RoleLocation", "resultDescription",
			"channels", "description", "httpRequest", "operationId", "resourceProviderName", "resourceType",
			"submissionTimestamp", "eventSource", "relatedEvents":
			return d.Skip(0) // common members no field folds to: no need for foldsTo
		}
		return !jsonscan.FoldsTo(k, recordFieldKeys) && d.Skip(0)
	})
}

// properties reads one member of properties.
func (d *fastDecoder) properties(k []byte, f *fields) bool {
	// properties is read at most once, so one set of bits catches its
	// duplicate members.
	switch string(k) {
	case "eventCategory":
		return d.StringField(&f.eventCategory, &d.seenProps, 1<<0)
	case "statusCode":
		return d.text(&f.statusCode, &d.seenProps, 1<<1)
	case "statusMessage":
		return d.StringField(&f.statusMessage, &d.seenProps, 1<<2)
	case "entity", "message", "hierarchy", "serviceRequestId", "requestbody", "responseBody":
		return d.Skip(0)
	}
	return !jsonscan.FoldsTo(k, propertiesKeys) && d.Skip(0)
}

// identity reads the export's identity: an object, a string (its name) or
// null.
func (d *fastDecoder) identity(id *identityFields, seen *uint32, bit uint32) bool {
	if !jsonscan.Once(seen, bit) {
		return false
	}
	switch d.Peek() {
	case 'n':
		return d.Null()
	case '"':
		s, ok := d.String()
		id.name = s
		return ok
	case '{':
		var own, as, cs uint32
		return d.Object(func(k []byte) bool {
			switch string(k) {
			case "authorization":
				return d.ObjectField(&own, 1<<0, func(k []byte) bool { return d.authorization(k, &id.auth, &as) })
			case "claims":
				return d.ObjectField(&own, 1<<1, func(k []byte) bool { return d.claims(k, &id.claims, &cs) })
			}
			return !jsonscan.FoldsTo(k, identityKeys) && d.Skip(0)
		})
	}
	return false
}

// authorization reads one member of an authorization block; seen holds the
// members read of the block and of its evidence.
func (d *fastDecoder) authorization(k []byte, a *authFields, seen *uint32) bool {
	switch string(k) {
	case "action":
		return d.StringField(&a.action, seen, 1<<0)
	case "scope":
		return d.StringField(&a.scope, seen, 1<<1)
	case "evidence":
		return d.ObjectField(seen, 1<<2, func(k []byte) bool {
			var discard []byte
			switch string(k) {
			case "principalId":
				return d.StringField(&a.principalID, seen, 1<<3)
			case "principalType":
				return d.StringField(&a.principalType, seen, 1<<4)
			case "roleAssignmentId":
				return d.StringField(&a.roleAssignmentID, seen, 1<<5)
			case "roleDefinitionId":
				return d.StringField(&discard, seen, 1<<6)
			case "role", "roleAssignmentScope":
				return d.Skip(0)
			}
			return !jsonscan.FoldsTo(k, evidenceKeys) && d.Skip(0)
		})
	}
	return !jsonscan.FoldsTo(k, authorizationKeys) && d.Skip(0)
}

// claims reads one member of a claims object.
func (d *fastDecoder) claims(k []byte, c *claimFields, seen *uint32) bool {
	switch string(k) {
	case "http://schemas.microsoft.com/identity/claims/objectidentifier":
		return d.StringField(&c.objectIDLong, seen, 1<<0)
	case "oid":
		return d.StringField(&c.objectID, seen, 1<<1)
	case "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":
		return d.StringField(&c.upnLong, seen, 1<<2)
	case "upn":
		return d.StringField(&c.upn, seen, 1<<3)
	case "unique_name":
		return d.StringField(&c.uniqueName, seen, 1<<4)
	case "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name":
		return d.StringField(&c.nameLong, seen, 1<<5)
	case "appid":
		return d.StringField(&c.appID, seen, 1<<6)
	case "azp":
		return d.StringField(&c.azp, seen, 1<<7)
	case "idtyp":
		return d.StringField(&c.idType, seen, 1<<8)
	case "xms_mirid":
		return d.StringField(&c.miResourceID, seen, 1<<9)
	case "aud", "iss", "iat", "nbf", "exp", "name", "ver", "appidacr", "ipaddr", "puid", "uti", "rh",
		"http://schemas.microsoft.com/identity/claims/tenantid", "http://schemas.microsoft.com/claims/authnmethodsreferences",
		"http://schemas.microsoft.com/claims/authnclassreference", "http://schemas.microsoft.com/identity/claims/scope",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier":
		return d.Skip(0)
	}
	return !jsonscan.FoldsTo(k, claimKeys) && d.Skip(0)
}

// Lower-cased field names of each decoded object, for jsonscan.FoldsTo: a
// key that differs from a field name only in case (or that is not ASCII)
// declines the fast path. identityKeys has "name"
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

// text reads a text field: a string, null, or an object whose "value"
// member is text in turn. Numbers and other values decline the record.
func (d *fastDecoder) text(dst *[]byte, seen *uint32, bit uint32) bool {
	return jsonscan.Once(seen, bit) && d.textValue(dst, 0)
}

func (d *fastDecoder) textValue(dst *[]byte, depth int) bool {
	if depth > jsonscan.MaxDecodeDepth {
		return false
	}
	switch d.Peek() {
	case 'n':
		return d.Null()
	case '"':
		s, ok := d.String()
		*dst = s
		return ok
	case '{':
		var seen uint32
		return d.Object(func(k []byte) bool {
			if string(k) == "value" {
				if seen != 0 {
					return false
				}
				seen = 1
				return d.textValue(dst, depth+1)
			}
			return !jsonscan.FoldsTo(k, textKeys) && d.Skip(depth+1)
		})
	}
	return false
}
