package emit

import (
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"sigs.k8s.io/yaml"

	"github.com/leastpriv/pare/synth/k8s/podsec"
)

// PatchRef is one patch file a kustomization applies, and the object it
// patches.
type PatchRef struct {
	Path      string // relative to the kustomization, e.g. "deployment-shop-web.patch.yaml"
	Kind      string
	Name      string
	Namespace string
}

// kustomization is the part of kustomize's Kustomization that pare
// writes.
type kustomization struct {
	APIVersion string           `json:"apiVersion"`
	Kind       string           `json:"kind"`
	Patches    []kustomizePatch `json:"patches"`
}

type kustomizePatch struct {
	Path   string          `json:"path"`
	Target kustomizeTarget `json:"target"`
}

type kustomizeTarget struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// Kustomization writes a kustomization.yaml (kustomize.config.k8s.io/v1beta1)
// whose patches apply each patch file to its target (kind, name and
// namespace), sorted by namespace, kind, name and path. It lists no
// resources: add the workloads' manifests (or a base) under resources, or
// copy its patches into an existing overlay.
//
// Paths must be relative, clean, without ".." and printable; every string
// must be valid UTF-8; otherwise Kustomization writes nothing and returns
// an error. Names are values in YAML written by sigs.k8s.io/yaml.
func Kustomization(w io.Writer, patches []PatchRef) error {
	refs := append([]PatchRef(nil), patches...)
	sort.Slice(refs, func(i, j int) bool {
		a, b := refs[i], refs[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Path < b.Path
	})
	k := kustomization{APIVersion: "kustomize.config.k8s.io/v1beta1", Kind: "Kustomization", Patches: []kustomizePatch{}}
	for _, r := range refs {
		for _, s := range []string{r.Path, r.Kind, r.Name, r.Namespace} {
			if !utf8.ValidString(s) {
				return fmt.Errorf("kustomization: %q is not valid UTF-8", s)
			}
			for _, c := range s {
				if !unicode.IsPrint(c) {
					return fmt.Errorf("kustomization: %q holds an invisible or control character %U", s, c)
				}
			}
		}
		if r.Path == "" || strings.HasPrefix(r.Path, "/") || path.Clean(r.Path) != r.Path || r.Path == ".." || strings.HasPrefix(r.Path, "../") {
			return fmt.Errorf("kustomization: patch path %q is not a clean relative path inside the kustomization", r.Path)
		}
		if r.Kind == "" || r.Name == "" {
			return fmt.Errorf("kustomization: patch %q has no target kind or name", r.Path)
		}
		k.Patches = append(k.Patches, kustomizePatch{Path: r.Path, Target: kustomizeTarget{Kind: r.Kind, Name: r.Name, Namespace: r.Namespace}})
	}
	out, err := yaml.Marshal(k)
	if err != nil {
		return fmt.Errorf("writing kustomization: %w", err)
	}
	_, err = w.Write(out)
	return err
}

// PodSecFileNames names the files of each recommendation, in recs' order:
// the patch (its PatchRef, path "<stem>.patch.yaml") and the evidence
// ("<stem>.evidence.json"). Stems come from FileNames over
// "<kind>/<namespace>/<name>" with the kind in lower case, so they read
// "deployment-shop-web", are distinct (ignoring case) and safe as file
// names whatever the names hold.
func PodSecFileNames(recs []podsec.Recommendation) (patches []PatchRef, evidence []string) {
	keys := make([]string, len(recs))
	for i, r := range recs {
		keys[i] = strings.ToLower(r.Workload.Kind) + "/" + r.Workload.Namespace + "/" + r.Workload.Name
	}
	stems := FileNames(keys)
	for i, r := range recs {
		stem := stems[keys[i]]
		patches = append(patches, PatchRef{Path: stem + ".patch.yaml", Kind: r.Workload.Kind, Name: r.Workload.Name, Namespace: r.Workload.Namespace})
		evidence = append(evidence, stem+".evidence.json")
	}
	return patches, evidence
}
