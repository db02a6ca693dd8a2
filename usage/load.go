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
	"strings"
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

// Load reads each input with read and stores its events in transactions that
// each hold whole inputs: an input lands whole or not at all. Inputs already stored (same name
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
	stored, hashes, err := s.storedInputs(ctx, inputs)
	if err != nil {
		return LoadResult{}, err
	}
	content := &contentIndex{hashes: hashes}
	// The workers keep every core busy decoding; DuckDB's own threads
	// would only compete with them for the same cores.
	if _, err := s.db.ExecContext(ctx, `SET GLOBAL threads = 1`); err != nil {
		return LoadResult{}, fmt.Errorf("configuring store %s: %w", s.name(), err)
	}
	defer s.db.ExecContext(context.WithoutCancel(ctx), `RESET GLOBAL threads`)
	var lastID int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM sources`).Scan(&lastID); err != nil {
		return LoadResult{}, fmt.Errorf("reading sources: %w", err)
	}
	ids := &idAllocator{next: lastID}

	jobs := make(chan int)
	results := make(chan inputResult)
	errs := make(chan error, workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := s.newWorker(ctx, read, opts, ids, content)
			if err != nil {
				errs <- err
				cancel()
				return
			}
			defer w.close()
			for i := range jobs {
				if stored[inputKey{inputs[i].Name, inputs[i].Size}] {
					select {
					case results <- inputResult{order: i, unchanged: true}:
					case <-ctx.Done():
						return
					}
					continue
				}
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

	// Write everything loaded into the database file now, as part of the
	// load, rather than when the store closes.
	if s.path != "" {
		if _, err := s.db.ExecContext(ctx, `CHECKPOINT`); err != nil {
			return out, fmt.Errorf("checkpointing store %s: %w", s.name(), err)
		}
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

// rowsPerCommit is how many events make a worker commit: six of DuckDB's
// row groups. Big commits write compressed row groups straight to the
// database file instead of through its write-ahead log, and each commit
// leaves one partial row group for the final checkpoint to rewrite: with two
// row groups per commit that checkpoint took 0.7 s of a 1M-event load, with
// six 10 ms. A worker still commits after every input past this many rows,
// so an interrupted load keeps all but the last few hundred thousand.
const rowsPerCommit = 6 * 122880

// worker loads inputs on its own connection, in transactions that each hold
// several whole inputs. An input that fails while being read has its rows
// deleted inside the transaction, so every input is stored whole or not at
// all. What a worker had not committed when a load is interrupted is rolled
// back, and its inputs, having no sources row, load again next time.
type worker struct {
	s       *Store
	n       int64 // this worker's number, unique in its store
	read    record.ReadFunc
	opts    LoadOptions
	conn    *sql.Conn
	ids     *idAllocator
	content *contentIndex
	sameSHA *sql.Stmt // counts stored sources with a content hash
	sink    eventSink // open while a transaction is
	pending []pendingSource
	rows    int64
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

func (s *Store) newWorker(ctx context.Context, read record.ReadFunc, opts LoadOptions, ids *idAllocator, content *contentIndex) (*worker, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("connecting to store: %w", err)
	}
	sameSHA, err := conn.PrepareContext(ctx, `SELECT count(*) FROM sources WHERE sha256 = $1`)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("preparing source checks: %w", err)
	}
	return &worker{s: s, n: s.workers.Add(1), read: read, opts: opts, conn: conn, ids: ids, content: content, sameSHA: sameSHA}, nil
}

// idAllocator hands out source ids. A store file is held by one process at
// a time, so counting up from the largest stored id is enough.
type idAllocator struct {
	mu   sync.Mutex
	next int64
}

func (a *idAllocator) allocate() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.next++
	return a.next
}

type inputKey struct {
	name string
	size int64
}

// storedInputs returns which of inputs are stored already (same name and
// size), and the content hashes of stored sources of the same sizes as
// inputs: a copy of a stored file under another name has the same size, so
// these are all the hashes an input of known size can repeat.
func (s *Store) storedInputs(ctx context.Context, inputs []record.Input) (map[inputKey]bool, map[string]bool, error) {
	stored := make(map[inputKey]bool)
	hashes := make(map[string]bool)
	var names []any
	var sizes []any
	seenSize := make(map[int64]bool)
	for _, in := range inputs {
		names = append(names, in.Name)
		if in.Size >= 0 && !seenSize[in.Size] {
			seenSize[in.Size] = true
			sizes = append(sizes, in.Size)
		}
	}
	err := inBatches(ctx, s.db, `SELECT name, size FROM sources WHERE name IN (%s)`, names, func(rows *sql.Rows) error {
		var k inputKey
		if err := rows.Scan(&k.name, &k.size); err != nil {
			return err
		}
		stored[k] = true
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading sources: %w", err)
	}
	err = inBatches(ctx, s.db, `SELECT sha256 FROM sources WHERE size IN (%s)`, sizes, func(rows *sql.Rows) error {
		var sum string
		if err := rows.Scan(&sum); err != nil {
			return err
		}
		hashes[sum] = true
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading sources: %w", err)
	}
	return stored, hashes, nil
}

// inBatches runs query, whose %s takes a list of parameters, over values a
// thousand at a time, calling scan for each row.
func inBatches(ctx context.Context, db *sql.DB, query string, values []any, scan func(*sql.Rows) error) error {
	const batch = 1000
	for start := 0; start < len(values); start += batch {
		end := min(start+batch, len(values))
		marks := make([]string, 0, end-start)
		for i := range values[start:end] {
			marks = append(marks, fmt.Sprintf("$%d", i+1))
		}
		rows, err := db.QueryContext(ctx, fmt.Sprintf(query, strings.Join(marks, ",")), values[start:end]...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// contentIndex is the set of content hashes stored or being loaded, shared by
// a Load's workers so that two copies of one file load once.
type contentIndex struct {
	mu     sync.Mutex
	hashes map[string]bool
}

// add records sum and reports whether it was there already.
func (c *contentIndex) add(sum string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hashes[sum] {
		return true
	}
	c.hashes[sum] = true
	return false
}

// close rolls back whatever was not committed.
func (w *worker) close() {
	w.sameSHA.Close()
	if w.sink != nil {
		w.sink.discard()
		w.conn.ExecContext(context.Background(), "ROLLBACK")
	}
	w.conn.Close()
}

// begin starts a transaction and its event sink, unless one is open.
func (w *worker) begin(ctx context.Context) error {
	if w.sink != nil {
		return nil
	}
	if _, err := w.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("starting transaction: %w", err)
	}
	sink, err := newEventSink(ctx, w.conn, w.n)
	if err != nil {
		w.conn.ExecContext(ctx, "ROLLBACK")
		return fmt.Errorf("opening event sink: %w", err)
	}
	w.sink = sink
	return nil
}

// unstage deletes the uncommitted events of one input.
func (w *worker) unstage(ctx context.Context, id int64) error {
	if err := w.sink.flush(ctx); err != nil {
		return fmt.Errorf("storing events: %w", err)
	}
	if _, err := w.conn.ExecContext(ctx, `DELETE FROM events WHERE source_id = $1`, id); err != nil {
		return fmt.Errorf("removing events of a failed input: %w", err)
	}
	return nil
}

// sameContent reports whether content with this hash is stored or being
// loaded, and claims it when not. Stored hashes of inputs of known size were
// read when the Load started; for others the store is asked.
func (w *worker) sameContent(ctx context.Context, sum string, sizeKnown bool) (bool, error) {
	if !sizeKnown {
		var n int
		if err := w.sameSHA.QueryRowContext(ctx, sum).Scan(&n); err != nil {
			return false, fmt.Errorf("checking sources: %w", err)
		}
		if n > 0 {
			return true, nil
		}
	}
	return w.content.add(sum), nil
}

// load reads one input into the staging table. Problems with the input are
// reported in the result; an error means the store failed.
func (w *worker) load(ctx context.Context, in record.Input) (inputResult, error) {
	var res inputResult
	fail := func(msg string) (inputResult, error) {
		// The problem names the input; readers' errors often do too.
		msg = strings.TrimPrefix(msg, "reading "+in.Name+": ")
		msg = strings.TrimPrefix(msg, in.Name+": ")
		res.failed = true
		res.problems = append(res.problems, record.Problem{Input: in.Name, Index: -1, Message: msg})
		return res, nil
	}

	rc, err := in.Open(ctx)
	if err != nil {
		return fail(err.Error())
	}
	defer rc.Close()
	hr := &hashingReader{r: rc, h: sha256.New()}

	if err := w.begin(ctx); err != nil {
		return res, err
	}
	id := w.ids.allocate()
	emit := func(e *record.Event) error {
		return w.sink.add(ctx, e, id)
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
	dup, err := w.sameContent(ctx, sum, in.Size >= 0)
	if err != nil {
		return res, err
	}
	if dup {
		res.duplicate = true
		return res, w.unstage(ctx, id)
	}
	w.pending = append(w.pending, pendingSource{id: id, in: in, size: hr.n, sha256: sum, stats: stats, problems: stats.Problems})
	w.rows += int64(stats.Events)
	if w.rows >= rowsPerCommit {
		return res, w.commit(ctx)
	}
	return res, nil
}

// commit records the pending inputs and commits the transaction.
func (w *worker) commit(ctx context.Context) error {
	if w.sink == nil {
		return nil
	}
	err := w.sink.close(ctx)
	w.sink = nil
	if err != nil {
		w.conn.ExecContext(ctx, "ROLLBACK")
		return fmt.Errorf("storing events: %w", err)
	}
	if err := w.recordSources(ctx); err != nil {
		w.conn.ExecContext(ctx, "ROLLBACK")
		return err
	}
	if _, err := w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	w.pending = w.pending[:0]
	w.rows = 0
	return nil
}

// recordSources appends the sources and problems rows of the pending inputs.
func (w *worker) recordSources(ctx context.Context) error {
	loadedAt := w.s.now().UTC()
	return rawConn(w.conn, func(dc driver.Conn) error {
		sources, err := duckdb.NewAppender(dc, "", "", "sources")
		if err != nil {
			return fmt.Errorf("recording sources: %w", err)
		}
		problems, err := duckdb.NewAppender(dc, "", "", "problems")
		if err != nil {
			sources.Close()
			return fmt.Errorf("recording problems: %w", err)
		}
		for _, p := range w.pending {
			skipped, err := json.Marshal(sortedCounts(p.stats.Skipped))
			if err != nil {
				sources.Close()
				problems.Close()
				return err
			}
			if err := sources.AppendRow(p.id, p.in.Name, p.size, p.sha256, w.opts.Provider, loadedAt,
				int64(p.stats.Records), int64(p.stats.Events), string(skipped), int64(len(p.problems))); err != nil {
				sources.Close()
				problems.Close()
				return fmt.Errorf("recording source %s: %w", p.in.Name, err)
			}
			for _, pr := range p.problems {
				if err := problems.AppendRow(p.id, pr.Input, int32(pr.Index), pr.Message); err != nil {
					sources.Close()
					problems.Close()
					return fmt.Errorf("recording problems of %s: %w", p.in.Name, err)
				}
			}
		}
		if err := sources.Close(); err != nil {
			problems.Close()
			return fmt.Errorf("recording sources: %w", err)
		}
		if err := problems.Close(); err != nil {
			return fmt.Errorf("recording problems: %w", err)
		}
		return nil
	})
}

// sortedCounts is a map that encoding/json writes with sorted keys anyway;
// the named type documents that the order is relied upon.
type sortedCounts map[string]int
