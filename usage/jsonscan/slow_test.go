package jsonscan

import (
	"errors"
	"strings"
	"testing"
)

func TestFirstByte(t *testing.T) {
	for _, c := range []struct {
		b    string
		want byte
	}{
		{"", 0},
		{" \t\r\n", 0},
		{"{}", '{'},
		{" \n\t\r[1]", '['},
		{"\v{", '\v'}, // not JSON white space
		{"\u00a0{", 0xc2},
	} {
		if got := FirstByte([]byte(c.b)); got != c.want {
			t.Errorf("FirstByte(%q) = %q, want %q", c.b, got, c.want)
		}
	}
}

func TestShortError(t *testing.T) {
	if got := ShortError(errors.New("short")); got != "short" {
		t.Errorf("ShortError(short) = %q", got)
	}
	long := strings.Repeat("x", 200)
	if got := ShortError(errors.New(long)); got != long {
		t.Errorf("ShortError of 200 bytes cut to %d", len(got))
	}
	if got := ShortError(errors.New(long + "y")); got != long+"..." {
		t.Errorf("ShortError of 201 bytes = %q", got)
	}
}
