package intern

import (
	"fmt"
	"testing"
	"unsafe"
)

func same(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }

func TestTable(t *testing.T) {
	tab := New(8, 4)
	a := tab.String([]byte("abc"))
	if a != "abc" || !same(a, tab.String([]byte("abc"))) {
		t.Errorf("String(abc) = %q, not shared", a)
	}
	if s := tab.String(nil); s != "" {
		t.Errorf("String(nil) = %q", s)
	}
	long := []byte("abcde")
	if s := tab.String(long); s != "abcde" || same(s, tab.String(long)) {
		t.Errorf("String(abcde) = %q, shared beyond max", s)
	}
	// Many values share few slots: each look-up still gives its own
	// value.
	for round := range 3 {
		for k := range 100 {
			want := fmt.Sprint(k)
			if got := tab.String([]byte(want)); got != want {
				t.Fatalf("round %d: String(%s) = %q", round, want, got)
			}
		}
	}
	b := []byte("abc")
	tab.String(b)
	if n := testing.AllocsPerRun(10, func() { tab.String(b) }); n != 0 {
		t.Errorf("String of a kept value allocates %v times", n)
	}
}

func TestNewSize(t *testing.T) {
	for _, size := range []int{0, -8, 6} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%d, 1) did not panic", size)
				}
			}()
			New(size, 1)
		}()
	}
}
