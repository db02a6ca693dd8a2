package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/usage/cloudtrail/fetch/fakeaws"
	"github.com/leastpriv/pare/usage/internal/retry"
)

// fakeClock is a clock whose sleeps return at once and move time on.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return nil
}

func (c *fakeClock) pacing() pacing {
	return pacing{
		limiter: newLimiter(time.Second/LookupRate, c.now, c.sleep),
		backoff: retry.Backoff{Attempts: 4, First: time.Second, Max: 3 * time.Second, Sleep: c.sleep},
	}
}

func newTrail(t *testing.T, events []fakeaws.Event) (*fakeaws.CloudTrail, LookupAPI) {
	t.Helper()
	offline(t)
	fake := fakeaws.NewCloudTrail(events)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := NewCloudTrailClient(context.Background(), ClientOptions{Region: "eu-west-1", Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return fake, c
}

// eventsOn makes n events on the UTC day d, a minute apart.
func eventsOn(d time.Time, n int) []fakeaws.Event {
	var evs []fakeaws.Event
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("%s-%04d", d.Format("20060102"), i)
		tm := d.Add(time.Duration(i) * time.Minute)
		evs = append(evs, fakeaws.Event{
			ID: id, Time: tm, Name: "GetObject", Source: "s3.amazonaws.com",
			// Attacker-controlled text with quotes and a newline survives the round trip.
			JSON: fmt.Sprintf(`{"eventID":%q,"eventTime":%q,"eventName":"GetObject","requestParameters":{"key":"a\"b\nc"}}`, id, tm.Format(time.RFC3339)),
		})
	}
	return evs
}

// lookupOutput is the `aws cloudtrail lookup-events` shape.
type lookupOutput struct {
	Events []struct {
		EventId         string
		EventTime       string
		CloudTrailEvent string
	}
}

func TestLookupEventsDays(t *testing.T) {
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	inputs, rep, err := LookupEvents(context.Background(), nil, "eu-west-1", synth.Window{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) != 91 || inputs[0].Name != "cloudtrail://eu-west-1/2024-03-03" || inputs[90].Name != "cloudtrail://eu-west-1/2024-06-01" {
		t.Errorf("got %d inputs %s..%s, want 91 from 2024-03-03 to 2024-06-01", len(inputs), inputs[0].Name, inputs[len(inputs)-1].Name)
	}
	if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "90 days") {
		t.Errorf("notes = %q, want one about the 90 days", rep.Notes)
	}

	w := synth.Window{From: date(2023, 1, 1), To: date(2024, 3, 5).Add(time.Hour)}
	inputs, rep, err = LookupEvents(context.Background(), nil, "eu-west-1", w, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) != 3 || len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "clamped") {
		t.Errorf("got %d inputs, notes %q; want 3 (03-03..03-05) and a clamp note", len(inputs), rep.Notes)
	}

	w = synth.Window{From: date(2024, 5, 30), To: date(2024, 5, 31)}
	inputs, rep, err = LookupEvents(context.Background(), nil, "eu-west-1", w, now)
	if err != nil || len(inputs) != 2 || len(rep.Notes) != 0 {
		t.Errorf("got %d inputs, notes %q, err %v; want 2 and no note", len(inputs), rep.Notes, err)
	}

	w = synth.Window{From: date(2020, 1, 1), To: date(2020, 2, 1)}
	inputs, rep, err = LookupEvents(context.Background(), nil, "eu-west-1", w, now)
	if err != nil || len(inputs) != 0 || len(rep.Notes) != 2 {
		t.Errorf("got %d inputs, notes %q, err %v; want none and a note saying why", len(inputs), rep.Notes, err)
	}
}

func TestLookupEventsStreamsAllPages(t *testing.T) {
	d := date(2024, 5, 20)
	events := append(eventsOn(d, 120), eventsOn(d.AddDate(0, 0, 1), 7)...)
	fake, client := newTrail(t, events)
	clk := &fakeClock{t: date(2024, 6, 1)}
	now := date(2024, 6, 1)
	inputs, _, err := lookupEvents(context.Background(), client, "eu-west-1", synth.Window{From: d, To: d.Add(36 * time.Hour)}, now, clk.pacing())
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) != 2 || inputs[0].Name != "cloudtrail://eu-west-1/2024-05-20" {
		t.Fatalf("inputs = %v", inputs)
	}
	out := readLookup(t, inputs[0].Open)
	if len(out.Events) != 120 {
		t.Fatalf("got %d events, want 120", len(out.Events))
	}
	seen := make(map[string]bool)
	for _, e := range out.Events {
		var rec struct {
			EventID           string `json:"eventID"`
			RequestParameters struct{ Key string }
		}
		if err := json.Unmarshal([]byte(e.CloudTrailEvent), &rec); err != nil {
			t.Fatalf("CloudTrailEvent of %s: %v", e.EventId, err)
		}
		if rec.EventID != e.EventId || rec.RequestParameters.Key != "a\"b\nc" {
			t.Errorf("event %s decodes to %+v", e.EventId, rec)
		}
		seen[e.EventId] = true
	}
	if len(seen) != 120 {
		t.Errorf("%d distinct events, want 120", len(seen))
	}
	// Three pages; a call may be repeated when the connection drops (the
	// SDK's transport does so now and then under the race detector).
	calls := fake.Calls()
	var tokens []string
	for i, c := range calls {
		if c.MaxResults != 50 || !c.Start.Equal(d) || !c.End.Equal(d.Add(day-time.Second)) {
			t.Errorf("call %d = %+v, want MaxResults 50 over the day", i, c)
		}
		tokens = append(tokens, c.NextToken)
	}
	tokens = slices.Compact(tokens)
	if !slices.Equal(tokens, []string{"", "page-50", "page-100"}) {
		t.Fatalf("pages asked for %q, want 3 pages of 50", tokens)
	}
	ndayOne := len(calls)
	// The second day is cut at the window's end.
	out = readLookup(t, inputs[1].Open)
	if len(out.Events) != 7 {
		t.Errorf("second day: %d events, want 7", len(out.Events))
	}
	calls = fake.Calls()
	if last := calls[len(calls)-1]; !last.End.Equal(d.Add(36*time.Hour)) || len(calls) <= ndayOne {
		t.Errorf("second day ends %v, want the window's end", last.End)
	}
	// Pacing: N requests are N-1 intervals of 500ms apart.
	if got, want := clk.now().Sub(date(2024, 6, 1)), time.Duration(len(calls)-1)*500*time.Millisecond; got < want {
		t.Errorf("clock moved %v for %d requests, want %v", got, len(calls), want)
	}
}

func readLookup(t *testing.T, open func(context.Context) (io.ReadCloser, error)) lookupOutput {
	t.Helper()
	rc, err := open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var out lookupOutput
	dec := json.NewDecoder(rc)
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("decoding lookup-events output: %v (%T)", err, errors.Unwrap(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("trailing data after the document: %v", err)
	}
	return out
}

func TestLookupEventsEmptyDay(t *testing.T) {
	_, client := newTrail(t, nil)
	clk := &fakeClock{t: date(2024, 6, 1)}
	inputs, _, err := lookupEvents(context.Background(), client, "eu-west-1", synth.Window{From: date(2024, 5, 1), To: date(2024, 5, 1)}, date(2024, 6, 1), clk.pacing())
	if err != nil || len(inputs) != 1 {
		t.Fatalf("inputs %v, err %v", inputs, err)
	}
	rc, _ := inputs[0].Open(context.Background())
	b, err := io.ReadAll(rc)
	if err != nil || string(b) != "{\"Events\":[]}\n" {
		t.Errorf("read %q, %v", b, err)
	}
}

func TestLookupEventsRetriesThrottling(t *testing.T) {
	d := date(2024, 5, 20)
	fake, client := newTrail(t, eventsOn(d, 60))
	fake.Throttle = 3
	clk := &fakeClock{t: date(2024, 6, 1)}
	inputs, _, err := lookupEvents(context.Background(), client, "eu-west-1", oneDay(d), date(2024, 6, 1), clk.pacing())
	if err != nil {
		t.Fatal(err)
	}
	out := readLookup(t, inputs[0].Open)
	if len(out.Events) != 60 {
		t.Errorf("got %d events, want 60", len(out.Events))
	}
	if n := len(fake.Calls()); n < 5 {
		t.Errorf("%d calls, want 3 throttled + 2 pages", n)
	}
	// Backoff 1s, 2s, then capped at 3s; limiter waits are 500ms.
	var backoffs []time.Duration
	for _, s := range clk.sleeps {
		if s >= time.Second {
			backoffs = append(backoffs, s)
		}
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}; len(backoffs) < 3 || !slices.Equal(backoffs[:3], want) {
		t.Errorf("backoffs %v, want %v", backoffs, want)
	}

	// Throttled past the tries allowed: the reader sees the error.
	fake2, client2 := newTrail(t, eventsOn(d, 1))
	fake2.Throttle = 100
	inputs, _, _ = lookupEvents(context.Background(), client2, "eu-west-1", oneDay(d), date(2024, 6, 1), clk.pacing())
	rc, _ := inputs[0].Open(context.Background())
	_, err = io.ReadAll(rc)
	if err == nil || !strings.Contains(err.Error(), "ThrottlingException") || !strings.Contains(err.Error(), "try 4") {
		t.Errorf("err = %v, want ThrottlingException after 4 tries", err)
	}
	if n := len(fake2.Calls()); n != 4 {
		t.Errorf("%d calls, want 4", n)
	}
}

func TestLookupEventsCancelStopsPaging(t *testing.T) {
	d := date(2024, 5, 20)
	fake, client := newTrail(t, eventsOn(d, 500))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fake.OnCall = func(n int) {
		if n == 2 {
			cancel()
		}
	}
	clk := &fakeClock{t: date(2024, 6, 1)}
	inputs, _, err := lookupEvents(ctx, client, "eu-west-1", oneDay(d), date(2024, 6, 1), clk.pacing())
	if err != nil {
		t.Fatal(err)
	}
	rc, err := inputs[0].Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(rc)
	rc.Close()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(fake.Calls()); n != 2 {
		t.Errorf("%d calls after cancel, want 2 of 10 pages", n)
	}
}

func TestLookupEventsCloseStopsPaging(t *testing.T) {
	d := date(2024, 5, 20)
	fake, client := newTrail(t, eventsOn(d, 500))
	clk := &fakeClock{t: date(2024, 6, 1)}
	inputs, _, _ := lookupEvents(context.Background(), client, "eu-west-1", oneDay(d), date(2024, 6, 1), clk.pacing())
	rc, err := inputs[0].Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if _, err := io.ReadFull(rc, buf); err != nil {
		t.Fatal(err)
	}
	rc.Close()
	time.Sleep(100 * time.Millisecond)
	if n := len(fake.Calls()); n > 2 {
		t.Errorf("%d calls after Close, want paging to stop", n)
	}
}

// TestLookupEventsRealPacing measures the wall clock: two days read at once
// share the region's 2 requests/s.
func TestLookupEventsRealPacing(t *testing.T) {
	d := date(2024, 5, 20)
	fake, client := newTrail(t, append(eventsOn(d, 60), eventsOn(d.AddDate(0, 0, 1), 60)...))
	inputs, _, err := LookupEvents(context.Background(), client, "eu-west-1", synth.Window{From: d, To: d.Add(47 * time.Hour)}, date(2024, 6, 1))
	if err != nil || len(inputs) != 2 {
		t.Fatalf("inputs %d, err %v", len(inputs), err)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, in := range inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc, err := in.Open(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			defer rc.Close()
			io.Copy(io.Discard, rc)
		}()
	}
	wg.Wait()
	calls := fake.Calls()
	if len(calls) < 4 {
		t.Fatalf("%d calls, want 4", len(calls))
	}
	if el := time.Since(start); el < 1500*time.Millisecond-50*time.Millisecond {
		t.Errorf("4 requests took %v, want at least 1.5s at 2/s", el)
	}
	// Arrival gaps between two calls jitter with scheduling (a loaded machine,
	// -race), so the pacing is checked over the whole run: n calls span at
	// least (n-1) slots of 500ms, less one slot for the first call's setup
	// latency. The exact slots are checked with a fake clock in
	// TestLimiterSharedSlots.
	span := calls[len(calls)-1].At.Sub(calls[0].At)
	if want := time.Duration(len(calls)-2) * 500 * time.Millisecond; span < want {
		t.Errorf("%d calls arrived within %v, want at least %v at 2 requests/s", len(calls), span, want)
	}
}

func TestLimiterSharedSlots(t *testing.T) {
	clk := &fakeClock{t: date(2024, 1, 1)}
	// Sleeps are recorded but the clock stands still, as when many waiters
	// arrive at once.
	var mu sync.Mutex
	var waits []time.Duration
	l := newLimiter(500*time.Millisecond, clk.now, func(_ context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return nil
	})
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.Wait(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	slices.Sort(waits)
	var want []time.Duration
	for i := 1; i < 10; i++ { // the first goes at once
		want = append(want, time.Duration(i)*500*time.Millisecond)
	}
	if !slices.Equal(waits, want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait on a done context = %v", err)
	}
}

func TestRetryable(t *testing.T) {
	resp := func(code int) error {
		return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: errors.New("x")}
	}
	for code, want := range map[int]bool{429: true, 500: true, 503: true, 400: false, 403: false} {
		if got := retryable(resp(code)); got != want {
			t.Errorf("retryable(HTTP %d) = %v, want %v", code, got, want)
		}
	}
	if retryable(errors.New("plain")) {
		t.Error("a plain error is not retryable")
	}
}

func oneDay(d time.Time) synth.Window { return synth.Window{From: d, To: d.Add(day - time.Second)} }
