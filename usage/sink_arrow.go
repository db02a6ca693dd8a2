//go:build duckdb_arrow

package usage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/leastpriv/pare/usage/record"
)

// Loader says how this build stores events; pare version prints it.
const Loader = "Arrow batches (built with -tags duckdb_arrow)"

// arrowBatchRows is how many events an arrowSink gathers before handing
// them to DuckDB: enough that the statements per batch cost nothing next
// to the rows, few enough to stay a few MB.
const arrowBatchRows = 8 * 2048

// arrowSink stores events as Arrow record batches that DuckDB reads in
// place. Compared with the appender it makes no cgo call per value, and
// DuckDB copies each string once where the appender copies it twice (into
// its buffer, then into the table); on the Azure benchmark loads take
// 12-17% less CPU and a third less memory.
//
// DuckDB reads a batch through a view (the only way duckdb-go offers). The
// view is created in the main schema, inside the worker's transaction, and
// dropped in it right after the INSERT, so it is never visible to another
// connection nor left in the store; each worker of the store names its
// own, so two workers' transactions never touch the same catalog entry.
type arrowSink struct {
	conn   *sql.Conn
	arrow  *duckdb.Arrow
	schema *arrow.Schema
	rows   *array.RecordBuilder
	// The builders of rows' fields: the text columns in eventColumns order,
	// then the others.
	text     [16]*array.StringBuilder
	time     *array.TimestampBuilder
	inferred *array.BooleanBuilder
	sourceID *array.Int64Builder
	index    *array.Int32Builder
	weight   *array.Int64Builder
	n        int // rows in the builders
	view     string
	insert   string
	drop     string
}

func newEventSink(ctx context.Context, conn *sql.Conn, worker int64) (eventSink, error) {
	s := &arrowSink{conn: conn}
	err := rawConn(conn, func(dc driver.Conn) error {
		var err error
		s.arrow, err = duckdb.NewArrowFromConn(dc)
		return err
	})
	if err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(eventColumns))
	for i, name := range eventColumns {
		var t arrow.DataType = arrow.BinaryTypes.String
		switch name {
		case "time":
			t = &arrow.TimestampType{Unit: arrow.Microsecond} // DuckDB's TIMESTAMP
		case "inferred":
			t = arrow.FixedWidthTypes.Boolean
		case "source_id", "weight":
			t = arrow.PrimitiveTypes.Int64
		case "record_index":
			t = arrow.PrimitiveTypes.Int32
		}
		fields[i] = arrow.Field{Name: name, Type: t}
	}
	s.schema = arrow.NewSchema(fields, nil)
	s.rows = array.NewRecordBuilder(memory.NewGoAllocator(), s.schema)
	text := 0
	for i, name := range eventColumns {
		switch b := s.rows.Field(i).(type) {
		case *array.StringBuilder:
			s.text[text] = b
			text++
		case *array.TimestampBuilder:
			s.time = b
		case *array.BooleanBuilder:
			s.inferred = b
		case *array.Int32Builder:
			s.index = b
		case *array.Int64Builder:
			if name == "weight" {
				s.weight = b
			} else {
				s.sourceID = b
			}
		}
	}
	s.view = fmt.Sprintf("pare_event_batch_%d", worker)
	s.insert = fmt.Sprintf(`INSERT INTO events (%s) SELECT * FROM %s`, strings.Join(eventColumns[:], ", "), s.view)
	s.drop = "DROP VIEW " + s.view
	return s, nil
}

func (s *arrowSink) add(ctx context.Context, e *record.Event, sourceID int64) error {
	for i, v := range [len(s.text)]string{
		e.Provider, e.EventID, e.Principal, e.PrincipalKind, e.Session, e.Action, e.Resource, e.Scope,
		e.Region, string(e.Outcome), e.ErrorCode, e.Via, e.Grant, e.Service, e.Operation, e.Unmapped,
	} {
		s.text[i].Append(validUTF8(v))
	}
	s.time.Append(arrow.Timestamp(e.Time.UnixMicro()))
	s.inferred.Append(e.Inferred)
	s.sourceID.Append(sourceID)
	s.index.Append(int32(e.Index))
	s.weight.Append(max(e.Weight, 1))
	s.n++
	if s.n >= arrowBatchRows {
		return s.flush(ctx)
	}
	return nil
}

func (s *arrowSink) flush(ctx context.Context) error {
	if s.n == 0 {
		return nil
	}
	s.n = 0
	batch := s.rows.NewRecordBatch()
	defer batch.Release()
	reader, err := array.NewRecordReader(s.schema, []arrow.RecordBatch{batch})
	if err != nil {
		return err
	}
	defer reader.Release()
	release, err := s.arrow.RegisterView(reader, s.view)
	if err != nil {
		return err
	}
	defer release()
	if _, err := s.conn.ExecContext(ctx, s.insert); err != nil {
		return err
	}
	_, err = s.conn.ExecContext(ctx, s.drop)
	return err
}

func (s *arrowSink) close(ctx context.Context) error {
	err := s.flush(ctx)
	s.rows.Release()
	return err
}

func (s *arrowSink) discard() { s.rows.Release() }
