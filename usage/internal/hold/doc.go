// Package hold keeps what a log reader holds back until a later record
// settles it: the start half of an Azure operation until its outcome, an
// earlier stage of a Kubernetes request until its final one.
//
// A Queue keeps the held values in the order they were held, so that what
// is never settled is emitted in record order at the end of the input. It
// is used by one goroutine at a time, and reuses its memory from one input
// to the next. It knows nothing of records or events: what is held, when,
// and what settles it stay in each reader.
package hold
