package gitwork

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// Git file modes as ls-tree prints them.
const (
	modeFile       = "100644"
	modeExecutable = "100755"
	modeSymlink    = "120000"
	modeSubmodule  = "160000"
)

// entry is one file (blob, symlink or submodule) of a tree.
type entry struct {
	mode string
	id   string
}

// listing is every file of a commit's tree and the directories above them.
type listing struct {
	files map[string]entry
	dirs  map[string]bool
}

// lsTree lists the whole tree of commit.
func (r *Repo) lsTree(ctx context.Context, commit string) (listing, error) {
	out, err := r.run(ctx, call{args: []string{"ls-tree", "-r", "-z", "--full-tree", commit}})
	if err != nil {
		return listing{}, fmt.Errorf("listing %s: %w", commit, err)
	}
	l := listing{files: map[string]entry{}, dirs: map[string]bool{}}
	for _, rec := range bytes.Split(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		// "<mode> SP <type> SP <id> TAB <path>"
		meta, p, ok := strings.Cut(string(rec), "\t")
		fields := strings.Fields(meta)
		if !ok || len(fields) != 3 {
			return listing{}, fmt.Errorf("listing %s: unexpected ls-tree output %q", commit, rec)
		}
		l.files[p] = entry{mode: fields[0], id: fields[2]}
		for _, d := range parents(p) {
			l.dirs[d] = true
		}
	}
	return l, nil
}

// ReadFile returns the content of the file at path in the commit rev
// names. A path that is not in that commit gives an error wrapping
// fs.ErrNotExist.
func (r *Repo) ReadFile(ctx context.Context, rev, path string) ([]byte, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	commit, err := r.resolve(ctx, rev)
	if err != nil {
		return nil, err
	}
	out, err := r.run(ctx, call{
		args:  []string{"cat-file", "--batch"},
		stdin: strings.NewReader(commit + ":" + path + "\n"),
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", path, rev, err)
	}
	br := bufio.NewReader(bytes.NewReader(out))
	header, err := br.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: unexpected cat-file output", path, rev)
	}
	fields := strings.Fields(header)
	if len(fields) == 2 && fields[1] == "missing" {
		return nil, fmt.Errorf("%s at %s: %w", path, rev, fs.ErrNotExist)
	}
	if len(fields) != 3 {
		return nil, fmt.Errorf("reading %s at %s: unexpected cat-file output %q", path, rev, header)
	}
	if fields[1] != "blob" {
		return nil, fmt.Errorf("%s at %s is a %s, not a file", path, rev, fields[1])
	}
	size, err := strconv.Atoi(fields[2])
	if err != nil || size < 0 {
		return nil, fmt.Errorf("reading %s at %s: unexpected cat-file size %q", path, rev, fields[2])
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(br, data); err != nil {
		return nil, fmt.Errorf("reading %s at %s: short cat-file output", path, rev)
	}
	return data, nil
}

// ListFiles returns the paths of the files under dir ("" = all) in the
// commit rev names, sorted.
func (r *Repo) ListFiles(ctx context.Context, rev, dir string) ([]string, error) {
	if dir != "" {
		if err := checkPath(dir); err != nil {
			return nil, err
		}
	}
	commit, err := r.resolve(ctx, rev)
	if err != nil {
		return nil, err
	}
	l, err := r.lsTree(ctx, commit)
	if err != nil {
		return nil, err
	}
	var out []string
	for p := range l.files {
		if dir == "" || strings.HasPrefix(p, dir+"/") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}
