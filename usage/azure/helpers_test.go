package azure

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/usage/record"
	"github.com/leastpriv/pare/usage/record/recordtest"
)

// fakeCatalog is a small hand-written Catalog for unit tests.
type fakeCatalog struct{}

var fakeOperations = []string{
	"Microsoft.Compute/virtualMachines/read",
	"Microsoft.Compute/virtualMachines/write",
	"Microsoft.Compute/virtualMachines/delete",
	"Microsoft.Compute/virtualMachines/start/action",
	"Microsoft.Insights/diagnosticSettings/read",
	"Microsoft.Insights/diagnosticSettings/write",
	"Microsoft.Network/networkSecurityGroups/read",
	"Microsoft.Network/networkSecurityGroups/write",
	"Microsoft.Storage/storageAccounts/read",
	"Microsoft.Storage/storageAccounts/listKeys/action",
	"Microsoft.Support/supportTickets/read",
	"Microsoft.Support/supportTickets/write",
	"Microsoft.Resources/deployments/write",
}

func (fakeCatalog) Operation(name string) (catalog.AzureOperation, bool) {
	for _, op := range fakeOperations {
		if strings.EqualFold(op, name) {
			return catalog.AzureOperation{Name: op, Provider: op[:strings.IndexByte(op, '/')]}, true
		}
	}
	return catalog.AzureOperation{}, false
}

// read runs a Reader over data and collects its events.
func read(t testing.TB, r *Reader, name string, data []byte) ([]record.Event, record.Stats, error) {
	t.Helper()
	return recordtest.Read(r.Read, name, data)
}

// mustRead reads data with the fake catalog and fails on an error or a
// problem.
func mustRead(t testing.TB, data []byte) ([]record.Event, record.Stats) {
	t.Helper()
	evs, st, err := read(t, NewReader(fakeCatalog{}, Options{}), "input.json", data)
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
	b, err := stdjson.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// exportFile wraps records in the diagnostic export shape.
func exportFile(recs ...string) []byte {
	return []byte(`{"records":[` + strings.Join(recs, ",") + `]}`)
}

// restPage wraps records in the REST shape.
func restPage(recs ...string) []byte {
	return []byte(`{"value":[` + strings.Join(recs, ",") + `],"nextLink":"https://management.azure.com/next"}`)
}

// azList is `az monitor activity-log list` output.
func azList(recs ...string) []byte {
	return []byte("[\n  " + strings.Join(recs, ",\n  ") + "\n]\n")
}

// jsonLines writes one record a line.
func jsonLines(recs ...string) []byte {
	return []byte(strings.Join(recs, "\n") + "\n")
}

// The test tenant: alice (a user) and a subscription with resource group
// RG-One.
const (
	testSub   = "11111111-2222-3333-4444-555555555555"
	aliceOID  = "a11ce000-0000-4000-8000-000000000001"
	vmID      = "/subscriptions/" + testSub + "/resourceGroups/RG-One/providers/Microsoft.Compute/virtualMachines/vm1"
	testScope = "/subscriptions/" + testSub + "/resourceGroups/rg-one"
)

// op describes one record of a logical operation, written in either shape.
type op struct {
	corr, name, resource string
	status               string // export resultType: Start, Accept, Success, Failure
	sig                  string // what follows "Failed." or "Succeeded." in resultSignature
	message              string // properties.statusMessage
	time                 string
	category             string // "" for Administrative
}

func (o op) withDefaults() op {
	if o.corr == "" {
		o.corr = "c0000000-0000-0000-0000-000000000001"
	}
	if o.name == "" {
		o.name = "Microsoft.Compute/virtualMachines/start/action"
	}
	if o.resource == "" {
		o.resource = vmID
	}
	if o.status == "" {
		o.status = "Success"
	}
	if o.time == "" {
		o.time = "2025-04-15T10:16:32.9873441Z"
	}
	if o.category == "" {
		o.category = "Administrative"
	}
	return o
}

func aliceClaims() map[string]any {
	return map[string]any{
		"aud": "https://management.core.windows.net/",
		"http://schemas.microsoft.com/identity/claims/objectidentifier": aliceOID,
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":     "alice@contoso.com",
		"appid": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
		"idtyp": "user",
		"name":  "Alice",
	}
}

// export writes o as a diagnostic export record, operationName upper-cased.
func (o op) export(t testing.TB, set map[string]any) string {
	o = o.withDefaults()
	verb := map[string]string{"Start": "Started", "Accept": "Accepted", "Success": "Succeeded", "Failure": "Failed"}[o.status]
	props := map[string]any{"eventCategory": o.category}
	if o.message != "" {
		props["statusMessage"] = o.message
	}
	r := map[string]any{
		"time":            o.time,
		"resourceId":      strings.ToUpper(o.resource),
		"operationName":   strings.ToUpper(o.name),
		"category":        o.category,
		"resultType":      o.status,
		"resultSignature": verb + "." + o.sig,
		"durationMs":      "0",
		"callerIpAddress": "203.0.113.10",
		"correlationId":   o.corr,
		"identity": map[string]any{
			"authorization": map[string]any{
				"scope": o.resource, "action": o.name,
				"evidence": map[string]any{
					"role": "Owner", "roleAssignmentScope": "/subscriptions/" + testSub,
					"roleAssignmentId": "33333333333333333333333333333333", "roleDefinitionId": "8e3af657a8ff443ca75c2fe8c4bcb635",
					"principalId": strings.ReplaceAll(aliceOID, "-", ""), "principalType": "User",
				},
			},
			"claims": aliceClaims(),
		},
		"level":      "Informational",
		"properties": props,
		"tenantId":   "22222222-2222-2222-2222-222222222222",
	}
	for k, v := range set {
		if v == nil {
			delete(r, k)
		} else {
			r[k] = v
		}
	}
	return marshal(t, r)
}

// rest writes o as a REST (and az CLI) record.
func (o op) rest(t testing.TB, set map[string]any) string {
	o = o.withDefaults()
	status := map[string]string{"Start": "Started", "Accept": "Accepted", "Success": "Succeeded", "Failure": "Failed"}[o.status]
	event := "EndRequest"
	if o.status == "Start" {
		event = "BeginRequest"
	}
	lv := func(s string) map[string]any { return map[string]any{"value": s, "localizedValue": s} }
	props := map[string]any{"statusCode": o.sig}
	if o.message != "" {
		props["statusMessage"] = o.message
	}
	r := map[string]any{
		"authorization":       map[string]any{"action": o.name, "scope": o.resource},
		"caller":              "alice@contoso.com",
		"channels":            "Operation",
		"claims":              aliceClaims(),
		"correlationId":       o.corr,
		"eventDataId":         fmt.Sprintf("e-%s-%s", o.status, o.time),
		"eventName":           lv(event),
		"category":            lv(o.category),
		"eventTimestamp":      o.time,
		"id":                  o.resource + "/events/x/ticks/1",
		"level":               "Informational",
		"operationId":         "04e575f8-48d0-4c43-a8b3-78c4eb01d287",
		"operationName":       lv(strings.ToLower(o.name)),
		"resourceGroupName":   "RG-One",
		"resourceId":          o.resource,
		"status":              lv(status),
		"subStatus":           lv(o.sig),
		"submissionTimestamp": o.time,
		"subscriptionId":      testSub,
		"properties":          props,
		"relatedEvents":       []any{},
	}
	for k, v := range set {
		if v == nil {
			delete(r, k)
		} else {
			r[k] = v
		}
	}
	return marshal(t, r)
}

// key is what must agree between shapes: an Event without its Index,
// Region, Session and Service (which the shapes spell differently).
type key struct {
	EventID, Principal, Kind, Action, Resource, Scope, Outcome, ErrorCode, Operation string
	Inferred                                                                         bool
	Time                                                                             string
}

func keys(evs []record.Event) []key {
	var ks []key
	for _, ev := range evs {
		ks = append(ks, key{ev.EventID, ev.Principal, ev.PrincipalKind, ev.Action, strings.ToLower(ev.Resource), ev.Scope,
			string(ev.Outcome), ev.ErrorCode, strings.ToLower(ev.Operation), ev.Inferred, ev.Time.Format("2006-01-02T15:04:05.999999999Z07:00")})
	}
	slices.SortFunc(ks, func(a, b key) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return ks
}

// checkEvent asserts what holds for every emitted event.
func checkEvent(t testing.TB, ev record.Event) {
	t.Helper()
	if ev.Provider != "azure" || ev.Principal == "" || ev.PrincipalKind == "" || ev.EventID == "" || ev.Time.IsZero() {
		t.Errorf("incomplete event %+v", ev)
	}
	if ev.Time.Location().String() != "UTC" {
		t.Errorf("time %v not in UTC", ev.Time)
	}
	if (ev.Action == "") == (ev.Unmapped == "") {
		t.Errorf("event has Action %q and Unmapped %q: want exactly one", ev.Action, ev.Unmapped)
	}
	if ev.Inferred {
		t.Errorf("inferred event %+v: the reader stores only what the log recorded", ev)
	}
	if ev.Scope == "" || !strings.HasPrefix(ev.Scope, "/") {
		t.Errorf("event %+v has scope %q", ev, ev.Scope)
	}
}
