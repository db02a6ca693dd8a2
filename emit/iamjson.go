package emit

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/leastpriv/pare/synth/aws"
)

// IAMJSON writes doc as a plain IAM policy document: two-space indented,
// keys in IAM's order (Version, Statement; Sid, Effect, Action, Resource),
// Action and Resource always arrays (nil becomes []), '<', '>' and '&' left
// literal, and a final newline.
//
// A policy must say exactly what was recorded, so IAMJSON returns an error,
// and writes nothing, when a string in doc is not valid UTF-8, rather than
// replacing bytes as encoding/json would.
func IAMJSON(w io.Writer, doc aws.Document) error {
	if err := checkUTF8(doc); err != nil {
		return err
	}
	out := aws.Document{Version: doc.Version, Statement: make([]aws.Statement, len(doc.Statement))}
	for i, s := range doc.Statement {
		s.Action = nonNil(s.Action)
		s.Resource = nonNil(s.Resource)
		out.Statement[i] = s
	}
	if doc.Statement == nil {
		out.Statement = nil
	}
	return WriteJSON(w, out)
}

// checkUTF8 reports the first string of doc that is not valid UTF-8.
func checkUTF8(doc aws.Document) error {
	return eachString(doc, func(field, s string) error {
		if !utf8.ValidString(s) {
			return fmt.Errorf("%s %q is not valid UTF-8", field, s)
		}
		return nil
	})
}

// eachString calls f with every string of doc and where it is, and stops at
// the first error.
func eachString(doc aws.Document, f func(field, s string) error) error {
	if err := f("Version", doc.Version); err != nil {
		return err
	}
	for i, st := range doc.Statement {
		where := fmt.Sprintf("statement %d ", i+1)
		if err := f(where+"Sid", st.Sid); err != nil {
			return err
		}
		if err := f(where+"Effect", st.Effect); err != nil {
			return err
		}
		for _, a := range st.Action {
			if err := f(where+"Action", a); err != nil {
				return err
			}
		}
		for _, r := range st.Resource {
			if err := f(where+"Resource", r); err != nil {
				return err
			}
		}
	}
	return nil
}
