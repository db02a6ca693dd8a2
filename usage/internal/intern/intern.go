package intern

import "hash/maphash"

// Table is a direct-mapped cache of strings, indexed by a hash of their
// bytes.
type Table struct {
	slots []string
	max   int // longest string kept
	seed  maphash.Seed
}

// New returns an empty Table of size slots (a power of two) that keeps
// strings of up to max bytes.
func New(size, max int) *Table {
	if size <= 0 || size&(size-1) != 0 {
		panic("intern: size not a power of two")
	}
	return &Table{slots: make([]string, size), max: max, seed: maphash.MakeSeed()}
}

// String returns b as a string, the same one for the same bytes while it
// stays in the table.
func (t *Table) String(b []byte) string {
	if len(b) == 0 || len(b) > t.max {
		return string(b)
	}
	slot := &t.slots[maphash.Bytes(t.seed, b)&uint64(len(t.slots)-1)]
	if *slot != string(b) {
		*slot = string(b)
	}
	return *slot
}
