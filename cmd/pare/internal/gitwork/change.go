package gitwork

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrNoChange is returned by Commit for a Change that changes nothing.
var ErrNoChange = errors.New("nothing to change")

// Change is the result of writing files onto a base commit: the tree it
// gives, which Diff compares with the base. It lives only in git's object
// store until Commit.
type Change struct {
	Base string // commit id of the base

	tree     string // tree id of base with the files written and deleted
	baseTree string // tree id of base
	repo     *Repo
}

// Empty reports whether the change leaves the base as it is.
func (c Change) Empty() bool { return c.tree == c.baseTree }

// Diff is the unified diff from the base to the change's tree, "" when the
// change is Empty. It runs git diff each time it is called.
func (c Change) Diff(ctx context.Context) (string, error) {
	if c.repo == nil {
		return "", errors.New("diff: the change was not made by Repo.Change")
	}
	if c.Empty() {
		return "", nil
	}
	out, err := c.repo.run(ctx, call{args: diffArgs(c.Base, c.tree, "--")})
	if err != nil {
		return "", fmt.Errorf("diffing with base: %w", err)
	}
	return string(out), nil
}

// Change computes what writing files (path → content) and deleting the
// paths in deletes does to base (a branch, remote-tracking branch or commit
// id). Paths are relative to the repository root with forward slashes.
// An existing file keeps its mode (an executable stays executable); content
// is stored as given, without clean filters or line-ending conversion.
// Deleting a path that does not exist in base is not an error. It refuses
// to replace a symlink, a submodule or a directory with a file, to write
// below an existing file, and to write and delete the same path.
func (r *Repo) Change(ctx context.Context, base string, files map[string][]byte, deletes []string) (Change, error) {
	paths, err := checkChange(files, deletes)
	if err != nil {
		return Change{}, err
	}
	ct, err := r.listCommit(ctx, base)
	if err != nil {
		return Change{}, fmt.Errorf("base: %w", err)
	}
	baseID, baseTree, l := ct.commit, ct.tree, ct.l
	if err := checkAgainstBase(l, paths, files, deletes); err != nil {
		return Change{}, fmt.Errorf("writing onto %s: %w", base, err)
	}

	tmp, err := os.MkdirTemp("", "pare-gitwork-")
	if err != nil {
		return Change{}, fmt.Errorf("computing change: %w", err)
	}
	defer os.RemoveAll(tmp)

	ids, err := r.writeBlobs(ctx, tmp, paths, files)
	if err != nil {
		return Change{}, err
	}
	tree, err := r.buildTree(ctx, tmp, baseID, l, paths, ids, deletes)
	if err != nil {
		return Change{}, err
	}
	return Change{Base: baseID, tree: tree, baseTree: baseTree, repo: r}, nil
}

// checkChange validates the paths of a change and returns the written
// ones sorted.
func checkChange(files map[string][]byte, deletes []string) ([]string, error) {
	paths := make([]string, 0, len(files))
	for p := range files {
		if err := checkPath(p); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range deletes {
		if err := checkPath(p); err != nil {
			return nil, err
		}
		if _, ok := files[p]; ok {
			return nil, fmt.Errorf("path %q is both written and deleted", p)
		}
	}
	for _, p := range paths {
		for _, d := range parents(p) {
			if _, ok := files[d]; ok {
				return nil, fmt.Errorf("path %q is written as a file and as a directory (for %q)", d, p)
			}
		}
	}
	return paths, nil
}

// checkAgainstBase refuses writes that would silently replace something of
// another kind in base.
func checkAgainstBase(l listing, paths []string, files map[string][]byte, deletes []string) error {
	deleted := map[string]bool{}
	for _, p := range deletes {
		if l.dirs[p] {
			return fmt.Errorf("cannot delete %q: it is a directory; name its files", p)
		}
		deleted[p] = true
	}
	for _, p := range paths {
		if l.dirs[p] {
			return fmt.Errorf("cannot write %q: it is a directory", p)
		}
		if e, ok := l.files[p]; ok && e.mode != modeFile && e.mode != modeExecutable {
			return fmt.Errorf("cannot write %q: it is a %s", p, kind(e.mode))
		}
		for _, d := range parents(p) {
			if e, ok := l.files[d]; ok && !deleted[d] {
				return fmt.Errorf("cannot write %q: %q is a %s", p, d, kind(e.mode))
			}
		}
	}
	return nil
}

func kind(mode string) string {
	switch mode {
	case modeSymlink:
		return "symbolic link"
	case modeSubmodule:
		return "submodule"
	}
	return "file"
}

// writeBlobs stores the content of each path as a blob and returns the
// blob ids in the order of paths.
func (r *Repo) writeBlobs(ctx context.Context, tmp string, paths []string, files map[string][]byte) ([]string, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	dir := filepath.Join(tmp, "blobs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, fmt.Errorf("storing files: %w", err)
	}
	var list strings.Builder
	for i, p := range paths {
		name := filepath.Join(dir, strconv.Itoa(i))
		if err := os.WriteFile(name, files[p], 0o600); err != nil {
			return nil, fmt.Errorf("storing %s: %w", p, err)
		}
		list.WriteString(name + "\n")
	}
	out, err := r.run(ctx, call{
		args:  []string{"hash-object", "-w", "--no-filters", "--stdin-paths"},
		stdin: strings.NewReader(list.String()),
	})
	if err != nil {
		return nil, fmt.Errorf("storing files: %w", err)
	}
	ids := strings.Fields(string(out))
	if len(ids) != len(paths) {
		return nil, fmt.Errorf("storing files: git hash-object returned %d ids for %d files", len(ids), len(paths))
	}
	return ids, nil
}

// buildTree writes the tree of base with the blobs at paths and deletes
// removed, using a private index file.
func (r *Repo) buildTree(ctx context.Context, tmp, base string, l listing, paths, ids, deletes []string) (string, error) {
	env := []string{"GIT_INDEX_FILE=" + filepath.Join(tmp, "index")}
	// A private index must not share split-index files with the real one
	// or wake a file-system monitor.
	cfg := []string{"-c", "core.splitIndex=false", "-c", "core.fsmonitor=false"}
	if _, err := r.run(ctx, call{args: append(cfg, "read-tree", base), env: env}); err != nil {
		return "", fmt.Errorf("reading base tree: %w", err)
	}
	var info bytes.Buffer
	for i, p := range paths {
		mode := modeFile
		if e, ok := l.files[p]; ok {
			mode = e.mode
		}
		fmt.Fprintf(&info, "%s %s\t%s\x00", mode, ids[i], p)
	}
	for _, p := range deletes {
		if _, ok := l.files[p]; ok {
			fmt.Fprintf(&info, "0 %s\t%s\x00", strings.Repeat("0", len(base)), p)
		}
	}
	if info.Len() > 0 {
		args := append(cfg, "update-index", "-z", "--index-info")
		if _, err := r.run(ctx, call{args: args, env: env, stdin: &info}); err != nil {
			return "", fmt.Errorf("updating index: %w", err)
		}
	}
	out, err := r.run(ctx, call{args: append(cfg, "write-tree"), env: env})
	if err != nil {
		return "", fmt.Errorf("writing tree: %w", err)
	}
	return firstLine(out), nil
}

// diffArgs pin what user configuration could change in diff output.
func diffArgs(extra ...string) []string {
	args := []string{"diff", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames",
		"--no-relative", "--diff-algorithm=myers", "--indent-heuristic", "-U3",
		"--inter-hunk-context=0", "--src-prefix=a/", "--dst-prefix=b/"}
	return append(args, extra...)
}
