package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// readers returns the ways a test feeds data to a Scanner: whole, one byte
// a Read, and half of each Read.
func readers(data []byte) map[string]io.Reader {
	return map[string]io.Reader{
		"whole":   bytes.NewReader(data),
		"onebyte": iotest.OneByteReader(bytes.NewReader(data)),
		"half":    iotest.HalfReader(bytes.NewReader(data)),
	}
}

// randomValue returns a JSON value of about size bytes with strings holding
// escapes, quotes and brackets, nested objects and arrays, and primitives.
func randomValue(rng *rand.Rand, size int) string {
	var b strings.Builder
	b.WriteString(`{"s":"a \"quoted\" [string] {with} \\ brackets\\\\","n":[1,-2.5e3,true,false,null`)
	for b.Len() < size {
		switch rng.IntN(4) {
		case 0:
			b.WriteString(`,{"k\"ey":"}]\\\"","x":[[],{}]}`)
		case 1:
			fmt.Fprintf(&b, `,%d`, rng.IntN(1e9))
		case 2:
			b.WriteString(`,"` + strings.Repeat("x", rng.IntN(300)) + `\\"`)
		default:
			b.WriteString(`, [ "\u005d" , { } ] `)
		}
	}
	b.WriteString(`]}`)
	return b.String()
}

// TestValuesAcrossRefills scans a stream of values, many straddling the
// buffer's refills, and checks each value, its size and its offset.
func TestValuesAcrossRefills(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var want []string
	var starts []int64
	var data bytes.Buffer
	for data.Len() < 3*minBuffer {
		data.WriteString([]string{"\n", " ", "\r\n", "\t "}[rng.IntN(4)])
		var v string
		switch rng.IntN(5) {
		case 0:
			v = `"` + strings.Repeat(`ab\"`, rng.IntN(3000)) + `"`
		case 1:
			v = fmt.Sprint(rng.IntN(1e6))
		case 2:
			v = `[` + randomValue(rng, rng.IntN(500)) + `]`
		default:
			v = randomValue(rng, rng.IntN(20000))
		}
		if !json.Valid([]byte(v)) {
			t.Fatalf("test value is not JSON: %.80s", v)
		}
		starts = append(starts, int64(data.Len()))
		want = append(want, v)
		data.WriteString(v)
	}
	data.WriteString("\n")
	for name, rd := range readers(data.Bytes()) {
		t.Run(name, func(t *testing.T) {
			s := New(rd, 1<<20, nil)
			for i := 0; ; i++ {
				if err := s.SkipSpace(); err == io.EOF {
					if i != len(want) {
						t.Fatalf("%d values, want %d", i, len(want))
					}
					break
				} else if err != nil {
					t.Fatal(err)
				}
				if i >= len(want) {
					t.Fatalf("more than %d values", len(want))
				}
				if off := s.Offset(); off != starts[i] {
					t.Fatalf("value %d at offset %d, want %d", i, off, starts[i])
				}
				raw, size, err := s.Value()
				if err != nil {
					t.Fatalf("value %d: %v", i, err)
				}
				if string(raw) != want[i] || size != int64(len(want[i])) {
					t.Fatalf("value %d = %.60q (size %d), want %.60q (size %d)", i, raw, size, want[i], len(want[i]))
				}
			}
		})
	}
}

// TestHugeValuesSkipped checks that values over the limit are reported by
// size without being held: the buffer never grows, and the values after
// them are returned whole.
func TestHugeValuesSkipped(t *testing.T) {
	const max = 1000
	huge := []string{
		`{"a":"` + strings.Repeat("x", 3*minBuffer) + `","b":[1,2,{"c":"}"}]}`,
		`"` + strings.Repeat(`\"`, 2*minBuffer) + `"`,
		strings.Repeat("7", 2*minBuffer),
		`[` + strings.Repeat(`[1],`, minBuffer) + `0]`,
	}
	small := `{"small":true}`
	var data strings.Builder
	for _, h := range huge {
		data.WriteString(small + "\n" + h + "\n")
	}
	data.WriteString(small)
	for name, rd := range readers([]byte(data.String())) {
		t.Run(name, func(t *testing.T) {
			s := New(rd, max, nil)
			for i, h := range huge {
				raw, _, err := s.Value()
				if err != nil || string(raw) != small {
					t.Fatalf("value before huge %d = %q, %v; want %q", i, raw, err, small)
				}
				raw, size, err := s.Value()
				if err != nil || raw != nil || size != int64(len(h)) {
					t.Fatalf("huge %d: %d bytes returned, size %d, %v; want nil, size %d", i, len(raw), size, err, len(h))
				}
			}
			raw, _, err := s.Value()
			if err != nil || string(raw) != small {
				t.Fatalf("last value = %q, %v; want %q", raw, err, small)
			}
			if err := s.SkipSpace(); err != io.EOF {
				t.Errorf("SkipSpace at the end = %v, want io.EOF", err)
			}
			if n := len(s.Buffer()); n != minBuffer {
				t.Errorf("buffer grew to %d bytes, want %d", n, minBuffer)
			}
		})
	}
}

// TestValueAtLimit checks the boundary: a value of exactly max bytes is
// returned, one byte more is not.
func TestValueAtLimit(t *testing.T) {
	for _, v := range []string{`"abcd"`, `[1,2]`, `123456`} {
		for _, max := range []int64{int64(len(v)), int64(len(v)) - 1} {
			raw, size, err := New(strings.NewReader(v), max, nil).Value()
			if err != nil || size != int64(len(v)) {
				t.Fatalf("Value(%q) with max %d: size %d, %v", v, max, size, err)
			}
			if wantRaw := size <= max; (raw != nil) != wantRaw {
				t.Errorf("Value(%q) with max %d = %q, want whole: %v", v, max, raw, wantRaw)
			}
		}
	}
}

func TestDepthLimit(t *testing.T) {
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	raw, _, err := New(strings.NewReader(ok), 1<<20, nil).Value()
	if err != nil || string(raw) != ok {
		t.Fatalf("nesting of %d: %v", MaxDepth, err)
	}
	deep := strings.Repeat(`{"a":`, MaxDepth) + "[" + strings.Repeat("}", MaxDepth)
	_, _, err = New(strings.NewReader(deep), 1<<20, nil).Value()
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "nesting deeper") || se.Offset != int64(5*MaxDepth) {
		t.Fatalf("nesting of %d = %v, want a nesting error at byte %d", MaxDepth+1, err, 5*MaxDepth)
	}
}

// TestStrayClosers checks that a byte that cannot start a value, or a
// closing bracket that closes nothing, is a SyntaxError at its offset and
// never a value of zero bytes (which would make a reader loop forever).
func TestStrayClosers(t *testing.T) {
	for _, c := range []struct {
		in  string
		off int64
	}{
		{"]", 0}, {"  }", 2}, {"\n,", 1}, {":", 0},
		{"[}", 1}, {`{"a":1]`, 6}, {`[[1]}`, 4}, {`{"a":[}`, 6},
	} {
		s := New(strings.NewReader(c.in), 1<<20, nil)
		raw, _, err := s.Value()
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset != c.off || raw != nil {
			t.Errorf("Value(%q) = %q, %v; want a syntax error at byte %d", c.in, raw, err, c.off)
		}
	}
}

func TestEndInsideStructure(t *testing.T) {
	for _, in := range []string{`{"a":`, `[1,2`, `"abc`, `"ab\`, `{"a":"}`} {
		for name, rd := range readers([]byte(in)) {
			if _, _, err := New(rd, 1<<20, nil).Value(); err != ErrEOF {
				t.Errorf("%s: Value(%q) = %v, want ErrEOF", name, in, err)
			}
		}
	}
	s := New(strings.NewReader("  "), 1<<20, nil)
	if _, err := s.Peek(); err != io.EOF {
		t.Errorf("Peek at the end = %v, want io.EOF", err)
	}
	if _, err := s.PeekInside(); err != ErrEOF {
		t.Errorf("PeekInside at the end = %v, want ErrEOF", err)
	}
	if err := s.Expect(','); err != ErrEOF {
		t.Errorf("Expect at the end = %v, want ErrEOF", err)
	}
	if _, _, err := s.Value(); err != ErrEOF {
		t.Errorf("Value at the end = %v, want ErrEOF", err)
	}
	// A number may end the input.
	raw, _, err := New(strings.NewReader(" 42"), 1<<20, nil).Value()
	if err != nil || string(raw) != "42" {
		t.Errorf("Value(42) = %q, %v", raw, err)
	}
}

func TestKeyAndExpect(t *testing.T) {
	s := New(strings.NewReader(` { "a" : 1 , "b\"c":"d" }`), 1<<20, nil)
	if err := s.Expect('{'); err != nil {
		t.Fatal(err)
	}
	k, err := s.Key()
	if err != nil || k != "a" {
		t.Fatalf("Key = %q, %v; want a", k, err)
	}
	if raw, _, err := s.Value(); err != nil || string(raw) != "1" {
		t.Fatalf("Value = %q, %v; want 1", raw, err)
	}
	if err := s.Expect(','); err != nil {
		t.Fatal(err)
	}
	if k, err := s.Key(); err != nil || k != `b\"c` {
		t.Fatalf("escaped Key = %q, %v; want it raw", k, err)
	}
	if _, _, err := s.Value(); err != nil {
		t.Fatal(err)
	}
	var se *SyntaxError
	if err := s.Expect(','); !errors.As(err, &se) || se.Offset != 24 {
		t.Errorf("Expect(',') before '}' = %v, want a syntax error at byte 24", err)
	}
	for _, c := range []struct{ in, msg string }{
		{`1:2`, "expected object key"},
		{`"a" 2`, "expected ':'"},
		{`"` + strings.Repeat("k", 100) + `":1`, "object key of 102 bytes"},
	} {
		_, err := New(strings.NewReader(c.in), 50, nil).Key()
		if !errors.As(err, &se) || !strings.Contains(se.Error(), c.msg) {
			t.Errorf("Key(%.20q) = %v, want %q", c.in, err, c.msg)
		}
	}
}

func TestLine(t *testing.T) {
	long := strings.Repeat("y", minBuffer+10)
	in := "a\nbb\r\n\n" + long + "\n" + long + "\nccc"
	want := []string{"a", "bb\r", "", "", "", "ccc"}
	for name, rd := range readers([]byte(in)) {
		t.Run(name, func(t *testing.T) {
			s := New(rd, 100, nil)
			for i, w := range want {
				raw, size, err := s.Line()
				if err != nil {
					t.Fatalf("line %d: %v", i, err)
				}
				if i == 3 || i == 4 {
					if raw != nil || size != int64(len(long)) {
						t.Fatalf("long line %d: %d bytes, size %d; want nil, size %d", i, len(raw), size, len(long))
					}
					continue
				}
				if string(raw) != w || size != int64(len(w)) {
					t.Fatalf("line %d = %q (size %d), want %q", i, raw, size, w)
				}
			}
			if _, _, err := s.Line(); err != io.EOF {
				t.Errorf("Line at the end = %v, want io.EOF", err)
			}
			if n := len(s.Buffer()); n != minBuffer {
				t.Errorf("buffer grew to %d bytes, want %d", n, minBuffer)
			}
		})
	}
}

// TestMark checks that Marked returns what was consumed since Mark, across
// refills, and nothing once that is over the limit.
func TestMark(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	obj := randomValue(rng, 3*minBuffer)
	in := "\n" + obj + "\n1"
	for _, max := range []int64{1 << 22, int64(len(obj)), int64(len(obj)) - 1, 1000} {
		for name, rd := range readers([]byte(in)) {
			s := New(rd, max, nil)
			if _, err := s.Peek(); err != nil {
				t.Fatal(err)
			}
			s.Mark()
			// Consume the object member by member, as a reader does.
			if err := s.Expect('{'); err != nil {
				t.Fatal(err)
			}
			for n := 0; ; n++ {
				c, err := s.PeekInside()
				if err != nil {
					t.Fatal(err)
				}
				if c == '}' {
					s.Advance(1)
					break
				}
				if n > 0 {
					if err := s.Expect(','); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := s.Key(); err != nil {
					t.Fatal(err)
				}
				if _, _, err := s.Value(); err != nil {
					t.Fatal(err)
				}
			}
			raw, size := s.Marked()
			if size != int64(len(obj)) {
				t.Errorf("max %d, %s: marked size %d, want %d", max, name, size, len(obj))
			}
			if whole := size <= max; whole != (string(raw) == obj) || whole != (raw != nil) {
				t.Errorf("max %d, %s: Marked returned %d bytes, want whole: %v", max, name, len(raw), whole)
			}
			if max < minBuffer/2 && len(s.Buffer()) != minBuffer {
				t.Errorf("max %d, %s: buffer grew to %d bytes for a mark over the limit", max, name, len(s.Buffer()))
			}
			s.Unmark()
			if raw, _ := s.Marked(); raw != nil {
				t.Errorf("Marked after Unmark = %d bytes, want nil", len(raw))
			}
			if raw, _, err := s.Value(); err != nil || string(raw) != "1" {
				t.Errorf("value after the marked object = %q, %v", raw, err)
			}
		}
	}
}

func TestUnreadAdvance(t *testing.T) {
	s := New(strings.NewReader("  [1,2]"), 1<<20, nil)
	if err := s.SkipSpace(); err != nil {
		t.Fatal(err)
	}
	if u := s.Unread(); string(u) != "[1,2]" || s.Offset() != 2 {
		t.Fatalf("Unread = %q at %d, want [1,2] at 2", u, s.Offset())
	}
	s.Advance(3)
	if raw, _, err := s.Value(); err != nil || string(raw) != "2" || s.Offset() != 6 {
		t.Fatalf("Value after Advance = %q, %v at %d; want 2 at 6", raw, err, s.Offset())
	}
	defer func() {
		if recover() == nil {
			t.Error("Advance past the unread input did not panic")
		}
	}()
	s.Advance(2)
}

func TestReadErrors(t *testing.T) {
	boom := errors.New("boom")
	rd := io.MultiReader(strings.NewReader(`{"a":"b`), iotest.ErrReader(boom))
	if _, _, err := New(rd, 1<<20, nil).Value(); !errors.Is(err, boom) {
		t.Errorf("Value over a failing reader = %v, want %v", err, boom)
	}
	if _, _, err := New(stuckReader{}, 1<<20, nil).Value(); !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("Value over a stuck reader = %v, want io.ErrNoProgress", err)
	}
}

// stuckReader returns no data and no error.
type stuckReader struct{}

func (stuckReader) Read([]byte) (int, error) { return 0, nil }

// FuzzValue checks that the Scanner never panics or loops, and that it
// finds a valid JSON value exactly.
func FuzzValue(f *testing.F) {
	for _, s := range []string{`{"a":[1,"b\"]"]}`, `[]`, `"x"`, `12 `, `]`, `{"a":{`, "[\"\\\\\"]", `{} {}`, "1\n2\n"} {
		f.Add([]byte(s), uint16(1000))
	}
	buf := make([]byte, minBuffer) // reused, as readers reuse theirs
	f.Fuzz(func(t *testing.T, data []byte, max uint16) {
		s := New(iotest.HalfReader(bytes.NewReader(data)), int64(max), buf)
		valid := json.Valid(data)
		for i := 0; ; i++ {
			if i > len(data) {
				t.Fatalf("more values than bytes in %q", data)
			}
			if err := s.SkipSpace(); err != nil {
				break
			}
			before := s.Offset()
			raw, size, err := s.Value()
			if err != nil {
				if valid {
					t.Fatalf("valid %q: %v", data, err)
				}
				break
			}
			if s.Offset() <= before || size != s.Offset()-before {
				t.Fatalf("%q: value %d of size %d from %d to %d", data, i, size, before, s.Offset())
			}
			if raw != nil && (int64(len(raw)) != size || !bytes.Equal(raw, data[before:s.Offset()])) {
				t.Fatalf("%q: value %d = %q, want %q", data, i, raw, data[before:s.Offset()])
			}
			if valid && i == 0 && size != int64(len(bytes.TrimSpace(data))) {
				t.Fatalf("valid %q: first value of %d bytes, want all of it", data, size)
			}
		}
	})
}

func TestEnd(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // "" for no error
	}{
		{"{} \n\t", ""},
		{"{}", ""},
		{"{} x", "data after the top-level value"},
	} {
		s := New(strings.NewReader(c.in), 1<<10, nil)
		if _, _, err := s.Value(); err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		err := s.End()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("End after %q: %v, want %q", c.in, err, c.want)
		}
	}
}
