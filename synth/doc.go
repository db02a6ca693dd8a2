// Package synth is pare's model and its pure synthesizers: the accesses that
// usage queries return, the policies built from them, and the evaluators that
// check a policy allows what was used.
//
// synth imports only the standard library and its own sub-packages. It must
// never touch DuckDB, the network, files, flags, the environment or the
// clock: everything it needs is passed in, so the same input always gives the
// same output.
package synth
