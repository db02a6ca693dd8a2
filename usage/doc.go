// Package usage is pare's store: a DuckDB database (in memory by default, a
// file when asked) that holds every normalized event, every input loaded, and
// later the grants and snapshots, and answers usage queries with
// []synth.Access.
//
// usage owns the schema; its SQL lives in embedded .sql files under sql/. It
// loads inputs idempotently, in transactions that each hold whole inputs, so
// an interrupted load leaves no input half-written and the next load resumes.
// Events reach DuckDB through an eventSink: Arrow record batches when built
// with the duckdb_arrow tag (as make does), DuckDB's appender otherwise.
// It answers usage queries in partitions of whole principals, so memory stays
// bounded however large the store grows.
//
// It must never import emit, read flags, print, or decide policy: source
// families (usage/cloudtrail, ...) turn raw records into record.Events, and
// synth turns accesses into policies.
package usage
