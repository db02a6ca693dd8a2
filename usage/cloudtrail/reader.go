package cloudtrail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/goccy/go-json"
	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/usage/jsonscan"
	"github.com/leastpriv/pare/usage/record"
)

// ErrNotCloudTrail is wrapped by the error Read returns for content that is
// JSON (or text) but none of the CloudTrail shapes, such as a digest file.
var ErrNotCloudTrail = errors.New("not CloudTrail")

// DefaultMaxRecordBytes is the largest record Options.MaxRecordBytes allows
// by default.
const DefaultMaxRecordBytes = 256 << 20

// Catalog is what the reader needs from the AWS catalog; *catalog.AWS
// implements it. Implementations must be safe for concurrent use.
type Catalog interface {
	// MapEvent maps a CloudTrail eventSource and eventName to IAM actions.
	MapEvent(eventSource, eventName string) catalog.Mapping
	// Action looks an IAM action up case-insensitively.
	Action(name string) (catalog.ActionInfo, bool)
}

// Options tune a Reader.
type Options struct {
	// MaxRecordBytes is the largest record decoded; a bigger one is
	// reported as a Problem and skipped. Zero means DefaultMaxRecordBytes.
	MaxRecordBytes int64
}

// Reader decodes CloudTrail content and normalizes it into record.Events.
// It is safe for concurrent use: each Read call is independent.
type Reader struct {
	cat Catalog
	max int64
	// spaces holds idle workspaces, whose buffers and caches (event
	// plans, interned strings) then serve the next Read, possibly on
	// another goroutine.
	spaces sync.Pool
}

// workspace is the memory one Read works in.
type workspace struct {
	norm *normalizer
	in   jsonscan.Input
}

// NewReader returns a Reader that maps events with cat.
func NewReader(cat Catalog, opts Options) *Reader {
	max := opts.MaxRecordBytes
	if max <= 0 {
		max = DefaultMaxRecordBytes
	}
	return &Reader{cat: cat, max: max}
}

// Read implements record.ReadFunc. It detects gzip by its magic bytes, then
// the shape from the content: S3 delivery ({"Records":[...]}, other top-level
// keys in any order), a bare JSON array of records, JSON Lines or
// concatenated records, and lookup-events output ({"Events":[...]}).
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
	err := rs.read(rd)
	ws.norm.release()
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
	lookup lookupEvent
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
		err = rs.readObject(s)
	case '[':
		err = rs.readArray(s, rs.record, true)
		if err == nil {
			err = s.End()
		}
	default:
		return fmt.Errorf("%w: content starts with %q, not a JSON object", ErrNotCloudTrail, c)
	}
	return err
}

// recordKeys are top-level keys only a CloudTrail record has.
var recordKeys = map[string]bool{
	"eventVersion": true, "eventTime": true, "eventSource": true, "eventName": true,
	"eventID": true, "userIdentity": true,
}

// readObject reads a top-level object: an S3 delivery file or lookup-events
// output when it has a Records or Events array, else the first record of a
// JSON Lines file.
func (rs *readState) readObject(s *jsonscan.Scanner) error {
	s.Mark()
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
		case k == "Records" && c == '[':
			found = true
			s.Unmark()
			if err := rs.readArray(s, rs.record, true); err != nil {
				return err
			}
		case k == "Events" && c == '[':
			found = true
			s.Unmark()
			if err := rs.readArray(s, rs.lookupRecord, false); err != nil {
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
		return s.End()
	}
	if !recordLike {
		return fmt.Errorf("%w: no Records or Events array and no record fields", ErrNotCloudTrail)
	}
	// JSON Lines, or records simply concatenated: the object just read is the
	// first record.
	first, size := s.Marked()
	oneLine := first != nil && bytes.IndexByte(first, '\n') < 0
	err := rs.record(0, first, size)
	s.Unmark()
	if err != nil {
		return err
	}
	if oneLine {
		return rs.readLines(s)
	}
	return rs.readValues(s)
}

// readArray reads a JSON array, passing each element to fn with its index.
// For an array of records (records is true), a record that is all in the
// scanner's buffer is found and decoded in one pass when decodeObject takes
// it; fn gets the others.
func (rs *readState) readArray(s *jsonscan.Scanner, fn func(i int, raw []byte, size int64) error, records bool) error {
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
				return &jsonscan.SyntaxError{Offset: s.Offset(), Msg: fmt.Sprintf("expected ',' or ']' after record %d, found %q", i-1, c)}
			}
			s.Advance(1)
		}
		if records && s.SkipSpace() == nil {
			if buf := s.Unread(); buf[0] == '{' {
				n, ok := decodeObject(buf, &rs.norm.rec)
				if ok && int64(n) <= rs.reader.max {
					s.Advance(n)
					if err := rs.decodedRecord(i, buf[:n]); err != nil {
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
		if err := fn(i, raw, size); err != nil {
			return err
		}
	}
}

// readLines reads JSON Lines after the first record: one record a line, so
// that a bad line costs only itself.
func (rs *readState) readLines(s *jsonscan.Scanner) error {
	// The rest of the first record's line must be blank.
	rest, _, err := s.Line()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return &jsonscan.SyntaxError{Offset: s.Offset() - int64(len(rest)) - 1, Msg: "data after the first record on its line"}
	}
	for i := 1; ; {
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
		if err := rs.record(i, raw, size); err != nil {
			return err
		}
		i++
	}
}

// readValues reads records concatenated with any whitespace between them.
func (rs *readState) readValues(s *jsonscan.Scanner) error {
	for i := 1; ; i++ {
		if err := s.SkipSpace(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		raw, size, err := s.Value()
		if err != nil {
			return err
		}
		if err := rs.record(i, raw, size); err != nil {
			return err
		}
	}
}

// lookupEvent is one element of lookup-events output.
type lookupEvent struct {
	CloudTrailEvent *string `json:"CloudTrailEvent"`
}

func (rs *readState) lookupRecord(i int, raw []byte, size int64) error {
	if raw == nil {
		return rs.record(i, nil, size)
	}
	rs.lookup = lookupEvent{}
	if err := json.Unmarshal(raw, &rs.lookup); err != nil {
		rs.stats.Records++
		rs.problem(i, "invalid JSON: "+jsonscan.ShortError(err))
		return nil
	}
	if rs.lookup.CloudTrailEvent == nil {
		rs.stats.Records++
		rs.problem(i, "lookup-events element without CloudTrailEvent")
		return nil
	}
	ev := *rs.lookup.CloudTrailEvent
	return rs.record(i, []byte(ev), int64(len(ev)))
}

// record decodes and normalizes one raw record; raw is nil when the record
// was too big to hold.
func (rs *readState) record(i int, raw []byte, size int64) error {
	rs.stats.Records++
	if i%1024 == 0 {
		if err := rs.ctx.Err(); err != nil {
			return err
		}
	}
	if raw == nil {
		rs.problem(i, fmt.Sprintf("record of %d bytes is over the limit of %d bytes", size, rs.reader.max))
		return nil
	}
	return rs.norm.normalize(i, raw, false, &rs.stats, rs.problem, rs.emitEvent)
}

// decodedRecord normalizes a record decodeObject has decoded into
// rs.norm.rec.
func (rs *readState) decodedRecord(i int, raw []byte) error {
	rs.stats.Records++
	if i%1024 == 0 {
		if err := rs.ctx.Err(); err != nil {
			return err
		}
	}
	return rs.norm.normalize(i, raw, true, &rs.stats, rs.problem, rs.emitEvent)
}

func (rs *readState) emitEvent(ev *record.Event) error {
	rs.stats.Events++
	return rs.emit(ev)
}

func (rs *readState) problem(i int, msg string) {
	rs.stats.Problems = append(rs.stats.Problems, record.Problem{Input: rs.name, Index: i, Message: msg})
}
