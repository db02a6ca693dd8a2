package k8s

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/goccy/go-json"

	"github.com/leastpriv/pare/usage/jsonscan"
	"github.com/leastpriv/pare/usage/record"
)

// ErrNotAuditLog is wrapped by the error Read returns for content that is
// JSON (or text) but none of the audit log shapes.
var ErrNotAuditLog = errors.New("not a Kubernetes audit log")

// DefaultMaxRecordBytes is the largest record Options.MaxRecordBytes allows
// by default.
const DefaultMaxRecordBytes = 256 << 20

// Options tune a Reader.
type Options struct {
	// Cluster names the cluster the logs come from; it goes into each
	// Event's Region. When empty, the cluster an AKS record's resource id
	// or an EKS CloudWatch log group names is used, else "".
	Cluster string
	// KeepMasters keeps the requests of members of system:masters, which
	// are skipped by default: RBAC never authorizes them (the group
	// bypasses it), but their use is what a least-privilege replacement
	// of such a user must allow.
	KeepMasters bool
	// MaxRecordBytes is the largest record decoded; a bigger one is
	// reported as a Problem and skipped. Zero means DefaultMaxRecordBytes.
	MaxRecordBytes int64
}

// Reader decodes Kubernetes audit log content and normalizes it into
// record.Events. It is safe for concurrent use: each Read call is
// independent.
type Reader struct {
	opts Options
	max  int64
	// spaces holds idle workspaces, whose buffers and caches (actions,
	// interned strings) then serve the next Read, possibly on another
	// goroutine.
	spaces sync.Pool
}

// workspace is the memory one Read works in.
type workspace struct {
	norm *normalizer
	in   jsonscan.Input
}

// NewReader returns a Reader with the given options.
func NewReader(opts Options) *Reader {
	max := opts.MaxRecordBytes
	if max <= 0 {
		max = DefaultMaxRecordBytes
	}
	return &Reader{opts: opts, max: max}
}

// Read implements record.ReadFunc. It detects gzip by its magic bytes, then
// the shape from the content: a list ({"items":[...]} an EventList,
// {"records":[...]} an AKS export, {"events":[...]} or {"logEvents":[...]}
// CloudWatch Logs), such lists once a line, a JSON array of records, or
// JSON Lines (or concatenated records) of events or of wrapper records.
//
// The Event passed to emit is reused: emit must copy what it keeps before it
// returns.
func (r *Reader) Read(ctx context.Context, name string, rd io.Reader, emit func(*record.Event) error) (record.Stats, error) {
	ws, _ := r.spaces.Get().(*workspace)
	if ws == nil {
		ws = &workspace{norm: newNormalizer(r.opts)}
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
	return fmt.Errorf("%w: content starts with %q, not a JSON object or array", ErrNotAuditLog, c)
}

// recordKeys are top-level keys of an audit event or of a record that
// wraps one.
var recordKeys = map[string]bool{
	"kind": true, "apiVersion": true, "level": true, "auditID": true, "stage": true, "requestURI": true,
	"verb": true, "user": true, "impersonatedUser": true, "objectRef": true, "responseStatus": true,
	"requestReceivedTimestamp": true, "stageTimestamp": true, "timestamp": true, "annotations": true,
	"sourceIPs": true, "userAgent": true,
	"category": true, "Category": true, "properties": true, "log_s": true, "message": true,
	"logStreamName": true, "resourceId": true, "_ResourceId": true,
}

// listKeys are the keys of the arrays of records a list holds.
var listKeys = map[string]bool{"items": true, "records": true, "events": true, "logEvents": true}

// readObject reads the first top-level object: a list when it has an
// items, records, events or logEvents array, else the first record of
// JSON Lines or concatenated records. What follows the first object is read as more of
// the same, one a line when the first object was written on one line.
func (rs *readState) readObject(s *jsonscan.Scanner) error {
	s.Mark()
	// A compact object ({"items":...) is taken for the first line of
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
		case listKeys[k] && c == '[':
			found = true
			s.Unmark()
			err := rs.readArray(s)
			rs.norm.listGroup, rs.norm.listStream = rs.norm.listGroup[:0], rs.norm.listStream[:0]
			if err != nil {
				return err
			}
		case (k == "logGroup" || k == "logStream") && c == '"':
			// A CloudWatch Logs subscription record names the log
			// group and stream of its logEvents once, before them.
			raw, _, err := s.Value()
			if err != nil {
				return err
			}
			var v string
			if raw != nil && json.Unmarshal(raw, &v) == nil {
				if k == "logGroup" {
					rs.norm.listGroup = append(rs.norm.listGroup[:0], v...)
				} else {
					rs.norm.listStream = append(rs.norm.listStream[:0], v...)
				}
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
		return fmt.Errorf("%w: no items, records, events or logEvents array and no audit event fields", ErrNotAuditLog)
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
					if err := rs.decoded(); err != nil {
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

// readLines reads JSON Lines after the first object: one record or list a
// line, so that a bad line costs only itself.
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
		if ok, err := rs.fastLine(s); ok || err != nil {
			if err != nil {
				return err
			}
			continue
		}
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

// fastLine reads the next line in one pass when it is all in the
// scanner's buffer and is a record decodeObject takes, followed by blanks:
// what Line and item would make of it, without first looking for the
// line's end. It reports false, having consumed nothing, for any other
// line.
func (rs *readState) fastLine(s *jsonscan.Scanner) (bool, error) {
	buf := s.Unread()
	if len(buf) == 0 || buf[0] != '{' {
		return false, nil
	}
	n, ok := decodeObject(buf, &rs.norm.rec)
	if !ok {
		return false, nil
	}
	j := n
	for j < len(buf) && (buf[j] == ' ' || buf[j] == '\t' || buf[j] == '\r') {
		j++
	}
	if j >= len(buf) || buf[j] != '\n' || int64(j) > rs.reader.max {
		return false, nil
	}
	s.Advance(j + 1)
	rs.norm.wrap = nil
	return true, rs.decoded()
}

// readValues reads records or lists concatenated with any whitespace
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

// item reads one top-level value after the first: a record, or a list
// whose records it reads in turn.
func (rs *readState) item(raw []byte, size int64) error {
	if raw == nil {
		return rs.record(nil, size)
	}
	if err := rs.norm.decode(raw); err != nil {
		return rs.badRecord(err)
	}
	if recs, ok := rs.norm.wrapped(); ok {
		n := rs.norm
		n.listGroup, n.listStream = append(n.listGroup[:0], n.rec.logGroup...), append(n.listStream[:0], n.rec.listStream...)
		defer func() { n.listGroup, n.listStream = n.listGroup[:0], n.listStream[:0] }()
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
	return rs.norm.normalize(i, &rs.stats, rs.problem, rs.emitEvent)
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
	return rs.decoded()
}

// decoded normalizes the record decoded into rs.norm.rec.
func (rs *readState) decoded() error {
	i, err := rs.start()
	if err != nil {
		return err
	}
	return rs.norm.normalize(i, &rs.stats, rs.problem, rs.emitEvent)
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
