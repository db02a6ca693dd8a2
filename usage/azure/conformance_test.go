package azure

import (
	"errors"
	"reflect"
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
	// Each good record gives one event: the operation (the reads it implies
	// are inferred at synthesis, not stored).
	r := func(t testing.TB, corr string) string {
		return op{corr: corr}.export(t, nil)
	}
	big := func(t testing.TB) string {
		return op{corr: "big"}.export(t, map[string]any{"properties": map[string]any{
			"eventCategory": "Administrative", "requestbody": strings.Repeat("x", 10000)}})
	}
	rest := func(t testing.TB, corr string) string { return op{corr: corr}.rest(t, nil) }
	return []conformanceCase{
		{name: "empty", data: func(testing.TB) []byte { return nil }, err: "empty input"},
		{name: "blank", data: func(testing.TB) []byte { return []byte(" \n\t ") }, err: "empty input"},
		{name: "empty gzip", data: func(t testing.TB) []byte { return gz(t, nil) }, err: "empty input"},
		{name: "truncated gzip", data: func(t testing.TB) []byte {
			z := gz(t, exportFile(r(t, "a"), r(t, "b"), r(t, "c")))
			return z[:len(z)/2]
		}, err: "gzip"},
		{name: "corrupt gzip header", data: func(testing.TB) []byte { return []byte{0x1f, 0x8b, 0, 0} }, err: "gzip"},
		{name: "not Activity Log JSON", data: func(testing.TB) []byte { return []byte(`{"foo":1}`) },
			err: "not an Azure Activity Log", errIs: ErrNotActivityLog},
		{name: "CloudTrail file", data: func(testing.TB) []byte {
			return []byte(`{"Records":[{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject"}]}`)
		}, err: "not an Azure Activity Log", errIs: ErrNotActivityLog},
		{name: "REST API spec example", data: func(testing.TB) []byte {
			return []byte(`{"parameters":{"api-version":"2015-04-01"},"responses":{"200":{"body":{"value":[]}}}}`)
		}, err: "not an Azure Activity Log", errIs: ErrNotActivityLog},
		{name: "text file", data: func(testing.TB) []byte { return []byte("hello, world\n") },
			err: "not an Azure Activity Log", errIs: ErrNotActivityLog},
		{name: "JSON string", data: func(testing.TB) []byte { return []byte(`"records"`) },
			err: "not an Azure Activity Log", errIs: ErrNotActivityLog},
		{name: "empty records", data: func(testing.TB) []byte { return []byte(`{"records":[]}`) }},
		{name: "empty value", data: func(testing.TB) []byte { return []byte(`{"value":[],"nextLink":null}`) }},
		{name: "empty array", data: func(testing.TB) []byte { return []byte(`[]`) }},
		{name: "duplicates export", data: func(t testing.TB) []byte { return exportFile(r(t, "a"), r(t, "a")) },
			events: 2, sameID: true},
		{name: "duplicates across shapes", data: func(t testing.TB) []byte {
			return jsonLines(r(t, "a"), string(exportFile(r(t, "a"))), rest(t, "a"))
		}, events: 3, sameID: true},
		{name: "duplicates without correlationId", data: func(t testing.TB) []byte {
			x := op{}.export(t, map[string]any{"correlationId": nil})
			return jsonLines(x, x)
		}, events: 2, sameID: true},
		{name: "huge record export", max: 4096, data: func(t testing.TB) []byte {
			return exportFile(r(t, "a"), big(t), r(t, "c"))
		}, events: 2, problems: []int{1}},
		{name: "huge record JSON Lines", max: 4096, data: func(t testing.TB) []byte {
			return jsonLines(r(t, "a"), big(t), r(t, "c"))
		}, events: 2, problems: []int{1}},
		{name: "huge first record JSON Lines", max: 4096, data: func(t testing.TB) []byte {
			return jsonLines(big(t), r(t, "b"), r(t, "c"))
		}, events: 2, problems: []int{0}},
		{name: "huge record REST", max: 4096, data: func(t testing.TB) []byte {
			return restPage(rest(t, "a"), big(t), rest(t, "c"))
		}, events: 2, problems: []int{1}},
		{name: "huge record gzip", max: 4096, data: func(t testing.TB) []byte {
			return gz(t, exportFile(r(t, "a"), big(t), r(t, "c")))
		}, events: 2, problems: []int{1}},
		{name: "invalid record in the middle export", data: func(t testing.TB) []byte {
			return exportFile(r(t, "a"), `{"time": tru, "x": [1,,2]}`, `17`, r(t, "c"))
		}, events: 2, problems: []int{1, 2}},
		{name: "invalid line in the middle JSON Lines", data: func(t testing.TB) []byte {
			return jsonLines(r(t, "a"), `{"time": "2025-01-01T00:00:00Z", "identity": {`, `not json`, r(t, "c"))
		}, events: 2, problems: []int{1, 2}},
		{name: "invalid line in Event Hub lines", data: func(t testing.TB) []byte {
			return jsonLines(string(exportFile(r(t, "a"), r(t, "b"))), `{"records":[{"time"`, string(exportFile(r(t, "c"))))
		}, events: 3, problems: []int{2}},
		{name: "broken structure export", data: func(t testing.TB) []byte {
			return exportFile(r(t, "a"), `{"time": "x"]`, r(t, "c"))
		}, err: "invalid JSON at byte"},
		{name: "truncated export", data: func(t testing.TB) []byte {
			b := exportFile(r(t, "a"), r(t, "b"))
			return b[:len(b)-30]
		}, err: "unexpected end of input"},
		{name: "record without principal", data: func(t testing.TB) []byte {
			return exportFile(r(t, "a"), op{corr: "b"}.export(t, map[string]any{"identity": "John Doe"}), r(t, "c"))
		}, events: 2, problems: []int{1}},
		{name: "record without time", data: func(t testing.TB) []byte {
			return exportFile(r(t, "a"), op{corr: "b"}.export(t, map[string]any{"time": nil}), r(t, "c"))
		}, events: 2, problems: []int{1}},
		{name: "record without category", data: func(t testing.TB) []byte {
			return exportFile(r(t, "a"), op{corr: "b"}.export(t, map[string]any{"category": nil, "properties": nil, "identity": map[string]any{"claims": aliceClaims()}}))
		}, events: 1, problems: []int{1}},
		{name: "record with unknown status", data: func(t testing.TB) []byte {
			return exportFile(op{corr: "b"}.export(t, map[string]any{"resultType": "Sideways"}), r(t, "a"))
		}, events: 1, problems: []int{0}},
		{name: "record of the wrong type", data: func(t testing.TB) []byte {
			return restPage(rest(t, "a"), `[1,2]`, `null`, rest(t, "c"))
		}, events: 2, problems: []int{1, 2}},
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

// TestNoProgressStops checks that a stray closing bracket, colon or comma
// between top-level values is an error (or, in JSON Lines, a bad line), not
// an endless loop.
func TestNoProgressStops(t *testing.T) {
	rec := op{}.export(t, nil)
	for _, data := range []string{rec + "\n]", rec + " , " + rec, `{"records":[]} }`, rec + "\n:", "{\n\"time\":1}\n]"} {
		type result struct {
			st  record.Stats
			err error
		}
		done := make(chan result, 1)
		go func() {
			_, st, err := read(t, NewReader(fakeCatalog{}, Options{}), "input.json", []byte(data))
			done <- result{st, err}
		}()
		select {
		case r := <-done:
			if r.err == nil && len(r.st.Problems) == 0 {
				t.Errorf("%.40q...: no error and no problem", data[len(data)-20:])
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%.40q...: read does not end", data[len(data)-20:])
		}
	}
}

// TestRecordLimitBoundary: the first record of JSON Lines, found inside the
// top-level object, has the same limit as the records after it: exactly
// MaxRecordBytes is read, one byte more is a Problem.
func TestRecordLimitBoundary(t *testing.T) {
	a, b := op{corr: "a"}.export(t, nil), op{corr: "b"}.export(t, nil)
	if len(a) != len(b) {
		t.Fatalf("records of %d and %d bytes", len(a), len(b))
	}
	for _, c := range []struct {
		max      int64
		events   int
		problems []int
	}{{int64(len(a)), 2, nil}, {int64(len(a)) - 1, 0, []int{0, 1}}} {
		_, st, err := read(t, NewReader(fakeCatalog{}, Options{MaxRecordBytes: c.max}), "x", jsonLines(a, b))
		var idx []int
		for _, p := range st.Problems {
			idx = append(idx, p.Index)
		}
		if err != nil || st.Events != c.events || !reflect.DeepEqual(idx, c.problems) {
			t.Errorf("max %d for records of %d bytes: %d events, problems %v, %v; want %d events, problems %v",
				c.max, len(a), st.Events, idx, err, c.events, c.problems)
		}
	}
}
