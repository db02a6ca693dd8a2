// Package retry paces the retries of calls to a cloud API that throttles:
// how many tries a call gets, how long to wait after each (a backoff that
// doubles up to a cap), and a wait that ends early when the context is
// done. It knows nothing of the APIs: what is retried, what counts as
// throttling, and what a server's Retry-After adds stay with each caller's
// loop.
package retry
