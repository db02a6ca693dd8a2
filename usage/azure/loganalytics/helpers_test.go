package loganalytics

import (
	"context"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azlogs"
	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azlogs/fake"

	"github.com/leastpriv/pare/usage/internal/retry"
)

const testWS = "6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b"

// call is one query the fake service received.
type call struct {
	workspace string
	kql       string
	timespan  string
	wait      int
	from, to  time.Time // the slice, read back from the KQL's datetime literals
}

// reply is what the fake answers one query with: a result, a service error
// (status and code), or a result whose body carries an error (a partial
// result).
type reply struct {
	rows    []azlogs.Row
	cols    []string // nil: the columns Query reads
	partial string   // error code put in the response body
	status  int      // non-zero: fail with this HTTP status and code
	code    string
}

// fakeLogs is the Log Analytics service behind azlogs' own fake server: it
// records each query and answers with what answer says.
type fakeLogs struct {
	t      *testing.T
	answer func(c call) reply
	mu     sync.Mutex
	calls  []call
}

var datetimeRE = regexp.MustCompile(`datetime\(([0-9T:.Z-]+)\)`)

func (f *fakeLogs) server() *fake.Server {
	return &fake.Server{
		QueryWorkspace: func(ctx context.Context, workspaceID string, body azlogs.QueryBody, opts *azlogs.QueryWorkspaceOptions) (resp azfake.Responder[azlogs.QueryWorkspaceResponse], errResp azfake.ErrorResponder) {
			c := call{workspace: workspaceID}
			if body.Query != nil {
				c.kql = *body.Query
			}
			if body.Timespan != nil {
				c.timespan = string(*body.Timespan)
			}
			if opts != nil && opts.Options != nil && opts.Options.Wait != nil {
				c.wait = *opts.Options.Wait
			}
			m := datetimeRE.FindAllStringSubmatch(c.kql, -1)
			if len(m) == 2 {
				c.from, _ = time.Parse(time.RFC3339Nano, m[0][1])
				c.to, _ = time.Parse(time.RFC3339Nano, m[1][1])
			}
			f.mu.Lock()
			f.calls = append(f.calls, c)
			f.mu.Unlock()
			r := f.answer(c)
			if r.status != 0 {
				errResp.SetResponseError(r.status, r.code)
				return
			}
			cols := r.cols
			if cols == nil {
				cols = []string{colPrincipal, colKind, colCaller, colOperation, colScope, colOutcome, colCalls, colFirst, colLast}
			}
			table := azlogs.Table{Name: new("PrimaryResult"), Rows: r.rows}
			for _, name := range cols {
				typ := azlogs.ColumnTypeString
				switch name {
				case colCalls:
					typ = azlogs.ColumnTypeLong
				case colFirst, colLast:
					typ = azlogs.ColumnTypeDatetime
				}
				table.Columns = append(table.Columns, azlogs.Column{Name: new(name), Type: new(typ)})
			}
			res := azlogs.QueryWorkspaceResponse{QueryResults: azlogs.QueryResults{Tables: []azlogs.Table{table}}}
			if r.partial != "" {
				res.Error = &azlogs.ErrorInfo{Code: r.partial}
			}
			resp.SetResponse(http.StatusOK, res, nil)
			return
		},
	}
}

// client returns an azlogs client wired to the fake: requests go through
// the real SDK pipeline (auth policy, serialization) but never leave the
// process.
func (f *fakeLogs) client() *azlogs.Client {
	f.t.Helper()
	c, err := newClient(&azfake.TokenCredential{}, "https://logs.test", fake.NewServerTransport(f.server()))
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// slices returns the [from, to) of every query received, in order.
func (f *fakeLogs) slices() [][2]time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out [][2]time.Time
	for _, c := range f.calls {
		out = append(out, [2]time.Time{c.from, c.to})
	}
	return out
}

// noSleep records the waits it is asked for without waiting.
type noSleep struct{ waits []time.Duration }

func (s *noSleep) sleep(ctx context.Context, d time.Duration) error {
	s.waits = append(s.waits, d)
	return ctx.Err()
}

func testPacing(s *noSleep) retry.Backoff {
	return retry.Backoff{Attempts: 4, First: time.Second, Max: 3 * time.Second, Sleep: s.sleep}
}

func day(d int) time.Time { return time.Date(2025, 4, d, 0, 0, 0, 0, time.UTC) }

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// row builds a result row in the column order the fake uses by default.
func row(principal, kind, caller, op, scope, outcome string, n int64, first, last string) azlogs.Row {
	return azlogs.Row{principal, kind, caller, op, scope, outcome, n, first, last}
}
