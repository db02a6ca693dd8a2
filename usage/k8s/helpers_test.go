package k8s

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/leastpriv/pare/usage/record"
	"github.com/leastpriv/pare/usage/record/recordtest"
)

// read runs a Reader over data and collects its events.
func read(t testing.TB, r *Reader, name string, data []byte) ([]record.Event, record.Stats, error) {
	t.Helper()
	return recordtest.Read(r.Read, name, data)
}

// mustRead reads data with opts and fails on an error or a problem.
func mustRead(t testing.TB, opts Options, data []byte) ([]record.Event, record.Stats) {
	t.Helper()
	evs, st, err := read(t, NewReader(opts), "input.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Problems) > 0 {
		t.Fatalf("problems: %v", st.Problems)
	}
	return evs, st
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func marshal(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ev describes an audit event for tests; its zero fields take defaults.
type ev struct {
	id, stage, verb, user string
	groups                []string
	resource, sub, ns     string
	name, group, uri      string
	code                  int
}

// event returns the event as one line of JSON, with the fields of over
// replacing or (when nil) deleting the event's.
func (e ev) event(t testing.TB, over map[string]any) string {
	t.Helper()
	def := func(s, d string) string {
		if s == "" {
			return d
		}
		return s
	}
	groups := e.groups
	if groups == nil {
		groups = []string{"system:authenticated"}
	}
	m := map[string]any{
		"kind":       "Event",
		"apiVersion": "audit.k8s.io/v1",
		"level":      "Metadata",
		"auditID":    def(e.id, "0c9c3f3e-7a53-4d3b-9b8b-000000000001"),
		"stage":      def(e.stage, "ResponseComplete"),
		"requestURI": def(e.uri, "/api/v1/namespaces/default/pods/web-0"),
		"verb":       def(e.verb, "get"),
		"user":       map[string]any{"username": def(e.user, "alice"), "groups": groups},
		"sourceIPs":  []string{"10.0.0.1"},
		"userAgent":  "kubectl/v1.31.0 (linux/amd64) kubernetes/abc",
		"objectRef": map[string]any{"resource": def(e.resource, "pods"), "namespace": def(e.ns, "default"),
			"name": def(e.name, "web-0"), "apiGroup": e.group, "apiVersion": "v1", "subresource": e.sub},
		"responseStatus":           map[string]any{"metadata": map[string]any{}, "code": cmp(e.code, 200)},
		"requestReceivedTimestamp": "2025-03-01T10:00:00.123456Z",
		"stageTimestamp":           "2025-03-01T10:00:00.223456Z",
		"annotations":              map[string]any{"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""},
	}
	for k, v := range over {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return marshal(t, m)
}

func cmp(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func lines(recs ...string) []byte {
	return []byte(strings.Join(recs, "\n") + "\n")
}

// aksRecord wraps an event as an AKS diagnostic record of category.
func aksRecord(t testing.TB, category, event string) string {
	return marshal(t, map[string]any{
		"operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
		"category":      category,
		"ccpNamespace":  "65f9b1c2d3e4f5a6b7c8d9e0",
		"resourceId":    "/SUBSCRIPTIONS/0B1F6471-1BF0-4DDA-AEC3-CB9272F09590/RESOURCEGROUPS/RG-AKS/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/PROD-AKS",
		"properties":    map[string]any{"log": event + "\n", "stream": "stdout", "pod": "kube-apiserver-6d9f8c7b5-x2x7k"},
		"time":          "2025-03-01T10:00:00.3000000Z",
	})
}

// checkEvent checks what every event must satisfy.
func checkEvent(t testing.TB, e record.Event) {
	t.Helper()
	if e.Provider != "k8s" || !strings.HasPrefix(e.EventID, "k8s:") || e.Principal == "" || e.Action == "" ||
		e.Time.IsZero() || e.Time.Location().String() != "UTC" {
		t.Errorf("incomplete event %+v", e)
	}
	if e.PrincipalKind != "user" && e.PrincipalKind != "serviceaccount" {
		t.Errorf("principal kind %q", e.PrincipalKind)
	}
	switch e.Outcome {
	case record.Allowed, record.Denied, record.Failed:
	default:
		t.Errorf("outcome %q", e.Outcome)
	}
	if (e.Outcome == record.Allowed) != (e.ErrorCode == "") {
		t.Errorf("outcome %q with error code %q", e.Outcome, e.ErrorCode)
	}
}

// testdata reads a file under testdata/k8s/audit.
func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "k8s", "audit", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// skipped returns a copy of s's Skipped without nil.
func skipped(s record.Stats) map[string]int {
	m := map[string]int{}
	maps.Copy(m, s.Skipped)
	return m
}

// eventList wraps events in an EventList.
func eventList(recs ...string) []byte {
	return []byte(`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[` + strings.Join(recs, ",") + `]}`)
}

// aksExport wraps records in the diagnostic export shape.
func aksExport(recs ...string) []byte {
	return []byte(`{"records":[` + strings.Join(recs, ",") + `]}`)
}

// cloudWatchPage is `aws logs filter-log-events` output with the events
// as messages.
func cloudWatchPage(t testing.TB, events ...string) []byte {
	var items []map[string]any
	for k, e := range events {
		items = append(items, map[string]any{
			"logStreamName": "kube-apiserver-audit-6e2e4b3c8d1f0a9b7c5d3e1f2a4b6c8d",
			"timestamp":     1740823200000 + k, "message": e, "ingestionTime": 1740823201000 + k,
			"eventId": strings.Repeat("3", 56),
		})
	}
	b, err := json.MarshalIndent(map[string]any{"events": items, "searchedLogStreams": []any{}}, "", "    ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
