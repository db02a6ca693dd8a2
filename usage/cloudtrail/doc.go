// Package cloudtrail decodes AWS CloudTrail content and normalizes its
// records into record.Events: one row per IAM action (and resource) a
// principal used in one request.
//
// It reads the three shapes CloudTrail content comes in, plain or gzipped,
// detected from the content and never from a file name: S3 delivery files
// ({"Records":[...]}), JSON Lines (CloudTrail Lake and Athena exports), and
// `aws cloudtrail lookup-events` output ({"Events":[{"CloudTrailEvent":"..."}]}).
// Bad records are reported as record.Problems with their index; the rest of
// the input still loads.
//
// Records are decoded by a small hand-written decoder that reads only the
// fields the reader uses, without allocating, and in S3 delivery files finds
// where each record ends in the same pass (decode.go). It declines anything
// unusual (escapes in a used field, duplicate or differently-cased keys,
// invalid JSON), and goccy/go-json then decodes the record: goccy stays the
// reference for what a record means, and FuzzDecodeFast checks the two agree.
//
// It must never import DuckDB or an AWS SDK: fetching content is the job of
// usage/cloudtrail/fetch and storing it the job of usage. Every string in a
// record is attacker-controlled: it is stored as-is, never interpreted,
// evaluated or used as a path.
package cloudtrail
