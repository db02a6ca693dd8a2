// Package loganalytics reads Azure activity usage from a Log Analytics
// workspace (azure-logs://WORKSPACE_ID) by pushing the aggregation down to
// the service: one KQL summarize over the AzureActivity table per time slice
// returns (principal, operation, scope, outcome, count, first, last) rows,
// so only aggregates cross the network, never raw records.
//
// Slices are small enough to stay under the service's limits (500,000 rows,
// 64 MB, 10 minutes a query); a slice whose result comes back partial or
// near the row limit is split in halves and queried again, down to
// MinSlice. Throttling is retried with backoff. Rollups of all slices are
// merged and sorted, so the same window gives the same rows.
//
// It must never import DuckDB or the store: loading rollups is the job of
// usage. It never reads files, flags, the environment or the clock, and
// touches the network only through the LogsAPI it is given. The only text
// it puts into KQL is its own: constants and times it formats itself;
// nothing from a user or a log is ever spliced into a query. Strings in the
// rows it returns (callers, operations, resource ids) are
// attacker-controlled and are returned as recorded. Credentials come from
// azidentity and are never logged or stored.
package loganalytics
