package synth

import (
	"slices"
	"testing"
	"time"
)

// TestCompareAccess checks that CompareAccess tells apart accesses that
// differ in any one field, both ways round, and orders action and resource
// before the rest.
func TestCompareAccess(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	base := Access{Provider: "aws", Principal: "p", PrincipalKind: "role", Action: "a", Resource: "r",
		Count: 1, First: t0, Last: t0, Regions: []string{"eu"}, Samples: []string{"e1"}, Via: []string{"v"}}
	changes := map[string]func(*Access){
		"Provider":      func(a *Access) { a.Provider = "azure" },
		"Principal":     func(a *Access) { a.Principal = "q" },
		"PrincipalKind": func(a *Access) { a.PrincipalKind = "user" },
		"Action":        func(a *Access) { a.Action = "b" },
		"Resource":      func(a *Access) { a.Resource = "s" },
		"Count":         func(a *Access) { a.Count = 2 },
		"First":         func(a *Access) { a.First = t0.Add(time.Hour) },
		"Last":          func(a *Access) { a.Last = t0.Add(time.Hour) },
		"Regions":       func(a *Access) { a.Regions = []string{"eu", "us"} },
		"Samples":       func(a *Access) { a.Samples = []string{"e2"} },
		"Via":           func(a *Access) { a.Via = []string{"w"} },
		"Inferred":      func(a *Access) { a.Inferred = true },
		"Denied":        func(a *Access) { a.Denied = true },
	}
	if c := CompareAccess(base, base); c != 0 {
		t.Errorf("CompareAccess(a, a) = %d", c)
	}
	for field, change := range changes {
		b := base
		change(&b)
		if CompareAccess(base, b) >= 0 || CompareAccess(b, base) <= 0 {
			t.Errorf("%s: CompareAccess = %d, reversed %d; want base first", field, CompareAccess(base, b), CompareAccess(b, base))
		}
	}
	// Action and resource come before every other field.
	early := base
	early.Denied, early.Count = true, 9
	late := base
	late.Resource = "s"
	if CompareAccess(early, late) >= 0 {
		t.Error("a later resource sorts before an earlier one with other fields larger")
	}
}

func TestKindOf(t *testing.T) {
	accs := []Access{{PrincipalKind: "user"}, {}, {PrincipalKind: "role"}, {PrincipalKind: "user"}}
	if got := KindOf(accs); got != "role" {
		t.Errorf("KindOf = %q, want role", got)
	}
	slices.Reverse(accs)
	if got := KindOf(accs); got != "role" {
		t.Errorf("KindOf reversed = %q, want role", got)
	}
	if got := KindOf([]Access{{}}); got != "" {
		t.Errorf("KindOf of no kind = %q", got)
	}
}
