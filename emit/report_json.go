package emit

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/leastpriv/pare/synth/report"
)

// ReportJSON writes r as the JSON report: encoding/json of report.Report,
// indented by two spaces, with HTML escaping off and every invisible rune
// escaped as \uXXXX (the value is unchanged; see escapeInvisible). The
// output is what snapshots store, and it decodes back into an equal
// report.Report. doc/report-schema.md documents every field.
//
// The bytes are those of encoding the whole report at once, but the
// principals are encoded and written one at a time: a report of 10,000
// principals with 1,000 items each is about 3 GB of JSON, which must not
// sit in memory twice. Everything that could make encoding fail (strings
// that are not valid UTF-8, times outside years 0-9999, NaN means) is
// checked before the first byte is written; after that only w can fail.
func ReportJSON(w io.Writer, r report.Report) error {
	if err := checkReportUTF8(r); err != nil {
		return err
	}
	if len(r.Principals) == 0 {
		return WriteJSON(w, r)
	}
	if err := checkReportTimes(r); err != nil {
		return err
	}
	// The report with one empty principal gives every byte around the
	// principals.
	skeleton := r
	skeleton.Principals = []report.Principal{{}}
	var buf bytes.Buffer
	if err := encodeJSON(&buf, skeleton, ""); err != nil {
		return err
	}
	head, tail, err := splitPrincipals(buf.Bytes())
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(w, 1<<16)
	out.Write(escapeInvisible(head, true))
	var one bytes.Buffer
	for i, p := range r.Principals {
		one.Reset()
		if err := encodeJSON(&one, p, "    "); err != nil {
			return fmt.Errorf("principal %d (%q): %w", i, p.Principal, err)
		}
		out.WriteString("    ")
		out.Write(escapeInvisible(bytes.TrimSuffix(one.Bytes(), []byte("\n")), true))
		if i < len(r.Principals)-1 {
			out.WriteByte(',')
		}
		out.WriteByte('\n')
	}
	out.Write(escapeInvisible(tail, true))
	return out.Flush()
}

// splitPrincipals splits the encoded report with one principal around that
// principal: head ends with the line `  "principals": [`, tail starts with
// the line closing the list. Encoded strings never hold a newline, so these
// lines can only be the report's own.
func splitPrincipals(doc []byte) (head, tail []byte, err error) {
	open := []byte("\n  \"principals\": [\n")
	i := bytes.Index(doc, open)
	if i < 0 {
		return nil, nil, fmt.Errorf("encoding JSON: no principals list in the report")
	}
	head = doc[:i+len(open)]
	rest := doc[i+len(open):]
	for _, end := range [][]byte{[]byte("\n  ],\n"), []byte("\n  ]\n")} {
		if j := bytes.Index(rest, end); j >= 0 {
			return head, rest[j+1:], nil
		}
	}
	return nil, nil, fmt.Errorf("encoding JSON: the principals list does not end")
}

// checkReportTimes reports an item time encoding/json cannot encode; the
// report's other times and numbers are encoded before anything is written.
func checkReportTimes(r report.Report) error {
	for i, p := range r.Principals {
		for j, it := range p.Items {
			for _, t := range []time.Time{it.First, it.Last} {
				if y := t.Year(); y < 0 || y > 9999 {
					return fmt.Errorf("report principal %d (%q) item %d: time %v is outside years 0 to 9999", i, p.Principal, j, t)
				}
			}
		}
	}
	return nil
}

// checkReportUTF8 reports the first string of r that is not valid UTF-8,
// and where it is: every report renderer refuses such strings rather than
// replace bytes. It reads every item of every principal, so it formats a
// position only on failure.
func checkReportUTF8(r report.Report) error {
	for i, p := range r.Principals {
		if s, ok := invalidUTF8(p.Provider, p.Principal, p.Kind, p.Container, p.Policy, p.PolicyFormat); !ok {
			return fmt.Errorf("report principal %d (%q): %q is not valid UTF-8", i, p.Principal, s)
		}
		for j, it := range p.Items {
			for _, ss := range [][]string{{it.Action, it.Resource, string(it.Status)}, it.Origins, it.Risks, it.Samples} {
				if s, ok := invalidUTF8(ss...); !ok {
					return fmt.Errorf("report principal %d (%q) item %d: %q is not valid UTF-8", i, p.Principal, j, s)
				}
			}
		}
	}
	for i, u := range r.Rollups {
		if s, ok := invalidUTF8(u.Provider, u.Container); !ok {
			return fmt.Errorf("report roll-up %d: %q is not valid UTF-8", i, s)
		}
	}
	if r.Changes == nil {
		return nil
	}
	for _, ss := range [][]string{r.Changes.New, r.Changes.Gone} {
		if s, ok := invalidUTF8(ss...); !ok {
			return fmt.Errorf("report changes: principal %q is not valid UTF-8", s)
		}
	}
	for i, c := range r.Changes.Principals {
		for _, ss := range [][]string{{c.Provider, c.Principal}, c.Gained, c.Lost, c.NewlyUsed, c.NewlyUnused, c.RiskyGained} {
			if s, ok := invalidUTF8(ss...); !ok {
				return fmt.Errorf("report change %d (%q): %q is not valid UTF-8", i, c.Principal, s)
			}
		}
	}
	return nil
}

// invalidUTF8 returns the first of ss that is not valid UTF-8 and false,
// or "" and true.
func invalidUTF8(ss ...string) (string, bool) {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return s, false
		}
	}
	return "", true
}
