package emit

import (
	"fmt"
	"io"
	"strings"

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
// policy names and labels valid, distinct HCL identifiers.
func Terraform(w io.Writer, policies []TerraformPolicy) error {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	labels := make(map[string]bool)
	for i, p := range policies {
		if i > 0 {
			body.AppendNewline()
		}
		label := uniqueLabel(hclLabel(p.Name), labels)
		block := body.AppendNewBlock("resource", []string{"aws_iam_policy", label})
		b := block.Body()
		b.SetAttributeValue("name", cty.StringVal(iamPolicyName(p.Name)))
		if p.Description != "" {
			b.SetAttributeValue("description", cty.StringVal(iamDescription(p.Description)))
		}
		b.SetAttributeRaw("policy", hclwrite.TokensForFunctionCall("jsonencode", documentTokens(p.Document)))
	}
	_, err := w.Write(hclwrite.Format(f.Bytes()))
	return err
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

// iamPolicyName keeps IAM's policy name alphabet ([A-Za-z0-9+=,.@_-], at most
// 128 characters); anything else becomes '_', and a shortened name gets a
// hash so it stays distinct.
func iamPolicyName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+=,.@_-", r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := b.String()
	if len(s) > 128 {
		s = s[:119] + "-" + shortHash(name)
	}
	return s
}

// iamDescription keeps IAM's description limit of 1,000 characters.
func iamDescription(s string) string {
	r := []rune(s)
	if len(r) > 1000 {
		return string(r[:997]) + "..."
	}
	return s
}
