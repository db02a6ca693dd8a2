package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/leastpriv/pare/cmd/pare/internal/forge"
	"github.com/leastpriv/pare/cmd/pare/internal/gitwork"
	"github.com/leastpriv/pare/cmd/pare/internal/prconfig"
	"github.com/leastpriv/pare/emit"
	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/aws"
	"github.com/leastpriv/pare/synth/azure"
	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/synth/remediate"
	"github.com/leastpriv/pare/usage"
)

func prCommand(env *environment) *cli.Command {
	return &cli.Command{
		Name:  "pr",
		Usage: "open or update pull requests that right-size the policies in an infrastructure repository",
		Description: "Reads pare.hcl (--config), loads its sources, synthesizes the policy of every managed principal,\n" +
			"writes it into the repository the file is in at the configured paths, and for each change commits\n" +
			"on a branch (pare/<provider>/<name>, or one batch branch), pushes to origin and opens or updates a\n" +
			"pull request (GitHub, GITHUB_TOKEN) or merge request (GitLab, GITLAB_TOKEN). Nothing to change:\n" +
			"it says so and exits 0. --dry-run prints the diff and the description and touches no remote.",
		OnUsageError: onUsageError,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config", Value: "pare.hcl", Usage: "the `FILE` describing sources, forge and managed paths"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the diff and the description; commit, push and open nothing"},
			&cli.StringFlag{Name: "db", Usage: "store `FILE` (overrides the file's db)"},
			memoryLimitFlag,
			&cli.StringFlag{Name: "window", Usage: "observation window `DURATION` (overrides the file's window)"},
			&cli.StringFlag{Name: "min-window", Usage: "least evidence `DURATION` before anything is removed (overrides the file's min_window)"},
			&cli.StringFlag{Name: "base", Usage: "the `BRANCH` pull requests target (overrides the forge block's base)"},
			&cli.StringFlag{Name: "branch", Usage: "per-principal or batch (overrides the file's branch)"},
			&cli.BoolFlag{Name: "reopen", Usage: "open a new pull request where the last one for the branch was closed unmerged"},
			&cli.StringFlag{Name: "remote", Value: "origin", Usage: "the git `REMOTE` to push to"},
			&cli.StringFlag{Name: "repo", Usage: "work on a temporary clone of `URL` instead of the repository pare.hcl is in"},
			clusterFlag,
			keepMastersFlag,
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return runPR(ctx, env, cmd)
		},
	}
}

// prFile is one managed file's new content and what it changes.
type prFile struct {
	path    string
	content []byte // nil: remove the file
	plan    remediate.Plan
	branch  string
}

func runPR(ctx context.Context, env *environment, cmd *cli.Command) error {
	cfg, err := prconfig.Load(cmd.String("config"))
	if err != nil {
		return withHint(err, "see the README's 'Remediation pull requests' for pare.hcl")
	}
	if err := overrideConfig(&cfg, cmd); err != nil {
		return err
	}
	dryRun := cmd.Bool("dry-run")
	if cfg.Forge.Kind == "" && !dryRun {
		return usageErrorf(`add a forge "github" { repository = "owner/name" } block, or run with --dry-run`, "%s: no forge block: pare does not know where to open pull requests", cfg.File)
	}
	remote := cmd.String("remote")
	auth := forgeAuth(cfg.Forge.Kind)
	var repo *gitwork.Repo
	if url := cmd.String("repo"); url != "" {
		dir, err := os.MkdirTemp("", "pare-pr-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if repo, err = gitwork.Clone(ctx, url, dir, auth); err != nil {
			return withHint(err, "--repo takes a URL or path git can clone; the token comes from GITHUB_TOKEN or GITLAB_TOKEN")
		}
		remote = "origin"
	} else if repo, err = gitwork.Open(cfg.Dir); err != nil {
		return withHint(err, "pare.hcl must be inside a clone of the infrastructure repository, or name one with --repo URL")
	}
	base := cfg.Forge.Base
	if base == "" {
		base = prconfig.DefaultBase
	}
	baseSHA, err := repo.Fetch(ctx, remote, base, auth)
	if err != nil {
		return withHint(err, fmt.Sprintf("pare works on the %s branch of %s: check that it exists and that you can fetch it", base, remote))
	}

	store, err := openStore(ctx, cfg.DB, cmd.String("memory-limit"))
	if err != nil {
		return err
	}
	defer store.Close()

	var files []prFile
	var window synth.Window
	for _, provider := range managedProviders(cfg) {
		got, w, err := prProvider(ctx, env, cmd, cfg, store, repo, baseSHA, provider)
		if err != nil {
			return err
		}
		files = append(files, got...)
		window = widen(window, w)
	}
	if len(files) == 0 {
		fmt.Fprintln(env.stderr, "pare: pr: no managed principal has activity in the window; nothing to change")
		return nil
	}

	branches := groupByBranch(files)
	sig, err := commitSignature(cfg)
	if err != nil {
		return err
	}
	// The forge client first: a missing token fails before anything is
	// pushed.
	var fg forge.Forge
	if !dryRun {
		if fg, err = newForge(cfg); err != nil {
			return err
		}
	}
	changed := 0
	for _, name := range sortedBranches(branches) {
		group := branches[name]
		write := make(map[string][]byte)
		var deletes []string
		for _, f := range group {
			if f.content == nil {
				deletes = append(deletes, f.path)
			} else {
				write[f.path] = f.content
			}
		}
		change, err := repo.Change(ctx, baseSHA, write, deletes)
		if err != nil {
			return err
		}
		if change.Empty() {
			fmt.Fprintf(env.stderr, "pare: pr: %s: nothing to change\n", name)
			continue
		}
		changed++
		title, body, err := prText(group, window, cfg)
		if err != nil {
			return err
		}
		if dryRun {
			diff, err := change.Diff(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "### branch %s\n\n%s\n\n%s\n\n%s\n", name, title, diff, body)
			continue
		}
		sha, err := change.Commit(ctx, name, title+"\n\n"+commitBody(group), sig)
		if err != nil {
			return err
		}
		if err := repo.Push(ctx, remote, name, auth); err != nil {
			return err
		}
		req, outcome, err := forge.Publish(ctx, fg, forge.NewRequest{Head: name, Base: base, Title: title, Body: body, Labels: cfg.Forge.Labels}, cfg.ReopenClosed)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stderr, "pare: pr: %s: commit %.12s pushed; %s %s: %s\n", name, sha, req, outcome, req.URL)
	}
	if changed == 0 {
		fmt.Fprintln(env.stderr, "pare: pr: the repository already holds what pare would write; nothing to change")
	}
	return nil
}

// overrideConfig applies the command line over the file.
func overrideConfig(cfg *prconfig.Config, cmd *cli.Command) error {
	if cmd.IsSet("db") {
		cfg.DB = cmd.String("db")
	}
	for _, f := range []struct {
		flag string
		to   *time.Duration
	}{{"window", &cfg.Window}, {"min-window", &cfg.MinWindow}} {
		if !cmd.IsSet(f.flag) {
			continue
		}
		d, err := prconfig.ParseDuration(cmd.String(f.flag))
		if err != nil {
			return usageErrorf("durations are like 90d, 12h or 2w", "--%s: %v", f.flag, err)
		}
		*f.to = d
	}
	if cmd.IsSet("base") {
		cfg.Forge.Base = cmd.String("base")
	}
	if cmd.IsSet("branch") {
		switch b := cmd.String("branch"); b {
		case prconfig.BranchPerPrincipal:
			cfg.Branch, cfg.BranchName = b, ""
		case prconfig.BranchBatch:
			cfg.Branch = b
			if cfg.BranchName == "" {
				cfg.BranchName = prconfig.DefaultBranchName
			}
		default:
			return usageErrorf("--branch is per-principal or batch", "unknown --branch %q", b)
		}
	}
	if cmd.Bool("reopen") {
		cfg.ReopenClosed = true
	}
	if cfg.Window > 0 && cfg.MinWindow > cfg.Window {
		return usageErrorf("", "the minimum window (%s) is longer than the window (%s)", prconfig.FormatDuration(cfg.MinWindow), prconfig.FormatDuration(cfg.Window))
	}
	return nil
}

// managedProviders lists the providers of the manage blocks, in the order
// pare knows them.
func managedProviders(cfg prconfig.Config) []string {
	var out []string
	for _, p := range providers {
		for _, m := range cfg.Manage {
			if m.Provider == p && (len(m.Principals) > 0 || len(m.Workloads) > 0) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// prProvider loads the sources for one provider and renders the files of
// its managed principals.
func prProvider(ctx context.Context, env *environment, cmd *cli.Command, cfg prconfig.Config, store *usage.Store, repo *gitwork.Repo, baseSHA, provider string) ([]prFile, synth.Window, error) {
	var window synth.Window
	src, err := newSource(provider, cmd)
	if err != nil {
		return nil, window, err
	}
	if sources := sourcesFor(provider, cfg.Sources); len(sources) > 0 {
		if _, err := loadInputs(ctx, env, store, src, sources, windowFlags{since: cfg.Window}, false); err != nil {
			return nil, window, err
		}
	}
	oldest, newest, ok, err := store.Bounds(ctx, provider)
	if err != nil {
		return nil, window, err
	}
	if !ok {
		fmt.Fprintf(env.stderr, "pare: pr: no %s activity loaded\n", provider)
		return nil, window, nil
	}
	window = windowFlags{since: cfg.Window}.resolve(oldest, newest)
	if window.From.Before(oldest) {
		// The evidence starts at the oldest event, whatever the window asks.
		window.From = oldest
	}
	if cfg.MinWindow > 0 && window.To.Sub(window.From) < cfg.MinWindow {
		return nil, window, withHint(fmt.Errorf("%s: the %s activity loaded covers %s (%s to %s), less than min_window %s: pare removes nothing on so little evidence",
			cfg.File, provider, remediate.Days(window.To.Sub(window.From)), stamp(window.From), stamp(window.To), remediate.Days(cfg.MinWindow)),
			"load older logs, or wait until they cover min_window")
	}
	var out []prFile
	for _, m := range cfg.Manage {
		if provider == prconfig.ProviderK8s && m.Provider == provider && len(m.Workloads) > 0 {
			got, err := prWorkloads(ctx, cfg, m, store, repo, baseSHA, window)
			if err != nil {
				return nil, window, err
			}
			out = append(out, got...)
		}
		if m.Provider != provider || len(m.Principals) == 0 {
			continue
		}
		q := usage.Query{Provider: provider, Principals: m.Principals, Window: window, IncludeDenied: cfg.IncludeDenied}
		used, err := store.Accesses(ctx, q)
		if err != nil {
			return nil, window, storeError(err)
		}
		got, err := prRender(ctx, cfg, m, src, store, repo, baseSHA, used, window)
		if err != nil {
			return nil, window, err
		}
		out = append(out, got...)
	}
	return out, window, nil
}

// groupByBranch puts each file on its branch.
func groupByBranch(files []prFile) map[string][]prFile {
	out := make(map[string][]prFile)
	for _, f := range files {
		out[f.branch] = append(out[f.branch], f)
	}
	return out
}

func sortedBranches(m map[string][]prFile) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// branchFor names the branch of one principal's file.
func branchFor(cfg prconfig.Config, provider, stem string) string {
	if cfg.Branch == prconfig.BranchBatch {
		return cfg.BranchName
	}
	return "pare/" + provider + "/" + refSafe(stem)
}

// refSafe makes a file-name stem a valid git ref component: the characters
// git refuses in refs (~ ^ : ? * [ \\ space, control characters) become '-',
// and so do the sequences ".." and "@{" and a leading or trailing '.'.
func refSafe(stem string) string {
	b := []rune(stem)
	for i, r := range b {
		if r < 0x20 || r == 0x7f || strings.ContainsRune("~^:?*[\\ ", r) {
			b[i] = '-'
		}
	}
	s := string(b)
	s = strings.ReplaceAll(s, "..", "-")
	s = strings.ReplaceAll(s, "@{", "-")
	s = strings.TrimSuffix(s, ".lock")
	s = strings.Trim(s, ".")
	if s == "" || s == "@" {
		s = "-"
	}
	return s
}

// prText is the pull request's title and description.
func prText(files []prFile, window synth.Window, cfg prconfig.Config) (string, string, error) {
	d := emit.PRDescriptionData{Window: window, Version: version}
	if cfg.MinWindow > 0 {
		d.MinWindow = remediate.Days(cfg.MinWindow)
	}
	for _, f := range files {
		d.Principals = append(d.Principals, emit.PRPrincipal{Plan: f.plan, Files: []string{f.path}})
	}
	var b bytes.Buffer
	if err := emit.PRDescription(&b, d); err != nil {
		return "", "", fmt.Errorf("rendering the description: %w", err)
	}
	return emit.PRTitle(d), b.String(), nil
}

// commitBody lists the files and principals a commit changes.
func commitBody(files []prFile) string {
	var b strings.Builder
	for _, f := range files {
		fmt.Fprintf(&b, "%s: %s (%d removed, %d kept, %d added)\n", f.path, f.plan.Principal, len(f.plan.Removed), len(f.plan.Kept), len(f.plan.Added))
	}
	b.WriteString("\nGenerated by pare from observed usage; revert this commit to roll back.\n")
	return b.String()
}

func commitSignature(cfg prconfig.Config) (gitwork.Signature, error) {
	name, email, err := cfg.Author()
	if err != nil {
		return gitwork.Signature{}, usageErrorf(`commit_author is "Name <email>"`, "%s: %v", cfg.File, err)
	}
	return gitwork.Signature{Name: name, Email: email, When: time.Now().UTC().Truncate(time.Second)}, nil
}

// forgeAuth is the token git and the forge API use, from the environment.
func forgeAuth(kind string) gitwork.Auth {
	switch kind {
	case prconfig.ForgeGitLab:
		return gitwork.Auth{Token: os.Getenv("GITLAB_TOKEN"), Username: "oauth2"}
	case prconfig.ForgeGitHub:
		return gitwork.Auth{Token: os.Getenv("GITHUB_TOKEN")}
	}
	return gitwork.Auth{}
}

func newForge(cfg prconfig.Config) (forge.Forge, error) {
	switch cfg.Forge.Kind {
	case prconfig.ForgeGitHub:
		return forge.NewGitHub(cfg.Forge.Repository, os.Getenv("GITHUB_TOKEN"), cfg.Forge.URL, nil)
	case prconfig.ForgeGitLab:
		return forge.NewGitLab(cfg.Forge.Repository, os.Getenv("GITLAB_TOKEN"), cfg.Forge.URL, nil)
	}
	return nil, errors.New("no forge configured")
}

// prRender synthesizes, plans and renders the files of one manage block;
// src is its provider's.
func prRender(ctx context.Context, cfg prconfig.Config, m prconfig.Manage, src *source, store *usage.Store, repo *gitwork.Repo, baseSHA string, used []synth.Access, window synth.Window) ([]prFile, error) {
	switch m.Provider {
	case prconfig.ProviderAWS:
		return prRenderAWS(ctx, cfg, m, src.awsCatalog, repo, baseSHA, used, window)
	case prconfig.ProviderAzure:
		return prRenderAzure(ctx, cfg, m, src.azureCatalog, repo, baseSHA, used, window)
	case prconfig.ProviderK8s:
		return prRenderK8s(ctx, cfg, m, store, repo, baseSHA, used, window)
	}
	return nil, fmt.Errorf("%s: manage %q: unknown provider", m.Pos, m.Provider)
}

// prRenderAWS writes each managed role's or user's right-sized IAM policy,
// keeping pare:keep and Deny statements of the file it replaces.
func prRenderAWS(ctx context.Context, cfg prconfig.Config, m prconfig.Manage, cat *catalog.AWS, repo *gitwork.Repo, baseSHA string, used []synth.Access, window synth.Window) ([]prFile, error) {
	allowed := allowedOf(used, cfg.IncludeDenied)
	usedBy := byPrincipal(used)
	policies := aws.Synthesize(allowed, cat, aws.Options{})
	stems := stemsOf(policies, func(p aws.Policy) string { return p.Principal })
	risks := remediate.AWSRisks(cat)
	paths := make([]string, len(policies))
	for i, p := range policies {
		paths[i] = m.PathFor(stems[p.Principal])
	}
	// The files there now, read at once; a new file has no entry.
	current, err := repo.ReadFiles(ctx, baseSHA, paths)
	if err != nil {
		return nil, err
	}
	var out []prFile
	for i, p := range policies {
		stem, path := stems[p.Principal], paths[i]
		old := current[path]
		var existing []remediate.AWSDocument
		if old != nil {
			if existing, err = parseAWSFile(path, m.Format, old); err != nil {
				return nil, withHint(err, "pare replaces files it wrote, or IAM policy JSON; mark statements to keep with a Sid containing PareKeep")
			}
		}
		plan, err := remediate.PlanAWS(remediate.AWSInput{Existing: existing, New: p, Used: usedBy[p.Principal], Risks: risks})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := remediate.Check(plan, usedBy[p.Principal], window, cfg.MinWindow); err != nil {
			return nil, prCheckError(path, err)
		}
		docs, err := remediate.MergeKeptAWS(p, existing)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		content, err := renderAWSFile(m.Format, stem, p.Principal, docs)
		if err != nil {
			return nil, fmt.Errorf("rendering %s: %w", path, err)
		}
		out = append(out, prFile{path: path, content: content, plan: plan, branch: branchFor(cfg, "aws", stem)})
	}
	return out, nil
}

// renderAWSFile writes docs as one file: a policy document (JSON; several
// documents as a JSON array) or aws_iam_policy resources (Terraform).
func renderAWSFile(format, stem, principal string, docs []aws.Document) ([]byte, error) {
	if len(docs) == 0 {
		return nil, nil
	}
	var b bytes.Buffer
	if format == prconfig.FormatTerraform {
		err := emit.Terraform(&b, awsTerraformPolicies(stem, principal, docs))
		return b.Bytes(), err
	}
	if len(docs) > 1 {
		return nil, fmt.Errorf("the policy needs %d documents (IAM's size limit): use format = \"terraform\", which holds several", len(docs))
	}
	err := emit.IAMJSON(&b, docs[0])
	return b.Bytes(), err
}

// parseAWSFile reads the policy documents of a managed file: IAM policy
// JSON, or the aws_iam_policy resources of a Terraform file (each policy
// a jsonencode(...) of a document, as pare writes it, or a JSON string).
func parseAWSFile(path, format string, data []byte) ([]remediate.AWSDocument, error) {
	if format != prconfig.FormatTerraform {
		doc, err := remediate.ParseIAMJSON(path, data)
		if err != nil {
			return nil, err
		}
		return []remediate.AWSDocument{doc}, nil
	}
	return decodeAWSTerraform(path, data)
}

// prRenderAzure writes each managed principal's custom role definition,
// keeping a role whose description holds pare:keep as it is (only adding).
func prRenderAzure(ctx context.Context, cfg prconfig.Config, m prconfig.Manage, cat *catalog.Azure, repo *gitwork.Repo, baseSHA string, used []synth.Access, window synth.Window) ([]prFile, error) {
	allowed := allowedOf(used, cfg.IncludeDenied)
	allowed = inferAzureReads(cat, allowed)
	usedBy := byPrincipal(used)
	roles := azure.Synthesize(allowed, azure.Options{Window: window})
	stems := stemsOf(roles, func(r azure.Role) string { return r.Principal })
	var paths []string
	for _, r := range roles {
		if len(r.Actions) > 0 {
			paths = append(paths, m.PathFor(stems[r.Principal]))
		}
	}
	// The files there now, read at once; a new file has no entry.
	current, err := repo.ReadFiles(ctx, baseSHA, paths)
	if err != nil {
		return nil, err
	}
	var out []prFile
	for _, r := range roles {
		if len(r.Actions) == 0 {
			continue
		}
		stem := stems[r.Principal]
		path := m.PathFor(stem)
		old := current[path]
		var existing *azure.Role
		switch {
		case old != nil && m.Format == prconfig.FormatTerraform:
			if existing, err = decodeAzureTerraform(path, old); err != nil {
				return nil, withHint(err, "pare replaces the azurerm_role_definition files it wrote")
			}
		case old != nil:
			role, err := remediate.ParseAzureRoleJSON(path, old)
			if err != nil {
				return nil, withHint(err, "pare replaces role definition files it wrote (az role definition JSON)")
			}
			existing = &role
		}
		plan, err := remediate.PlanAzure(remediate.AzureInput{Existing: existing, New: r, Used: usedBy[r.Principal]})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := remediate.Check(plan, usedBy[r.Principal], window, cfg.MinWindow); err != nil {
			return nil, prCheckError(path, err)
		}
		final := remediate.MergeKeptAzure(r, existing)
		var b bytes.Buffer
		if m.Format == prconfig.FormatTerraform {
			err = emit.AzureTerraform(&b, []azure.Role{final})
		} else {
			err = emit.AzureRoleJSON(&b, final)
		}
		if err != nil {
			return nil, fmt.Errorf("rendering %s: %w", path, err)
		}
		out = append(out, prFile{path: path, content: b.Bytes(), plan: plan, branch: branchFor(cfg, "azure", stem)})
	}
	return out, nil
}

// prCheckError turns remediate.Check's refusal into what the user reads.
func prCheckError(path string, err error) error {
	var unsafe *remediate.UnsafeError
	if errors.As(err, &unsafe) {
		return withHint(fmt.Errorf("%s: %w; nothing was written", path, err), unsafe.Hint())
	}
	var short *remediate.WindowError
	if errors.As(err, &short) {
		return withHint(fmt.Errorf("%s: %w", path, err), short.Hint())
	}
	return fmt.Errorf("%s: %w", path, err)
}

// sourcesFor keeps the sources a provider's reader can read: its own URLs
// (s3:// and cloudtrail:// for AWS, azure-logs:// for Azure) and local
// paths, which every managed provider is offered.
func sourcesFor(provider string, sources []string) []string {
	owner := map[string]string{"s3://": "aws", "cloudtrail://": "aws", "azure-logs://": "azure", "k8s://": "", "iam://": ""}
	var out []string
	for _, s := range sources {
		keep := true
		for prefix, p := range owner {
			if strings.HasPrefix(s, prefix) {
				keep = p == provider
			}
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}
