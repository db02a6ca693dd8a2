package prconfig

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Error is every problem found in one configuration file, in file order.
type Error struct {
	// Diagnostics are the problems, each with its Subject range.
	Diagnostics hcl.Diagnostics
	file        *hcl.File // for Render's source excerpts; nil when the file did not parse
	filename    string
}

func newError(filename string, file *hcl.File, diags hcl.Diagnostics) *Error {
	diags = slices.Clone(diags)
	slices.SortStableFunc(diags, func(a, b *hcl.Diagnostic) int {
		return cmp.Compare(subjectOffset(a), subjectOffset(b))
	})
	return &Error{Diagnostics: diags, file: file, filename: filename}
}

func subjectOffset(d *hcl.Diagnostic) int {
	if d.Subject == nil {
		return -1
	}
	return d.Subject.Start.Byte
}

// Error gives one line per problem: "FILE:LINE:COLUMN: summary; detail".
// Render gives HCL's longer form, with an excerpt of the file.
func (e *Error) Error() string {
	var b strings.Builder
	for i, d := range e.Diagnostics {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(formatDiagnostic(e.filename, d))
	}
	return b.String()
}

func formatDiagnostic(filename string, d *hcl.Diagnostic) string {
	where := filename
	if d.Subject != nil {
		where = fmt.Sprintf("%s:%d:%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
	}
	msg := d.Summary
	if d.Detail != "" {
		msg += "; " + d.Detail
	}
	// One line per problem: some of HCL's details are paragraphs.
	msg = strings.ReplaceAll(strings.ReplaceAll(msg, "\n\n", " "), "\n", " ")
	return where + ": " + msg
}

// Render writes the problems as HCL does, each with an excerpt of the
// file, without colour.
func (e *Error) Render(w io.Writer) error {
	files := map[string]*hcl.File{}
	if e.file != nil {
		files[e.filename] = e.file
	}
	return hcl.NewDiagnosticTextWriter(w, files, 0, false).WriteDiagnostics(e.Diagnostics)
}
