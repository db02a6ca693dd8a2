// Package intern turns the bytes a log reader decodes into strings,
// making one string per distinct value rather than one per record.
//
// Principals, regions, operations and resource ids repeat from record to
// record, so a reader keeps a Table of the strings it made and hands out
// the same one for the same bytes. A Table is bounded and keyed by the
// input: it is a direct-mapped cache, where a new string replaces the one
// in its slot, so a look-up costs one hash and one compare whatever the
// input holds. It never changes what a string says, only whether it is
// shared; it is used by one goroutine at a time.
package intern
