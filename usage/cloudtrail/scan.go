package cloudtrail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxDepth bounds JSON nesting so that a hostile input cannot grow the
// bracket stack without limit.
const maxDepth = 10000

// errEOF is an input that ends in the middle of its JSON structure.
var errEOF = errors.New("unexpected end of input")

// syntaxError is a structural JSON error at a byte offset of the
// (decompressed) input. Past one, the reader cannot find the next record.
type syntaxError struct {
	Offset int64
	Msg    string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.Offset, e.Msg)
}

// scanner splits a JSON stream into raw values without decoding them. It
// tracks only strings and brackets, which is enough to find where each
// record starts and ends; records are then decoded one by one, so that a bad
// record costs only itself and a huge one is skipped without being held.
type scanner struct {
	rd   io.Reader
	buf  []byte
	r, w int   // unread data is buf[r:w]
	base int64 // input offset of buf[0]
	keep int   // first byte that must survive a refill, or -1
	mark int   // start of the retained top-level object, or -1
	// markLost is set when the object from mark grew past max and stopped
	// being retained.
	markLost bool
	err      error // sticky read error
	max      int64 // largest value returned whole

	stack []byte // open brackets of the value being scanned
}

// newScanner returns a scanner of rd that reuses buf when it is big enough.
func newScanner(rd io.Reader, max int64, buf []byte) *scanner {
	if len(buf) < 256<<10 {
		buf = make([]byte, 256<<10)
	}
	return &scanner{rd: rd, buf: buf, keep: -1, mark: -1, max: max}
}

// offset is the input offset of the next unread byte.
func (s *scanner) offset() int64 { return s.base + int64(s.r) }

// fill reads more input. It returns io.EOF at the end of the input and the
// reader's error when reading fails.
func (s *scanner) fill() error {
	if s.err != nil {
		return s.err
	}
	if s.mark >= 0 && int64(s.w-s.mark) > s.max {
		s.mark = -1
		s.markLost = true
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

// readErr turns an end of input inside a structure into errEOF.
func readErr(err error) error {
	if err == io.EOF {
		return errEOF
	}
	return err
}

// skipSpace skips JSON whitespace. At the end of the input it returns io.EOF.
func (s *scanner) skipSpace() error {
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
			return err
		}
	}
}

// peek returns the next byte after whitespace.
func (s *scanner) peek() (byte, error) {
	if err := s.skipSpace(); err != nil {
		return 0, err
	}
	return s.buf[s.r], nil
}

// expect consumes the next non-space byte, which must be c.
func (s *scanner) expect(c byte) error {
	b, err := s.peek()
	if err != nil {
		return readErr(err)
	}
	if b != c {
		return &syntaxError{s.offset(), fmt.Sprintf("expected %q, found %q", c, b)}
	}
	s.r++
	return nil
}

// value scans the next JSON value. When it is at most s.max bytes long, raw
// holds it, valid until the next call; otherwise raw is nil and size tells
// how long it was. The scanner checks structure only; raw may still be
// invalid JSON.
func (s *scanner) value() (raw []byte, size int64, err error) {
	if err := s.skipSpace(); err != nil {
		return nil, 0, readErr(err)
	}
	start := s.offset()
	s.keep = s.r
	defer func() { s.keep = -1 }()
	big := false
	first := s.buf[s.r]
	switch first {
	case '{', '[', '"':
		err = s.scanStructure(&big)
	case ',', ':', ']', '}':
		// Not the start of a value: scanning it would consume nothing.
		return nil, 0, &syntaxError{start, fmt.Sprintf("unexpected %q", first)}
	default:
		err = s.scanPrimitive(&big)
	}
	if err != nil {
		return nil, 0, err
	}
	size = s.offset() - start
	if big || size > s.max {
		return nil, size, nil
	}
	return s.buf[s.keep:s.r], size, nil
}

// scanPrimitive scans a number or literal up to the next delimiter.
func (s *scanner) scanPrimitive(big *bool) error {
	start := s.offset()
	for {
		for s.r < s.w {
			switch s.buf[s.r] {
			case ',', ']', '}', ':', ' ', '\t', '\r', '\n', '"', '{', '[':
				return nil
			}
			s.r++
		}
		if s.offset()-start > s.max {
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
func (s *scanner) scanStructure(big *bool) error {
	start := s.offset()
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
				if len(stack) >= maxDepth {
					s.r += i
					return &syntaxError{s.offset(), fmt.Sprintf("nesting deeper than %d", maxDepth)}
				}
				stack = append(stack, c)
			case '}', ']':
				open := byte('{')
				if c == ']' {
					open = '['
				}
				if len(stack) == 0 || stack[len(stack)-1] != open {
					s.r += i
					return &syntaxError{s.offset(), fmt.Sprintf("unexpected %q", c)}
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
		if s.offset()-start > s.max {
			*big = true
			s.keep = s.r // stop retaining what cannot be returned
		}
		if err := s.fill(); err != nil {
			s.stack = stack
			return readErr(err)
		}
	}
}

// key reads an object key and its colon. Keys are returned decoded only in
// the common case without escapes; an escaped key is returned raw, which
// matches none of the names the reader looks for.
func (s *scanner) key() (string, error) {
	c, err := s.peek()
	if err != nil {
		return "", readErr(err)
	}
	if c != '"' {
		return "", &syntaxError{s.offset(), fmt.Sprintf("expected object key, found %q", c)}
	}
	raw, size, err := s.value()
	if err != nil {
		return "", err
	}
	if raw == nil {
		return "", &syntaxError{s.offset() - size, fmt.Sprintf("object key of %d bytes", size)}
	}
	k := string(raw[1 : len(raw)-1])
	if err := s.expect(':'); err != nil {
		return "", err
	}
	return k, nil
}

// line reads the rest of the current line, without its newline. When the
// line is longer than s.max, raw is nil and size tells its length. At the end
// of the input it returns io.EOF.
func (s *scanner) line() (raw []byte, size int64, err error) {
	if s.r == s.w {
		if err := s.fill(); err != nil {
			return nil, 0, err
		}
	}
	start := s.offset()
	s.keep = s.r
	defer func() { s.keep = -1 }()
	big := false
	for {
		b := s.buf[s.r:s.w]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			s.r += i
			size = s.offset() - start
			var out []byte
			if !big && size <= s.max {
				out = s.buf[s.keep:s.r]
			}
			s.r++ // the newline
			return out, size, nil
		}
		s.r = s.w
		if s.offset()-start > s.max {
			big = true
			s.keep = s.r
		}
		if err := s.fill(); err != nil {
			if err != io.EOF {
				return nil, 0, err
			}
			size = s.offset() - start
			if big || size > s.max {
				return nil, size, nil
			}
			return s.buf[s.keep:s.r], size, nil
		}
	}
}
