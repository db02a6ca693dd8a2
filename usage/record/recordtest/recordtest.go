// Package recordtest is the conformance suite every source reader runs: the
// same checks on empty, truncated, foreign, duplicated, oversized and partly
// bad input, so that all readers fail the same way and keep the good part.
//
// It is test support: only _test.go files import it. It must never import a
// source family, DuckDB or a cloud SDK.
package recordtest

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/leastpriv/pare/usage/record"
)

// Case is one conformance case.
type Case struct {
	Name     string
	Data     func(t testing.TB) []byte
	Max      int64  // the reader's record size limit, 0 for its default
	Err      string // the error must contain this, "" for no error
	ErrIs    error  // and wrap this, when set
	Events   int    // events emitted (when Err == "")
	Problems []int  // indexes of the Problems, in order
	SameID   bool   // all events share one EventID
}

// Read reads data with read and returns every event emitted.
func Read(read record.ReadFunc, name string, data []byte) ([]record.Event, record.Stats, error) {
	var evs []record.Event
	st, err := read(context.Background(), name, bytes.NewReader(data), func(ev *record.Event) error {
		evs = append(evs, *ev)
		return nil
	})
	return evs, st, err
}

// Run runs every case as a subtest. reader returns the ReadFunc of a reader
// with the given record size limit; check checks each event emitted.
func Run(t *testing.T, cases []Case, reader func(max int64) record.ReadFunc, check func(t testing.TB, ev record.Event)) {
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			evs, st, err := Read(reader(c.Max), "input.json", c.Data(t))
			if c.Err != "" {
				if err == nil || !strings.Contains(err.Error(), c.Err) {
					t.Fatalf("error = %v, want one containing %q", err, c.Err)
				}
				if !strings.Contains(err.Error(), "input.json") {
					t.Errorf("error %q does not name the input", err)
				}
				if c.ErrIs != nil && !errors.Is(err, c.ErrIs) {
					t.Errorf("error %v does not wrap %v", err, c.ErrIs)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if len(evs) != c.Events || st.Events != c.Events {
				t.Errorf("got %d events (stats %d), want %d", len(evs), st.Events, c.Events)
			}
			var idx []int
			for _, p := range st.Problems {
				idx = append(idx, p.Index)
				if p.Input != "input.json" || p.Message == "" {
					t.Errorf("problem %+v lacks input or message", p)
				}
			}
			if !reflect.DeepEqual(idx, c.Problems) {
				t.Errorf("problems at %v, want %v: %v", idx, c.Problems, st.Problems)
			}
			if c.SameID {
				for _, ev := range evs {
					if ev.EventID == "" || ev.EventID != evs[0].EventID {
						t.Errorf("EventIDs differ or are empty: %q vs %q", ev.EventID, evs[0].EventID)
					}
				}
			}
			for _, ev := range evs {
				check(t, ev)
			}
		})
	}
}
