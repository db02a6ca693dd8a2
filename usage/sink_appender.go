//go:build !duckdb_arrow

package usage

import (
	"context"
	"database/sql"
	"database/sql/driver"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/leastpriv/pare/usage/record"
)

// Loader says how this build stores events; pare version prints it.
const Loader = "DuckDB appender (build with -tags duckdb_arrow to load faster)"

// appenderSink stores events through DuckDB's appender: one cgo call per
// value. Builds without the duckdb_arrow tag use it.
type appenderSink struct {
	app *duckdb.Appender
}

func newEventSink(_ context.Context, conn *sql.Conn, _ int64) (eventSink, error) {
	s := &appenderSink{}
	err := rawConn(conn, func(dc driver.Conn) error {
		var err error
		s.app, err = duckdb.NewAppenderWithColumns(dc, "", "", "events", eventColumns[:])
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (s *appenderSink) add(_ context.Context, e *record.Event, sourceID int64) error {
	return s.app.AppendRow(
		validUTF8(e.Provider), validUTF8(e.EventID), e.Time.UTC(), validUTF8(e.Principal),
		validUTF8(e.PrincipalKind), validUTF8(e.Session), validUTF8(e.Action), validUTF8(e.Resource),
		validUTF8(e.Scope), validUTF8(e.Region), validUTF8(string(e.Outcome)), validUTF8(e.ErrorCode),
		validUTF8(e.Via), validUTF8(e.Grant), e.Inferred, validUTF8(e.Service), validUTF8(e.Operation),
		validUTF8(e.Unmapped), sourceID, int32(e.Index), max(e.Weight, 1),
	)
}

func (s *appenderSink) flush(context.Context) error { return s.app.Flush() }

func (s *appenderSink) close(context.Context) error { return s.app.Close() }

// discard drops the rows the appender buffers (up to a whole transaction's)
// before closing it, which would store them.
func (s *appenderSink) discard() {
	s.app.Clear()
	s.app.Close()
}
