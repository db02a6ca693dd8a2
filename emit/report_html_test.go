package emit

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/leastpriv/pare/synth/report"
)

// renderHTML renders r and parses the page as a browser would.
func renderHTML(t testing.TB, r report.Report) (string, *html.Node) {
	t.Helper()
	var buf bytes.Buffer
	if err := ReportHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return buf.String(), doc
}

// walk calls f on every node under n.
func walkHTML(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkHTML(c, f)
	}
}

func htmlAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walkHTML(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

// TestReportHTMLSafe parses the page and checks that nothing from the
// report became markup: two scripts only (pare's and the JSON rows), no
// event handler attributes, nothing loaded from anywhere, and the hostile
// names present as text.
func TestReportHTMLSafe(t *testing.T) {
	page, doc := renderHTML(t, reportFixture())
	var scripts, styles []*html.Node
	var csp string
	texts := map[string]bool{}
	walkHTML(doc, func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			texts[n.Data] = true
		case n.Type != html.ElementNode:
			return
		case n.DataAtom == atom.Script:
			scripts = append(scripts, n)
		case n.DataAtom == atom.Style:
			styles = append(styles, n)
		case n.DataAtom == atom.Meta:
			if v, _ := htmlAttr(n, "http-equiv"); v == "Content-Security-Policy" {
				csp, _ = htmlAttr(n, "content")
			}
		}
		if n.Type != html.ElementNode {
			return
		}
		switch n.DataAtom {
		case atom.Img, atom.Iframe, atom.Object, atom.Embed, atom.Link, atom.Base, atom.Form:
			t.Errorf("page has a <%s> element", n.Data)
		}
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			if strings.HasPrefix(key, "on") || key == "src" || key == "srcdoc" || key == "style" || key == "formaction" {
				t.Errorf("<%s> has attribute %s=%q", n.Data, a.Key, a.Val)
			}
			if key == "href" && !strings.HasPrefix(a.Val, "#p-") {
				t.Errorf("<%s> links to %q", n.Data, a.Val)
			}
		}
	})
	if len(scripts) != 2 || len(styles) != 1 {
		t.Fatalf("%d scripts and %d styles, want 2 and 1", len(scripts), len(styles))
	}
	if typ, _ := htmlAttr(scripts[0], "type"); typ != "application/json" {
		t.Errorf("first script has type %q, want application/json", typ)
	}
	if typ, ok := htmlAttr(scripts[1], "type"); ok {
		t.Errorf("pare's script has type %q", typ)
	}
	if strings.ContainsAny(textOf(scripts[0]), "<>&") {
		t.Errorf("the embedded JSON has a raw <, > or &: %.200s", textOf(scripts[0]))
	}
	if strings.Contains(textOf(scripts[1]), "alert") {
		t.Errorf("pare's script contains alert")
	}
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<img src=x") {
		t.Error("the page contains an unescaped hostile string")
	}
	// The page's own script and style are the only ones its CSP allows.
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	for _, want := range []string{"default-src 'none'", "script-src " + hash(textOf(scripts[1])), "style-src " + hash(textOf(styles[0]))} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, want := range []string{
		hostileName,
		"inline <img src=x onerror=alert(3)>",
		"</script><script>alert(4)</script>",
		"arn:aws:s3:::b/\" onmouseover=\"alert(2)",
		"s3:* on <b>all</b> | *",
		"arn:aws:s3:::b/line\\u000abreak\\u0009tab rlo\\u202eexe.txt zwj\\u200d",
		"{\"Statement\": \"</pre><script>alert(6)</script>\"}\n```\n````not a fence\n",
	} {
		if !texts[want] {
			t.Errorf("no text node %q", want)
		}
	}
	// The rows the script renders decode to the names as the page shows
	// them, every principal once.
	var rows [][]any
	if err := json.Unmarshal([]byte(textOf(scripts[0])), &rows); err != nil {
		t.Fatalf("embedded rows: %v", err)
	}
	if len(rows) != 5 || rows[2][1] != hostileName || rows[0][4] != 72.0 || rows[4][12] != 4.0 {
		t.Errorf("embedded rows = %v", rows)
	}
	if !strings.Contains(textOf(scripts[0]), `\u003cscript\u003e`) {
		t.Error("the embedded JSON does not escape <")
	}
}

// TestReportHTMLScriptText checks that the page's constant script and
// stylesheet cannot end their elements early.
func TestReportHTMLScriptText(t *testing.T) {
	for name, s := range map[string]string{"script": reportHTMLScript, "style": reportHTMLStyle} {
		lower := strings.ToLower(s)
		for _, bad := range []string{"</script", "</style", "<!--", "innerhtml", "eval(", "\t"} {
			if strings.Contains(lower, bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
}

func TestReportHTMLNoTrend(t *testing.T) {
	r := reportFixture()
	r.Trend = nil
	r.Changes = &report.Changes{Since: 6}
	page, _ := renderHTML(t, r)
	for _, want := range []string{"No earlier snapshots yet", "Nothing changed."} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
