package prconfig

import (
	"net/url"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

var forgeSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "repository", Required: true}, {Name: "base"}, {Name: "url"}, {Name: "labels"},
	},
}

// blocks decodes the forge and manage blocks.
func (d *decoder) blocks(c *Config, content *hcl.BodyContent) {
	var forgeAt *hcl.Block
	var patterns []pattern
	for _, b := range content.Blocks {
		switch b.Type {
		case "forge":
			if forgeAt != nil {
				d.errorf(b.DefRange, "Duplicate forge block", "pare opens pull requests on one forge; the first forge block is at %s", position(forgeAt.DefRange))
				continue
			}
			forgeAt = b
			c.Forge = d.forge(b)
		case "manage":
			m, ps := d.manage(b)
			c.Manage = append(c.Manage, m)
			patterns = append(patterns, ps...)
		}
	}
	if len(c.Manage) == 0 {
		d.errorf(content.MissingItemRange, "Missing manage block", `nothing to manage: add a manage "aws", "azure" or "k8s" block with principals, path and format`)
	}
	d.overlaps(patterns)
}

// forge decodes one forge block.
func (d *decoder) forge(b *hcl.Block) Forge {
	f := Forge{Kind: b.Labels[0], Base: DefaultBase}
	if f.Kind != ForgeGitHub && f.Kind != ForgeGitLab {
		d.errorf(b.LabelRanges[0], "Unknown forge", `forge must be "github" or "gitlab", not %q`, f.Kind)
	}
	content, diags := b.Body.Content(forgeSchema)
	d.diags = append(d.diags, diags...)
	if a := content.Attributes["repository"]; a != nil {
		if s, ok := d.nonEmpty(a, `the repository's "owner/name"`); ok {
			if (f.Kind == ForgeGitHub || f.Kind == ForgeGitLab) && !validRepository(f.Kind, s) {
				d.errorf(a.Expr.Range(), "Invalid repository", "%q is not a %s repository: write it as \"owner/name\"%s", s, f.Kind, gitlabHint(f.Kind))
			}
			f.Repository = s
		}
	}
	if a := content.Attributes["base"]; a != nil {
		if s, ok := d.str(a, `a branch name, like "main"`); ok {
			if err := checkBranchName(s); err != nil {
				d.errorf(a.Expr.Range(), "Invalid branch name", "base %q: %v", s, err)
			}
			f.Base = s
		}
	}
	// The url checks are forge.parseBaseURL's (which refuses the same
	// URLs when pare connects), made here so a mistake is reported at its
	// position before anything is fetched or loaded.
	if a := content.Attributes["url"]; a != nil {
		if s, ok := d.nonEmpty(a, `the API's URL, like "https://github.example.com/api/v3/"`); ok {
			u, err := url.Parse(s)
			switch {
			case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
				d.errorf(a.Expr.Range(), "Invalid URL", "url must be the forge API's http(s) URL, like \"https://github.example.com/api/v3/\"")
			case u.User != nil:
				d.errorf(a.Expr.Range(), "Invalid URL", "url must not hold credentials: pare reads the token from GITHUB_TOKEN or GITLAB_TOKEN")
			case u.RawQuery != "" || u.Fragment != "":
				d.errorf(a.Expr.Range(), "Invalid URL", "url must not have a query or fragment: it is the root the API's paths are added to")
			default:
				f.URL = s
			}
		}
	}
	if a := content.Attributes["labels"]; a != nil {
		f.Labels, _ = d.stringList(a, `a list of label names, like ["least-privilege"]`)
	}
	return f
}

// validRepository accepts "owner/name" on GitHub, and a project path with
// at least one '/' or a numeric project id on GitLab.
func validRepository(kind, s string) bool {
	if strings.ContainsAny(s, " \t\\") || hasControl(s) {
		return false
	}
	parts := strings.Split(s, "/")
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			return false
		}
	}
	if kind == ForgeGitLab {
		return len(parts) >= 2 || strings.Trim(s, "0123456789") == ""
	}
	return len(parts) == 2
}

func gitlabHint(kind string) string {
	if kind == ForgeGitLab {
		return `, "group/subgroup/project" or the project's numeric id`
	}
	return ""
}
