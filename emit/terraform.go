package emit

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/leastpriv/pare/synth/aws"
)

// TerraformPolicy is one aws_iam_policy resource.
type TerraformPolicy struct {
	Name        string // IAM policy name; also the source of the resource label
	Description string
	Document    aws.Document
}

// Terraform writes one `resource "aws_iam_policy"` block per policy, with the
// document as a jsonencode({...}) object expression. Everything is built as
// HCL syntax with hclwrite: string values are written as quoted literals in
// which "${" becomes "$${" and "%{" becomes "%%{", so text from logs can never
// become a Terraform interpolation or directive. Names are made valid IAM
// policy names, distinct ignoring case as IAM compares them, and labels
// valid, distinct HCL identifiers, in input order.
//
// Terraform strings are Unicode text in normal form C: a string that is not
// valid UTF-8 or not NFC would be silently changed on the way, granting
// something other than the document says, so Terraform refuses it with an
// error instead.
func Terraform(w io.Writer, policies []TerraformPolicy) error {
	for _, p := range policies {
		if err := checkTerraformStrings(p); err != nil {
			return fmt.Errorf("terraform policy %q: %w", p.Name, err)
		}
	}
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	labels := make(map[string]bool)
	names := make(map[string]bool)
	for i, p := range policies {
		if i > 0 {
			body.AppendNewline()
		}
		label := uniqueLabel(hclLabel(p.Name), labels)
		block := body.AppendNewBlock("resource", []string{"aws_iam_policy", label})
		b := block.Body()
		b.SetAttributeValue("name", cty.StringVal(uniqueName(iamPolicyName(p.Name), names)))
		if p.Description != "" {
			b.SetAttributeValue("description", cty.StringVal(iamDescription(p.Description)))
		}
		b.SetAttributeRaw("policy", hclwrite.TokensForFunctionCall("jsonencode", documentTokens(p.Document)))
	}
	_, err := w.Write(hclwrite.Format(f.Bytes()))
	return err
}

// checkTerraformStrings rejects strings that cty would change: invalid UTF-8
// or text not in Unicode normal form C.
func checkTerraformStrings(p TerraformPolicy) error {
	check := checkTerraformString
	if err := check("name", p.Name); err != nil {
		return err
	}
	if err := check("description", p.Description); err != nil {
		return err
	}
	if err := check("version", p.Document.Version); err != nil {
		return err
	}
	for _, st := range p.Document.Statement {
		for _, s := range append(append([]string{st.Sid, st.Effect}, st.Action...), st.Resource...) {
			if err := check("string", s); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkTerraformString rejects a string cty would change: invalid UTF-8 or
// text not in Unicode normal form C.
func checkTerraformString(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s %q is not valid UTF-8", what, s)
	}
	if cty.StringVal(s).AsString() != s {
		return fmt.Errorf("%s %q is not in Unicode normal form C; Terraform would change it", what, s)
	}
	return nil
}

// documentTokens renders an IAM document as an HCL object, keys in IAM order.
func documentTokens(doc aws.Document) hclwrite.Tokens {
	var statements []hclwrite.Tokens
	for _, s := range doc.Statement {
		var attrs []hclwrite.ObjectAttrTokens
		if s.Sid != "" {
			attrs = append(attrs, attr("Sid", stringTokens(s.Sid)))
		}
		attrs = append(attrs,
			attr("Effect", stringTokens(s.Effect)),
			attr("Action", listTokens(s.Action)),
			attr("Resource", listTokens(s.Resource)),
		)
		statements = append(statements, hclwrite.TokensForObject(attrs))
	}
	return hclwrite.TokensForObject([]hclwrite.ObjectAttrTokens{
		attr("Version", stringTokens(doc.Version)),
		attr("Statement", hclwrite.TokensForTuple(statements)),
	})
}

func attr(name string, value hclwrite.Tokens) hclwrite.ObjectAttrTokens {
	return hclwrite.ObjectAttrTokens{Name: hclwrite.TokensForIdentifier(name), Value: value}
}

// stringTokens is a quoted HCL string literal of s, with template sequences escaped.
func stringTokens(s string) hclwrite.Tokens {
	return hclwrite.TokensForValue(cty.StringVal(s))
}

func listTokens(items []string) hclwrite.Tokens {
	var elems []hclwrite.Tokens
	for _, s := range items {
		elems = append(elems, stringTokens(s))
	}
	return hclwrite.TokensForTuple(elems)
}

// hclLabel makes a Terraform resource name: letters, digits, '_' and '-',
// starting with a letter or '_'.
func hclLabel(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	label := b.String()
	if label == "" || !(label[0] == '_' || label[0] >= 'a' && label[0] <= 'z' || label[0] >= 'A' && label[0] <= 'Z') {
		label = "_" + label
	}
	return label
}

func uniqueLabel(label string, used map[string]bool) string {
	candidate := label
	for n := 2; used[candidate]; n++ {
		candidate = fmt.Sprintf("%s_%d", label, n)
	}
	used[candidate] = true
	return candidate
}

// uniqueName returns name, or name with "-2", "-3", ... appended (cut to
// stay within 128 bytes), whichever is first not in used, ignoring case as
// IAM does, and adds it to used.
func uniqueName(name string, used map[string]bool) string {
	candidate := name
	for n := 2; used[strings.ToLower(candidate)]; n++ {
		suffix := fmt.Sprintf("-%d", n)
		base := name
		if len(base)+len(suffix) > 128 {
			base = base[:128-len(suffix)]
		}
		candidate = base + suffix
	}
	used[strings.ToLower(candidate)] = true
	return candidate
}

// iamPolicyName keeps IAM's policy name alphabet ([A-Za-z0-9+=,.@_-], at most
// 128 characters); anything else becomes '_', and a changed or shortened name
// gets a hash of the original so distinct names stay distinct.
func iamPolicyName(name string) string {
	var b strings.Builder
	changed := false
	for _, r := range name {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+=,.@_-", r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
			changed = true
		}
	}
	s := b.String()
	if s == "" || len(s) > 128 {
		changed = true
	}
	if changed {
		h := "-" + hash16(name)
		if len(s) > 128-len(h) {
			s = s[:128-len(h)]
		}
		s += h
	}
	return s
}

// iamDescription keeps IAM's description alphabet (tab, newline, carriage
// return, printable ASCII and Latin-1 letters from U+00A1) and its limit of
// 1,000 characters; other characters become '_'.
func iamDescription(s string) string {
	r := []rune(s)
	for i, c := range r {
		if !(c == '\t' || c == '\n' || c == '\r' || c >= 0x20 && c <= 0x7e || c >= 0xa1 && c <= 0xff) {
			r[i] = '_'
		}
	}
	if len(r) > 1000 {
		r = append(r[:997], '.', '.', '.')
	}
	return string(r)
}
