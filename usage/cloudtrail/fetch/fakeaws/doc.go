// Package fakeaws holds small HTTP servers that speak just enough of the S3
// and CloudTrail protocols for the real AWS SDK clients to talk to them in
// tests: ListObjectsV2 and GetObject for S3, LookupEvents (JSON 1.1) for
// CloudTrail. They record the requests they see so tests can count them.
//
// It is test support. It must never be imported by non-test code, listen on
// anything but the loopback address, or reach the network.
package fakeaws
