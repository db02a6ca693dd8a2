package azure

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/usage/record"
)

// syntheticExport returns a gzipped diagnostic export ({"records":[...]})
// of n realistic records: a few principals, operations on several resource
// types, most of them as Start and Success halves, some failures and denials,
// and some records of other categories.
func syntheticExport(t testing.TB, n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	ops := []struct{ name, typ, res string }{
		{"MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE", "Microsoft.Compute/virtualMachines", "vm-%d"},
		{"MICROSOFT.COMPUTE/VIRTUALMACHINES/START/ACTION", "Microsoft.Compute/virtualMachines", "vm-%d"},
		{"MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION", "Microsoft.Storage/storageAccounts", "st%d"},
		{"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/WRITE", "Microsoft.Network/networkSecurityGroups", "nsg-%d"},
		{"MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE", "Microsoft.Insights/diagnosticSettings", "diag-%d"},
		{"MICROSOFT.KEYVAULT/VAULTS/WRITE", "Microsoft.KeyVault/vaults", "kv-%d"},
		{"MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE", "Microsoft.Resources/deployments", "deploy-%d"},
		{"MICROSOFT.WEB/SITES/RESTART/ACTION", "Microsoft.Web/sites", "app-%d"},
	}
	var b strings.Builder
	b.WriteString(`{"records":[`)
	t0 := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	pendingStart := -1 // a Start half written, its Success next
	var last string
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		if pendingStart >= 0 {
			b.WriteString(strings.Replace(strings.Replace(last, `"resultType":"Start","resultSignature":"Started."`,
				`"resultType":"Success","resultSignature":"Succeeded.OK"`, 1), `"durationMs":"0"`, `"durationMs":"1840"`, 1))
			pendingStart = -1
			continue
		}
		o := ops[rng.IntN(len(ops))]
		p := rng.IntN(20)
		rg := rng.IntN(10)
		res := fmt.Sprintf("/SUBSCRIPTIONS/11111111-2222-3333-4444-555555555555/RESOURCEGROUPS/RG-%d/PROVIDERS/%s/%s",
			rg, strings.ToUpper(o.typ), strings.ToUpper(fmt.Sprintf(o.res, rng.IntN(50))))
		category, result, sig, msg := "Administrative", "Start", "Started.", ""
		switch k := rng.IntN(20); {
		case k == 0:
			result, sig, msg = "Failure", "Failed.Forbidden", `,"statusMessage":"{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":\"The client does not have authorization to perform action\"}}"`
		case k == 1:
			result, sig = "Failure", "Failed.Conflict"
		case k == 2:
			category = "Policy"
		case k < 6:
			result, sig = "Success", "Succeeded.OK"
		}
		rec := fmt.Sprintf(`{"RoleLocation":"West Europe","time":"%[1]s","resourceId":"%[2]s","operationName":"%[3]s","category":"%[4]s","resultType":"%[5]s","resultSignature":"%[6]s","durationMs":"0","callerIpAddress":"203.0.113.%[7]d","correlationId":"%08[8]x-1111-4222-8333-%012[8]d","identity":{"authorization":{"scope":"%[2]s","action":"%[3]s","evidence":{"role":"Contributor","roleAssignmentScope":"/subscriptions/11111111-2222-3333-4444-555555555555","roleAssignmentId":"%032[9]x","roleDefinitionId":"b24988ac618042a0ab8820f7382dd24c","principalId":"0000000000004000800000000000%04[9]d","principalType":"User"}},"claims":{"aud":"https://management.core.windows.net/","iss":"https://sts.windows.net/22222222-2222-2222-2222-222222222222/","iat":"1756684800","nbf":"1756684800","exp":"1756688400","http://schemas.microsoft.com/claims/authnclassreference":"1","appid":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","appidacr":"0","http://schemas.microsoft.com/identity/claims/objectidentifier":"00000000-0000-4000-8000-0000000%05[9]d","http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":"user%[9]d@contoso.com","idtyp":"user","name":"User %[9]d","http://schemas.microsoft.com/identity/claims/tenantid":"22222222-2222-2222-2222-222222222222","ver":"1.0"}},"level":"Informational","properties":{"eventCategory":"%[4]s","entity":"%[2]s","message":"%[3]s","hierarchy":"22222222-2222-2222-2222-222222222222/11111111-2222-3333-4444-555555555555"%[10]s},"tenantId":"22222222-2222-2222-2222-222222222222"}`,
			t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano), res, o.name, category, result, sig, i%250, i, p, msg)
		b.WriteString(rec)
		if result == "Start" {
			pendingStart, last = i, rec
		}
	}
	b.WriteString(`]}`)
	return gz(t, []byte(b.String()))
}

func TestSyntheticExport(t *testing.T) {
	const n = 2000
	evs, st, err := read(t, NewReader(loadCatalog(t), Options{}), "synthetic.json.gz", syntheticExport(t, n))
	if err != nil || st.Records != n || len(st.Problems) > 0 {
		t.Fatalf("read %d records: %v, problems %v", st.Records, err, st.Problems)
	}
	if len(evs) != st.Events {
		t.Errorf("%d events emitted, stats count %d", len(evs), st.Events)
	}
	denied, failed, inferred := 0, 0, 0
	ids := map[string]bool{}
	for _, ev := range evs {
		checkEvent(t, ev)
		if ev.Unmapped != "" {
			t.Errorf("unmapped event %+v", ev)
		}
		switch ev.Outcome {
		case record.Denied:
			denied++
		case record.Failed:
			failed++
		}
		// The reader stores only what the log recorded: the reads an
		// operation implies are inferred at synthesis.
		if ev.Inferred {
			inferred++
		}
		if ids[ev.EventID] {
			t.Errorf("two events with EventID %s", ev.EventID)
		}
		ids[ev.EventID] = true
	}
	if inferred != 0 {
		t.Errorf("%d inferred events, want none", inferred)
	}
	if denied == 0 || failed == 0 || st.Skipped["Policy"] == 0 {
		t.Errorf("denied %d, failed %d, skipped %v: the generator lost a case", denied, failed, st.Skipped)
	}
}

func BenchmarkRead(b *testing.B) {
	const n = 10000
	data := syntheticExport(b, n)
	r := NewReader(loadCatalog(b), Options{})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	events := 0
	for b.Loop() {
		st, err := r.Read(context.Background(), "bench.json.gz", bytes.NewReader(data), func(*record.Event) error { return nil })
		if err != nil || st.Records != n || len(st.Problems) > 0 {
			b.Fatalf("read %d records: %v, problems %v", st.Records, err, st.Problems)
		}
		events += st.Events
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
