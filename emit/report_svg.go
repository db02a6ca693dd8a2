package emit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/leastpriv/pare/synth/report"
)

// svgChart is an inline SVG chart, laid out here and written by the HTML
// template (which escapes every text and attribute). Coordinates are whole
// pixels of the viewBox.
type svgChart struct {
	Label     string // what the chart shows, for screen readers
	Width     int
	Height    int
	Lines     []svgLine
	Rects     []svgRect
	Polylines []svgPolyline
	Circles   []svgCircle
	Texts     []svgText
}

type svgLine struct {
	X1, Y1, X2, Y2 int
}

type svgRect struct {
	X, Y, W, H int
	Class      string // a class of the stylesheet: its colour
	Title      string // tooltip
}

type svgPolyline struct {
	Points string // "x,y x,y ..."
	Class  string
}

type svgCircle struct {
	X, Y  int
	Class string
	Title string
}

type svgText struct {
	X, Y   int
	Anchor string // start, middle, end
	Class  string
	Text   string
}

// histogramChart draws how many principals fall in each score bin.
func histogramChart(ps []report.Principal) svgChart {
	const (
		left, top, bottom = 36, 20, 36
		barW, gap         = 40, 6
		plotH             = 160
	)
	bins := scoreBins(ps)
	most := 1
	for _, n := range bins {
		most = max(most, n)
	}
	c := svgChart{
		Label:  "Number of principals per score range",
		Width:  left + len(bins)*(barW+gap) + gap,
		Height: top + plotH + bottom,
	}
	base := top + plotH
	c.Lines = append(c.Lines, svgLine{X1: left, Y1: base, X2: c.Width, Y2: base}, svgLine{X1: left, Y1: top, X2: left, Y2: base})
	c.Texts = append(c.Texts,
		svgText{X: left - 4, Y: top + 4, Anchor: "end", Class: "axis", Text: strconv.Itoa(most)},
		svgText{X: left - 4, Y: base, Anchor: "end", Class: "axis", Text: "0"},
		svgText{X: left + (c.Width-left)/2, Y: c.Height - 4, Anchor: "middle", Class: "axis", Text: "score"},
	)
	for i, n := range bins {
		x := left + gap + i*(barW+gap)
		h := n * plotH / most
		c.Rects = append(c.Rects, svgRect{
			X: x, Y: base - h, W: barW, H: h,
			Class: fmt.Sprintf("bin%d", i),
			Title: fmt.Sprintf("%s scored %s", plural(n, "principal"), binLabel(i)),
		})
		c.Texts = append(c.Texts,
			svgText{X: x + barW/2, Y: base - h - 4, Anchor: "middle", Class: "value", Text: strconv.Itoa(n)},
			svgText{X: x + barW/2, Y: base + 14, Anchor: "middle", Class: "axis", Text: binLabel(i)},
		)
	}
	return c
}

// usageChart draws, for the first principals of order, their granted
// entitlements as one bar split into used, unobservable and unused.
func usageChart(ps []report.Principal, order []int) svgChart {
	const (
		labelW, barX, barW = 300, 310, 420
		rowH, barH, top    = 22, 14, 28
		width              = barX + barW + 300 // room for "0/22091 used · 22091 risky idle · score 100"
	)
	shown := order[:min(len(order), reportChartPrincipals)]
	most := 1
	for _, i := range shown {
		most = max(most, ps[i].Granted)
	}
	c := svgChart{
		Label:  "Granted entitlements of the principals with the highest scores, split into used, unobservable and unused",
		Width:  width,
		Height: top + len(shown)*rowH + 8,
	}
	legend := []struct{ class, text string }{{"used", "used"}, {"unobservable", "unobservable"}, {"unused", "unused"}}
	for k, l := range legend {
		x := barX + k*120
		c.Rects = append(c.Rects, svgRect{X: x, Y: 6, W: 12, H: 12, Class: l.class, Title: l.text})
		c.Texts = append(c.Texts, svgText{X: x + 16, Y: 16, Anchor: "start", Class: "axis", Text: l.text})
	}
	for row, i := range shown {
		p := ps[i]
		y := top + row*rowH
		name := visible(truncateRunes(p.Principal, reportNameRunes))
		c.Texts = append(c.Texts, svgText{X: labelW, Y: y + barH - 2, Anchor: "end", Class: "label", Text: name})
		x := barX
		for _, seg := range []struct {
			n     int
			class string
		}{{p.Used, "used"}, {p.Unobservable, "unobservable"}, {p.Unused, "unused"}} {
			w := seg.n * barW / most
			if seg.n > 0 && w == 0 {
				w = 1
			}
			if w == 0 {
				continue
			}
			c.Rects = append(c.Rects, svgRect{
				X: x, Y: y, W: w, H: barH, Class: seg.class,
				Title: fmt.Sprintf("%s: %d %s of %d granted", visible(p.Principal), seg.n, seg.class, p.Granted),
			})
			x += w
		}
		c.Texts = append(c.Texts, svgText{
			X: x + 6, Y: y + barH - 2, Anchor: "start", Class: "value",
			Text: fmt.Sprintf("%d/%d used · %d risky idle · score %d", p.Used, p.Granted, p.RiskyUnused, p.Score),
		})
	}
	return c
}

// trendChart draws one value of every trend point as a line; top is the
// scale's maximum, 0 to use the largest value.
func trendChart(label string, trend []report.TrendPoint, value func(report.TrendPoint) float64, top float64, format func(float64) string) svgChart {
	const (
		left, right, up, bottom = 48, 16, 16, 32
		plotW, plotH            = 400, 140
	)
	if top == 0 {
		for _, t := range trend {
			top = max(top, value(t))
		}
		top = max(top, 1)
	}
	c := svgChart{Label: label, Width: left + plotW + right, Height: up + plotH + bottom}
	base := up + plotH
	c.Lines = append(c.Lines, svgLine{X1: left, Y1: base, X2: left + plotW, Y2: base}, svgLine{X1: left, Y1: up, X2: left, Y2: base})
	c.Texts = append(c.Texts,
		svgText{X: left - 4, Y: up + 4, Anchor: "end", Class: "axis", Text: format(top)},
		svgText{X: left - 4, Y: base, Anchor: "end", Class: "axis", Text: "0"},
	)
	step := 0
	if len(trend) > 1 {
		step = plotW / (len(trend) - 1)
	}
	every := (len(trend) + 9) / 10 // label at most about ten points
	var points []string
	for k, t := range trend {
		x := left + k*step
		if len(trend) == 1 {
			x = left + plotW/2
		}
		y := base - int(value(t)/top*plotH+0.5)
		points = append(points, fmt.Sprintf("%d,%d", x, y))
		c.Circles = append(c.Circles, svgCircle{
			X: x, Y: y, Class: "point",
			Title: fmt.Sprintf("snapshot %d, %s: %s", t.Snapshot, rfc3339(t.Taken, "unknown time"), format(value(t))),
		})
		if k%every == 0 || k == len(trend)-1 {
			c.Texts = append(c.Texts, svgText{X: x, Y: base + 14, Anchor: "middle", Class: "axis", Text: fmt.Sprintf("#%d", t.Snapshot)})
		}
	}
	c.Texts = append(c.Texts, svgText{X: left + plotW/2, Y: c.Height - 4, Anchor: "middle", Class: "axis", Text: "snapshot"})
	c.Polylines = append(c.Polylines, svgPolyline{Points: strings.Join(points, " "), Class: "line"})
	return c
}
