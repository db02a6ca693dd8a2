package emit

import (
	"io"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth/report"
)

// The scale: 10,000 principals with 1,000 entitlements each.
const benchPrincipals, benchItems = 10_000, 1_000

// countingWriter counts what is written to it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// BenchmarkReportHTML renders the HTML report of 10,000 principals with
// 1,000 entitlements each and reports the page's size.
func BenchmarkReportHTML(b *testing.B) {
	benchmarkReport(b, ReportHTML)
}

// BenchmarkReportMarkdown is BenchmarkReportHTML for Markdown.
func BenchmarkReportMarkdown(b *testing.B) {
	benchmarkReport(b, ReportMarkdown)
}

func benchmarkReport(b *testing.B, render func(io.Writer, report.Report) error) {
	r := bigReport(benchPrincipals, benchItems, 10)
	b.ReportAllocs()
	b.ResetTimer()
	var w countingWriter
	for b.Loop() {
		w = countingWriter{}
		if err := render(&w, r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(w.n)/1e6, "MB")
}

// TestReportHTMLScale renders the scale once and checks the page
// stays small enough to open; skipped with -short.
func TestReportHTMLScale(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 10,000 principals")
	}
	for _, c := range []struct {
		name       string
		render     func(io.Writer, report.Report) error
		riskyEvery int
		limit      int64
	}{
		{"HTML", ReportHTML, 10, 16 << 20},
		{"HTML", ReportHTML, 1, 16 << 20},
		{"Markdown", ReportMarkdown, 10, 16 << 20},
		{"Markdown", ReportMarkdown, 1, 16 << 20},
	} {
		r := bigReport(benchPrincipals, benchItems, c.riskyEvery)
		start := time.Now()
		var w countingWriter
		if err := c.render(&w, r); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s report of %d principals x %d items, one in %d risky: %.1f MB in %v", c.name, benchPrincipals, benchItems, c.riskyEvery, float64(w.n)/1e6, time.Since(start).Round(time.Millisecond))
		if w.n > c.limit {
			t.Errorf("%s report is %d bytes, more than %d", c.name, w.n, c.limit)
		}
	}
}
