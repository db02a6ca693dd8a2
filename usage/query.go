package usage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/usage/record"
)

// Query selects what a usage question covers.
type Query struct {
	Provider string
	// Principals are globs on the canonical principal id: * matches any run
	// of characters (including / and :), ? one character. None means all.
	Principals []string
	// Window bounds event times; zero bounds are open.
	Window synth.Window
	// IncludeDenied adds denied attempts to Accesses, marked Denied.
	IncludeDenied bool
}

// far bounds stand in for an open window.
var (
	farPast   = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	farFuture = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// bounds returns the window as UTC timestamps in DuckDB's text form: bound
// as time.Time, they would arrive as TIMESTAMPTZ and make DuckDB convert
// every stored time through the session's time zone.
func (q Query) bounds() (string, string) {
	from, to := farPast, farFuture
	if !q.Window.From.IsZero() {
		from = q.Window.From.UTC()
	}
	if !q.Window.To.IsZero() {
		to = q.Window.To.UTC()
	}
	const layout = "2006-01-02 15:04:05.999999"
	return from.Format(layout), to.Format(layout)
}

// eventsPerPartition bounds the events one usage query aggregates at once,
// so that a store of any size is queried in bounded memory.
const eventsPerPartition = 1_000_000

// EachAccesses calls fn with the usage the query covers, one Access per
// principal, action, resource, inferred and denied flag, in partitions: each
// call holds every access of some principals, sorted by principal, action and
// resource, and no principal appears in two calls. Large stores are split so
// that DuckDB and the caller both work in bounded memory. The partitioning is
// deterministic for a given store content and query.
func (s *Store) EachAccesses(ctx context.Context, q Query, fn func([]synth.Access) error) error {
	from, to := q.bounds()
	text, globArgs, err := query("count.sql", q.Principals, 4)
	if err != nil {
		return err
	}
	var n int64
	if err := s.db.QueryRowContext(ctx, text, append([]any{q.Provider, from, to}, globArgs...)...).Scan(&n); err != nil {
		return fmt.Errorf("counting events: %w", err)
	}
	per := s.eventsPerPartition
	if per <= 0 {
		per = eventsPerPartition
	}
	partitions := max(1, (n+per-1)/per)
	for p := int64(0); p < partitions; p++ {
		acc, err := s.accesses(ctx, q, partitions, p)
		if err != nil {
			return err
		}
		if len(acc) == 0 {
			continue
		}
		if err := fn(acc); err != nil {
			return err
		}
	}
	return nil
}

// Accesses returns all the usage the query covers at once, sorted; see
// EachAccesses for large stores.
func (s *Store) Accesses(ctx context.Context, q Query) ([]synth.Access, error) {
	return s.accesses(ctx, q, 1, 0)
}

func (s *Store) accesses(ctx context.Context, q Query, partitions, partition int64) ([]synth.Access, error) {
	text, globArgs, err := query("accesses.sql", q.Principals, 7)
	if err != nil {
		return nil, err
	}
	from, to := q.bounds()
	args := append([]any{q.Provider, from, to, q.IncludeDenied, partitions, partition}, globArgs...)
	rows, err := s.db.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, queryError("querying usage", err)
	}
	defer rows.Close()
	var out []synth.Access
	for rows.Next() {
		a := synth.Access{Provider: q.Provider}
		var regions, via, firstID, lastID string
		if err := rows.Scan(&a.Principal, &a.PrincipalKind, &a.Action, &a.Resource, &a.Inferred, &a.Denied,
			&a.Count, &a.First, &a.Last, &regions, &via, &firstID, &lastID); err != nil {
			return nil, fmt.Errorf("reading usage: %w", err)
		}
		a.First, a.Last = a.First.UTC(), a.Last.UTC()
		a.Regions = splitList(regions)
		a.Via = splitList(via)
		a.Samples = []string{firstID}
		if lastID != firstID {
			a.Samples = append(a.Samples, lastID)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError("reading usage", err)
	}
	return out, nil
}

// OutOfMemoryError says DuckDB hit the store's memory limit.
type OutOfMemoryError struct {
	Op  string
	Err error
}

func (e *OutOfMemoryError) Error() string {
	return fmt.Sprintf("%s: the store ran out of memory: %v", e.Op, firstLine(e.Err.Error()))
}

func (e *OutOfMemoryError) Unwrap() error { return e.Err }

func queryError(op string, err error) error {
	if strings.Contains(err.Error(), "Out of Memory") {
		return &OutOfMemoryError{Op: op, Err: err}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Principal summarizes one principal's activity in the window.
type Principal struct {
	Principal string
	Kind      string
	Events    int64            // distinct events, any outcome
	Denied    []Count          // denied attempts by action (or service:operation when unmapped)
	Unmapped  []UnmappedAction // operations no catalog action was found for
}

// Count is a name with how often it was seen.
type Count struct {
	Name  string
	Count int64
}

// UnmappedAction is an operation pare could not turn into a catalog action.
type UnmappedAction struct {
	Service, Operation string
	Reason             string
	Count              int64
	Sample             string // one event id
}

// Principals summarizes every principal the query covers, sorted.
func (s *Store) Principals(ctx context.Context, q Query) ([]Principal, error) {
	from, to := q.bounds()
	text, globArgs, err := query("principals.sql", q.Principals, 4)
	if err != nil {
		return nil, err
	}
	args := append([]any{q.Provider, from, to}, globArgs...)
	rows, err := s.db.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, queryError("querying principals", err)
	}
	var out []Principal
	index := make(map[string]int)
	for rows.Next() {
		var p Principal
		if err := rows.Scan(&p.Principal, &p.Kind, &p.Events); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading principals: %w", err)
		}
		index[p.Principal] = len(out)
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading principals: %w", err)
	}

	text, globArgs, err = query("denied.sql", q.Principals, 4)
	if err != nil {
		return nil, err
	}
	rows, err = s.db.QueryContext(ctx, text, append([]any{q.Provider, from, to}, globArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("querying denied attempts: %w", err)
	}
	for rows.Next() {
		var principal string
		var c Count
		if err := rows.Scan(&principal, &c.Name, &c.Count); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading denied attempts: %w", err)
		}
		if i, ok := index[principal]; ok {
			out[i].Denied = append(out[i].Denied, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading denied attempts: %w", err)
	}

	text, globArgs, err = query("unmapped.sql", q.Principals, 4)
	if err != nil {
		return nil, err
	}
	rows, err = s.db.QueryContext(ctx, text, append([]any{q.Provider, from, to}, globArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("querying unmapped actions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var principal string
		var u UnmappedAction
		if err := rows.Scan(&principal, &u.Service, &u.Operation, &u.Reason, &u.Count, &u.Sample); err != nil {
			return nil, fmt.Errorf("reading unmapped actions: %w", err)
		}
		if i, ok := index[principal]; ok {
			out[i].Unmapped = append(out[i].Unmapped, u)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading unmapped actions: %w", err)
	}
	return out, nil
}

// Bounds returns the times of the oldest and newest events stored for the
// provider; ok is false when there are none.
func (s *Store) Bounds(ctx context.Context, provider string) (oldest, newest time.Time, ok bool, err error) {
	var min, max *time.Time
	err = s.db.QueryRowContext(ctx, `SELECT min(time), max(time) FROM events WHERE provider = $1`, provider).Scan(&min, &max)
	if err != nil {
		return time.Time{}, time.Time{}, false, fmt.Errorf("querying event times: %w", err)
	}
	if min == nil || max == nil {
		return time.Time{}, time.Time{}, false, nil
	}
	return min.UTC(), max.UTC(), true, nil
}

// Problems returns the bad records recorded for stored inputs, in load order.
func (s *Store) Problems(ctx context.Context) ([]record.Problem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT input, record_index, message FROM problems ORDER BY source_id, record_index, message`)
	if err != nil {
		return nil, fmt.Errorf("querying problems: %w", err)
	}
	defer rows.Close()
	var out []record.Problem
	for rows.Next() {
		var p record.Problem
		if err := rows.Scan(&p.Input, &p.Index, &p.Message); err != nil {
			return nil, fmt.Errorf("reading problems: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
