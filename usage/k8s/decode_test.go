package k8s

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/leastpriv/pare/usage/jsonscan"
	"github.com/leastpriv/pare/usage/record"
)

// flatFields is fields as strings, comparable with reflect.DeepEqual.
type flatFields struct {
	Strings                     []string
	User, Impersonated          []string
	Extra                       []string
	Code                        int64
	HasLog, HasLogS, HasMessage bool
}

func flatten(f *fields) flatFields {
	user := func(u *userFields) []string {
		out := []string{string(u.username), string(u.uid), fmt.Sprint(len(u.groups))}
		for _, g := range u.groups {
			out = append(out, string(g))
		}
		return out
	}
	var extra []string
	for _, x := range f.impersonated.extra {
		extra = append(extra, string(x.key)+"="+string(x.value))
	}
	var strs []string
	for _, b := range [][]byte{f.auditID, f.stage, f.requestURI, f.verb, f.userAgent,
		f.ref.resource, f.ref.subresource, f.ref.namespace, f.ref.name, f.ref.apiGroup, f.ref.apiVersion,
		f.reason, f.received, f.stageTime, f.timestamp, f.decision,
		f.category, f.log, f.logS, f.message, f.resourceID, f.laResourceID, f.logGroup, f.logStream, f.listStream} {
		strs = append(strs, string(b))
	}
	return flatFields{strs, user(&f.user), user(&f.impersonated), extra, f.code, f.hasLog, f.hasLogS, f.hasMessage}
}

// checkFast checks that when decodeFast takes raw, goccy decodes raw to
// the same fields and is no list, and that decodeObject agrees on where
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
	_, list, err := decodeSlow(raw, &slow)
	if err != nil {
		t.Fatalf("decodeFast took %q, goccy fails: %v", raw, err)
	}
	if list {
		t.Fatalf("decodeFast took the list %q", raw)
	}
	if a, b := flatten(&fast), flatten(&slow); !reflect.DeepEqual(a, b) {
		t.Fatalf("decodeFast and goccy differ on %q:\n fast %+v\n slow %+v", raw, a, b)
	}
	return true
}

func TestDecodeFast(t *testing.T) {
	took := map[string]bool{
		// The usual shapes.
		ev{}.event(t, nil): true,
		ev{stage: "RequestReceived"}.event(t, map[string]any{"responseStatus": nil}):                                                                              true,
		ev{}.event(t, map[string]any{"impersonatedUser": map[string]any{"username": "bob", "groups": []string{"a", "b"}, "uid": "1", "extra": map[string]any{}}}): true,
		aksRecord(t, "kube-audit", ev{}.event(t, nil)):                                                                                                            true,
		`{"Category":"kube-audit","log_s":"{}","_ResourceId":"/x"}`:                                                                                               true,
		`{"message":"{\"auditID\":\"a\"}","timestamp":1740823200000,"logStreamName":"s","eventId":"1"}`:                                                           true,
		`{"timestamp":"2018-10-25T13:58:49Z","metadata":{"creationTimestamp":"x"}}`:                                                                               true,
		`{"timestamp":[1,{"a":null}]}`:                                           true, // another type: ignored
		`{"auditID":null,"user":null,"objectRef":null,"responseStatus":null}`:    true,
		`{"responseStatus":{"code":-12,"reason":"x","details":{"kind":"pods"}}}`: true,
		`{"responseStatus":{"code":0}}`:                                          true,
		`{"responseStatus":{"code":999999999}}`:                                  true,
		`{"user":{"username":"a","groups":null,"extra":{"k":["v"]}}}`:            true, // user.extra is not used
		`{"annotations":{"authorization.k8s.io/decision":"forbid","x":5}}`:       true,
		`{"properties":{"log":null,"stream":"stdout"}}`:                          true,
		`{"auditID":"a\"b\\\/\b\f\n\r\t","verb":"\u00e9\u0000x\uFFFF"}`:          true, // escapes
		// Left to goccy.
		`{"responseStatus":{"code":"200"}}`:                     false, // a string code
		`{"responseStatus":{"code":1e2}}`:                       false,
		`{"responseStatus":{"code":200.0}}`:                     false,
		`{"responseStatus":{"code":1234567890}}`:                false, // past nine digits
		`{"responseStatus":{"code":01}}`:                        false,
		`{"auditID":5}`:                                         false,
		`{"auditID":"\ud83d\ude00"}`:                            false, // a surrogate pair
		"{\"auditID\":\"a\tb\"}":                                false, // a control character
		`{"AuditID":"x"}`:                                       false, // another case of a field
		`{"auditID":"x","auditID":"y"}`:                         false, // a duplicate
		`{"category":"x","Category":"y"}`:                       false,
		`{"resourceId":"x","ResourceId":"y"}`:                   false,
		`{"user":{"Username":"x"}}`:                             false,
		`{"user":{"groups":["a",null]}}`:                        false,
		`{"user":{"groups":"a"}}`:                               false,
		`{"impersonatedUser":{"extra":{"k":["v"]}}}`:            false, // extra values: goccy sorts them out
		`{"objectRef":{"Resource":"x"}}`:                        false,
		`{"objectRef":[]}`:                                      false,
		`{"annotations":{"Authorization.k8s.io/decision":"x"}}`: false,
		`{"annotations":{"authorization.k8s.io/decision":5}}`:   false,
		`{"properties":{"Log":"x"}}`:                            false,
		`{"items":[]}`:                                          false, // maybe a list
		`{"records":{}}`:                                        false,
		`{"auditID":"x"} {}`:                                    false, // not one value
		`{"auditID":"\xff"}`:                                    false, // invalid UTF-8
		`{"kéy":"x"}`:                                           false, // not ASCII: might fold
		`[]`:                                                    false,
	}
	for raw, want := range took {
		if got := checkFast(t, []byte(raw)); got != want {
			t.Errorf("decodeFast(%q) took it: %v, want %v", raw, got, want)
		}
	}
}

// seeds are inputs every fuzz target starts from: the events of each
// shape and the real files.
func seeds(f *testing.F) [][]byte {
	out := [][]byte{
		[]byte(ev{}.event(f, nil)),
		[]byte(ev{stage: "ResponseStarted", verb: "create", sub: "exec", code: 101}.event(f, map[string]any{"impersonatedUser": map[string]any{"username": "system:serviceaccount:a:b", "uid": "u", "extra": map[string][]string{"k": {"v"}}}})),
		[]byte(aksRecord(f, "kube-audit", ev{}.event(f, nil))),
		[]byte(`{"Category":"kube-audit","log_s":"{\"auditID\":\"a\",\"verb\":\"get\",\"user\":{\"username\":\"u\"},\"requestURI\":\"/healthz\",\"timestamp\":\"2018-10-25T13:58:49Z\"}"}`),
		[]byte(`{"message":"{}","timestamp":1,"logStreamName":"kube-apiserver-audit-1"}`),
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "k8s", "audit", "*", "*.json"))
	more, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "k8s", "audit", "falco", "traces", "*.json"))
	for _, name := range append(files, more...) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(line)) > 0 {
				out = append(out, line)
			}
		}
	}
	return out
}

// FuzzDecodeFast checks the fast decoder against goccy on any input.
func FuzzDecodeFast(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkFast(t, raw)
	})
}

// FuzzRead reads any input in a few shapes: it must never panic, every
// Event it emits must be complete, the stats must count what was emitted,
// and a Problem must name a record that exists.
func FuzzRead(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Add(eventList(ev{}.event(f, nil), `17`))
	f.Add(lines(ev{id: "a", stage: "RequestReceived"}.event(f, nil), ev{id: "a"}.event(f, nil)))
	// One Reader for all: its pooled workspaces make each run cheap.
	r := NewReader(Options{MaxRecordBytes: 4096})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range [][]byte{data, append(append([]byte(`{"items":[`), data...), ']', '}'), lines(string(data), string(data))} {
			n := 0
			st, err := r.Read(context.Background(), "fuzz", bytes.NewReader(in), func(e *record.Event) error {
				n++
				checkEvent(t, *e)
				return nil
			})
			if err != nil {
				continue
			}
			if st.Events != n {
				t.Fatalf("stats count %d events, %d emitted", st.Events, n)
			}
			for _, p := range st.Problems {
				if p.Index < 0 || p.Index >= st.Records || p.Input != "fuzz" {
					t.Fatalf("problem %+v of %d records", p, st.Records)
				}
			}
		}
	})
}
