package prconfig

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// decoder collects every problem of one file instead of stopping at the
// first.
type decoder struct {
	diags hcl.Diagnostics
}

func (d *decoder) errorf(rng hcl.Range, summary, format string, args ...any) {
	d.diags = append(d.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  rng.Ptr(),
	})
}

// value reads attr as a literal and converts it to want; ok is false after
// a problem was recorded.
func (d *decoder) value(attr *hcl.Attribute, want cty.Type, example string) (cty.Value, bool) {
	v, diag := literal(attr.Expr)
	if diag != nil {
		d.diags = append(d.diags, diag)
		return cty.NilVal, false
	}
	if v.IsNull() || !v.IsWhollyKnown() || v.IsMarked() {
		d.errorf(attr.Expr.Range(), "Invalid value", "%s must be %s, not null", attr.Name, example)
		return cty.NilVal, false
	}
	c, err := convert.Convert(v, want)
	if err != nil {
		d.errorf(attr.Expr.Range(), "Incorrect value type", "%s must be %s", attr.Name, example)
		return cty.NilVal, false
	}
	return c, true
}

// str decodes a string attribute.
func (d *decoder) str(attr *hcl.Attribute, example string) (string, bool) {
	v, ok := d.value(attr, cty.String, example)
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

// nonEmpty decodes a string attribute that must not be "".
func (d *decoder) nonEmpty(attr *hcl.Attribute, example string) (string, bool) {
	s, ok := d.str(attr, example)
	if ok && s == "" {
		d.errorf(attr.Expr.Range(), "Invalid value", "%s must not be empty: it must be %s", attr.Name, example)
		return "", false
	}
	return s, ok
}

// boolean decodes a bool attribute.
func (d *decoder) boolean(attr *hcl.Attribute) (bool, bool) {
	v, ok := d.value(attr, cty.Bool, "true or false")
	if !ok {
		return false, false
	}
	return v.True(), true
}

// stringList decodes a list of non-empty strings; problems with one
// element point at that element.
func (d *decoder) stringList(attr *hcl.Attribute, example string) ([]string, bool) {
	v, ok := d.value(attr, cty.List(cty.String), example)
	if !ok {
		return nil, false
	}
	var out []string
	ok = true
	for i, e := range v.AsValueSlice() {
		rng := elementRange(attr.Expr, i)
		switch {
		case e.IsNull():
			d.errorf(rng, "Invalid value", "%s must be %s; element %d is null", attr.Name, example, i+1)
			ok = false
		case e.AsString() == "":
			d.errorf(rng, "Invalid value", "%s must be %s; element %d is empty", attr.Name, example, i+1)
			ok = false
		default:
			out = append(out, e.AsString())
		}
	}
	return out, ok
}

// elementRange is where element i of a list is written, or the whole
// expression when it is not a list literal.
func elementRange(expr hcl.Expression, i int) hcl.Range {
	if t, ok := expr.(*hclsyntax.TupleConsExpr); ok && i < len(t.Exprs) {
		return t.Exprs[i].Range()
	}
	return expr.Range()
}

// duration decodes a duration attribute written as ParseDuration reads it.
func (d *decoder) duration(attr *hcl.Attribute) (time.Duration, bool) {
	s, ok := d.str(attr, `a duration like "90d"`)
	if !ok {
		return 0, false
	}
	dur, err := ParseDuration(s)
	if err != nil {
		d.errorf(attr.Expr.Range(), "Invalid duration", "%s %q: %v; write a number of days, weeks or hours, like \"90d\", \"2w\" or \"36h\"", attr.Name, s, err)
		return 0, false
	}
	return dur, true
}

// literal is the value of a literal expression: a number, true, false,
// null, a string without interpolations or a list of literals. Nothing is
// evaluated, so no operator, conditional, variable or function in a
// configuration file ever runs; each is a problem at its position.
func literal(expr hcl.Expression) (cty.Value, *hcl.Diagnostic) {
	switch e := expr.(type) {
	case *hclsyntax.LiteralValueExpr:
		return e.Val, nil
	case *hclsyntax.TemplateExpr:
		var b strings.Builder
		for _, part := range e.Parts {
			lit, ok := part.(*hclsyntax.LiteralValueExpr)
			if !ok || lit.Val.Type() != cty.String || lit.Val.IsNull() {
				return cty.NilVal, notLiteral(part)
			}
			b.WriteString(lit.Val.AsString())
		}
		return cty.StringVal(b.String()), nil
	case *hclsyntax.TemplateWrapExpr:
		return cty.NilVal, notLiteral(e.Wrapped)
	case *hclsyntax.TupleConsExpr:
		if len(e.Exprs) == 0 {
			return cty.EmptyTupleVal, nil
		}
		elems := make([]cty.Value, len(e.Exprs))
		for i, x := range e.Exprs {
			v, diag := literal(x)
			if diag != nil {
				return cty.NilVal, diag
			}
			elems[i] = v
		}
		return cty.TupleVal(elems), nil
	}
	return cty.NilVal, notLiteral(expr)
}

// notLiteral is the problem with an expression literal does not take.
func notLiteral(expr hcl.Expression) *hcl.Diagnostic {
	d := &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unsupported expression",
		Detail:   "only literal values (quoted strings, numbers, true, false and lists of them) can be used here",
		Subject:  expr.Range().Ptr(),
	}
	switch e := expr.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		d.Summary, d.Detail = "Variables not allowed", "Variables may not be used here."
	case *hclsyntax.FunctionCallExpr:
		d.Summary, d.Detail = "Function calls not allowed", "Functions may not be called here."
		d.Subject = e.NameRange.Ptr()
	}
	return d
}
