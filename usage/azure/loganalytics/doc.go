// Package loganalytics reads Azure activity usage from a Log Analytics
// workspace (azure-logs://WORKSPACE_ID) by pushing the aggregation down to
// the service: one KQL summarize over the AzureActivity table per time slice
// returns (principal, operation, scope, outcome, count, first, last) rows,
// so only aggregates cross the network, never raw records.
//
// Slices are small enough to stay under the service's limits (500,000 rows,
// 64 MB, 10 minutes a query); a slice whose result comes back partial or
// near the row limit is split in halves and queried again, down to
// MinSlice. Throttling is retried with backoff. Query merges the rollups of
// all slices and sorts them, so the same window gives the same rows;
// QuerySlices keeps them per slice.
//
// For the store, each slice becomes one in-memory record.Input (Input),
// named azure-logs://WORKSPACE/FROM/TO and holding the slice's rollups as
// JSON, that Reader.Read decodes into record.Events (Events) normalized like
// the Activity Log file reader's (usage/azure): a rollup becomes two Events
// at its first and last times, sharing one EventID and carrying its count
// as their Weight, so usage counts stay right and a window loaded twice adds
// nothing.
//
// It must never import DuckDB or the store: storing the Inputs is the job
// of usage. It never reads files, flags, the environment or the clock, and
// touches the network only through the LogsAPI it is given. The only text
// it puts into KQL is its own: constants and times it formats itself;
// nothing from a user or a log is ever spliced into a query. Strings in the
// rows it returns (callers, operations, resource ids) are
// attacker-controlled and are returned as recorded. Credentials come from
// azidentity and are never logged or stored.
package loganalytics
