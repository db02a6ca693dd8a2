package azure

import (
	"bytes"
	stdjson "encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/leastpriv/pare/synth"
	synthazure "github.com/leastpriv/pare/synth/azure"
	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/usage/record"
)

// The real samples, under testdata/azure at the top of the repository (see
// each folder's SOURCE.txt and LICENSE).
var realFiles = []string{
	"otel-contrib-azurelogs/administrative_valid_1.json",
	"otel-contrib-azurelogs/cornercase_identity_as_string.json",
	"ms-docs-activity-log-schema/administrative_rest_sample.json",
	"ms-docs-activity-log-schema/storage_eventhub_records_sample.json",
	"azure-rest-api-specs/GetActivityLogsFiltered.json",
}

func readTestdata(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("..", "..", "testdata", "azure", filepath.FromSlash(name)))
}

func mustTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := readTestdata(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	catOnce sync.Once
	cat     *catalog.Azure
	catErr  error
)

func loadCatalog(t testing.TB) *catalog.Azure {
	t.Helper()
	catOnce.Do(func() { cat, catErr = catalog.LoadAzure() })
	if catErr != nil {
		t.Fatal(catErr)
	}
	return cat
}

func jsonIndent(b *bytes.Buffer, s string) error {
	return stdjson.Indent(b, []byte(s), "", "  ")
}

// restBody returns the response body of a REST API spec example: the REST
// page it shows.
func restBody(t testing.TB, example []byte) []byte {
	t.Helper()
	var ex struct {
		Responses map[string]struct {
			Body stdjson.RawMessage `json:"body"`
		} `json:"responses"`
	}
	if err := stdjson.Unmarshal(example, &ex); err != nil {
		t.Fatal(err)
	}
	return ex.Responses["200"].Body
}

func readReal(t *testing.T, data []byte) ([]record.Event, record.Stats) {
	t.Helper()
	evs, st, err := read(t, NewReader(loadCatalog(t), Options{}), "sample.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Problems) > 0 {
		t.Errorf("problems: %v", st.Problems)
	}
	for _, ev := range evs {
		checkEvent(t, ev)
	}
	return evs, st
}

// checkAction asserts that ev's action is want (Azure compares actions
// case-insensitively) in the catalog's own spelling.
func checkAction(t *testing.T, ev record.Event, want string) {
	t.Helper()
	op, ok := loadCatalog(t).Operation(want)
	if !ok {
		t.Fatalf("catalog lacks %s", want)
	}
	if !strings.EqualFold(ev.Action, want) || ev.Action != op.Name {
		t.Errorf("action %q, want %q spelled %q", ev.Action, want, op.Name)
	}
}

// TestOracleExport is the first oracle: the storage/Event Hub
// sample (a Start half whose outcome is not in the file) gives the
// diagnostic setting write at the subscription, and only it (the read it
// implies is inferred at synthesis: TestOracleInferredReads).
func TestOracleExport(t *testing.T) {
	data := mustTestdata(t, realFiles[0])
	for _, shape := range []struct {
		name string
		data []byte
	}{{"file", data}, {"gzip", gz(t, data)}} {
		t.Run(shape.name, func(t *testing.T) {
			evs, st := readReal(t, shape.data)
			if st.Records != 1 || len(evs) != 1 {
				t.Fatalf("%d records, %d events %+v; want 1 and 1", st.Records, len(evs), evs)
			}
			w := evs[0]
			checkAction(t, w, "Microsoft.Insights/diagnosticSettings/write")
			if w.Inferred {
				t.Errorf("the write is marked inferred: %+v", w)
			}
			const sub = "/subscriptions/11111111-1111-1111-1111-111111111111"
			for _, ev := range evs {
				if ev.Scope != sub || ev.Outcome != record.Allowed || ev.Principal != "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb" ||
					ev.PrincipalKind != "user" || ev.Session != "user@example.com" ||
					ev.Resource != "/SUBSCRIPTIONS/11111111-1111-1111-1111-111111111111/PROVIDERS/MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/EXAMPLE-COLLECT-SAMPLE-LOGS" {
					t.Errorf("event %+v", ev)
				}
			}
		})
	}
}

// TestOracleREST is the second oracle: the REST sample gives the
// support ticket write in the MSSupportGroup resource group, and only it,
// in every shape the REST records come in.
func TestOracleREST(t *testing.T) {
	page := restBody(t, mustTestdata(t, realFiles[4]))
	var p struct{ Value []stdjson.RawMessage }
	if err := stdjson.Unmarshal(page, &p); err != nil || len(p.Value) != 1 {
		t.Fatalf("REST page: %v, %d records", err, len(p.Value))
	}
	recs := []string{string(p.Value[0])}
	for _, shape := range []struct {
		name string
		data []byte
	}{{"REST page", page}, {"az list", azList(recs...)}, {"JSON Lines", jsonLines(compact(t, recs[0]))}} {
		t.Run(shape.name, func(t *testing.T) {
			evs, _ := readReal(t, shape.data)
			if len(evs) != 1 {
				t.Fatalf("%d events %+v, want 1", len(evs), evs)
			}
			checkAction(t, evs[0], "Microsoft.Support/supportTickets/write")
			for _, ev := range evs {
				if ev.Scope != "/subscriptions/089bd33f-d4ec-47fe-8ba5-0753aa5c5b33/resourceGroups/mssupportgroup" ||
					ev.Resource != "/subscriptions/089bd33f-d4ec-47fe-8ba5-0753aa5c5b33/resourceGroups/MSSupportGroup/providers/microsoft.support/supporttickets/115012112305841" ||
					ev.Principal != "2468adf0-8211-44e3-95xq-85137af64708" || ev.PrincipalKind != "user" ||
					ev.Session != "admin@contoso.com" || ev.Outcome != record.Allowed {
					t.Errorf("event %+v", ev)
				}
			}
		})
	}
}

// TestOracleInferredReads completes the oracles: the reads the Activity Log
// never records are inferred at synthesis, so the reader's events, turned
// into accesses and passed through synth/azure.InferReads with the real
// catalog, give the write and, marked inferred, the read of its resource
// type, with the write's principal, resource and evidence.
func TestOracleInferredReads(t *testing.T) {
	c := loadCatalog(t)
	readOf := func(op string) (string, bool) { return c.ReadOperation(c.ResourceType(op)) }
	cases := []struct {
		name        string
		data        []byte
		write, read string
	}{
		{"diagnostic settings export", mustTestdata(t, realFiles[0]),
			"Microsoft.Insights/diagnosticSettings/write", "Microsoft.Insights/diagnosticSettings/read"},
		{"support ticket REST page", restBody(t, mustTestdata(t, realFiles[4])),
			"Microsoft.Support/supportTickets/write", "Microsoft.Support/supportTickets/read"},
		{"support ticket storage sample", mustTestdata(t, realFiles[3]),
			"Microsoft.Support/supportTickets/write", "Microsoft.Support/supportTickets/read"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evs, _ := readReal(t, tc.data)
			accesses := accessesOf(evs)
			if len(accesses) != 1 || !strings.EqualFold(accesses[0].Action, tc.write) || accesses[0].Inferred {
				t.Fatalf("accesses %+v, want the recorded %s only", accesses, tc.write)
			}
			got := synthazure.InferReads(accesses, readOf)
			if len(got) != 2 {
				t.Fatalf("InferReads gave %+v, want the write and its read", got)
			}
			var w, r *synth.Access
			for i := range got {
				switch a := &got[i]; {
				case strings.EqualFold(a.Action, tc.write):
					w = a
				case strings.EqualFold(a.Action, tc.read):
					r = a
				}
			}
			if w == nil || r == nil {
				t.Fatalf("InferReads gave %+v, want %s and %s", got, tc.write, tc.read)
			}
			if w.Inferred || !r.Inferred || r.Denied {
				t.Errorf("write inferred %v, read inferred %v denied %v; want false, true, false", w.Inferred, r.Inferred, r.Denied)
			}
			if _, ok := c.Operation(r.Action); !ok {
				t.Errorf("inferred read %q is not in the catalog", r.Action)
			}
			if r.Principal != w.Principal || r.PrincipalKind != w.PrincipalKind || r.Resource != w.Resource ||
				r.Count != w.Count || !r.First.Equal(w.First) || !slices.Equal(r.Samples, w.Samples) {
				t.Errorf("inferred read %+v does not carry the write's evidence %+v", *r, *w)
			}
		})
	}
}

// accessesOf turns events into accesses the way usage aggregates them: one
// per principal, action, resource, inferred flag and denial, counting
// distinct EventIDs. Unmapped events give none.
func accessesOf(evs []record.Event) []synth.Access {
	type group struct {
		principal, action, resource string
		inferred, denied            bool
	}
	type counted struct {
		group
		eventID string
	}
	byGroup := map[group]*synth.Access{}
	seen := map[counted]bool{}
	var order []group
	for _, ev := range evs {
		if ev.Action == "" {
			continue
		}
		g := group{ev.Principal, ev.Action, ev.Resource, ev.Inferred, ev.Outcome == record.Denied}
		a := byGroup[g]
		if a == nil {
			a = &synth.Access{Provider: ev.Provider, Principal: ev.Principal, PrincipalKind: ev.PrincipalKind,
				Action: ev.Action, Resource: ev.Resource, First: ev.Time, Last: ev.Time, Inferred: ev.Inferred, Denied: g.denied}
			byGroup[g] = a
			order = append(order, g)
		}
		if k := (counted{g, ev.EventID}); !seen[k] {
			seen[k] = true
			a.Count++
			a.Samples = append(a.Samples, ev.EventID)
		}
		if ev.Time.Before(a.First) {
			a.First = ev.Time
		}
		if ev.Time.After(a.Last) {
			a.Last = ev.Time
		}
		if ev.Region != "" && !slices.Contains(a.Regions, ev.Region) {
			a.Regions = append(a.Regions, ev.Region)
		}
	}
	out := make([]synth.Access, 0, len(order))
	for _, g := range order {
		a := byGroup[g]
		slices.Sort(a.Samples)
		slices.Sort(a.Regions)
		out = append(out, *a)
	}
	return out
}

func compact(t testing.TB, s string) string {
	var b bytes.Buffer
	if err := stdjson.Compact(&b, []byte(s)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestDocsSamples reads the Activity Log schema documentation's samples.
func TestDocsSamples(t *testing.T) {
	t.Run("REST sample", func(t *testing.T) {
		evs, _ := readReal(t, mustTestdata(t, realFiles[2]))
		if len(evs) != 1 {
			t.Fatalf("%d events %+v, want 1", len(evs), evs)
		}
		checkAction(t, evs[0], "Microsoft.Network/networkSecurityGroups/write")
		if ev := evs[0]; ev.Scope != "/subscriptions/<subscription id>/resourceGroups/myresourcegroup" ||
			ev.Principal != "f409edeb-4d29-44b5-9763-ee9348ad91bb" || ev.Session != "rob@contoso.com" {
			t.Errorf("event %+v", ev)
		}
	})
	t.Run("storage sample", func(t *testing.T) {
		// Its category is the older export's "Write".
		evs, _ := readReal(t, mustTestdata(t, realFiles[3]))
		if len(evs) != 1 {
			t.Fatalf("%d events %+v, want 1", len(evs), evs)
		}
		checkAction(t, evs[0], "Microsoft.Support/supportTickets/write")
		if ev := evs[0]; ev.Scope != "/subscriptions/s1/resourceGroups/mssupportgroup" || ev.Region != "global" ||
			ev.Principal != "123abc45-8211-44e3-95xq-85137af64708" || ev.PrincipalKind != "user" ||
			ev.Session != "admin@contoso.com" {
			t.Errorf("event %+v", ev)
		}
	})
	t.Run("identity as a string", func(t *testing.T) {
		evs, st := readReal(t, mustTestdata(t, realFiles[1]))
		if len(evs) != 0 || st.Records != 1 || st.Skipped[SkipOtherCategory] != 1 {
			t.Errorf("events %+v, stats %+v; want the record skipped for its category", evs, st)
		}
	})
}

// TestRealSamplesAllShapes reads every record of the samples through the
// reader in each shape and checks that the shapes agree.
func TestRealSamplesAllShapes(t *testing.T) {
	var recs []string
	for _, name := range realFiles[:4] {
		data := mustTestdata(t, name)
		if name == realFiles[2] {
			recs = append(recs, compact(t, string(data)))
			continue
		}
		var w struct{ Records []stdjson.RawMessage }
		if err := stdjson.Unmarshal(data, &w); err != nil {
			t.Fatal(err)
		}
		for _, r := range w.Records {
			recs = append(recs, compact(t, string(r)))
		}
	}
	want, _ := readReal(t, exportFile(recs...))
	if len(want) != 3 {
		t.Fatalf("%d events, want 3: %+v", len(want), want)
	}
	for _, data := range [][]byte{jsonLines(recs...), azList(recs...), restPage(recs...), gz(t, jsonLines(recs...))} {
		got, _ := readReal(t, data)
		if g, w := keys(got), keys(want); !equalKeys(g, w) {
			t.Errorf("events differ:\n got %+v\nwant %+v", g, w)
		}
	}
}

func equalKeys(a, b []key) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
