package jsonscan

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// lowerASCII is AppendLowerASCII one byte at a time: the reference.
func lowerASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for k, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[k] = c
	}
	return out
}

// foldInputs returns inputs of every length up to 40, of random bytes and
// of bytes around the letters, all byte values at every alignment, and
// every byte value at every position of an eight-byte word.
func foldInputs() [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	near := []byte("@AZ[`az{\x00\x7f\x80\xc1\xda\xff")
	var ins [][]byte
	for n := range 41 {
		for range 20 {
			r, l := make([]byte, n), make([]byte, n)
			for k := range n {
				r[k] = byte(rng.Uint32())
				l[k] = near[rng.IntN(len(near))]
			}
			ins = append(ins, r, l)
		}
	}
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	all = append(all, "MICROSOFT.Compute/VirtualMachines/ÄÖÜ-x"...)
	for start := range 16 {
		ins = append(ins, all[start:])
	}
	for c := range 256 {
		for at := range 9 {
			b := []byte("xYzXyZxYz")
			b[at] = byte(c)
			ins = append(ins, b)
		}
	}
	return ins
}

func TestAppendLowerASCII(t *testing.T) {
	for _, in := range foldInputs() {
		want := lowerASCII(in)
		if got := AppendLowerASCII(nil, in); !bytes.Equal(got, want) {
			t.Fatalf("AppendLowerASCII(%q) = %q, want %q", in, got, want)
		}
		if got := AppendLowerASCII([]byte("Pre"), in); string(got) != "Pre"+string(want) {
			t.Fatalf("AppendLowerASCII(Pre, %q) = %q", in, got)
		}
	}
}

func TestAppendLower(t *testing.T) {
	ins := append(foldInputs(), []byte("ÀB"), []byte("İSTANBUL"), []byte("KELVIN \u212a"), []byte("\xffABC"))
	for _, in := range ins {
		if got, want := AppendLower([]byte("x"), in), "x"+strings.ToLower(string(in)); string(got) != want {
			t.Fatalf("AppendLower(%q) = %q, want %q", in, got, want)
		}
	}
	b := []byte("Microsoft.Compute/VirtualMachines/WRITE")
	dst := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(10, func() { AppendLower(dst, b) }); n != 0 {
		t.Errorf("AppendLower of ASCII allocates %v times", n)
	}
}

func TestIndexLowerASCII(t *testing.T) {
	for _, c := range []struct {
		b, lower string
		want     int
	}{
		{"", "", 0},
		{"abc", "", 0},
		{"", "a", -1},
		{"/SUBSCRIPTIONS/x/EVENTS/1", "/events/", 16},
		{"/events/a/Events/", "/events/", 0},
		{"xxEvEnTs", "events", 2},
		{"eventz", "events", -1},
		{"event", "events", -1},
		{"/\u212aubernetes", "/kubernetes", -1}, // only ASCII letters fold
	} {
		if got := IndexLowerASCII([]byte(c.b), c.lower); got != c.want {
			t.Errorf("IndexLowerASCII(%q, %q) = %d, want %d", c.b, c.lower, got, c.want)
		}
	}
}

func TestEqualLowerASCII(t *testing.T) {
	for _, c := range []struct {
		b, lower string
		want     bool
	}{
		{"", "", true},
		{"Kube-Audit", "kube-audit", true},
		{"kube-audit", "kube-audit", true},
		{"kube-audi", "kube-audit", false},
		{"KUBE_AUDIT", "kube-audit", false},
		{"\u212a", "k", false},
	} {
		if got := EqualLowerASCII([]byte(c.b), c.lower); got != c.want {
			t.Errorf("EqualLowerASCII(%q, %q) = %v", c.b, c.lower, got)
		}
	}
}
