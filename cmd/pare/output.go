package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/leastpriv/pare/emit"
	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/usage"
)

// manifest is DIR/manifest.json: what a generate run wrote and why.
type manifest struct {
	Generator  string               `json:"generator"`
	Window     manifestWindow       `json:"window"`
	Principals []*manifestPrincipal `json:"principals"` // sorted by principal when written
	// Workloads are the Kubernetes workloads whose securityContexts a k8s
	// run with --workloads tightened; sorted by namespace, kind and name.
	Workloads []*manifestWorkload `json:"workloads,omitempty"`

	provider    string
	byPrincipal map[string]*manifestPrincipal
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
	Notes           []string                 `json:"notes,omitempty"` // what the source cannot show
}

// manifestWorkload is one workload's securityContext patch.
type manifestWorkload struct {
	Kind      string   `json:"kind"`
	Namespace string   `json:"namespace"`
	Name      string   `json:"name"`
	Files     []string `json:"files"`
	// RuntimeEvidence is false when no runtime observation matched the
	// workload: its patch is default hardening and its declared spec only.
	RuntimeEvidence bool     `json:"runtimeEvidence"`
	Notes           []string `json:"notes,omitempty"`
	Findings        []string `json:"findings,omitempty"` // risky settings kept for review
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

// newManifest starts a manifest with one entry per principal.
func newManifest(provider string, principals []usage.Principal, window synth.Window) *manifest {
	m := &manifest{
		Generator:   "pare " + pareVersion(),
		Window:      manifestWindow{From: stamp(window.From), To: stamp(window.To)},
		provider:    provider,
		byPrincipal: make(map[string]*manifestPrincipal),
	}
	for _, pr := range principals {
		e := m.entry(pr.Principal)
		e.Kind, e.Events = pr.Kind, pr.Events
		for _, d := range pr.Denied {
			e.Denied = append(e.Denied, d.Name)
		}
		for _, u := range pr.Unmapped {
			e.Unmapped = append(e.Unmapped, manifestUnmapped{EventSource: u.Service, EventName: u.Operation, Reason: u.Reason, Count: u.Count, SampleEventID: u.Sample})
		}
	}
	return m
}

// ids lists the principals.
func (m *manifest) ids() []string {
	ids := make([]string, len(m.Principals))
	for i, p := range m.Principals {
		ids[i] = p.Principal
	}
	return ids
}

// entry finds a principal's entry, adding one if the principal is new. It
// is not safe for concurrent use; the entries it returns are independent.
func (m *manifest) entry(principal string) *manifestPrincipal {
	if e, ok := m.byPrincipal[principal]; ok {
		return e
	}
	e := &manifestPrincipal{Provider: m.provider, Principal: principal, Files: []string{}, Actions: []string{}, Denied: []string{}, Unmapped: []manifestUnmapped{}}
	m.byPrincipal[principal] = e
	m.Principals = append(m.Principals, e)
	return e
}

func (m *manifest) write(w io.Writer) error {
	sort.Slice(m.Principals, func(i, j int) bool {
		a, b := m.Principals[i], m.Principals[j]
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		return a.Principal < b.Principal
	})
	// Written as every JSON file of emit is: the manifest carries text
	// from the logs (principals, warnings, workloads).
	if err := emit.WriteJSON(w, m); err != nil {
		return fmt.Errorf("rendering manifest.json: %w", err)
	}
	return nil
}

// errWrite marks failures to write output, as opposed to failures to render it.
var errWrite = errors.New("writing output")

// stagedOutput writes a run's files into a staging folder inside the output
// folder, then swaps them in, so that a reader of the output folder sees
// either the old output or the new one, never a mix or a partial file. A run
// owns its provider's folder (DIR/aws, DIR/azure) and its provider's entries
// in DIR/manifest.json; other providers' output and other files in DIR are
// left alone.
type stagedOutput struct {
	dir, staging, provider string
}

func stageOutput(dir, provider string) (*stagedOutput, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating output folder: %w", err)
	}
	staging, err := os.MkdirTemp(dir, ".pare-staging-")
	if err != nil {
		return nil, fmt.Errorf("creating staging folder in %s: %w", dir, err)
	}
	return &stagedOutput{dir: dir, staging: staging, provider: provider}, nil
}

// write stages one file; name is a slash path relative to the output folder,
// inside the provider's folder.
func (o *stagedOutput) write(name string, body []byte) error {
	if !filepath.IsLocal(name) || !strings.HasPrefix(name, o.provider+"/") && name != "manifest.json" {
		return fmt.Errorf("internal error: output path %q would leave pare's folder", name)
	}
	path := filepath.Join(o.staging, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("%w: %v", errWrite, err)
	}
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return fmt.Errorf("%w: %v", errWrite, err)
	}
	return nil
}

// render renders one file and stages it as name, listing it in entry's
// files.
func (o *stagedOutput) render(entry *manifestPrincipal, name string, render func(w io.Writer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return fmt.Errorf("rendering %s: %w", name, err)
	}
	if err := o.write(name, buf.Bytes()); err != nil {
		return err
	}
	entry.Files = append(entry.Files, name)
	return nil
}

// renderTerraform renders and stages a Terraform file like render, but a
// failure to render it (not to write it) becomes a warning in entry and no
// error: Terraform cannot hold every string a log can (invalid UTF-8, text
// it would normalize), and then the principal's other files stand alone.
func (o *stagedOutput) renderTerraform(entry *manifestPrincipal, name string, render func(w io.Writer) error) error {
	err := o.render(entry, name, render)
	if err != nil && !errors.Is(err, errWrite) {
		entry.Warnings = append(entry.Warnings, fmt.Sprintf("no Terraform written: %v", errors.Unwrap(err)))
		return nil
	}
	return err
}

// commit swaps the provider's folder in by rename, then writes the
// manifest, keeping the entries other providers' runs wrote there.
func (o *stagedOutput) commit(m *manifest) error {
	manifestPath := filepath.Join(o.dir, "manifest.json")
	if old, err := os.ReadFile(manifestPath); err == nil {
		var prev manifest
		if err := json.Unmarshal(old, &prev); err != nil {
			return withHint(fmt.Errorf("%s is not a pare manifest: %v", manifestPath, err), "move it away or choose another --out")
		}
		for _, p := range prev.Principals {
			if p.Provider != m.provider {
				m.Principals = append(m.Principals, p)
			}
		}
		if m.provider != "k8s" {
			m.Workloads = prev.Workloads
		}
	} else if !os.IsNotExist(err) {
		return fmt.Errorf("reading %s: %w", manifestPath, err)
	}
	var buf bytes.Buffer
	if err := m.write(&buf); err != nil {
		return err
	}
	if err := o.write("manifest.json", buf.Bytes()); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(o.staging, o.provider), 0o755); err != nil {
		return fmt.Errorf("%w: %v", errWrite, err)
	}
	target := filepath.Join(o.dir, o.provider)
	old := filepath.Join(o.staging, ".old-"+o.provider)
	if err := os.Rename(target, old); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("replacing %s: %w", target, err)
	}
	if err := os.Rename(filepath.Join(o.staging, o.provider), target); err != nil {
		return fmt.Errorf("replacing %s: %w", target, err)
	}
	if err := os.Rename(filepath.Join(o.staging, "manifest.json"), manifestPath); err != nil {
		return fmt.Errorf("writing manifest: %w", err)
	}
	return nil
}

// abort removes the staging folder (and, after commit, the old output).
func (o *stagedOutput) abort() { os.RemoveAll(o.staging) }
