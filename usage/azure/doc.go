// Package azure decodes Azure Activity Log content and normalizes its
// records into record.Events: one row per operation a principal made.
//
// It reads the shapes Activity Log content comes in, plain or gzipped,
// detected from the content and never from a file name: the
// diagnostic-settings export to a storage account or an Event Hub
// ({"records":[...]}, one such object a line, or JSON Lines of records), the
// REST API and portal shape ({"value":[...],"nextLink":...}), and
// `az monitor activity-log list` output (a JSON array of REST records). A
// record index counts records from 0 across the whole input, through any
// wrappers. Bad records are reported as record.Problems with their index;
// the rest of the input still loads.
//
// Decoding (decode.go, fastdecode.go): a one-pass decoder reads the fields
// the reader uses as slices of the record's bytes, straight from the
// scanner's buffer when a record is all in it. It takes only records it is
// sure of (valid JSON, no duplicate or differently-cased field keys, the
// usual types); goccy decodes the others and is the reference the fast
// decoder is fuzzed against. Strings an Event keeps are interned in caches
// that a Reader's pooled workspaces keep from one Read to the next; they
// never change what is emitted.
//
// Normalization (normalize.go):
//
//   - Only the Administrative category is kept (properties.eventCategory
//     when present, else category; the older export's "Write", "Delete" and
//     "Action" categories count as Administrative, and so does a record
//     without a category that has an authorization block, as older REST
//     records do). Other categories are counted in Stats.Skipped by name.
//   - One logical operation gives one Event: the
//     Started / Accepted / BeginRequest halves are held back and dropped
//     when the outcome of the same operation is in the same input. A half
//     whose outcome is not in the input is emitted, as allowed (Azure
//     Resource Manager logs it only after authorization passed), when the
//     input ends.
//   - EventID is "azure:" and the hex of the first 16 bytes of a SHA-256 of
//     the lower-cased correlationId, operation name and resource id. It is
//     the same for both halves of an operation, for every shape and for the
//     same record in two exports. operationId is left out on purpose: the
//     diagnostic export does not carry it, and with it the REST copy and
//     the exported copy of one operation would count twice. A record
//     without correlationId falls back to its eventDataId, then to a hash of
//     its bytes.
//   - Principal is the object id from the claims (oid), else
//     authorization.evidence.principalId, lower-cased, with the 32-digit
//     form of the evidence written with dashes so both spell one GUID.
//     PrincipalKind is managed-identity (an xms_mirid claim), user,
//     service-principal, or the evidence's principalType lower-cased.
//     Session is for display: the UPN (or name claim), the managed
//     identity's resource id, the app id or the caller. A record with no
//     object id (an identity that is only a string) is a Problem.
//   - Action is the operation name in the catalog's casing; an operation
//     the catalog does not know gives an Event with Action "" and Unmapped
//     set. Resource is the resource id as recorded. Scope is
//     /subscriptions/<id>/resourceGroups/<name> (or /subscriptions/<id>,
//     or a management group, or "/" for the tenant) with the fixed words in
//     their canonical casing and the subscription id and resource group name
//     lower-cased: Azure compares both case-insensitively, and records of
//     one group come with any casing.
//   - Outcome is denied for AuthorizationFailed, LinkedAuthorizationFailed,
//     Forbidden and 403, error for other failures (and cancellations),
//     allowed for successes.
//   - The Activity Log records writes, deletes and actions, never reads. The
//     reads they imply are not stored: synth/azure.InferReads adds them,
//     marked inferred, when roles are synthesized.
//
// It must never import DuckDB or an Azure SDK: fetching content is the job
// of another package and storing it the job of usage. Every string in a
// record is attacker-controlled: it is stored as-is, never interpreted,
// evaluated or used as a path.
package azure
