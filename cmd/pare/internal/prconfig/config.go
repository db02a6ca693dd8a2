package prconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Config is a pare.hcl file, checked, with defaults filled in and local
// paths resolved against the file's directory.
type Config struct {
	// File is the file as named to Load or Parse; Dir is its directory
	// (absolute after Load). The repository root is for the caller to find.
	File, Dir string
	// Sources are the inputs as for `pare generate`: local paths joined to
	// Dir, s3://, cloudtrail://, azure-logs://, k8s:// and iam:// URLs as
	// written. Empty when the file gives none.
	Sources []string
	// DB is the store file joined to Dir, or "" for an in-memory store.
	DB string
	// Window is the observation window and MinWindow the least evidence
	// pare must have before it removes anything; 0 when not given.
	Window, MinWindow time.Duration
	// Forge is where pull requests are opened; Forge.Kind is "" without a
	// forge block.
	Forge Forge
	// Manage lists the manage blocks in file order.
	Manage []Manage
	// Branch is BranchPerPrincipal (the default) or BranchBatch;
	// BranchName is the batch branch ("pare/least-privilege" by default,
	// "" with BranchPerPrincipal).
	Branch     string
	BranchName string
	// ReopenClosed opens a new pull request for a branch whose last one was
	// closed unmerged; IncludeDenied counts denied attempts as use.
	ReopenClosed, IncludeDenied bool
	// CommitAuthor is "Name <email>" (see ParseAuthor and Author); default
	// DefaultCommitAuthor.
	CommitAuthor string
}

// Forge is the forge block.
type Forge struct {
	Kind       string // ForgeGitHub or ForgeGitLab; "" when there is no forge block
	Repository string // "owner/name"; GitLab: "group/subgroup/project" or a numeric project id
	Base       string // the branch pull requests target; default "main"
	URL        string // API base URL for GitHub Enterprise or self-managed GitLab; "" for the public service
	Labels     []string
}

// Branch modes and defaults.
const (
	BranchPerPrincipal  = "per-principal" // one branch pare/<provider>/<name> per principal
	BranchBatch         = "batch"         // one branch for every change
	DefaultBranchName   = "pare/least-privilege"
	DefaultBase         = "main"
	DefaultCommitAuthor = "pare <pare@localhost>"
	ForgeGitHub         = "github"
	ForgeGitLab         = "gitlab"
)

// Author splits CommitAuthor into name and email.
func (c Config) Author() (name, email string, err error) {
	return ParseAuthor(c.CommitAuthor)
}

// Load reads and checks the file at path. Problems with its content are an
// *Error naming path, line and column of each.
func Load(path string) (Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("reading pare configuration: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return Config{}, fmt.Errorf("reading pare configuration %s: %w", path, err)
	}
	return parse(path, filepath.Dir(abs), src)
}

// Parse checks src as the content of filename, which names the file in
// problems; relative paths are resolved against filename's directory as
// written (Load makes it absolute).
func Parse(filename string, src []byte) (Config, error) {
	return parse(filename, filepath.Dir(filename), src)
}

var topSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "sources"}, {Name: "window"}, {Name: "min_window"}, {Name: "db"},
		{Name: "branch"}, {Name: "branch_name"}, {Name: "reopen_closed"}, {Name: "include_denied"},
		{Name: "commit_author"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "forge", LabelNames: []string{"kind"}},
		{Type: "manage", LabelNames: []string{"provider"}},
	},
}

func parse(filename, dir string, src []byte) (Config, error) {
	if d := checkLimits(filename, src); d != nil {
		return Config{}, newError(filename, hcl.Diagnostics{d})
	}
	file, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		// What follows a syntax error mostly follows from it: report the
		// first only.
		e := newError(filename, diags)
		e.Diagnostics = e.Diagnostics[:1]
		return Config{}, e
	}
	content, diags := file.Body.Content(topSchema)
	d := &decoder{diags: diags}
	c := Config{
		File:         filename,
		Dir:          dir,
		Forge:        Forge{Base: DefaultBase},
		Branch:       BranchPerPrincipal,
		CommitAuthor: DefaultCommitAuthor,
	}
	d.top(&c, content.Attributes)
	d.blocks(&c, content)
	if len(d.diags) > 0 {
		return Config{}, newError(filename, d.diags)
	}
	return c, nil
}

// top decodes the top-level attributes.
func (d *decoder) top(c *Config, attrs hcl.Attributes) {
	if a := attrs["sources"]; a != nil {
		list, ok := d.stringList(a, `a list of inputs, like ["../logs"]`)
		if !ok {
			list = nil // its elements no longer line up with the expression's
		}
		for i, s := range list {
			r, err := resolveSource(c.Dir, s)
			if err != nil {
				d.errorf(elementRange(a.Expr, i), "Unsupported source", "%v", err)
				continue
			}
			c.Sources = append(c.Sources, r)
		}
	}
	if a := attrs["db"]; a != nil {
		if s, ok := d.nonEmpty(a, `a file name, like "pare.duckdb"`); ok {
			if strings.Contains(s, "://") {
				d.errorf(a.Expr.Range(), "Invalid value", "db must be a local file, not %q", s)
			} else {
				c.DB = localPath(c.Dir, s)
			}
		}
	}
	d.windows(c, attrs)
	if a := attrs["branch"]; a != nil {
		if s, ok := d.str(a, `"per-principal" or "batch"`); ok {
			if s != BranchPerPrincipal && s != BranchBatch {
				d.errorf(a.Expr.Range(), "Invalid value", `branch must be "per-principal" or "batch", not %q`, s)
			}
			c.Branch = s
		}
	}
	if c.Branch == BranchBatch {
		c.BranchName = DefaultBranchName
	}
	if a := attrs["branch_name"]; a != nil {
		if s, ok := d.str(a, `a branch name, like "pare/least-privilege"`); ok {
			switch err := checkBranchName(s); {
			case c.Branch != BranchBatch:
				d.errorf(a.NameRange, "Invalid argument", `branch_name is for branch = "batch"; per-principal branches are named pare/<provider>/<name>`)
			case err != nil:
				d.errorf(a.Expr.Range(), "Invalid branch name", "%q: %v", s, err)
			default:
				c.BranchName = s
			}
		}
	}
	if a := attrs["reopen_closed"]; a != nil {
		c.ReopenClosed, _ = d.boolean(a)
	}
	if a := attrs["include_denied"]; a != nil {
		c.IncludeDenied, _ = d.boolean(a)
	}
	if a := attrs["commit_author"]; a != nil {
		if s, ok := d.str(a, `"Name <email>"`); ok {
			if _, _, err := ParseAuthor(s); err != nil {
				d.errorf(a.Expr.Range(), "Invalid commit author", "%q: %v; write it as \"Name <email>\"", s, err)
			}
			c.CommitAuthor = s
		}
	}
}

// windows decodes window and min_window, which must not exceed it.
func (d *decoder) windows(c *Config, attrs hcl.Attributes) {
	window, minWindow := attrs["window"], attrs["min_window"]
	if window != nil {
		c.Window, _ = d.duration(window)
	}
	if minWindow != nil {
		c.MinWindow, _ = d.duration(minWindow)
	}
	if c.Window > 0 && c.MinWindow > c.Window {
		d.errorf(minWindow.Expr.Range(), "Invalid min_window", "min_window (%s) is longer than window (%s at %s): pare could never remove anything",
			FormatDuration(c.MinWindow), FormatDuration(c.Window), position(window.Expr.Range()))
	}
}

// position is "FILE:LINE:COLUMN".
func position(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}
