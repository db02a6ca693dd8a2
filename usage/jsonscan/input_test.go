package jsonscan

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
	"testing"
)

// TestInput reads plain and gzipped inputs through one Input, and checks
// the errors of bad gzip.
func TestInput(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"b":2}`))
	zw.Close()
	var long bytes.Buffer
	zw = gzip.NewWriter(&long)
	for i := range 200 {
		fmt.Fprintf(zw, `{"n":%d}`, i*7919)
	}
	zw.Close()
	var in Input
	for _, c := range []struct{ in, want, err string }{
		{`{"a":1}`, `{"a":1}`, ""},
		{gz.String(), `{"b":2}`, ""},
		{`{"c":3}`, `{"c":3}`, ""},
		{"\x1f\x8b\x08", "", "decompressing gzip: "},
		{long.String()[:long.Len()/2], "", "decompressing gzip (truncated or corrupt): "},
		{gz.String(), `{"b":2}`, ""},
	} {
		s, err := in.Open(strings.NewReader(c.in), 100)
		var got []byte
		if err == nil {
			got, _, err = s.Value()
			for err == nil && c.err != "" {
				_, _, err = s.Value()
			}
			in.Close(s)
		}
		if c.err == "" && string(got) != c.want || (c.err == "") != (err == nil) || err != nil && !strings.HasPrefix(err.Error(), c.err) {
			t.Errorf("%q: got %q, %v; want %q, error %q", c.in, got, err, c.want, c.err)
		}
	}
}
