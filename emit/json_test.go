package emit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestWriteJSON checks WriteJSON's style: two-space indent, HTML characters
// literal, invisible runes escaped without changing the value, a real
// U+FFFD and the text `\ufffd` kept, and a final newline.
func TestWriteJSON(t *testing.T) {
	type doc struct {
		Name  string            `json:"name"`
		Files []string          `json:"files"`
		Tags  map[string]string `json:"tags"`
	}
	in := doc{
		Name:  "a<b>&c \u202eevil\u200d \x7f\n",
		Files: []string{"\ufffd replaced before", `\ufffd as text`, `\\ufffd`},
		Tags:  map[string]string{"k\u00a0ey": "v"},
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, in); err != nil {
		t.Fatal(err)
	}
	want := `{
  "name": "a<b>&c \u202eevil\u200d \u007f\n",
  "files": [
    "` + "\ufffd" + ` replaced before",
    "\\ufffd as text",
    "\\\\ufffd"
  ],
  "tags": {
    "k\u00a0ey": "v"
  }
}
`
	if buf.String() != want {
		t.Errorf("WriteJSON wrote\n%s\nwant\n%s", buf.String(), want)
	}
	checkVisible(t, buf.Bytes())
	var back doc
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Name != in.Name || strings.Join(back.Files, "|") != strings.Join(in.Files, "|") || back.Tags["k\u00a0ey"] != "v" {
		t.Errorf("WriteJSON's output decodes to %+v, want %+v", back, in)
	}
}

// TestWriteJSONInvalidUTF8 checks that a string that is not valid UTF-8,
// wherever it is, is an error naming it and nothing is written. It also
// pins what checkEncodedUTF8 relies on: encoding/json writes invalid bytes
// as the escape \ufffd.
func TestWriteJSONInvalidUTF8(t *testing.T) {
	enc, err := json.Marshal("a\xffb")
	if err != nil || string(enc) != `"a\ufffdb"` {
		t.Fatalf(`encoding/json encodes "a\xffb" as %s, %v; checkEncodedUTF8 needs "a\ufffdb"`, enc, err)
	}
	for name, c := range map[string]struct {
		v    any
		want string
	}{
		"value":         {map[string]any{"a": "ok", "b": []string{"x", "bad\xff\"q\\"}}, `string "bad\ufffd\"q\\" is not valid UTF-8`},
		"key":           {map[string]int{"k\xc3": 1}, `string "k\ufffd" is not valid UTF-8`},
		"invisible":     {struct{ S string }{"\u202e\xff"}, `string "\u202e\ufffd" is not valid UTF-8`},
		"after escapes": {[]string{`\"`, "\\\"\n\xfe"}, `string "\\\"\n\ufffd" is not valid UTF-8`},
	} {
		var buf bytes.Buffer
		err := WriteJSON(&buf, c.v)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %s", name, err, c.want)
		}
		if buf.Len() > 0 {
			t.Errorf("%s: wrote %q", name, buf.String())
		}
	}
}
