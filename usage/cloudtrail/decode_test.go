package cloudtrail

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/leastpriv/pare/usage/jsonscan"
	"github.com/leastpriv/pare/usage/record"
)

// sameFields reports how two decodings of a record differ, or "".
func sameFields(a, b *fields) string {
	pairs := []struct {
		name string
		x, y []byte
	}{
		{"eventID", a.eventID, b.eventID}, {"eventTime", a.eventTime, b.eventTime},
		{"eventSource", a.eventSource, b.eventSource}, {"eventName", a.eventName, b.eventName},
		{"eventType", a.eventType, b.eventType}, {"eventCategory", a.eventCategory, b.eventCategory},
		{"awsRegion", a.awsRegion, b.awsRegion}, {"sourceIP", a.sourceIP, b.sourceIP},
		{"errorCode", a.errorCode, b.errorCode}, {"recipientAccountID", a.recipientAccountID, b.recipientAccountID},
		{"type", a.uType, b.uType}, {"principalID", a.principalID, b.principalID}, {"arn", a.arn, b.arn},
		{"accountID", a.accountID, b.accountID}, {"accessKeyID", a.accessKeyID, b.accessKeyID},
		{"userName", a.userName, b.userName}, {"invokedBy", a.invokedBy, b.invokedBy},
		{"identityProvider", a.identityProvider, b.identityProvider}, {"issuerARN", a.issuerARN, b.issuerARN},
		{"onBehalfOfUserID", a.onBehalfOfUserID, b.onBehalfOfUserID}, {"identityStoreARN", a.identityStoreARN, b.identityStoreARN},
		{"requestParameters", a.requestParameters, b.requestParameters},
	}
	for _, p := range pairs {
		if !bytes.Equal(p.x, p.y) {
			return fmt.Sprintf("%s: %q vs %q", p.name, p.x, p.y)
		}
	}
	if (a.requestParameters == nil) != (b.requestParameters == nil) {
		return "requestParameters: absent vs present"
	}
	if a.insight != b.insight {
		return fmt.Sprintf("insight: %v vs %v", a.insight, b.insight)
	}
	if len(a.resources) != len(b.resources) {
		return fmt.Sprintf("resources: %q vs %q", a.resources, b.resources)
	}
	for i := range a.resources {
		if !bytes.Equal(a.resources[i], b.resources[i]) {
			return fmt.Sprintf("resources: %q vs %q", a.resources, b.resources)
		}
	}
	return ""
}

// checkFast checks that when decodeFast takes raw, goccy decodes raw to
// the same fields, and that decodeObject agrees on where the record ends.
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
	if err := decodeSlow(raw, &slow); err != nil {
		t.Fatalf("decodeFast took %q, goccy fails: %v", raw, err)
	}
	if d := sameFields(&fast, &slow); d != "" {
		t.Fatalf("decodeFast and goccy differ on %q: %s", raw, d)
	}
	if d := sameFields(&obj, &slow); d != "" {
		t.Fatalf("decodeObject and goccy differ on %q: %s", raw, d)
	}
	return true
}

// fastCases are records the fast decoder must take (true) or leave to
// goccy (false).
var fastCases = []struct {
	raw  string
	fast bool
}{
	{`{"eventName":"a","userIdentity":{"type":"IAMUser","sessionContext":{"sessionIssuer":{"arn":"x","type":"Role"}}}}`, true},
	{` {"eventName":null,"requestParameters":null,"insightDetails":null,"resources":null} `, true},
	{`{"resources":[{"ARN":"a","type":"t"},{"accountId":"1"}],"requestParameters":{"a" : [1,-2.5e3,true,false,null,{}]}}`, true},
	{`{"userAgent":"a \"quoted\" \u00e9 \\ \/ \b\f\n\r\t","x":"é"}`, true},
	{"{\"y\":\"\xff\"}", true}, // goccy takes invalid UTF-8 in a skipped string
	{`{"eventName":"é"}`, true},
	{`{}`, true},
	{`{"eventName":"a\"b"}`, false},              // escape in a used field
	{`{"eventName":"a","eventName":"b"}`, false}, // duplicate: goccy keeps the last
	{`{"EventName":"a"}`, false},                 // goccy matches keys case-insensitively
	{`{"userIdentity":{"ARN":"a"}}`, false},
	{`{"resources":[{"arn":"a"}]}`, false},
	{`{"resources":[null]}`, false},
	{`{"userIdentity":{"sessionContext":{"SessionIssuer":{}}}}`, false},
	{"{\"ev\u212antName\":\"a\"}", false}, // not ASCII: could fold
	{"{\"eventName\":\"\xff\"}", false},   // goccy replaces invalid UTF-8
	{`{"eventName":1}`, false},
	{`{"userIdentity":[]}`, false},
	{`{"resources":{}}`, false},
	{`{"x":01}`, false},
	{`{"x":1.}`, false},
	{`{"x":"\q"}`, false},
	{"{\"x\":\"\x01\"}", false},
	{`{"x":[1,]}`, false},
	{`{"x":1,}`, false},
	{`{"x":1} x`, false},
	{`{"x":tru}`, false},
	{`[{}]`, false},
	{`null`, false},
}

func TestDecodeFast(t *testing.T) {
	for _, c := range fastCases {
		if got := checkFast(t, []byte(c.raw)); got != c.fast {
			t.Errorf("decodeFast(%q) = %v, want %v", c.raw, got, c.fast)
		}
	}
	for _, r := range shapeRecords(t) {
		if !checkFast(t, []byte(r)) {
			t.Errorf("decodeFast declined %s", r)
		}
	}
}

// FuzzDecodeFast checks that whatever the fast decoder takes, goccy decodes
// to the same fields: so the Events are those goccy's decoding gives.
func FuzzDecodeFast(f *testing.F) {
	for _, c := range fastCases {
		f.Add([]byte(c.raw))
	}
	for _, r := range shapeRecords(f) {
		f.Add([]byte(r))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkFast(t, raw)
	})
}

// TestReadAllocs guards the allocations a record costs: its EventID and
// the strings first seen, not one per field.
func TestReadAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("skipped under -race: the race detector allocates, so counts say nothing about the decoder")
	}
	const n = 2000
	data := syntheticS3(t, n)
	r := NewReader(loadCatalog(t), Options{})
	read := func() {
		st, err := r.Read(context.Background(), "x", bytes.NewReader(data), func(*record.Event) error { return nil })
		if err != nil || st.Records != n {
			t.Fatalf("read %d records: %v", st.Records, err)
		}
	}
	read()
	if per := testing.AllocsPerRun(5, read) / n; per > 4 {
		t.Errorf("%.1f allocations per record, want at most 4", per)
	}
}

// TestSkippedKeysDoNotFold checks the members the fast decoder skips by
// name: none may be a field name in another letter case, which goccy would
// decode.
func TestSkippedKeysDoNotFold(t *testing.T) {
	levels := []struct {
		fields  []string
		skipped string
	}{
		{recordFieldKeys, `{"userAgent":1,"requestID":1,"responseElements":1,"readOnly":1,"managementEvent":1,"tlsDetails":1,` +
			`"errorMessage":1,"sharedEventID":1,"vpcEndpointId":1,"vpcEndpointAccountId":1,"additionalEventData":1,` +
			`"apiVersion":1,"serviceEventDetails":1,"sessionCredentialFromConsole":1,"addendum":1,"edgeDeviceDetails":1}`},
		{userIdentityKeys, `{"userIdentity":{"credentialId":1}}`},
		{sessionContextKeys, `{"userIdentity":{"sessionContext":{"attributes":1,"webIdFederationData":1,"sourceIdentity":1,"ec2RoleDelivery":1,"assumedRoot":1}}}`},
		{arnKeys, `{"userIdentity":{"sessionContext":{"sessionIssuer":{"type":1,"principalId":1,"accountId":1,"userName":1}}},"resources":[{"type":1,"accountId":1}]}`},
	}
	for _, l := range levels {
		var m map[string]any
		if err := stdjson.Unmarshal([]byte(l.skipped), &m); err != nil {
			t.Fatal(err)
		}
		var keys []string
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, e := range v {
					keys = append(keys, k)
					walk(e)
				}
			case []any:
				for _, e := range v {
					walk(e)
				}
			}
		}
		walk(m)
		for _, k := range keys {
			if jsonscan.FoldsTo([]byte(k), l.fields) {
				t.Errorf("skipped member %q folds to a field of %v", k, l.fields)
			}
		}
		if !checkFast(t, []byte(l.skipped)) {
			t.Errorf("decodeFast declined %s", l.skipped)
		}
	}
}

// TestReadersGiveSameEvents reads through readers that return little at a
// time or an error with the last bytes: the scanner's refills must not
// change what is read.
func TestReadersGiveSameEvents(t *testing.T) {
	data := syntheticS3(t, 300)
	r := NewReader(loadCatalog(t), Options{})
	want, wantSt, err := read(t, r, "x", data)
	if err != nil {
		t.Fatal(err)
	}
	for name, rd := range map[string]func() io.Reader{
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
		"data err": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) },
	} {
		var got []record.Event
		st, err := r.Read(context.Background(), "x", rd(), func(ev *record.Event) error {
			got = append(got, *ev)
			return nil
		})
		if err != nil || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(st, wantSt) {
			t.Errorf("%s: %d events, stats %+v, err %v; want %d events, %+v", name, len(got), st, err, len(want), wantSt)
		}
	}
}

// TestCompiledMatch compares the compiled ARN matcher with a plain
// backtracking reading of matchARN's rule on random ARNs.
func TestCompiledMatch(t *testing.T) {
	formats := []string{
		"arn:${Partition}:s3:::${BucketName}", "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
		"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
		"arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}",
		"arn:${Partition}:ec2:${Region}::image/${ImageId}", "${A}${B}", "x${A}:${B}/", "arn:${}", "arn:${A",
	}
	rng := rand.New(rand.NewPCG(7, 8))
	alphabet := "arn:/saws3lmbdiex"
	for range 20000 {
		n := rng.IntN(24)
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if rng.IntN(2) == 0 {
			b = append([]byte("arn:aws:"), b...)
		}
		for _, f := range formats {
			if got, want := compileARN(f).match(b), slowMatch(f, string(b)); got != want {
				t.Fatalf("match(%q, %q) = %v, want %v", f, b, got, want)
			}
		}
	}
}

// slowMatch is matchARN's rule written directly: a variable matches a
// non-empty run without ':' or '/', path-like ones may hold '/', the last
// part (a variable) may hold ':'.
func slowMatch(format, arn string) bool {
	type seg struct {
		lit          string
		variable     bool
		slash, colon bool
	}
	var segs []seg
	rest := format
	for rest != "" {
		i := strings.Index(rest, "${")
		if i < 0 {
			segs = append(segs, seg{lit: rest})
			break
		}
		if i > 0 {
			segs = append(segs, seg{lit: rest[:i]})
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return false
		}
		segs = append(segs, seg{variable: true, slash: pathLike(rest[i+2 : i+j])})
		rest = rest[i+j+1:]
	}
	if n := len(segs); n > 0 && segs[n-1].variable {
		segs[n-1].colon = true
	}
	var match func(k int, s string) bool
	match = func(k int, s string) bool {
		if k == len(segs) {
			return s == ""
		}
		g := segs[k]
		if !g.variable {
			return strings.HasPrefix(s, g.lit) && match(k+1, s[len(g.lit):])
		}
		for i := 1; i <= len(s); i++ {
			c := s[i-1]
			if (c == '/' && !g.slash) || (c == ':' && !g.colon) {
				return false
			}
			if match(k+1, s[i:]) {
				return true
			}
		}
		return false
	}
	return match(0, arn)
}
