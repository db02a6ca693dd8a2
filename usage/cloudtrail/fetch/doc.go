// Package fetch lists CloudTrail logs that live in AWS rather than on disk and
// hands them out as record.Inputs: log objects of a trail's S3 bucket
// (s3://BUCKET/PREFIX), and days of the LookupEvents API
// (cloudtrail://REGION), streamed in the `aws cloudtrail lookup-events` JSON
// shape so the CloudTrail reader decodes them like a file.
//
// It only lists and opens. It must never decode records, import DuckDB or the
// store, read files, or touch the network except through the S3API and
// LookupAPI it is given; it keeps no state between calls. Credentials come
// from the AWS SDK's default chain and are never logged or stored.
package fetch
