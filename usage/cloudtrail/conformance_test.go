package cloudtrail

import (
	"bytes"
	"context"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/usage/record"
	"github.com/leastpriv/pare/usage/record/recordtest"
)

// The conformance cases every source reader must pass (STYLE.md point 3):
// empty input, truncated gzip, wrong format, duplicates, a huge record and
// an invalid record in the middle. Each case gives an input and what must
// come out of it.
func conformanceCases() []recordtest.Case {
	big := func(t testing.TB) string {
		return mk(t, map[string]any{"eventID": "big", "requestParameters": map[string]any{
			"bucketName": "b", "key": strings.Repeat("x", 10000)}})
	}
	r := func(t testing.TB, id string) string { return mk(t, map[string]any{"eventID": id}) }
	return []recordtest.Case{
		{Name: "empty", Data: func(testing.TB) []byte { return nil }, Err: "empty input"},
		{Name: "blank", Data: func(testing.TB) []byte { return []byte(" \n\t ") }, Err: "empty input"},
		{Name: "empty gzip", Data: func(t testing.TB) []byte { return gz(t, nil) }, Err: "empty input"},
		{Name: "truncated gzip", Data: func(t testing.TB) []byte {
			z := gz(t, s3File(r(t, "a"), r(t, "b"), r(t, "c")))
			return z[:len(z)/2]
		}, Err: "gzip"},
		{Name: "corrupt gzip header", Data: func(testing.TB) []byte { return []byte{0x1f, 0x8b, 0, 0} }, Err: "gzip"},
		{Name: "not CloudTrail JSON", Data: func(testing.TB) []byte { return []byte(`{"foo":1}`) },
			Err: "not CloudTrail", ErrIs: ErrNotCloudTrail},
		{Name: "digest file", Data: func(testing.TB) []byte {
			return []byte(`{"awsAccountId":"111122223333","digestStartTime":"2023-07-10T11:00:00Z","logFiles":[{"s3Bucket":"b","s3Object":"o"}]}`)
		}, Err: "not CloudTrail", ErrIs: ErrNotCloudTrail},
		{Name: "text file", Data: func(testing.TB) []byte { return []byte("hello, world\n") },
			Err: "not CloudTrail", ErrIs: ErrNotCloudTrail},
		{Name: "JSON string", Data: func(testing.TB) []byte { return []byte(`"Records"`) },
			Err: "not CloudTrail", ErrIs: ErrNotCloudTrail},
		{Name: "empty Records", Data: func(testing.TB) []byte { return []byte(`{"Records":[]}`) }},
		{Name: "duplicates S3", Data: func(t testing.TB) []byte { return s3File(r(t, "a"), r(t, "a")) },
			Events: 2, SameID: true},
		{Name: "duplicates without eventID", Data: func(t testing.TB) []byte {
			x := mk(t, map[string]any{"eventID": nil})
			return jsonLines(x, x)
		}, Events: 2, SameID: true},
		{Name: "huge record S3", Max: 4096, Data: func(t testing.TB) []byte {
			return s3File(r(t, "a"), big(t), r(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "huge record JSON Lines", Max: 4096, Data: func(t testing.TB) []byte {
			return jsonLines(r(t, "a"), big(t), r(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "huge first record JSON Lines", Max: 4096, Data: func(t testing.TB) []byte {
			return jsonLines(big(t), r(t, "b"), r(t, "c"))
		}, Events: 2, Problems: []int{0}},
		{Name: "huge record lookup-events", Max: 4096, Data: func(t testing.TB) []byte {
			return lookupFile(t, r(t, "a"), big(t), r(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "huge record gzip", Max: 4096, Data: func(t testing.TB) []byte {
			return gz(t, s3File(r(t, "a"), big(t), r(t, "c")))
		}, Events: 2, Problems: []int{1}},
		{Name: "invalid record in the middle S3", Data: func(t testing.TB) []byte {
			return s3File(r(t, "a"), `{"eventVersion": tru, "x": [1,,2]}`, `17`, r(t, "c"))
		}, Events: 2, Problems: []int{1, 2}},
		{Name: "invalid line in the middle JSON Lines", Data: func(t testing.TB) []byte {
			return jsonLines(r(t, "a"), `{"eventVersion": "1.08", "userIdentity": {`, `not json`, r(t, "c"))
		}, Events: 2, Problems: []int{1, 2}},
		{Name: "broken structure S3", Data: func(t testing.TB) []byte {
			return s3File(r(t, "a"), `{"eventVersion": "1.08"]`, r(t, "c"))
		}, Err: "invalid JSON at byte"},
		{Name: "truncated S3", Data: func(t testing.TB) []byte {
			b := s3File(r(t, "a"), r(t, "b"))
			return b[:len(b)-30]
		}, Err: "unexpected end of input"},
		{Name: "record without eventSource", Data: func(t testing.TB) []byte {
			return s3File(r(t, "a"), mk(t, map[string]any{"eventSource": nil}), r(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "bad lookup element", Data: func(t testing.TB) []byte {
			return []byte(`{"Events":[{"EventId":"x"},{"CloudTrailEvent":"{\"eventVersion\":"}]}`)
		}, Problems: []int{0, 1}},
	}
}

func TestConformance(t *testing.T) {
	recordtest.Run(t, conformanceCases(), func(max int64) record.ReadFunc {
		return NewReader(fakeCatalog{}, Options{MaxRecordBytes: max}).Read
	}, checkEvent)
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
