package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/leastpriv/pare/emit"
	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/k8s"
	"github.com/leastpriv/pare/synth/k8s/podsec"
	"github.com/leastpriv/pare/usage"
	k8smanifest "github.com/leastpriv/pare/usage/k8s/manifest"
)

// renderRBAC writes a principal's Roles and bindings (YAML, Terraform) and
// evidence under k8s/, and records them in its manifest entry.
func renderRBAC(out *stagedOutput, stem string, entry *manifestPrincipal, p k8s.Policy, used []synth.Access, o generateOptions, window synth.Window) error {
	for _, r := range p.Rejected {
		entry.Warnings = append(entry.Warnings, fmt.Sprintf("not granted, %s: %q on %q", r.Reason, r.Access.Action, r.Access.Resource))
	}
	for _, g := range p.Generalizations {
		for _, a := range g.Actions {
			entry.Generalizations = append(entry.Generalizations, manifestGeneralization{Action: a, Resource: g.Detail, Reason: g.Reason})
		}
	}
	if len(p.AlreadyGranted) > 0 {
		entry.Notes = append(entry.Notes, fmt.Sprintf("%d accesses are already allowed by existing RBAC and left out", len(p.AlreadyGranted)))
	}
	if len(p.Roles) == 0 {
		return nil
	}
	actions, inferred := make(map[string]bool), make(map[string]bool)
	for _, r := range p.Roles {
		for _, rule := range r.Rules {
			for _, ev := range rule.Evidence {
				// inferred only when no rule shows the action observed
				inferred[ev.Action] = (inferred[ev.Action] || !actions[ev.Action]) && ev.Inferred
				actions[ev.Action] = true
			}
		}
	}
	entry.Actions = slices.Sorted(maps.Keys(actions))
	for _, a := range entry.Actions {
		if inferred[a] {
			entry.Inferred = append(entry.Inferred, a)
		}
	}

	write := func(name string, render func(w io.Writer) error) error { return out.render(entry, name, render) }
	base := "k8s/" + stem
	// A principal whose RBAC the API server would refuse (names a forged
	// audit line made up) gets a warning; the others are still written.
	var rbacYAML bytes.Buffer
	if err := emit.K8sRBACYAML(&rbacYAML, p, window); err != nil {
		entry.Actions, entry.Inferred = []string{}, nil
		entry.Warnings = append(entry.Warnings, fmt.Sprintf("no RBAC written: %v", err))
		return nil
	}
	entry.Notes = append(entry.Notes, emit.K8sUnobservable)
	if o.yaml {
		if err := write(base+".rbac.yaml", func(w io.Writer) error { _, err := w.Write(rbacYAML.Bytes()); return err }); err != nil {
			return err
		}
	}
	if o.tf {
		if err := out.renderTerraform(entry, base+".tf", func(w io.Writer) error { return emit.K8sRBACTerraform(w, p, window) }); err != nil {
			return err
		}
	}
	return write(base+".evidence.json", func(w io.Writer) error { return emit.K8sEvidence(w, p, window) })
}

// verifyRBAC fails loudly when the RBAC generated for a principal, with what
// is already granted, does not allow the usage it came from.
func verifyRBAC(p k8s.Policy, used []synth.Access, grants *k8s.GrantIndex) error {
	if err := grants.Verify(p, used); err != nil {
		return fmt.Errorf("internal error: %w; nothing was written", err)
	}
	return nil
}

// k8sGrantsSource names the store's snapshot of the RBAC a cluster has
// today: each load of --grants replaces the previous one.
const k8sGrantsSource = "k8s-rbac"

// readK8sDeclared reads the declared side of a cluster: manifests (files,
// directories) and live clusters (k8s://CONTEXT).
func readK8sDeclared(ctx context.Context, env *environment, specs []string, what string) (k8smanifest.Result, error) {
	var files, contexts []string
	for _, s := range specs {
		if name, ok := strings.CutPrefix(s, "k8s://"); ok {
			contexts = append(contexts, name)
			continue
		}
		files = append(files, s)
	}
	var res k8smanifest.Result
	if len(files) > 0 {
		got, err := k8smanifest.Read(files, k8smanifest.Options{}, k8s.DefaultClusterRole)
		if err != nil {
			return res, withHint(err, what+" takes Kubernetes manifests (YAML or JSON files, directories) or k8s://CONTEXT")
		}
		res = got
	}
	for _, c := range contexts {
		got, err := readCluster(ctx, env, c)
		if err != nil {
			return res, err
		}
		res.Workloads = append(res.Workloads, got.Workloads...)
		res.Grants = append(res.Grants, got.Grants...)
		res.Objects += got.Objects
		res.Problems = append(res.Problems, got.Problems...)
	}
	for _, p := range res.Problems {
		fmt.Fprintf(env.stderr, "pare: warning: %s\n", p)
	}
	return res, nil
}

// loadK8sGrants reads RBAC from manifests or clusters and stores it as the
// current grants snapshot. It returns the grants.
func loadK8sGrants(ctx context.Context, env *environment, store *usage.Store, specs []string) ([]k8s.Grant, error) {
	res, err := readK8sDeclared(ctx, env, specs, "--grants")
	if err != nil {
		return nil, err
	}
	if err := store.ReplaceGrants(ctx, "k8s", k8sGrantsSource, k8smanifest.GrantRecords(res.Grants)); err != nil {
		return nil, err
	}
	fmt.Fprintf(env.stderr, "pare: grants: %d Kubernetes objects read; %d RBAC rules bound to subjects stored; %d problems\n",
		res.Objects, len(res.Grants), len(res.Problems))
	return res.Grants, nil
}

// storedK8sGrants reads the stored RBAC snapshot back.
func storedK8sGrants(ctx context.Context, store *usage.Store) ([]k8s.Grant, error) {
	rows, err := store.Grants(ctx, "k8s")
	if err != nil {
		return nil, err
	}
	return k8smanifest.GrantsFromRecords(rows)
}

// k8sPolicyWriter synthesizes, verifies and writes RBAC for each partition
// of principals, subtracting the stored grants and Kubernetes' bootstrap
// discovery roles.
func k8sPolicyWriter(out *stagedOutput, o generateOptions, window synth.Window, stems map[string]string, granted []k8s.Grant) policyWriter {
	grants := k8s.IndexGrants(granted) // read-only: shared by the parallel writers
	return func(m *manifest, accesses []synth.Access) error {
		usedBy := byPrincipal(accesses)
		policies := k8s.Synthesize(accesses, granted, o.k8s)
		return eachInParallel(len(policies), func(i int) string { return policies[i].Principal }, m, func(i int, entry *manifestPrincipal) error {
			p := policies[i]
			if err := verifyRBAC(p, usedBy[p.Principal], grants); err != nil {
				return err
			}
			return renderRBAC(out, stems[p.Principal], entry, p, usedBy[p.Principal], o, window)
		})
	}
}

// apiCallers is the set of principals that made Kubernetes API calls in
// the window.
type apiCallers map[string]bool

func newAPICallers(principals []usage.Principal) apiCallers {
	c := make(apiCallers, len(principals))
	for _, p := range principals {
		c[p.Principal] = true
	}
	return c
}

// called reports whether w's service account ("default" when it names
// none) made API calls.
func (c apiCallers) called(w podsec.Workload) bool {
	sa := w.ServiceAccount
	if sa == "" {
		sa = "default"
	}
	return c[k8smanifest.Principal(k8s.Subject{Kind: "ServiceAccount", Namespace: w.Namespace, Name: sa})]
}

// writeWorkloads recommends a securityContext for every declared workload
// (--workloads) from the runtime evidence (--runtime) and from whether its
// service account made API calls in the window, and writes under
// k8s/workloads/ one strategic-merge patch and one evidence file per
// workload, plus a kustomization.yaml that applies the patches.
func writeWorkloads(ctx context.Context, env *environment, out *stagedOutput, m *manifest, o generateOptions, principals []usage.Principal) error {
	declared, err := readK8sDeclared(ctx, env, o.workloads, "--workloads")
	if err != nil {
		return err
	}
	obs, err := readRuntime(env, o.runtime)
	if err != nil {
		return err
	}
	callers := newAPICallers(principals)
	matched, unmatched := podsec.Match(declared.Workloads, obs)
	for _, u := range unmatched {
		fmt.Fprintf(env.stderr, "pare: warning: runtime evidence of %s/%s container %q (%s) matches no workload: %s\n",
			u.Observation.Namespace, u.Observation.Pod, u.Observation.Container, u.Observation.Source, u.Reason)
	}
	recs := make([]podsec.Recommendation, len(matched))
	for i, mw := range matched {
		recs[i] = podsec.Recommend(mw.Workload, mw.Observations(), callers.called(mw.Workload), podsec.Options{})
	}
	patches, evidence := emit.PodSecFileNames(recs)
	const dir = "k8s/workloads/"
	var written []emit.PatchRef
	for i, rec := range recs {
		entry := &manifestWorkload{Kind: rec.Workload.Kind, Namespace: rec.Workload.Namespace, Name: rec.Workload.Name, Notes: rec.Notes}
		for _, c := range rec.Containers {
			entry.RuntimeEvidence = entry.RuntimeEvidence || c.Evidence != nil
		}
		for _, f := range rec.Findings {
			where := "pod"
			if f.Container != "" {
				where = "container " + f.Container
			}
			entry.Findings = append(entry.Findings, fmt.Sprintf("%s: %s %s=%s (%s): %s", f.Severity, where, f.Field, f.Value, f.Provenance, f.Message))
		}
		var patch bytes.Buffer
		if err := emit.PodSecPatch(&patch, rec); err != nil {
			// A name the API server would refuse, or invalid UTF-8: the
			// workload is reported, the others still get their patches.
			fmt.Fprintf(env.stderr, "pare: warning: %s %s/%s: no securityContext patch written: %v\n", rec.Workload.Kind, rec.Workload.Namespace, rec.Workload.Name, err)
			continue
		}
		var ev bytes.Buffer
		if err := emit.PodSecEvidence(&ev, rec); err != nil {
			return fmt.Errorf("rendering %s: %w", dir+evidence[i], err)
		}
		for _, f := range []struct {
			name string
			body []byte
		}{{dir + patches[i].Path, patch.Bytes()}, {dir + evidence[i], ev.Bytes()}} {
			if err := out.write(f.name, f.body); err != nil {
				return err
			}
			entry.Files = append(entry.Files, f.name)
		}
		written = append(written, patches[i])
		m.Workloads = append(m.Workloads, entry)
	}
	if len(written) > 0 {
		var k bytes.Buffer
		if err := emit.Kustomization(&k, written); err != nil {
			return fmt.Errorf("rendering %skustomization.yaml: %w", dir, err)
		}
		if err := out.write(dir+"kustomization.yaml", k.Bytes()); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.stderr, "pare: workloads: %d read, %d securityContext patches written to %s%s; %d runtime observations, %d unmatched\n",
		len(declared.Workloads), len(written), o.out+"/", dir, len(obs), len(unmatched))
	return nil
}
