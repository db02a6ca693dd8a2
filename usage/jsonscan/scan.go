package jsonscan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxDepth bounds JSON nesting so that a hostile input cannot grow the
// bracket stack without limit.
const MaxDepth = 10000

// ErrEOF is an input that ends in the middle of its JSON structure.
var ErrEOF = errors.New("unexpected end of input")

// SyntaxError is a structural JSON error at a byte offset of the
// (decompressed) input. Past one, a reader cannot find the next record.
type SyntaxError struct {
	Offset int64
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.Offset, e.Msg)
}

// minBuffer is the size of a new Scanner's buffer.
const minBuffer = 256 << 10

// Scanner splits a JSON stream into raw values without decoding them.
//
// The bytes it returns (from Value, Line, Key's raw form, Unread and Marked)
// are slices of its buffer: they are valid until the next call that reads
// input, which any method but Offset, Unread, Advance, Mark, Marked, Unmark
// and Buffer may do.
type Scanner struct {
	rd        io.Reader
	buf       []byte
	r, w      int   // unread data is buf[r:w]
	base      int64 // input offset of buf[0]
	keep      int   // first byte that must survive a refill, or -1
	mark      int   // first byte retained for Marked, or -1
	markStart int64 // input offset of the mark
	err       error // sticky read error
	max       int64 // largest value returned whole

	stack []byte // open brackets of the value being scanned
}

// New returns a Scanner of rd that returns values of at most max bytes
// whole. It reuses buf, when it is big enough, as its buffer; Buffer returns
// the buffer to reuse once the Scanner is done.
func New(rd io.Reader, max int64, buf []byte) *Scanner {
	if len(buf) < minBuffer {
		buf = make([]byte, minBuffer)
	}
	return &Scanner{rd: rd, buf: buf, keep: -1, mark: -1, max: max}
}

// Buffer returns the Scanner's buffer, which may have grown, for a later New
// to reuse. The Scanner must not be used after.
func (s *Scanner) Buffer() []byte { return s.buf }

// Offset is the input offset of the next unread byte.
func (s *Scanner) Offset() int64 { return s.base + int64(s.r) }

// Unread returns the input read but not yet consumed, possibly empty. It
// lets a caller decode straight out of the buffer and then consume what it
// decoded with Advance.
func (s *Scanner) Unread() []byte { return s.buf[s.r:s.w] }

// Advance consumes the next n bytes of Unread. It panics when n is negative
// or more than len(Unread()).
func (s *Scanner) Advance(n int) {
	if uint(n) > uint(s.w-s.r) {
		panic("jsonscan: Advance past the unread input")
	}
	s.r += n
}

// Mark starts retaining the input from the next unread byte, so that Marked
// can return it: a reader marks a top-level object before it knows whether
// the object is a wrapper to descend into or a record to decode whole.
// Retaining stops once more than max bytes were consumed since the mark, or
// at Unmark.
func (s *Scanner) Mark() {
	s.mark = s.r
	s.markStart = s.Offset()
}

// Marked returns the input consumed since Mark, and its size. raw is nil when
// it is more than max bytes long, or when nothing is marked.
func (s *Scanner) Marked() (raw []byte, size int64) {
	size = s.Offset() - s.markStart
	if s.mark < 0 || size > s.max {
		return nil, size
	}
	return s.buf[s.mark:s.r], size
}

// Unmark stops retaining the input since Mark.
func (s *Scanner) Unmark() { s.mark = -1 }

// fill reads more input. It returns io.EOF at the end of the input and the
// reader's error when reading fails.
func (s *Scanner) fill() error {
	if s.err != nil {
		return s.err
	}
	if s.mark >= 0 && int64(s.w-s.mark) > s.max {
		s.mark = -1 // Marked can no longer return it
	}
	lo := s.r
	if s.keep >= 0 && s.keep < lo {
		lo = s.keep
	}
	if s.mark >= 0 && s.mark < lo {
		lo = s.mark
	}
	if lo > 0 {
		n := copy(s.buf, s.buf[lo:s.w])
		s.r -= lo
		s.w = n
		s.base += int64(lo)
		if s.keep >= 0 {
			s.keep -= lo
		}
		if s.mark >= 0 {
			s.mark -= lo
		}
	}
	if s.w == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.w])
		s.buf = nb
	}
	// Read until the buffer is half full (a decompressor returns at most
	// its window at a time), so that few records straddle two fills.
	got := false
	for tries := 0; tries < 100; tries++ {
		n, err := s.rd.Read(s.buf[s.w:])
		s.w += n
		got = got || n > 0
		if err != nil {
			s.err = err
			if got {
				return nil
			}
			return err
		}
		if got && s.w >= len(s.buf)/2 {
			return nil
		}
		if n > 0 {
			tries = 0
		}
	}
	if got {
		return nil
	}
	s.err = io.ErrNoProgress
	return s.err
}

// inside turns an end of input inside a structure into ErrEOF.
func inside(err error) error {
	if err == io.EOF {
		return ErrEOF
	}
	return err
}

// SkipSpace skips JSON whitespace. At the end of the input it returns io.EOF;
// otherwise, when it returns nil, Unread is not empty.
func (s *Scanner) SkipSpace() error { return s.skipSpace(io.EOF) }

// End checks that nothing but whitespace follows the top-level value: a
// *SyntaxError at the first other byte.
func (s *Scanner) End() error {
	err := s.SkipSpace()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	return &SyntaxError{Offset: s.Offset(), Msg: "data after the top-level value"}
}

// skipSpace is SkipSpace returning eof at the end of the input.
func (s *Scanner) skipSpace(eof error) error {
	for {
		for s.r < s.w {
			switch s.buf[s.r] {
			case ' ', '\t', '\r', '\n':
				s.r++
			default:
				return nil
			}
		}
		if err := s.fill(); err != nil {
			if err == io.EOF {
				return eof
			}
			return err
		}
	}
}

// Peek returns the next byte after whitespace without consuming it. At the
// end of the input it returns io.EOF.
func (s *Scanner) Peek() (byte, error) {
	if err := s.skipSpace(io.EOF); err != nil {
		return 0, err
	}
	return s.buf[s.r], nil
}

// PeekInside is Peek inside a structure, where the end of the input is
// ErrEOF.
func (s *Scanner) PeekInside() (byte, error) {
	if err := s.skipSpace(ErrEOF); err != nil {
		return 0, err
	}
	return s.buf[s.r], nil
}

// Expect consumes the next non-space byte, which must be c.
func (s *Scanner) Expect(c byte) error {
	b, err := s.PeekInside()
	if err != nil {
		return err
	}
	if b != c {
		return &SyntaxError{s.Offset(), fmt.Sprintf("expected %q, found %q", c, b)}
	}
	s.r++
	return nil
}

// Value scans the next JSON value. When it is at most max bytes long, raw
// holds it; otherwise raw is nil and size tells how long it was. The
// Scanner checks structure only; raw may still be invalid JSON. A closing
// bracket, comma or colon where a value should start is a *SyntaxError.
func (s *Scanner) Value() (raw []byte, size int64, err error) {
	if err := s.skipSpace(ErrEOF); err != nil {
		return nil, 0, err
	}
	start := s.Offset()
	s.keep = s.r
	defer func() { s.keep = -1 }()
	big := false
	first := s.buf[s.r]
	switch first {
	case '{', '[', '"':
		err = s.scanStructure(&big)
	case ',', ':', ']', '}':
		// Not the start of a value: scanning it would consume nothing.
		return nil, 0, &SyntaxError{start, fmt.Sprintf("unexpected %q", first)}
	default:
		err = s.scanPrimitive(&big)
	}
	if err != nil {
		return nil, 0, err
	}
	size = s.Offset() - start
	if big || size > s.max {
		return nil, size, nil
	}
	return s.buf[s.keep:s.r], size, nil
}

// scanPrimitive scans a number or literal up to the next delimiter.
func (s *Scanner) scanPrimitive(big *bool) error {
	start := s.Offset()
	for {
		for s.r < s.w {
			switch s.buf[s.r] {
			case ',', ']', '}', ':', ' ', '\t', '\r', '\n', '"', '{', '[':
				return nil
			}
			s.r++
		}
		if s.Offset()-start > s.max {
			*big = true
			s.keep = s.r
		}
		if err := s.fill(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// scanStructure scans a string, object or array including its closing byte.
func (s *Scanner) scanStructure(big *bool) error {
	start := s.Offset()
	stack := s.stack[:0]
	inStr, esc := false, false
	for {
		b := s.buf[s.r:s.w]
		i := 0
		for i < len(b) {
			if inStr {
				if esc {
					esc = false
					i++
					continue
				}
				// Jump to the closing quote or the next escape.
				rest := b[i:]
				q := bytes.IndexByte(rest, '"')
				seg := rest
				if q >= 0 {
					seg = rest[:q]
				}
				if k := bytes.IndexByte(seg, '\\'); k >= 0 {
					esc = true
					i += k + 1
					continue
				}
				if q < 0 {
					i = len(b)
					break
				}
				i += q + 1
				inStr = false
				if len(stack) == 0 {
					s.r += i
					s.stack = stack
					return nil
				}
				continue
			}
			c := b[i]
			switch c {
			case '"':
				inStr = true
			case '{', '[':
				if len(stack) >= MaxDepth {
					s.r += i
					return &SyntaxError{s.Offset(), fmt.Sprintf("nesting deeper than %d", MaxDepth)}
				}
				stack = append(stack, c)
			case '}', ']':
				open := byte('{')
				if c == ']' {
					open = '['
				}
				if len(stack) == 0 || stack[len(stack)-1] != open {
					s.r += i
					return &SyntaxError{s.Offset(), fmt.Sprintf("unexpected %q", c)}
				}
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					s.r += i + 1
					s.stack = stack
					return nil
				}
			}
			i++
		}
		s.r += i
		if s.Offset()-start > s.max {
			*big = true
			s.keep = s.r // stop retaining what cannot be returned
		}
		if err := s.fill(); err != nil {
			s.stack = stack
			return inside(err)
		}
	}
}

// Key reads an object key and its colon. Keys are returned decoded only in
// the common case without escapes; an escaped key is returned raw (without
// its quotes), which matches no plain name a reader looks for.
func (s *Scanner) Key() (string, error) {
	c, err := s.PeekInside()
	if err != nil {
		return "", err
	}
	if c != '"' {
		return "", &SyntaxError{s.Offset(), fmt.Sprintf("expected object key, found %q", c)}
	}
	raw, size, err := s.Value()
	if err != nil {
		return "", err
	}
	if raw == nil {
		return "", &SyntaxError{s.Offset() - size, fmt.Sprintf("object key of %d bytes", size)}
	}
	k := string(raw[1 : len(raw)-1])
	if err := s.Expect(':'); err != nil {
		return "", err
	}
	return k, nil
}

// Line reads the rest of the current line, without its newline. When the
// line is longer than max, raw is nil and size tells its length. At the end
// of the input it returns io.EOF.
func (s *Scanner) Line() (raw []byte, size int64, err error) {
	if s.r == s.w {
		if err := s.fill(); err != nil {
			return nil, 0, err
		}
	}
	start := s.Offset()
	s.keep = s.r
	defer func() { s.keep = -1 }()
	big := false
	for {
		b := s.buf[s.r:s.w]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			s.r += i
			size = s.Offset() - start
			var out []byte
			if !big && size <= s.max {
				out = s.buf[s.keep:s.r]
			}
			s.r++ // the newline
			return out, size, nil
		}
		s.r = s.w
		if s.Offset()-start > s.max {
			big = true
			s.keep = s.r
		}
		if err := s.fill(); err != nil {
			if err != io.EOF {
				return nil, 0, err
			}
			size = s.Offset() - start
			if big || size > s.max {
				return nil, size, nil
			}
			return s.buf[s.keep:s.r], size, nil
		}
	}
}
