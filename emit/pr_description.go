package emit

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/remediate"
)

// Limits of the pull request description. GitHub refuses a body over 65,536
// characters; the description stays under prBudget bytes (so under that
// many characters too) by cutting tables and, past the budget, leaving out
// the details of further principals.
const (
	prBudget         = 60000
	prTableRows      = 25  // rows of one permission table
	prSummaryRows    = 100 // rows of the table of principals
	prRiskyRows      = 50  // rows of the table of risky removals
	prListItems      = 20  // opt-out and note items of one principal
	prFilesPerPerson = 10  // files listed for one principal
)

// PRDescriptionData is what a remediation pull request describes.
type PRDescriptionData struct {
	// Window is the observation window the plans were made from.
	Window synth.Window
	// MinWindow is the configured min_window in days' notation ("30d");
	// "" when none was set.
	MinWindow string
	// Principals are the principals the pull request changes.
	Principals []PRPrincipal
	// Version is pare's version for the footer; "" leaves it out.
	Version string
}

// PRPrincipal is one principal's plan and the files written for it.
type PRPrincipal struct {
	Plan  remediate.Plan
	Files []string // paths in the repository
}

// PRTitle is a pull request title for d: counts only, no string from a log.
func PRTitle(d PRDescriptionData) string {
	t := prTotalsOf(d.Principals)
	if len(d.Principals) == 1 {
		return fmt.Sprintf("pare: least privilege for 1 principal (%s removed)", plural(t.removed, "permission"))
	}
	return fmt.Sprintf("pare: least privilege for %d principals (%s removed)", len(d.Principals), plural(t.removed, "permission"))
}

// PRDescription writes the description of a remediation pull request as
// GitHub- and GitLab-flavoured Markdown: a summary line (principals,
// permissions removed, kept, added and inferred), the observation window,
// a table of every principal and one of the risky removals across them,
// then per principal the files changed and tables of the permissions
// removed, kept, added and inferred with their evidence (uses and last
// seen in the window), risky removals first and marked ⚠ with their risk
// categories, the content kept by an opt-out and pare's notes; then how to
// roll back, and a footer saying pare generated it.
//
// Principals are ordered by provider and principal. Tables are cut at a
// fixed number of rows with a count of the rest, and the details of
// further principals are left out once the description nears GitHub's
// size limit, with a count; the evidence files in the pull request carry
// everything. Every string from a log, a policy or a file goes through
// escapeMarkdown. A string that is not valid UTF-8 is an error, and nothing
// is written on an error.
func PRDescription(w io.Writer, d PRDescriptionData) error {
	if err := checkPRUTF8(d); err != nil {
		return err
	}
	ps := slices.Clone(d.Principals)
	slices.SortStableFunc(ps, func(a, b PRPrincipal) int {
		return cmp.Or(cmp.Compare(a.Plan.Provider, b.Plan.Provider), cmp.Compare(a.Plan.Principal, b.Plan.Principal))
	})

	var tail bytes.Buffer
	writePRRollback(&tail, ps)
	writePRFooter(&tail, d.Version)

	var b bytes.Buffer
	writePRSummary(&b, d, ps)
	shown := 0
	for _, p := range ps {
		var section bytes.Buffer
		writePRPrincipal(&section, p)
		if b.Len()+section.Len()+tail.Len() > prBudget {
			break
		}
		b.Write(section.Bytes())
		shown++
	}
	if rest := len(ps) - shown; rest > 0 {
		fmt.Fprintf(&b, "The details of %d more %s left out to keep this description within the forge's size limit: the evidence files in this pull request list every permission.\n\n", rest, nouns(rest, "principal is", "principals are"))
	}
	b.Write(tail.Bytes())
	_, err := w.Write(b.Bytes())
	return err
}

type prTotals struct {
	removed, kept, added, inferred, risky, optOut int
}

func prTotalsOf(ps []PRPrincipal) prTotals {
	var t prTotals
	for _, p := range ps {
		t.removed += len(p.Plan.Removed)
		t.kept += len(p.Plan.Kept)
		t.added += len(p.Plan.Added)
		t.inferred += len(p.Plan.Inferred)
		t.risky += len(p.Plan.Risky)
		t.optOut += len(p.Plan.KeptByOptOut)
	}
	return t
}

func writePRSummary(b *bytes.Buffer, d PRDescriptionData, ps []PRPrincipal) {
	t := prTotalsOf(ps)
	b.WriteString("## pare: least-privilege policies\n\n")
	fmt.Fprintf(b, "**%s · %d permissions removed · %d kept · %d added · %d inferred**", plural(len(ps), "principal"), t.removed, t.kept, t.added, t.inferred)
	if t.risky > 0 {
		fmt.Fprintf(b, " · ⚠ %s", plural(t.risky, "risky removal"))
	}
	b.WriteString("\n\n")
	fmt.Fprintf(b, "Observation window: %s", windowText(d.Window))
	if !d.Window.From.IsZero() && !d.Window.To.IsZero() && d.Window.To.After(d.Window.From) {
		fmt.Fprintf(b, " (%s)", remediate.Days(d.Window.To.Sub(d.Window.From)))
	}
	if d.MinWindow != "" {
		fmt.Fprintf(b, " · min\\_window %s", escapeMarkdown(d.MinWindow))
	}
	b.WriteString(".\n\n")
	b.WriteString("Every permission removed was unused in the window, or covered only usage that is still allowed (by narrower permissions, or for Kubernetes by other RBAC); pare checked with the provider's policy evaluator that the new content allows every access the logs show. Counts are events in the window.\n\n")
	if len(ps) == 0 {
		b.WriteString("No principal changes.\n\n")
		return
	}

	var rows [][]string
	for i, p := range ps {
		if i == prSummaryRows {
			break
		}
		risky := ""
		if n := len(p.Plan.Risky); n > 0 {
			risky = "⚠ " + itoa(n)
		}
		rows = append(rows, []string{
			escapeMarkdown(p.Plan.Provider), escapeMarkdown(p.Plan.Principal),
			itoa(len(p.Plan.Removed)), risky, itoa(len(p.Plan.Kept)), itoa(len(p.Plan.Added)), itoa(len(p.Plan.Inferred)),
		})
	}
	markdownTable(b, []string{"Provider", "Principal", "Removed", "Risky", "Kept", "Added", "Inferred"},
		[]bool{false, false, true, true, true, true, true}, rows)
	if more := len(ps) - prSummaryRows; more > 0 {
		fmt.Fprintf(b, "And %d more %s, not in this table.\n\n", more, nouns(more, "principal", "principals"))
	}

	if t.risky == 0 {
		return
	}
	b.WriteString("### ⚠ Risky removals\n\n")
	rows = nil
	n := 0
	for _, p := range ps {
		for _, e := range p.Plan.Risky {
			n++
			if n > prRiskyRows {
				continue
			}
			rows = append(rows, []string{escapeMarkdown(p.Plan.Principal), escapeMarkdown(e.Action), escapeMarkdown(e.Resource), prRisks(e.Risks), prUsedRemoved(e)})
		}
	}
	markdownTable(b, []string{"Principal", "Action", "Resource", "Risk", "Used in window"}, nil, rows)
	writePRMore(b, n-prRiskyRows, "risky removal", "risky removals")
}

func writePRPrincipal(b *bytes.Buffer, p PRPrincipal) {
	plan := p.Plan
	fmt.Fprintf(b, "### %s · %s\n\n", escapeMarkdown(plan.Provider), escapeMarkdown(plan.Principal))
	if len(p.Files) > 0 {
		b.WriteString("Files: " + escapeMarkdownList(p.Files, prFilesPerPerson) + "\n\n")
	}
	if plan.NewFile {
		b.WriteString("A new file: everything is added.\n\n")
	}

	fmt.Fprintf(b, "#### Removed (%d)\n\n", len(plan.Removed))
	if len(plan.Removed) == 0 {
		b.WriteString("Nothing.\n\n")
	} else {
		var rows [][]string
		for _, e := range plan.Removed[:min(len(plan.Removed), prTableRows)] {
			mark := ""
			if len(e.Risks) > 0 {
				mark = "⚠"
			}
			rows = append(rows, []string{mark, escapeMarkdown(e.Action), escapeMarkdown(e.Resource), prUsedRemoved(e), prRisks(e.Risks)})
		}
		markdownTable(b, []string{"", "Action", "Resource", "Used in window", "Risk"}, nil, rows)
		writePRMore(b, len(plan.Removed)-prTableRows, "removed permission", "removed permissions")
	}
	writePREntries(b, "Kept", plan.Kept)
	writePREntries(b, "Added", plan.Added)
	writePREntries(b, "Inferred", plan.Inferred)
	if len(plan.Inferred) > 0 {
		b.WriteString("No event names an inferred permission; events imply it (iam:PassRole from a role in a request, the /read of an Azure resource type written). Counts are of those events.\n\n")
	}
	writePRList(b, "Kept as it stands (pare:keep)", plan.KeptByOptOut)
	writePRList(b, "Notes", plan.Notes)
}

func writePREntries(b *bytes.Buffer, title string, es []remediate.Entry) {
	if len(es) == 0 {
		return
	}
	fmt.Fprintf(b, "#### %s (%d)\n\n", title, len(es))
	var rows [][]string
	for _, e := range es[:min(len(es), prTableRows)] {
		rows = append(rows, []string{escapeMarkdown(e.Action), escapeMarkdown(e.Resource), strconv.FormatInt(e.Count, 10), rfc3339(e.Last, "–"), prRisks(e.Risks)})
	}
	markdownTable(b, []string{"Action", "Resource", "Uses", "Last seen", "Risk"}, []bool{false, false, true}, rows)
	noun := strings.ToLower(title) + " permission"
	writePRMore(b, len(es)-prTableRows, noun, noun+"s")
}

func writePRList(b *bytes.Buffer, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "#### %s\n\n", title)
	for _, s := range items[:min(len(items), prListItems)] {
		b.WriteString("- " + escapeMarkdown(s) + "\n")
	}
	b.WriteString("\n")
	if more := len(items) - prListItems; more > 0 {
		fmt.Fprintf(b, "And %d more.\n\n", more)
	}
}

// prUsedRemoved describes the usage a removed permission covered.
func prUsedRemoved(e remediate.Entry) string {
	if e.Count == 0 {
		return "not used"
	}
	return fmt.Sprintf("%d, last %s; still allowed", e.Count, rfc3339(e.Last, "unknown"))
}

func prRisks(risks []string) string {
	if len(risks) == 0 {
		return ""
	}
	return "⚠ " + escapeMarkdownList(risks, len(risks))
}

func writePRMore(b *bytes.Buffer, more int, one, many string) {
	if more > 0 {
		fmt.Fprintf(b, "And %d more %s, in the evidence files.\n\n", more, nouns(more, one, many))
	}
}

// nouns is one for n == 1 and many otherwise.
func nouns(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func writePRRollback(b *bytes.Buffer, ps []PRPrincipal) {
	b.WriteString("## How to roll back\n\n")
	b.WriteString("pare changes only the files listed above, and their previous content stays in git history (`git log -p -- <file>`). To undo the change after it is merged:\n\n")
	b.WriteString("1. Revert the merge commit: `git revert -m 1 <merge commit>` (or the forge's Revert button), and apply as usual.\n")
	b.WriteString("2. If the pull request was squashed or rebased, revert its commit: `git revert <sha>`.\n")
	b.WriteString("3. To restore a single file: `git checkout <merge commit>^1 -- <file>`, then commit.\n\n")
	b.WriteString("A permission put back this way takes effect when the infrastructure is applied again.")
	if len(ps) > 0 {
		b.WriteString(" Until then, nothing this pull request removes is gone: merging changes files, applying changes access.")
	}
	b.WriteString("\n\n")
}

func writePRFooter(b *bytes.Buffer, version string) {
	b.WriteString("---\n\n")
	b.WriteString("Generated by pare")
	if version != "" {
		b.WriteString(" " + escapeMarkdown(version))
	}
	b.WriteString(" from observed usage. Review it like any other change: pare proposes, a human approves. To keep a permission pare would remove, mark it pare:keep (a statement Sid containing PareKeep, a pare:keep comment, a Description containing pare:keep, or the annotation pare.dev/keep: \"true\") and pare leaves it as it is.\n")
}

// checkPRUTF8 reports the first string of d that is not valid UTF-8.
func checkPRUTF8(d PRDescriptionData) error {
	check := func(what, s string) error {
		if !utf8.ValidString(s) {
			return fmt.Errorf("pull request description: %s %q is not valid UTF-8", what, s)
		}
		return nil
	}
	if err := check("min_window", d.MinWindow); err != nil {
		return err
	}
	if err := check("version", d.Version); err != nil {
		return err
	}
	for _, p := range d.Principals {
		plan := p.Plan
		for _, s := range []string{plan.Provider, plan.Principal} {
			if err := check("principal", s); err != nil {
				return err
			}
		}
		var all []string
		all = append(all, p.Files...)
		all = append(all, plan.KeptByOptOut...)
		all = append(all, plan.Notes...)
		for _, es := range [][]remediate.Entry{plan.Removed, plan.Kept, plan.Added, plan.Inferred, plan.Risky} {
			for _, e := range es {
				all = append(all, e.Action, e.Resource)
				all = append(all, e.Risks...)
			}
		}
		for _, s := range all {
			if err := check(fmt.Sprintf("string of %q", plan.Principal), s); err != nil {
				return err
			}
		}
	}
	return nil
}
