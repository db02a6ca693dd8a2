package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/leastpriv/pare/cmd/pare/internal/gitwork"
	"github.com/leastpriv/pare/cmd/pare/internal/prconfig"
	"github.com/leastpriv/pare/emit"
	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/k8s"
	"github.com/leastpriv/pare/synth/k8s/podsec"
	"github.com/leastpriv/pare/synth/remediate"
	"github.com/leastpriv/pare/usage"
	k8smanifest "github.com/leastpriv/pare/usage/k8s/manifest"
)

// prRenderK8s writes each managed user's or service account's RBAC (YAML),
// keeping objects annotated pare.dev/keep: "true" as they are.
func prRenderK8s(ctx context.Context, cfg prconfig.Config, m prconfig.Manage, store *usage.Store, repo *gitwork.Repo, baseSHA string, used []synth.Access, window synth.Window) ([]prFile, error) {
	granted, err := storedK8sGrants(ctx, store)
	if err != nil {
		return nil, err
	}
	allowed := allowedOf(used, cfg.IncludeDenied)
	usedBy := byPrincipal(used)
	policies := k8s.Synthesize(allowed, granted, k8s.Options{})
	stems := stemsOf(policies, func(p k8s.Policy) string { return p.Principal })
	var paths []string
	for _, p := range policies {
		if len(p.Roles) > 0 {
			paths = append(paths, m.PathFor(stems[p.Principal]))
		}
	}
	// The files there now, read at once; a new file has no entry.
	current, err := repo.ReadFiles(ctx, baseSHA, paths)
	if err != nil {
		return nil, err
	}
	var out []prFile
	for _, p := range policies {
		if len(p.Roles) == 0 {
			continue
		}
		stem := stems[p.Principal]
		path := m.PathFor(stem)
		old := current[path]
		var existing []remediate.K8sObject
		switch {
		case old != nil && m.Format == prconfig.FormatTerraform:
			existing, err = decodeK8sTerraform(path, old)
		default:
			existing, err = decodeK8sRBAC(path, old)
		}
		if err != nil {
			return nil, withHint(err, "pare replaces the RBAC files it wrote; annotate objects to keep with pare.dev/keep: \"true\"")
		}
		plan, err := remediate.PlanK8s(remediate.K8sInput{Existing: existing, New: p, Used: usedBy[p.Principal], Granted: granted})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := remediate.Check(plan, usedBy[p.Principal], window, cfg.MinWindow); err != nil {
			return nil, prCheckError(path, err)
		}
		merged, err := remediate.MergeKeptK8s(p, existing)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		var b bytes.Buffer
		if m.Format == prconfig.FormatTerraform {
			err = emit.K8sRBACTerraform(&b, merged.Policy, window)
		} else {
			err = emit.K8sRBACYAML(&b, merged.Policy, window)
		}
		if err != nil {
			return nil, fmt.Errorf("rendering %s: %w", path, err)
		}
		content := merged.YAML(b.Bytes())
		if m.Format == prconfig.FormatTerraform {
			content = merged.Terraform(b.Bytes())
		}
		out = append(out, prFile{path: path, content: content, plan: plan, branch: branchFor(cfg, "k8s", stem)})
	}
	return out, nil
}

// decodeK8sRBAC reads the RBAC objects of a managed YAML file, each with
// its own text and whether it is annotated to keep. Objects of other kinds
// are an error: pare rewrites the whole file.
func decodeK8sRBAC(path string, data []byte) ([]remediate.K8sObject, error) {
	if data == nil {
		return nil, nil
	}
	var out []remediate.K8sObject
	line := 1
	for _, doc := range splitYAMLDocuments(string(data)) {
		start := line
		line += strings.Count(doc, "\n")
		if strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(doc), "---")) == "" {
			continue
		}
		objs, err := k8smanifest.Decode(fmt.Sprintf("%s (document at line %d)", path, start), strings.NewReader(doc), k8smanifest.Options{})
		if err != nil {
			return nil, err
		}
		if len(objs.Problems) > 0 {
			return nil, fmt.Errorf("%s", objs.Problems[0])
		}
		for _, o := range objs.Items {
			obj := remediate.K8sObject{Source: doc, Line: start}
			switch v := o.Obj.(type) {
			case *rbacv1.Role:
				obj.Kind, obj.Role = "Role", k8s.Role{Namespace: v.Namespace, Name: v.Name, Rules: rulesOf(v.Rules)}
				obj.Keep = v.Annotations[remediate.K8sKeepAnnotation] == "true"
			case *rbacv1.ClusterRole:
				obj.Kind, obj.Role = "ClusterRole", k8s.Role{Name: v.Name, Rules: rulesOf(v.Rules)}
				obj.Keep = v.Annotations[remediate.K8sKeepAnnotation] == "true"
			case *rbacv1.RoleBinding:
				obj.Kind, obj.Bindings = "RoleBinding", bindingsOf(v.Namespace, v.Name, v.RoleRef, v.Subjects)
				obj.Keep = v.Annotations[remediate.K8sKeepAnnotation] == "true"
			case *rbacv1.ClusterRoleBinding:
				obj.Kind, obj.Bindings = "ClusterRoleBinding", bindingsOf("", v.Name, v.RoleRef, v.Subjects)
				obj.Keep = v.Annotations[remediate.K8sKeepAnnotation] == "true"
			default:
				return nil, fmt.Errorf("%s:%d: a %T in a file pare manages: it holds only RBAC objects", path, start, o.Obj)
			}
			out = append(out, obj)
		}
		if objs.Documents > 0 && len(objs.Items) == 0 {
			return nil, fmt.Errorf("%s:%d: a document pare cannot read back (%v): it holds only RBAC objects", path, start, objs.Skipped)
		}
	}
	return out, nil
}

// splitYAMLDocuments splits a YAML stream at its "---" lines, each document
// keeping its separator line, so that joined they give the stream back.
func splitYAMLDocuments(s string) []string {
	var docs []string
	var cur strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if strings.HasPrefix(l, "---") && strings.TrimSpace(strings.TrimPrefix(l, "---")) == "" && cur.Len() > 0 {
			docs = append(docs, cur.String())
			cur.Reset()
		}
		cur.WriteString(l)
	}
	if cur.Len() > 0 {
		docs = append(docs, cur.String())
	}
	return docs
}

func rulesOf(rs []rbacv1.PolicyRule) []k8s.Rule {
	out := make([]k8s.Rule, len(rs))
	for i, r := range rs {
		out[i] = k8s.Rule{Verbs: r.Verbs, APIGroups: r.APIGroups, Resources: r.Resources, ResourceNames: r.ResourceNames, NonResourceURLs: r.NonResourceURLs}
	}
	return out
}

func bindingsOf(namespace, name string, ref rbacv1.RoleRef, subjects []rbacv1.Subject) []k8s.Binding {
	out := make([]k8s.Binding, 0, len(subjects))
	for _, s := range subjects {
		out = append(out, k8s.Binding{Namespace: namespace, Name: name, RoleKind: ref.Kind, RoleName: ref.Name,
			Subject: k8s.Subject{Kind: s.Kind, Name: s.Name, Namespace: s.Namespace}})
	}
	return out
}

// prWorkloads writes a securityContext patch for every workload of the
// repository (its manifests at the base commit) that the block's workloads
// globs match: the restricted profile plus a read-only root, kept to what
// the declared spec needs (no runtime evidence is read here), and the
// service account token unmounted when the account made no API call in the
// window.
func prWorkloads(ctx context.Context, cfg prconfig.Config, m prconfig.Manage, store *usage.Store, repo *gitwork.Repo, baseSHA string, window synth.Window) ([]prFile, error) {
	paths, err := repo.ListFiles(ctx, baseSHA, "")
	if err != nil {
		return nil, err
	}
	var manifests []string
	for _, path := range paths {
		ext := strings.ToLower(path[strings.LastIndex(path, ".")+1:])
		if ext != "yaml" && ext != "yml" && ext != "json" || m.Owns(path) {
			continue
		}
		manifests = append(manifests, path)
	}
	contents, err := repo.ReadFiles(ctx, baseSHA, manifests)
	if err != nil {
		return nil, err
	}
	var objs []k8smanifest.Object
	for _, path := range manifests {
		got, err := k8smanifest.Decode(path, bytes.NewReader(contents[path]), k8smanifest.Options{})
		if err != nil {
			continue // not a manifest pare can read; it declares no workload
		}
		objs = append(objs, got.Items...)
	}
	declared := k8smanifest.Convert(objs, nil)
	principals, err := store.Principals(ctx, usage.Query{Provider: "k8s", Window: window})
	if err != nil {
		return nil, storeError(err)
	}
	callers := newAPICallers(principals)
	var recs []podsec.Recommendation
	for _, w := range declared.Workloads {
		if !m.MatchWorkload(w.Namespace, w.Name) {
			continue
		}
		recs = append(recs, podsec.Recommend(w, nil, callers.called(w), podsec.Options{}))
	}
	refs, _ := emit.PodSecFileNames(recs)
	stems := make([]string, len(recs))
	patches := make([]string, len(recs))
	for i := range recs {
		stems[i] = strings.TrimSuffix(refs[i].Path, ".patch.yaml")
		patches[i] = m.WorkloadsPathFor(stems[i])
	}
	// Only whether each patch is there already matters: it says NewFile.
	current, err := repo.ReadFiles(ctx, baseSHA, patches)
	if err != nil {
		return nil, err
	}
	var out []prFile
	for i, rec := range recs {
		stem, path := stems[i], patches[i]
		var b bytes.Buffer
		if err := emit.PodSecPatch(&b, rec); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		_, exists := current[path]
		plan := remediate.Plan{Principal: rec.Workload.Kind + " " + rec.Workload.Namespace + "/" + rec.Workload.Name, Provider: "k8s", NewFile: !exists,
			Notes: append([]string{"securityContext patch for " + rec.Workload.Source + "; no runtime evidence was read, so each field is from the declared spec or default hardening (see pare generate --runtime)"}, rec.Notes...)}
		for _, f := range rec.Findings {
			plan.Notes = append(plan.Notes, fmt.Sprintf("%s risk kept for review: %s %s=%s: %s", f.Severity, f.Container, f.Field, f.Value, f.Message))
		}
		out = append(out, prFile{path: path, content: b.Bytes(), plan: plan, branch: branchFor(cfg, "k8s", stem)})
	}
	return out, nil
}
