package loganalytics

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azlogs"

	"github.com/leastpriv/pare/usage/internal/retry"
)

// Rollup is one aggregated usage row the service computed: how often one
// principal ran one operation on one resource with one outcome.
type Rollup struct {
	// Principal is the caller's object id as a lower-case GUID: the token's
	// oid claim, else the role assignment evidence's principalId.
	Principal string `json:"principal"`
	// PrincipalKind is "user", "service-principal", "managed-identity", the
	// evidence's principalType lower-cased, or "unknown": the names the
	// Activity Log file reader (usage/azure) gives.
	PrincipalKind string `json:"kind"`
	// Caller is for display: the UPN of a user, the app id of an
	// application, else the record's Caller.
	Caller string `json:"caller"`
	// Operation is OperationNameValue as recorded, often upper-cased; Events
	// canonicalises its casing against the operations catalog.
	Operation string `json:"operation"`
	// Scope is the resource id as recorded (_ResourceId, else ResourceId).
	Scope string `json:"scope"`
	// Outcome is "allowed", "denied" (authorization failed) or "error"
	// (failed for another reason: the permission was still used).
	Outcome string `json:"outcome"`
	// Count is the number of logical operations (one per correlation id,
	// operation and resource). An asynchronous operation whose Accepted
	// and final events fall in different slices counts once in each.
	Count int64     `json:"count"`
	First time.Time `json:"first"` // UTC
	Last  time.Time `json:"last"`  // UTC
}

// Slice is the rollups of one time slice of a window, [From, To).
type Slice struct {
	From, To time.Time
	// Rollups are merged over the slice's splits and sorted like Query's.
	Rollups []Rollup
}

// Options say which workspace and window Query reads.
type Options struct {
	Workspace string    // workspace id (a GUID), as ParseURL returns it
	From, To  time.Time // the window [From, To); both required
	// Slice is the length of one query's window; 0 means one day, and it
	// is at least MinSlice. Slices are aligned to multiples of Slice since
	// the zero time (whole UTC days for a day), clipped to the window.
	Slice time.Duration
	// MaxRowsPerSlice is how many result rows a slice may return before
	// Query takes it as (nearly) truncated and splits it; 0 means 450,000,
	// 90% of the service's 500,000-row limit.
	MaxRowsPerSlice int
}

const (
	// DefaultSlice is Options.Slice's default.
	DefaultSlice = 24 * time.Hour
	// DefaultMaxRowsPerSlice is Options.MaxRowsPerSlice's default.
	DefaultMaxRowsPerSlice = 450_000
	// MinSlice is the shortest slice Query splits down to; a slice that
	// short still partial or too large fails the query.
	MinSlice = time.Minute
	// serverWait is how long the service may run one query: its maximum.
	serverWait = 600
)

// Report says what Query did and what it left out, so nothing is dropped
// silently.
type Report struct {
	Queries int // queries sent, retries and split slices included
	Slices  int // slices whose results were used
	Splits  int // slices split in two because their result was partial or near the row limit
	Retries int // throttled queries retried
	Rows    int // result rows the service returned for the slices used
	// Skipped counts logical operations not returned as rollups, by reason
	// ("no principal": the record names no caller, or only a group).
	Skipped map[string]int64
	// Notes are remarks for the user.
	Notes []string
}

func (r *Report) skip(reason string, n int64) {
	if r.Skipped == nil {
		r.Skipped = make(map[string]int64)
	}
	r.Skipped[reason] += n
}

// Reasons returns the keys of Skipped, sorted.
func (r Report) Reasons() []string {
	keys := make([]string, 0, len(r.Skipped))
	for k := range r.Skipped {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// defaultPacing is how Query retries throttling: up to 8 tries a query
// with backoff from 2 s to 1 min, or what the service's Retry-After asks,
// if longer (up to 10 min).
func defaultPacing() retry.Backoff {
	return retry.Backoff{Attempts: 8, First: 2 * time.Second, Max: time.Minute, Sleep: retry.Sleep}
}

// Query runs one KQL summarize (see KQL) per time slice of the window
// against the workspace's AzureActivity table and returns the rollups of
// all slices merged, sorted by principal, operation, scope, outcome, kind
// and caller. A slice whose result comes back partial (the response's
// error, e.g. PartialError when a limit was hit), near MaxRowsPerSlice, or
// timed out (HTTP 504) is split in halves and queried again, down to
// MinSlice; past that, Query fails with an error naming the slice. Throttled
// queries (HTTP 429) are retried with backoff while ctx allows. Any other
// failure fails the query, naming its slice.
func Query(ctx context.Context, client LogsAPI, opts Options) ([]Rollup, Report, error) {
	return query(ctx, client, opts, defaultPacing())
}

func query(ctx context.Context, client LogsAPI, opts Options, pace retry.Backoff) ([]Rollup, Report, error) {
	all, rep, err := querySlices(ctx, client, opts, pace)
	if err != nil {
		return nil, rep, err
	}
	merged := make(map[rollupKey]*Rollup)
	for _, s := range all {
		for _, r := range s.Rollups {
			merge(merged, r)
		}
	}
	return sorted(merged), rep, nil
}

// QuerySlices is Query without merging the slices: it returns the rollups
// of each slice of the window, in time order, so that each can be stored
// as one input (see Input).
func QuerySlices(ctx context.Context, client LogsAPI, opts Options) ([]Slice, Report, error) {
	return querySlices(ctx, client, opts, defaultPacing())
}

func querySlices(ctx context.Context, client LogsAPI, opts Options, pace retry.Backoff) ([]Slice, Report, error) {
	var rep Report
	if !isGUID(opts.Workspace) {
		return nil, rep, fmt.Errorf("log analytics: workspace id %q is not a GUID", opts.Workspace)
	}
	if opts.From.IsZero() || opts.To.IsZero() {
		return nil, rep, fmt.Errorf("log analytics: the window needs both a start and an end")
	}
	from, to := opts.From.UTC(), opts.To.UTC()
	if !from.Before(to) {
		return nil, rep, fmt.Errorf("log analytics: window start %s is not before its end %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	if opts.Slice < 0 || opts.MaxRowsPerSlice < 0 {
		return nil, rep, fmt.Errorf("log analytics: negative slice length or row limit")
	}
	if opts.Slice == 0 {
		opts.Slice = DefaultSlice
	}
	if opts.Slice < MinSlice {
		opts.Slice = MinSlice
	}
	if opts.MaxRowsPerSlice == 0 {
		opts.MaxRowsPerSlice = DefaultMaxRowsPerSlice
	}
	q := &querier{client: client, ws: opts.Workspace, maxRows: opts.MaxRowsPerSlice, pace: pace, rep: &rep}
	var out []Slice
	for start := from; start.Before(to); {
		end := start.Truncate(opts.Slice).Add(opts.Slice)
		if end.After(to) {
			end = to
		}
		q.merged = make(map[rollupKey]*Rollup)
		if err := q.slice(ctx, start, end); err != nil {
			return nil, rep, err
		}
		out = append(out, Slice{From: start, To: end, Rollups: sorted(q.merged)})
		start = end
	}
	return out, rep, nil
}

type rollupKey struct {
	principal, kind, caller, operation, scope, outcome string
}

// merge adds r to the rollup of the same key in m.
func merge(m map[rollupKey]*Rollup, r Rollup) {
	k := rollupKey{r.Principal, r.PrincipalKind, r.Caller, r.Operation, r.Scope, r.Outcome}
	old, ok := m[k]
	if !ok {
		m[k] = &r
		return
	}
	old.Count += r.Count
	if r.First.Before(old.First) {
		old.First = r.First
	}
	if r.Last.After(old.Last) {
		old.Last = r.Last
	}
}

// sorted returns the rollups of m sorted by compareRollups.
func sorted(m map[rollupKey]*Rollup) []Rollup {
	out := make([]Rollup, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, compareRollups)
	return out
}

func compareRollups(a, b Rollup) int {
	return cmp.Or(
		cmp.Compare(a.Principal, b.Principal),
		cmp.Compare(a.Operation, b.Operation),
		cmp.Compare(a.Scope, b.Scope),
		cmp.Compare(a.Outcome, b.Outcome),
		cmp.Compare(a.PrincipalKind, b.PrincipalKind),
		cmp.Compare(a.Caller, b.Caller),
	)
}

// querier holds one Query call's state.
type querier struct {
	client  LogsAPI
	ws      string
	maxRows int
	pace    retry.Backoff // throttling retries; tests swap the clock
	rep     *Report
	merged  map[rollupKey]*Rollup // the current slice's rollups
}

// errSplit says a slice's result is incomplete or may be, and the slice
// should be split.
type errSplit struct{ reason string }

func (e *errSplit) Error() string { return e.reason }

// slice queries [from, to), splitting it depth first while the service says
// its result is incomplete.
func (q *querier) slice(ctx context.Context, from, to time.Time) error {
	rows, err := q.run(ctx, from, to)
	var split *errSplit
	if errors.As(err, &split) {
		if to.Sub(from) < 2*MinSlice {
			return fmt.Errorf("%s: %s: %s, and the slice is already the shortest (%s); narrow the window or lower the volume", q.name(), sliceName(from, to), split.reason, MinSlice)
		}
		q.rep.Splits++
		mid := from.Add(to.Sub(from) / 2).Truncate(time.Second)
		if !mid.After(from) {
			mid = from.Add(to.Sub(from) / 2)
		}
		if err := q.slice(ctx, from, mid); err != nil {
			return err
		}
		return q.slice(ctx, mid, to)
	}
	if err != nil {
		return err
	}
	q.rep.Slices++
	q.rep.Rows += len(rows)
	for _, r := range rows {
		if r.Principal == "" {
			q.rep.skip("no principal", r.Count)
			continue
		}
		merge(q.merged, r)
	}
	return nil
}

func (q *querier) name() string { return Scheme + q.ws }

func sliceName(from, to time.Time) string {
	return "slice " + from.Format(time.RFC3339Nano) + "/" + to.Format(time.RFC3339Nano)
}

// run sends one slice's query, retrying throttling, and decodes its rows.
// An *errSplit means the slice must be split.
func (q *querier) run(ctx context.Context, from, to time.Time) ([]Rollup, error) {
	body := azlogs.QueryBody{
		Query: new(KQL(from, to)),
		// The service applies the timespan as well as the query's own
		// bounds; it is widened to whole seconds so it never cuts the
		// slice short.
		Timespan: new(azlogs.NewTimeInterval(from.Truncate(time.Second), ceilSecond(to))),
	}
	reqOpts := &azlogs.QueryWorkspaceOptions{Options: &azlogs.QueryOptions{Wait: new(serverWait)}}
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		q.rep.Queries++
		resp, err := q.client.QueryWorkspace(ctx, q.ws, body, reqOpts)
		var re *azcore.ResponseError
		throttled := false
		switch {
		case err == nil && resp.Error != nil && isThrottled(resp.Error.Code, 0):
			throttled = true
			err = fmt.Errorf("throttled: %s", errorInfoMessage(resp.Error))
		case err == nil:
			return q.decode(from, to, resp.QueryResults)
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case errors.As(err, &re) && re.StatusCode == http.StatusGatewayTimeout:
			return nil, &errSplit{reason: "the query timed out (HTTP 504)"}
		case re != nil:
			throttled = isThrottled(re.ErrorCode, re.StatusCode)
		}
		if !throttled {
			return nil, fmt.Errorf("%s: %s: querying AzureActivity: %w", q.name(), sliceName(from, to), err)
		}
		if attempt >= q.pace.Attempts {
			return nil, fmt.Errorf("%s: %s: still throttled after %d tries: %w", q.name(), sliceName(from, to), attempt, err)
		}
		d := q.pace.Wait(attempt)
		if ra := retryAfter(re); ra > d {
			d = min(ra, 10*q.pace.Max)
		}
		q.rep.Retries++
		if err := q.pace.Sleep(ctx, d); err != nil {
			return nil, err
		}
	}
}

func ceilSecond(t time.Time) time.Time {
	if c := t.Truncate(time.Second); c.Equal(t) {
		return c
	}
	return t.Truncate(time.Second).Add(time.Second)
}

func isThrottled(code string, status int) bool {
	return status == http.StatusTooManyRequests || strings.EqualFold(code, "ThrottledError") || strings.EqualFold(code, "TooManyRequests")
}

// retryAfter reads a Retry-After header given in seconds; 0 when absent.
func retryAfter(re *azcore.ResponseError) time.Duration {
	if re == nil || re.RawResponse == nil {
		return 0
	}
	s, err := strconv.Atoi(strings.TrimSpace(re.RawResponse.Header.Get("Retry-After")))
	if err != nil || s <= 0 {
		return 0
	}
	return time.Duration(s) * time.Second
}

// decode turns one slice's result into rollups, or asks for a split when
// the result is incomplete or may be.
func (q *querier) decode(from, to time.Time, res azlogs.QueryResults) ([]Rollup, error) {
	if res.Error != nil {
		return nil, &errSplit{reason: "the service returned a partial result (" + errorInfoMessage(res.Error) + ")"}
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s: decoding the result: %s", q.name(), sliceName(from, to), fmt.Sprintf(format, args...))
	}
	var table *azlogs.Table
	for i := range res.Tables {
		if res.Tables[i].Name != nil && *res.Tables[i].Name == "PrimaryResult" {
			table = &res.Tables[i]
			break
		}
	}
	if table == nil {
		if len(res.Tables) == 0 {
			return nil, fail("no result table")
		}
		table = &res.Tables[0]
	}
	if len(table.Rows) >= q.maxRows {
		return nil, &errSplit{reason: fmt.Sprintf("%d result rows, at or above the limit of %d a slice", len(table.Rows), q.maxRows)}
	}
	idx := make(map[string]int, len(table.Columns))
	for i, c := range table.Columns {
		if c.Name != nil {
			idx[*c.Name] = i
		}
	}
	cols := []string{colPrincipal, colKind, colCaller, colOperation, colScope, colOutcome, colCalls, colFirst, colLast}
	at := make([]int, len(cols))
	for i, name := range cols {
		j, ok := idx[name]
		if !ok {
			return nil, fail("no %q column", name)
		}
		at[i] = j
	}
	out := make([]Rollup, 0, len(table.Rows))
	for n, row := range table.Rows {
		if len(row) != len(table.Columns) {
			return nil, fail("row %d has %d values for %d columns", n, len(row), len(table.Columns))
		}
		var r Rollup
		var err error
		strs := []*string{&r.Principal, &r.PrincipalKind, &r.Caller, &r.Operation, &r.Scope, &r.Outcome}
		for i, p := range strs {
			if *p, err = cellString(row[at[i]]); err != nil {
				return nil, fail("row %d: column %q: %v", n, cols[i], err)
			}
		}
		if r.Count, err = cellInt(row[at[6]]); err != nil {
			return nil, fail("row %d: column %q: %v", n, colCalls, err)
		}
		if r.First, err = cellTime(row[at[7]]); err != nil {
			return nil, fail("row %d: column %q: %v", n, colFirst, err)
		}
		if r.Last, err = cellTime(row[at[8]]); err != nil {
			return nil, fail("row %d: column %q: %v", n, colLast, err)
		}
		switch r.Outcome {
		case "allowed", "denied", "error":
		default:
			return nil, fail("row %d: unexpected outcome %q", n, r.Outcome)
		}
		if r.Count < 1 {
			return nil, fail("row %d: count %d", n, r.Count)
		}
		r.Principal = canonicalID(r.Principal)
		out = append(out, r)
	}
	return out, nil
}

func cellString(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	}
	return "", fmt.Errorf("want a string, got %T", v)
}

func cellInt(v any) (int64, error) {
	switch v := v.(type) {
	case float64:
		if v != math.Trunc(v) || v < 0 || v > 1<<53 {
			return 0, fmt.Errorf("%v is not a count", v)
		}
		return int64(v), nil
	case json.Number:
		return v.Int64()
	case int64:
		return v, nil
	case int:
		return int64(v), nil
	case string:
		return strconv.ParseInt(v, 10, 64)
	}
	return 0, fmt.Errorf("want a number, got %T", v)
}

func cellTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("want a datetime string, got %T", v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// errorInfoMessage summarises the service's error: its code and the
// innermost message, which names the limit hit (e.g. "Query result set has
// exceeded the internal ... limit"). The raw body is not trusted to be
// short; the summary is capped.
func errorInfoMessage(e *azlogs.ErrorInfo) string {
	type detail struct {
		Code       string  `json:"code"`
		Message    string  `json:"message"`
		InnerError *detail `json:"innererror"`
	}
	var body struct {
		detail
		Details []detail `json:"details"`
		Error   *struct {
			detail
			Details []detail `json:"details"`
		} `json:"error"`
	}
	code, msg := e.Code, ""
	if err := json.Unmarshal([]byte(e.Error()), &body); err == nil {
		top, details := body.detail, body.Details
		if body.Error != nil {
			top, details = body.Error.detail, body.Error.Details
		}
		if code == "" {
			code = top.Code
		}
		msg = top.Message
		for _, d := range details {
			for p := &d; p != nil; p = p.InnerError {
				if p.Message != "" {
					msg = p.Message
				}
			}
		}
	}
	s := code
	if msg != "" {
		s += ": " + msg
	}
	if s == "" {
		s = "no error code"
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}
