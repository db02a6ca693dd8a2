package azure

import (
	"reflect"
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
	return []recordtest.Case{
		{Name: "empty", Data: func(testing.TB) []byte { return nil }, Err: "empty input"},
		{Name: "blank", Data: func(testing.TB) []byte { return []byte(" \n\t ") }, Err: "empty input"},
		{Name: "empty gzip", Data: func(t testing.TB) []byte { return gz(t, nil) }, Err: "empty input"},
		{Name: "truncated gzip", Data: func(t testing.TB) []byte {
			z := gz(t, exportFile(r(t, "a"), r(t, "b"), r(t, "c")))
			return z[:len(z)/2]
		}, Err: "gzip"},
		{Name: "corrupt gzip header", Data: func(testing.TB) []byte { return []byte{0x1f, 0x8b, 0, 0} }, Err: "gzip"},
		{Name: "not Activity Log JSON", Data: func(testing.TB) []byte { return []byte(`{"foo":1}`) },
			Err: "not an Azure Activity Log", ErrIs: ErrNotActivityLog},
		{Name: "CloudTrail file", Data: func(testing.TB) []byte {
			return []byte(`{"Records":[{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject"}]}`)
		}, Err: "not an Azure Activity Log", ErrIs: ErrNotActivityLog},
		{Name: "REST API spec example", Data: func(testing.TB) []byte {
			return []byte(`{"parameters":{"api-version":"2015-04-01"},"responses":{"200":{"body":{"value":[]}}}}`)
		}, Err: "not an Azure Activity Log", ErrIs: ErrNotActivityLog},
		{Name: "text file", Data: func(testing.TB) []byte { return []byte("hello, world\n") },
			Err: "not an Azure Activity Log", ErrIs: ErrNotActivityLog},
		{Name: "JSON string", Data: func(testing.TB) []byte { return []byte(`"records"`) },
			Err: "not an Azure Activity Log", ErrIs: ErrNotActivityLog},
		{Name: "empty records", Data: func(testing.TB) []byte { return []byte(`{"records":[]}`) }},
		{Name: "empty value", Data: func(testing.TB) []byte { return []byte(`{"value":[],"nextLink":null}`) }},
		{Name: "empty array", Data: func(testing.TB) []byte { return []byte(`[]`) }},
		{Name: "duplicates export", Data: func(t testing.TB) []byte { return exportFile(r(t, "a"), r(t, "a")) },
			Events: 2, SameID: true},
		{Name: "duplicates across shapes", Data: func(t testing.TB) []byte {
			return jsonLines(r(t, "a"), string(exportFile(r(t, "a"))), rest(t, "a"))
		}, Events: 3, SameID: true},
		{Name: "duplicates without correlationId", Data: func(t testing.TB) []byte {
			x := op{}.export(t, map[string]any{"correlationId": nil})
			return jsonLines(x, x)
		}, Events: 2, SameID: true},
		{Name: "huge record export", Max: 4096, Data: func(t testing.TB) []byte {
			return exportFile(r(t, "a"), big(t), r(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "huge record JSON Lines", Max: 4096, Data: func(t testing.TB) []byte {
			return jsonLines(r(t, "a"), big(t), r(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "huge first record JSON Lines", Max: 4096, Data: func(t testing.TB) []byte {
			return jsonLines(big(t), r(t, "b"), r(t, "c"))
		}, Events: 2, Problems: []int{0}},
		{Name: "huge record REST", Max: 4096, Data: func(t testing.TB) []byte {
			return restPage(rest(t, "a"), big(t), rest(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "huge record gzip", Max: 4096, Data: func(t testing.TB) []byte {
			return gz(t, exportFile(r(t, "a"), big(t), r(t, "c")))
		}, Events: 2, Problems: []int{1}},
		{Name: "invalid record in the middle export", Data: func(t testing.TB) []byte {
			return exportFile(r(t, "a"), `{"time": tru, "x": [1,,2]}`, `17`, r(t, "c"))
		}, Events: 2, Problems: []int{1, 2}},
		{Name: "invalid line in the middle JSON Lines", Data: func(t testing.TB) []byte {
			return jsonLines(r(t, "a"), `{"time": "2025-01-01T00:00:00Z", "identity": {`, `not json`, r(t, "c"))
		}, Events: 2, Problems: []int{1, 2}},
		{Name: "invalid line in Event Hub lines", Data: func(t testing.TB) []byte {
			return jsonLines(string(exportFile(r(t, "a"), r(t, "b"))), `{"records":[{"time"`, string(exportFile(r(t, "c"))))
		}, Events: 3, Problems: []int{2}},
		{Name: "broken structure export", Data: func(t testing.TB) []byte {
			return exportFile(r(t, "a"), `{"time": "x"]`, r(t, "c"))
		}, Err: "invalid JSON at byte"},
		{Name: "truncated export", Data: func(t testing.TB) []byte {
			b := exportFile(r(t, "a"), r(t, "b"))
			return b[:len(b)-30]
		}, Err: "unexpected end of input"},
		{Name: "record without principal", Data: func(t testing.TB) []byte {
			return exportFile(r(t, "a"), op{corr: "b"}.export(t, map[string]any{"identity": "John Doe"}), r(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "record without time", Data: func(t testing.TB) []byte {
			return exportFile(r(t, "a"), op{corr: "b"}.export(t, map[string]any{"time": nil}), r(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "record without category", Data: func(t testing.TB) []byte {
			return exportFile(r(t, "a"), op{corr: "b"}.export(t, map[string]any{"category": nil, "properties": nil, "identity": map[string]any{"claims": aliceClaims()}}))
		}, Events: 1, Problems: []int{1}},
		{Name: "record with unknown status", Data: func(t testing.TB) []byte {
			return exportFile(op{corr: "b"}.export(t, map[string]any{"resultType": "Sideways"}), r(t, "a"))
		}, Events: 1, Problems: []int{0}},
		{Name: "record of the wrong type", Data: func(t testing.TB) []byte {
			return restPage(rest(t, "a"), `[1,2]`, `null`, rest(t, "c"))
		}, Events: 2, Problems: []int{1, 2}},
	}
}

func TestConformance(t *testing.T) {
	recordtest.Run(t, conformanceCases(), func(max int64) record.ReadFunc {
		return NewReader(fakeCatalog{}, Options{MaxRecordBytes: max}).Read
	}, checkEvent)
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
