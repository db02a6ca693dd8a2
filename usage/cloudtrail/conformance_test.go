package cloudtrail

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/usage/record"
)

// The conformance cases every source reader must pass (STYLE.md point 3):
// empty input, truncated gzip, wrong format, duplicates, a huge record and
// an invalid record in the middle. Each case gives an input and what must
// come out of it.
type conformanceCase struct {
	name     string
	data     func(t testing.TB) []byte
	max      int64  // Options.MaxRecordBytes, 0 for the default
	err      string // the error must contain this, "" for no error
	errIs    error  // and wrap this, when set
	events   int    // events emitted (when err == "")
	problems []int  // indexes of the Problems, in order
	sameID   bool   // all events share one EventID
}

func conformanceCases() []conformanceCase {
	big := func(t testing.TB) string {
		return mk(t, map[string]any{"eventID": "big", "requestParameters": map[string]any{
			"bucketName": "b", "key": strings.Repeat("x", 10000)}})
	}
	r := func(t testing.TB, id string) string { return mk(t, map[string]any{"eventID": id}) }
	return []conformanceCase{
		{name: "empty", data: func(testing.TB) []byte { return nil }, err: "empty input"},
		{name: "blank", data: func(testing.TB) []byte { return []byte(" \n\t ") }, err: "empty input"},
		{name: "empty gzip", data: func(t testing.TB) []byte { return gz(t, nil) }, err: "empty input"},
		{name: "truncated gzip", data: func(t testing.TB) []byte {
			z := gz(t, s3File(r(t, "a"), r(t, "b"), r(t, "c")))
			return z[:len(z)/2]
		}, err: "gzip"},
		{name: "corrupt gzip header", data: func(testing.TB) []byte { return []byte{0x1f, 0x8b, 0, 0} }, err: "gzip"},
		{name: "not CloudTrail JSON", data: func(testing.TB) []byte { return []byte(`{"foo":1}`) },
			err: "not CloudTrail", errIs: ErrNotCloudTrail},
		{name: "digest file", data: func(testing.TB) []byte {
			return []byte(`{"awsAccountId":"111122223333","digestStartTime":"2023-07-10T11:00:00Z","logFiles":[{"s3Bucket":"b","s3Object":"o"}]}`)
		}, err: "not CloudTrail", errIs: ErrNotCloudTrail},
		{name: "text file", data: func(testing.TB) []byte { return []byte("hello, world\n") },
			err: "not CloudTrail", errIs: ErrNotCloudTrail},
		{name: "JSON string", data: func(testing.TB) []byte { return []byte(`"Records"`) },
			err: "not CloudTrail", errIs: ErrNotCloudTrail},
		{name: "empty Records", data: func(testing.TB) []byte { return []byte(`{"Records":[]}`) }},
		{name: "duplicates S3", data: func(t testing.TB) []byte { return s3File(r(t, "a"), r(t, "a")) },
			events: 2, sameID: true},
		{name: "duplicates without eventID", data: func(t testing.TB) []byte {
			x := mk(t, map[string]any{"eventID": nil})
			return jsonLines(x, x)
		}, events: 2, sameID: true},
		{name: "huge record S3", max: 4096, data: func(t testing.TB) []byte {
			return s3File(r(t, "a"), big(t), r(t, "c"))
		}, events: 2, problems: []int{1}},
		{name: "huge record JSON Lines", max: 4096, data: func(t testing.TB) []byte {
			return jsonLines(r(t, "a"), big(t), r(t, "c"))
		}, events: 2, problems: []int{1}},
		{name: "huge first record JSON Lines", max: 4096, data: func(t testing.TB) []byte {
			return jsonLines(big(t), r(t, "b"), r(t, "c"))
		}, events: 2, problems: []int{0}},
		{name: "huge record lookup-events", max: 4096, data: func(t testing.TB) []byte {
			return lookupFile(t, r(t, "a"), big(t), r(t, "c"))
		}, events: 2, problems: []int{1}},
		{name: "huge record gzip", max: 4096, data: func(t testing.TB) []byte {
			return gz(t, s3File(r(t, "a"), big(t), r(t, "c")))
		}, events: 2, problems: []int{1}},
		{name: "invalid record in the middle S3", data: func(t testing.TB) []byte {
			return s3File(r(t, "a"), `{"eventVersion": tru, "x": [1,,2]}`, `17`, r(t, "c"))
		}, events: 2, problems: []int{1, 2}},
		{name: "invalid line in the middle JSON Lines", data: func(t testing.TB) []byte {
			return jsonLines(r(t, "a"), `{"eventVersion": "1.08", "userIdentity": {`, `not json`, r(t, "c"))
		}, events: 2, problems: []int{1, 2}},
		{name: "broken structure S3", data: func(t testing.TB) []byte {
			return s3File(r(t, "a"), `{"eventVersion": "1.08"]`, r(t, "c"))
		}, err: "invalid JSON at byte"},
		{name: "truncated S3", data: func(t testing.TB) []byte {
			b := s3File(r(t, "a"), r(t, "b"))
			return b[:len(b)-30]
		}, err: "unexpected end of input"},
		{name: "record without eventSource", data: func(t testing.TB) []byte {
			return s3File(r(t, "a"), mk(t, map[string]any{"eventSource": nil}), r(t, "c"))
		}, events: 2, problems: []int{1}},
		{name: "bad lookup element", data: func(t testing.TB) []byte {
			return []byte(`{"Events":[{"EventId":"x"},{"CloudTrailEvent":"{\"eventVersion\":"}]}`)
		}, problems: []int{0, 1}},
	}
}

func TestConformance(t *testing.T) {
	for _, c := range conformanceCases() {
		t.Run(c.name, func(t *testing.T) {
			r := NewReader(fakeCatalog{}, Options{MaxRecordBytes: c.max})
			evs, st, err := read(t, r, "input.json", c.data(t))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error = %v, want one containing %q", err, c.err)
				}
				if !strings.Contains(err.Error(), "input.json") {
					t.Errorf("error %q does not name the input", err)
				}
				if c.errIs != nil && !errors.Is(err, c.errIs) {
					t.Errorf("error %v does not wrap %v", err, c.errIs)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if len(evs) != c.events || st.Events != c.events {
				t.Errorf("got %d events (stats %d), want %d", len(evs), st.Events, c.events)
			}
			var idx []int
			for _, p := range st.Problems {
				idx = append(idx, p.Index)
				if p.Input != "input.json" || p.Message == "" {
					t.Errorf("problem %+v lacks input or message", p)
				}
			}
			if !reflect.DeepEqual(idx, c.problems) {
				t.Errorf("problems at %v, want %v: %v", idx, c.problems, st.Problems)
			}
			if c.sameID {
				for _, ev := range evs {
					if ev.EventID == "" || ev.EventID != evs[0].EventID {
						t.Errorf("EventIDs differ or are empty: %q vs %q", ev.EventID, evs[0].EventID)
					}
				}
			}
			for _, ev := range evs {
				checkEvent(t, ev)
			}
		})
	}
}

// checkEvent asserts what holds for every emitted event.
func checkEvent(t testing.TB, ev record.Event) {
	t.Helper()
	if ev.Provider != "aws" || ev.Principal == "" || ev.PrincipalKind == "" || ev.EventID == "" || ev.Time.IsZero() {
		t.Errorf("incomplete event %+v", ev)
	}
	if ev.Time.Location().String() != "UTC" {
		t.Errorf("time %v not in UTC", ev.Time)
	}
	if (ev.Action == "") == (ev.Unmapped == "") {
		t.Errorf("event has Action %q and Unmapped %q: want exactly one", ev.Action, ev.Unmapped)
	}
}

// TestHugeRecordMemory checks that a record over the limit is skipped
// without being held, in every shape, and that one under the limit costs a
// small multiple of its size.
func TestHugeRecordMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates tens of MB")
	}
	const size = 20 << 20
	huge := mk(t, map[string]any{"eventID": "huge", "requestParameters": map[string]any{
		"bucketName": "b", "key": "k", "pad": strings.Repeat("x", size)}})
	small := mk(t, map[string]any{"eventID": "small"})
	cases := []struct {
		name  string
		data  []byte
		max   int64
		limit uint64 // bytes allocated at most while reading
		evs   int
	}{
		{"over the limit, S3", s3File(small, huge, small), 1 << 16, 4 << 20, 2},
		{"over the limit, first JSON line", jsonLines(huge, small), 1 << 16, 4 << 20, 1},
		{"over the limit, gzip", gz(t, s3File(huge, small)), 1 << 16, 4 << 20, 1},
		{"under the limit", s3File(small, huge), 0, 8 * size, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewReader(fakeCatalog{}, Options{MaxRecordBytes: c.max})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			n := 0
			st, err := r.Read(context.Background(), "x", bytes.NewReader(c.data), func(*record.Event) error { n++; return nil })
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if n != c.evs {
				t.Errorf("%d events, want %d (problems %v)", n, c.evs, st.Problems)
			}
			if c.max > 0 && len(st.Problems) != 1 {
				t.Errorf("problems %v, want one", st.Problems)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > c.limit {
				t.Errorf("allocated %d MB, want at most %d MB", got>>20, c.limit>>20)
			}
		})
	}
}

// TestStrayBracketEndsTheRead: a closing bracket where a value should start
// is a syntax error, not an endless loop (found in the Azure copy of the
// scanner by fuzzing).
func TestStrayBracketEndsTheRead(t *testing.T) {
	for _, in := range []string{"{\n\"eventVersion\":\"1.08\"}\n]", "{}\n}", "{} , {}", "{}\n:"} {
		done := make(chan error, 1)
		go func() {
			_, err := NewReader(loadCatalog(t), Options{}).Read(context.Background(), "x", strings.NewReader(in), func(*record.Event) error { return nil })
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("Read(%q) = nil error; want a syntax error", in)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Read(%q) did not return", in)
		}
	}
}

// TestRecordLimitBoundary: the first record of JSON Lines, found inside the
// top-level object, has the same limit as the records after it: exactly
// MaxRecordBytes is read, one byte more is a Problem.
func TestRecordLimitBoundary(t *testing.T) {
	rec := mk(t, map[string]any{"eventID": "a"})
	for _, c := range []struct {
		max      int64
		events   int
		problems []int
	}{{int64(len(rec)), 2, nil}, {int64(len(rec)) - 1, 0, []int{0, 1}}} {
		_, st, err := read(t, NewReader(fakeCatalog{}, Options{MaxRecordBytes: c.max}), "x", jsonLines(rec, rec))
		var idx []int
		for _, p := range st.Problems {
			idx = append(idx, p.Index)
		}
		if err != nil || st.Events != c.events || !reflect.DeepEqual(idx, c.problems) {
			t.Errorf("max %d for records of %d bytes: %d events, problems %v, %v; want %d events, problems %v",
				c.max, len(rec), st.Events, idx, err, c.events, c.problems)
		}
	}
}
