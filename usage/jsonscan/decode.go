package jsonscan

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// MaxDecodeDepth bounds the nesting a Decoder skips over; a reader's
// decoder declines deeper records, which its slow path then decodes.
const MaxDecodeDepth = 512

// Decoder is a cursor over the bytes of one record for a reader's one-pass
// field decoder: the reader walks the record with it, keeping the fields it
// uses as views into the record's bytes and skipping the rest, without
// allocating. Every method reports false for what it declines: bad syntax,
// and also valid JSON the fast path leaves to the reader's slow decoder
// (goccy), such as a key with escapes, a string with invalid UTF-8 or a
// field read twice. So it must accept only what goccy accepts, and read it
// the same way; each reader's FuzzDecodeFast checks that.
//
// The position is left unspecified after a method reports false.
type Decoder struct {
	b     []byte
	i     int
	unesc *[]byte // where strings with escapes are unescaped; nil declines them
}

// NewDecoder returns a Decoder at the start of b. Strings with escapes are
// unescaped by appending to *unesc, or declined when unesc is nil; the
// views String returns are then valid until *unesc is reused.
func NewDecoder(b []byte, unesc *[]byte) Decoder {
	return Decoder{b: b, unesc: unesc}
}

// Offset is the index in b of the next unread byte.
func (d *Decoder) Offset() int { return d.i }

// Peek returns the next unread byte, or 0 at the end.
func (d *Decoder) Peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// SkipSpace consumes JSON white space.
func (d *Decoder) SkipSpace() {
	for d.i < len(d.b) && d.b[d.i] <= ' ' {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// SkipSpace returns the index of the first byte of b from i on that is not
// JSON white space.
func SkipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// Once marks bit in *seen and reports whether it was not marked yet: the
// reader's check that a field is read only once (goccy keeps the last of
// duplicate keys; the fast path declines them).
func Once(seen *uint32, bit uint32) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

// Object walks the members of an object, calling member with each key (a
// view, without escapes) with d positioned at the value; member must
// consume the value. It reports false on bad syntax or when member does.
func (d *Decoder) Object(member func(key []byte) bool) bool {
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	d.i++
	d.SkipSpace()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return true
	}
	for {
		key, ok := d.plainString()
		if !ok {
			return false
		}
		d.SkipSpace()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return false
		}
		d.i++
		d.SkipSpace()
		if !member(key) {
			return false
		}
		d.SkipSpace()
		if d.i >= len(d.b) {
			return false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
			d.SkipSpace()
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

// Array walks the elements of an array, calling elem with d positioned at
// each; elem must consume the element. It reports false on bad syntax or
// when elem does.
func (d *Decoder) Array(elem func() bool) bool {
	if d.i >= len(d.b) || d.b[d.i] != '[' {
		return false
	}
	d.i++
	d.SkipSpace()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		d.SkipSpace()
		if d.i >= len(d.b) {
			return false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
			d.SkipSpace()
		case ']':
			d.i++
			return true
		default:
			return false
		}
	}
}

// Null consumes a null, and reports whether there was one.
func (d *Decoder) Null() bool {
	if len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

// StringField reads a string field into *dst, once (see Once); null
// leaves it empty.
func (d *Decoder) StringField(dst *[]byte, seen *uint32, bit uint32) bool {
	if !Once(seen, bit) {
		return false
	}
	if d.Null() {
		return true
	}
	s, ok := d.String()
	if !ok {
		return false
	}
	*dst = s
	return true
}

// ObjectField reads an object (or null) that goccy decodes into a Go
// struct, once (see Once), calling member as Object does.
func (d *Decoder) ObjectField(seen *uint32, bit uint32, member func(key []byte) bool) bool {
	if !Once(seen, bit) {
		return false
	}
	if d.Null() {
		return true
	}
	return d.Object(member)
}

// Value skips a value and returns its bytes.
func (d *Decoder) Value() ([]byte, bool) {
	start := d.i
	if !d.Skip(0) {
		return nil, false
	}
	return d.b[start:d.i], true
}

// plainString reads a string without escapes or control characters whose
// bytes are valid UTF-8 (goccy would replace invalid bytes), returning its
// contents.
func (d *Decoder) plainString() ([]byte, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false
	}
	start := d.i + 1
	ascii := true
	for j := start; j < len(d.b); {
		if j+8 <= len(d.b) {
			// Skip to the first byte of the next eight that is not
			// plain ASCII (the lowest flagged byte is exact).
			x := binary.LittleEndian.Uint64(d.b[j:])
			m := stopBytes(x) | x&hiBits
			if m == 0 {
				j += 8
				continue
			}
			j += bits.TrailingZeros64(m) >> 3
		}
		switch strClass[d.b[j]] {
		case 0:
			j++
		case strQuote:
			d.i = j + 1
			s := d.b[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			return s, true
		case strNonASCII:
			ascii = false
			j++
		default:
			return nil, false // an escape or a control character
		}
	}
	return nil, false
}

// String reads a string value: a plain one as a view, one with escapes
// unescaped into *unesc (declined when NewDecoder had no unesc). It
// declines invalid UTF-8, control characters and escaped surrogates
// (\uD800-\uDFFF), whose decoding it leaves to goccy.
func (d *Decoder) String() ([]byte, bool) {
	if s, ok := d.plainString(); ok {
		return s, true
	}
	if d.unesc == nil || d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false
	}
	from := len(*d.unesc)
	out := *d.unesc
	ascii := true
	j := d.i + 1
	for j < len(d.b) {
		k := j
		for k < len(d.b) && (strClass[d.b[k]] == 0 || strClass[d.b[k]] == strNonASCII) {
			if d.b[k] >= 0x80 {
				ascii = false
			}
			k++
		}
		out = append(out, d.b[j:k]...)
		if k >= len(d.b) {
			break
		}
		switch strClass[d.b[k]] {
		case strQuote:
			*d.unesc = out
			s := out[from:]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			d.i = k + 1
			return s, true
		case strControl:
			return nil, false
		}
		// An escape.
		if k+1 >= len(d.b) {
			return nil, false
		}
		switch c := d.b[k+1]; c {
		case '"', '\\', '/':
			out = append(out, c)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if k+6 > len(d.b) {
				return nil, false
			}
			r := rune(0)
			for _, h := range d.b[k+2 : k+6] {
				switch {
				case '0' <= h && h <= '9':
					r = r<<4 | rune(h-'0')
				case 'a' <= h && h <= 'f':
					r = r<<4 | rune(h-'a'+10)
				case 'A' <= h && h <= 'F':
					r = r<<4 | rune(h-'A'+10)
				default:
					return nil, false
				}
			}
			if 0xD800 <= r && r <= 0xDFFF {
				return nil, false
			}
			out = utf8.AppendRune(out, r)
			j = k + 6
			continue
		default:
			return nil, false
		}
		j = k + 2
	}
	return nil, false
}

// Classes of bytes in a JSON string; 0 is plain ASCII.
const (
	strQuote    = 1
	strEscape   = 2 // '\\'
	strControl  = 3
	strNonASCII = 4
)

// Eight bytes at a time: stopBytes(x) is non-zero when one of the eight
// bytes in x is '"', '\\' or a control character (below 0x20), and x&hiBits
// when one is not ASCII. These are the classic "has a zero byte" and "has a
// byte less than n" bit tricks: exact as yes-or-no answers, and the lowest
// flagged byte is exact too (borrows only run upward), which is all the
// string loops ask.
const (
	loBits = 0x0101010101010101
	hiBits = 0x8080808080808080
)

func stopBytes(x uint64) uint64 {
	q := x ^ (loBits * '"')
	e := x ^ (loBits * '\\')
	return (((q - loBits) &^ q) | ((e - loBits) &^ e) | ((x - loBits*0x20) &^ x)) & hiBits
}

// strClass classifies every byte value; the string loops skip runs of
// plain bytes with one table look-up each.
var strClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c == '"':
			t[c] = strQuote
		case c == '\\':
			t[c] = strEscape
		case c < 0x20:
			t[c] = strControl
		case c >= 0x80:
			t[c] = strNonASCII
		}
	}
	return t
}()

// FoldsTo reports whether key might name one of the lower-cased field
// names in another letter case, as goccy matches keys case-insensitively:
// it is true for a non-ASCII key. A reader declines a record with such a
// key.
func FoldsTo(key []byte, names []string) bool {
	for _, c := range key {
		if c >= 0x80 {
			return true
		}
	}
	for _, n := range names {
		if EqualLowerASCII(key, n) {
			return true
		}
	}
	return false
}

// Skip validates and skips any JSON value nested depth deep; it declines
// values nested more than MaxDecodeDepth deep.
func (d *Decoder) Skip(depth int) bool {
	if d.i >= len(d.b) || depth > MaxDecodeDepth {
		return false
	}
	switch c := d.b[d.i]; c {
	case '"':
		return d.skipString()
	case '{':
		d.i++
		d.SkipSpace()
		if d.i < len(d.b) && d.b[d.i] == '}' {
			d.i++
			return true
		}
		for {
			if !d.skipString() {
				return false
			}
			d.SkipSpace()
			if d.i >= len(d.b) || d.b[d.i] != ':' {
				return false
			}
			d.i++
			d.SkipSpace()
			if !d.Skip(depth + 1) {
				return false
			}
			d.SkipSpace()
			if d.i >= len(d.b) {
				return false
			}
			if d.b[d.i] == '}' {
				d.i++
				return true
			}
			if d.b[d.i] != ',' {
				return false
			}
			d.i++
			d.SkipSpace()
		}
	case '[':
		d.i++
		d.SkipSpace()
		if d.i < len(d.b) && d.b[d.i] == ']' {
			d.i++
			return true
		}
		for {
			if !d.Skip(depth + 1) {
				return false
			}
			d.SkipSpace()
			if d.i >= len(d.b) {
				return false
			}
			if d.b[d.i] == ']' {
				d.i++
				return true
			}
			if d.b[d.i] != ',' {
				return false
			}
			d.i++
			d.SkipSpace()
		}
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	default:
		return d.number()
	}
}

func (d *Decoder) literal(s string) bool {
	if len(d.b)-d.i >= len(s) && string(d.b[d.i:d.i+len(s)]) == s {
		d.i += len(s)
		return true
	}
	return false
}

// skipString skips a string with valid escapes and no control characters;
// other bytes are not checked (goccy accepts invalid UTF-8 in skipped
// strings).
func (d *Decoder) skipString() bool {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return false
	}
	for j := d.i + 1; j < len(d.b); j++ {
		for j+8 <= len(d.b) {
			m := stopBytes(binary.LittleEndian.Uint64(d.b[j:]))
			if m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				break
			}
			j += 8
		}
		for j < len(d.b) && (strClass[d.b[j]] == 0 || strClass[d.b[j]] == strNonASCII) {
			j++
		}
		if j == len(d.b) {
			break
		}
		switch strClass[d.b[j]] {
		case strQuote:
			d.i = j + 1
			return true
		case strControl:
			return false
		case strEscape:
			j++
			if j >= len(d.b) {
				return false
			}
			switch d.b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(d.b) {
					return false
				}
				for _, h := range d.b[j+1 : j+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				j += 4
			default:
				return false
			}
		}
	}
	return false
}

// number skips a number of strict JSON syntax.
func (d *Decoder) number() bool {
	b, i := d.b, d.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		k := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == k {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		k := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == k {
			return false
		}
	}
	d.i = i
	return true
}
