package gitwork

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// ErrNotRepository is returned by Open for a directory outside any git
// working tree.
var ErrNotRepository = errors.New("not in a git repository")

// Repo is a git repository with a working tree, found by Open or made by
// Clone. Its methods never touch the working tree, the index or HEAD.
type Repo struct {
	dir string // the top level of the working tree, absolute
	git string // the git binary

	mu     sync.Mutex
	listed *commitTree // the last commit listed, for ListFiles and Change
}

// Open returns the repository whose working tree contains dir.
func Open(dir string) (*Repo, error) {
	git, err := findGit()
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("opening repository: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("opening repository: %s is not a directory", dir)
	}
	out, err := run(context.Background(), git, call{dir: dir, args: []string{"rev-parse", "--show-toplevel"}})
	if err != nil {
		var gerr *Error
		if errors.As(err, &gerr) {
			switch {
			case strings.Contains(gerr.Stderr, "not a git repository"):
				return nil, fmt.Errorf("%s: %w", dir, ErrNotRepository)
			case strings.Contains(gerr.Stderr, "must be run in a work tree"):
				return nil, fmt.Errorf("%s: a bare repository or a .git directory; pare needs a clone with a working tree", dir)
			}
		}
		return nil, fmt.Errorf("opening repository %s: %w", dir, err)
	}
	top := firstLine(out)
	if top == "" {
		return nil, fmt.Errorf("%s: %w", dir, ErrNotRepository)
	}
	return &Repo{dir: filepath.Clean(top), git: git}, nil
}

// Clone clones url into dir (which must not exist or be empty) without
// checking files out, and returns the clone. The URL is stored as the
// "origin" remote as given, so it should carry no credentials: pass those
// in auth.
func Clone(ctx context.Context, url, dir string, auth Auth) (*Repo, error) {
	git, err := findGit()
	if err != nil {
		return nil, err
	}
	if err := auth.validate(); err != nil {
		return nil, fmt.Errorf("cloning %s: %w", RedactURL(url), err)
	}
	if url == "" || strings.HasPrefix(url, "-") {
		return nil, fmt.Errorf("cloning: invalid repository URL %q", RedactURL(url))
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("cloning %s: %w", RedactURL(url), err)
	}
	args := []string{"clone", "--quiet", "--no-checkout", "--no-tags", "--origin", "origin", "--", url, abs}
	if _, err := run(ctx, git, call{args: args, auth: auth, secrets: urlSecrets(url)}); err != nil {
		return nil, fmt.Errorf("cloning %s: %w", RedactURL(url), err)
	}
	return Open(abs)
}

// run runs git in the repository.
func (r *Repo) run(ctx context.Context, c call) ([]byte, error) {
	c.dir = r.dir
	return run(ctx, r.git, c)
}

// Remote returns the URL of the named remote ("origin"), as git would use
// it. The URL is returned as configured; errors carry it redacted.
func (r *Repo) Remote(name string) (string, error) {
	if err := checkName("remote", name); err != nil {
		return "", err
	}
	out, err := r.run(context.Background(), call{args: []string{"remote", "get-url", name}})
	if err != nil {
		var gerr *Error
		if errors.As(err, &gerr) && strings.Contains(gerr.Stderr, "No such remote") {
			return "", fmt.Errorf("%s has no remote %q", r.dir, name)
		}
		return "", fmt.Errorf("reading remote %q: %w", name, err)
	}
	url := firstLine(out)
	if url == "" {
		return "", fmt.Errorf("remote %q has no URL", name)
	}
	return url, nil
}

// Fetch fetches branch from remote into refs/remotes/<remote>/<branch> and
// returns the commit it points at. Fetching updates only that ref. The
// remote must be a configured remote's name, not a URL.
func (r *Repo) Fetch(ctx context.Context, remote, branch string, auth Auth) (string, error) {
	if err := checkName("remote", remote); err != nil {
		return "", err
	}
	if strings.ContainsAny(remote, ":/") {
		return "", fmt.Errorf("fetch needs the name of a remote, not %q", RedactURL(remote))
	}
	if err := r.checkBranch(ctx, branch); err != nil {
		return "", err
	}
	if err := auth.validate(); err != nil {
		return "", fmt.Errorf("fetching %s from %s: %w", branch, RedactURL(remote), err)
	}
	tracking := "refs/remotes/" + remote + "/" + branch
	args := []string{"fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no",
		remote, "+refs/heads/" + branch + ":" + tracking}
	if _, err := r.run(ctx, call{args: args, auth: auth, secrets: r.remoteSecrets(remote)}); err != nil {
		return "", fmt.Errorf("fetching %s from %s: %w", branch, RedactURL(remote), err)
	}
	return r.resolve(ctx, tracking)
}

// remoteSecrets returns the credentials in the URL of remote (a name or a
// URL), to be redacted from git's output.
func (r *Repo) remoteSecrets(remote string) []string {
	if strings.Contains(remote, "://") {
		return urlSecrets(remote)
	}
	url, err := r.Remote(remote)
	if err != nil {
		return nil
	}
	return urlSecrets(url)
}

// resolve returns the commit id rev names.
func (r *Repo) resolve(ctx context.Context, rev string) (string, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return "", fmt.Errorf("invalid revision %q", rev)
	}
	out, err := r.run(ctx, call{args: []string{"rev-parse", "-q", "--verify", "--end-of-options", rev + "^{commit}"}})
	if err != nil {
		if exitCode(err) == 1 {
			return "", fmt.Errorf("revision %q: no such commit in %s", rev, r.dir)
		}
		return "", fmt.Errorf("resolving %q: %w", rev, err)
	}
	return firstLine(out), nil
}

// checkBranch rejects a branch name git would not accept.
func (r *Repo) checkBranch(ctx context.Context, branch string) error {
	if branch == "" || strings.HasPrefix(branch, "-") {
		return fmt.Errorf("invalid branch name %q", branch)
	}
	if _, err := r.run(ctx, call{args: []string{"check-ref-format", "refs/heads/" + branch}}); err != nil {
		if exitCode(err) == 1 {
			return fmt.Errorf("invalid branch name %q", branch)
		}
		return fmt.Errorf("checking branch name %q: %w", branch, err)
	}
	return nil
}

// checkName rejects an empty name or one git would read as an option.
func checkName(what, name string) error {
	if name == "" || strings.HasPrefix(name, "-") || strings.ContainsAny(name, " \t\n\x00") {
		return fmt.Errorf("invalid %s name %q", what, RedactURL(name))
	}
	return nil
}
