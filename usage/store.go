package usage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

// Store is an open pare store. It is safe for concurrent use.
type Store struct {
	db        *sql.DB
	connector *duckdb.Connector
	path      string
	now       func() time.Time
	// workers numbers the load workers the store has had, so that each
	// names its own event batch view (sink_arrow.go).
	workers atomic.Int64

	// eventsPerPartition overrides the package's constant in tests.
	eventsPerPartition int64
}

// Options configure Open.
type Options struct {
	// Path is the database file; "" keeps the store in memory.
	Path string
	// Now is the clock used for load times; nil means time.Now.
	Now func() time.Time
	// MemoryLimit caps DuckDB's memory for a file store (DuckDB syntax,
	// e.g. "2GB"); past it, DuckDB spills to a temporary folder beside the
	// file. "" means DefaultMemoryLimit. An in-memory store keeps DuckDB's
	// default, since its data must stay in memory.
	MemoryLimit string
}

// DefaultMemoryLimit keeps a file store's memory flat however much it holds.
const DefaultMemoryLimit = "512MB"

// InUseError says another process holds the database file.
type InUseError struct {
	Path string
	PID  string // "" when DuckDB did not say
}

func (e *InUseError) Error() string {
	if e.PID != "" {
		return fmt.Sprintf("store %s is in use by another pare process (PID %s)", e.Path, e.PID)
	}
	return fmt.Sprintf("store %s is in use by another process", e.Path)
}

var lockPID = regexp.MustCompile(`\(PID (\d+)\)`)

// Open opens (creating if needed) the store and brings its schema up to date.
func Open(ctx context.Context, opts Options) (*Store, error) {
	connector, err := duckdb.NewConnector(opts.Path, nil)
	if err != nil {
		return nil, openError(opts.Path, err)
	}
	db := sql.OpenDB(connector)
	s := &Store{db: db, connector: connector, path: opts.Path, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	// pare never relies on insertion order (every query sorts), and not
	// keeping it lets DuckDB load and aggregate in less memory.
	settings := []string{`SET GLOBAL preserve_insertion_order = false`}
	if opts.Path != "" {
		limit := opts.MemoryLimit
		if limit == "" {
			limit = DefaultMemoryLimit
		}
		settings = append(settings, fmt.Sprintf(`SET GLOBAL memory_limit = '%s'`, strings.ReplaceAll(limit, "'", "")))
	}
	for _, q := range settings {
		if _, err := db.ExecContext(ctx, q); err != nil {
			s.Close()
			return nil, fmt.Errorf("configuring store %s: %w", s.name(), err)
		}
	}
	schema, err := sqlFiles.ReadFile("sql/schema.sql")
	if err != nil {
		s.Close()
		return nil, err
	}
	if _, err := db.ExecContext(ctx, string(schema)); err != nil {
		s.Close()
		return nil, openError(opts.Path, err)
	}
	var version string
	if err := db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&version); err != nil {
		s.Close()
		return nil, fmt.Errorf("reading schema version of %s: %w", s.name(), err)
	}
	if version != "1" {
		s.Close()
		return nil, fmt.Errorf("store %s has schema version %s; this pare knows version 1", s.name(), version)
	}
	return s, nil
}

func openError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock") {
		pid := ""
		if m := lockPID.FindStringSubmatch(msg); m != nil {
			pid = m[1]
		}
		return &InUseError{Path: path, PID: pid}
	}
	if path == "" {
		return fmt.Errorf("opening in-memory store: %w", err)
	}
	return fmt.Errorf("opening store %s: %w", path, err)
}

func (s *Store) name() string {
	if s.path == "" {
		return "(in memory)"
	}
	return s.path
}

// Close releases the database.
func (s *Store) Close() error {
	err := s.db.Close()
	if cerr := s.connector.Close(); err == nil {
		err = cerr
	}
	return err
}

// query returns the embedded SQL file name with its {{PRINCIPALS}} filter
// filled for the given principal globs. Arguments for the globs are numbered
// from first.
func query(name string, globs []string, first int) (string, []any, error) {
	b, err := sqlFiles.ReadFile("sql/" + name)
	if err != nil {
		return "", nil, err
	}
	filter, args := principalFilter(globs, first)
	return strings.Replace(string(b), "{{PRINCIPALS}}", filter, 1), args, nil
}

// principalFilter turns principal globs (* matches any run of characters,
// ? one character) into an SQL condition on the principal column.
func principalFilter(globs []string, first int) (string, []any) {
	if len(globs) == 0 {
		return "", nil
	}
	var conds []string
	var args []any
	for i, g := range globs {
		conds = append(conds, fmt.Sprintf(`principal LIKE $%d ESCAPE '\'`, first+i))
		args = append(args, globToLike(g))
	}
	return "AND (" + strings.Join(conds, " OR ") + ")", args
}

func globToLike(glob string) string {
	var b strings.Builder
	for _, r := range glob {
		switch r {
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		case '%', '_', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// rawConn runs f with the DuckDB driver connection underneath c.
func rawConn(c *sql.Conn, f func(driver.Conn) error) error {
	return c.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return errors.New("not a DuckDB connection")
		}
		return f(conn)
	})
}
