// Package record holds the shapes every source family produces and the store
// consumes: the normalized Event row, the Input a loader reads, and the
// Problems and Stats a read reports.
//
// It is plain data. It must never import DuckDB, a cloud SDK or a source
// family's package, so that readers and the store can both depend on it.
package record
