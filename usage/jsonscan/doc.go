// Package jsonscan splits a stream of JSON into raw values without decoding
// them, for the log readers of usage/... (usage/cloudtrail, usage/azure,
// usage/k8s).
//
// A Scanner tracks only strings and brackets, which is enough to find where
// each record starts and ends; the reader then decodes records one by one,
// so that a bad record costs only itself. Memory is bounded: a value longer
// than the scanner's limit is skipped and reported by its size, never held,
// and nesting is bounded by MaxDepth. Structural errors are *SyntaxError
// with the byte offset of the (decompressed) input.
//
// A Decoder is the other half: the JSON primitives of each reader's
// one-pass decoder, which walks one record, keeping the fields the reader
// uses as views into its bytes. It declines (reports false for) anything
// but the common shape of a record, which the reader then decodes with its
// slow path, so it must accept only what that path accepts and read it the
// same way. The field tables and what a record means stay in each reader.
//
// An Input is the memory a reader reuses from one input to the next, and
// detects gzip by its magic bytes.
//
// Beside them are the small helpers every reader needs: ASCII case folding
// without allocating (fold.go), and what the slow paths, which decode with
// goccy what a Decoder declines, share (slow.go).
//
// The Scanner checks structure only: a value it returns may still be
// invalid JSON, and every byte of it is attacker-controlled. Neither type
// may interpret values (no format's field names or semantics here), panic
// on any input, or import anything but the standard library and
// klauspost/compress's gzip.
package jsonscan
