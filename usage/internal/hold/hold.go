package hold

// Queue holds values by key, in the order they were held.
//
// The zero Queue is empty and ready to use.
type Queue[K comparable, V any] struct {
	// entries holds the values in the order they were held; a dropped
	// one stays as a dead entry until it is trimmed from the tail or the
	// entries are compacted. at indexes the live ones by key, and dead
	// counts the dead ones.
	entries []entry[K, V]
	at      map[K]int
	dead    int
}

type entry[K comparable, V any] struct {
	key  K
	live bool
	v    V
}

// Len returns the number of values held.
func (q *Queue[K, V]) Len() int { return len(q.at) }

// Find returns the value held under key. The pointer is valid until the
// next Hold, Drop, Flush or Reset.
func (q *Queue[K, V]) Find(key K) (*V, bool) {
	k, ok := q.at[key]
	if !ok {
		return nil, false
	}
	return &q.entries[k].v, true
}

// Hold holds v under key, after the values held before it. Nothing may be
// held under key already.
func (q *Queue[K, V]) Hold(key K, v V) {
	if q.at == nil {
		q.at = make(map[K]int)
	}
	q.at[key] = len(q.entries)
	q.entries = append(q.entries, entry[K, V]{key: key, live: true, v: v})
}

// Drop forgets the value held under key, keeping the others in order. It
// reports whether there was one.
func (q *Queue[K, V]) Drop(key K) bool {
	k, ok := q.at[key]
	if !ok {
		return false
	}
	delete(q.at, key)
	q.entries[k] = entry[K, V]{}
	q.dead++
	for len(q.entries) > 0 && !q.entries[len(q.entries)-1].live {
		q.entries = q.entries[:len(q.entries)-1]
		q.dead--
	}
	if q.dead < 1024 || q.dead < len(q.at) {
		return true
	}
	// Mostly dropped: move the live ones down, in order.
	live := q.entries[:0]
	for _, e := range q.entries {
		if e.live {
			live = append(live, e)
		}
	}
	clear(q.entries[len(live):])
	q.entries = live
	q.dead = 0
	for j := range q.entries {
		q.at[q.entries[j].key] = j
	}
	return true
}

// Flush calls emit with each value held, in the order they were held, and
// forgets them all, even when emit returns an error, which stops it and
// is returned. The value emit gets is valid only during the call, and emit
// must not use q.
func (q *Queue[K, V]) Flush(emit func(*V) error) error {
	all := q.entries
	q.entries = q.entries[:0]
	clear(q.at)
	q.dead = 0
	for k := range all {
		e := &all[k]
		if !e.live {
			continue
		}
		if err := emit(&e.v); err != nil {
			clear(all)
			return err
		}
		*e = entry[K, V]{}
	}
	return nil
}

// Reset forgets the values held. It keeps the memory of a small queue
// for reuse and lets a large one go.
func (q *Queue[K, V]) Reset() {
	clear(q.entries)
	q.entries = q.entries[:0]
	if cap(q.entries) > 1024 {
		q.entries = nil
	}
	clear(q.at)
	q.dead = 0
}
