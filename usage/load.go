package usage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"runtime"
	"sort"
	"sync"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/leastpriv/pare/usage/record"
)

// LoadOptions configure Load.
type LoadOptions struct {
	Provider string // "aws"
	// Workers is how many inputs load at once; 0 means the number of CPUs.
	Workers int
	// Strict fails an input on its first bad record instead of loading the rest of it.
	Strict bool
	// Progress, when set, is called after each input with the totals so far.
	// Calls come from one goroutine at a time.
	Progress func(Progress)
}

// Progress is the state of a Load.
type Progress struct {
	Done, Total int   // inputs
	Bytes       int64 // raw bytes read so far
	Events      int64 // events stored so far
}

// LoadResult says what a Load did.
type LoadResult struct {
	Loaded     int   // inputs stored by this load
	Unchanged  int   // inputs already in the store (same name and size)
	Duplicates int   // inputs whose content was already stored under another name
	Failed     int   // inputs that could not be loaded at all
	Records    int64 // records read in loaded inputs
	Events     int64 // events stored
	Bytes      int64 // raw bytes read
	Skipped    map[string]int
	// Problems are bad records (the rest of their input loaded) and failed
	// inputs (Index -1), in input order.
	Problems []record.Problem
}

// ErrStrict is returned by Load when Strict is set and an input had a bad record.
var ErrStrict = errors.New("bad records with --strict")

type inputResult struct {
	order     int
	unchanged bool
	duplicate bool
	failed    bool
	bytes     int64
	stats     record.Stats
	problems  []record.Problem
}

// Load reads each input with read and stores its events, one transaction per
// input: an input lands whole or not at all. Inputs already stored (same name
// and size, or same content) are skipped, so loading twice adds nothing and an
// interrupted load resumes. Inputs that fail are reported in the result and do
// not stop the others; Load returns an error only when the store itself fails,
// the context ends, or Strict is set and something was bad.
func (s *Store) Load(ctx context.Context, inputs []record.Input, read record.ReadFunc, opts LoadOptions) (LoadResult, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	if workers > len(inputs) {
		workers = len(inputs)
	}
	jobs := make(chan int)
	results := make(chan inputResult)
	errs := make(chan error, workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := s.newWorker(ctx, read, opts)
			if err != nil {
				errs <- err
				cancel()
				return
			}
			defer w.close()
			for i := range jobs {
				res, err := w.load(ctx, inputs[i])
				if err != nil {
					errs <- err
					cancel()
					return
				}
				res.order = i
				select {
				case results <- res:
				case <-ctx.Done():
					return
				}
			}
			if err := w.commit(ctx); err != nil {
				errs <- err
				cancel()
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range inputs {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	var out LoadResult
	all := make([]inputResult, 0, len(inputs))
	var progress Progress
	progress.Total = len(inputs)
	for res := range results {
		all = append(all, res)
		progress.Done++
		progress.Bytes += res.bytes
		if !res.failed && !res.unchanged && !res.duplicate {
			progress.Events += int64(res.stats.Events)
		}
		if opts.Progress != nil {
			opts.Progress(progress)
		}
	}
	close(errs)
	if err := <-errs; err != nil {
		return out, err
	}
	if err := ctx.Err(); err != nil {
		return out, err
	}

	sort.Slice(all, func(i, j int) bool { return all[i].order < all[j].order })
	strictFailed := false
	for _, res := range all {
		out.Bytes += res.bytes
		out.Problems = append(out.Problems, res.problems...)
		switch {
		case res.failed:
			out.Failed++
			strictFailed = true
		case res.unchanged:
			out.Unchanged++
		case res.duplicate:
			out.Duplicates++
		default:
			out.Loaded++
			out.Records += int64(res.stats.Records)
			out.Events += int64(res.stats.Events)
			for reason, n := range res.stats.Skipped {
				if out.Skipped == nil {
					out.Skipped = make(map[string]int)
				}
				out.Skipped[reason] += n
			}
		}
	}
	if opts.Strict && strictFailed {
		return out, ErrStrict
	}
	return out, nil
}

// hashingReader hashes and counts what is read through it.
type hashingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

// stagedRowsPerCommit is how many staged events make a worker commit: two
// of DuckDB's row groups, so big commits write compressed row groups
// straight to the database instead of through its write-ahead log.
const stagedRowsPerCommit = 2 * 122880

// worker loads inputs on its own connection. Each input's events are
// appended to a connection-local staging table; once enough are staged, one
// transaction moves them into events together with the inputs' sources rows.
// An input is therefore stored whole or not at all, and one that fails while
// being read is simply deleted from the staging table. What was staged but
// not committed when a load is interrupted is lost with the connection, and
// its inputs, having no sources row, load again next time.
type worker struct {
	s       *Store
	read    record.ReadFunc
	opts    LoadOptions
	conn    *sql.Conn
	app     *duckdb.Appender
	pending []pendingSource
	staged  int64
}

// pendingSource is a read input waiting for its worker's next commit.
type pendingSource struct {
	id       int64
	in       record.Input
	size     int64
	sha256   string
	stats    record.Stats
	problems []record.Problem
}

func (s *Store) newWorker(ctx context.Context, read record.ReadFunc, opts LoadOptions) (*worker, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("connecting to store: %w", err)
	}
	w := &worker{s: s, read: read, opts: opts, conn: conn}
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE stage AS SELECT * FROM events LIMIT 0`); err != nil {
		conn.Close()
		return nil, fmt.Errorf("creating staging table: %w", err)
	}
	if err := rawConn(conn, func(dc driver.Conn) error {
		var err error
		w.app, err = duckdb.NewAppender(dc, "temp", "main", "stage")
		return err
	}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("opening appender: %w", err)
	}
	return w, nil
}

func (w *worker) close() {
	w.app.Close()
	w.conn.Close()
}

// unstage drops the staged events of one input.
func (w *worker) unstage(ctx context.Context, id int64) error {
	if err := w.app.Flush(); err != nil {
		return fmt.Errorf("staging events: %w", err)
	}
	if _, err := w.conn.ExecContext(ctx, `DELETE FROM stage WHERE source_id = $1`, id); err != nil {
		return fmt.Errorf("clearing staged events: %w", err)
	}
	return nil
}

// known reports whether an input with this name and size, or this content,
// is stored or pending.
func (w *worker) known(ctx context.Context, column string, value any, size int64) (bool, error) {
	for _, p := range w.pending {
		if column == "name" && p.in.Name == value && p.size == size || column == "sha256" && p.sha256 == value {
			return true, nil
		}
	}
	var n int
	var err error
	if column == "name" {
		err = w.conn.QueryRowContext(ctx, `SELECT count(*) FROM sources WHERE name = $1 AND size = $2`, value, size).Scan(&n)
	} else {
		err = w.conn.QueryRowContext(ctx, `SELECT count(*) FROM sources WHERE sha256 = $1`, value).Scan(&n)
	}
	if err != nil {
		return false, fmt.Errorf("checking sources: %w", err)
	}
	return n > 0, nil
}

// load reads one input into the staging table. Problems with the input are
// reported in the result; an error means the store failed.
func (w *worker) load(ctx context.Context, in record.Input) (inputResult, error) {
	var res inputResult
	fail := func(msg string) (inputResult, error) {
		res.failed = true
		res.problems = append(res.problems, record.Problem{Input: in.Name, Index: -1, Message: msg})
		return res, nil
	}

	if in.Size >= 0 {
		known, err := w.known(ctx, "name", in.Name, in.Size)
		if err != nil || known {
			res.unchanged = known
			return res, err
		}
	}

	rc, err := in.Open(ctx)
	if err != nil {
		return fail(err.Error())
	}
	defer rc.Close()
	hr := &hashingReader{r: rc, h: sha256.New()}

	var id int64
	if err := w.conn.QueryRowContext(ctx, `SELECT nextval('source_ids')`).Scan(&id); err != nil {
		return res, fmt.Errorf("allocating source id: %w", err)
	}
	emit := func(e *record.Event) error {
		return w.app.AppendRow(
			e.Provider, e.EventID, e.Time.UTC(), e.Principal, e.PrincipalKind, e.Session,
			e.Action, e.Resource, e.Scope, e.Region, string(e.Outcome), e.ErrorCode, e.Via,
			e.Inferred, e.Service, e.Operation, e.Unmapped, id, int32(e.Index),
		)
	}
	stats, readErr := w.read(ctx, in.Name, hr, emit)
	res.bytes = hr.n
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if readErr == nil {
		// Hash the whole content, including anything after the last record.
		if _, err := io.Copy(io.Discard, hr); err != nil {
			readErr = fmt.Errorf("reading: %w", err)
		}
		res.bytes = hr.n
	}
	if readErr != nil {
		if err := w.unstage(ctx, id); err != nil {
			return res, err
		}
		return fail(readErr.Error())
	}
	res.stats = stats
	res.problems = append(res.problems, stats.Problems...)
	if w.opts.Strict && len(stats.Problems) > 0 {
		res.failed = true
		return res, w.unstage(ctx, id)
	}

	sum := hex.EncodeToString(hr.h.Sum(nil))
	dup, err := w.known(ctx, "sha256", sum, 0)
	if err != nil {
		return res, err
	}
	if dup {
		res.duplicate = true
		return res, w.unstage(ctx, id)
	}
	w.pending = append(w.pending, pendingSource{id: id, in: in, size: hr.n, sha256: sum, stats: stats, problems: stats.Problems})
	w.staged += int64(stats.Events)
	if w.staged >= stagedRowsPerCommit {
		return res, w.commit(ctx)
	}
	return res, nil
}

// commit moves everything staged into the store in one transaction.
func (w *worker) commit(ctx context.Context) error {
	if len(w.pending) == 0 {
		return nil
	}
	if err := w.app.Flush(); err != nil {
		return fmt.Errorf("staging events: %w", err)
	}
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("starting transaction: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO events SELECT * FROM stage`); err != nil {
		return fmt.Errorf("storing events: %w", err)
	}
	insertSource, err := tx.PrepareContext(ctx, `INSERT INTO sources VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`)
	if err != nil {
		return fmt.Errorf("recording sources: %w", err)
	}
	defer insertSource.Close()
	loadedAt := w.s.now().UTC()
	for _, p := range w.pending {
		skipped, err := json.Marshal(sortedCounts(p.stats.Skipped))
		if err != nil {
			return err
		}
		if _, err := insertSource.ExecContext(ctx, p.id, p.in.Name, p.size, p.sha256, w.opts.Provider, loadedAt,
			p.stats.Records, p.stats.Events, string(skipped), len(p.problems)); err != nil {
			return fmt.Errorf("recording source %s: %w", p.in.Name, err)
		}
		for _, pr := range p.problems {
			if _, err := tx.ExecContext(ctx, `INSERT INTO problems VALUES ($1, $2, $3, $4)`, p.id, pr.Input, pr.Index, pr.Message); err != nil {
				return fmt.Errorf("recording problems of %s: %w", p.in.Name, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	if _, err := w.conn.ExecContext(ctx, `DELETE FROM stage`); err != nil {
		return fmt.Errorf("clearing staging table: %w", err)
	}
	w.pending = w.pending[:0]
	w.staged = 0
	return nil
}

// sortedCounts is a map that encoding/json writes with sorted keys anyway;
// the named type documents that the order is relied upon.
type sortedCounts map[string]int
