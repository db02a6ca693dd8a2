package prconfig

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

const day = 24 * time.Hour

// issueExample is the configuration of issue 6, as written there.
const issueExample = `sources    = ["../logs"]      # inputs as for ` + "`pare generate`" + `, relative to this file
window     = "90d"            # observation window
min_window = "30d"            # refuse to remove anything with less evidence than this

forge "github" {              # or forge "gitlab"
  repository = "acme/infra"
  base       = "main"
  url        = "https://github.example.com/api/v3/"   # optional: GitHub Enterprise / self-managed GitLab
  labels     = ["least-privilege"]
}

manage "aws" {                # one block per provider and path pattern
  principals = ["arn:aws:iam::*:role/app-*", "arn:aws:iam::*:user/*"]
  path       = "iam/${name}.tf"   # name = a file-safe form of the principal
  format     = "terraform"        # or "json"
}
`

func TestParseIssueExample(t *testing.T) {
	got, err := Parse("/repo/infra/pare.hcl", []byte(issueExample))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		File:      "/repo/infra/pare.hcl",
		Dir:       "/repo/infra",
		Sources:   []string{"/repo/logs"},
		Window:    90 * day,
		MinWindow: 30 * day,
		Forge: Forge{
			Kind:       "github",
			Repository: "acme/infra",
			Base:       "main",
			URL:        "https://github.example.com/api/v3/",
			Labels:     []string{"least-privilege"},
		},
		Manage: []Manage{{
			Provider:   "aws",
			Principals: []string{"arn:aws:iam::*:role/app-*", "arn:aws:iam::*:user/*"},
			Path:       "iam/${name}.tf",
			Format:     "terraform",
			Pos:        "/repo/infra/pare.hcl:12:1",
		}},
		Branch:       BranchPerPrincipal,
		CommitAuthor: "pare <pare@localhost>",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%#v\nwant\n%#v", got, want)
	}
	if p := got.Manage[0].PathFor("123456789012-role-app-web"); p != "iam/123456789012-role-app-web.tf" {
		t.Errorf("PathFor = %q", p)
	}
}

func TestParseEverything(t *testing.T) {
	src := `
sources        = ["../logs", "/var/log/ct", "s3://trail/AWSLogs/", "cloudtrail://eu-west-1",
                  "azure-logs://0f4f2b7c-6a43-4c2b-9c2e-1c1e3e6f1a11", "k8s://prod", "iam://", "audit/*.log"]
db             = "state/pare.duckdb"
window         = "12w"
min_window     = "36h"
branch         = "batch"
branch_name    = "pare/tighten"
reopen_closed  = true
include_denied = true
commit_author  = "Infra Bot <infra-bot@example.com>"

forge "gitlab" {
  repository = "platform/infra/live"
  url        = "https://gitlab.example.com/api/v4/"
}

manage "azure" {
  principals = ["0f4f2b7c-*"]
  path       = "${provider}/roles/${name}.json"
  format     = "json"
}

manage "k8s" {
  principals     = ["system:serviceaccount:shop:*"]
  path           = "k8s/rbac/${name}.yaml"
  format         = "yaml"
  workloads      = ["shop/*", "*/web"]
  workloads_path = "k8s/patches/${name}.patch.yaml"
}

manage "k8s" {
  workloads      = ["batch/*"]
  workloads_path = "k8s/batch/${name}.patch.yaml"
}
`
	got, err := Parse("infra/pare.hcl", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		File: "infra/pare.hcl",
		Dir:  "infra",
		Sources: []string{"logs", "/var/log/ct", "s3://trail/AWSLogs/", "cloudtrail://eu-west-1",
			"azure-logs://0f4f2b7c-6a43-4c2b-9c2e-1c1e3e6f1a11", "k8s://prod", "iam://", "infra/audit/*.log"},
		DB:        "infra/state/pare.duckdb",
		Window:    84 * day,
		MinWindow: 36 * time.Hour,
		Forge: Forge{
			Kind:       "gitlab",
			Repository: "platform/infra/live",
			Base:       "main",
			URL:        "https://gitlab.example.com/api/v4/",
		},
		Manage: []Manage{
			{Provider: "azure", Principals: []string{"0f4f2b7c-*"}, Path: "azure/roles/${name}.json", Format: "json", Pos: "infra/pare.hcl:18:1"},
			{
				Provider: "k8s", Principals: []string{"system:serviceaccount:shop:*"}, Path: "k8s/rbac/${name}.yaml", Format: "yaml",
				Workloads: []string{"shop/*", "*/web"}, WorkloadsPath: "k8s/patches/${name}.patch.yaml", Pos: "infra/pare.hcl:24:1",
			},
			{Provider: "k8s", Workloads: []string{"batch/*"}, WorkloadsPath: "k8s/batch/${name}.patch.yaml", Pos: "infra/pare.hcl:32:1"},
		},
		Branch:        BranchBatch,
		BranchName:    "pare/tighten",
		ReopenClosed:  true,
		IncludeDenied: true,
		CommitAuthor:  "Infra Bot <infra-bot@example.com>",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%#v\nwant\n%#v", got, want)
	}
	name, email, err := got.Author()
	if name != "Infra Bot" || email != "infra-bot@example.com" || err != nil {
		t.Errorf("Author() = %q, %q, %v", name, email, err)
	}
	if p := got.Manage[1].WorkloadsPathFor("deployment-shop-web"); p != "k8s/patches/deployment-shop-web.patch.yaml" {
		t.Errorf("WorkloadsPathFor = %q", p)
	}
}

func TestDefaults(t *testing.T) {
	c, err := Parse("pare.hcl", []byte(`manage "aws" {
  principals = ["*"]
  path = "iam/${name}.json"
  format = "json"
}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Branch != BranchPerPrincipal || c.BranchName != "" || c.CommitAuthor != DefaultCommitAuthor ||
		c.Forge.Kind != "" || c.Forge.Base != "main" || c.Window != 0 || c.MinWindow != 0 || c.DB != "" ||
		c.Sources != nil || c.ReopenClosed || c.IncludeDenied || c.Dir != "." {
		t.Errorf("defaults: %#v", c)
	}
	c, err = Parse("pare.hcl", []byte(`branch = "batch"
manage "aws" {
  principals = ["*"]
  path = "iam/${name}.json"
  format = "json"
}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.BranchName != DefaultBranchName {
		t.Errorf("batch branch name = %q, want %q", c.BranchName, DefaultBranchName)
	}
}

// TestPathTemplates: ${name} survives as written, ${provider} is replaced,
// and the pattern is cleaned.
func TestPathTemplates(t *testing.T) {
	for _, tc := range []struct{ path, want, forName string }{
		{`"iam/${name}.tf"`, "iam/${name}.tf", "iam/x.tf"},
		{`"${name}"`, "${name}", "x"},
		{`"${provider}/${name}.tf"`, "aws/${name}.tf", "aws/x.tf"},
		{`"iam/${ name }.tf"`, "iam/${name}.tf", "iam/x.tf"},
		{`"iam/ ${~name~} .tf"`, "iam/${name}.tf", "iam/x.tf"},
		{`"./iam//${name}/policy.tf"`, "iam/${name}/policy.tf", "iam/x/policy.tf"},
		{`"iam/${name}-${name}.tf"`, "iam/${name}-${name}.tf", "iam/x-x.tf"},
		{`"iam/a$b/${name}.tf"`, "iam/a$b/${name}.tf", "iam/a$b/x.tf"},
		{"<<EOT\niam/${name}.tf\nEOT\n", "", ""},
	} {
		src := "manage \"aws\" {\n  principals = [\"*\"]\n  format = \"json\"\n  path = " + tc.path + "\n}\n"
		c, err := Parse("pare.hcl", []byte(src))
		if tc.want == "" {
			if err == nil {
				t.Errorf("path = %s: no error", tc.path)
			}
			continue
		}
		if err != nil {
			t.Errorf("path = %s: %v", tc.path, err)
			continue
		}
		m := c.Manage[0]
		if m.Path != tc.want || m.PathFor("x") != tc.forName {
			t.Errorf("path = %s: Path %q, PathFor(x) %q; want %q, %q", tc.path, m.Path, m.PathFor("x"), tc.want, tc.forName)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pare.hcl"), []byte(issueExample+"db = \"pare.duckdb\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	c, err := Load("pare.hcl")
	if err != nil {
		t.Fatal(err)
	}
	if c.File != "pare.hcl" || c.Dir != dir || c.DB != filepath.Join(dir, "pare.duckdb") ||
		!reflect.DeepEqual(c.Sources, []string{filepath.Join(filepath.Dir(dir), "logs")}) {
		t.Errorf("File %q, Dir %q, DB %q, Sources %q", c.File, c.Dir, c.DB, c.Sources)
	}

	if err := os.WriteFile(filepath.Join(dir, "bad.hcl"), []byte("window = 90\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load("bad.hcl")
	var perr *Error
	if !errors.As(err, &perr) || !strings.Contains(err.Error(), "\nbad.hcl:1:10: Invalid duration") {
		t.Errorf("Load(bad.hcl) = %v", err)
	}

	_, err = Load("missing.hcl")
	if err == nil || errors.As(err, &perr) || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.hcl") {
		t.Errorf("Load(missing.hcl) = %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"90d", 90 * day}, {"2w", 14 * day}, {"12h", 12 * time.Hour}, {"1h30m", 90 * time.Minute},
		{"36500d", 36500 * day}, {"5214w", 5214 * 7 * day},
		{"", 0}, {"d", 0}, {"0d", 0}, {"-3d", 0}, {"+3d", 0}, {"1.5d", 0}, {"90", 0}, {"0h", 0}, {"-1h", 0},
		{"36501d", 0}, {"5215w", 0}, {"99999999999999999999d", 0}, {"9223372036854775807w", 0}, {"3 d", 0},
	} {
		got, err := ParseDuration(tc.in)
		if got != tc.want || (err == nil) != (tc.want != 0) {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{90 * day, "90d"}, {14 * day, "14d"}, {36 * time.Hour, "36h"}, {90 * time.Minute, "1h30m"},
		{10 * time.Minute, "10m"}, {10 * time.Second, "10s"}, {time.Hour + 10*time.Second, "1h0m10s"},
		{36*time.Hour + 30*time.Minute, "36h30m"}, {1500 * time.Millisecond, "1.5s"},
	} {
		got := FormatDuration(tc.in)
		if got != tc.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tc.in, got, tc.want)
		}
		if back, err := ParseDuration(got); err != nil || back != tc.in {
			t.Errorf("ParseDuration(FormatDuration(%v)) = %v, %v", tc.in, back, err)
		}
	}
}

func TestParseAuthor(t *testing.T) {
	for _, tc := range []struct{ in, name, email string }{
		{"pare <pare@localhost>", "pare", "pare@localhost"},
		{"  Jane Q. Doe  <jane@example.com>", "Jane Q. Doe", "jane@example.com"},
		{"pare", "", ""},
		{"<pare@localhost>", "", ""},
		{"pare <>", "", ""},
		{"pare <a b@c>", "", ""},
		{"pa<re <a@b>", "", ""},
		{"pare\n <a@b>", "", ""},
		{"pare <a@b>\nSigned-off-by: x", "", ""},
		{"pare <a@b> trailing", "", ""},
	} {
		name, email, err := ParseAuthor(tc.in)
		if name != tc.name || email != tc.email || (err == nil) != (tc.name != "") {
			t.Errorf("ParseAuthor(%q) = %q, %q, %v", tc.in, name, email, err)
		}
	}
}

func TestCheckBranchName(t *testing.T) {
	for _, ok := range []string{"pare/least-privilege", "main", "release/2026.05", "a@b", "x.y/z"} {
		if err := checkBranchName(ok); err != nil {
			t.Errorf("checkBranchName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "@", "-x", "/x", "x/", "a//b", "a.", "a..b", "a@{1}", "a b", "a~1", "a^", "a:b",
		"a?", "a*", "a[", `a\b`, "a/.hidden", "a.lock", "a/b.lock/c", "a\x01"} {
		if err := checkBranchName(bad); err == nil {
			t.Errorf("checkBranchName(%q) = nil", bad)
		}
	}
}

func TestMayCollide(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"iam/${name}.tf", "iam/${name}.tf", true},
		{"iam/${name}.tf", "iam/${name}.json", false},
		{"iam/${name}.tf", "iam/roles/${name}.tf", false}, // a name never holds '/'
		{"iam/${name}.tf", "iam/app-${name}.tf", true},    // name "app-x"
		{"iam/${name}.tf", "iam/${name}.x.tf", true},      // name "y.x"
		{"iam/${name}.tf", "iam/app-${name}.x.tf", true},
		{"iam/app-${name}.tf", "iam/${name}.x.tf", true},
		{"iam/${name}.tf", "azure/${name}.tf", false},
		{"k8s/${name}.yaml", "k8s/patches/${name}.patch.yaml", false},
		{"k8s/${name}/rbac.yaml", "k8s/${name}/patch.yaml", false},
		{"k8s/${name}/rbac.yaml", "k8s/x-${name}/rbac.yaml", true},
		{"iam/${name}-${name}.tf", "iam/${name}.tf", true},
		{"iam/${name}/${name}.tf", "iam/${name}.tf", true}, // errs on the side of a collision
		{"iam/${name}-${name}.tf", "iam/${name}.json", false},
	} {
		if got := mayCollide(tc.a, tc.b); got != tc.want {
			t.Errorf("mayCollide(%q, %q) = %v", tc.a, tc.b, got)
		}
		if got := mayCollide(tc.b, tc.a); got != tc.want {
			t.Errorf("mayCollide(%q, %q) = %v", tc.b, tc.a, got)
		}
	}
}

func TestMatch(t *testing.T) {
	m := Manage{
		Principals: []string{"arn:aws:iam::*:role/app-*", "arn:aws:iam::12345678901?:user/*"},
		Workloads:  []string{"shop/*", "*/web"},
	}
	for _, tc := range []struct {
		principal string
		want      bool
	}{
		{"arn:aws:iam::123456789012:role/app-web", true},
		{"arn:aws:iam::123456789012:role/team/app-web", false},
		{"arn:aws:iam::123456789012:role/app-", true},
		{"arn:aws:iam::123456789012:user/dev/alice", true},
		{"arn:aws:iam::1234567890123:user/alice", false},
		{"arn:aws:iam::123456789012:role/App-web", false},
		{"", false},
	} {
		if got := slices.ContainsFunc(m.Principals, func(g string) bool { return glob(g, tc.principal) }); got != tc.want {
			t.Errorf("%q matches %v: %v", tc.principal, m.Principals, got)
		}
	}
	for _, tc := range []struct {
		ns, name string
		want     bool
	}{
		{"shop", "api", true}, {"prod", "web", true}, {"prod", "web-2", false}, {"shopping", "api", false},
	} {
		if got := m.MatchWorkload(tc.ns, tc.name); got != tc.want {
			t.Errorf("MatchWorkload(%q, %q) = %v", tc.ns, tc.name, got)
		}
	}
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true}, {"?", "", false}, {"?", "é", true}, {"a*b*c", "axxbyyc", true}, {"a*b*c", "axxbyy", false},
		{"**", "x", true}, {"*a", "baaa", true}, {"a?c", "abbc", false},
	} {
		if got := glob(tc.pattern, tc.s); got != tc.want {
			t.Errorf("glob(%q, %q) = %v", tc.pattern, tc.s, got)
		}
	}
}
