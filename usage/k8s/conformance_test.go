package k8s

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
	r := func(t testing.TB, id string) string { return ev{id: id}.event(t, nil) }
	big := func(t testing.TB) string {
		return ev{id: "big"}.event(t, map[string]any{"requestObject": map[string]any{"data": strings.Repeat("x", 10000)}})
	}
	aks := func(t testing.TB, id string) string { return aksRecord(t, "kube-audit", r(t, id)) }
	return []recordtest.Case{
		{Name: "empty", Data: func(testing.TB) []byte { return nil }, Err: "empty input"},
		{Name: "blank", Data: func(testing.TB) []byte { return []byte(" \n\t ") }, Err: "empty input"},
		{Name: "empty gzip", Data: func(t testing.TB) []byte { return gz(t, nil) }, Err: "empty input"},
		{Name: "truncated gzip", Data: func(t testing.TB) []byte {
			z := gz(t, eventList(r(t, "a"), r(t, "b"), r(t, "c")))
			return z[:len(z)/2]
		}, Err: "gzip"},
		{Name: "corrupt gzip header", Data: func(testing.TB) []byte { return []byte{0x1f, 0x8b, 0, 0} }, Err: "gzip"},
		{Name: "not audit JSON", Data: func(testing.TB) []byte { return []byte(`{"foo":1}`) },
			Err: "not a Kubernetes audit log", ErrIs: ErrNotAuditLog},
		{Name: "CloudTrail file", Data: func(testing.TB) []byte {
			return []byte(`{"Records":[{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject"}]}`)
		}, Err: "not a Kubernetes audit log", ErrIs: ErrNotAuditLog},
		{Name: "text file", Data: func(testing.TB) []byte { return []byte("hello, world\n") },
			Err: "not a Kubernetes audit log", ErrIs: ErrNotAuditLog},
		{Name: "JSON string", Data: func(testing.TB) []byte { return []byte(`"items"`) },
			Err: "not a Kubernetes audit log", ErrIs: ErrNotAuditLog},
		{Name: "empty EventList", Data: func(testing.TB) []byte { return eventList() }},
		{Name: "empty records", Data: func(testing.TB) []byte { return []byte(`{"records":[]}`) }},
		{Name: "empty CloudWatch page", Data: func(testing.TB) []byte { return []byte(`{"events":[],"searchedLogStreams":[]}`) }},
		{Name: "empty array", Data: func(testing.TB) []byte { return []byte(`[]`) }},
		{Name: "duplicates JSON Lines", Data: func(t testing.TB) []byte { return lines(r(t, "a"), r(t, "a")) },
			Events: 2, SameID: true},
		{Name: "duplicates across shapes", Data: func(t testing.TB) []byte {
			return lines(r(t, "a"), string(eventList(r(t, "a"))), aks(t, "a"), string(aksExport(aks(t, "a"))))
		}, Events: 4, SameID: true},
		{Name: "huge record EventList", Max: 4096, Data: func(t testing.TB) []byte {
			return eventList(r(t, "a"), big(t), r(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "huge record JSON Lines", Max: 4096, Data: func(t testing.TB) []byte {
			return lines(r(t, "a"), big(t), r(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "huge first record JSON Lines", Max: 4096, Data: func(t testing.TB) []byte {
			return lines(big(t), r(t, "b"), r(t, "c"))
		}, Events: 2, Problems: []int{0}},
		{Name: "huge record AKS export", Max: 4096, Data: func(t testing.TB) []byte {
			return aksExport(aks(t, "a"), aksRecord(t, "kube-audit", big(t)), aks(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "huge record gzip", Max: 4096, Data: func(t testing.TB) []byte {
			return gz(t, eventList(r(t, "a"), big(t), r(t, "c")))
		}, Events: 2, Problems: []int{1}},
		{Name: "invalid record in the middle EventList", Data: func(t testing.TB) []byte {
			return eventList(r(t, "a"), `{"auditID": tru, "x": [1,,2]}`, `17`, r(t, "c"))
		}, Events: 2, Problems: []int{1, 2}},
		{Name: "invalid line in the middle JSON Lines", Data: func(t testing.TB) []byte {
			return lines(r(t, "a"), `{"auditID": "b", "user": {`, `not json`, r(t, "c"))
		}, Events: 2, Problems: []int{1, 2}},
		{Name: "invalid line in AKS lines", Data: func(t testing.TB) []byte {
			return lines(string(aksExport(aks(t, "a"), aks(t, "b"))), `{"records":[{"category"`, string(aksExport(aks(t, "c"))))
		}, Events: 3, Problems: []int{2}},
		{Name: "invalid event inside an AKS record", Data: func(t testing.TB) []byte {
			return aksExport(aks(t, "a"), aksRecord(t, "kube-audit", `{"auditID":"b","verb":`), aks(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "broken structure EventList", Data: func(t testing.TB) []byte {
			return eventList(r(t, "a"), `{"auditID": "x"]`, r(t, "c"))
		}, Err: "invalid JSON at byte"},
		{Name: "truncated EventList", Data: func(t testing.TB) []byte {
			b := eventList(r(t, "a"), r(t, "b"))
			return b[:len(b)-30]
		}, Err: "unexpected end of input"},
		{Name: "record without auditID", Data: func(t testing.TB) []byte {
			return lines(r(t, "a"), ev{}.event(t, map[string]any{"auditID": nil}), r(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "record without user", Data: func(t testing.TB) []byte {
			return lines(r(t, "a"), ev{id: "b"}.event(t, map[string]any{"user": map[string]any{}}), r(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "record without time", Data: func(t testing.TB) []byte {
			return lines(r(t, "a"), ev{id: "b"}.event(t, map[string]any{"requestReceivedTimestamp": nil, "stageTimestamp": nil}), r(t, "c"))
		}, Events: 2, Problems: []int{1}},
		{Name: "record with a bad time", Data: func(t testing.TB) []byte {
			return lines(r(t, "a"), ev{id: "b"}.event(t, map[string]any{"requestReceivedTimestamp": "yesterday"}))
		}, Events: 1, Problems: []int{1}},
		{Name: "record with unknown stage", Data: func(t testing.TB) []byte {
			return lines(ev{id: "b", stage: "Sideways"}.event(t, nil), r(t, "a"))
		}, Events: 1, Problems: []int{0}},
		{Name: "record without verb", Data: func(t testing.TB) []byte {
			return lines(ev{id: "b"}.event(t, map[string]any{"verb": nil}), r(t, "a"))
		}, Events: 1, Problems: []int{0}},
		{Name: "record of the wrong type", Data: func(t testing.TB) []byte {
			return eventList(r(t, "a"), `[1,2]`, `null`, r(t, "c"))
		}, Events: 2, Problems: []int{1, 2}},
		{Name: "field of the wrong type", Data: func(t testing.TB) []byte {
			return lines(r(t, "a"), ev{id: "b"}.event(t, map[string]any{"responseStatus": map[string]any{"code": "403"}}), r(t, "c"))
		}, Events: 2, Problems: []int{1}},
	}
}

func TestConformance(t *testing.T) {
	recordtest.Run(t, conformanceCases(), func(max int64) record.ReadFunc {
		return NewReader(Options{MaxRecordBytes: max}).Read
	}, checkEvent)
}

// TestNoProgressStops checks that a stray closing bracket, colon or comma
// between top-level values is an error (or, in JSON Lines, a bad line), not
// an endless loop.
func TestNoProgressStops(t *testing.T) {
	rec := ev{}.event(t, nil)
	for _, data := range []string{rec + "\n]", rec + " , " + rec, `{"items":[]} }`, rec + "\n:", "{\n\"auditID\":1}\n]"} {
		type result struct {
			st  record.Stats
			err error
		}
		done := make(chan result, 1)
		go func() {
			_, st, err := read(t, NewReader(Options{}), "input.json", []byte(data))
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
	a, b := ev{id: "a"}.event(t, nil), ev{id: "b"}.event(t, nil)
	if len(a) != len(b) {
		t.Fatalf("records of %d and %d bytes", len(a), len(b))
	}
	for _, c := range []struct {
		max      int64
		events   int
		problems []int
	}{{int64(len(a)), 2, nil}, {int64(len(a)) - 1, 0, []int{0, 1}}} {
		_, st, err := read(t, NewReader(Options{MaxRecordBytes: c.max}), "x", lines(a, b))
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
