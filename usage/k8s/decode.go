package k8s

import (
	"bytes"
	"sort"

	"github.com/goccy/go-json"

	"github.com/leastpriv/pare/usage/jsonscan"
)

// fields are the parts of a record the reader uses, as byte slices: the
// audit event's, and those of the wrappers managed clusters put around an
// event (AKS diagnostic records, Log Analytics rows, CloudWatch Logs
// events), which carry the event as a JSON string. The fast decoder
// (fastdecode.go) fills them with views into the record's bytes, so that
// only the strings an Event keeps are ever allocated; they are valid while
// the record is being normalized. An absent field and a JSON null are both
// empty, as they are for a Go string. Each field means what the rawRecord
// field of the same name means.
type fields struct {
	// The audit event (audit.k8s.io/v1 and v1beta1).
	auditID, stage, requestURI, verb, userAgent []byte
	user, impersonated                          userFields
	ref                                         refFields
	code                                        int64 // responseStatus.code, 0 when absent
	reason                                      []byte
	received, stageTime, timestamp              []byte
	decision                                    []byte // annotations["authorization.k8s.io/decision"]

	// Wrappers: AKS diagnostic records (category, properties.log,
	// resourceId), Log Analytics AzureDiagnostics rows (Category, log_s,
	// _ResourceId), CloudWatch Logs events (message, logStreamName, and
	// logGroup in subscription records).
	category, log, logS, message []byte
	resourceID, laResourceID     []byte
	logGroup, logStream          []byte
	listStream                   []byte       // logStream, of a CloudWatch subscription record (a list)
	hasLog, hasLogS, hasMessage  bool         // the field is present as a string (possibly empty)
	groupsBuf                    [][]byte     // backing array of the users' groups, reused
	extraBuf                     []extraField // backing array of impersonatedUser.extra, reused
	unescaped                    []byte       // strings with escapes, unescaped; fields may be views into it
}

// userFields are a user block: user or impersonatedUser.
type userFields struct {
	username, uid []byte
	groups        [][]byte     // views; the backing array is reused
	extra         []extraField // impersonatedUser only, sorted by key then value
}

// extraField is one value of a user's extra map.
type extraField struct{ key, value []byte }

// refFields are the event's objectRef.
type refFields struct {
	resource, subresource, namespace, name, apiGroup, apiVersion []byte
}

// reset empties f, keeping its buffers.
func (f *fields) reset() {
	groups, extra, unesc := f.groupsBuf[:0], f.extraBuf[:0], f.unescaped[:0]
	clear(f.groupsBuf[:cap(f.groupsBuf)])
	clear(f.extraBuf[:cap(f.extraBuf)])
	*f = fields{groupsBuf: groups, extraBuf: extra, unescaped: unesc}
}

// wrapper reports whether the record is an AKS record, a Log Analytics
// row or a CloudWatch Logs event, which carry an event as a string (or,
// for other categories, something else), rather than an event.
func (f *fields) wrapper() bool {
	return f.hasLog || f.hasLogS || f.hasMessage || len(f.category) > 0
}

// rawRecord is what goccy decodes a record into when the fast decoder
// declines it (escapes it cannot take, duplicate keys, other types, invalid
// JSON): the reference for what each field means, and its errors are the
// messages of invalid records. It holds the fields of an audit event and
// of the wrappers around one. JSON keys match case-insensitively.
type rawRecord struct {
	AuditID                  string          `json:"auditID"`
	Stage                    string          `json:"stage"`
	RequestURI               string          `json:"requestURI"`
	Verb                     string          `json:"verb"`
	User                     rawUser         `json:"user"`
	ImpersonatedUser         rawImpersonated `json:"impersonatedUser"`
	UserAgent                string          `json:"userAgent"`
	ObjectRef                rawRef          `json:"objectRef"`
	ResponseStatus           rawStatus       `json:"responseStatus"`
	RequestReceivedTimestamp string          `json:"requestReceivedTimestamp"`
	StageTimestamp           string          `json:"stageTimestamp"`
	Timestamp                looseString     `json:"timestamp"`
	Annotations              rawDecisions    `json:"annotations"`

	// Wrappers.
	Category      string        `json:"category"`
	Properties    rawProperties `json:"properties"`
	LogS          *string       `json:"log_s"`
	Message       *string       `json:"message"`
	ResourceID    string        `json:"resourceId"`
	LAResourceID  string        `json:"_ResourceId"`
	LogGroup      string        `json:"logGroup"`
	LogStreamName string        `json:"logStreamName"`
	LogStream     string        `json:"logStream"`

	// A list read where a record could be (JSON Lines of EventLists,
	// AKS exports or CloudWatch pages): its records.
	Items     rawList `json:"items"`
	Records   rawList `json:"records"`
	Events    rawList `json:"events"`
	LogEvents rawList `json:"logEvents"`
}

// rawUser is the user block; its extra map is not used.
type rawUser struct {
	Username string   `json:"username"`
	UID      string   `json:"uid"`
	Groups   []string `json:"groups"`
}

// rawImpersonated is impersonatedUser: each of its extra values needs its
// own impersonate permission.
type rawImpersonated struct {
	rawUser
	Extra map[string][]string `json:"extra"`
}

type rawRef struct {
	Resource    string `json:"resource"`
	Subresource string `json:"subresource"`
	Namespace   string `json:"namespace"`
	Name        string `json:"name"`
	APIGroup    string `json:"apiGroup"`
	APIVersion  string `json:"apiVersion"`
}

type rawStatus struct {
	Code   int32  `json:"code"`
	Reason string `json:"reason"`
}

// rawDecisions are the annotations the reader uses.
type rawDecisions struct {
	Decision string `json:"authorization.k8s.io/decision"`
}

type rawProperties struct {
	Log *string `json:"log"`
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

// decodeSlow decodes raw with goccy into f. When raw has an items,
// records, events or logEvents array (a list, where a list may be), it
// also returns its items and true. It allocates: it is the path for
// records the fast decoder declines.
func decodeSlow(raw []byte, f *fields) ([]json.RawMessage, bool, error) {
	f.reset()
	if jsonscan.FirstByte(raw) != '{' {
		return nil, false, jsonscan.ErrNotObject
	}
	var rec rawRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, false, err
	}
	f.auditID, f.stage, f.requestURI, f.verb = bs(rec.AuditID), bs(rec.Stage), bs(rec.RequestURI), bs(rec.Verb)
	f.userAgent = bs(rec.UserAgent)
	f.user = f.userOf(&rec.User, nil)
	f.impersonated = f.userOf(&rec.ImpersonatedUser.rawUser, rec.ImpersonatedUser.Extra)
	r := &rec.ObjectRef
	f.ref = refFields{resource: bs(r.Resource), subresource: bs(r.Subresource), namespace: bs(r.Namespace),
		name: bs(r.Name), apiGroup: bs(r.APIGroup), apiVersion: bs(r.APIVersion)}
	f.code, f.reason = int64(rec.ResponseStatus.Code), bs(rec.ResponseStatus.Reason)
	f.received, f.stageTime, f.timestamp = bs(rec.RequestReceivedTimestamp), bs(rec.StageTimestamp), bs(string(rec.Timestamp))
	f.decision = bs(rec.Annotations.Decision)
	f.category = bs(rec.Category)
	if p := rec.Properties.Log; p != nil {
		f.hasLog, f.log = true, bs(*p)
	}
	if p := rec.LogS; p != nil {
		f.hasLogS, f.logS = true, bs(*p)
	}
	if p := rec.Message; p != nil {
		f.hasMessage, f.message = true, bs(*p)
	}
	f.resourceID, f.laResourceID = bs(rec.ResourceID), bs(rec.LAResourceID)
	f.logGroup, f.logStream, f.listStream = bs(rec.LogGroup), bs(rec.LogStreamName), bs(rec.LogStream)
	for _, l := range [...]*rawList{&rec.Items, &rec.Records, &rec.Events, &rec.LogEvents} {
		if l.set {
			if l.items == nil {
				return []json.RawMessage{}, true, nil
			}
			return l.items, true, nil
		}
	}
	return nil, false, nil
}

// userOf converts a decoded user block, its groups and extra values kept
// in f's buffers, the extra values sorted.
func (f *fields) userOf(u *rawUser, extra map[string][]string) userFields {
	out := userFields{username: bs(u.Username), uid: bs(u.UID)}
	start := len(f.groupsBuf)
	for _, g := range u.Groups {
		f.groupsBuf = append(f.groupsBuf, bs(g))
	}
	out.groups = f.groupsBuf[start:len(f.groupsBuf):len(f.groupsBuf)]
	if len(extra) > 0 {
		start := len(f.extraBuf)
		for k, vs := range extra {
			for _, v := range vs {
				f.extraBuf = append(f.extraBuf, extraField{key: bs(k), value: bs(v)})
			}
		}
		out.extra = f.extraBuf[start:len(f.extraBuf):len(f.extraBuf)]
		sortExtra(out.extra)
	}
	return out
}

// sortExtra sorts extra values by key, then value.
func sortExtra(x []extraField) {
	sort.SliceStable(x, func(i, j int) bool {
		if c := bytes.Compare(x[i].key, x[j].key); c != 0 {
			return c < 0
		}
		return bytes.Compare(x[i].value, x[j].value) < 0
	})
}

func bs(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// looseString is a string field that other types leave empty: timestamp
// is a string in v1beta1 events and a number (milliseconds) in CloudWatch
// Logs events.
type looseString string

func (l *looseString) UnmarshalJSON(b []byte) error {
	*l = ""
	if jsonscan.FirstByte(b) != '"' {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*l = looseString(s)
	return nil
}
