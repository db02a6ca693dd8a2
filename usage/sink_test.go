package usage

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leastpriv/pare/usage/record"
)

// sinkEvent is event i of a load with every column set and varied.
func sinkEvent(i int) record.Event {
	return record.Event{
		Provider:      []string{"aws", "azure", "k8s"}[i%3],
		EventID:       fmt.Sprintf("id-%07d", i),
		Time:          time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(i) * 1500 * time.Nanosecond),
		Principal:     fmt.Sprintf("principal-%d", i%97),
		PrincipalKind: "role",
		Session:       fmt.Sprintf("session \"%d\"", i%5),
		Action:        []string{"s3:GetObject", "", "Microsoft.Storage/storageAccounts/write"}[i%3],
		Resource:      fmt.Sprintf("arn:aws:s3:::bucket/key-%d ${x} ünïcødé", i),
		Scope:         "123456789012",
		Region:        "eu-west-1",
		Outcome:       []record.Outcome{record.Allowed, record.Denied, "error"}[i%3],
		ErrorCode:     []string{"", "AccessDenied", "Throttling"}[i%3],
		Via:           []string{"", "cloudformation.amazonaws.com"}[i%2],
		Grant:         fmt.Sprintf("grant-%d", i%7),
		Inferred:      i%4 == 0,
		Service:       "s3.amazonaws.com",
		Operation:     "GetObject",
		Unmapped:      []string{"", "no rule", ""}[i%3],
		Index:         i,
		Weight:        int64(i % 3), // 0 is stored as 1
	}
}

// manyEventsReader emits n sinkEvents, whatever its input holds.
func manyEventsReader(n int) record.ReadFunc {
	return func(ctx context.Context, name string, r io.Reader, emit func(*record.Event) error) (record.Stats, error) {
		io.Copy(io.Discard, r)
		var st record.Stats
		for i := 0; i < n; i++ {
			e := sinkEvent(i)
			if err := emit(&e); err != nil {
				return st, err
			}
			st.Records++
			st.Events++
		}
		return st, nil
	}
}

// TestSinkStoresEveryColumn loads more events than one Arrow batch holds
// and reads every column back: the build's event sink (Arrow with the
// duckdb_arrow tag, the appender without) stores what the reader emitted.
// make test runs it both ways.
func TestSinkStoresEveryColumn(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	const n = 2*8*2048 + 100
	if _, err := s.Load(ctx, []record.Input{input("one", "x")}, manyEventsReader(n), LoadOptions{Provider: "aws", Workers: 1}); err != nil {
		t.Fatal(err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT provider, event_id, time, principal, principal_kind, session, action,
		resource, scope, region, outcome, error_code, via, grant_ref, inferred, service, operation, unmapped,
		source_id, record_index, weight FROM events ORDER BY record_index`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for ; rows.Next(); i++ {
		var got record.Event
		var outcome string
		var sourceID int64
		if err := rows.Scan(&got.Provider, &got.EventID, &got.Time, &got.Principal, &got.PrincipalKind, &got.Session,
			&got.Action, &got.Resource, &got.Scope, &got.Region, &outcome, &got.ErrorCode, &got.Via, &got.Grant,
			&got.Inferred, &got.Service, &got.Operation, &got.Unmapped, &sourceID, &got.Index, &got.Weight); err != nil {
			t.Fatal(err)
		}
		got.Outcome = record.Outcome(outcome)
		want := sinkEvent(i)
		want.Time = want.Time.Truncate(time.Microsecond) // DuckDB's TIMESTAMP
		want.Weight = max(want.Weight, 1)
		got.Time = got.Time.UTC()
		if got != want || sourceID != 1 {
			t.Fatalf("row %d (source %d):\n got %+v\nwant %+v", i, sourceID, got, want)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if i != n {
		t.Fatalf("%d rows stored; want %d", i, n)
	}
	assertNoViews(t, s)
}

func assertNoViews(t *testing.T, s *Store) {
	t.Helper()
	var views int
	if err := s.db.QueryRow(`SELECT count(*) FROM duckdb_views() WHERE NOT internal`).Scan(&views); err != nil {
		t.Fatal(err)
	}
	if views != 0 {
		t.Errorf("a load left %d views in the store", views)
	}
}

// TestSinkReplacesInvalidUTF8 stores a string that is not UTF-8 with
// U+FFFD in place of its bad bytes, as a VARCHAR must be.
func TestSinkReplacesInvalidUTF8(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	read := func(ctx context.Context, name string, r io.Reader, emit func(*record.Event) error) (record.Stats, error) {
		io.Copy(io.Discard, r)
		e := record.Event{Provider: "aws", EventID: "a", Time: time.Unix(0, 0), Principal: "p\xffq", Resource: "\xc3", Outcome: record.Allowed}
		return record.Stats{Records: 1, Events: 1}, emit(&e)
	}
	if _, err := s.Load(ctx, []record.Input{input("one", "x")}, read, LoadOptions{Provider: "aws"}); err != nil {
		t.Fatal(err)
	}
	var principal, resource string
	if err := s.db.QueryRow(`SELECT principal, resource FROM events`).Scan(&principal, &resource); err != nil {
		t.Fatal(err)
	}
	if principal != "p\uFFFDq" || resource != "\uFFFD" {
		t.Errorf("stored %q and %q; want %q and %q", principal, resource, "p\uFFFDq", "\uFFFD")
	}
}

// TestLoadSurvivesCrashAfterCommit copies a file store after a load
// committed and before anything checkpointed it, as a crash would leave
// it, and opens the copy: DuckDB replays its write-ahead log, which holds
// what the load's transactions did (with the Arrow sink, its batch views
// too), and finds every event and no view.
func TestLoadSurvivesCrashAfterCommit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "pare.duckdb")
	s, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.db.ExecContext(ctx, `SET GLOBAL checkpoint_threshold = '1GB'`); err != nil {
		t.Fatal(err)
	}
	// A worker's commit, without the checkpoint that ends a Load.
	w, err := s.newWorker(ctx, manyEventsReader(100), LoadOptions{Provider: "aws"}, &idAllocator{}, &contentIndex{hashes: map[string]bool{}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	if _, err := w.load(ctx, input("one", "x")); err != nil {
		t.Fatal(err)
	}
	if err := w.commit(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path + ".wal"); err != nil || st.Size() == 0 {
		t.Fatalf("no write-ahead log to replay: %v", err)
	}
	crashed := t.TempDir()
	for _, name := range []string{"pare.duckdb", "pare.duckdb.wal"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(crashed, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	again, err := Open(ctx, Options{Path: filepath.Join(crashed, "pare.duckdb")})
	if err != nil {
		t.Fatalf("opening the store a crash left: %v", err)
	}
	defer again.Close()
	if n := countEvents(t, again); n != 100 {
		t.Errorf("%d events after replaying the log; want 100", n)
	}
	assertNoViews(t, again)
}

// TestClosedWorkerStoresNothing: a worker closed before its commit (an
// interrupted load) discards what its sink holds and rolls back, under
// either sink, and the store can load again at once.
func TestClosedWorkerStoresNothing(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	w, err := s.newWorker(ctx, manyEventsReader(3*8*2048), LoadOptions{Provider: "aws"}, &idAllocator{}, &contentIndex{hashes: map[string]bool{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.load(ctx, input("one", "x")); err != nil {
		t.Fatal(err)
	}
	w.close()
	if n := countEvents(t, s); n != 0 {
		t.Fatalf("%d events stored by a worker closed before committing", n)
	}
	assertNoViews(t, s)
	if _, err := s.Load(ctx, []record.Input{input("one", "x")}, manyEventsReader(10), LoadOptions{Provider: "aws"}); err != nil {
		t.Fatal(err)
	}
	if n := countEvents(t, s); n != 10 {
		t.Errorf("%d events after loading again; want 10", n)
	}
}
