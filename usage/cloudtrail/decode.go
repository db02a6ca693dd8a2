package cloudtrail

import (
	"github.com/goccy/go-json"

	"github.com/leastpriv/pare/usage/jsonscan"
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

// decodeFast fills f from raw without allocating, for the common shape of a
// record: valid JSON, one object, every used field a string (or null)
// without escapes, no duplicate or differently-cased used key. It reports
// false for anything else, and the caller then decodes with decodeSlow,
// which gives the same fields or the error message. So decodeFast must
// accept only what goccy accepts and decodes the same way; it is checked
// against decodeSlow by FuzzDecodeFast. The JSON primitives are
// jsonscan.Decoder's.
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
	d := fastDecoder{Decoder: jsonscan.NewDecoder(b, nil)} // strings with escapes take the slow path
	*f = fields{resources: f.resources[:0]}
	if !d.record(f) {
		return 0, false
	}
	return d.Offset(), true
}

type fastDecoder struct {
	jsonscan.Decoder
	seenUser uint32 // userIdentity members read, to catch duplicates
}

// record reads the top-level object of a record.
func (d *fastDecoder) record(f *fields) bool {
	var seen uint32
	return d.Object(func(k []byte) bool {
		switch string(k) {
		case "eventVersion":
			var v []byte
			return d.StringField(&v, &seen, 1<<0)
		case "eventID":
			return d.StringField(&f.eventID, &seen, 1<<1)
		case "eventTime":
			return d.StringField(&f.eventTime, &seen, 1<<2)
		case "eventSource":
			return d.StringField(&f.eventSource, &seen, 1<<3)
		case "eventName":
			return d.StringField(&f.eventName, &seen, 1<<4)
		case "eventType":
			return d.StringField(&f.eventType, &seen, 1<<5)
		case "eventCategory":
			return d.StringField(&f.eventCategory, &seen, 1<<6)
		case "awsRegion":
			return d.StringField(&f.awsRegion, &seen, 1<<7)
		case "sourceIPAddress":
			return d.StringField(&f.sourceIP, &seen, 1<<8)
		case "errorCode":
			return d.StringField(&f.errorCode, &seen, 1<<9)
		case "recipientAccountId":
			return d.StringField(&f.recipientAccountID, &seen, 1<<10)
		case "userIdentity":
			return d.ObjectField(&seen, 1<<11, func(k []byte) bool { return d.userIdentity(k, f) })
		case "requestParameters":
			if !jsonscan.Once(&seen, 1<<12) {
				return false
			}
			v, ok := d.Value()
			f.requestParameters = v
			return ok
		case "resources":
			return jsonscan.Once(&seen, 1<<13) && (d.Null() || d.resources(f))
		case "insightDetails":
			if !jsonscan.Once(&seen, 1<<14) {
				return false
			}
			f.insight = true
			return d.Skip(0)
		case "userAgent", "requestID", "responseElements", "readOnly", "managementEvent", "tlsDetails",
			"errorMessage", "sharedEventID", "vpcEndpointId", "vpcEndpointAccountId", "additionalEventData",
			"apiVersion", "serviceEventDetails", "sessionCredentialFromConsole", "addendum", "edgeDeviceDetails":
			return d.Skip(0) // common members no field folds to: no need for foldsTo
		}
		return !jsonscan.FoldsTo(k, recordFieldKeys) && d.Skip(0)
	})
}

// userIdentity reads one member of userIdentity.
func (d *fastDecoder) userIdentity(k []byte, f *fields) bool {
	// Duplicate members of nested objects are caught by one set of bits
	// for the whole object: userIdentity is read at most once.
	seen := &d.seenUser
	switch string(k) {
	case "type":
		return d.StringField(&f.uType, seen, 1<<0)
	case "principalId":
		return d.StringField(&f.principalID, seen, 1<<1)
	case "arn":
		return d.StringField(&f.arn, seen, 1<<2)
	case "accountId":
		return d.StringField(&f.accountID, seen, 1<<3)
	case "accessKeyId":
		return d.StringField(&f.accessKeyID, seen, 1<<4)
	case "userName":
		return d.StringField(&f.userName, seen, 1<<5)
	case "invokedBy":
		return d.StringField(&f.invokedBy, seen, 1<<6)
	case "identityProvider":
		return d.StringField(&f.identityProvider, seen, 1<<7)
	case "sessionContext":
		return d.ObjectField(seen, 1<<8, func(k []byte) bool {
			if string(k) == "sessionIssuer" {
				return d.ObjectField(seen, 1<<9, func(k []byte) bool {
					if string(k) == "arn" {
						return d.StringField(&f.issuerARN, seen, 1<<10)
					}
					switch string(k) {
					case "type", "principalId", "accountId", "userName":
						return d.Skip(0)
					}
					return !jsonscan.FoldsTo(k, arnKeys) && d.Skip(0)
				})
			}
			switch string(k) {
			case "attributes", "webIdFederationData", "sourceIdentity", "ec2RoleDelivery", "assumedRoot":
				return d.Skip(0)
			}
			return !jsonscan.FoldsTo(k, sessionContextKeys) && d.Skip(0)
		})
	case "credentialId":
		return d.Skip(0)
	case "onBehalfOf":
		return d.ObjectField(seen, 1<<11, func(k []byte) bool {
			switch string(k) {
			case "userId":
				return d.StringField(&f.onBehalfOfUserID, seen, 1<<12)
			case "identityStoreArn":
				return d.StringField(&f.identityStoreARN, seen, 1<<13)
			}
			return !jsonscan.FoldsTo(k, onBehalfOfKeys) && d.Skip(0)
		})
	}
	return !jsonscan.FoldsTo(k, userIdentityKeys) && d.Skip(0)
}

// resources reads the resources array: objects whose ARN member is kept.
func (d *fastDecoder) resources(f *fields) bool {
	return d.Array(func() bool {
		var arn []byte
		var seen uint32
		if !d.Object(func(k []byte) bool {
			switch string(k) {
			case "ARN":
				return d.StringField(&arn, &seen, 1)
			case "type", "accountId":
				return d.Skip(0)
			}
			return !jsonscan.FoldsTo(k, arnKeys) && d.Skip(0)
		}) {
			return false
		}
		f.resources = append(f.resources, arn)
		return true
	})
}

// Lower-cased field names of each decoded object, for jsonscan.FoldsTo: a
// key that differs from a field name only in case (or that is not ASCII)
// declines the fast path.
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
