package gitwork

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestMain isolates git from the developer's configuration: a private HOME
// and global config that also asks every remote's credentials to be stored
// (to prove pare's token never is), and no system config.
func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "gitwork-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	global := filepath.Join(home, ".gitconfig")
	config := `[user]
	name = Developer
	email = dev@example.com
[init]
	defaultBranch = main
[commit]
	gpgSign = false
[credential]
	helper = store
[credential "http://127.0.0.1"]
	helper = store
[protocol "file"]
	allow = always
`
	if err := os.WriteFile(global, []byte(config), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for k, v := range map[string]string{
		"HOME":                home,
		"XDG_CONFIG_HOME":     filepath.Join(home, ".config"),
		"GIT_CONFIG_GLOBAL":   global,
		"GIT_CONFIG_NOSYSTEM": "1",
	} {
		os.Setenv(k, v)
	}
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// gitT runs git in dir for test setup and inspection and returns its
// trimmed output.
func gitT(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := gitOut(dir, nil, args...)
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(out)
}

func gitOut(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%v: %s", err, out)
	}
	return string(out), nil
}

func writeFile(t testing.TB, name, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(name, mode); err != nil {
		t.Fatal(err)
	}
}

// fixture is a bare "origin" and a user's clone of it with uncommitted
// work on a feature branch.
type fixture struct {
	bare string // path of the bare repository
	user string // the user's working tree
	base string // commit id of origin/main
}

// The files of origin's main branch.
var seedFiles = map[string]string{
	"README.md":      "# infra\n",
	"iam/app-a.tf":   "resource \"aws_iam_policy\" \"a\" {}\n",
	"iam/app-b.tf":   "resource \"aws_iam_policy\" \"b\" {}\n",
	"scripts/run.sh": "#!/bin/sh\necho run\n",
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	root := t.TempDir()
	bare := filepath.Join(root, "origin.git")
	gitT(t, root, "init", "--quiet", "--bare", bare)

	seed := filepath.Join(root, "seed")
	gitT(t, root, "clone", "--quiet", bare, seed)
	for name, content := range seedFiles {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		writeFile(t, filepath.Join(seed, name), content, mode)
	}
	if err := os.Symlink("README.md", filepath.Join(seed, "link")); err != nil {
		t.Fatal(err)
	}
	gitT(t, seed, "add", ".")
	gitT(t, seed, "commit", "--quiet", "-m", "infra")
	gitT(t, seed, "push", "--quiet", "origin", "main")

	user := filepath.Join(root, "user")
	gitT(t, root, "clone", "--quiet", bare, user)
	gitT(t, user, "checkout", "--quiet", "-b", "feature")
	writeFile(t, filepath.Join(user, "README.md"), "# infra, being edited\n", 0o644)
	writeFile(t, filepath.Join(user, "iam/app-a.tf"), "staged edit\n", 0o644)
	gitT(t, user, "add", "iam/app-a.tf")
	writeFile(t, filepath.Join(user, "notes.txt"), "untracked\n", 0o644)
	return fixture{bare: bare, user: user, base: gitT(t, bare, "rev-parse", "main")}
}

// checkout is what the user sees of their repository.
type checkout struct {
	head, branch, status, staged, unstaged, index, config string
	files                                                 map[string]string
}

func snapshot(t *testing.T, dir string) checkout {
	t.Helper()
	c := checkout{
		head:     gitT(t, dir, "rev-parse", "HEAD"),
		branch:   gitT(t, dir, "symbolic-ref", "HEAD"),
		status:   gitT(t, dir, "status", "--porcelain=v1", "--untracked-files=all"),
		staged:   gitT(t, dir, "diff", "--cached"),
		unstaged: gitT(t, dir, "diff"),
		index:    gitT(t, dir, "ls-files", "--stage"),
		files:    map[string]string{},
	}
	cfg, err := os.ReadFile(filepath.Join(dir, ".git", "config"))
	if err != nil {
		t.Fatal(err)
	}
	c.config = string(cfg)
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		c.files[p] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (c checkout) diff(d checkout) string {
	var out []string
	for _, f := range []struct{ name, a, b string }{
		{"HEAD", c.head, d.head}, {"branch", c.branch, d.branch}, {"status", c.status, d.status},
		{"staged", c.staged, d.staged}, {"unstaged", c.unstaged, d.unstaged},
		{"index", c.index, d.index}, {".git/config", c.config, d.config},
	} {
		if f.a != f.b {
			out = append(out, fmt.Sprintf("%s: %q -> %q", f.name, f.a, f.b))
		}
	}
	for p, v := range c.files {
		if d.files[p] != v {
			out = append(out, fmt.Sprintf("file %s changed", p))
		}
	}
	for p := range d.files {
		if _, ok := c.files[p]; !ok {
			out = append(out, fmt.Sprintf("file %s appeared", p))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// testAuthor is a fixed author so commits are reproducible.
var testAuthor = Signature{
	Name:  "pare",
	Email: "pare@example.com",
	When:  time.Date(2025, 3, 1, 12, 0, 0, 0, time.FixedZone("", 3600)),
}

// logGit makes repo run git through a wrapper that records each command
// line, and returns a function giving the commands run since.
func logGit(t *testing.T, repo *Repo) func() []string {
	t.Helper()
	dir := t.TempDir()
	log := filepath.Join(dir, "argv.log")
	wrapper := filepath.Join(dir, "git")
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$*\" >> '%s'\nexec '%s' \"$@\"\n", log, repo.git)
	if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	repo.git = wrapper
	return func() []string {
		b, err := os.ReadFile(log)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(log)
		return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	}
}
