package emit

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/leastpriv/pare/synth/report"
)

// ReportMarkdown writes r as GitHub-flavoured Markdown for wikis and pull
// request comments, with the content of the HTML report: the summary and
// roll-ups, the charts as text bars, the changes since the last snapshot,
// every principal in one table (highest score first), and details for the
// principals with the highest scores within the same limits as the HTML
// report (the report* constants; the JSON report carries everything).
// Every string from a log or a policy goes through escapeMarkdown, and
// policies are fenced so that no line of theirs can close the fence. A
// string that is not valid UTF-8 is an error, and nothing is written on an
// error.
func ReportMarkdown(w io.Writer, r report.Report) error {
	if err := checkReportUTF8(r); err != nil {
		return err
	}
	var b bytes.Buffer
	order := byScore(r.Principals)
	writeMarkdownSummary(&b, r)
	writeMarkdownCharts(&b, r, order)
	if r.Changes != nil {
		writeMarkdownChanges(&b, r.Changes)
	}
	writeMarkdownPrincipals(&b, r.Principals, order)
	writeMarkdownDetails(&b, r.Principals, order)
	_, err := w.Write(b.Bytes())
	return err
}

// markdownSpecial are the characters escapeMarkdown escapes with a
// backslash: everything CommonMark or GitHub gives a meaning inside a line
// (emphasis, code, links, images, HTML and entities, table cells,
// strikethrough, headings' closing #, emoji shortcodes, autolinks after
// "scheme:" and "@", math).
const markdownSpecial = "\\`*_{}[]()<>#|~&!:@$"

// escapeMarkdown makes s literal text anywhere inside a line of Markdown:
// a paragraph, a heading, a table cell. Each character of markdownSpecial
// gets a backslash, and every rune that is not printable (newlines, tabs,
// controls, bidirectional overrides, zero-width characters) is written as
// the visible text \uXXXX, so s stays on one line and cannot reorder what
// surrounds it. The result must not start a line: callers put a label or a
// table pipe before it, so "- x" or "1. x" cannot become a list.
func escapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch {
		case r < 0x80 && strings.ContainsRune(markdownSpecial, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case unicode.IsPrint(r):
			b.WriteRune(r)
		default:
			b.WriteString(strings.ReplaceAll(runeEscape(r), `\`, `\\`))
		}
	}
	return b.String()
}

// escapeMarkdownList escapes each of ss and joins them with ", ", adding
// "and N more" when some were left out.
func escapeMarkdownList(ss []string, n int) string {
	shown, more := firstN(ss, n)
	out := make([]string, len(shown))
	for i, s := range shown {
		out[i] = escapeMarkdown(s)
	}
	if more > 0 {
		out = append(out, fmt.Sprintf("and %d more", more))
	}
	return strings.Join(out, ", ")
}

// markdownTable writes a table; right marks the columns aligned right.
// Cells must already be escaped.
func markdownTable(b *bytes.Buffer, header []string, right []bool, rows [][]string) {
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for i := range header {
		if i < len(right) && right[i] {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, row := range rows {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	b.WriteString("\n")
}

// textBar draws n of most as a bar of width characters.
func textBar(n, most, width int) string {
	w := 0
	if most > 0 {
		w = n * width / most
	}
	if n > 0 && w == 0 {
		w = 1
	}
	return strings.Repeat("█", w) + strings.Repeat("░", width-w)
}

func itoa(n int) string { return strconv.Itoa(n) }

func writeMarkdownSummary(b *bytes.Buffer, r report.Report) {
	snapshot := "not stored"
	if r.Snapshot != 0 {
		snapshot = fmt.Sprintf("#%d", r.Snapshot)
	}
	fmt.Fprintf(b, "# pare privilege report\n\nTaken %s · window %s · snapshot %s\n\n## Summary\n\n",
		rfc3339(r.Taken, "at an unknown time"), windowText(r.Window), snapshot)
	t := totalsOf(r.Principals)
	markdownTable(b,
		[]string{"Principals", "Granted", "Used", "Unused", "Unobservable", "Risky and idle", "Denied attempts", "Used, not granted", "Mean score"},
		[]bool{true, true, true, true, true, true, true, true, true},
		[][]string{{itoa(t.Principals), itoa(t.Granted), itoa(t.Used), itoa(t.Unused), itoa(t.Unobservable), itoa(t.RiskyUnused), itoa(t.Denied), itoa(t.NotGranted), oneDecimal(t.MeanScore)}})
	b.WriteString("Score: 0 means every entitlement is used and nothing risky sits idle, 100 the opposite (the README gives the formula). Unobservable entitlements are granted but cannot show up in the logs read.\n\n")
	if len(r.Rollups) == 0 {
		return
	}
	b.WriteString("### By account, subscription and cluster\n\n")
	var rows [][]string
	for _, u := range r.Rollups {
		rows = append(rows, []string{escapeMarkdown(u.Provider), escapeMarkdown(u.Container), itoa(u.Principals), itoa(u.Granted), itoa(u.Used), itoa(u.Unused), itoa(u.RiskyUnused), oneDecimal(u.MeanScore), itoa(u.MaxScore)})
	}
	markdownTable(b,
		[]string{"Provider", "Container", "Principals", "Granted", "Used", "Unused", "Risky and idle", "Mean score", "Max score"},
		[]bool{false, false, true, true, true, true, true, true, true}, rows)
}

func writeMarkdownCharts(b *bytes.Buffer, r report.Report, order []int) {
	b.WriteString("## Score distribution\n\n```text\n")
	bins := scoreBins(r.Principals)
	most := 0
	for _, n := range bins {
		most = max(most, n)
	}
	for i, n := range bins {
		fmt.Fprintf(b, "%6s  %s %d\n", binLabel(i), textBar(n, most, 30), n)
	}
	b.WriteString("```\n\n")

	shown := order[:min(len(order), reportChartPrincipals)]
	if len(shown) > 0 {
		fmt.Fprintf(b, "## Granted versus used: the %d principals with the highest scores\n\n", len(shown))
		b.WriteString("Each bar is the principal's granted entitlements: █ used, ▒ unobservable, ░ unused.\n\n")
		var rows [][]string
		for _, i := range shown {
			p := r.Principals[i]
			rows = append(rows, []string{escapeMarkdown(p.Provider), escapeMarkdown(p.Principal), itoa(p.Score), usageBar(p, 20), fmt.Sprintf("%d/%d", p.Used, p.Granted), itoa(p.RiskyUnused)})
		}
		markdownTable(b, []string{"Provider", "Principal", "Score", "Granted", "Used", "Risky and idle"}, []bool{false, false, true, false, true, true}, rows)
	}

	b.WriteString("## Trend\n\n")
	if len(r.Trend) == 0 {
		b.WriteString("No earlier snapshots yet: the trend appears from the second stored report on.\n\n")
		return
	}
	var rows [][]string
	for _, t := range r.Trend {
		rows = append(rows, []string{fmt.Sprintf("#%d", t.Snapshot), rfc3339(t.Taken, ""), itoa(t.Principals), itoa(t.Granted), itoa(t.Unused), itoa(t.RiskyUnused), oneDecimal(t.MeanScore), textBar(int(t.MeanScore+0.5), 100, 20)})
	}
	markdownTable(b, []string{"Snapshot", "Taken", "Principals", "Granted", "Unused", "Risky and idle", "Mean score", ""}, []bool{false, false, true, true, true, true, true, false}, rows)
}

// usageBar draws p's granted entitlements as used, unobservable and unused.
func usageBar(p report.Principal, width int) string {
	if p.Granted <= 0 {
		return ""
	}
	used := p.Used * width / p.Granted
	unobservable := p.Unobservable * width / p.Granted
	unused := max(width-used-unobservable, 0)
	return strings.Repeat("█", used) + strings.Repeat("▒", unobservable) + strings.Repeat("░", unused)
}

func writeMarkdownChanges(b *bytes.Buffer, c *report.Changes) {
	fmt.Fprintf(b, "## Changes since snapshot #%d\n\nSnapshot #%d was taken %s.\n\n", c.Since, c.Since, rfc3339(c.SinceTaken, "at an unknown time"))
	if len(c.New) == 0 && len(c.Gone) == 0 && len(c.Principals) == 0 {
		b.WriteString("Nothing changed.\n\n")
		return
	}
	if len(c.New) > 0 {
		fmt.Fprintf(b, "New principals (%d): %s\n\n", len(c.New), escapeMarkdownList(c.New, reportChangePrincipals))
	}
	if len(c.Gone) > 0 {
		fmt.Fprintf(b, "Principals gone (%d): %s\n\n", len(c.Gone), escapeMarkdownList(c.Gone, reportChangePrincipals))
	}
	if len(c.Principals) == 0 {
		return
	}
	fmt.Fprintf(b, "### Changed principals (%d)\n\n", len(c.Principals))
	var rows [][]string
	for n, i := range changeOrder(c) {
		if n == reportChangePrincipals {
			break
		}
		pc := c.Principals[i]
		rows = append(rows, []string{
			escapeMarkdown(pc.Provider), escapeMarkdown(pc.Principal), fmt.Sprintf("%d → %d", pc.ScoreFrom, pc.ScoreTo),
			escapeMarkdownList(pc.RiskyGained, reportChangeItems), escapeMarkdownList(pc.Gained, reportChangeItems),
			escapeMarkdownList(pc.Lost, reportChangeItems), escapeMarkdownList(pc.NewlyUsed, reportChangeItems),
			escapeMarkdownList(pc.NewlyUnused, reportChangeItems),
		})
	}
	markdownTable(b, []string{"Provider", "Principal", "Score", "Risky gained", "Gained", "Lost", "Newly used", "Newly unused"}, []bool{false, false, true}, rows)
	if more := len(c.Principals) - reportChangePrincipals; more > 0 {
		fmt.Fprintf(b, "%d more changed principals are in the JSON report.\n\n", more)
	}
}

func writeMarkdownPrincipals(b *bytes.Buffer, ps []report.Principal, order []int) {
	fmt.Fprintf(b, "## Principals (%d)\n\n", len(ps))
	if len(ps) == 0 {
		b.WriteString("No principals.\n\n")
		return
	}
	var rows [][]string
	for rank, i := range order {
		p := ps[i]
		rows = append(rows, []string{
			itoa(rank + 1), escapeMarkdown(p.Provider), escapeMarkdown(p.Principal), escapeMarkdown(p.Kind), escapeMarkdown(p.Container),
			itoa(p.Score), itoa(p.Granted), itoa(p.Used), itoa(p.Unused), itoa(p.Unobservable), itoa(p.RiskyUnused), itoa(p.Denied), itoa(p.NotGranted),
		})
	}
	markdownTable(b,
		[]string{"#", "Provider", "Principal", "Kind", "Container", "Score", "Granted", "Used", "Unused", "Unobservable", "Risky idle", "Denied", "Not granted"},
		[]bool{true, false, false, false, false, true, true, true, true, true, true, true, true}, rows)
}

func writeMarkdownDetails(b *bytes.Buffer, ps []report.Principal, order []int) {
	shown := order[:min(len(order), reportDetailPrincipals)]
	if len(shown) == 0 {
		return
	}
	b.WriteString("## Details\n\n")
	fmt.Fprintf(b, "Details of the %d principals with the highest scores", len(shown))
	if rest := len(order) - len(shown); rest > 0 {
		fmt.Fprintf(b, " (%d more principals have none here)", rest)
	}
	fmt.Fprintf(b, ": risky idle entitlements (up to %d each), then up to %d entitlements per status, with the grants that give them and the evidence of use, and the right-sized policy. The JSON report (--format json) carries every item of every principal.\n\n", reportRiskyItems, reportSectionItems)
	for rank, i := range shown {
		p := ps[i]
		fmt.Fprintf(b, "### %d. %s %s\n\n", rank+1, escapeMarkdown(p.Provider), escapeMarkdown(p.Principal))
		fmt.Fprintf(b, "Score %d · %s in %s · granted %d, used %d, unused %d, unobservable %d, risky and idle %d, denied attempts %d, used but not granted %d.\n\n",
			p.Score, escapeMarkdown(p.Kind), escapeMarkdown(p.Container), p.Granted, p.Used, p.Unused, p.Unobservable, p.RiskyUnused, p.Denied, p.NotGranted)
		for _, s := range detailSections(p) {
			fmt.Fprintf(b, "#### %s\n\n", s.Title)
			var rows [][]string
			for _, it := range s.Items {
				status := escapeMarkdown(string(it.Status))
				if it.Inferred {
					status += " (inferred)"
				}
				rows = append(rows, []string{
					escapeMarkdown(it.Action), escapeMarkdown(it.Resource), status, escapeMarkdownList(it.Risks, len(it.Risks)),
					escapeMarkdownList(it.Origins, len(it.Origins)), strconv.FormatInt(it.Count, 10),
					rfc3339(it.First, ""), rfc3339(it.Last, ""), escapeMarkdownList(it.Samples, len(it.Samples)),
				})
			}
			markdownTable(b, []string{"Action", "Resource", "Status", "Risks", "Granted by", "Uses", "First", "Last", "Sample events"},
				[]bool{false, false, false, false, false, true}, rows)
			if s.More > 0 {
				fmt.Fprintf(b, "And %d more in the JSON report.\n\n", s.More)
			}
		}
		if p.Policy != "" {
			writeMarkdownPolicy(b, p.Policy, p.PolicyFormat)
		}
	}
}

// writeMarkdownPolicy writes a policy as a fenced code block whose fence is
// longer than any run of backticks in the policy, so no line of it closes
// the block; invisible runes are shown as \uXXXX.
func writeMarkdownPolicy(b *bytes.Buffer, policy, format string) {
	fmt.Fprintf(b, "#### Right-sized policy (%s)\n\n", escapeMarkdown(format))
	text := visibleText(policy)
	fence := strings.Repeat("`", max(3, longestRun(text, '`')+1))
	lang := ""
	if isLanguageName(format) {
		lang = format
	}
	b.WriteString(fence + lang + "\n" + text)
	if !strings.HasSuffix(text, "\n") {
		b.WriteString("\n")
	}
	b.WriteString(fence + "\n\n")
}

// isLanguageName reports whether a policy format can name a fenced block's
// language: lower-case letters and digits only.
func isLanguageName(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return s != ""
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c rune) int {
	longest, run := 0, 0
	for _, r := range s {
		if r == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
