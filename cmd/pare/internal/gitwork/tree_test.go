package gitwork

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestReadFiles(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	repo, err := Open(fx.user)
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"iam/app-a.tf", "iam/none.tf", "README.md", "scripts/run.sh"}
	for _, rev := range []string{"origin/main", fx.base} {
		got, err := repo.ReadFiles(ctx, rev, paths)
		if err != nil {
			t.Fatalf("ReadFiles(%s): %v", rev, err)
		}
		want := map[string][]byte{}
		for _, p := range []string{"iam/app-a.tf", "README.md", "scripts/run.sh"} {
			want[p] = []byte(seedFiles[p])
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ReadFiles(%s) = %q, want %q", rev, got, want)
		}
	}
	if got, err := repo.ReadFiles(ctx, fx.base, nil); err != nil || len(got) != 0 {
		t.Errorf("ReadFiles of no path = %v, %v", got, err)
	}
	if _, err := repo.ReadFiles(ctx, fx.base, []string{"README.md", "iam"}); err == nil || !strings.Contains(err.Error(), "iam at "+fx.base+" is a tree, not a file") {
		t.Errorf("ReadFiles of a directory: err = %v", err)
	}
	if _, err := repo.ReadFiles(ctx, fx.base, []string{"../x"}); err == nil {
		t.Error("ReadFiles accepted a path leaving the repository")
	}
	// A full id is used as given, and must still name a commit.
	tree := gitT(t, fx.bare, "rev-parse", "main^{tree}")
	for _, rev := range []string{strings.Repeat("0", 40), tree, "no-such-branch"} {
		if _, err := repo.ReadFiles(ctx, rev, []string{"README.md"}); err == nil || !strings.Contains(err.Error(), "no such commit") {
			t.Errorf("ReadFiles(%s): err = %v, want no such commit", rev, err)
		}
	}
}

// ReadFiles runs one git process for all its paths when given a commit
// id; ListFiles and Change list a base once between them.
func TestGitProcesses(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	repo, err := Open(fx.user)
	if err != nil {
		t.Fatal(err)
	}
	ran := logGit(t, repo)
	if _, err := repo.ReadFiles(ctx, fx.base, []string{"iam/app-a.tf", "iam/app-b.tf", "README.md"}); err != nil {
		t.Fatal(err)
	}
	if cmds := ran(); !reflect.DeepEqual(cmds, []string{"cat-file --batch"}) {
		t.Errorf("ReadFiles ran %q, want one cat-file --batch", cmds)
	}

	if _, err := repo.ListFiles(ctx, "origin/main", ""); err != nil {
		t.Fatal(err)
	}
	for _, content := range []string{"one\n", "two\n"} {
		if _, err := repo.Change(ctx, fx.base, map[string][]byte{"iam/app-c.tf": []byte(content)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := repo.ListFiles(ctx, fx.base, "iam"); err != nil {
		t.Fatal(err)
	}
	var lsTree, resolve int
	cmds := ran()
	for _, c := range cmds {
		switch {
		case strings.HasPrefix(c, "ls-tree "):
			lsTree++
		case strings.HasPrefix(c, "rev-parse "):
			resolve++
		}
	}
	// origin/main is resolved once and its tree read once; the commit id
	// is then known.
	if lsTree != 1 || resolve != 2 {
		t.Errorf("%d ls-tree and %d rev-parse, want 1 and 2:\n%s", lsTree, resolve, strings.Join(cmds, "\n"))
	}
}
