package emit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/leastpriv/pare/synth/report"
)

// The browser test opens HTML reports in a real headless Chromium (Debian's
// chromium package; .ci/run installs it). It needs no driver: the page's
// script honours #sort=KEY-DIR, #click=KEY,... (clicks headers through the
// same handler a user's click runs), &page=N and &q=TEXT, so
// `chromium --headless --dump-dom URL#...` returns the table as the script
// left it. PARE_CHROMIUM names another binary; PARE_BROWSER_ARTIFACTS names
// a directory to keep the screenshot in.

// chromium is one headless browser the test drives.
type chromium struct {
	path    string
	profile string
}

// findChromium returns a browser that starts, or skips the test saying
// why not.
func findChromium(t *testing.T) chromium {
	t.Helper()
	path := os.Getenv("PARE_CHROMIUM")
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		t.Skip("SKIP browser test: no chromium on PATH (apt-get install -y chromium, or set PARE_CHROMIUM)")
	}
	c := chromium{path: path, profile: t.TempDir()}
	if _, stderr, err := c.run("--dump-dom", "data:text/html,<p>pare</p>"); err != nil {
		t.Skipf("SKIP browser test: %s does not start headless: %v\n%s", path, err, tail(stderr, 800))
	}
	return c
}

// run runs the browser headless with args and returns its output.
func (c chromium) run(args ...string) (stdout, stderr []byte, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	all := append([]string{
		"--headless",
		// The sandbox needs user namespaces or a setuid helper that
		// containers and root often lack; the page is one the test wrote.
		"--no-sandbox",
		"--disable-gpu",
		"--disable-dev-shm-usage",
		"--no-first-run",
		"--no-default-browser-check",
		"--disable-extensions",
		"--disable-background-networking",
		"--disable-component-update",
		"--hide-scrollbars",
		"--enable-logging=stderr",
		"--user-data-dir=" + c.profile,
	}, args...)
	cmd := exec.CommandContext(ctx, c.path, all...)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	cmd.Env = append(os.Environ(), "HOME="+c.profile)
	err = cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s timed out: %w", c.path, ctx.Err())
	}
	return out.Bytes(), errs.Bytes(), err
}

// dump loads page with the fragment and returns the DOM the script left.
func (c chromium) dump(t *testing.T, page, fragment string) *html.Node {
	t.Helper()
	u := url.URL{Scheme: "file", Path: page, Fragment: fragment}
	out, stderr, err := c.run("--dump-dom", u.String())
	if err != nil {
		t.Fatalf("dumping %s: %v\n%s", u.String(), err, tail(stderr, 2000))
	}
	checkConsole(t, stderr)
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// checkConsole fails on script errors and refused content in the
// browser's log.
func checkConsole(t *testing.T, stderr []byte) {
	t.Helper()
	for _, line := range strings.Split(string(stderr), "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Content Security Policy") || strings.Contains(line, "Uncaught") {
			t.Errorf("browser console: %s", line)
		}
	}
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// writePage renders r into a file of dir.
func writePage(t *testing.T, dir, name string, r report.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := ReportHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// tableState is what the principals table shows.
type tableState struct {
	names  []string // principal column, top to bottom
	sorted map[string]string
	status string
}

func readTable(t *testing.T, doc *html.Node) tableState {
	t.Helper()
	st := tableState{sorted: map[string]string{}}
	var table *html.Node
	walkHTML(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if id, _ := htmlAttr(n, "id"); id == "principals" {
			table = n
		} else if id == "status" {
			st.status = textOf(n)
		}
	})
	if table == nil {
		t.Fatal("no table#principals in the DOM")
	}
	walkHTML(table, func(n *html.Node) {
		switch n.DataAtom {
		case atom.Th:
			key, _ := htmlAttr(n, "data-key")
			st.sorted[key], _ = htmlAttr(n, "aria-sort")
		case atom.Tr:
			if n.Parent.DataAtom != atom.Tbody {
				return
			}
			var cells []string
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.DataAtom == atom.Td {
					cells = append(cells, textOf(c))
				}
			}
			if len(cells) != 12 {
				t.Fatalf("a row has %d cells, want 12: %q", len(cells), cells)
			}
			st.names = append(st.names, cells[1])
		}
	})
	return st
}

// browserFixture is reportFixture with a name that would run script if it
// became markup.
func browserFixture() report.Report {
	r := reportFixture()
	p := r.Principals[3] // alice, score 0
	p.Principal = `<img src=x onerror="document.title='pwned'">`
	r.Principals = append(r.Principals, p)
	return r
}

func TestReportBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	c := findChromium(t)
	dir := t.TempDir()
	page := writePage(t, dir, "report.html", browserFixture())
	imgName := `<img src=x onerror="document.title='pwned'">`
	byScore := []string{"arn:aws:iam::123456789012:role/deploy", "system:serviceaccount:ci:deployer", hostileName, "11111111-2222-3333-4444-555555555555", imgName, "alice@example.com"}
	byName := slices.Clone(byScore)
	slices.Sort(byName)
	byNameDesc := slices.Clone(byName)
	slices.Reverse(byNameDesc)

	t.Run("screenshot", func(t *testing.T) {
		shot := filepath.Join(dir, "report.png")
		u := url.URL{Scheme: "file", Path: page}
		if _, stderr, err := c.run("--screenshot="+shot, "--window-size=1280,1800", u.String()); err != nil {
			t.Fatalf("screenshot: %v\n%s", err, tail(stderr, 2000))
		}
		checkScreenshot(t, shot)
		if keep := os.Getenv("PARE_BROWSER_ARTIFACTS"); keep != "" {
			data, err := os.ReadFile(shot)
			if err == nil {
				err = os.WriteFile(filepath.Join(keep, "report.png"), data, 0o644)
			}
			if err != nil {
				t.Errorf("keeping the screenshot: %v", err)
			}
		}
	})

	for _, c2 := range []struct {
		name, fragment, key, sort string
		want                      []string
	}{
		{"loaded", "", "score", "descending", byScore},
		{"sort fragment", "sort=principal-asc", "principal", "ascending", byName},
		{"sort by score", "sort=score-desc", "score", "descending", byScore},
		{"clicks", "click=principal,principal", "principal", "descending", byNameDesc},
		{"click numeric", "sort=principal-asc&click=score", "score", "descending", byScore},
	} {
		t.Run(c2.name, func(t *testing.T) {
			doc := c.dump(t, page, c2.fragment)
			st := readTable(t, doc)
			if !slices.Equal(st.names, c2.want) {
				t.Errorf("#%s: rows\n%q\nwant\n%q", c2.fragment, st.names, c2.want)
			}
			if st.sorted[c2.key] != c2.sort {
				t.Errorf("#%s: %s header aria-sort = %q, want %q", c2.fragment, c2.key, st.sorted[c2.key], c2.sort)
			}
			checkInert(t, doc)
		})
	}

	t.Run("detail link", func(t *testing.T) {
		doc := c.dump(t, page, "p-2")
		open := false
		walkHTML(doc, func(n *html.Node) {
			if id, _ := htmlAttr(n, "id"); id == "p-2" && n.DataAtom == atom.Details {
				_, open = htmlAttr(n, "open")
				if !strings.Contains(textOf(n), hostileName) {
					t.Errorf("detail p-2 is not the hostile principal's: %.200s", textOf(n))
				}
			}
		})
		if !open {
			t.Error("#p-2 does not open the detail")
		}
	})

	t.Run("pages", func(t *testing.T) {
		big := bigReport(250, 5, 10)
		bigPage := writePage(t, dir, "big.html", big)
		var names []string
		for _, p := range big.Principals {
			names = append(names, p.Principal)
		}
		slices.Sort(names)
		st := readTable(t, c.dump(t, bigPage, "sort=principal-asc&page=3"))
		if !slices.Equal(st.names, names[200:]) {
			t.Errorf("page 3 rows = %q, want %q", st.names, names[200:])
		}
		if st.status != "Principals 201–250 of 250 · page 3 of 3" {
			t.Errorf("status = %q", st.status)
		}
		st = readTable(t, c.dump(t, bigPage, "sort=principal-desc&q=principal-24"))
		want := []string{"principal-249", "principal-248", "principal-247", "principal-246", "principal-245", "principal-244", "principal-243", "principal-242", "principal-241", "principal-240", "principal-24"}
		if !slices.Equal(st.names, want) {
			t.Errorf("filtered rows = %q, want %q", st.names, want)
		}
		if st.status != "Principals 1–11 of 11 (filtered from 250) · page 1 of 1" {
			t.Errorf("status = %q", st.status)
		}
	})
}

// checkInert checks that after the script ran, the hostile names are text:
// no images or extra scripts, and the title is the report's.
func checkInert(t *testing.T, doc *html.Node) {
	t.Helper()
	scripts := 0
	walkHTML(doc, func(n *html.Node) {
		switch n.DataAtom {
		case atom.Img:
			t.Errorf("the DOM has an <img>: %v", n.Attr)
		case atom.Script:
			scripts++
		case atom.Title:
			if n.Parent.DataAtom != atom.Head {
				return // an SVG tooltip
			}
			if got := textOf(n); got != "pare privilege report 2024-06-04T02:00:00Z" {
				t.Errorf("title = %q", got)
			}
		}
	})
	if scripts != 2 {
		t.Errorf("the DOM has %d scripts, want 2", scripts)
	}
}

// checkScreenshot decodes the PNG and checks the page drew something: the
// full window, many colours, and a fair share of non-background pixels.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("no screenshot at %s", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decoding the screenshot: %v", err)
	}
	b := img.Bounds()
	if b.Dx() < 1000 || b.Dy() < 1000 {
		t.Errorf("screenshot is %dx%d, want the 1280x1800 window", b.Dx(), b.Dy())
	}
	colours, painted := distinctColours(img)
	share := float64(painted) / float64(b.Dx()*b.Dy())
	t.Logf("screenshot %dx%d: %d colours, %.1f%% not white", b.Dx(), b.Dy(), colours, 100*share)
	if colours < 16 {
		t.Errorf("screenshot has %d colours: the page did not render", colours)
	}
	if share < 0.02 {
		t.Errorf("only %.2f%% of the screenshot is not white", 100*share)
	}
}

// distinctColours counts the colours of img and its pixels that are not
// white.
func distinctColours(img image.Image) (int, int) {
	seen := map[[4]uint32]bool{}
	painted := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				painted++
			}
		}
	}
	return len(seen), painted
}
