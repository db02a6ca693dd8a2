package usage

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/leastpriv/pare/usage/record"
)

// eventSink stores a worker's events in the events table, inside the
// transaction open on the worker's connection. Two implementations exist,
// chosen at build time: with the duckdb_arrow build tag (what `make build`
// uses) events go to DuckDB as Arrow record batches (sink_arrow.go);
// without it, through DuckDB's appender (sink_appender.go). Both store the
// same rows.
type eventSink interface {
	// add buffers e, read from the source with id sourceID.
	add(ctx context.Context, e *record.Event, sourceID int64) error
	// flush stores everything added so far.
	flush(ctx context.Context) error
	// close flushes and releases the sink.
	close(ctx context.Context) error
	// discard releases the sink without storing what it holds, for a
	// transaction about to be rolled back.
	discard()
}

// eventColumns are the events table's columns in the order sinks write them.
var eventColumns = [...]string{
	"provider", "event_id", "time", "principal", "principal_kind", "session",
	"action", "resource", "scope", "region", "outcome", "error_code", "via", "grant_ref",
	"inferred", "service", "operation", "unmapped", "source_id", "record_index", "weight",
}

// validUTF8 returns s with invalid UTF-8 replaced by U+FFFD: DuckDB's
// VARCHAR holds only valid UTF-8, and logs are not trusted to.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
