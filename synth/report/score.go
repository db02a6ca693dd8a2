package report

import "slices"

// The weights of Score's three parts; they add up to 100.
const (
	idleWeight  = 40 // share of granted entitlements idle
	riskWeight  = 50 // share of risky granted entitlements idle
	adminWeight = 10 // some admin entitlement idle
)

// Score rates how much a principal holds and does not use, from 0 (every
// entitlement used, or nothing granted) to 100 (everything idle, risky
// entitlements and an admin wildcard among it). It reads only the granted
// items (Used, Unused, Unobservable) of p.Items:
//
//	I = (unused + unobservable/2) / granted
//	R = (risky unused + risky unobservable/2) / risky granted   (0 when nothing risky is granted)
//	A = 1 when an unused or unobservable item carries the admin risk, else 0
//	Score = round(40·I + 50·R + 10·A), halves rounded up
//
// An unobservable entitlement counts half: the logs cannot show it is used,
// nor that it is not. An item is risky when it carries any risk. The
// arithmetic is exact (integers), so the score can be checked by hand; the
// package documentation has worked examples.
func Score(p Principal) int {
	var granted, idle2, risky, riskyIdle2 int64 // idle2 and riskyIdle2 count halves
	admin := false
	for _, it := range p.Items {
		var half int64 // idleness in halves: 0 used, 1 unobservable, 2 unused
		switch it.Status {
		case Used:
		case Unobservable:
			half = 1
		case Unused:
			half = 2
		default:
			continue
		}
		granted++
		idle2 += half
		if len(it.Risks) > 0 {
			risky++
			riskyIdle2 += half
		}
		if half > 0 && slices.Contains(it.Risks, RiskAdmin) {
			admin = true
		}
	}
	if granted == 0 {
		return 0
	}
	// Score = num/den with den = 2·granted·risky (2·granted when nothing
	// risky is granted).
	var num, den int64
	if risky == 0 {
		den = 2 * granted
		num = idleWeight * idle2
	} else {
		den = 2 * granted * risky
		num = idleWeight*idle2*risky + riskWeight*riskyIdle2*granted
	}
	if admin {
		num += adminWeight * den
	}
	return int((2*num + den) / (2 * den))
}
