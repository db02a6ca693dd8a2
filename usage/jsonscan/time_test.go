package jsonscan

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestParseTime checks the fast path against time.Parse on edge cases and
// random field values: both must agree on every input.
func TestParseTime(t *testing.T) {
	cases := []string{
		"2023-07-10T11:45:00Z", "2024-02-29T23:59:59Z", "2023-02-29T00:00:00Z", "2023-04-31T00:00:00Z",
		"2023-13-01T00:00:00Z", "2023-00-01T00:00:00Z", "2023-01-00T00:00:00Z", "2023-01-01T24:00:00Z",
		"2023-01-01T23:60:00Z", "2023-01-01T23:59:60Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
		"1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "9999-12-31T23:59:59Z", "2023-07-10t11:45:00Z",
		"2023-07-10T11:45:00z", "2023-07-10T11:45:00.5Z", "2023-07-10T11:45:00+02:00", "2023-7-10T11:45:00Z",
		"+023-07-10T11:45:00Z", "2023-07-10T11:4a:00Z", "", "2024-10-05T23:33:18.865983Z",
		"2024-10-05T23:33:18.8659835Z", "2024-10-05T23:33:18.123456789Z", "2024-10-05T23:33:18.1234567891Z",
		"2024-10-05T23:33:18.Z", "2024-10-05T23:33:18,5Z", " 2024-10-05T23:33:18Z", "0001-01-01T00:00:00.000000001Z",
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		cases = append(cases, fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d.%0*dZ",
			rng.IntN(10000), rng.IntN(14), rng.IntN(33), rng.IntN(26), rng.IntN(62), rng.IntN(62), 1+rng.IntN(9), rng.IntN(1000)))
	}
	for _, s := range cases {
		got, gotOK := ParseTime([]byte(s))
		want, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
		wantOK := err == nil && !want.IsZero() && want.UTC().Year() >= 1
		if wantOK {
			want = want.UTC()
		} else {
			want = time.Time{}
		}
		if gotOK != wantOK || !got.Equal(want) || got.Location() != want.Location() {
			t.Errorf("ParseTime(%q) = %v, %v; time.Parse gives %v, %v", s, got, gotOK, want, wantOK)
		}
	}
}

func TestParseTimeAllocs(t *testing.T) {
	b := []byte("2024-10-05T23:33:18.865983Z")
	if n := testing.AllocsPerRun(100, func() { ParseTime(b) }); n != 0 {
		t.Errorf("%v allocations for the common form, want 0", n)
	}
}
