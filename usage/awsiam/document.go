package awsiam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// statement is one parsed statement of a policy document.
type statement struct {
	Sid         string
	Effect      string // "Allow" or "Deny"
	NotAction   bool
	Actions     []string // sorted, distinct
	NotResource bool
	Resources   []string // sorted, distinct
	Conditions  []string // condition keys, sorted, distinct; empty without a Condition
}

// docJSON is a policy document. Statement is one object or an array.
type docJSON struct {
	Version   string          `json:"Version"`
	Statement json.RawMessage `json:"Statement"`
}

type statementJSON struct {
	Sid          json.RawMessage `json:"Sid"`
	Effect       string          `json:"Effect"`
	Action       *stringList     `json:"Action"`
	NotAction    *stringList     `json:"NotAction"`
	Resource     *stringList     `json:"Resource"`
	NotResource  *stringList     `json:"NotResource"`
	Condition    json.RawMessage `json:"Condition"`
	Principal    json.RawMessage `json:"Principal"`
	NotPrincipal json.RawMessage `json:"NotPrincipal"`
}

// stringList is a policy element that is one string or an array of them.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = stringList{s}
		return nil
	}
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return fmt.Errorf("want a string or an array of strings")
	}
	*l = ss
	return nil
}

// documentText returns the JSON text of a policy document given as JSON or
// URL-encoded JSON. Encoded text never starts with '{' ("%7B"), so text
// that does is taken as it is.
func documentText(doc string) (string, error) {
	trimmed := strings.TrimSpace(doc)
	if trimmed == "" {
		return "", fmt.Errorf("no policy document")
	}
	if trimmed[0] == '{' {
		return trimmed, nil
	}
	// RFC 3986 percent-encoding: '+' stays '+', as IAM encodes it.
	text, err := url.PathUnescape(trimmed)
	if err != nil {
		return "", fmt.Errorf("policy document is neither JSON nor URL-encoded JSON: %v", err)
	}
	return text, nil
}

// parseDocument parses a policy document (JSON or URL-encoded JSON) into
// its statements. Any malformed statement fails the whole document.
func parseDocument(doc string) ([]statement, error) {
	text, err := documentText(doc)
	if err != nil {
		return nil, err
	}
	var d docJSON
	dec := json.NewDecoder(strings.NewReader(text))
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("policy document is not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("policy document has data after its JSON object")
	}
	raw := bytes.TrimSpace(d.Statement)
	var items []statementJSON
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
		return nil, fmt.Errorf("policy document has no Statement")
	case raw[0] == '{':
		var one statementJSON
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, fmt.Errorf("statement #0: %v", err)
		}
		items = []statementJSON{one}
	default:
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("the Statement element: %v", err)
		}
	}
	out := make([]statement, 0, len(items))
	for i, it := range items {
		st, err := checkStatement(it)
		if err != nil {
			return nil, fmt.Errorf("statement #%d: %v", i, err)
		}
		out = append(out, st)
	}
	return out, nil
}

// checkStatement validates a statement of an identity policy.
func checkStatement(it statementJSON) (statement, error) {
	var st statement
	if len(it.Sid) > 0 && !bytes.Equal(it.Sid, []byte("null")) {
		if err := json.Unmarshal(it.Sid, &st.Sid); err != nil {
			return st, fmt.Errorf("the Sid is not a string")
		}
	}
	st.Effect = it.Effect
	if st.Effect != "Allow" && st.Effect != "Deny" {
		return st, fmt.Errorf("Effect %q is neither Allow nor Deny", it.Effect)
	}
	if len(it.Principal) > 0 || len(it.NotPrincipal) > 0 {
		return st, fmt.Errorf("has a Principal: a resource or trust policy statement, not an identity policy's")
	}
	switch {
	case it.Action != nil && it.NotAction != nil:
		return st, fmt.Errorf("has both Action and NotAction")
	case it.Action != nil:
		st.Actions = *it.Action
	case it.NotAction != nil:
		st.NotAction, st.Actions = true, *it.NotAction
	default:
		return st, fmt.Errorf("has neither Action nor NotAction")
	}
	switch {
	case it.Resource != nil && it.NotResource != nil:
		return st, fmt.Errorf("has both Resource and NotResource")
	case it.Resource != nil:
		st.Resources = *it.Resource
	case it.NotResource != nil:
		st.NotResource, st.Resources = true, *it.NotResource
	default:
		return st, fmt.Errorf("has neither Resource nor NotResource")
	}
	st.Actions = sortedDistinct(st.Actions)
	st.Resources = sortedDistinct(st.Resources)
	if len(st.Actions) == 0 {
		return st, fmt.Errorf("lists no action")
	}
	if len(st.Resources) == 0 {
		return st, fmt.Errorf("lists no resource")
	}
	for _, a := range st.Actions {
		if a == "" {
			return st, fmt.Errorf("has an empty action")
		}
	}
	for _, r := range st.Resources {
		if r == "" {
			return st, fmt.Errorf("has an empty resource")
		}
	}
	if c := bytes.TrimSpace(it.Condition); len(c) > 0 && !bytes.Equal(c, []byte("null")) {
		var cond map[string]map[string]json.RawMessage
		if err := json.Unmarshal(c, &cond); err != nil {
			return st, fmt.Errorf("the Condition is not an object of operators to objects of keys")
		}
		var keys []string
		for _, kv := range cond {
			for k := range kv {
				keys = append(keys, k)
			}
		}
		if len(keys) > 0 { // an empty Condition holds for every request
			st.Conditions = sortedDistinct(keys)
		}
	}
	return st, nil
}

// label is how Origins name the statement: "#2" and its Sid, quoted.
func (st statement) label(index int) string {
	s := "statement #" + strconv.Itoa(index)
	if st.Sid != "" {
		s += " " + strconv.Quote(st.Sid)
	}
	return s
}

// sortedDistinct returns a sorted copy of ss without repeats, nil when ss
// is empty.
func sortedDistinct(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := slices.Clone(ss)
	slices.Sort(out)
	return slices.Clip(slices.Compact(out))
}
