package jsonscan

import (
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestStopBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var b [8]byte
	check := func() {
		x := binary.LittleEndian.Uint64(b[:])
		stop, high := false, false
		for _, c := range b {
			stop = stop || c == '"' || c == '\\' || c < 0x20
			high = high || c >= 0x80
		}
		if (stopBytes(x) != 0) != stop || (x&hiBits != 0) != high {
			t.Fatalf("%q: stopBytes %x, want stop %v; high %v", b, stopBytes(x), stop, high)
		}
	}
	// Every byte value at every position among plain bytes, then random words.
	for pos := range 8 {
		for c := range 256 {
			for i := range b {
				b[i] = 'a'
			}
			b[pos] = byte(c)
			check()
		}
	}
	for range 200000 {
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		check()
	}
}

// TestSkip checks Skip against encoding/json's Valid on whole values,
// which agree for the inputs here (valid UTF-8, shallow nesting).
func TestSkip(t *testing.T) {
	for _, s := range []string{
		`""`, `"a\"b\\c\/\b\f\n\r\t\u00e9\uD83D"`, `"\x"`, `"\u12g4"`, `"\u123"`, "\"a\x01\"", `"abc`, `"0123456789abcdef\"0123456789"`,
		`0`, `-0`, `01`, `1.`, `1.5e+3`, `1E9`, `-`, `1e`, `.5`, `true`, `tru`, `false`, `null`, `nul`,
		`{}`, `{ }`, `{"a":1,"b":[1,2,{"c":null}]}`, `{"a":1,}`, `{"a" 1}`, `{1:2}`, `[]`, `[ ]`, `[1,]`, `[1 2]`, `[`, `{`,
		"[\t1 ,\n2\r]", `"héllo wörld, long enough for eight-byte steps"`, strings.Repeat("[", 600) + strings.Repeat("]", 600),
	} {
		d := NewDecoder([]byte(s), nil)
		got := d.Skip(0) && d.Offset() == len(s)
		want := json.Valid([]byte(s)) && !strings.HasPrefix(s, strings.Repeat("[", MaxDecodeDepth+2))
		if got != want {
			t.Errorf("Skip(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestString checks the strings String reads as views or unescapes, and
// the ones it declines.
func TestString(t *testing.T) {
	for _, c := range []struct {
		in         string
		plain, esc string // "-" when declined
	}{
		{`"abc"`, "abc", "abc"},
		{`"héllo, wörld and more"`, "héllo, wörld and more", "héllo, wörld and more"},
		{`"a\"b\\c\/\b\f\n\r\t"`, "-", "a\"b\\c/\b\f\n\r\t"},
		{`"\u00e9\u4e2D"`, "-", "é中"},
		{`"\uD83D"`, "-", "-"}, // surrogates are left to goccy
		{"\"\xff\"", "-", "-"}, // invalid UTF-8 too
		{"\"a\x01\"", "-", "-"},
		{`"abc`, "-", "-"},
		{`1`, "-", "-"},
	} {
		for _, esc := range []bool{false, true} {
			var buf []byte
			d := NewDecoder([]byte(c.in), nil)
			want := c.plain
			if esc {
				d = NewDecoder([]byte(c.in), &buf)
				want = c.esc
			}
			s, ok := d.String()
			got := "-"
			if ok {
				got = string(s)
			}
			if got != want || ok && d.Offset() != len(c.in) {
				t.Errorf("String(%q) with unescaping %v = %q at %d, want %q", c.in, esc, got, d.Offset(), want)
			}
		}
	}
}

// TestFields checks Object, Array, StringField, ObjectField and Value on a
// small record, and that a field read twice declines it.
func TestFields(t *testing.T) {
	read := func(s string) (name, raw []byte, items int, ok bool) {
		d := NewDecoder([]byte(s), nil)
		var seen uint32
		ok = d.Object(func(k []byte) bool {
			switch string(k) {
			case "name":
				return d.StringField(&name, &seen, 1<<0)
			case "raw":
				if !Once(&seen, 1<<1) {
					return false
				}
				var ok bool
				raw, ok = d.Value()
				return ok
			case "obj":
				return d.ObjectField(&seen, 1<<2, func([]byte) bool { return d.Skip(1) })
			case "list":
				return d.Array(func() bool { items++; return d.Skip(1) })
			}
			return !FoldsTo(k, []string{"name", "raw", "obj", "list"}) && d.Skip(0)
		})
		return name, raw, items, ok
	}
	name, raw, items, ok := read(`{"name":"n","raw": {"x":[1]} ,"obj":{"a":1},"list":[1,{},"x"],"other":null}`)
	if !ok || string(name) != "n" || string(raw) != `{"x":[1]}` || items != 3 {
		t.Errorf("got %q %q %d %v", name, raw, items, ok)
	}
	if name, _, _, ok := read(`{"name":null,"obj":null}`); !ok || name != nil {
		t.Errorf("nulls: got %q %v", name, ok)
	}
	for _, s := range []string{`{"name":"a","name":"b"}`, `{"raw":1,"raw":1}`, `{"NAME":"a"}`, `{"nämé":1}`, `{"name":1}`, `{"list":[1,]}`} {
		if _, _, _, ok := read(s); ok {
			t.Errorf("%s: read, want declined", s)
		}
	}
	if FoldsTo([]byte("other"), []string{"name"}) || !FoldsTo([]byte("NaMe"), []string{"x", "name"}) {
		t.Error("FoldsTo")
	}
}
