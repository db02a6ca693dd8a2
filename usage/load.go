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
			conn, err := s.db.Conn(ctx)
			if err != nil {
				errs <- fmt.Errorf("connecting to store: %w", err)
				cancel()
				return
			}
			defer conn.Close()
			for i := range jobs {
				res, err := s.loadOne(ctx, conn, inputs[i], read, opts)
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

// loadOne loads one input in one transaction on conn. Problems with the input
// are reported in the result; an error means the store failed.
func (s *Store) loadOne(ctx context.Context, conn *sql.Conn, in record.Input, read record.ReadFunc, opts LoadOptions) (inputResult, error) {
	var res inputResult
	fail := func(msg string) (inputResult, error) {
		res.failed = true
		res.problems = append(res.problems, record.Problem{Input: in.Name, Index: -1, Message: msg})
		return res, nil
	}

	if in.Size >= 0 {
		var n int
		err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sources WHERE name = $1 AND size = $2`, in.Name, in.Size).Scan(&n)
		if err != nil {
			return res, fmt.Errorf("checking sources: %w", err)
		}
		if n > 0 {
			res.unchanged = true
			return res, nil
		}
	}

	rc, err := in.Open(ctx)
	if err != nil {
		return fail(err.Error())
	}
	defer rc.Close()
	hr := &hashingReader{r: rc, h: sha256.New()}

	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return res, fmt.Errorf("starting transaction: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			// The context may be done; roll back regardless.
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()

	var sourceID int64
	if err := conn.QueryRowContext(ctx, `SELECT nextval('source_ids')`).Scan(&sourceID); err != nil {
		return res, fmt.Errorf("allocating source id: %w", err)
	}

	var app *duckdb.Appender
	if err := rawConn(conn, func(dc driver.Conn) error {
		var err error
		app, err = duckdb.NewAppender(dc, "", "", "events")
		return err
	}); err != nil {
		return res, fmt.Errorf("opening appender: %w", err)
	}
	appClosed := false
	defer func() {
		if !appClosed {
			app.Close()
		}
	}()

	var strictErr error
	emit := func(e *record.Event) error {
		return app.AppendRow(
			e.Provider, e.EventID, e.Time.UTC(), e.Principal, e.PrincipalKind, e.Session,
			e.Action, e.Resource, e.Scope, e.Region, string(e.Outcome), e.ErrorCode, e.Via,
			e.Inferred, e.Service, e.Operation, e.Unmapped, sourceID, int32(e.Index),
		)
	}
	stats, readErr := read(ctx, in.Name, hr, emit)
	res.bytes = hr.n
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if readErr != nil {
		return fail(readErr.Error())
	}
	if opts.Strict && len(stats.Problems) > 0 {
		strictErr = fmt.Errorf("%d bad record(s)", len(stats.Problems))
	}
	// Hash the whole content, including anything after the last record.
	if _, err := io.Copy(io.Discard, hr); err != nil {
		return fail(fmt.Sprintf("reading: %v", err))
	}
	res.bytes = hr.n
	appClosed = true
	if err := app.Close(); err != nil {
		return res, fmt.Errorf("storing events of %s: %w", in.Name, err)
	}
	res.stats = stats
	res.problems = append(res.problems, stats.Problems...)
	if strictErr != nil {
		res.failed = true
		return res, nil
	}

	sum := hex.EncodeToString(hr.h.Sum(nil))
	var dup int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sources WHERE sha256 = $1`, sum).Scan(&dup); err != nil {
		return res, fmt.Errorf("checking sources: %w", err)
	}
	if dup > 0 {
		res.duplicate = true
		return res, nil
	}

	skipped, err := json.Marshal(sortedCounts(stats.Skipped))
	if err != nil {
		return res, err
	}
	if _, err := conn.ExecContext(ctx,
		`INSERT INTO sources VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		sourceID, in.Name, hr.n, sum, opts.Provider, s.now().UTC(), stats.Records, stats.Events, string(skipped), len(stats.Problems),
	); err != nil {
		return res, fmt.Errorf("recording source %s: %w", in.Name, err)
	}
	for _, p := range stats.Problems {
		if _, err := conn.ExecContext(ctx, `INSERT INTO problems VALUES ($1, $2, $3, $4)`, sourceID, p.Input, p.Index, p.Message); err != nil {
			return res, fmt.Errorf("recording problems of %s: %w", in.Name, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return res, fmt.Errorf("committing %s: %w", in.Name, err)
	}
	committed = true
	return res, nil
}

// sortedCounts is a map that encoding/json writes with sorted keys anyway;
// the named type documents that the order is relied upon.
type sortedCounts map[string]int
