package emit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes v as every JSON file pare writes: encoding/json indented
// by two spaces, '<', '>' and '&' left literal, every invisible rune
// escaped as \uXXXX (the value is unchanged; see escapeInvisible), and a
// final newline.
//
// A file must say exactly what was recorded, so WriteJSON returns an
// error, and writes nothing, when a string of v (a value or a map key) is
// not valid UTF-8, rather than replace its bytes as encoding/json does.
// It finds such strings in the encoded JSON (see checkEncodedUTF8), so the
// error shows the string as encoded, not where it was in v: emit's
// renderers check their fields first to name the field.
func WriteJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	if err := encodeJSON(&buf, v, ""); err != nil {
		return err
	}
	if err := checkEncodedUTF8(buf.Bytes()); err != nil {
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

// checkEncodedUTF8 reports the first string of doc, JSON from encodeJSON,
// that held bytes that are not valid UTF-8. encoding/json writes each such
// byte as the escape \ufffd, and never otherwise escapes U+FFFD (a U+FFFD
// of the value stays a raw rune), so that escape marks them;
// TestWriteJSONInvalidUTF8 pins this. Backslashes occur only inside
// strings, each starting an escape, so walking the escapes finds every
// \ufffd without decoding. A json.Marshaler that itself writes the escape
// \ufffd is refused too.
func checkEncodedUTF8(doc []byte) error {
	start := 0 // the last unescaped quote: inside a string, its opening one
	for i := 0; i < len(doc); i++ {
		switch doc[i] {
		case '"':
			start = i
		case '\\':
			if !bytes.HasPrefix(doc[i+1:], []byte("ufffd")) {
				i++ // the escaped character, maybe a quote
				continue
			}
			end := start + 1
			for end < len(doc) && doc[end] != '"' {
				if doc[end] == '\\' {
					end++
				}
				end++
			}
			str := doc[start:min(end+1, len(doc))]
			return fmt.Errorf("encoding JSON: string %s is not valid UTF-8 (\\ufffd stands for each invalid byte)", escapeInvisible(str, false))
		}
	}
	return nil
}
