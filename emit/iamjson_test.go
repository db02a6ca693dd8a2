package emit

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/leastpriv/pare/synth/aws"
)

func TestIAMJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := IAMJSON(&buf, hostileDocument()); err != nil {
		t.Fatal(err)
	}
	golden(t, "iam.golden", buf.Bytes())
	checkVisible(t, buf.Bytes())
	for _, lit := range []string{"<script>", "&amp;", "${jndi:"} {
		if !bytes.Contains(buf.Bytes(), []byte(lit)) {
			t.Errorf("output does not contain %q literally", lit)
		}
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte("}\n")) {
		t.Errorf("output does not end in a newline")
	}
}

func TestIAMJSONRoundTrip(t *testing.T) {
	for _, doc := range []aws.Document{
		hostileDocument(),
		{Version: aws.Version},
		{Version: aws.Version, Statement: []aws.Statement{{Effect: "Allow"}}},
	} {
		var buf bytes.Buffer
		if err := IAMJSON(&buf, doc); err != nil {
			t.Fatal(err)
		}
		sameDocument(t, decodeDocument(t, buf.Bytes()), doc)
	}
}

// TestIAMJSONShape checks what IAM needs beyond parsing: keys in order,
// lists always arrays, no empty Sid.
func TestIAMJSONShape(t *testing.T) {
	var buf bytes.Buffer
	doc := aws.Document{Version: aws.Version, Statement: []aws.Statement{{Effect: "Allow", Action: []string{"s3:GetObject"}}}}
	if err := IAMJSON(&buf, doc); err != nil {
		t.Fatal(err)
	}
	want := `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetObject"
      ],
      "Resource": []
    }
  ]
}
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	if doc.Statement[0].Resource != nil {
		t.Errorf("IAMJSON changed its input")
	}
}

func TestIAMJSONInvalidUTF8(t *testing.T) {
	for _, bad := range []string{"\xff", "a\xc3", "\xed\xa0\x80", "\xc0\xaf"} {
		docs := []aws.Document{
			{Version: bad},
			{Version: aws.Version, Statement: []aws.Statement{{Sid: bad, Effect: "Allow"}}},
			{Version: aws.Version, Statement: []aws.Statement{{Effect: "Allow", Action: []string{"s3:" + bad}}}},
			{Version: aws.Version, Statement: []aws.Statement{{Effect: "Allow", Resource: []string{"arn:aws:s3:::b/" + bad}}}},
		}
		for _, doc := range docs {
			var buf bytes.Buffer
			err := IAMJSON(&buf, doc)
			if err == nil {
				t.Errorf("IAMJSON(%q) succeeded, want an error for invalid UTF-8", doc)
			}
			if buf.Len() != 0 {
				t.Errorf("IAMJSON wrote %q before failing", buf.String())
			}
		}
	}
}

// FuzzIAMJSONRoundTrip: any valid UTF-8 strings come back exactly; invalid
// UTF-8 is an error, never silently replaced.
func FuzzIAMJSONRoundTrip(f *testing.F) {
	for _, s := range hostile {
		f.Add(s, "s3:GetObject", "Sid1")
	}
	f.Add("\xff", "a\x00b", "")
	f.Add("", "", "\u2028")
	f.Add("cafe\u0301", "\ufeff", "\U0010ffff")
	f.Fuzz(func(t *testing.T, resource, action, sid string) {
		doc := aws.Document{Version: aws.Version, Statement: []aws.Statement{
			{Sid: sid, Effect: "Allow", Action: []string{action}, Resource: []string{resource, "*"}},
			{Effect: "Deny", Action: []string{action, action}, Resource: []string{resource}},
		}}
		var buf bytes.Buffer
		err := IAMJSON(&buf, doc)
		if !validUTF8(resource, action, sid) {
			if err == nil {
				t.Fatalf("IAMJSON accepted invalid UTF-8: %q", buf.String())
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(buf.Bytes()) {
			t.Fatalf("invalid JSON: %s", buf.Bytes())
		}
		checkVisible(t, buf.Bytes())
		sameDocument(t, decodeDocument(t, buf.Bytes()), doc)
	})
}

func ExampleIAMJSON() {
	doc := aws.Document{
		Version: aws.Version,
		Statement: []aws.Statement{{
			Sid:      "PareRead",
			Effect:   "Allow",
			Action:   []string{"s3:GetObject"},
			Resource: []string{"arn:aws:s3:::bucket/<key>&${x}"},
		}},
	}
	if err := IAMJSON(os.Stdout, doc); err != nil {
		panic(err)
	}
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//     {
	//       "Sid": "PareRead",
	//       "Effect": "Allow",
	//       "Action": [
	//         "s3:GetObject"
	//       ],
	//       "Resource": [
	//         "arn:aws:s3:::bucket/<key>&${x}"
	//       ]
	//     }
	//   ]
	// }
}

// checkVisible fails on any rune in JSON output a reader could not see:
// everything but '\n' must be printable, the rest escaped.
func checkVisible(t testing.TB, out []byte) {
	t.Helper()
	for _, r := range string(out) {
		if r != '\n' && !unicode.IsPrint(r) {
			t.Fatalf("raw invisible rune %U in %q", r, out)
		}
	}
}

func validUTF8(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}
