package azure

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/leastpriv/pare/usage/jsonscan"
	"github.com/leastpriv/pare/usage/record"
)

// flatFields is fields as strings, comparable with ==.
type flatFields struct {
	resourceID, operationName, category, correlationID, eventCategory, statusCode, statusMessage string
	time, resultType, resultSignature, location                                                  string
	idName                                                                                       string
	idAuth, auth                                                                                 [4]string
	idClaims, claims                                                                             [10]string
	eventTimestamp, status, subStatus, eventName, caller, eventDataID, id, sub, rg               string
}

func flatten(f *fields) flatFields {
	auth := func(a *authFields) [4]string {
		return [4]string{string(a.action), string(a.scope), string(a.principalID), string(a.principalType)}
	}
	cl := func(c *claimFields) [10]string {
		return [10]string{string(c.objectIDLong), string(c.objectID), string(c.upnLong), string(c.upn),
			string(c.uniqueName), string(c.nameLong), string(c.appID), string(c.azp), string(c.idType), string(c.miResourceID)}
	}
	return flatFields{
		string(f.resourceID), string(f.operationName), string(f.category), string(f.correlationID),
		string(f.eventCategory), string(f.statusCode), string(f.statusMessage),
		string(f.time), string(f.resultType), string(f.resultSignature), string(f.location),
		string(f.identity.name), auth(&f.identity.auth), auth(&f.auth), cl(&f.identity.claims), cl(&f.claims),
		string(f.eventTimestamp), string(f.status), string(f.subStatus), string(f.eventName), string(f.caller),
		string(f.eventDataID), string(f.id), string(f.subscriptionID), string(f.resourceGroupName),
	}
}

// checkFast checks that when decodeFast takes raw, goccy decodes raw to
// the same fields and is no wrapper, and that decodeObject agrees on where
// the record ends. It reports whether decodeFast took raw.
func checkFast(t *testing.T, raw []byte) bool {
	t.Helper()
	var fast, slow, obj fields
	ok := decodeFast(raw, &fast)
	i := jsonscan.SkipSpace(raw, 0)
	n, objOK := decodeObject(raw[i:], &obj)
	if objOK && !ok && jsonscan.SkipSpace(raw, i+n) == len(raw) {
		t.Fatalf("decodeObject took %q, decodeFast did not", raw)
	}
	if !ok {
		return false
	}
	if !objOK || jsonscan.SkipSpace(raw, i+n) != len(raw) {
		t.Fatalf("decodeFast took %q, decodeObject ended at %d of %d (ok %v)", raw, i+n, len(raw), objOK)
	}
	_, wrapper, err := decodeSlow(raw, &slow)
	if err != nil {
		t.Fatalf("decodeFast took %q, goccy fails: %v", raw, err)
	}
	if wrapper {
		t.Fatalf("decodeFast took the wrapper %q", raw)
	}
	if a, b := flatten(&fast), flatten(&slow); a != b {
		t.Fatalf("decodeFast and goccy differ on %q:\n fast %+v\n slow %+v", raw, a, b)
	}
	return true
}

func TestDecodeFast(t *testing.T) {
	took := map[string]bool{
		// The usual shapes.
		op{}.export(t, nil):                                            true,
		op{}.rest(t, nil):                                              true,
		op{status: "Start"}.export(t, nil):                             true,
		`{"identity":"John Doe","time":"t"}`:                           true,
		`{"category":{"value":"Administrative","localizedValue":"x"}}`: true,
		`{"category":{"value":{"value":"x"}}}`:                         true,
		`{"category":null,"identity":null}`:                            true,
		`{"claims":{"oid":"a","aud":1,"x":[1,{"y":null}]}}`:            true,
		`{"properties":{"eventCategory":"Administrative","statusCode":"OK","other":{"a":[]}}}`: true,
		// Left to goccy.
		`{"category":5}`:                                     false, // a number in a text field
		`{"category":true}`:                                  false,
		`{"time":"a\"b\\\/\b\f\n\r\t"}`:                      true, // escapes
		`{"time":"\u00e9\u0000x\uFFFF","identity":"\u00e9"}`: true,
		`{"category":{"value":"a\nb"}}`:                      true,
		`{"time":"\ud83d\ude00"}`:                            false, // a surrogate pair: left to goccy
		`{"time":"\ud83d"}`:                                  false,
		`{"time":"\x"}`:                                      false,
		`{"time":"\u12"}`:                                    false,
		"{\"time\":\"a\tb\"}":                                false, // a control character
		`{"Time":"x"}`:                                       false, // another case of a field
		`{"time":"x","time":"y"}`:                            false, // a duplicate
		`{"identity":{"claims":{"OID":"x"}}}`:                false,
		`{"identity":{"name":"x"}}`:                          false,
		`{"identity":5}`:                                     false,
		`{"records":[]}`:                                     false, // maybe a wrapper
		`{"value":{}}`:                                       false,
		`{"category":{"Value":"x"}}`:                         false,
		`{"category":{"value":"x","value":"y"}}`:             false,
		`{"claims":{"oid":5}}`:                               false,
		`{"identity":{"authorization":{"evidence":{"roleAssignmentId":5}}}}`: false,
		`{"time":"x"} {}`:  false, // not one value
		`{"time":"\xff"}`:  false, // invalid UTF-8
		`{"k\u00e9y":"x"}`: false,
		`{"kéy":"x"}`:      false, // not ASCII: might fold
		`[]`:               false,
	}
	for raw, want := range took {
		if got := checkFast(t, []byte(raw)); got != want {
			t.Errorf("decodeFast(%q) took it: %v, want %v", raw, got, want)
		}
	}
}

// FuzzDecodeFast checks the fast decoder against goccy on any input.
func FuzzDecodeFast(f *testing.F) {
	f.Add([]byte(op{}.export(f, nil)))
	f.Add([]byte(op{status: "Failure", sig: "Forbidden"}.rest(f, nil)))
	f.Add([]byte(`{"identity":"John Doe","category":{"value":"Administrative"}}`))
	for _, name := range realFiles {
		if b, err := readTestdata(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkFast(t, raw)
	})
}

// TestNonASCIIEventsID is a REST id whose characters lower-case to longer
// ones before its /events/ suffix: the resource is the id before the
// suffix (the reader used to cut it at the offset in the lower-cased id,
// and panic past the end).
func TestNonASCIIEventsID(t *testing.T) {
	const res = "/subscriptions/s/ȺȺȺȺȺȺȺȺȺȺȺȺ"
	rec := `{"category":"Administrative","operationName":"Microsoft.Compute/virtualMachines/write","resultType":"Success",` +
		`"time":"2024-01-01T00:00:00Z","correlationId":"c","identity":{"claims":{"oid":"a"}},"id":"` + res + `/Events/1"}`
	evs, st, err := read(t, NewReader(fakeCatalog{}, Options{}), "x", []byte(rec))
	if err != nil || len(st.Problems) > 0 || len(evs) != 1 {
		t.Fatalf("%d events, %v, problems %v", len(evs), err, st.Problems)
	}
	if evs[0].Resource != res {
		t.Errorf("resource %q, want %q", evs[0].Resource, res)
	}
}

// checkStatusCode checks that when fastStatusCode takes msg, goccy gives
// the same code.
func checkStatusCode(t *testing.T, msg []byte) bool {
	t.Helper()
	fast, ok := fastStatusCode(msg)
	if !ok {
		return false
	}
	if slow := slowStatusCode(msg); string(fast) != string(slow) {
		t.Fatalf("statusMessage %q: fast %q, goccy %q", msg, fast, slow)
	}
	return true
}

func TestStatusCode(t *testing.T) {
	for msg, want := range map[string]bool{
		`{"error":{"code":"AuthorizationFailed","message":"The client \"x\" cannot"}}`: true,
		`{"code":"Conflict","message":"x"}`:                                            true,
		` {"error":{"code":{"value":"A"}},"code":"B"} `:                                true,
		`{"error":null,"code":"   "}`:                                                  true,
		`{"error":"x"}`:                                                                false,
		`{"Code":"x"}`:                                                                 false,
		`{"error":{"code":"x","code":"y"}}`:                                            false,
		`{"code":"x"} x`:                                                               false,
	} {
		if got := checkStatusCode(t, []byte(msg)); got != want {
			t.Errorf("fastStatusCode(%q) took it: %v, want %v", msg, got, want)
		}
	}
}

func FuzzStatusCode(f *testing.F) {
	f.Add([]byte(`{"error":{"code":"AuthorizationFailed","message":"The client"}}`))
	f.Add([]byte(`{"code":{"value":"Conflict"},"message":"x"}`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		checkStatusCode(t, msg)
	})
}

// TestConcurrentReads reads inputs on several goroutines with one Reader,
// whose pooled workspaces (buffers, caches) must never leak from one Read
// into another: each gives what it gives alone.
func TestConcurrentReads(t *testing.T) {
	r := NewReader(loadCatalog(t), Options{})
	inputs := [][]byte{syntheticExport(t, 300), exportFile(op{}.export(t, nil), op{status: "Start"}.export(t, nil))}
	for _, name := range realFiles[:4] {
		inputs = append(inputs, mustTestdata(t, name))
	}
	// The REST API spec example holds the response body to read.
	inputs = append(inputs, restBody(t, mustTestdata(t, realFiles[4])))
	want := make([][]record.Event, len(inputs))
	wantSt := make([]record.Stats, len(inputs))
	for i, in := range inputs {
		var err error
		want[i], wantSt[i], err = read(t, NewReader(loadCatalog(t), Options{}), "x", in)
		// Each input gives events, but for the sample whose one record
		// is skipped for its category.
		if st := wantSt[i]; err != nil || st.Records == 0 || len(want[i]) == 0 && len(st.Skipped) == 0 {
			t.Fatalf("input %d read alone: %d events, stats %+v, error %v", i, len(want[i]), st, err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 20 {
				i := (g + k) % len(inputs)
				got, st, err := read(t, r, "x", inputs[i])
				if err != nil || !slices.Equal(got, want[i]) || !reflect.DeepEqual(st, wantSt[i]) {
					errs <- fmt.Sprintf("input %d read concurrently differs (error %v)", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
