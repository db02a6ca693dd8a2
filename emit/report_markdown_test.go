package emit

import (
	"bytes"
	"strings"
	"testing"
	"unicode"

	"github.com/leastpriv/pare/synth/report"
)

// hostileMarkdown are strings that mean something to Markdown, GitHub's
// flavour of it or the HTML it allows.
var hostileMarkdown = []string{
	hostileName,
	"<img src=x onerror=alert(1)>",
	"*bold* **strong** _em_ __em__ ~~gone~~",
	"a | b || c \\| d",
	"`code` ``two`` ```three```",
	"[link](javascript:alert(1)) ![img](http://x/y.png) [ref][1]",
	"# heading ## closing ##",
	"&lt;not a tag&gt; &amp; &#60;",
	"https://evil.example www.evil.example user@evil.example",
	":smile: $x^2$ $$y$$ {{.}} ${x}",
	"line\nbreak\r\nwindows\rold mac\ttab",
	"trailing backslash\\",
	"\\*already escaped\\*",
	"rlo\u202eexe.txt zwj\u200d nbsp\u00a0 bom\ufeff tag\U000e0041 nul\x00 del\x7f",
	"- list item",
	"1. ordered",
	"> quote",
	"ünïcödé 日本語 😀",
	"",
}

func TestReportEscapeMarkdownCases(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{hostileName, `\<script\>alert\(1\)\</script\>`},
		{"a|b", `a\|b`},
		{"*x* _y_ `z`", "\\*x\\* \\_y\\_ \\`z\\`"},
		{"[a](b)", `\[a\]\(b\)`},
		{"#1 & <b>", `\#1 \&amp; \<b\>`[:3] + ` \& \<b\>`},
		{"back\\slash", `back\\slash`},
		{"line\nbreak", `line\\u000abreak`},
		{"rlo\u202e", `rlo\\u202e`},
		{"tag\U000e0041", `tag\\udb40\\udc41`},
		{"arn:aws:s3:::b", `arn\:aws\:s3\:\:\:b`},
		{"user@example.com", `user\@example.com`},
		{"日本語 😀", "日本語 😀"},
	} {
		if got := escapeMarkdown(c.in); got != c.want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestReportEscapeMarkdownHostile(t *testing.T) {
	for _, s := range append(hostileMarkdown, hostile...) {
		checkMarkdownEscaped(t, s, escapeMarkdown(s))
	}
}

func FuzzReportEscapeMarkdown(f *testing.F) {
	for _, s := range append(hostileMarkdown, hostile...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !validUTF8(s) {
			return // the renderers refuse such strings before escaping
		}
		checkMarkdownEscaped(t, s, escapeMarkdown(s))
	})
}

// checkMarkdownEscaped checks that out, the escape of in, has every
// special character behind a backslash, no bare backslash, nothing
// invisible, and that undoing the backslashes gives visible(in).
func checkMarkdownEscaped(t *testing.T, in, out string) {
	t.Helper()
	var plain strings.Builder
	rs := []rune(out)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if !unicode.IsPrint(r) {
			t.Fatalf("escapeMarkdown(%q) = %q has the invisible rune %U", in, out, r)
		}
		if r == '\\' {
			if i+1 == len(rs) || !strings.ContainsRune(markdownSpecial, rs[i+1]) {
				t.Fatalf("escapeMarkdown(%q) = %q has a backslash escaping nothing at rune %d", in, out, i)
			}
			plain.WriteRune(rs[i+1])
			i++
			continue
		}
		if strings.ContainsRune(markdownSpecial, r) {
			t.Fatalf("escapeMarkdown(%q) = %q has a bare %q at rune %d", in, out, r, i)
		}
		plain.WriteRune(r)
	}
	if plain.String() != visible(in) {
		t.Fatalf("escapeMarkdown(%q) = %q reads as %q, want %q", in, out, plain.String(), visible(in))
	}
}

// TestReportMarkdownHostile renders a report whose every string is hostile
// and checks that no line of the output lets one through: outside code
// fences, every special character of a log string is escaped, which
// checkMarkdownEscaped proves for the escape function; here the renderer
// must use it everywhere, so no hostile string appears unescaped.
func TestReportMarkdownHostile(t *testing.T) {
	r := reportFixture()
	for i := range r.Principals {
		p := &r.Principals[i]
		for j, s := range hostileMarkdown[:len(hostileMarkdown)-1] {
			p.Items = append(p.Items, report.Item{Action: s, Resource: s, Status: report.Unused, Origins: []string{s}, Risks: []string{s}, Samples: []string{s}})
			if j == i {
				p.Principal, p.Kind, p.Container, p.Provider = s, s, s, s
			}
		}
		p.Policy = "```\n" + hostileName + "\n~~~\n"
	}
	r.Rollups[0].Container = hostileMarkdown[3]
	r.Changes.New = hostileMarkdown
	r.Changes.Principals[0].Gained = hostileMarkdown
	var buf bytes.Buffer
	if err := ReportMarkdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	checkVisible(t, buf.Bytes())
	inFence := ""
	for n, line := range strings.Split(out, "\n") {
		if inFence != "" {
			if line == inFence {
				inFence = ""
			}
			continue
		}
		if strings.HasPrefix(line, "```") {
			inFence = strings.TrimRight(line, "abcdefghijklmnopqrstuvwxyz0123456789")
			continue
		}
		bare := withoutEscapes(line)
		for _, bad := range []string{"<script", "<img", "](", "**", "~~", "&lt;", "javascript:", "https://", "``", "@evil"} {
			if strings.Contains(bare, bad) {
				t.Errorf("line %d has %q unescaped: %s", n+1, bad, line)
			}
		}
		if strings.HasPrefix(line, "|") && strings.Count(withoutEscapes(line), "|") != strings.Count(firstTableRow(out, n), "|") {
			t.Errorf("line %d has more cells than its table's header: %s", n+1, line)
		}
	}
	if inFence != "" {
		t.Errorf("a code fence %q is never closed", inFence)
	}
	// The policy's own ``` cannot close the fence around it.
	if !strings.Contains(out, "````\n```\n"+escapeMarkdown(hostileName)[:0]+hostileName+"\n~~~\n````\n") {
		t.Error("a policy with ``` is not fenced by ````")
	}
}

// withoutEscapes replaces every backslash escape of line by "·": what is
// left is what Markdown could read as syntax.
func withoutEscapes(line string) string {
	var b strings.Builder
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '\\' && i+1 < len(rs) {
			b.WriteRune('·')
			i++
			continue
		}
		b.WriteRune(rs[i])
	}
	return b.String()
}

// firstTableRow is the header of the table line n belongs to.
func firstTableRow(out string, n int) string {
	lines := strings.Split(out, "\n")
	for n > 0 && strings.HasPrefix(lines[n-1], "|") {
		n--
	}
	return lines[n]
}

func TestReportLongestRun(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int
	}{{"", 0}, {"a`b", 1}, {"``x```y`", 3}, {"`````", 5}} {
		if got := longestRun(c.s, '`'); got != c.want {
			t.Errorf("longestRun(%q) = %d, want %d", c.s, got, c.want)
		}
	}
}
