package synth

import (
	"slices"
	"testing"
)

func TestInsertSorted(t *testing.T) {
	var list []string
	for _, s := range []string{"m", "a", "z", "m", "b", "a"} {
		list = InsertSorted(list, s)
	}
	if want := []string{"a", "b", "m", "z"}; !slices.Equal(list, want) {
		t.Errorf("InsertSorted = %q, want %q", list, want)
	}
}

func TestUnionSorted(t *testing.T) {
	for _, c := range []struct{ a, b, want []string }{
		{nil, nil, []string{}},
		{[]string{"a"}, nil, []string{"a"}},
		{nil, []string{"b"}, []string{"b"}},
		{[]string{"a", "c", "e"}, []string{"b", "c", "f"}, []string{"a", "b", "c", "e", "f"}},
		{[]string{"x"}, []string{"a", "x"}, []string{"a", "x"}},
	} {
		got := UnionSorted(c.a, c.b)
		if !slices.Equal(got, c.want) {
			t.Errorf("UnionSorted(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
		if len(got) > 0 && (len(c.a) > 0 && &got[0] == &c.a[0] || len(c.b) > 0 && &got[0] == &c.b[0]) {
			t.Errorf("UnionSorted(%q, %q) shares memory with an input", c.a, c.b)
		}
	}
}
