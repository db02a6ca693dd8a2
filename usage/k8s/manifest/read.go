package manifest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Read decodes the manifests at paths (files, or directories searched
// recursively for *.yaml, *.yml and *.json, skipping hidden ones) and
// converts them with Convert. Bad documents and unresolved bindings are
// Result.Problems; the error is for paths that cannot be read.
func Read(paths []string, opts Options, builtin Builtin) (Result, error) {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return Result{}, fmt.Errorf("reading manifests: %w", err)
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			hidden := path != p && strings.HasPrefix(d.Name(), ".")
			if d.IsDir() {
				if hidden {
					return filepath.SkipDir
				}
				return nil
			}
			if !hidden && isManifestName(d.Name()) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return Result{}, fmt.Errorf("reading manifests in %s: %w", p, err)
		}
	}
	sort.Strings(files)
	var objs []Object
	var res Result
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return Result{}, fmt.Errorf("reading manifests: %w", err)
		}
		got, err := Decode(name, f, opts)
		f.Close()
		if err != nil {
			return Result{}, err
		}
		objs = append(objs, got.Items...)
		res.Objects += got.Documents
		res.Problems = append(res.Problems, got.Problems...)
		for reason, n := range got.Skipped {
			res.skip(reason, n)
		}
	}
	conv := Convert(objs, builtin)
	res.Workloads, res.Grants = conv.Workloads, conv.Grants
	res.Problems = append(res.Problems, conv.Problems...)
	for reason, n := range conv.Skipped {
		res.skip(reason, n)
	}
	return res, nil
}

// isManifestName reports whether a file name in a directory is read as a
// manifest.
func isManifestName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}
