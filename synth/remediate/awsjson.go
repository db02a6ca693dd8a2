package remediate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
)

// AWSDocument is one IAM policy document of an existing file, as written.
type AWSDocument struct {
	// Name says where the document is, for messages: "iam/app.json", or
	// "iam/app.tf: aws_iam_policy.pare-app".
	Name       string
	Version    string // "" when the document has none (IAM reads 2008-10-17)
	Statements []AWSStatement
}

// AWSStatement is one statement of an existing IAM policy, with what pare's
// aws.Statement does not model kept apart so nothing is silently dropped.
type AWSStatement struct {
	Sid         string
	Effect      string
	Action      []string
	Resource    []string
	NotAction   []string
	NotResource []string
	// Other names the statement's other keys (Condition, Principal,
	// NotPrincipal, ...), sorted.
	Other []string
	// Keep carries the statement into the new content unchanged.
	// ParseIAMJSON sets it for a Sid holding Marker or SidMarker; a caller
	// decoding Terraform sets it for a pare:keep comment inside or right
	// above the statement or its resource block.
	Keep bool
	// Line is the statement's line in its file, 1-based; 0 when unknown.
	Line int
}

// ParseIAMJSON decodes an IAM policy document: the form emit.IAMJSON writes
// and the forms IAM accepts besides (a single statement object instead of
// a list, a string instead of a list of strings). name is used in errors,
// which give the line and column.
func ParseIAMJSON(name string, data []byte) (AWSDocument, error) {
	doc := AWSDocument{Name: name}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := expectDelim(dec, '{'); err != nil {
		return doc, positionError(name, data, dec, err, "an IAM policy document is a JSON object")
	}
	seenStatement := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return doc, positionError(name, data, dec, err, "")
		}
		key, _ := tok.(string)
		start := valueStart(data, int(dec.InputOffset()))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return doc, positionError(name, data, dec, err, "")
		}
		switch key {
		case "Version":
			if err := json.Unmarshal(raw, &doc.Version); err != nil {
				return doc, atOffset(name, data, start, "Version: want a string")
			}
		case "Statement":
			seenStatement = true
			sts, err := parseStatements(name, data, raw, start)
			if err != nil {
				return doc, err
			}
			doc.Statements = sts
		}
	}
	if _, err := dec.Token(); err != nil {
		return doc, positionError(name, data, dec, err, "")
	}
	if off, ok := trailing(dec, data); ok {
		return doc, atOffset(name, data, off, "data after the policy document")
	}
	if !seenStatement {
		return doc, fmt.Errorf("%s:1:1: the policy document has no Statement", name)
	}
	return doc, nil
}

// parseStatements decodes a Statement value found at offset start of data:
// a list of statements or one statement.
func parseStatements(name string, data, raw []byte, start int) ([]AWSStatement, error) {
	if len(raw) > 0 && raw[0] == '{' {
		st, err := parseStatement(name, data, raw, start, 1)
		if err != nil {
			return nil, err
		}
		return []AWSStatement{st}, nil
	}
	if len(raw) == 0 || raw[0] != '[' {
		return nil, atOffset(name, data, start, "Statement: want a statement object or a list of them")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, atOffset(name, data, start, err.Error())
	}
	var out []AWSStatement
	for dec.More() {
		off := listElementStart(raw, int(dec.InputOffset()))
		var elem json.RawMessage
		if err := dec.Decode(&elem); err != nil {
			return nil, atOffset(name, data, start+off, err.Error())
		}
		st, err := parseStatement(name, data, elem, start+off, len(out)+1)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// parseStatement decodes statement n, found at offset start of data.
func parseStatement(name string, data, raw []byte, start, n int) (AWSStatement, error) {
	st := AWSStatement{Line: lineCol(data, start).line}
	fail := func(format string, args ...any) error {
		return atOffset(name, data, start, fmt.Sprintf("statement %d: ", n)+fmt.Sprintf(format, args...))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return st, fail("want a JSON object")
	}
	lists := map[string]*[]string{
		"Action": &st.Action, "Resource": &st.Resource,
		"NotAction": &st.NotAction, "NotResource": &st.NotResource,
	}
	keys := make([]string, 0, len(fields))
	for key := range fields {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		v := fields[key]
		switch key {
		case "Sid":
			if err := json.Unmarshal(v, &st.Sid); err != nil {
				return st, fail("Sid: want a string")
			}
		case "Effect":
			if err := json.Unmarshal(v, &st.Effect); err != nil {
				return st, fail("Effect: want a string")
			}
		case "Action", "Resource", "NotAction", "NotResource":
			list, err := stringOrList(v)
			if err != nil {
				return st, fail("%s: %v", key, err)
			}
			*lists[key] = list
		default:
			st.Other = append(st.Other, key)
		}
	}
	switch {
	case st.Effect != "Allow" && st.Effect != "Deny":
		return st, fail("Effect %q: want \"Allow\" or \"Deny\"", st.Effect)
	case st.Action == nil && st.NotAction == nil:
		return st, fail("neither Action nor NotAction")
	case st.Resource == nil && st.NotResource == nil:
		return st, fail("neither Resource nor NotResource")
	}
	st.Keep = sidHasMarker(st.Sid)
	return st, nil
}

// stringOrList decodes a string or a list of strings; never nil on success.
func stringOrList(raw []byte) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil || list == nil {
		return nil, errors.New("want a string or a list of strings")
	}
	return list, nil
}

// trailing reports whether anything but white space follows the value dec
// has read, and where.
func trailing(dec *json.Decoder, data []byte) (int, bool) {
	off := listElementStart(data, int(dec.InputOffset()))
	if _, err := dec.Token(); err == io.EOF {
		return 0, false
	}
	return off, true
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("found %v, want %q", tok, string(want))
	}
	return nil
}

// valueStart skips white space and a ':' from off: where an object's value
// starts after the decoder has read its key.
func valueStart(data []byte, off int) int {
	for off < len(data) && (isSpace(data[off]) || data[off] == ':') {
		off++
	}
	return off
}

// listElementStart skips white space and a ',' from off: where a list's next
// element starts.
func listElementStart(data []byte, off int) int {
	for off < len(data) && (isSpace(data[off]) || data[off] == ',') {
		off++
	}
	return off
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

type position struct{ line, col int }

// lineCol is the 1-based line and column (in bytes) of offset off of data.
func lineCol(data []byte, off int) position {
	off = min(max(off, 0), len(data))
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := off + 1
	if i := bytes.LastIndexByte(data[:off], '\n'); i >= 0 {
		col = off - i
	}
	return position{line, col}
}

func atOffset(name string, data []byte, off int, msg string) error {
	p := lineCol(data, off)
	return fmt.Errorf("%s:%d:%d: %s", name, p.line, p.col, msg)
}

// positionError places a decoding error: at the offset a JSON error gives,
// or where the decoder stopped.
func positionError(name string, data []byte, dec *json.Decoder, err error, hint string) error {
	off := int(dec.InputOffset())
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = int(syn.Offset)
	case errors.As(err, &typ):
		off = int(typ.Offset)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		off = len(data)
		err = errors.New("unexpected end of the document")
	}
	msg := err.Error()
	if hint != "" {
		msg += " (" + hint + ")"
	}
	return atOffset(name, data, off, msg)
}
