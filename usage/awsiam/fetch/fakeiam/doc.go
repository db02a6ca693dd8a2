// Package fakeiam is an HTTP server that speaks just enough of the IAM
// Query protocol (form-encoded POST, XML responses) for the real
// aws-sdk-go-v2 IAM client to page through GetAccountAuthorizationDetails
// in tests: policy documents URL-encoded as the real API sends them,
// IsTruncated/Marker paging, error responses on demand. It records the
// calls it sees.
//
// It is test support. It must never be imported by non-test code, listen on
// anything but the loopback address, or reach the network.
package fakeiam
