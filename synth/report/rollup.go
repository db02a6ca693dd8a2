package report

import (
	"cmp"
	"math"
	"slices"
)

// Rollups sums principals per provider and container (account,
// subscription, cluster), sorted by provider and container.
func Rollups(ps []Principal) []Rollup {
	type key struct{ provider, container string }
	byKey := make(map[key]*Rollup)
	sums := make(map[key]int)
	for _, p := range ps {
		k := key{p.Provider, p.Container}
		r := byKey[k]
		if r == nil {
			r = &Rollup{Provider: p.Provider, Container: p.Container}
			byKey[k] = r
		}
		r.Principals++
		r.Granted += p.Granted
		r.Used += p.Used
		r.Unused += p.Unused
		r.RiskyUnused += p.RiskyUnused
		r.MaxScore = max(r.MaxScore, p.Score)
		sums[k] += p.Score
	}
	out := make([]Rollup, 0, len(byKey))
	for k, r := range byKey {
		r.MeanScore = mean(sums[k], r.Principals)
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b Rollup) int {
		return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Container, b.Container))
	})
	return out
}

// mean is sum/n rounded to one decimal, 0 when n is 0.
func mean(sum, n int) float64 {
	if n == 0 {
		return 0
	}
	return math.Round(float64(sum)*10/float64(n)) / 10
}

// PointOf sums a report into a trend point.
func PointOf(r Report) TrendPoint {
	t := TrendPoint{Snapshot: r.Snapshot, Taken: r.Taken, Principals: len(r.Principals)}
	sum := 0
	for _, p := range r.Principals {
		t.Granted += p.Granted
		t.Unused += p.Unused
		t.RiskyUnused += p.RiskyUnused
		sum += p.Score
	}
	t.MeanScore = mean(sum, len(r.Principals))
	return t
}

// Trend returns the points of earlier snapshots, one per snapshot id,
// ordered by id (the store numbers snapshots in the order they were taken),
// followed by the current report's point. A point with the current report's
// snapshot id is replaced by the current report's; of several points with
// one id the first in order of id, time and sums is kept.
func Trend(points []TrendPoint, current Report) []TrendPoint {
	out := make([]TrendPoint, 0, len(points)+1)
	for _, p := range points {
		if current.Snapshot == 0 || p.Snapshot != current.Snapshot {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b TrendPoint) int {
		return cmp.Or(cmp.Compare(a.Snapshot, b.Snapshot), a.Taken.Compare(b.Taken),
			cmp.Compare(a.Principals, b.Principals), cmp.Compare(a.Granted, b.Granted), cmp.Compare(a.Unused, b.Unused),
			cmp.Compare(a.RiskyUnused, b.RiskyUnused), cmp.Compare(a.MeanScore, b.MeanScore))
	})
	out = slices.CompactFunc(out, func(a, b TrendPoint) bool { return a.Snapshot == b.Snapshot })
	return append(out, PointOf(current))
}
