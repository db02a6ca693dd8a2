package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// manifest is DIR/manifest.json: what a generate run wrote and why.
type manifest struct {
	Generator  string              `json:"generator"`
	Window     manifestWindow      `json:"window"`
	Principals []manifestPrincipal `json:"principals"`
}

type manifestWindow struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type manifestPrincipal struct {
	Provider        string                   `json:"provider"`
	Principal       string                   `json:"principal"`
	Kind            string                   `json:"kind"`
	Files           []string                 `json:"files"`
	Actions         []string                 `json:"actions"`
	Inferred        []string                 `json:"inferred,omitempty"`
	Generalizations []manifestGeneralization `json:"generalizations,omitempty"`
	Events          int64                    `json:"events"`
	Denied          []string                 `json:"denied"`
	Unmapped        []manifestUnmapped       `json:"unmapped"`
	Warnings        []string                 `json:"warnings,omitempty"`
}

type manifestGeneralization struct {
	Action   string `json:"action"`
	Resource string `json:"resource"`
	Reason   string `json:"reason"`
}

type manifestUnmapped struct {
	EventSource   string `json:"eventSource"`
	EventName     string `json:"eventName"`
	Reason        string `json:"reason"`
	Count         int64  `json:"count"`
	SampleEventID string `json:"sampleEventId"`
}

func (m manifest) write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(m)
}

// outputDirs are the folders under DIR that pare owns and replaces whole.
var outputDirs = []string{"aws"}

// writeOutput writes files (paths relative to dir) so that a reader of dir
// sees either the old output or the new one, never a mix or a partial file:
// everything is written to a staging folder inside dir first, then each of
// pare's folders is swapped in by rename, and manifest.json last. Other files
// in dir are left alone.
func writeOutput(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating output folder: %w", err)
	}
	staging, err := os.MkdirTemp(dir, ".pare-staging-")
	if err != nil {
		return fmt.Errorf("creating staging folder in %s: %w", dir, err)
	}
	defer os.RemoveAll(staging)

	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !filepath.IsLocal(name) || !ownedPath(name) {
			return fmt.Errorf("internal error: output path %q would leave the output folder", name)
		}
		path := filepath.Join(staging, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
	}
	for _, sub := range outputDirs {
		if err := os.MkdirAll(filepath.Join(staging, sub), 0o755); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
		target := filepath.Join(dir, sub)
		old := filepath.Join(staging, ".old-"+sub)
		if err := os.Rename(target, old); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("replacing %s: %w", target, err)
		}
		if err := os.Rename(filepath.Join(staging, sub), target); err != nil {
			return fmt.Errorf("replacing %s: %w", target, err)
		}
	}
	if err := os.Rename(filepath.Join(staging, "manifest.json"), filepath.Join(dir, "manifest.json")); err != nil {
		return fmt.Errorf("writing manifest: %w", err)
	}
	return nil
}

// ownedPath reports whether name is manifest.json or inside one of pare's folders.
func ownedPath(name string) bool {
	if name == "manifest.json" {
		return true
	}
	for _, sub := range outputDirs {
		if strings.HasPrefix(name, sub+"/") {
			return true
		}
	}
	return false
}
