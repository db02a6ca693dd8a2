package azure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/usage/jsonscan"
	"github.com/leastpriv/pare/usage/record"
)

// ErrNotActivityLog is wrapped by the error Read returns for content that is
// JSON (or text) but none of the Activity Log shapes.
var ErrNotActivityLog = errors.New("not an Azure Activity Log")

// DefaultMaxRecordBytes is the largest record Options.MaxRecordBytes allows
// by default.
const DefaultMaxRecordBytes = 256 << 20

// Catalog is what the reader needs from the Azure catalog; *catalog.Azure
// implements it. Implementations must be safe for concurrent use.
type Catalog interface {
	// Operation looks an operation up case-insensitively and returns it in
	// its canonical casing.
	Operation(name string) (catalog.AzureOperation, bool)
}

// Options tune a Reader.
type Options struct {
	// MaxRecordBytes is the largest record decoded; a bigger one is
	// reported as a Problem and skipped. Zero means DefaultMaxRecordBytes.
	MaxRecordBytes int64
}

// Reader decodes Activity Log content and normalizes it into record.Events.
// It is safe for concurrent use: each Read call is independent.
type Reader struct {
	cat Catalog
	max int64
	// spaces holds idle workspaces, whose buffers and caches (operations,
	// interned strings, scopes) then serve the next Read, possibly on
	// another goroutine.
	spaces sync.Pool
}

// workspace is the memory one Read works in.
type workspace struct {
	norm *normalizer
	in   jsonscan.Input
}

// NewReader returns a Reader that canonicalises operations with cat.
func NewReader(cat Catalog, opts Options) *Reader {
	max := opts.MaxRecordBytes
	if max <= 0 {
		max = DefaultMaxRecordBytes
	}
	return &Reader{cat: cat, max: max}
}

// Read implements record.ReadFunc. It detects gzip by its magic bytes, then
// the shape from the content: an export ({"records":[...]}), a REST page
// ({"value":[...]}), either of them once a line, a JSON array of records,
// or JSON Lines (or concatenated records).
//
// The Event passed to emit is reused: emit must copy what it keeps before it
// returns.
func (r *Reader) Read(ctx context.Context, name string, rd io.Reader, emit func(*record.Event) error) (record.Stats, error) {
	ws, _ := r.spaces.Get().(*workspace)
	if ws == nil {
		ws = &workspace{norm: newNormalizer(r.cat)}
	}
	defer r.spaces.Put(ws)
	rs := &readState{
		reader: r,
		ctx:    ctx,
		name:   name,
		emit:   emit,
		ws:     ws,
		norm:   ws.norm,
	}
	rs.norm.reset()
	err := rs.read(rd)
	if err == nil {
		err = rs.norm.flush(rs.emitEvent)
	}
	rs.norm.reset()
	if err != nil {
		err = fmt.Errorf("reading %s: %w", name, err)
	}
	return rs.stats, err
}

type readState struct {
	reader *Reader
	ctx    context.Context
	name   string
	emit   func(*record.Event) error
	ws     *workspace
	norm   *normalizer
	stats  record.Stats
	next   int // index of the next record
}

func (rs *readState) read(rd io.Reader) error {
	s, err := rs.ws.in.Open(rd, rs.reader.max)
	if err != nil {
		return err
	}
	defer rs.ws.in.Close(s)
	c, err := s.Peek()
	if err == io.EOF {
		return errors.New("empty input")
	}
	if err != nil {
		return err
	}
	switch c {
	case '{':
		return rs.readObject(s)
	case '[':
		if err := rs.readArray(s); err != nil {
			return err
		}
		return s.End()
	}
	return fmt.Errorf("%w: content starts with %q, not a JSON object or array", ErrNotActivityLog, c)
}

// recordKeys are top-level keys of an Activity Log record, in any shape.
var recordKeys = map[string]bool{
	"time": true, "eventTimestamp": true, "operationName": true, "resourceId": true,
	"correlationId": true, "category": true, "identity": true, "claims": true,
	"caller": true, "resultType": true, "status": true, "eventDataId": true,
	"authorization": true,
}

// readObject reads the first top-level object: an export or REST page when
// it has a records or value array, else the first record of JSON Lines or
// concatenated records. What follows the first object is read as more of
// the same, one a line when the first object was written on one line.
func (rs *readState) readObject(s *jsonscan.Scanner) error {
	s.Mark()
	// A compact object ({"records":...) is taken for the first line of
	// JSON Lines; a pretty-printed one ({ and a newline) is not.
	buf := s.Unread()
	compact := len(buf) > 1 && buf[1] == '"'
	s.Advance(1) // '{'
	found, recordLike := false, false
	for n := 0; ; n++ {
		c, err := s.PeekInside()
		if err != nil {
			return err
		}
		if c == '}' {
			s.Advance(1)
			break
		}
		if n > 0 {
			if err := s.Expect(','); err != nil {
				return err
			}
		}
		k, err := s.Key()
		if err != nil {
			return err
		}
		c, err = s.PeekInside()
		if err != nil {
			return err
		}
		switch {
		case (k == "records" || k == "value") && c == '[':
			found = true
			s.Unmark()
			if err := rs.readArray(s); err != nil {
				return err
			}
		default:
			if recordKeys[k] {
				recordLike = true
			}
			if _, _, err := s.Value(); err != nil {
				return err
			}
		}
	}
	if found {
		if compact {
			return rs.readLines(s)
		}
		return rs.readValues(s)
	}
	if !recordLike {
		return fmt.Errorf("%w: no records or value array and no record fields", ErrNotActivityLog)
	}
	first, size := s.Marked()
	oneLine := first != nil && bytes.IndexByte(first, '\n') < 0
	err := rs.record(first, size)
	s.Unmark()
	if err != nil {
		return err
	}
	if oneLine {
		return rs.readLines(s)
	}
	return rs.readValues(s)
}

// readArray reads a JSON array of records.
func (rs *readState) readArray(s *jsonscan.Scanner) error {
	if err := s.Expect('['); err != nil {
		return err
	}
	for i := 0; ; i++ {
		c, err := s.PeekInside()
		if err != nil {
			return err
		}
		if c == ']' {
			s.Advance(1)
			return nil
		}
		if i > 0 {
			if c != ',' {
				return &jsonscan.SyntaxError{Offset: s.Offset(), Msg: fmt.Sprintf("expected ',' or ']' after record %d, found %q", rs.next-1, c)}
			}
			s.Advance(1)
		}
		// A record that is all in the scanner's buffer is found and
		// decoded in one pass when decodeObject takes it.
		if s.SkipSpace() == nil {
			if buf := s.Unread(); buf[0] == '{' {
				n, ok := decodeObject(buf, &rs.norm.rec)
				if ok && int64(n) <= rs.reader.max {
					s.Advance(n)
					rs.norm.wrap = nil
					if err := rs.decoded(buf[:n]); err != nil {
						return err
					}
					continue
				}
			}
		}
		raw, size, err := s.Value()
		if err != nil {
			return err
		}
		if err := rs.record(raw, size); err != nil {
			return err
		}
	}
}

// readLines reads JSON Lines after the first object: one record or wrapper
// a line, so that a bad line costs only itself.
func (rs *readState) readLines(s *jsonscan.Scanner) error {
	// The rest of the first object's line must be blank.
	rest, _, err := s.Line()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return &jsonscan.SyntaxError{Offset: s.Offset() - int64(len(rest)) - 1, Msg: "data after the first object on its line"}
	}
	for {
		raw, size, err := s.Line()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if raw != nil {
			raw = bytes.TrimSpace(raw)
			if len(raw) == 0 {
				continue
			}
		}
		if err := rs.item(raw, size); err != nil {
			return err
		}
	}
}

// readValues reads records or wrappers concatenated with any whitespace
// between them.
func (rs *readState) readValues(s *jsonscan.Scanner) error {
	for {
		if err := s.SkipSpace(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		raw, size, err := s.Value()
		if err != nil {
			return err
		}
		if err := rs.item(raw, size); err != nil {
			return err
		}
	}
}

// item reads one top-level value after the first: a record, or a wrapper
// whose records it reads in turn.
func (rs *readState) item(raw []byte, size int64) error {
	if raw == nil {
		return rs.record(nil, size)
	}
	if err := rs.norm.decode(raw); err != nil {
		return rs.badRecord(err)
	}
	if recs, ok := rs.norm.wrapped(); ok {
		for _, r := range recs {
			if err := rs.record(r, int64(len(r))); err != nil {
				return err
			}
		}
		return nil
	}
	i, err := rs.start()
	if err != nil {
		return err
	}
	return rs.norm.normalize(i, raw, &rs.stats, rs.problem, rs.emitEvent)
}

// start counts one record and returns its index.
func (rs *readState) start() (int, error) {
	i := rs.next
	rs.next++
	rs.stats.Records++
	if i%1024 == 0 {
		if err := rs.ctx.Err(); err != nil {
			return i, err
		}
	}
	return i, nil
}

// record decodes and normalizes one raw record; raw is nil when the record
// was too big to hold.
func (rs *readState) record(raw []byte, size int64) error {
	if raw == nil {
		i, err := rs.start()
		if err != nil {
			return err
		}
		rs.problem(i, fmt.Sprintf("record of %d bytes is over the limit of %d bytes", size, rs.reader.max))
		return nil
	}
	if err := rs.norm.decode(raw); err != nil {
		return rs.badRecord(err)
	}
	return rs.decoded(raw)
}

// decoded normalizes the record raw, decoded into rs.norm.rec.
func (rs *readState) decoded(raw []byte) error {
	i, err := rs.start()
	if err != nil {
		return err
	}
	return rs.norm.normalize(i, raw, &rs.stats, rs.problem, rs.emitEvent)
}

// badRecord counts a record that does not decode.
func (rs *readState) badRecord(err error) error {
	i, cerr := rs.start()
	if cerr != nil {
		return cerr
	}
	rs.problem(i, "invalid record: "+jsonscan.ShortError(err))
	return nil
}

func (rs *readState) emitEvent(ev *record.Event) error {
	rs.stats.Events++
	return rs.emit(ev)
}

func (rs *readState) problem(i int, msg string) {
	rs.stats.Problems = append(rs.stats.Problems, record.Problem{Input: rs.name, Index: i, Message: msg})
}
