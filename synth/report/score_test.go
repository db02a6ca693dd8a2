package report

import (
	"fmt"
	"testing"
)

// items makes n items of one status, each with the given risks.
func items(n int, status Status, risks ...string) []Item {
	out := make([]Item, n)
	for i := range out {
		out[i] = Item{Action: fmt.Sprintf("a%d", i), Status: status, Risks: risks}
	}
	return out
}

func principalOf(parts ...[]Item) Principal {
	var p Principal
	for _, part := range parts {
		p.Items = append(p.Items, part...)
	}
	return p
}

// TestScore checks the formula on the package documentation's worked
// examples and on its edges.
func TestScore(t *testing.T) {
	cases := []struct {
		name string
		p    Principal
		want int
	}{
		{"nothing granted", principalOf(), 0},
		{"only denied and not granted", principalOf(items(3, Denied, RiskAdmin), items(2, NotGranted, RiskAdmin)), 0},
		{"everything used", principalOf(items(5, Used, RiskAdmin), items(5, Used)), 0},
		// I = (4 + 2/2)/10 = 0.5 -> 20
		{"doc: none risky", principalOf(items(4, Used), items(4, Unused), items(2, Unobservable)), 20},
		// I = 5/20 = 0.25 -> 10; R = 1/2 -> 25
		{"doc: two risky, one idle", principalOf(
			items(14, Used), items(1, Used, RiskPrivilegeEscalation),
			items(4, Unused), items(1, Unused, RiskCredentialsExposure)), 35},
		// I = 0.5/4 -> 5; R = 0.5/1 -> 25
		{"doc: risky unobservable", principalOf(items(3, Used), items(1, Unobservable, RiskDataExfiltration)), 30},
		{"doc: one harmless idle", principalOf(items(1, Unused)), 40},
		// I = R = 14485/15000; 38.627 + 48.283 + 10 = 96.91
		{"doc: admin wildcard", principalOf(items(30, Used, RiskAdmin), items(14000, Unused, RiskAdmin), items(970, Unobservable, RiskAdmin)), 97},
		{"everything idle and admin", principalOf(items(3, Unused, RiskAdmin)), 100},
		{"everything unobservable, nothing risky", principalOf(items(3, Unobservable)), 20},
		// admin only counts when idle: I = 1/2 -> 20, R = 1/2 -> 25
		{"admin used, risky idle", principalOf(items(1, Used, RiskAdmin), items(1, Unused, RiskPrivilegeEscalation)), 45},
		// an unobservable admin grant is idle: I = 1/4 -> 10, R = 1/4 -> 12.5, A -> 10 = 32.5, rounded up
		{"admin unobservable, halves round up", principalOf(items(1, Used, RiskAdmin), items(1, Unobservable, RiskAdmin)), 33},
		// I = 1/3 -> 13.33
		{"rounds down below a half", principalOf(items(2, Used), items(1, Unused)), 13},
	}
	for _, c := range cases {
		if got := Score(c.p); got != c.want {
			t.Errorf("%s: Score = %d, want %d", c.name, got, c.want)
		}
	}
}

// TestScoreMonotone checks that turning a used entitlement idle never lowers
// the score, and that the score stays within 0 to 100.
func TestScoreMonotone(t *testing.T) {
	risks := [][]string{nil, {RiskDataExfiltration}, {RiskAdmin}}
	for n := 1; n <= 6; n++ {
		for mask := 0; mask < 1<<n; mask++ {
			var p Principal
			for i := 0; i < n; i++ {
				p.Items = append(p.Items, Item{Action: fmt.Sprint(i), Status: Used, Risks: risks[(mask>>i)%3]})
			}
			prev := Score(p)
			if prev != 0 {
				t.Fatalf("all used scores %d", prev)
			}
			for i := range p.Items {
				for _, s := range []Status{Unobservable, Unused} {
					p.Items[i].Status = s
					got := Score(p)
					if got < prev || got > 100 {
						t.Fatalf("n=%d mask=%d: item %d to %s: score %d after %d", n, mask, i, s, got, prev)
					}
					prev = got
				}
			}
		}
	}
}
