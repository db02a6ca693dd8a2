package main

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/cmd/pare/internal/forge/fakegithub"
	"github.com/leastpriv/pare/cmd/pare/internal/forge/fakegitlab"
)

// gitRun runs git in dir with a private configuration and fails the test
// on error.
func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// prFixture is an infrastructure repository: a bare origin and the user's
// clone holding pare.hcl, an existing over-broad policy for role
// app-deployer (one statement marked to keep), and CloudTrail logs.
func prFixture(t *testing.T, forgeURL string) (clone, bare string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("SKIP: git is not installed, and pare pr needs it")
	}
	root := t.TempDir()
	bare = filepath.Join(root, "infra.git")
	clone = filepath.Join(root, "infra")
	gitRun(t, root, "init", "-q", "--bare", "-b", "main", bare)
	gitRun(t, root, "clone", "-q", bare, clone)
	old := `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Wide", "Effect": "Allow", "Action": ["s3:*", "lambda:*", "iam:PassRole", "dynamodb:*"], "Resource": "*"},
    {"Sid": "BreakGlassPareKeep", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:111122223333:alerts"}
  ]
}
`
	must(t, os.MkdirAll(filepath.Join(clone, "iam"), 0o755))
	must(t, os.WriteFile(filepath.Join(clone, "iam", "111122223333-role-app-deployer.json"), []byte(old), 0o644))
	gitRun(t, clone, "add", ".")
	gitRun(t, clone, "commit", "-q", "-m", "infra")
	gitRun(t, clone, "push", "-q", "origin", "main")

	script, err := os.ReadFile(filepath.Join("..", "..", "testdata", "script", "generate.txtar"))
	must(t, err)
	_, rest, _ := strings.Cut(string(script), "-- trail.json --\n")
	trail, _, _ := strings.Cut(rest, "\n-- ")
	logs := filepath.Join(root, "logs")
	must(t, os.MkdirAll(logs, 0o755))
	must(t, os.WriteFile(filepath.Join(logs, "trail.json"), []byte(trail+"\n"), 0o644))
	hcl := `sources    = ["../logs"]
window     = "90d"

forge "github" {
  repository = "acme/infra"
  base       = "main"
  url        = "` + forgeURL + `/api/v3/"
  labels     = ["least-privilege"]
}

manage "aws" {
  principals = ["arn:aws:iam::*:role/app-*"]
  path       = "iam/${name}.json"
  format     = "json"
}
`
	must(t, os.WriteFile(filepath.Join(clone, "pare.hcl"), []byte(hcl), 0o644))
	// The user's own uncommitted work, which pare must leave alone.
	must(t, os.WriteFile(filepath.Join(clone, "notes.txt"), []byte("draft\n"), 0o644))
	return clone, bare
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestPR runs pare pr against a real bare repository and a fake GitHub:
// the branch holds the right-sized policy with the kept statement, the pull
// request describes it, a second run updates the same pull request, and a
// third with nothing new changes nothing.
func TestPR(t *testing.T) {
	fake := fakegithub.New("acme", "infra", "ghp_secret_token")
	fake.Prefix = "/api/v3" // GitHub Enterprise's API root, as pare.hcl's url names it
	srv := httptest.NewServer(fake)
	defer srv.Close()
	clone, bare := prFixture(t, srv.URL)
	t.Setenv("GITHUB_TOKEN", "ghp_secret_token")
	t.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")

	code, stdout, stderr := pare(t, "pr", "--config", filepath.Join(clone, "pare.hcl"))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	const branch = "pare/aws/111122223333-role-app-deployer"
	policy := gitRun(t, bare, "show", branch+":iam/111122223333-role-app-deployer.json")
	for _, want := range []string{`"s3:GetObject"`, `"lambda:CreateFunction"`, `"iam:PassRole"`, `BreakGlassPareKeep`} {
		if !strings.Contains(policy, want) {
			t.Errorf("the pushed policy lacks %s:\n%s", want, policy)
		}
	}
	for _, gone := range []string{`"s3:*"`, `"dynamodb:*"`} {
		if strings.Contains(policy, gone) {
			t.Errorf("the pushed policy still grants %s:\n%s", gone, policy)
		}
	}
	if log := gitRun(t, bare, "log", "--format=%s", "main.."+branch); strings.Count(log, "\n") != 1 {
		t.Errorf("want one commit on the branch, got:\n%s", log)
	}
	pulls := fake.Pulls()
	if len(pulls) != 1 || pulls[0].Head != branch || pulls[0].Base != "main" || !strings.Contains(pulls[0].Body, "app-deployer") ||
		len(pulls[0].Labels) != 1 || pulls[0].Labels[0] != "least-privilege" {
		t.Fatalf("pull requests: %+v", pulls)
	}
	for _, p := range fake.Problems() {
		t.Errorf("fake GitHub: %s", p)
	}
	if strings.Contains(stdout+stderr, "ghp_secret_token") || strings.Contains(gitRun(t, clone, "config", "--list", "--local"), "ghp_secret_token") {
		t.Error("the token was printed or stored")
	}
	if st := gitRun(t, clone, "status", "--porcelain"); !strings.Contains(st, "notes.txt") || strings.Contains(st, "iam/") {
		t.Errorf("the user's working tree was changed:\n%s", st)
	}

	// Again: the same pull request is updated, never duplicated.
	time.Sleep(1100 * time.Millisecond) // a new commit time
	if code, _, stderr := pare(t, "pr", "--config", filepath.Join(clone, "pare.hcl")); code != 0 {
		t.Fatalf("second run: exit %d:\n%s", code, stderr)
	}
	if pulls := fake.Pulls(); len(pulls) != 1 {
		t.Errorf("second run: %d pull requests, want the one updated", len(pulls))
	}

	// Dry run: diff and description on stdout, nothing pushed anywhere.
	before := gitRun(t, bare, "rev-parse", branch)
	code, stdout, stderr = pare(t, "pr", "--dry-run", "--config", filepath.Join(clone, "pare.hcl"))
	if code != 0 || !strings.Contains(stdout, "-    {\"Sid\": \"Wide\"") && !strings.Contains(stdout, "s3:*") || !strings.Contains(stdout, "roll back") {
		t.Errorf("dry run: exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if after := gitRun(t, bare, "rev-parse", branch); after != before {
		t.Error("the dry run moved the remote branch")
	}
}

// TestPRRefusesShortWindow: less evidence than min_window removes nothing.
func TestPRRefusesShortWindow(t *testing.T) {
	clone, bare := prFixture(t, "http://127.0.0.1:1")
	hcl, err := os.ReadFile(filepath.Join(clone, "pare.hcl"))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(clone, "pare.hcl"), []byte(strings.Replace(string(hcl), "window     = \"90d\"\n", "window     = \"90d\"\nmin_window = \"30d\"\n", 1)), 0o644))
	code, _, stderr := pare(t, "pr", "--config", filepath.Join(clone, "pare.hcl"))
	if code != 1 || !strings.Contains(stderr, "less than min_window 30d") || !strings.Contains(stderr, "pare: hint:") {
		t.Errorf("exit %d, want a refusal naming min_window:\n%s", code, stderr)
	}
	if refs := gitRun(t, bare, "for-each-ref", "refs/heads/pare"); refs != "" {
		t.Errorf("a branch was pushed: %s", refs)
	}
}

// TestPRConfigErrors: a bad pare.hcl is an error naming file, line and column.
func TestPRConfigErrors(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "pare.hcl"), []byte("window = \"90d\"\nmanage \"gcp\" {\n}\n"), 0o644))
	code, _, stderr := pare(t, "pr", "--config", filepath.Join(dir, "pare.hcl"))
	if code == 0 || !strings.Contains(stderr, "pare.hcl:2") {
		t.Errorf("exit %d, want an error at pare.hcl:2:\n%s", code, stderr)
	}
}

// TestPRWindowFlags: --window and --min-window refuse what window and
// min_window in pare.hcl refuse (a sign, a count of weeks that would
// overflow, nothing at all).
func TestPRWindowFlags(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "pare.hcl")
	const manage = "manage \"aws\" {\n  principals = [\"*\"]\n  path = \"iam/${name}.json\"\n  format = \"json\"\n}\n"
	for _, bad := range []string{"+90d", "200000w", "", "-1h"} {
		must(t, os.WriteFile(config, []byte("window = \""+bad+"\"\n"+manage), 0o644))
		if code, _, stderr := pare(t, "pr", "--config", config); code == 0 || !strings.Contains(stderr, "pare.hcl:1") {
			t.Errorf("window = %q in pare.hcl: exit %d, want an error at pare.hcl:1:\n%s", bad, code, stderr)
		}
		must(t, os.WriteFile(config, []byte("window = \"90d\"\n"+manage), 0o644))
		for _, flag := range []string{"--window", "--min-window"} {
			code, _, stderr := pare(t, "pr", "--config", config, flag+"="+bad)
			if code != exitUsage || !strings.Contains(stderr, "pare: error: "+flag+": ") || !strings.Contains(stderr, "pare: hint: durations are like") {
				t.Errorf("%s=%q: exit %d, want a usage error naming the flag:\n%s", flag, bad, code, stderr)
			}
		}
	}
	// The flags and the file name durations alike.
	must(t, os.WriteFile(config, []byte("window = \"2w\"\n"+manage), 0o644))
	code, _, stderr := pare(t, "pr", "--config", config, "--min-window", "36h", "--window", "1d")
	if want := "pare: error: the minimum window (36h) is longer than the window (1d)"; code != exitUsage || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, want %q:\n%s", code, want, stderr)
	}
}

func TestRefSafe(t *testing.T) {
	for in, want := range map[string]string{
		"111122223333-role-app": "111122223333-role-app",
		"app~1a2b":              "app-1a2b",
		"a..b":                  "a-b",
		".hidden.":              "hidden",
		"x.lock":                "x",
		"we ird:na*me?[x]^\\":   "we-ird-na-me--x]--",
		"@{u}":                  "-u}",
		"":                      "-",
	} {
		if got := refSafe(in); got != want {
			t.Errorf("refSafe(%q) = %q, want %q", in, got, want)
		}
		if got := refSafe(in); exec.Command("git", "check-ref-format", "refs/heads/pare/aws/"+got).Run() != nil {
			t.Errorf("refSafe(%q) = %q: git refuses it", in, got)
		}
	}
}

// TestPRAzureDryRun: an Azure manage block, planned and printed without a
// forge block or any remote change.
func TestPRAzureDryRun(t *testing.T) {
	root := t.TempDir()
	bare := filepath.Join(root, "infra.git")
	clone := filepath.Join(root, "infra")
	gitRun(t, root, "init", "-q", "--bare", "-b", "main", bare)
	gitRun(t, root, "clone", "-q", bare, clone)
	must(t, os.WriteFile(filepath.Join(clone, "README"), []byte("infra\n"), 0o644))
	gitRun(t, clone, "add", ".")
	gitRun(t, clone, "commit", "-q", "-m", "infra")
	gitRun(t, clone, "push", "-q", "origin", "main")
	script, err := os.ReadFile(filepath.Join("..", "..", "testdata", "script", "azure.txtar"))
	must(t, err)
	_, rest, _ := strings.Cut(string(script), "-- export.json --\n")
	export, _, _ := strings.Cut(rest, "\n-- ")
	must(t, os.WriteFile(filepath.Join(root, "export.json"), []byte(export+"\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(clone, "pare.hcl"), []byte(`sources = ["../export.json"]
manage "azure" {
  principals = ["*"]
  path       = "roles/${name}.json"
  format     = "json"
}
`), 0o644))
	code, stdout, stderr := pare(t, "pr", "--dry-run", "--config", filepath.Join(clone, "pare.hcl"))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, want := range []string{"### branch pare/azure/c0ffee00-0000-4000-8000-000000000001", "+++ b/roles/c0ffee00-0000-4000-8000-000000000001.json",
		"Microsoft.Compute/virtualMachines/start/action", "roll back"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, stdout)
		}
	}
	if refs := gitRun(t, bare, "for-each-ref", "refs/heads/pare"); refs != "" {
		t.Errorf("a dry run pushed %s", refs)
	}

	// The same as Terraform, over an existing role file that grants more:
	// the extra operation is removed, what was used stays.
	tf := `resource "azurerm_role_definition" "old" {
  role_definition_id = "00000000-0000-0000-0000-00000000aaaa"
  name               = "old"
  scope              = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590"
  permissions {
    actions     = ["Microsoft.Compute/virtualMachines/start/action", "Microsoft.Compute/virtualMachines/read", "Microsoft.Compute/virtualMachines/delete"]
    not_actions = []
  }
  assignable_scopes = ["/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590"]
}
`
	must(t, os.MkdirAll(filepath.Join(clone, "roles"), 0o755))
	must(t, os.WriteFile(filepath.Join(clone, "roles", "c0ffee00-0000-4000-8000-000000000001.tf"), []byte(tf), 0o644))
	gitRun(t, clone, "add", "roles")
	gitRun(t, clone, "commit", "-q", "-m", "role")
	gitRun(t, clone, "push", "-q", "origin", "main")
	cfg, err := os.ReadFile(filepath.Join(clone, "pare.hcl"))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(clone, "pare.hcl"), []byte(strings.NewReplacer(`${name}.json`, `${name}.tf`, `"json"`, `"terraform"`).Replace(string(cfg))), 0o644))
	code, stdout, stderr = pare(t, "pr", "--dry-run", "--config", filepath.Join(clone, "pare.hcl"))
	if code != 0 {
		t.Fatalf("terraform: exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "virtualMachines/delete") || !strings.Contains(stdout, "Removed (") {
		t.Errorf("terraform: the unused delete is not reported removed:\n%s", stdout)
	}
}

// TestPRK8s: a service account's RBAC file in the repository, over-broad,
// with one Role annotated to keep; pare pr narrows the rest to what the
// audit log shows and keeps the annotated Role as written.
func TestPRK8s(t *testing.T) {
	root := t.TempDir()
	bare := filepath.Join(root, "infra.git")
	clone := filepath.Join(root, "infra")
	gitRun(t, root, "init", "-q", "--bare", "-b", "main", bare)
	gitRun(t, root, "clone", "-q", bare, clone)
	old := `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: pare:system:serviceaccount:shop:app
  namespace: shop
rules:
- apiGroups: [""]
  resources: ["*"]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: break-glass
  namespace: shop
  annotations:
    pare.dev/keep: "true"
rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["delete"]
`
	must(t, os.MkdirAll(filepath.Join(clone, "rbac"), 0o755))
	must(t, os.WriteFile(filepath.Join(clone, "rbac", "system-serviceaccount-shop-app.yaml"), []byte(old), 0o644))
	web, err := os.ReadFile(filepath.Join("..", "..", "testdata", "k8s", "manifests", "app", "web.yaml"))
	must(t, err)
	must(t, os.MkdirAll(filepath.Join(clone, "apps"), 0o755))
	must(t, os.WriteFile(filepath.Join(clone, "apps", "web.yaml"), web, 0o644))
	gitRun(t, clone, "add", ".")
	gitRun(t, clone, "commit", "-q", "-m", "infra")
	gitRun(t, clone, "push", "-q", "origin", "main")
	script, err := os.ReadFile(filepath.Join("..", "..", "testdata", "script", "k8s.txtar"))
	must(t, err)
	_, rest, _ := strings.Cut(string(script), "-- audit.log --\n")
	audit, _, _ := strings.Cut(rest, "\n-- ")
	must(t, os.WriteFile(filepath.Join(root, "audit.log"), []byte(audit+"\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(clone, "pare.hcl"), []byte(`sources = ["../audit.log"]
manage "k8s" {
  principals     = ["system:serviceaccount:shop:*"]
  path           = "rbac/${name}.yaml"
  format         = "yaml"
  workloads      = ["shop/*"]
  workloads_path = "patches/${name}.patch.yaml"
}
`), 0o644))
	code, stdout, stderr := pare(t, "pr", "--dry-run", "--config", filepath.Join(clone, "pare.hcl"))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, want := range []string{"### branch pare/k8s/system-serviceaccount-shop-app", "-  resources: [\"*\"]", "+  - pods/exec", "Role shop/break-glass",
		// The web Deployment of apps/web.yaml: its service account made no
		// API call, so its token is unmounted, and it gets the restricted
		// profile.
		"### branch pare/k8s/deployment-shop-web", "+++ b/patches/deployment-shop-web.patch.yaml", "+      automountServiceAccountToken: false", "+            - ALL"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "-  name: break-glass") {
		t.Errorf("the kept Role was removed:\n%s", stdout)
	}

	// As Terraform: the first run writes the file, and once merged a second
	// run reads it back and finds nothing to change.
	cfg, err := os.ReadFile(filepath.Join(clone, "pare.hcl"))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(clone, "pare.hcl"), []byte(strings.NewReplacer(`rbac/${name}.yaml`, `rbac/${name}.tf`, `"yaml"`, `"terraform"`).Replace(string(cfg))), 0o644))
	t.Setenv("GITHUB_TOKEN", "unused")
	code, stdout, stderr = pare(t, "pr", "--dry-run", "--config", filepath.Join(clone, "pare.hcl"))
	if code != 0 || !strings.Contains(stdout, "+resource \"kubernetes_role_v1\"") {
		t.Fatalf("terraform: exit %d:\n%s\n%s", code, stdout, stderr)
	}
	_, rest, _ = strings.Cut(stdout, "+++ b/rbac/system-serviceaccount-shop-app.tf\n")
	var tf strings.Builder
	for _, l := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(l, "+") {
			if strings.HasPrefix(l, "@@") {
				continue
			}
			break
		}
		tf.WriteString(strings.TrimPrefix(l, "+") + "\n")
	}
	must(t, os.WriteFile(filepath.Join(clone, "rbac", "system-serviceaccount-shop-app.tf"), []byte(tf.String()), 0o644))
	gitRun(t, clone, "add", "rbac")
	gitRun(t, clone, "commit", "-q", "-m", "merged")
	gitRun(t, clone, "push", "-q", "origin", "main")
	code, stdout, stderr = pare(t, "pr", "--dry-run", "--config", filepath.Join(clone, "pare.hcl"))
	if code != 0 || strings.Contains(stdout, "### branch pare/k8s/system-serviceaccount-shop-app\n") {
		t.Errorf("terraform, second run: exit %d, want nothing to change for the service account:\n%s\n%s", code, stdout, stderr)
	}
}

// TestPRGitLabTerraform: the same flow against a fake GitLab, with the
// policy kept as Terraform: a statement under a pare:keep comment survives
// the rewrite, the merge request is opened once and updated after.
func TestPRGitLabTerraform(t *testing.T) {
	fake := fakegitlab.New("acme/infra", "glpat-secret")
	srv := httptest.NewServer(fake)
	defer srv.Close()
	clone, bare := prFixture(t, srv.URL)
	t.Setenv("GITLAB_TOKEN", "glpat-secret")
	t.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")
	oldTF := `resource "aws_iam_policy" "app" {
  name = "app"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:*", "lambda:*", "iam:PassRole"], Resource = "*" },
      # pare:keep: the on-call pager
      { Sid = "Pager", Effect = "Allow", Action = "sns:Publish", Resource = "arn:aws:sns:us-east-1:111122223333:pager" },
    ]
  })
}
`
	must(t, os.Remove(filepath.Join(clone, "iam", "111122223333-role-app-deployer.json")))
	must(t, os.WriteFile(filepath.Join(clone, "iam", "111122223333-role-app-deployer.tf"), []byte(oldTF), 0o644))
	hcl, err := os.ReadFile(filepath.Join(clone, "pare.hcl"))
	must(t, err)
	cfg := strings.NewReplacer(`forge "github"`, `forge "gitlab"`, `url        = "`+srv.URL+`/api/v3/"`, `url        = "`+srv.URL+`/"`,
		`path       = "iam/${name}.json"`, `path       = "iam/${name}.tf"`, `format     = "json"`, `format     = "terraform"`).Replace(string(hcl))
	must(t, os.WriteFile(filepath.Join(clone, "pare.hcl"), []byte(cfg), 0o644))
	gitRun(t, clone, "add", "iam", "pare.hcl")
	gitRun(t, clone, "commit", "-q", "-m", "terraform")
	gitRun(t, clone, "push", "-q", "origin", "main")

	for run := 1; run <= 2; run++ {
		code, stdout, stderr := pare(t, "pr", "--config", filepath.Join(clone, "pare.hcl"))
		if code != 0 {
			t.Fatalf("run %d: exit %d:\n%s", run, code, stderr)
		}
		if strings.Contains(stdout+stderr, "glpat-secret") {
			t.Fatal("the token was printed")
		}
	}
	tf := gitRun(t, bare, "show", "pare/aws/111122223333-role-app-deployer:iam/111122223333-role-app-deployer.tf")
	for _, want := range []string{`resource "aws_iam_policy"`, `"s3:GetObject"`, `"sns:Publish"`, "PareKeep"} {
		if !strings.Contains(tf, want) {
			t.Errorf("the pushed Terraform lacks %s:\n%s", want, tf)
		}
	}
	if strings.Contains(tf, `"s3:*"`) {
		t.Errorf("the pushed Terraform still grants s3:*:\n%s", tf)
	}
	mrs := fake.MergeRequests()
	if len(mrs) != 1 || mrs[0].State != "opened" {
		t.Errorf("merge requests: %+v", mrs)
	}
	for _, p := range fake.Problems() {
		t.Errorf("fake GitLab: %s", p)
	}
}

// TestPRNoToken: without GITHUB_TOKEN nothing is pushed and the error says
// which variable to set.
func TestPRNoToken(t *testing.T) {
	clone, bare := prFixture(t, "http://127.0.0.1:1")
	t.Setenv("GITHUB_TOKEN", "")
	t.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")
	code, _, stderr := pare(t, "pr", "--config", filepath.Join(clone, "pare.hcl"))
	if code != 1 || !strings.Contains(stderr, "GITHUB_TOKEN") {
		t.Errorf("exit %d, want an error naming GITHUB_TOKEN:\n%s", code, stderr)
	}
	if refs := gitRun(t, bare, "for-each-ref", "refs/heads/pare"); refs != "" {
		t.Errorf("a branch was pushed without a token: %s", refs)
	}
}

// TestPRFromClone: with --repo, pare pr works on a temporary clone of the
// remote; pare.hcl can live outside any repository.
func TestPRFromClone(t *testing.T) {
	fake := fakegithub.New("acme", "infra", "ghp_secret_token")
	fake.Prefix = "/api/v3"
	srv := httptest.NewServer(fake)
	defer srv.Close()
	clone, bare := prFixture(t, srv.URL)
	t.Setenv("GITHUB_TOKEN", "ghp_secret_token")
	t.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")
	outside := t.TempDir()
	hcl, err := os.ReadFile(filepath.Join(clone, "pare.hcl"))
	must(t, err)
	logs := filepath.Join(filepath.Dir(clone), "logs")
	must(t, os.WriteFile(filepath.Join(outside, "pare.hcl"), []byte(strings.Replace(string(hcl), `"../logs"`, `"`+logs+`"`, 1)), 0o644))
	code, _, stderr := pare(t, "pr", "--config", filepath.Join(outside, "pare.hcl"), "--repo", bare)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if out := gitRun(t, bare, "for-each-ref", "--format=%(refname)", "refs/heads/pare"); !strings.Contains(out, "refs/heads/pare/aws/111122223333-role-app-deployer") {
		t.Errorf("branches in the remote: %q", out)
	}
	if len(fake.Pulls()) != 1 {
		t.Errorf("%d pull requests, want 1", len(fake.Pulls()))
	}
}

func TestSourcesFor(t *testing.T) {
	all := []string{"/logs", "s3://trail/AWSLogs", "cloudtrail://us-east-1", "azure-logs://ws", "k8s://prod", "iam://"}
	for provider, want := range map[string][]string{
		"aws":   {"/logs", "s3://trail/AWSLogs", "cloudtrail://us-east-1"},
		"azure": {"/logs", "azure-logs://ws"},
		"k8s":   {"/logs"},
	} {
		if got := sourcesFor(provider, all); !slices.Equal(got, want) {
			t.Errorf("sourcesFor(%s) = %v, want %v", provider, got, want)
		}
	}
}
