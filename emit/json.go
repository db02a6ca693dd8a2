package emit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// writeJSON is the one JSON style every emit file uses: encodeJSON, then
// escapeInvisible. It encodes into memory first, so a failed encoding
// writes nothing.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	if err := encodeJSON(&buf, v, ""); err != nil {
		return err
	}
	_, err := w.Write(escapeInvisible(buf.Bytes(), true))
	return err
}

// encodeJSON appends v to buf as encoding/json writes it, indented by two
// spaces, every line after the first starting with prefix (how
// encoding/json indents a value nested in others), with '<', '>' and '&'
// left literal and a final newline.
func encodeJSON(buf *bytes.Buffer, v any, prefix string) error {
	enc := json.NewEncoder(buf)
	enc.SetIndent(prefix, "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	return nil
}
