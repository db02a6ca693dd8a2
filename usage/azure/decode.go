package azure

import (
	"bytes"

	"github.com/goccy/go-json"

	"github.com/leastpriv/pare/usage/jsonscan"
)

// fields are the parts of a record the reader uses, as byte slices. The
// fast decoder (fastdecode.go) fills them with views into the record's
// bytes, so that only the strings an Event keeps are ever allocated; they
// are valid while the record is being normalized. An absent field and a
// JSON null are both empty, as they are for a Go string. Each field means
// what the rawRecord field of the same name means.
type fields struct {
	// Both shapes.
	resourceID, operationName, category, correlationID []byte
	eventCategory, statusCode, statusMessage           []byte // properties

	// Diagnostic export.
	time, resultType, resultSignature, location []byte
	identity                                    identityFields

	// REST shape and az output.
	eventTimestamp, status, subStatus, eventName []byte
	claims                                       claimFields
	auth                                         authFields
	caller, eventDataID, id                      []byte
	subscriptionID, resourceGroupName            []byte

	// unescaped holds the strings with escapes that the fast decoder
	// unescaped; fields may be views into it. It is reused.
	unescaped []byte
}

// identityFields are the export's identity: an object with authorization
// and claims, or a plain string, kept in name.
type identityFields struct {
	name   []byte
	auth   authFields
	claims claimFields
}

// authFields are an authorization block with its evidence's principal.
type authFields struct {
	action, scope              []byte
	principalID, principalType []byte // evidence
	roleAssignmentID           []byte // evidence: the assignment that authorized the call
}

// claimFields are the token claims the reader uses.
type claimFields struct {
	objectIDLong, objectID, upnLong, upn, uniqueName, nameLong []byte
	appID, azp, idType, miResourceID                           []byte
}

func (c *claimFields) empty() bool {
	return len(c.objectIDLong) == 0 && len(c.objectID) == 0 && len(c.upnLong) == 0 && len(c.upn) == 0 &&
		len(c.uniqueName) == 0 && len(c.nameLong) == 0 && len(c.appID) == 0 && len(c.azp) == 0 &&
		len(c.idType) == 0 && len(c.miResourceID) == 0
}

// rawRecord is what goccy decodes a record into when the fast decoder
// declines it (escapes, duplicate keys, other types, invalid JSON): the
// reference for what each field means, and its errors are the messages of
// invalid records. It holds the fields the reader uses from a record of any
// shape: the diagnostic export's (time, resultType, identity, ...) and the
// REST shape's (eventTimestamp, status, claims, ...). JSON keys match
// case-insensitively. Fields a shape writes as {"value":...,
// "localizedValue":...} (operationName, category, status, ...) are text,
// which takes either form.
type rawRecord struct {
	recordFields
	Identity identity `json:"identity"`
}

// looseRecord is rawRecord for a record whose identity is not an object:
// decoding it costs more, so it is tried only when rawRecord fails.
type looseRecord struct {
	recordFields
	Identity looseIdentity `json:"identity"`
}

type recordFields struct {
	// Both shapes.
	ResourceID    string     `json:"resourceId"`
	OperationName text       `json:"operationName"`
	Category      text       `json:"category"`
	CorrelationID string     `json:"correlationId"`
	Properties    properties `json:"properties"`

	// Diagnostic export.
	Time            string   `json:"time"`
	ResultType      string   `json:"resultType"`
	ResultSignature string   `json:"resultSignature"`
	Identity        identity `json:"identity"`
	Location        string   `json:"location"`

	// REST shape and az output.
	EventTimestamp    string        `json:"eventTimestamp"`
	Status            text          `json:"status"`
	SubStatus         text          `json:"subStatus"`
	EventName         text          `json:"eventName"`
	Claims            claims        `json:"claims"`
	Authorization     authorization `json:"authorization"`
	Caller            string        `json:"caller"`
	EventDataID       string        `json:"eventDataId"`
	ID                string        `json:"id"`
	SubscriptionID    string        `json:"subscriptionId"`
	ResourceGroupName string        `json:"resourceGroupName"`

	// A wrapper read where a record could be (JSON Lines of Event Hub
	// messages): its records.
	Records rawList `json:"records"`
	Value   rawList `json:"value"`
}

// rawList is a wrapper's array of records; a value of another type is
// ignored.
type rawList struct {
	items []json.RawMessage
	set   bool
}

func (l *rawList) UnmarshalJSON(b []byte) error {
	*l = rawList{}
	if jsonscan.FirstByte(b) != '[' {
		return nil
	}
	l.set = true
	return json.Unmarshal(b, &l.items)
}

type properties struct {
	EventCategory string `json:"eventCategory"`
	StatusCode    text   `json:"statusCode"`
	StatusMessage string `json:"statusMessage"`
}

// identity is the export's identity: an object with authorization and
// claims, or sometimes a plain string, kept in Name.
type identity struct {
	Name          string        `json:"-"`
	Authorization authorization `json:"authorization"`
	Claims        claims        `json:"claims"`
}

// looseIdentity is an identity that may be written as a string.
type looseIdentity identity

func (id *looseIdentity) UnmarshalJSON(b []byte) error {
	*id = looseIdentity{}
	switch jsonscan.FirstByte(b) {
	case '"':
		return json.Unmarshal(b, &id.Name)
	case '{':
		return json.Unmarshal(b, (*identity)(id))
	}
	return nil
}

type authorization struct {
	Action   string   `json:"action"`
	Scope    string   `json:"scope"`
	Evidence evidence `json:"evidence"`
}

type evidence struct {
	PrincipalID      string `json:"principalId"`
	PrincipalType    string `json:"principalType"`
	RoleAssignmentID string `json:"roleAssignmentId"`
	RoleDefinitionID string `json:"roleDefinitionId"`
}

// claims are the token claims the reader uses, under their long and short
// names.
type claims struct {
	ObjectIDLong string `json:"http://schemas.microsoft.com/identity/claims/objectidentifier"`
	ObjectID     string `json:"oid"`
	UPNLong      string `json:"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"`
	UPN          string `json:"upn"`
	UniqueName   string `json:"unique_name"`
	NameLong     string `json:"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"`
	AppID        string `json:"appid"`
	AZP          string `json:"azp"`
	IDType       string `json:"idtyp"`
	MIResourceID string `json:"xms_mirid"`
}

// decodeSlow decodes raw with goccy into f. When raw has a records or value
// array (a wrapper, where a wrapper may be), it also returns its items and
// true. It
// allocates: it is the path for records the fast decoder declines.
func decodeSlow(raw []byte, f *fields) ([]json.RawMessage, bool, error) {
	unescaped := f.unescaped[:0]
	defer func() { f.unescaped = unescaped }()
	*f = fields{}
	if jsonscan.FirstByte(raw) != '{' {
		return nil, false, jsonscan.ErrNotObject
	}
	var rec rawRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		var l looseRecord
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, false, err
		}
		rec = rawRecord{recordFields: l.recordFields, Identity: identity(l.Identity)}
	}
	p := &rec.Properties
	*f = fields{
		resourceID: bs(rec.ResourceID), operationName: bs(string(rec.OperationName)),
		category: bs(string(rec.Category)), correlationID: bs(rec.CorrelationID),
		eventCategory: bs(p.EventCategory), statusCode: bs(string(p.StatusCode)), statusMessage: bs(p.StatusMessage),
		time: bs(rec.Time), resultType: bs(rec.ResultType), resultSignature: bs(rec.ResultSignature),
		location: bs(rec.Location),
		identity: identityFields{
			name:   bs(rec.Identity.Name),
			auth:   authOf(&rec.Identity.Authorization),
			claims: claimsOf(&rec.Identity.Claims),
		},
		eventTimestamp: bs(rec.EventTimestamp), status: bs(string(rec.Status)), subStatus: bs(string(rec.SubStatus)),
		eventName: bs(string(rec.EventName)), claims: claimsOf(&rec.Claims), auth: authOf(&rec.Authorization),
		caller: bs(rec.Caller), eventDataID: bs(rec.EventDataID), id: bs(rec.ID),
		subscriptionID: bs(rec.SubscriptionID), resourceGroupName: bs(rec.ResourceGroupName),
	}
	switch {
	case rec.Records.set:
		return rec.Records.items, true, nil
	case rec.Value.set:
		return rec.Value.items, true, nil
	}
	return nil, false, nil
}

func authOf(a *authorization) authFields {
	return authFields{action: bs(a.Action), scope: bs(a.Scope),
		principalID: bs(a.Evidence.PrincipalID), principalType: bs(a.Evidence.PrincipalType),
		roleAssignmentID: bs(a.Evidence.RoleAssignmentID)}
}

func claimsOf(c *claims) claimFields {
	return claimFields{objectIDLong: bs(c.ObjectIDLong), objectID: bs(c.ObjectID), upnLong: bs(c.UPNLong),
		upn: bs(c.UPN), uniqueName: bs(c.UniqueName), nameLong: bs(c.NameLong), appID: bs(c.AppID),
		azp: bs(c.AZP), idType: bs(c.IDType), miResourceID: bs(c.MIResourceID)}
}

func bs(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// text is a string field that tolerates other forms: an object's "value"
// member ({"value":"Succeeded","localizedValue":"..."}), a number kept as
// written, and anything else as "".
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	*t = ""
	switch c := jsonscan.FirstByte(b); {
	case c == '"':
		if len(b) >= 2 && b[len(b)-1] == '"' && plain(b[1:len(b)-1]) {
			*t = text(b[1 : len(b)-1])
			return nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	case c == '{':
		var v struct {
			Value text `json:"value"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*t = v.Value
	case c == '-' || ('0' <= c && c <= '9'):
		*t = text(bytes.TrimSpace(b))
	}
	return nil
}

// plain reports whether a string's bytes need no unescaping: no escapes,
// no control characters and only ASCII.
func plain(b []byte) bool {
	for _, c := range b {
		if c == '\\' || c == '"' || c < 0x20 || c >= 0x80 {
			return false
		}
	}
	return true
}
