package report

import (
	"reflect"
	"testing"
)

func TestRollups(t *testing.T) {
	ps := []Principal{
		{Provider: "k8s", Container: "prod", Granted: 4, Used: 1, Unused: 3, RiskyUnused: 1, Score: 70},
		{Provider: "aws", Container: "2222", Granted: 10, Used: 10, Score: 0},
		{Provider: "aws", Container: "1111", Granted: 5, Used: 2, Unused: 2, RiskyUnused: 1, Score: 47},
		{Provider: "aws", Container: "1111", Granted: 1, Unused: 1, Score: 40},
		{Provider: "aws", Container: "1111", NotGranted: 1, Score: 0},
	}
	got := Rollups(ps)
	want := []Rollup{
		// (47 + 40 + 0)/3 = 29.0
		{Provider: "aws", Container: "1111", Principals: 3, Granted: 6, Used: 2, Unused: 3, RiskyUnused: 1, MeanScore: 29, MaxScore: 47},
		{Provider: "aws", Container: "2222", Principals: 1, Granted: 10, Used: 10},
		{Provider: "k8s", Container: "prod", Principals: 1, Granted: 4, Used: 1, Unused: 3, RiskyUnused: 1, MeanScore: 70, MaxScore: 70},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Rollups =\n%+v\nwant\n%+v", got, want)
	}
	if got := Rollups(nil); len(got) != 0 {
		t.Errorf("Rollups(nil) = %v", got)
	}
}

func TestMeanRounds(t *testing.T) {
	for _, c := range []struct {
		sum, n int
		want   float64
	}{{0, 0, 0}, {100, 3, 33.3}, {200, 3, 66.7}, {1, 8, 0.1}, {7, 2, 3.5}} {
		if got := mean(c.sum, c.n); got != c.want {
			t.Errorf("mean(%d, %d) = %v, want %v", c.sum, c.n, got, c.want)
		}
	}
}

func TestTrend(t *testing.T) {
	cur := Report{Snapshot: 5, Taken: day(9, 0), Principals: []Principal{
		{Granted: 4, Unused: 3, RiskyUnused: 1, Score: 70},
		{Granted: 2, Unused: 0, Score: 0},
	}}
	points := []TrendPoint{
		{Snapshot: 3, Taken: day(3, 0), Principals: 1},
		{Snapshot: 1, Taken: day(1, 0), Principals: 1},
		{Snapshot: 5, Taken: day(8, 0), Principals: 9}, // replaced by the current report
		{Snapshot: 3, Taken: day(3, 0), Principals: 1}, // a duplicate
	}
	got := Trend(points, cur)
	want := []TrendPoint{
		{Snapshot: 1, Taken: day(1, 0), Principals: 1},
		{Snapshot: 3, Taken: day(3, 0), Principals: 1},
		{Snapshot: 5, Taken: day(9, 0), Principals: 2, Granted: 6, Unused: 3, RiskyUnused: 1, MeanScore: 35},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Trend =\n%+v\nwant\n%+v", got, want)
	}
	// An unsaved report (snapshot 0) comes last whatever the earlier ids.
	got = Trend([]TrendPoint{{Snapshot: 2}, {Snapshot: 1}}, Report{})
	if len(got) != 3 || got[0].Snapshot != 1 || got[1].Snapshot != 2 || got[2].Snapshot != 0 {
		t.Errorf("Trend of an unsaved report = %+v", got)
	}
}
