package record

import (
	"context"
	"io"
	"strconv"
	"time"
)

// Outcome is how the provider answered a request.
type Outcome string

const (
	Allowed Outcome = "allowed" // the call succeeded
	Denied  Outcome = "denied"  // refused for lack of permission (AccessDenied, UnauthorizedOperation)
	Failed  Outcome = "error"   // failed for another reason; the permission was still used
)

// Event is one normalized row: one action on one resource by one principal in
// one logical request. A request that needs several actions, or names several
// resources, gives several Events sharing an EventID.
type Event struct {
	Provider      string    // "aws"
	EventID       string    // dedupe key: the provider's id, or a content hash when it has none
	Time          time.Time // UTC
	Principal     string    // canonical id: role ARN, user ARN, root ARN, ...
	PrincipalKind string    // role, user, root, federated, ...
	Session       string    // session or actor detail (role session name, access key id)
	Action        string    // canonical IAM action; "" when unmapped (see Unmapped)
	Resource      string    // ARN or "" when none was recorded
	Scope         string    // account id
	Region        string
	Outcome       Outcome
	ErrorCode     string
	Via           string // service that made the call with the principal's permissions, e.g. "cloudformation.amazonaws.com"
	Grant         string // what the provider says authorized the call (Azure: the role assignment id); "" when unknown
	Inferred      bool   // implied by the request (iam:PassRole), not named by it
	Service       string // raw source, e.g. CloudTrail eventSource
	Operation     string // raw operation, e.g. CloudTrail eventName
	Unmapped      string // why Action is empty; "" when mapped
	Index         int    // record index within its input, from 0
	// Weight is how many occurrences this row stands for: a rollup's count
	// when the source aggregated them (Log Analytics), 0 or 1 for one
	// request. Queries sum weights over distinct EventIDs.
	Weight int64
}

// Input is one unit a loader reads and the store records in its sources
// table: a file, an S3 object, or one API window.
type Input struct {
	Name    string    // stable reference: a path, s3://bucket/key, cloudtrail://region/day
	Size    int64     // bytes, or -1 when unknown before reading
	ModTime time.Time // zero when unknown
	// Open returns the raw content. The caller closes it.
	Open func(ctx context.Context) (io.ReadCloser, error)
}

// Problem is a bad record or a bad input, reported with where it is.
type Problem struct {
	Input   string // Input.Name
	Index   int    // record index, or -1 when the problem is not one record's
	Message string
}

func (p Problem) String() string {
	if p.Index < 0 {
		return p.Input + ": " + p.Message
	}
	return p.Input + ": record " + strconv.Itoa(p.Index) + ": " + p.Message
}

// Stats is what reading one input found.
type Stats struct {
	Records  int            // records seen, good or bad
	Events   int            // Events emitted
	Skipped  map[string]int // records deliberately not used, by reason ("AwsConsoleSignIn", "AWSService caller", ...)
	Problems []Problem      // bad records; the rest of the input still loads
}

// Skip counts one skipped record under reason.
func (s *Stats) Skip(reason string) {
	if s.Skipped == nil {
		s.Skipped = make(map[string]int)
	}
	s.Skipped[reason]++
}

// ReadFunc decodes one input's content, calling emit for each normalized
// Event. A non-nil error means the input as a whole is unusable (not the
// expected format, truncated compression); bad single records are reported in
// Stats.Problems instead. emit's error stops the read and is returned.
type ReadFunc func(ctx context.Context, name string, r io.Reader, emit func(*Event) error) (Stats, error)

// Grant is one permission granted today: a principal may (Effect "allow")
// or may not ("not", for NotActions) perform Action on what Scope covers.
// Actions are patterns as the provider writes them ("Microsoft.Compute/*",
// "s3:Get*"); readers do not expand them.
type Grant struct {
	Provider  string
	Principal string // canonical id: role ARN, Entra object id, subject
	Effect    string // "allow", "not" (Azure NotActions), "deny"
	Action    string // pattern
	Data      bool   // an Azure data action (DataActions / NotDataActions)
	Resource  string // resource pattern, "" when the grant is the whole scope
	Scope     string // where it applies: account, /subscriptions/..., namespace
	Origin    string // what grants it: the role assignment, policy or binding
}
