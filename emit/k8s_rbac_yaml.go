package emit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"unicode"

	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"
)

// writeYAMLDocument appends "---" and obj as a YAML document to buf:
// marshalled with sigs.k8s.io/yaml, or, when showInvisible is set or that
// output would hide a rune, with yamlShowingInvisible.
func writeYAMLDocument(buf *bytes.Buffer, obj any, showInvisible bool) error {
	var out []byte
	var err error
	if !showInvisible {
		out, err = yaml.Marshal(obj)
	}
	if showInvisible || err != nil || !allVisible(out, true) {
		if out, err = yamlShowingInvisible(obj); err != nil {
			return err
		}
	}
	buf.WriteString("---\n")
	buf.Write(out)
	return nil
}

// yamlShowingInvisible marshals obj as block YAML laid out as
// sigs.k8s.io/yaml lays it out (keys sorted, two-space indent, list items
// level with their key), except that every string value is double-quoted
// and every rune that is neither printable nor '\n' is an escape: "\t",
// "\x7f", "\u202e". YAML readers see exactly the strings obj holds, and a
// reviewer sees every rune of them.
//
// The YAML reader kubectl uses (go.yaml.in/yaml/v2 under sigs.k8s.io/yaml)
// decodes the escape "\N" to a lone byte 0x85 rather than U+0085, so it is
// written as "\u0085" instead.
func yamlShowingInvisible(obj any) ([]byte, error) {
	js, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encoding YAML: %w", err)
	}
	// JSON is YAML. encoding/json leaves DEL and non-ASCII invisible runes
	// raw, which YAML readers refuse: escape them before reading it back.
	var doc yamlv3.Node
	if err := yamlv3.Unmarshal(escapeInvisible(js, true), &doc); err != nil {
		return nil, fmt.Errorf("encoding YAML: %w", err)
	}
	quoteStrings(&doc, false)
	var buf bytes.Buffer
	enc := yamlv3.NewEncoder(&buf)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("encoding YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding YAML: %w", err)
	}
	// Every backslash is now inside a double-quoted string, where it starts
	// an escape. The encoder escapes what YAML calls non-printable but
	// writes other invisible runes (U+202E, U+200D, U+00A0) as they are;
	// inside a double-quoted string an escape means the same rune.
	var out bytes.Buffer
	escape := false
	for _, r := range buf.String() {
		switch {
		case escape:
			escape = false
			if r == 'N' {
				out.WriteString("u0085")
			} else {
				out.WriteRune(r)
			}
		case r == '\\':
			escape = true
			out.WriteRune(r)
		case r == '\n' || unicode.IsPrint(r):
			out.WriteRune(r)
		case r > 0xffff:
			fmt.Fprintf(&out, "\\U%08x", r)
		default:
			fmt.Fprintf(&out, "\\u%04x", r)
		}
	}
	return out.Bytes(), nil
}

// quoteStrings resets the styles a document parsed from JSON has (flow
// collections, double-quoted strings) to the encoder's block layout, sorts
// mapping keys, and double-quotes every string value, and every key that
// holds a backslash or an invisible rune.
func quoteStrings(n *yamlv3.Node, key bool) {
	n.Style = 0
	if n.Kind == yamlv3.ScalarNode && n.Tag == "!!str" && (!key || !allVisible([]byte(n.Value), true) || bytes.ContainsRune([]byte(n.Value), '\\')) {
		n.Style = yamlv3.DoubleQuotedStyle
	}
	if n.Kind == yamlv3.MappingNode {
		pairs := make([][2]*yamlv3.Node, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			pairs = append(pairs, [2]*yamlv3.Node{n.Content[i], n.Content[i+1]})
		}
		sort.SliceStable(pairs, func(i, j int) bool { return pairs[i][0].Value < pairs[j][0].Value })
		n.Content = n.Content[:0]
		for _, kv := range pairs {
			quoteStrings(kv[0], true)
			quoteStrings(kv[1], false)
			n.Content = append(n.Content, kv[0], kv[1])
		}
		return
	}
	for _, c := range n.Content {
		quoteStrings(c, false)
	}
}
