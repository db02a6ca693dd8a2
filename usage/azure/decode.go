package azure

import (
	"bytes"

	"github.com/goccy/go-json"
)

// rawRecord holds the fields the reader uses from a record of any shape:
// the diagnostic export's (time, resultType, identity, ...) and the REST
// shape's (eventTimestamp, status, claims, ...). JSON keys match
// case-insensitively. Fields a shape writes as {"value":...,
// "localizedValue":...} (operationName, category, status, ...) are text,
// which takes either form.
type rawRecord struct {
	// Both shapes.
	ResourceID    text       `json:"resourceId"`
	OperationName text       `json:"operationName"`
	Category      text       `json:"category"`
	CorrelationID text       `json:"correlationId"`
	Properties    properties `json:"properties"`

	// Diagnostic export.
	Time            text     `json:"time"`
	ResultType      text     `json:"resultType"`
	ResultSignature text     `json:"resultSignature"`
	Identity        identity `json:"identity"`
	Location        text     `json:"location"`

	// REST shape and az output.
	EventTimestamp    text          `json:"eventTimestamp"`
	Status            text          `json:"status"`
	SubStatus         text          `json:"subStatus"`
	EventName         text          `json:"eventName"`
	Claims            claims        `json:"claims"`
	Authorization     authorization `json:"authorization"`
	Caller            text          `json:"caller"`
	EventDataID       text          `json:"eventDataId"`
	ID                text          `json:"id"`
	SubscriptionID    text          `json:"subscriptionId"`
	ResourceGroupName text          `json:"resourceGroupName"`

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
	if firstByte(b) != '[' {
		return nil
	}
	l.set = true
	return json.Unmarshal(b, &l.items)
}

type properties struct {
	EventCategory text `json:"eventCategory"`
	StatusCode    text `json:"statusCode"`
	StatusMessage text `json:"statusMessage"`
}

// identity is the export's identity: an object with authorization and
// claims, or sometimes a plain string, kept in Name.
type identity struct {
	Name          text
	Authorization authorization
	Claims        claims
}

type identityObject struct {
	Authorization authorization `json:"authorization"`
	Claims        claims        `json:"claims"`
}

func (id *identity) UnmarshalJSON(b []byte) error {
	*id = identity{}
	switch firstByte(b) {
	case '"':
		return id.Name.UnmarshalJSON(b)
	case '{':
		var o identityObject
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		id.Authorization, id.Claims = o.Authorization, o.Claims
	}
	return nil
}

type authorization struct {
	Action   text     `json:"action"`
	Scope    text     `json:"scope"`
	Evidence evidence `json:"evidence"`
}

type evidence struct {
	PrincipalID      text `json:"principalId"`
	PrincipalType    text `json:"principalType"`
	RoleAssignmentID text `json:"roleAssignmentId"`
	RoleDefinitionID text `json:"roleDefinitionId"`
}

// claims are the token claims the reader uses, under their long and short
// names.
type claims struct {
	ObjectIDLong text `json:"http://schemas.microsoft.com/identity/claims/objectidentifier"`
	ObjectID     text `json:"oid"`
	UPNLong      text `json:"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"`
	UPN          text `json:"upn"`
	UniqueName   text `json:"unique_name"`
	NameLong     text `json:"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"`
	AppID        text `json:"appid"`
	AZP          text `json:"azp"`
	IDType       text `json:"idtyp"`
	MIResourceID text `json:"xms_mirid"`
}

// text is a string field that tolerates other forms: an object's "value"
// member ({"value":"Succeeded","localizedValue":"..."}), a number kept as
// written, and anything else as "".
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	*t = ""
	switch c := firstByte(b); {
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

func firstByte(b []byte) byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}
