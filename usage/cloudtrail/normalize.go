package cloudtrail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	stdjson "encoding/json"
	"strings"
	"time"

	"github.com/goccy/go-json"

	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/usage/record"
)

// rawRecord holds the fields of a CloudTrail record the reader uses; the
// decoder skips the rest.
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

func (u *userIdentity) issuerARN() string {
	return u.SessionContext.SessionIssuer.ARN
}

type resource struct {
	ARN string `json:"ARN"`
}

// deniedCodes are error codes that mean the caller lacked permission,
// without a "Client." or "Server." prefix.
var deniedCodes = map[string]bool{
	"AccessDenied":                     true,
	"AccessDeniedException":            true,
	"UnauthorizedOperation":            true,
	"UnauthorizedAccess":               true,
	"UnauthorizedAccessException":      true,
	"UnauthorizedException":            true,
	"AuthorizationError":               true,
	"AuthorizationErrorException":      true,
	"AuthorizationException":           true,
	"Forbidden":                        true,
	"ForbiddenException":               true,
	"AllAccessDisabled":                true,
	"InsufficientPermissions":          true,
	"InsufficientPermissionsException": true,
	"NotAuthorized":                    true,
}

// outcome classifies an errorCode.
func outcome(code string) record.Outcome {
	if code == "" {
		return record.Allowed
	}
	c := strings.TrimPrefix(strings.TrimPrefix(code, "Client."), "Server.")
	if deniedCodes[c] {
		return record.Denied
	}
	return record.Failed
}

// noResource is the resource list of an action whose resource is unknown.
// It is never modified.
var noResource = []string{""}

// cacheLimit bounds the per-read caches: keys come from the input.
const cacheLimit = 4096

// normalizer turns decoded records into Events. One belongs to one Read
// call, so its caches need no locks.
type normalizer struct {
	cat      Catalog
	rec      rawRecord
	ev       record.Event // reused for every emitted event
	fill     filler
	mappings map[[2]string]catalog.Mapping
	actions  map[string]actionInfo
}

type actionInfo struct {
	info catalog.ActionInfo
	ok   bool
}

func newNormalizer(cat Catalog) *normalizer {
	return &normalizer{
		cat:      cat,
		mappings: make(map[[2]string]catalog.Mapping),
		actions:  make(map[string]actionInfo),
	}
}

func (n *normalizer) mapEvent(source, name string) catalog.Mapping {
	k := [2]string{source, name}
	if m, ok := n.mappings[k]; ok {
		return m
	}
	m := n.cat.MapEvent(source, name)
	if len(n.mappings) < cacheLimit {
		n.mappings[k] = m
	}
	return m
}

func (n *normalizer) action(name string) (catalog.ActionInfo, bool) {
	if a, ok := n.actions[name]; ok {
		return a.info, a.ok
	}
	info, ok := n.cat.Action(name)
	if len(n.actions) < cacheLimit {
		n.actions[name] = actionInfo{info, ok}
	}
	return info, ok
}

// Skip reasons, the keys of record.Stats.Skipped.
const (
	SkipSignIn       = "AwsConsoleSignIn"
	SkipServiceEvent = "AwsServiceEvent"
	SkipInsight      = "Insight"
	SkipService      = "AWSService caller"
	SkipNoPermission = "needs no permission"
	SkipOtherType    = "other eventType"
)

// normalize decodes one record and emits its Events.
func (n *normalizer) normalize(i int, raw []byte, st *record.Stats, problem func(int, string), emit func(*record.Event) error) error {
	rec := &n.rec
	*rec = rawRecord{}
	if err := json.Unmarshal(raw, rec); err != nil {
		problem(i, "invalid record: "+shortError(err))
		return nil
	}
	if rec.EventCategory == "Insight" || rec.EventType == "AwsCloudTrailInsight" || len(rec.InsightDetails) > 0 {
		st.Skip(SkipInsight)
		return nil
	}
	switch rec.EventType {
	case "AwsApiCall", "":
	case "AwsConsoleSignIn":
		st.Skip(SkipSignIn)
		return nil
	case "AwsServiceEvent":
		st.Skip(SkipServiceEvent)
		return nil
	default:
		st.Skip(SkipOtherType)
		return nil
	}
	if rec.EventSource == "" || rec.EventName == "" {
		problem(i, "record without eventSource or eventName")
		return nil
	}
	u := &rec.UserIdentity
	if u.Type == "" && u.ARN == "" && u.PrincipalID == "" && u.AccountID == "" {
		problem(i, "record without userIdentity")
		return nil
	}
	if u.Type == "AWSService" {
		st.Skip(SkipService)
		return nil
	}
	t, err := time.Parse(time.RFC3339, rec.EventTime)
	if err != nil || t.IsZero() {
		problem(i, "bad eventTime "+quoteShort(rec.EventTime))
		return nil
	}
	base := &n.ev
	*base = record.Event{
		Provider:  "aws",
		Time:      t.UTC(),
		Scope:     u.AccountID,
		Region:    rec.AWSRegion,
		Outcome:   outcome(rec.ErrorCode),
		ErrorCode: rec.ErrorCode,
		Service:   rec.EventSource,
		Operation: rec.EventName,
		Index:     i,
	}
	if base.Scope == "" {
		base.Scope = rec.RecipientAccountID
	}
	base.Principal, base.PrincipalKind, base.Session = principal(u, rec.AWSRegion)
	if base.Principal == "" {
		problem(i, "userIdentity names no principal")
		return nil
	}
	base.Via = via(u.InvokedBy, rec.SourceIPAddress)
	base.EventID = rec.EventID
	if base.EventID == "" {
		base.EventID = contentID(raw)
	}

	m := n.mapEvent(rec.EventSource, rec.EventName)
	if m.NoPermission {
		st.Skip(SkipNoPermission)
		return nil
	}
	fill := &n.fill
	fill.reset(rec, base.Scope)
	if len(m.Actions) == 0 {
		base.Unmapped = m.Reason
		if base.Unmapped == "" {
			base.Unmapped = "no mapping for " + rec.EventSource + " " + rec.EventName
		}
		if err := emit(base); err != nil {
			return err
		}
		base.Unmapped = ""
	}
	for _, a := range m.Actions {
		info, ok := n.action(a)
		name := a
		if ok && info.Name != "" {
			name = info.Name
		}
		var arns []string
		if ok {
			arns = fill.resources(info)
		}
		if len(arns) == 0 {
			arns = noResource
		}
		for _, arn := range arns {
			base.Action = name
			base.Resource = arn
			if err := emit(base); err != nil {
				return err
			}
		}
	}
	if rec.EventSource != "sts.amazonaws.com" && rec.EventSource != "iam.amazonaws.com" {
		for _, arn := range passedRoles(rec.RequestParameters) {
			base.Action = "iam:PassRole"
			base.Resource = arn
			base.Inferred = true
			if err := emit(base); err != nil {
				return err
			}
		}
	}
	return nil
}

// principal returns the canonical principal, its kind and the session
// detail for a userIdentity.
func principal(u *userIdentity, region string) (id, kind, session string) {
	switch u.Type {
	case "AssumedRole":
		id = u.issuerARN()
		session = sessionName(u.ARN)
		if id == "" {
			id = roleFromAssumed(u.ARN)
		}
		if id == "" {
			id = firstNonEmpty(u.ARN, u.PrincipalID)
		}
		return id, "role", session
	case "IAMUser":
		id = u.ARN
		if id == "" && u.AccountID != "" && u.UserName != "" {
			id = "arn:" + partition(region) + ":iam::" + u.AccountID + ":user/" + u.UserName
		}
		if id == "" {
			id = u.PrincipalID
		}
		return id, "user", u.AccessKeyID
	case "Root":
		if u.AccountID != "" {
			id = "arn:" + partitionOf(u.ARN, region) + ":iam::" + u.AccountID + ":root"
		} else {
			id = u.ARN
		}
		return id, "root", u.AccessKeyID
	case "FederatedUser":
		id = firstNonEmpty(u.issuerARN(), u.ARN, u.PrincipalID)
		return id, "federated", sessionName(u.ARN)
	case "SAMLUser", "WebIdentityUser":
		kind = "saml"
		if u.Type == "WebIdentityUser" {
			kind = "web-identity"
		}
		if u.IdentityProvider != "" && u.UserName != "" {
			id = u.IdentityProvider + ":" + u.UserName
		} else {
			id = u.PrincipalID
		}
		return id, kind, u.UserName
	case "AWSAccount":
		if u.AccountID != "" {
			id = "arn:" + partition(region) + ":iam::" + u.AccountID + ":root"
		} else {
			id = u.PrincipalID
		}
		return id, "account", u.PrincipalID
	}
	id = firstNonEmpty(u.ARN, u.PrincipalID)
	if id == "" && u.OnBehalfOf.UserID != "" {
		id = u.OnBehalfOf.IdentityStoreARN + "/" + u.OnBehalfOf.UserID
	}
	kind = strings.ToLower(u.Type)
	if kind == "" {
		kind = "unknown"
	}
	return id, kind, u.UserName
}

// sessionName returns the last path element of an assumed-role or
// federated-user ARN: the session or federated user name.
func sessionName(arn string) string {
	for _, p := range []string{":assumed-role/", ":federated-user/"} {
		if j := strings.Index(arn, p); j >= 0 {
			rest := arn[j+len(p):]
			if p == ":assumed-role/" {
				k := strings.LastIndexByte(rest, '/')
				if k < 0 {
					return ""
				}
				return rest[k+1:]
			}
			return rest
		}
	}
	return ""
}

// roleFromAssumed turns arn:P:sts::A:assumed-role/R/S into arn:P:iam::A:role/R.
func roleFromAssumed(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sts" {
		return ""
	}
	rest, ok := strings.CutPrefix(parts[5], "assumed-role/")
	if !ok {
		return ""
	}
	k := strings.LastIndexByte(rest, '/')
	if k <= 0 {
		return ""
	}
	return "arn:" + parts[1] + ":iam::" + parts[4] + ":role/" + rest[:k]
}

// partition is the AWS partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	}
	return "aws"
}

// partitionOf takes the partition from an ARN, else from the region.
func partitionOf(arn, region string) string {
	if p, ok := strings.CutPrefix(arn, "arn:"); ok {
		if j := strings.IndexByte(p, ':'); j > 0 && strings.HasPrefix(p[:j], "aws") {
			return p[:j]
		}
	}
	return partition(region)
}

// via names the AWS service that made a call with the principal's
// permissions, or "".
func via(invokedBy, sourceIP string) string {
	if isService(invokedBy) {
		return invokedBy
	}
	if isService(sourceIP) {
		return sourceIP
	}
	return ""
}

func isService(s string) bool {
	return s == "AWS Internal" || (strings.HasSuffix(s, ".amazonaws.com") && len(s) > len(".amazonaws.com"))
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// contentID is the EventID of a record without eventID: a hash of its
// compacted bytes, so that the same record gets the same id in any shape.
func contentID(raw []byte) string {
	var b bytes.Buffer
	if err := stdjson.Compact(&b, raw); err != nil {
		b.Reset()
		b.Write(raw)
	}
	sum := sha256.Sum256(b.Bytes())
	return "sha256:" + hex.EncodeToString(sum[:16])
}

func quoteShort(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + s + `"`
}
