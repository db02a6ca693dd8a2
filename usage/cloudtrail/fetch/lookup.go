package fetch

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/usage/internal/retry"
	"github.com/leastpriv/pare/usage/record"
)

// LookupAPI is the subset of *cloudtrail.Client that LookupEvents uses.
type LookupAPI interface {
	LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, opts ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

const (
	// Retention is how far back the LookupEvents API reaches.
	Retention = 90 * day
	// LookupRate is the API's limit: requests per second per region.
	LookupRate = 2
	pageSize   = 50
)

// pacing is how LookupEvents spends its request budget; tests swap the
// clock.
type pacing struct {
	limiter *Limiter      // shared by every Input of one call
	backoff retry.Backoff // tries per page and waits between them
}

// defaultPacing is 2 requests a second, and up to 8 tries a page with
// backoff from 1 s to 30 s.
func defaultPacing() pacing {
	return pacing{limiter: NewLimiter(LookupRate), backoff: retry.Backoff{Attempts: 8, First: time.Second, Max: 30 * time.Second, Sleep: retry.Sleep}}
}

// LookupEvents returns one Input per UTC day of w, named
// cloudtrail://REGION/YYYY-MM-DD, oldest first. The API keeps 90 days: the
// window is clamped to [now-90d, now] and the Report says so. An unbounded
// start means the API's whole 90 days.
//
// Opening an Input pages through LookupEvents for that day (50 events a
// page) at no more than 2 requests a second for the region, retrying
// throttling and server errors with backoff, and streams the result in the
// `aws cloudtrail lookup-events` JSON shape:
// {"Events":[{"EventId":…,"CloudTrailEvent":"<json string>"},…]}.
// A failure mid-stream surfaces as the reader's error.
func LookupEvents(ctx context.Context, client LookupAPI, region string, w synth.Window, now time.Time) ([]record.Input, Report, error) {
	return lookupEvents(ctx, client, region, w, now, defaultPacing())
}

func lookupEvents(ctx context.Context, client LookupAPI, region string, w synth.Window, now time.Time, pace pacing) ([]record.Input, Report, error) {
	var rep Report
	if err := ctx.Err(); err != nil {
		return nil, rep, err
	}
	now = now.UTC()
	earliest := now.Add(-Retention)
	from, to := w.From.UTC(), w.To.UTC()
	switch {
	case w.From.IsZero():
		from = earliest
		rep.Notes = append(rep.Notes, fmt.Sprintf("cloudtrail://%s: the LookupEvents API keeps 90 days: reading from %s", region, earliest.Format(time.RFC3339)))
	case from.Before(earliest):
		rep.Notes = append(rep.Notes, fmt.Sprintf("cloudtrail://%s: the LookupEvents API keeps 90 days: window start %s clamped to %s", region, from.Format(time.RFC3339), earliest.Format(time.RFC3339)))
		from = earliest
	}
	if w.To.IsZero() || to.After(now) {
		to = now
	}
	if from.After(to) {
		rep.Notes = append(rep.Notes, fmt.Sprintf("cloudtrail://%s: the window ends before the API's 90 days begin: nothing to read", region))
		return nil, rep, nil
	}
	var inputs []record.Input
	for d := from.Truncate(day); !d.After(to); d = d.Add(day) {
		start, end := d, d.Add(day-time.Second) // CloudTrail times have whole seconds
		if start.Before(from) {
			start = from
		}
		if end.After(to) {
			end = to
		}
		q := query{client: client, region: region, start: start, end: end, pace: pace}
		inputs = append(inputs, record.Input{
			Name: "cloudtrail://" + region + "/" + d.Format("2006-01-02"),
			Size: -1,
			Open: q.open,
		})
	}
	return inputs, rep, nil
}

// query is one day's LookupEvents paging.
type query struct {
	client     LookupAPI
	region     string
	start, end time.Time
	pace       pacing
}

// open starts paging in the background and returns the streamed JSON. The
// paging stops when ctx is done or the reader is closed.
func (q query) open(ctx context.Context) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer cancel()
		pw.CloseWithError(q.stream(ctx, pw))
	}()
	return &pipeReader{PipeReader: pr, cancel: cancel}, nil
}

type pipeReader struct {
	*io.PipeReader
	cancel context.CancelFunc
}

func (p *pipeReader) Close() error {
	p.cancel()
	return p.PipeReader.Close()
}

// outEvent is one element of lookup-events' "Events" array.
type outEvent struct {
	EventId         string `json:"EventId"`
	EventName       string `json:"EventName,omitempty"`
	ReadOnly        string `json:"ReadOnly,omitempty"`
	AccessKeyId     string `json:"AccessKeyId,omitempty"`
	EventTime       string `json:"EventTime,omitempty"`
	EventSource     string `json:"EventSource,omitempty"`
	Username        string `json:"Username,omitempty"`
	CloudTrailEvent string `json:"CloudTrailEvent"`
}

func (q query) stream(ctx context.Context, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(`{"Events":[`); err != nil {
		return err
	}
	first := true
	var token *string
	for {
		out, err := q.page(ctx, token)
		if err != nil {
			return err
		}
		for _, e := range out.Events {
			b, err := json.Marshal(toOut(e))
			if err != nil {
				return fmt.Errorf("encoding event %s: %w", aws.ToString(e.EventId), err)
			}
			if !first {
				bw.WriteByte(',')
			}
			first = false
			bw.Write(b)
		}
		// Hand each page to the reader as it arrives.
		if err := bw.Flush(); err != nil {
			return err
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		if token != nil && *token == *out.NextToken {
			return fmt.Errorf("cloudtrail://%s: LookupEvents returned the same NextToken twice", q.region)
		}
		token = out.NextToken
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

func toOut(e types.Event) outEvent {
	o := outEvent{
		EventId:         aws.ToString(e.EventId),
		EventName:       aws.ToString(e.EventName),
		ReadOnly:        aws.ToString(e.ReadOnly),
		AccessKeyId:     aws.ToString(e.AccessKeyId),
		EventSource:     aws.ToString(e.EventSource),
		Username:        aws.ToString(e.Username),
		CloudTrailEvent: aws.ToString(e.CloudTrailEvent),
	}
	if e.EventTime != nil {
		o.EventTime = e.EventTime.UTC().Format(time.RFC3339)
	}
	return o
}

// page makes one LookupEvents call, paced and retried.
func (q query) page(ctx context.Context, token *string) (*cloudtrail.LookupEventsOutput, error) {
	in := &cloudtrail.LookupEventsInput{
		StartTime:  aws.Time(q.start),
		EndTime:    aws.Time(q.end),
		MaxResults: aws.Int32(pageSize),
		NextToken:  token,
	}
	for attempt := 1; ; attempt++ {
		if err := q.pace.limiter.Wait(ctx); err != nil {
			return nil, err
		}
		out, err := q.client.LookupEvents(ctx, in)
		if err == nil {
			return out, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !retryable(err) || attempt >= q.pace.backoff.Attempts {
			return nil, fmt.Errorf("cloudtrail://%s: LookupEvents %s..%s (try %d): %w", q.region, q.start.Format(time.RFC3339), q.end.Format(time.RFC3339), attempt, err)
		}
		if err := q.pace.backoff.Sleep(ctx, q.pace.backoff.Wait(attempt)); err != nil {
			return nil, err
		}
	}
}

// retryable reports whether err is throttling, a server-side failure or a
// dropped connection (which the SDK's own retryer would also retry).
func retryable(err error) bool {
	if (awsretry.RetryableConnectionError{}).IsErrorRetryable(err) == aws.TrueTernary {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
			"ServiceUnavailable", "ServiceUnavailableException", "InternalFailure", "InternalServerError":
			return true
		}
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		s := re.HTTPStatusCode()
		return s == 429 || s >= 500
	}
	return false
}
