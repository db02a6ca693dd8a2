package emit

import (
	"encoding/json"
	"io"

	"github.com/leastpriv/pare/synth/aws"
)

// IAMJSON writes doc as a plain IAM policy document: two-space indented,
// keys in IAM's order (Version, Statement; Sid, Effect, Action, Resource),
// '<', '>' and '&' left literal, and a final newline.
func IAMJSON(w io.Writer, doc aws.Document) error {
	return writeJSON(w, doc)
}

// writeJSON is the one JSON style every emit file uses.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
