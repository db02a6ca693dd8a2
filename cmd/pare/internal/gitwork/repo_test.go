package gitwork

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpen(t *testing.T) {
	fx := newFixture(t)
	repo, err := Open(filepath.Join(fx.user, "iam"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.EvalSymlinks(fx.user)
	if got, _ := filepath.EvalSymlinks(repo.dir); got != want {
		t.Errorf("dir = %s, want %s", repo.dir, fx.user)
	}

	plain := t.TempDir()
	if _, err := Open(plain); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Open(not a repository): err = %v, want ErrNotRepository", err)
	}
	if _, err := Open(filepath.Join(plain, "missing")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing): err = %v", err)
	}
	if _, err := Open(filepath.Join(fx.user, "README.md")); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Open(file): err = %v", err)
	}
	if _, err := Open(fx.bare); err == nil || !strings.Contains(err.Error(), "bare") {
		t.Errorf("Open(bare): err = %v", err)
	}
}

func TestOpenWithoutGit(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Open(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "git is not installed") {
		t.Errorf("Open without git: err = %v", err)
	}
	_, err = Clone(context.Background(), "https://example.com/x.git", t.TempDir(), Auth{})
	if err == nil || !strings.Contains(err.Error(), "git is not installed") {
		t.Errorf("Clone without git: err = %v", err)
	}
}

func TestRemote(t *testing.T) {
	fx := newFixture(t)
	repo, err := Open(fx.user)
	if err != nil {
		t.Fatal(err)
	}
	if url, err := repo.Remote("origin"); err != nil || url != fx.bare {
		t.Errorf("Remote(origin) = %q, %v; want %q", url, err, fx.bare)
	}
	if _, err := repo.Remote("upstream"); err == nil || !strings.Contains(err.Error(), `no remote "upstream"`) {
		t.Errorf("Remote(upstream): err = %v", err)
	}
	if _, err := repo.Remote("--all"); err == nil {
		t.Error("Remote(--all) succeeded")
	}

	// A URL with credentials is returned as configured but never shown in
	// an error. Port 1 on the loopback refuses the connection.
	const secretURL = "http://someone:hunter2@127.0.0.1:1/x.git"
	gitT(t, fx.user, "remote", "add", "creds", secretURL)
	if url, err := repo.Remote("creds"); err != nil || url != secretURL {
		t.Errorf("Remote(creds) = %q, %v", url, err)
	}
	_, err = repo.Fetch(context.Background(), "creds", "main", Auth{})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Fetch from an unreachable remote: err = %v (must fail without the password)", err)
	}
	_, err = Clone(context.Background(), secretURL, filepath.Join(t.TempDir(), "c"), Auth{})
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "[REDACTED]@127.0.0.1") {
		t.Errorf("Clone of an unreachable URL: err = %v (must fail, redacted)", err)
	}

}

func TestClone(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	dir := filepath.Join(t.TempDir(), "work")
	url := "file://" + fx.bare
	repo, err := Clone(ctx, url, dir, Auth{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := repo.Remote("origin"); err != nil || got != url {
		t.Errorf("Remote(origin) = %q, %v", got, err)
	}
	got, err := repo.ReadFile(ctx, "origin/main", "README.md")
	if err != nil || string(got) != seedFiles["README.md"] {
		t.Errorf("ReadFile = %q, %v", got, err)
	}
	// Nothing is checked out: the clone is only a place for git objects.
	if _, err := os.Stat(filepath.Join(dir, "README.md")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("clone checked files out: %v", err)
	}
	c, err := repo.Change(ctx, "origin/main", map[string][]byte{"iam/new.tf": []byte("new\n")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Commit(ctx, "pare/clone", "from a clone", testAuthor); err != nil {
		t.Fatal(err)
	}
	if err := repo.Push(ctx, "origin", "pare/clone", Auth{}); err != nil {
		t.Fatal(err)
	}
	if got := gitT(t, fx.bare, "show", "pare/clone:iam/new.tf"); got != "new" {
		t.Errorf("pushed file = %q", got)
	}

	if _, err := Clone(ctx, url, dir, Auth{}); err == nil {
		t.Error("Clone into a non-empty directory succeeded")
	}
	if _, err := Clone(ctx, "file://"+filepath.Join(t.TempDir(), "none.git"), filepath.Join(t.TempDir(), "x"), Auth{}); err == nil {
		t.Error("Clone of a missing repository succeeded")
	}
	if _, err := Clone(ctx, "--upload-pack=touch /tmp/x", filepath.Join(t.TempDir(), "x"), Auth{}); err == nil || !strings.Contains(err.Error(), "invalid repository URL") {
		t.Errorf("Clone of an option: err = %v", err)
	}
}

func TestFetchAndPushErrors(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	repo, err := Open(fx.user)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Fetch(ctx, "origin", "no-such-branch", Auth{}); err == nil || !strings.Contains(err.Error(), "no-such-branch") {
		t.Errorf("Fetch of a missing branch: err = %v", err)
	}
	if _, err := repo.Fetch(ctx, "nowhere", "main", Auth{}); err == nil {
		t.Error("Fetch from a missing remote succeeded")
	}
	for _, bad := range []string{"bad..name", "-x", ""} {
		if _, err := repo.Fetch(ctx, "origin", bad, Auth{}); err == nil || !strings.Contains(err.Error(), "invalid branch name") {
			t.Errorf("Fetch(%q): err = %v", bad, err)
		}
		if err := repo.Push(ctx, "origin", bad, Auth{}); err == nil || !strings.Contains(err.Error(), "invalid branch name") {
			t.Errorf("Push(%q): err = %v", bad, err)
		}
	}
	// "main" is fetched, not "x/main" or another branch ending in it.
	gitT(t, fx.user, "push", "--quiet", "origin", "HEAD:refs/heads/x/main")
	if sha, err := repo.Fetch(ctx, "origin", "main", Auth{}); err != nil || sha != fx.base {
		t.Errorf("Fetch(main) = %s, %v; want %s", sha, err, fx.base)
	}
	if _, err := repo.Fetch(ctx, "origin", "ain", Auth{}); err == nil {
		t.Error("Fetch of a branch that is not there succeeded")
	}
	if err := repo.Push(ctx, "origin", "not-local", Auth{}); err == nil || !strings.Contains(err.Error(), "no such commit") {
		t.Errorf("Push of a branch that does not exist locally: err = %v", err)
	}
}

func TestCanceledContext(t *testing.T) {
	fx := newFixture(t)
	repo, err := Open(fx.user)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := repo.Fetch(ctx, "origin", "main", Auth{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch with a canceled context: err = %v, want context.Canceled", err)
	}
	if err := repo.Push(ctx, "origin", "main", Auth{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Push with a canceled context: err = %v, want context.Canceled", err)
	}
	if _, err := repo.Change(ctx, fx.base, map[string][]byte{"a": []byte("a")}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Change with a canceled context: err = %v, want context.Canceled", err)
	}
}
