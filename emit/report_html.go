package emit

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/leastpriv/pare/synth/report"
)

// The page's template, stylesheet and script. The stylesheet and script are
// constants of pare, never data: they are inserted verbatim and their
// hashes are the only inline style and script the page's Content Security
// Policy allows.
var (
	//go:embed report_html.tmpl
	reportHTMLTemplate string
	//go:embed report_html.css
	reportHTMLStyle string
	//go:embed report_html.js
	reportHTMLScript string
)

// ReportHTML writes r as one self-contained HTML page: a summary with the
// roll-ups, inline SVG charts (score distribution, granted versus used for
// the principals with the highest scores, the trend across snapshots), the
// changes since the last snapshot, a table of every principal that sorts,
// filters and pages in the browser (100 rows a page, rows read from JSON
// embedded in the page), and details for the principals with the highest
// scores: their risky idle entitlements, the others by status with the
// grants that give them and the evidence of use, and the right-sized
// policy. The limits on what is inlined are the report* constants; the
// JSON report carries everything.
//
// The page loads nothing: no scripts, fonts, images or styles from
// anywhere, and its Content Security Policy forbids it. html/template
// escapes every string for its context (text, attributes, the embedded
// JSON), and invisible runes are shown as \uXXXX. A string that is not
// valid UTF-8 is an error, and nothing is written on an error.
func ReportHTML(w io.Writer, r report.Report) error {
	if err := checkReportUTF8(r); err != nil {
		return err
	}
	t, err := template.New("report").Parse(reportHTMLTemplate)
	if err != nil {
		return fmt.Errorf("parsing the report template: %w", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, newHTMLReport(r)); err != nil {
		return fmt.Errorf("rendering the HTML report: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// htmlReport is what the template renders. Every string from a log or a
// policy in it has gone through visible.
type htmlReport struct {
	Title        string
	CSP          string
	CSS          template.CSS
	Script       template.JS
	Taken        string
	Window       string
	Snapshot     int64
	Totals       reportTotals
	MeanScore    string
	Rollups      []htmlRollup
	Histogram    svgChart
	Usage        svgChart
	UsageShown   int
	Trend        []svgChart
	Changes      *htmlChanges
	PageRows     int
	Rows         []htmlRow // the first page, as the script renders it
	Data         [][]any   // every row, for the script
	Details      []htmlDetail
	Undetailed   int
	RiskyItems   int
	SectionItems int
}

type htmlRollup struct {
	Provider    string
	Container   string
	Principals  int
	Granted     int
	Used        int
	Unused      int
	RiskyUnused int
	MeanScore   string
	MaxScore    int
}

// htmlRow is one row of the principals table.
type htmlRow struct {
	Provider  string
	Principal string
	Kind      string
	Container string
	Nums      []int // score, granted, used, unused, unobservable, risky idle, denied, not granted
	Detail    int   // the detail's id, -1 for none
}

type htmlDetail struct {
	ID           int
	Provider     string
	Principal    string
	Kind         string
	Container    string
	Score        int
	Granted      int
	Used         int
	Unused       int
	Unobservable int
	RiskyUnused  int
	Denied       int
	NotGranted   int
	Sections     []htmlSection
	Policy       string
	PolicyFormat string
}

type htmlSection struct {
	Title string
	Items []htmlItem
	More  int
}

type htmlItem struct {
	Action   string
	Resource string
	Status   string
	Inferred bool
	Risks    string
	Origins  string
	Count    int64
	First    string
	Last     string
	Samples  string
}

type htmlChanges struct {
	Since      int64
	SinceTaken string
	New        htmlList
	Gone       htmlList
	Principals []htmlChange
	Total      int
	More       int
}

type htmlChange struct {
	Provider    string
	Principal   string
	ScoreFrom   int
	ScoreTo     int
	Gained      htmlList
	Lost        htmlList
	NewlyUsed   htmlList
	NewlyUnused htmlList
	RiskyGained htmlList
}

// htmlList is a bounded list of strings with a count of the rest.
type htmlList struct {
	Items []string
	More  int
	Total int
}

func newHTMLReport(r report.Report) htmlReport {
	order := byScore(r.Principals)
	h := htmlReport{
		Title:        "pare privilege report " + rfc3339(r.Taken, ""),
		CSP:          reportCSP(),
		CSS:          template.CSS(reportHTMLStyle),
		Script:       template.JS(reportHTMLScript),
		Taken:        rfc3339(r.Taken, "at an unknown time"),
		Window:       windowText(r.Window),
		Snapshot:     r.Snapshot,
		Totals:       totalsOf(r.Principals),
		Histogram:    histogramChart(r.Principals),
		Usage:        usageChart(r.Principals, order),
		UsageShown:   min(len(order), reportChartPrincipals),
		PageRows:     reportPageRows,
		Data:         make([][]any, 0, len(order)),
		RiskyItems:   reportRiskyItems,
		SectionItems: reportSectionItems,
	}
	h.Title = strings.TrimSpace(h.Title)
	h.MeanScore = oneDecimal(h.Totals.MeanScore)
	for _, u := range r.Rollups {
		h.Rollups = append(h.Rollups, htmlRollup{
			Provider: visible(u.Provider), Container: visible(u.Container),
			Principals: u.Principals, Granted: u.Granted, Used: u.Used, Unused: u.Unused,
			RiskyUnused: u.RiskyUnused, MeanScore: oneDecimal(u.MeanScore), MaxScore: u.MaxScore,
		})
	}
	if len(r.Trend) > 0 {
		h.Trend = []svgChart{
			trendChart("Mean score across snapshots", r.Trend, func(t report.TrendPoint) float64 { return t.MeanScore }, 100, oneDecimal),
			trendChart("Unused entitlements across snapshots", r.Trend, func(t report.TrendPoint) float64 { return float64(t.Unused) }, 0, func(f float64) string { return fmt.Sprintf("%.0f", f) }),
		}
	}
	if r.Changes != nil {
		h.Changes = newHTMLChanges(r.Changes)
	}
	for rank, i := range order {
		row := newHTMLRow(r.Principals[i], rank)
		if rank < reportPageRows {
			h.Rows = append(h.Rows, row)
		}
		h.Data = append(h.Data, []any{
			row.Provider, row.Principal, row.Kind, row.Container,
			row.Nums[0], row.Nums[1], row.Nums[2], row.Nums[3], row.Nums[4], row.Nums[5], row.Nums[6], row.Nums[7],
			row.Detail,
		})
		if rank < reportDetailPrincipals {
			h.Details = append(h.Details, newHTMLDetail(r.Principals[i], rank))
		}
	}
	h.Undetailed = len(order) - len(h.Details)
	return h
}

// reportCSP is the page's Content Security Policy: nothing is loaded, and
// only pare's own stylesheet and script run.
func reportCSP() string {
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	return "default-src 'none'; style-src " + hash(reportHTMLStyle) + "; script-src " + hash(reportHTMLScript) + "; img-src data:; base-uri 'none'; form-action 'none'"
}

func newHTMLRow(p report.Principal, rank int) htmlRow {
	detail := -1
	if rank < reportDetailPrincipals {
		detail = rank
	}
	return htmlRow{
		Provider:  visible(p.Provider),
		Principal: visible(p.Principal),
		Kind:      visible(p.Kind),
		Container: visible(p.Container),
		Nums:      []int{p.Score, p.Granted, p.Used, p.Unused, p.Unobservable, p.RiskyUnused, p.Denied, p.NotGranted},
		Detail:    detail,
	}
}

func newHTMLDetail(p report.Principal, rank int) htmlDetail {
	d := htmlDetail{
		ID:       rank,
		Provider: visible(p.Provider), Principal: visible(p.Principal), Kind: visible(p.Kind), Container: visible(p.Container),
		Score: p.Score, Granted: p.Granted, Used: p.Used, Unused: p.Unused, Unobservable: p.Unobservable,
		RiskyUnused: p.RiskyUnused, Denied: p.Denied, NotGranted: p.NotGranted,
		Policy: visibleText(p.Policy), PolicyFormat: visible(p.PolicyFormat),
	}
	for _, s := range detailSections(p) {
		hs := htmlSection{Title: s.Title, More: s.More}
		for _, it := range s.Items {
			hs.Items = append(hs.Items, htmlItem{
				Action:   visible(it.Action),
				Resource: visible(it.Resource),
				Status:   visible(string(it.Status)),
				Inferred: it.Inferred,
				Risks:    visibleJoin(it.Risks),
				Origins:  visibleJoin(it.Origins),
				Count:    it.Count,
				First:    rfc3339(it.First, ""),
				Last:     rfc3339(it.Last, ""),
				Samples:  visibleJoin(it.Samples),
			})
		}
		d.Sections = append(d.Sections, hs)
	}
	return d
}

func newHTMLChanges(c *report.Changes) *htmlChanges {
	h := &htmlChanges{
		Since:      c.Since,
		SinceTaken: rfc3339(c.SinceTaken, "at an unknown time"),
		New:        newHTMLList(c.New, reportChangePrincipals),
		Gone:       newHTMLList(c.Gone, reportChangePrincipals),
		Total:      len(c.Principals),
	}
	for n, i := range changeOrder(c) {
		if n == reportChangePrincipals {
			h.More = len(c.Principals) - n
			break
		}
		pc := c.Principals[i]
		h.Principals = append(h.Principals, htmlChange{
			Provider:    visible(pc.Provider),
			Principal:   visible(pc.Principal),
			ScoreFrom:   pc.ScoreFrom,
			ScoreTo:     pc.ScoreTo,
			Gained:      newHTMLList(pc.Gained, reportChangeItems),
			Lost:        newHTMLList(pc.Lost, reportChangeItems),
			NewlyUsed:   newHTMLList(pc.NewlyUsed, reportChangeItems),
			NewlyUnused: newHTMLList(pc.NewlyUnused, reportChangeItems),
			RiskyGained: newHTMLList(pc.RiskyGained, reportChangeItems),
		})
	}
	return h
}

func newHTMLList(ss []string, n int) htmlList {
	shown, more := firstN(ss, n)
	l := htmlList{More: more, Total: len(ss)}
	for _, s := range shown {
		l.Items = append(l.Items, visible(s))
	}
	return l
}

// visibleJoin joins ss with ", " after visible.
func visibleJoin(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = visible(s)
	}
	return strings.Join(out, ", ")
}
