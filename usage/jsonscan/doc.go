// Package jsonscan splits a stream of JSON into raw values without decoding
// them, for the log readers of usage/... (usage/cloudtrail, usage/azure).
//
// A Scanner tracks only strings and brackets, which is enough to find where
// each record starts and ends; the reader then decodes records one by one,
// so that a bad record costs only itself. Memory is bounded: a value longer
// than the scanner's limit is skipped and reported by its size, never held,
// and nesting is bounded by MaxDepth. Structural errors are *SyntaxError
// with the byte offset of the (decompressed) input.
//
// It checks structure only: a value it returns may still be invalid JSON,
// and every byte of it is attacker-controlled. It must never decode, copy
// or interpret values, and never import anything but the standard library.
package jsonscan
