package gitwork

import (
	"bufio"
	"bytes"
	"context"
	"errors"
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

// commitTree is a commit, its root tree and every file in it.
type commitTree struct {
	commit, tree string
	l            listing
}

// listCommit resolves rev and lists its tree. A commit's tree never
// changes, and pare lists the same base for every branch it writes, so the
// last commit listed is kept and a rev naming it (its id, or a ref still
// pointing at it) is not listed again.
func (r *Repo) listCommit(ctx context.Context, rev string) (*commitTree, error) {
	r.mu.Lock()
	last := r.listed
	r.mu.Unlock()
	if last != nil && rev == last.commit {
		return last, nil
	}
	commit, err := r.resolve(ctx, rev)
	if err != nil {
		return nil, err
	}
	if last != nil && commit == last.commit {
		return last, nil
	}
	out, err := r.run(ctx, call{args: []string{"rev-parse", "--verify", commit + "^{tree}"}})
	if err != nil {
		return nil, fmt.Errorf("reading the tree of %s: %w", rev, err)
	}
	l, err := r.lsTree(ctx, commit)
	if err != nil {
		return nil, err
	}
	ct := &commitTree{commit: commit, tree: firstLine(out), l: l}
	r.mu.Lock()
	r.listed = ct
	r.mu.Unlock()
	return ct, nil
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
// fs.ErrNotExist. To read several files, ReadFiles runs one git process
// for all of them.
func (r *Repo) ReadFile(ctx context.Context, rev, path string) ([]byte, error) {
	files, err := r.ReadFiles(ctx, rev, []string{path})
	if err != nil {
		return nil, err
	}
	data, ok := files[path]
	if !ok {
		return nil, fmt.Errorf("%s at %s: %w", path, rev, fs.ErrNotExist)
	}
	return data, nil
}

// ReadFiles returns the content of the files at paths in the commit rev
// names, by path; a path that is not in that commit has no entry. One git
// process reads them all, and a full commit id (as Fetch returns) is used
// as given, without resolving it first. A path that names a directory is
// an error.
func (r *Repo) ReadFiles(ctx context.Context, rev string, paths []string) (map[string][]byte, error) {
	for _, p := range paths {
		if err := checkPath(p); err != nil {
			return nil, err
		}
	}
	commit := rev
	if !isObjectID(rev) {
		var err error
		if commit, err = r.resolve(ctx, rev); err != nil {
			return nil, err
		}
	}
	// The first object asked for is the commit itself, so a full id that
	// names no commit fails as resolve would, in the same process.
	var in strings.Builder
	in.WriteString(commit + "^{commit}\n")
	for _, p := range paths {
		in.WriteString(commit + ":" + p + "\n")
	}
	out, err := r.run(ctx, call{args: []string{"cat-file", "--batch"}, stdin: strings.NewReader(in.String())})
	if err != nil {
		return nil, fmt.Errorf("reading files at %s: %w", rev, err)
	}
	br := bufio.NewReader(bytes.NewReader(out))
	typ, _, err := readObject(br)
	switch {
	case err != nil:
		return nil, fmt.Errorf("reading files at %s: %w", rev, err)
	case typ != "commit":
		return nil, fmt.Errorf("revision %q: no such commit in %s", rev, r.dir)
	}
	files := make(map[string][]byte, len(paths))
	for _, p := range paths {
		typ, data, err := readObject(br)
		switch {
		case err != nil:
			return nil, fmt.Errorf("reading %s at %s: %w", p, rev, err)
		case typ == "missing":
			continue
		case typ != "blob":
			return nil, fmt.Errorf("%s at %s is a %s, not a file", p, rev, typ)
		}
		files[p] = data
	}
	return files, nil
}

// readObject reads one answer of git cat-file --batch: "<id> <type>
// <size>" and the content, or "<name> missing" (type "missing", no
// content).
func readObject(br *bufio.Reader) (typ string, data []byte, err error) {
	header, err := br.ReadString('\n')
	if err != nil {
		return "", nil, errors.New("unexpected end of cat-file output")
	}
	fields := strings.Fields(header)
	if len(fields) >= 2 && fields[len(fields)-1] == "missing" {
		return "missing", nil, nil
	}
	if len(fields) != 3 {
		return "", nil, fmt.Errorf("unexpected cat-file output %q", header)
	}
	size, err := strconv.Atoi(fields[2])
	if err != nil || size < 0 {
		return "", nil, fmt.Errorf("unexpected cat-file size %q", fields[2])
	}
	data = make([]byte, size)
	if _, err := io.ReadFull(br, data); err != nil {
		return "", nil, errors.New("short cat-file output")
	}
	if b, err := br.ReadByte(); err != nil || b != '\n' {
		return "", nil, errors.New("unexpected cat-file output after an object")
	}
	return fields[1], data, nil
}

// isObjectID says whether s is a full object id in lower-case hex: 40
// digits (SHA-1) or 64 (SHA-256).
func isObjectID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ListFiles returns the paths of the files under dir ("" = all) in the
// commit rev names, sorted.
func (r *Repo) ListFiles(ctx context.Context, rev, dir string) ([]string, error) {
	if dir != "" {
		if err := checkPath(dir); err != nil {
			return nil, err
		}
	}
	ct, err := r.listCommit(ctx, rev)
	if err != nil {
		return nil, err
	}
	var out []string
	for p := range ct.l.files {
		if dir == "" || strings.HasPrefix(p, dir+"/") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}
