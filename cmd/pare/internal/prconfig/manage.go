package prconfig

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Manage is one manage block: which principals (and, for Kubernetes,
// workloads) of a provider pare manages, and where their files go.
type Manage struct {
	Provider string // ProviderAWS, ProviderAzure or ProviderK8s
	// Principals are globs over principal ids ('*' any run of characters,
	// '?' one), as for --principal; a k8s block may have none when it only
	// manages workloads.
	Principals []string
	// Path is the file pattern for each principal, relative to the
	// repository root with '/' separators, holding ${name} (see PathFor);
	// "" exactly when Principals is empty.
	Path string
	// Format is how the policy is written: aws and azure "json" or
	// "terraform", k8s "yaml" or "terraform"; "" exactly when Principals is
	// empty.
	Format string
	// Workloads are k8s "NAMESPACE/NAME" globs of workloads whose
	// securityContexts to tighten, and WorkloadsPath the pattern of their
	// patches (see WorkloadsPathFor); both empty or both set.
	Workloads     []string
	WorkloadsPath string
	// Pos is where the block starts, "FILE:LINE:COLUMN", for messages.
	Pos string
}

// Providers and formats.
const (
	ProviderAWS     = "aws"
	ProviderAzure   = "azure"
	ProviderK8s     = "k8s"
	FormatJSON      = "json"
	FormatTerraform = "terraform"
	FormatYAML      = "yaml"
)

// formats are the formats each provider's policies can be written in.
var formats = map[string][]string{
	ProviderAWS:   {FormatJSON, FormatTerraform},
	ProviderAzure: {FormatJSON, FormatTerraform},
	ProviderK8s:   {FormatYAML, FormatTerraform},
}

// PathFor is the repository path of the file for the principal or
// workload whose file-safe stem is name (emit.FileNames, emit.PodSecFileNames):
// Path with every ${name} replaced. name must be such a stem: one path
// component, never "." or "..".
func (m Manage) PathFor(name string) string {
	return strings.ReplaceAll(m.Path, nameVar, name)
}

// WorkloadsPathFor is PathFor for WorkloadsPath.
func (m Manage) WorkloadsPathFor(name string) string {
	return strings.ReplaceAll(m.WorkloadsPath, nameVar, name)
}

// MatchWorkload reports whether namespace/name matches one of Workloads.
func (m Manage) MatchWorkload(namespace, name string) bool {
	s := namespace + "/" + name
	return slices.ContainsFunc(m.Workloads, func(g string) bool { return glob(g, s) })
}

// glob matches s against pattern: '*' any run of characters, '?' one. It
// is synth/catalog's matchWildcard over runes; prconfig does not import
// synth for it.
func glob(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	pi, ti := 0, 0
	star, mark := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

var manageSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "principals"}, {Name: "path"}, {Name: "format"}, {Name: "workloads"}, {Name: "workloads_path"},
	},
}

// manage decodes one manage block and returns the path patterns it writes.
func (d *decoder) manage(b *hcl.Block) (Manage, []pattern) {
	m := Manage{Provider: b.Labels[0], Pos: position(b.DefRange)}
	allowed, known := formats[m.Provider]
	if !known {
		d.errorf(b.LabelRanges[0], "Unknown provider", `manage takes "aws", "azure" or "k8s", not %q`, m.Provider)
	}
	content, diags := b.Body.Content(manageSchema)
	d.diags = append(d.diags, diags...)
	attrs := content.Attributes
	var patterns []pattern

	for _, name := range []string{"workloads", "workloads_path"} {
		if a := attrs[name]; a != nil && known && m.Provider != ProviderK8s {
			d.errorf(a.NameRange, "Unsupported argument", `%s is for manage "k8s" (securityContext patches), not manage %q`, name, m.Provider)
			delete(attrs, name)
		}
	}
	policies := m.Provider != ProviderK8s || attrs["principals"] != nil || attrs["path"] != nil || attrs["format"] != nil
	if !policies && attrs["workloads"] == nil && attrs["workloads_path"] == nil {
		d.errorf(b.DefRange, "Missing argument", `manage "k8s" needs principals (RBAC) or workloads (securityContext patches), or both`)
	}
	if policies && known {
		for _, name := range []string{"principals", "path", "format"} {
			if attrs[name] == nil {
				d.errorf(b.DefRange, "Missing required argument", "manage %q needs %s%s", m.Provider, name, exampleOf(name, m.Provider))
			}
		}
	}
	if a := attrs["principals"]; a != nil {
		m.Principals = d.globs(a, "a list of principal globs, like "+principalExample(m.Provider), false)
	}
	if a := attrs["format"]; a != nil {
		if s, ok := d.str(a, `"`+strings.Join(allowed, `" or "`)+`"`); ok {
			if known && !slices.Contains(allowed, s) {
				d.errorf(a.Expr.Range(), "Invalid format", `manage %q writes "%s", not %q`, m.Provider, strings.Join(allowed, `" or "`), s)
			}
			m.Format = s
		}
	}
	if a := attrs["path"]; a != nil {
		if p, ok := d.pathPattern(a, m.Provider); ok {
			m.Path = p
			patterns = append(patterns, pattern{text: p, rng: a.Expr.Range()})
		}
	}
	if p, ok := d.workloads(&m, attrs); ok {
		patterns = append(patterns, p)
	}
	return m, patterns
}

// workloads decodes a k8s block's workloads and workloads_path, which come
// together, and returns the path pattern.
func (d *decoder) workloads(m *Manage, attrs hcl.Attributes) (pattern, bool) {
	wl, wlPath := attrs["workloads"], attrs["workloads_path"]
	switch {
	case wl != nil && wlPath == nil:
		d.errorf(wl.NameRange, "Missing argument", `workloads needs workloads_path, like "k8s/patches/${name}.patch.yaml"`)
	case wl == nil && wlPath != nil:
		d.errorf(wlPath.NameRange, "Missing argument", "workloads_path needs workloads, a list of NAMESPACE/NAME globs like [\"shop/*\"]")
	}
	if wl != nil {
		m.Workloads = d.globs(wl, `a list of NAMESPACE/NAME globs, like ["shop/*"]`, true)
	}
	if wlPath == nil {
		return pattern{}, false
	}
	p, ok := d.pathPattern(wlPath, m.Provider)
	if ok {
		m.WorkloadsPath = p
	}
	return pattern{text: p, rng: wlPath.Expr.Range()}, ok
}

// globs decodes a non-empty list of globs; workload globs must read
// NAMESPACE/NAME.
func (d *decoder) globs(a *hcl.Attribute, example string, workloads bool) []string {
	list, ok := d.stringList(a, example)
	if !ok {
		return nil
	}
	if len(list) == 0 {
		d.errorf(a.Expr.Range(), "Invalid value", "%s must not be empty: it must be %s", a.Name, example)
	}
	for i, g := range list {
		if hasControl(g) {
			d.errorf(elementRange(a.Expr, i), "Invalid value", "%q holds a control character", g)
		}
		if ns, name, found := strings.Cut(g, "/"); workloads && (!found || ns == "" || name == "" || strings.Contains(name, "/")) {
			d.errorf(elementRange(a.Expr, i), "Invalid workload", "%q is not NAMESPACE/NAME; write a glob like \"shop/*\" or \"*/web\"", g)
		}
	}
	return list
}

// principalExamples show what principal ids look like per provider.
var principalExamples = map[string]string{
	ProviderAWS:   `["arn:aws:iam::*:role/app-*"]`,
	ProviderAzure: `["00000000-0000-0000-0000-000000000000"] (Entra object ids)`,
	ProviderK8s:   `["system:serviceaccount:shop:*"]`,
}

func principalExample(provider string) string {
	if e, ok := principalExamples[provider]; ok {
		return e
	}
	return principalExamples[ProviderAWS]
}

func exampleOf(name, provider string) string {
	switch name {
	case "principals":
		return ", like principals = " + principalExample(provider)
	case "path":
		return fmt.Sprintf(`, like path = "%s/${name}.%s"`, provider, extension(provider))
	default:
		return fmt.Sprintf(`: "%s"`, strings.Join(formats[provider], `" or "`))
	}
}

func extension(provider string) string {
	if provider == ProviderK8s {
		return "yaml"
	}
	return "tf"
}

// Owns reports whether path is a file the block writes: Path or
// WorkloadsPath for some name (one path component, as PathFor takes).
func (m Manage) Owns(path string) bool {
	return patternOwns(m.Path, path) || patternOwns(m.WorkloadsPath, path)
}

// patternOwns reports whether path is pattern with every ${name} replaced
// by one and the same name.
func patternOwns(pattern, path string) bool {
	prefix, _, found := strings.Cut(pattern, nameVar)
	if !found || !strings.HasPrefix(path, prefix) {
		return false
	}
	for end := len(prefix) + 1; end <= len(path); end++ {
		name := path[len(prefix):end]
		if strings.Contains(name, "/") {
			return false
		}
		if strings.ReplaceAll(pattern, nameVar, name) == path {
			return true
		}
	}
	return false
}
