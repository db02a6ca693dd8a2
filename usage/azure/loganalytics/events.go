package loganalytics

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/leastpriv/pare/usage/azure"
	"github.com/leastpriv/pare/usage/record"
)

// sliceFormat names the content of an Input, so that Read refuses anything
// else.
const sliceFormat = "pare/azure-logs-slice/v1"

// sliceContent is what an Input holds: one slice's rollups as JSON.
type sliceContent struct {
	Format    string    `json:"format"`
	Workspace string    `json:"workspace"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Rollups   []Rollup  `json:"rollups"`
}

// InputName is the source name of one slice of a workspace:
// azure-logs://WORKSPACE/FROM/TO with RFC 3339 UTC times. The store records
// inputs by name, so loading the same slice again adds nothing.
func InputName(workspace string, from, to time.Time) string {
	return Scheme + workspace + "/" + from.UTC().Format(time.RFC3339Nano) + "/" + to.UTC().Format(time.RFC3339Nano)
}

// Input returns one slice's rollups as an in-memory input for the store,
// named by InputName, whose content Read decodes. A slice must lie within
// one UTC day: the rollups' event ids are per day (see Events).
func Input(workspace string, s Slice) (record.Input, error) {
	if err := checkSlice(workspace, s.From, s.To); err != nil {
		return record.Input{}, err
	}
	b, err := json.Marshal(sliceContent{Format: sliceFormat, Workspace: workspace, From: s.From.UTC(), To: s.To.UTC(), Rollups: s.Rollups})
	if err != nil {
		return record.Input{}, fmt.Errorf("encoding slice %s: %w", InputName(workspace, s.From, s.To), err)
	}
	return record.Input{
		Name: InputName(workspace, s.From, s.To),
		Size: int64(len(b)),
		Open: func(context.Context) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(b)), nil
		},
	}, nil
}

func checkSlice(workspace string, from, to time.Time) error {
	name := InputName(workspace, from, to)
	switch {
	case !isGUID(workspace):
		return fmt.Errorf("%s: workspace id %q is not a GUID", name, workspace)
	case !from.Before(to):
		return fmt.Errorf("%s: the slice is empty", name)
	case !from.UTC().Truncate(24 * time.Hour).Equal(to.UTC().Add(-1).Truncate(24 * time.Hour)):
		return fmt.Errorf("%s: the slice crosses a UTC day boundary", name)
	}
	return nil
}

// Reader decodes the content of Inputs into record.Events. It is safe for
// concurrent use.
type Reader struct {
	cat azure.Catalog
}

// NewReader returns a Reader that canonicalises operations with cat.
func NewReader(cat azure.Catalog) *Reader { return &Reader{cat: cat} }

// Read is a record.ReadFunc for Inputs: it decodes one slice and emits its
// Events (see Events). Content that is not an Input's fails as a whole.
func (r *Reader) Read(ctx context.Context, name string, rd io.Reader, emit func(*record.Event) error) (record.Stats, error) {
	var c sliceContent
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return record.Stats{}, fmt.Errorf("not a Log Analytics slice: %w", err)
	}
	if c.Format != sliceFormat {
		return record.Stats{}, fmt.Errorf("not a Log Analytics slice (format %q, want %q)", c.Format, sliceFormat)
	}
	if err := checkSlice(c.Workspace, c.From, c.To); err != nil {
		return record.Stats{}, err
	}
	if err := ctx.Err(); err != nil {
		return record.Stats{}, err
	}
	return Events(name, c.Workspace, Slice{From: c.From, To: c.To, Rollups: c.Rollups}, r.cat, emit)
}

// Events turns one slice's rollups into record.Events the way the Activity
// Log file reader (usage/azure) normalizes records, so that both kinds of
// input meet in one store:
//
//   - Provider is "azure", Principal the object id as azure.PrincipalID
//     gives it, PrincipalKind as the rollup names it ("unknown" when
//     empty), Session the Caller.
//   - Action, Service and Unmapped are what azure.Operation gives: the
//     operation in the catalog's casing (an unknown one gives Action "" and
//     Unmapped) and its resource provider. Operation is the operation as
//     recorded.
//   - Resource is the rollup's resource id and Scope its scope as
//     azure.Scope gives it.
//   - Outcome is record.Allowed, record.Denied or record.Failed.
//   - A rollup of Count occurrences becomes two Events of Weight Count, at
//     First and at Last, sharing one EventID (one Event when First equals
//     Last): the store counts an EventID once, with its weight, and takes
//     its first and last times from its rows.
//   - EventID is "rollup:" and 32 hex digits of a SHA-256 of the workspace,
//     the slice's UTC day and the rollup's principal, kind, caller,
//     operation, resource id and outcome. It does not depend on the slice's
//     exact bounds: when a day is queried again (a day still in progress,
//     or a window that starts at another hour), its rollups replace the
//     earlier ones in the store, which keeps the larger count and the wider
//     span, instead of adding to them. Two loads of disjoint parts of one
//     day can therefore count low, never twice.
//
// A rollup that is not usable (no principal, a count below 1, an unknown
// outcome, a missing time or Last before First) is reported in the Stats'
// Problems, named by name and its index; the rest are emitted. emit's error
// stops Events and is returned.
func Events(name, workspace string, s Slice, cat azure.Catalog, emit func(*record.Event) error) (record.Stats, error) {
	var st record.Stats
	day := s.From.UTC().Format(time.DateOnly)
	for i, r := range s.Rollups {
		st.Records++
		if msg := badRollup(r); msg != "" {
			st.Problems = append(st.Problems, record.Problem{Input: name, Index: i, Message: msg})
			continue
		}
		r.Principal = azure.PrincipalID(r.Principal)
		r.Operation = strings.TrimSpace(r.Operation)
		action, service, unmapped := azure.Operation(cat, r.Operation)
		ev := record.Event{
			Provider:      "azure",
			EventID:       eventID(workspace, day, r),
			Time:          r.First.UTC(),
			Principal:     r.Principal,
			PrincipalKind: r.PrincipalKind,
			Session:       strings.TrimSpace(r.Caller),
			Resource:      r.Scope,
			Scope:         azure.Scope(r.Scope),
			Outcome:       outcomes[r.Outcome],
			Service:       service,
			Operation:     r.Operation,
			Action:        action,
			Unmapped:      unmapped,
			Index:         i,
			Weight:        r.Count,
		}
		if ev.PrincipalKind == "" {
			ev.PrincipalKind = "unknown"
		}
		if err := emit(&ev); err != nil {
			return st, err
		}
		st.Events++
		if !r.Last.Equal(r.First) {
			ev.Time = r.Last.UTC()
			if err := emit(&ev); err != nil {
				return st, err
			}
			st.Events++
		}
	}
	return st, nil
}

var outcomes = map[string]record.Outcome{
	"allowed": record.Allowed,
	"denied":  record.Denied,
	"error":   record.Failed,
}

// badRollup says what makes r unusable, or "".
func badRollup(r Rollup) string {
	switch {
	case strings.TrimSpace(r.Principal) == "":
		return "rollup without a principal"
	case strings.TrimSpace(r.Operation) == "":
		return "rollup without an operation"
	case r.Count < 1:
		return fmt.Sprintf("rollup count %d", r.Count)
	case outcomes[r.Outcome] == "":
		return "unknown outcome " + quoteShort(r.Outcome)
	case r.First.IsZero() || r.Last.IsZero():
		return "rollup without first or last time"
	case r.Last.Before(r.First):
		return "rollup last seen before first seen"
	}
	return ""
}

func eventID(workspace, day string, r Rollup) string {
	h := sha256.New()
	for _, s := range []string{workspace, day, r.Principal, r.PrincipalKind, r.Caller, r.Operation, r.Scope, r.Outcome} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "rollup:" + hex.EncodeToString(h.Sum(nil))[:32]
}

// quoteShort quotes s for a message, cut to 64 bytes as the file reader
// does.
func quoteShort(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + s + `"`
}
