package hold

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// model is what a Queue must behave as: the live values in the order
// they were held.
type model struct{ keys, vals []int }

func (m *model) find(key int) int { return slices.Index(m.keys, key) }

func (m *model) drop(key int) bool {
	k := m.find(key)
	if k < 0 {
		return false
	}
	m.keys = slices.Delete(m.keys, k, k+1)
	m.vals = slices.Delete(m.vals, k, k+1)
	return true
}

func flushAll(t *testing.T, q *Queue[int, int]) []int {
	t.Helper()
	var got []int
	if err := q.Flush(func(v *int) error { got = append(got, *v); return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestQueueModel runs random holds and drops, enough of them to trim the
// tail and compact many times, against the model.
func TestQueueModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var q Queue[int, int]
	for round := range 20 {
		var m model
		next := 0
		for range 20000 {
			switch op := rng.IntN(10); {
			case op < 4 || len(m.keys) == 0:
				next++
				q.Hold(next, next*10)
				m.keys, m.vals = append(m.keys, next), append(m.vals, next*10)
			case op < 8:
				// Drop a held key, mostly a recent one, as a start
				// half's outcome usually follows soon.
				k := len(m.keys) - 1 - rng.IntN(min(len(m.keys), 8))
				if round%2 == 1 {
					k = rng.IntN(len(m.keys))
				}
				key := m.keys[k]
				if !q.Drop(key) || !m.drop(key) {
					t.Fatalf("dropping %d: not held", key)
				}
			default:
				key := rng.IntN(next + 2)
				if q.Drop(key) != m.drop(key) {
					t.Fatalf("dropping %d: Drop disagrees with the model", key)
				}
			}
			if q.Len() != len(m.keys) {
				t.Fatalf("Len %d, want %d", q.Len(), len(m.keys))
			}
		}
		for k, key := range m.keys {
			v, ok := q.Find(key)
			if !ok || *v != m.vals[k] {
				t.Fatalf("Find(%d) = %v, %v; want %d", key, v, ok, m.vals[k])
			}
		}
		if got := flushAll(t, &q); !slices.Equal(got, m.vals) {
			t.Fatalf("round %d: flushed %d values, want %d in order", round, len(got), len(m.vals))
		}
		if q.Len() != 0 || len(flushAll(t, &q)) != 0 {
			t.Fatal("values left after Flush")
		}
		if round%3 == 0 {
			q.Reset()
		}
	}
}

func TestQueueFlushError(t *testing.T) {
	var q Queue[string, int]
	for k, key := range []string{"a", "b", "c"} {
		q.Hold(key, k)
	}
	stop := errors.New("stop")
	var got []int
	err := q.Flush(func(v *int) error {
		got = append(got, *v)
		if *v == 1 {
			return stop
		}
		return nil
	})
	if err != stop || !slices.Equal(got, []int{0, 1}) {
		t.Fatalf("Flush = %v after %v, want stop after [0 1]", err, got)
	}
	if _, ok := q.Find("c"); ok || q.Len() != 0 {
		t.Fatal("values left after a failed Flush")
	}
	q.Hold("c", 7)
	if v, ok := q.Find("c"); !ok || *v != 7 {
		t.Fatalf("Find after a failed Flush = %v, %v", v, ok)
	}
}

func TestQueueReset(t *testing.T) {
	var q Queue[string, []byte]
	q.Hold("a", []byte("x"))
	q.Hold("b", []byte("y"))
	q.Drop("a")
	q.Reset()
	if q.Len() != 0 || q.dead != 0 || len(q.entries) != 0 {
		t.Fatalf("after Reset: Len %d, dead %d, %d entries", q.Len(), q.dead, len(q.entries))
	}
	if e := q.entries[:cap(q.entries)]; slices.ContainsFunc(e, func(e entry[string, []byte]) bool { return e.v != nil }) {
		t.Fatal("Reset kept a reference to a value")
	}
	for k := range 2000 {
		q.Hold(string(rune(k)), nil)
	}
	q.Reset()
	if q.entries != nil {
		t.Fatalf("Reset kept %d entries of memory", cap(q.entries))
	}
	// The zero Queue is usable.
	var z Queue[int, int]
	if _, ok := z.Find(1); ok || z.Drop(1) || len(flushAll(t, &z)) != 0 {
		t.Fatal("zero Queue is not empty")
	}
	z.Reset()
}
