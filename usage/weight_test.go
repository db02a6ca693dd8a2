package usage

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/usage/record"
)

// eventsReader is a ReadFunc that emits the events given for each input name,
// ignoring the content.
func eventsReader(byName map[string][]record.Event) record.ReadFunc {
	return func(ctx context.Context, name string, r io.Reader, emit func(*record.Event) error) (record.Stats, error) {
		var st record.Stats
		for i := range byName[name] {
			e := byName[name][i]
			st.Records++
			if err := emit(&e); err != nil {
				return st, err
			}
			st.Events++
		}
		return st, nil
	}
}

func at(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }

// rollup returns the two rows a rollup of count occurrences between first
// and last becomes: one at each end, sharing one event id.
func rollup(id, principal, action, outcome string, count int64, first, last time.Time) []record.Event {
	e := record.Event{Provider: "azure", EventID: id, Principal: principal, PrincipalKind: "user",
		Action: action, Resource: "/subscriptions/s/resourceGroups/rg/providers/P/t/x", Scope: "/subscriptions/s/resourceGroups/rg",
		Outcome: record.Outcome(outcome), Weight: count, Operation: action, Service: "P"}
	if action == "" {
		e.Operation, e.Unmapped = "P/unknown/write", "unknown Azure operation"
	}
	a, b := e, e
	a.Time, b.Time = first, last
	return []record.Event{a, b}
}

func loadEvents(t *testing.T, s *Store, byName map[string][]record.Event) LoadResult {
	t.Helper()
	var inputs []record.Input
	for _, name := range []string{"file", "rollups", "rollups-again"} {
		if _, ok := byName[name]; ok {
			inputs = append(inputs, input(name, name))
		}
	}
	res, err := s.Load(context.Background(), inputs, eventsReader(byName), LoadOptions{Provider: "azure"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func onlyAccess(t *testing.T, s *Store, q Query) synth.Access {
	t.Helper()
	acc, err := s.Accesses(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(acc) != 1 {
		t.Fatalf("got %d accesses, want 1: %+v", len(acc), acc)
	}
	return acc[0]
}

const (
	userA     = "00000000-0000-0000-0000-00000000000a"
	writeDiag = "Microsoft.Insights/diagnosticSettings/write"
)

func TestRollupCountsItsWeight(t *testing.T) {
	s := openMem(t)
	loadEvents(t, s, map[string][]record.Event{"rollups": rollup("rollup:1", userA, writeDiag, "allowed", 5, at(2, 8), at(2, 17))})
	a := onlyAccess(t, s, Query{Provider: "azure"})
	if a.Count != 5 || !a.First.Equal(at(2, 8)) || !a.Last.Equal(at(2, 17)) {
		t.Errorf("access = count %d, %v..%v; want 5, %v..%v", a.Count, a.First, a.Last, at(2, 8), at(2, 17))
	}
	if len(a.Samples) != 1 || a.Samples[0] != "rollup:1" {
		t.Errorf("samples = %v, want the rollup's one id", a.Samples)
	}
	ps, err := s.Principals(context.Background(), Query{Provider: "azure"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Events != 5 {
		t.Errorf("principals = %+v, want one with 5 events", ps)
	}
}

func TestFileEventAndRollupAddUp(t *testing.T) {
	s := openMem(t)
	file := record.Event{Provider: "azure", EventID: "azure:f1", Time: at(1, 9), Principal: userA, PrincipalKind: "user",
		Action: writeDiag, Resource: "/subscriptions/s/resourceGroups/rg/providers/P/t/x", Scope: "/subscriptions/s/resourceGroups/rg", Outcome: record.Allowed}
	loadEvents(t, s, map[string][]record.Event{
		"file":    {file},
		"rollups": rollup("rollup:1", userA, writeDiag, "allowed", 5, at(2, 8), at(2, 17)),
	})
	a := onlyAccess(t, s, Query{Provider: "azure"})
	if a.Count != 6 || !a.First.Equal(at(1, 9)) || !a.Last.Equal(at(2, 17)) {
		t.Errorf("access = count %d, %v..%v; want 6, %v..%v", a.Count, a.First, a.Last, at(1, 9), at(2, 17))
	}
	if len(a.Samples) != 2 || a.Samples[0] != "azure:f1" || a.Samples[1] != "rollup:1" {
		t.Errorf("samples = %v, want the file event's id then the rollup's", a.Samples)
	}
}

// A rollup loaded again under another source (the same day queried again,
// having grown) keeps one count: the larger, with the wider span.
func TestRollupLoadedTwiceCountsOnce(t *testing.T) {
	s := openMem(t)
	loadEvents(t, s, map[string][]record.Event{
		"rollups":       rollup("rollup:1", userA, writeDiag, "allowed", 5, at(2, 8), at(2, 17)),
		"rollups-again": rollup("rollup:1", userA, writeDiag, "allowed", 7, at(2, 8), at(2, 20)),
	})
	a := onlyAccess(t, s, Query{Provider: "azure"})
	if a.Count != 7 || !a.First.Equal(at(2, 8)) || !a.Last.Equal(at(2, 20)) {
		t.Errorf("access = count %d, %v..%v; want 7, %v..%v", a.Count, a.First, a.Last, at(2, 8), at(2, 20))
	}
}

// A window that holds only a rollup's last row still sees the rollup, at
// that time.
func TestRollupCutByWindow(t *testing.T) {
	s := openMem(t)
	loadEvents(t, s, map[string][]record.Event{"rollups": rollup("rollup:1", userA, writeDiag, "allowed", 5, at(2, 8), at(2, 17))})
	a := onlyAccess(t, s, Query{Provider: "azure", Window: synth.Window{From: at(2, 12), To: at(3, 0)}})
	if a.Count != 5 || !a.First.Equal(at(2, 17)) || !a.Last.Equal(at(2, 17)) {
		t.Errorf("access = count %d, %v..%v; want 5 at %v", a.Count, a.First, a.Last, at(2, 17))
	}
}

func TestDeniedAndUnmappedRollupsCountTheirWeight(t *testing.T) {
	s := openMem(t)
	var rows []record.Event
	rows = append(rows, rollup("rollup:d", userA, writeDiag, "denied", 3, at(2, 8), at(2, 9))...)
	rows = append(rows, rollup("rollup:u", userA, "", "allowed", 4, at(2, 8), at(2, 9))...)
	loadEvents(t, s, map[string][]record.Event{"rollups": rows})
	ps, err := s.Principals(context.Background(), Query{Provider: "azure"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Fatalf("principals = %+v", ps)
	}
	p := ps[0]
	if p.Events != 7 {
		t.Errorf("events = %d, want 3 + 4", p.Events)
	}
	if len(p.Denied) != 1 || p.Denied[0] != (Count{Name: writeDiag, Count: 3}) {
		t.Errorf("denied = %+v, want %s 3", p.Denied, writeDiag)
	}
	if len(p.Unmapped) != 1 || p.Unmapped[0].Count != 4 || p.Unmapped[0].Sample != "rollup:u" {
		t.Errorf("unmapped = %+v, want one of 4 with sample rollup:u", p.Unmapped)
	}
	acc, err := s.Accesses(context.Background(), Query{Provider: "azure", IncludeDenied: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(acc) != 1 || !acc[0].Denied || acc[0].Count != 3 {
		t.Errorf("accesses with denied = %+v, want the denied one counted 3", acc)
	}
}
