package emit

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/report"
)

// What the HTML and Markdown reports inline. A report over 10,000
// principals with 1,000 entitlements each would be gigabytes if every item
// were written out, so both show every principal's counts but details only
// for the top principals by score, and a bounded number of items per
// section with a count of the rest. The JSON report carries everything.
const (
	reportDetailPrincipals = 100 // principals with a detail section: the first by score
	reportRiskyItems       = 200 // risky idle items listed per detail
	reportSectionItems     = 25  // items listed per other section of a detail
	reportChartPrincipals  = 20  // principals in the granted-versus-used chart
	reportChangePrincipals = 200 // changed principals listed
	reportChangeItems      = 10  // entitlements listed per kind of change and principal
	reportPageRows         = 100 // rows per page of the HTML table
	reportNameRunes        = 40  // runes of a principal name a chart label shows
)

// reportTotals sums the principals of a report.
type reportTotals struct {
	Principals   int
	Granted      int
	Used         int
	Unused       int
	Unobservable int
	Denied       int
	NotGranted   int
	RiskyUnused  int
	MeanScore    float64
}

func totalsOf(ps []report.Principal) reportTotals {
	t := reportTotals{Principals: len(ps)}
	score := 0
	for _, p := range ps {
		t.Granted += p.Granted
		t.Used += p.Used
		t.Unused += p.Unused
		t.Unobservable += p.Unobservable
		t.Denied += p.Denied
		t.NotGranted += p.NotGranted
		t.RiskyUnused += p.RiskyUnused
		score += p.Score
	}
	if len(ps) > 0 {
		t.MeanScore = float64(score) / float64(len(ps))
	}
	return t
}

// byScore returns the indices of ps in the order the reports list
// principals: highest score first, then most risky idle, most unused, then
// provider, principal, container and kind, then input order.
func byScore(ps []report.Principal) []int {
	order := make([]int, len(ps))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := &ps[i], &ps[j]
		return cmp.Or(
			cmp.Compare(b.Score, a.Score),
			cmp.Compare(b.RiskyUnused, a.RiskyUnused),
			cmp.Compare(b.Unused, a.Unused),
			strings.Compare(a.Provider, b.Provider),
			strings.Compare(a.Principal, b.Principal),
			strings.Compare(a.Container, b.Container),
			strings.Compare(a.Kind, b.Kind),
		)
	})
	return order
}

// scoreBins counts principals by score in ten bins: 0-9, 10-19, ...,
// 90-100 (scores outside 0..100 are clamped).
func scoreBins(ps []report.Principal) [10]int {
	var bins [10]int
	for _, p := range ps {
		bins[min(max(p.Score, 0)/10, 9)]++
	}
	return bins
}

// binLabel names score bin i.
func binLabel(i int) string {
	if i == 9 {
		return "90–100"
	}
	return fmt.Sprintf("%d–%d", i*10, i*10+9)
}

// itemSection is one list of a principal's detail.
type itemSection struct {
	Title string
	Items []report.Item
	More  int // items of the section not listed
}

// detailSections splits p's items into the sections a detail shows, in
// this order: risky idle (unused or unobservable with a risk), unused,
// unobservable, denied attempts, used but not granted, used. Each keeps the
// model's item order and lists at most reportRiskyItems (risky idle) or
// reportSectionItems items. Empty sections are left out.
func detailSections(p report.Principal) []itemSection {
	sections := []itemSection{
		{Title: "Risky and idle (unused or unobservable)"},
		{Title: "Unused"},
		{Title: "Unobservable"},
		{Title: "Denied attempts"},
		{Title: "Used but not granted"},
		{Title: "Used"},
	}
	limits := []int{reportRiskyItems, reportSectionItems, reportSectionItems, reportSectionItems, reportSectionItems, reportSectionItems}
	for _, it := range p.Items {
		k := sectionOf(it)
		if k < 0 {
			continue
		}
		if len(sections[k].Items) < limits[k] {
			sections[k].Items = append(sections[k].Items, it)
		} else {
			sections[k].More++
		}
	}
	return slices.DeleteFunc(sections, func(s itemSection) bool { return len(s.Items) == 0 })
}

// sectionOf is the index of it's section in detailSections, -1 for an
// unknown status.
func sectionOf(it report.Item) int {
	idle := it.Status == report.Unused || it.Status == report.Unobservable
	switch {
	case idle && len(it.Risks) > 0:
		return 0
	case it.Status == report.Unused:
		return 1
	case it.Status == report.Unobservable:
		return 2
	case it.Status == report.Denied:
		return 3
	case it.Status == report.NotGranted:
		return 4
	case it.Status == report.Used:
		return 5
	}
	return -1
}

// truncateRunes cuts s to n runes, marking a cut with "…".
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n-1 {
			return s[:pos] + "…"
		}
		i++
	}
	return s
}

// windowText describes an observation window.
func windowText(w synth.Window) string {
	return rfc3339(w.From, "the first event") + " to " + rfc3339(w.To, "the last event")
}

// oneDecimal formats a mean.
func oneDecimal(f float64) string {
	return fmt.Sprintf("%.1f", f)
}

// changeOrder returns the indices of c.Principals in the order the reports
// list them: principals that gained a risky entitlement first, then the
// model's order.
func changeOrder(c *report.Changes) []int {
	order := make([]int, len(c.Principals))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := len(c.Principals[i].RiskyGained) > 0, len(c.Principals[j].RiskyGained) > 0
		switch {
		case a && !b:
			return -1
		case b && !a:
			return 1
		}
		return 0
	})
	return order
}

// plural writes n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// firstN returns the first n of ss and how many are left out.
func firstN(ss []string, n int) ([]string, int) {
	if len(ss) <= n {
		return ss, 0
	}
	return ss[:n], len(ss) - n
}
