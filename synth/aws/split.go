package aws

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Size is the length of doc in characters as IAM counts it against its
// limits: the compact JSON form, without whitespace outside strings.
// Characters inside strings are counted as written, escapes included, so the
// figure is never below IAM's.
func Size(doc Document) int {
	return runeCount(doc)
}

// Split returns doc as one or more documents of at most limit characters
// (Size) each, with the same Version, that together (as AllowsAny combines
// them) allow exactly what doc allows. Statements are kept whole when
// they fit; a statement too big on its own is cut into several with the same
// effect, by halving its Action list and then its Resource list, and the
// parts get new Sids derived from their content. Statements are packed into
// documents in order. A statement with one action and one resource that is
// still too big is returned alone in an oversized document: the caller must
// check Size. limit <= 0 means ManagedPolicyLimit.
func Split(doc Document, limit int) []Document {
	if limit <= 0 {
		limit = ManagedPolicyLimit
	}
	if Size(doc) <= limit {
		return []Document{doc}
	}
	empty := Size(Document{Version: doc.Version, Statement: []Statement{}})

	var pieces []Statement
	for _, st := range doc.Statement {
		pieces = append(pieces, splitStatement(st, limit-empty)...)
	}

	var docs []Document
	cur := Document{Version: doc.Version}
	curSize := empty
	for _, st := range pieces {
		n := runeCount(st)
		extra := n
		if len(cur.Statement) > 0 {
			extra++ // the comma
		}
		if len(cur.Statement) > 0 && curSize+extra > limit {
			docs = append(docs, cur)
			cur = Document{Version: doc.Version}
			curSize = empty
			extra = n
		}
		cur.Statement = append(cur.Statement, st)
		curSize += extra
	}
	if len(cur.Statement) > 0 {
		docs = append(docs, cur)
	}
	return docs
}

// splitStatement cuts st into statements of at most room characters each
// where possible.
func splitStatement(st Statement, room int) []Statement {
	if runeCount(st) <= room {
		return []Statement{st}
	}
	var a, b Statement
	switch {
	case len(st.Action) > 1:
		h := len(st.Action) / 2
		a = part(st, st.Action[:h], st.Resource)
		b = part(st, st.Action[h:], st.Resource)
	case len(st.Resource) > 1:
		h := len(st.Resource) / 2
		a = part(st, st.Action, st.Resource[:h])
		b = part(st, st.Action, st.Resource[h:])
	default:
		return []Statement{st}
	}
	return append(splitStatement(a, room), splitStatement(b, room)...)
}

func part(st Statement, actions, resources []string) Statement {
	a := append([]string(nil), actions...)
	r := append([]string(nil), resources...)
	return Statement{Sid: sidFor(a, r), Effect: st.Effect, Action: a, Resource: r}
}

// runeCount is the number of characters of v's compact JSON encoding
// without HTML escaping, as emit writes it.
func runeCount(v any) int {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Documents hold only strings; encoding cannot fail. Count
		// conservatively high so callers split rather than overflow.
		return int(^uint(0) >> 1)
	}
	return utf8.RuneCount(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
