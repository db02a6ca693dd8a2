package gitwork

import (
	"context"
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

// TestChangeCommitPush runs the whole flow against a bare origin and reads
// the result back from the bare repository: files, modes, author, message,
// one commit on top of base after a force-push, and the user's checkout as
// it was.
func TestChangeCommitPush(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	before := snapshot(t, fx.user)

	repo, err := Open(fx.user)
	if err != nil {
		t.Fatal(err)
	}
	base, err := repo.Fetch(ctx, "origin", "main", Auth{})
	if err != nil {
		t.Fatal(err)
	}
	if base != fx.base {
		t.Fatalf("Fetch = %s, want %s", base, fx.base)
	}
	const branch = "pare/aws/app"
	if out, err := gitOut(fx.bare, nil, "rev-parse", "--verify", "refs/heads/"+branch); err == nil {
		t.Fatalf("origin has %s before the push: %s", branch, out)
	}

	files := map[string][]byte{
		"iam/app-a.tf":   []byte("resource \"aws_iam_policy\" \"a\" { policy = \"smaller\" }\n"),
		"iam/app-c.tf":   []byte("resource \"aws_iam_policy\" \"c\" {}\n"),
		"scripts/run.sh": []byte("#!/bin/sh\necho run faster\n"),
	}
	change, err := repo.Change(ctx, "origin/main", files, []string{"iam/app-b.tf", "iam/never-was.tf"})
	if err != nil {
		t.Fatal(err)
	}
	if change.Empty() || change.Base != fx.base {
		t.Fatalf("change: empty %v base %s, want a change on %s", change.Empty(), change.Base, fx.base)
	}
	wantFiles := []string{"M iam/app-a.tf", "D iam/app-b.tf", "A iam/app-c.tf", "M scripts/run.sh"}
	if got := changedFiles(t, fx.user, change); !reflect.DeepEqual(got, wantFiles) {
		t.Fatalf("changed files %v, want %v", got, wantFiles)
	}
	diff, err := change.Diff(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"diff --git a/iam/app-c.tf b/iam/app-c.tf\nnew file mode 100644\n",
		"diff --git a/iam/app-b.tf b/iam/app-b.tf\ndeleted file mode 100644\n",
		"-echo run\n+echo run faster\n",
		"+resource \"aws_iam_policy\" \"a\" { policy = \"smaller\" }\n",
	} {
		if !strings.Contains(diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff)
		}
	}
	if strings.Contains(diff, "old mode") {
		t.Errorf("diff changes a mode:\n%s", diff)
	}

	sha, err := change.Commit(ctx, branch, "pare: right-size app\n\nDetails.", testAuthor)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Push(ctx, "origin", branch, Auth{}); err != nil {
		t.Fatal(err)
	}
	if got := gitT(t, fx.bare, "rev-parse", branch); got != sha {
		t.Fatalf("origin %s = %s, want %s", branch, got, sha)
	}
	meta := gitT(t, fx.bare, "log", "-1", "--format=%an|%ae|%cn|%ce|%at|%ai|%P|%B", branch)
	wantMeta := "pare|pare@example.com|pare|pare@example.com|1740826800|2025-03-01 12:00:00 +0100|" + fx.base + "|pare: right-size app\n\nDetails."
	if meta != wantMeta {
		t.Errorf("commit:\n%s\nwant\n%s", meta, wantMeta)
	}
	tree := gitT(t, fx.bare, "ls-tree", "-r", branch)
	for _, want := range []string{"100644 blob", "\tiam/app-a.tf", "\tiam/app-c.tf", "100755 blob", "\tREADME.md", "120000 blob"} {
		if !strings.Contains(tree, want) {
			t.Errorf("tree lacks %q:\n%s", want, tree)
		}
	}
	if strings.Contains(tree, "app-b.tf") {
		t.Errorf("deleted file still in tree:\n%s", tree)
	}
	if !strings.Contains(tree, "100755 blob") || !strings.Contains(gitT(t, fx.bare, "ls-tree", branch, "scripts/run.sh"), "100755") {
		t.Errorf("run.sh lost its executable mode:\n%s", tree)
	}
	for p, want := range files {
		if got, _ := gitOut(fx.bare, nil, "show", branch+":"+p); got != string(want) {
			t.Errorf("origin %s:%s = %q, want %q", branch, p, got, want)
		}
	}
	if got := gitT(t, fx.bare, "show", branch+":README.md"); got+"\n" != seedFiles["README.md"] {
		t.Errorf("README.md changed on the branch: %q", got)
	}

	// A second run with other content replaces the branch: still one
	// commit on top of base, force-pushed.
	files["iam/app-c.tf"] = []byte("resource \"aws_iam_policy\" \"c\" { policy = \"v2\" }\n")
	change2, err := repo.Change(ctx, base, files, []string{"iam/app-b.tf"})
	if err != nil {
		t.Fatal(err)
	}
	sha2, err := change2.Commit(ctx, branch, "pare: right-size app (v2)", testAuthor)
	if err != nil {
		t.Fatal(err)
	}
	if sha2 == sha {
		t.Fatal("second commit has the first one's id")
	}
	if err := repo.Push(ctx, "origin", branch, Auth{}); err != nil {
		t.Fatal(err)
	}
	if got := gitT(t, fx.bare, "rev-parse", branch); got != sha2 {
		t.Fatalf("after force push origin %s = %s, want %s", branch, got, sha2)
	}
	if n := gitT(t, fx.bare, "rev-list", "--count", fx.base+".."+branch); n != "1" {
		t.Errorf("branch has %s commits on top of base, want 1", n)
	}
	if got := gitT(t, fx.bare, "show", branch+":iam/app-c.tf"); !strings.Contains(got, "v2") {
		t.Errorf("app-c.tf after update = %q", got)
	}

	// The push replaces whatever the remote branch holds, commits pushed
	// by someone else included.
	files["iam/app-c.tf"] = []byte("v3\n")
	change3, err := repo.Change(ctx, base, files, nil)
	if err != nil {
		t.Fatal(err)
	}
	sha3, err := change3.Commit(ctx, branch, "v3", testAuthor)
	if err != nil {
		t.Fatal(err)
	}
	other := gitT(t, fx.bare, "commit-tree", "-p", sha2, "-m", "someone else", sha2+"^{tree}")
	gitT(t, fx.bare, "update-ref", "refs/heads/"+branch, other)
	if err := repo.Push(ctx, "origin", branch, Auth{}); err != nil {
		t.Errorf("forced push over a branch moved by someone else: %v", err)
	}
	if got := gitT(t, fx.bare, "rev-parse", branch); got != sha3 {
		t.Errorf("after the forced push origin %s = %s, want %s", branch, got, sha3)
	}

	if d := before.diff(snapshot(t, fx.user)); d != "" {
		t.Errorf("the user's checkout changed:\n%s", d)
	}
}

func TestNoChange(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	before := snapshot(t, fx.user)
	repo, err := Open(fx.user)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"iam/app-a.tf": []byte(seedFiles["iam/app-a.tf"])}
	change, err := repo.Change(ctx, "origin/main", files, []string{"iam/absent.tf"})
	if err != nil {
		t.Fatal(err)
	}
	if diff, err := change.Diff(ctx); !change.Empty() || err != nil || diff != "" || changedFiles(t, fx.user, change) != nil {
		t.Fatalf("change = %+v, diff %q, %v; want empty", change, diff, err)
	}
	if _, err := change.Commit(ctx, "pare/none", "nothing", testAuthor); !errors.Is(err, ErrNoChange) {
		t.Fatalf("Commit of an empty change: err = %v, want ErrNoChange", err)
	}
	if out, err := gitOut(fx.user, nil, "show-ref", "--verify", "refs/heads/pare/none"); err == nil {
		t.Errorf("an empty change created a branch: %s", out)
	}
	if d := before.diff(snapshot(t, fx.user)); d != "" {
		t.Errorf("the user's checkout changed:\n%s", d)
	}
}

// TestCommitReproducible: the same change by the same author at the same
// time is the same commit, so re-running pare with nothing new does not
// churn the branch.
func TestCommitReproducible(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	repo, err := Open(fx.user)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"iam/new.tf": []byte("x\n")}
	var shas []string
	for range 2 {
		c, err := repo.Change(ctx, fx.base, files, nil)
		if err != nil {
			t.Fatal(err)
		}
		sha, err := c.Commit(ctx, "pare/again", "same", testAuthor)
		if err != nil {
			t.Fatal(err)
		}
		shas = append(shas, sha)
	}
	if shas[0] != shas[1] {
		t.Errorf("same change gave commits %s and %s", shas[0], shas[1])
	}
}

func TestCommitRefusesCheckedOutBranch(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	before := snapshot(t, fx.user)
	repo, err := Open(fx.user)
	if err != nil {
		t.Fatal(err)
	}
	c, err := repo.Change(ctx, fx.base, map[string][]byte{"iam/new.tf": []byte("x\n")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Commit(ctx, "feature", "move it", testAuthor); err == nil || !strings.Contains(err.Error(), "checked out") {
		t.Errorf("Commit onto the checked-out branch: err = %v", err)
	}
	for _, bad := range []Signature{{}, {Name: "a", Email: "b>c"}, {Name: "a\nb", Email: "c"}} {
		if _, err := c.Commit(ctx, "pare/x", "m", bad); err == nil {
			t.Errorf("Commit with author %+v succeeded", bad)
		}
	}
	for _, bad := range []string{"", "-x", "a..b", "a b", "x.lock", "a/"} {
		if _, err := c.Commit(ctx, bad, "m", testAuthor); err == nil {
			t.Errorf("Commit onto branch %q succeeded", bad)
		}
	}
	if _, err := c.Commit(ctx, "pare/x", " \n", testAuthor); err == nil {
		t.Error("Commit with an empty message succeeded")
	}
	if d := before.diff(snapshot(t, fx.user)); d != "" {
		t.Errorf("the user's checkout changed:\n%s", d)
	}
}

func TestChangeRejects(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	repo, err := Open(fx.user)
	if err != nil {
		t.Fatal(err)
	}
	x := []byte("x\n")
	for _, tc := range []struct {
		name    string
		files   map[string][]byte
		deletes []string
		want    string
	}{
		{"empty path", map[string][]byte{"": x}, nil, "empty path"},
		{"absolute", map[string][]byte{"/etc/passwd": x}, nil, "absolute"},
		{"dot dot", map[string][]byte{"../outside": x}, nil, "leaves the repository"},
		{"unclean", map[string][]byte{"iam//a.tf": x}, nil, "not clean"},
		{"trailing slash", map[string][]byte{"iam/": x}, nil, "not clean"},
		{"dot git", map[string][]byte{".git/config": x}, nil, "inside .git"},
		{"dot git case", map[string][]byte{"a/.GIT/hooks/post-checkout": x}, nil, "inside .git"},
		{"backslash", map[string][]byte{`iam\a.tf`: x}, nil, "backslash"},
		{"newline", map[string][]byte{"a\nb": x}, nil, "control character"},
		{"over a directory", map[string][]byte{"iam": x}, nil, "is a directory"},
		{"under a file", map[string][]byte{"README.md/x": x}, nil, `"README.md" is a file`},
		{"over a symlink", map[string][]byte{"link": x}, nil, "symbolic link"},
		{"file and directory", map[string][]byte{"new": x, "new/x": x}, nil, "as a file and as a directory"},
		{"write and delete", map[string][]byte{"a": x}, []string{"a"}, "both written and deleted"},
		{"delete a directory", nil, []string{"iam"}, "is a directory"},
		{"bad delete", nil, []string{"../x"}, "leaves the repository"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := repo.Change(ctx, fx.base, tc.files, tc.deletes)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := repo.Change(ctx, "no-such-branch", nil, nil); err == nil || !strings.Contains(err.Error(), "no such commit") {
		t.Errorf("unknown base: err = %v", err)
	}
	if _, err := repo.Change(ctx, "--all", nil, nil); err == nil {
		t.Error("an option as base was accepted")
	}
	// Replacing a file with a directory works when the file is deleted.
	c, err := repo.Change(ctx, fx.base, map[string][]byte{"README.md/x": x}, []string{"README.md"})
	if err != nil {
		t.Fatalf("file replaced by a directory: %v", err)
	}
	want := []string{"D README.md", "A README.md/x"}
	if got := changedFiles(t, fx.user, c); !reflect.DeepEqual(got, want) {
		t.Errorf("changed files %v, want %v", got, want)
	}
}

func TestReadAndListFiles(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	repo, err := Open(fx.user)
	if err != nil {
		t.Fatal(err)
	}
	// The committed content, not the staged or working-tree edits.
	got, err := repo.ReadFile(ctx, "origin/main", "iam/app-a.tf")
	if err != nil || string(got) != seedFiles["iam/app-a.tf"] {
		t.Errorf("ReadFile = %q, %v", got, err)
	}
	if _, err := repo.ReadFile(ctx, "origin/main", "iam/none.tf"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile of a missing file: err = %v, want fs.ErrNotExist", err)
	}
	if _, err := repo.ReadFile(ctx, "origin/main", "iam"); err == nil || !strings.Contains(err.Error(), "tree") {
		t.Errorf("ReadFile of a directory: err = %v", err)
	}
	list, err := repo.ListFiles(ctx, "origin/main", "iam")
	if err != nil || !reflect.DeepEqual(list, []string{"iam/app-a.tf", "iam/app-b.tf"}) {
		t.Errorf("ListFiles(iam) = %v, %v", list, err)
	}
	all, err := repo.ListFiles(ctx, fx.base, "")
	if err != nil || len(all) != len(seedFiles)+1 {
		t.Errorf("ListFiles = %v, %v", all, err)
	}
}

// changedFiles lists what c's tree changes from its base, as "A path",
// "M path" or "D path", sorted by path.
func changedFiles(t *testing.T, dir string, c Change) []string {
	t.Helper()
	out := gitT(t, dir, "diff", "--no-renames", "--name-status", c.Base, c.tree, "--")
	if out == "" {
		return nil
	}
	var files []string
	for _, line := range strings.Split(out, "\n") {
		status, path, _ := strings.Cut(line, "\t")
		files = append(files, status+" "+path)
	}
	return files
}
