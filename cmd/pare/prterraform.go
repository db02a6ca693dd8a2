package main

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/leastpriv/pare/synth/remediate"
)

// decodeAWSTerraform reads back the aws_iam_policy resources of a managed
// Terraform file (emit.Terraform's form: policy = jsonencode({...}) or a
// JSON string) as documents for remediate.PlanAWS, one per resource.
//
// A comment holding pare:keep marks statements Keep: inside a statement's
// object, or on the line right above it, that statement; anywhere else in
// a resource block, or on the line right above the block, every statement
// of the resource. pare manages whole files, so any other block, or a
// policy that is not a literal (a reference, a variable), is an error
// rather than something the rewrite would silently drop. Errors name the
// file, line and column.
func decodeAWSTerraform(name string, src []byte) ([]remediate.AWSDocument, error) {
	f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	keepLines, err := keepCommentLines(name, src)
	if err != nil {
		return nil, err
	}
	ctx := &hcl.EvalContext{Functions: map[string]function.Function{"jsonencode": stdlib.JSONEncodeFunc}}
	body := f.Body.(*hclsyntax.Body)
	if len(body.Attributes) > 0 {
		for _, a := range body.Attributes {
			return nil, fmt.Errorf("%s: attribute %q: a file pare manages holds only aws_iam_policy resources", a.SrcRange, a.Name)
		}
	}
	var docs []remediate.AWSDocument
	for _, block := range body.Blocks {
		if block.Type != "resource" || len(block.Labels) != 2 || block.Labels[0] != "aws_iam_policy" {
			return nil, fmt.Errorf("%s: %s %s: a file pare manages holds only aws_iam_policy resources; move this block to a file pare does not manage",
				block.TypeRange, block.Type, strings.Join(block.Labels, "."))
		}
		where := fmt.Sprintf("%s: aws_iam_policy.%s", name, block.Labels[1])
		attr, ok := block.Body.Attributes["policy"]
		if !ok {
			return nil, fmt.Errorf("%s: %s has no policy", block.TypeRange, where)
		}
		val, diags := attr.Expr.Value(ctx)
		if diags.HasErrors() {
			return nil, fmt.Errorf("%s: the policy of %s is not a literal pare can read (a reference or variable?): %s", attr.Expr.Range(), where, diags.Error())
		}
		if val.IsNull() || !val.IsKnown() || val.Type() != cty.String {
			return nil, fmt.Errorf("%s: the policy of %s is not a JSON string or jsonencode(...)", attr.Expr.Range(), where)
		}
		doc, err := remediate.ParseIAMJSON(where, []byte(val.AsString()))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", attr.Expr.Range(), err)
		}
		ranges := statementRanges(attr.Expr)
		for i := range doc.Statements {
			doc.Statements[i].Line = 0
			if i < len(ranges) {
				doc.Statements[i].Line = ranges[i].Start.Line
			}
		}
		for line := range keepLines {
			if i := statementOf(line, ranges); i >= 0 && i < len(doc.Statements) {
				doc.Statements[i].Keep = true
				continue
			}
			if within(line, block.Range()) || line == block.Range().Start.Line-1 {
				for i := range doc.Statements {
					doc.Statements[i].Keep = true
				}
			}
		}
		docs = append(docs, doc)
	}
	return docs, nil
}

// keepCommentLines are the lines of src on which a comment holding the
// marker starts.
func keepCommentLines(name string, src []byte) (map[int]bool, error) {
	toks, diags := hclsyntax.LexConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	lines := make(map[int]bool)
	for _, t := range toks {
		if t.Type == hclsyntax.TokenComment && remediate.HasMarker(string(t.Bytes)) {
			lines[t.Range.Start.Line] = true
		}
	}
	return lines, nil
}

// statementRanges are the source ranges of the statement objects of a
// jsonencode({Statement = [...]}) expression, in order; nil for a JSON
// string.
func statementRanges(expr hclsyntax.Expression) []hcl.Range {
	call, ok := expr.(*hclsyntax.FunctionCallExpr)
	if !ok || call.Name != "jsonencode" || len(call.Args) != 1 {
		return nil
	}
	obj, ok := call.Args[0].(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil
	}
	for _, item := range obj.Items {
		key, diags := item.KeyExpr.Value(nil)
		if diags.HasErrors() || key.Type() != cty.String || key.AsString() != "Statement" {
			continue
		}
		switch list := item.ValueExpr.(type) {
		case *hclsyntax.TupleConsExpr:
			var out []hcl.Range
			for _, e := range list.Exprs {
				out = append(out, e.Range())
			}
			return out
		case *hclsyntax.ObjectConsExpr:
			return []hcl.Range{list.Range()}
		}
	}
	return nil
}

// statementOf is the statement a comment on line belongs to: one that
// starts on the line (a comment after "}, {"), else one that holds it, else
// one that starts on the next line; -1 for none.
func statementOf(line int, ranges []hcl.Range) int {
	for i, r := range ranges {
		if r.Start.Line == line {
			return i
		}
	}
	for i, r := range ranges {
		if within(line, r) {
			return i
		}
	}
	for i, r := range ranges {
		if r.Start.Line == line+1 {
			return i
		}
	}
	return -1
}

func within(line int, r hcl.Range) bool {
	return line >= r.Start.Line && line <= r.End.Line
}
