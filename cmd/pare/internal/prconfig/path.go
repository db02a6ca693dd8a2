package prconfig

import (
	"path"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// nameVar is the one variable left in a path pattern.
const nameVar = "${name}"

// pattern is a path pattern and where it was written.
type pattern struct {
	text string
	rng  hcl.Range
}

// pathPattern reads a path attribute as a template over ${name} and
// ${provider}: literal text is kept, ${provider} replaced, ${name} kept as
// nameVar. Anything else in the template is an error at its position; the
// result must be a relative path inside the repository that holds ${name}.
func (d *decoder) pathPattern(a *hcl.Attribute, provider string) (string, bool) {
	var parts []hclsyntax.Expression
	switch e := a.Expr.(type) {
	case *hclsyntax.TemplateExpr:
		parts = e.Parts
	case *hclsyntax.TemplateWrapExpr:
		parts = []hclsyntax.Expression{e.Wrapped}
	default:
		d.errorf(a.Expr.Range(), "Invalid path", `%s must be a quoted string, like "iam/${name}.tf"`, a.Name)
		return "", false
	}
	var b strings.Builder
	ok := true
	for _, part := range parts {
		s, partOK := d.pathPart(a.Name, part, provider)
		b.WriteString(s)
		ok = ok && partOK
	}
	if !ok {
		return "", false
	}
	p := b.String()
	if problem := checkPath(p); problem != "" {
		d.errorf(a.Expr.Range(), "Invalid path", "%s %q %s", a.Name, p, problem)
		return "", false
	}
	return path.Clean(p), true
}

// pathPart is the text one template part stands for.
func (d *decoder) pathPart(attr string, part hclsyntax.Expression, provider string) (string, bool) {
	switch e := part.(type) {
	case *hclsyntax.LiteralValueExpr:
		if e.Val.Type() != cty.String || e.Val.IsNull() {
			break
		}
		s := e.Val.AsString()
		if strings.Contains(s, "${") || strings.Contains(s, "%{") {
			d.errorf(e.SrcRange, "Invalid path", `%s cannot hold a literal "${" or "%%{"`, attr)
			return "", false
		}
		if hasControl(s) {
			d.errorf(e.SrcRange, "Invalid path", "%s cannot hold control characters or line breaks", attr)
			return "", false
		}
		return s, true
	case *hclsyntax.ScopeTraversalExpr:
		root := e.Traversal.RootName()
		if root != "name" && root != "provider" {
			d.errorf(e.SrcRange, "Unknown variable", "%s can use ${name} and ${provider}, not %q", attr, root)
			return "", false
		}
		if len(e.Traversal) > 1 {
			d.errorf(e.SrcRange, "Invalid path", "${%s} is a string: write it without attributes or an index", root)
			return "", false
		}
		if root == "provider" {
			return provider, true
		}
		return nameVar, true
	case *hclsyntax.FunctionCallExpr:
		d.errorf(e.NameRange, "Function calls not allowed", "%s can use ${name} and ${provider}, not %s()", attr, e.Name)
		return "", false
	}
	d.errorf(part.Range(), "Invalid path", "%s can hold text, ${name} and ${provider}, nothing else", attr)
	return "", false
}

// checkPath says what is wrong with a path pattern, or "".
func checkPath(p string) string {
	switch {
	case p == "":
		return "is empty"
	case strings.Contains(p, `\`):
		return `uses '\': separate directories with '/'`
	case strings.HasPrefix(p, "/") || len(p) >= 2 && p[1] == ':':
		return "must be relative to the repository root"
	case strings.HasSuffix(p, "/") || path.Clean(p) == ".":
		return "names a directory, not a file"
	case !strings.Contains(p, nameVar):
		return "must hold ${name}: every principal gets a file of its own"
	}
	for _, c := range strings.Split(p, "/") {
		if c == ".." {
			return `leaves the repository ("..")`
		}
		if strings.EqualFold(c, ".git") {
			return "is inside .git"
		}
	}
	return ""
}

// overlaps reports patterns that could name the same file (ignoring case,
// for case-insensitive file systems), each at the later one.
func (d *decoder) overlaps(ps []pattern) {
	for i, p := range ps {
		for _, q := range ps[:i] {
			if mayCollide(strings.ToLower(p.text), strings.ToLower(q.text)) {
				what := "the same path as"
				if p.text != q.text {
					what = "a path that can name the same file as"
				}
				d.errorf(p.rng, "Conflicting path", "%q is %s %q at %s: give each manage block a path of its own", p.text, what, q.text, position(q.rng))
				break
			}
		}
	}
}

// mayCollide reports whether patterns a and b can name the same file for
// some names (which never hold '/'). Each is read as the text before its
// first ${name}, anything, and the text after its last: two patterns can
// collide when one's prefix extends the other's and one's suffix extends
// the other's, and, for patterns with one ${name} each, the extra text
// holds no '/'. With more ${name}s the answer errs on the side of a
// collision.
func mayCollide(a, b string) bool {
	if a == b {
		return true
	}
	a1, a2 := outer(a)
	b1, b2 := outer(b)
	x, ok := extra(a1, b1, strings.CutPrefix)
	if !ok {
		return false
	}
	y, ok := extra(a2, b2, strings.CutSuffix)
	if !ok {
		return false
	}
	// One name can absorb the extra text of the other's prefix and suffix
	// unless that text holds a '/'.
	single := strings.Count(a, nameVar) == 1 && strings.Count(b, nameVar) == 1
	return !single || !strings.Contains(x+y, "/")
}

// outer is the text of p before its first ${name} and after its last.
func outer(p string) (before, after string) {
	before, _, found := strings.Cut(p, nameVar)
	if !found {
		return p, ""
	}
	return before, p[strings.LastIndex(p, nameVar)+len(nameVar):]
}

// extra is what the longer of s and t has beyond the other, when one is a
// prefix (or suffix, by cut) of the other.
func extra(s, t string, cut func(string, string) (string, bool)) (string, bool) {
	if rest, ok := cut(s, t); ok {
		return rest, true
	}
	return cut(t, s)
}
