package runtime

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
)

// MaxRecord is the largest record, in bytes, a reader takes.
const MaxRecord = 1 << 20

// rawRecord is one JSON value of the input and the line it starts on.
type rawRecord struct {
	line int
	data []byte
	err  string // why the record could not be cut out ("" when data holds it)
}

// splitter cuts an input into records: one JSON value a line, or a value
// spanning lines (pretty-printed) until its brackets close. Strings never
// span lines in JSON, so bracket counting restarts at each line's end
// inside one.
type splitter struct {
	r     *bufio.Reader
	line  int
	err   error // the input's read error, once seen
	depth int
	buf   []byte
	start int
}

// open returns a splitter of r, decompressing it when it starts with
// gzip's magic bytes.
func open(r io.Reader) (*splitter, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("decompressing gzip: %w", err)
		}
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	return &splitter{r: br}, nil
}

// next returns the next record, or false at the end of the input (then
// s.err holds a read error, if any).
func (s *splitter) next() (rawRecord, bool) {
	for {
		line, tooLong, err := s.readLine()
		if err != nil {
			if err != io.EOF {
				s.err = err
			}
			if s.buf != nil {
				rec := rawRecord{line: s.start, err: "the input ends inside this record"}
				s.buf = nil
				return rec, true
			}
			return rawRecord{}, false
		}
		s.line++
		if tooLong {
			rec := rawRecord{line: s.line, err: fmt.Sprintf("a line longer than %d bytes", MaxRecord)}
			if s.buf != nil {
				rec.line = s.start
			}
			s.buf, s.depth = nil, 0
			return rec, true
		}
		trimmed := bytes.TrimSpace(line)
		if s.buf == nil {
			if len(trimmed) == 0 {
				continue
			}
			s.start, s.depth = s.line, 0
		}
		if len(s.buf)+len(line) > MaxRecord {
			rec := rawRecord{line: s.start, err: fmt.Sprintf("a record longer than %d bytes", MaxRecord)}
			s.buf, s.depth = nil, 0
			return rec, true
		}
		s.buf = append(s.buf, line...)
		s.depth += depthChange(line)
		// A line that is not the opening of a multi-line value is a
		// record whole, even when its brackets do not balance.
		if s.depth <= 0 || (s.line == s.start && !opensValue(trimmed)) {
			rec := rawRecord{line: s.start, data: s.buf}
			s.buf, s.depth = nil, 0
			return rec, true
		}
	}
}

// opensValue reports whether a record's first line may open a
// pretty-printed value: "{" or "[" alone, or a first member after it.
func opensValue(first []byte) bool {
	if len(first) == 0 || (first[0] != '{' && first[0] != '[') {
		return false
	}
	last := first[len(first)-1]
	return len(first) == 1 || last == ',' || last == '{' || last == '['
}

// depthChange is how much line opens ('{', '[') minus closes, outside
// strings.
func depthChange(line []byte) int {
	d := 0
	inString := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			d++
		case '}', ']':
			d--
		}
	}
	return d
}

// readLine reads one line (without its end) up to MaxRecord bytes; a
// longer line is consumed and reported as too long.
func (s *splitter) readLine() ([]byte, bool, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := s.r.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > MaxRecord+2 {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		switch err {
		case nil:
			return bytes.TrimRight(line, "\r\n"), tooLong, nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if len(line) == 0 && !tooLong {
				return nil, false, io.EOF
			}
			return bytes.TrimRight(line, "\r\n"), tooLong, nil
		default:
			return nil, false, err
		}
	}
}
