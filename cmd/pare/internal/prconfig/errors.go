package prconfig

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Error is every problem found in one configuration file, in file order.
type Error struct {
	// Diagnostics are the problems, each with its Subject range.
	Diagnostics hcl.Diagnostics
	filename    string
}

func newError(filename string, diags hcl.Diagnostics) *Error {
	diags = slices.Clone(diags)
	slices.SortStableFunc(diags, func(a, b *hcl.Diagnostic) int {
		return cmp.Compare(subjectOffset(a), subjectOffset(b))
	})
	return &Error{Diagnostics: diags, filename: filename}
}

func subjectOffset(d *hcl.Diagnostic) int {
	if d.Subject == nil {
		return -1
	}
	return d.Subject.Start.Byte
}

// Error gives one line per problem: "FILE:LINE:COLUMN: summary; detail".
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
