package emit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/leastpriv/pare/synth/k8s/podsec"
)

// PodSecPatch writes rec as a strategic-merge patch for its workload, the
// kind kustomize's `patches` and `kubectl patch --type strategic` take: a
// typed object (apps/v1 Deployment, StatefulSet, DaemonSet or ReplicaSet;
// batch/v1 Job or CronJob; core/v1 Pod) with apiVersion, kind, name and
// namespace, whose pod template holds only what rec recommends: the pod's
// securityContext and automountServiceAccountToken, each container's
// securityContext and added emptyDir mounts (containers and init
// containers are merged by name, mounts by mountPath) and the added
// emptyDir volumes (merged by name). A nil field of rec is left out, so
// the workload keeps what it declares there.
//
// The typed object is marshalled to JSON, its status is dropped, and every
// null, empty string and empty object the typed structs write for fields
// nobody set is dropped before it becomes YAML (with sigs.k8s.io/yaml): in a merge patch null
// deletes a field (a Deployment's selector) and "" sets one (a CronJob's
// schedule). The one empty value kept is emptyDir: {}, the volume's type.
// A container whose added capabilities rec empties gets "add: []", which
// replaces the declared list (the typed struct omits empty lists).
//
// Provenance cannot ride along as comments in typed output, and an
// annotation on the patch would be merged into the workload and change it
// on every run: it goes to a separate file, PodSecEvidence.
//
// The patch of a bare Pod is for its manifest: the API server refuses
// changes to a running pod's securityContext.
//
// Like every emit renderer PodSecPatch writes nothing and returns an error
// when a string is not valid UTF-8, and also when a name is one the API
// server would refuse (workload names are DNS subdomains, namespaces,
// containers and volumes DNS labels), a mount path is not a clean absolute
// path, or a string holds a character a reviewer cannot see.
func PodSecPatch(w io.Writer, rec podsec.Recommendation) error {
	if err := checkPodSec(rec); err != nil {
		return err
	}
	obj, specPath, err := podsecObject(rec)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return fmt.Errorf("encoding the patch of %s: %w", podsecWhat(rec), err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // user ids are int64: keep them exact
	var tree map[string]any
	if err := dec.Decode(&tree); err != nil {
		return fmt.Errorf("decoding the patch of %s: %w", podsecWhat(rec), err)
	}
	delete(tree, "status") // its counters are not omitempty: replicas: 0
	pruned, _ := pruneUnset(tree, "")
	tree, _ = pruned.(map[string]any)
	if err := emptyCapabilityAdds(tree, specPath, rec); err != nil {
		return err
	}
	j, err := json.Marshal(tree)
	if err != nil {
		return fmt.Errorf("encoding the patch of %s: %w", podsecWhat(rec), err)
	}
	out, err := yaml.JSONToYAML(j)
	if err != nil {
		return fmt.Errorf("writing the patch of %s as YAML: %w", podsecWhat(rec), err)
	}
	_, err = w.Write(out)
	return err
}

// podsecWhat names rec's workload in errors.
func podsecWhat(rec podsec.Recommendation) string {
	return fmt.Sprintf("%s %q in namespace %q", rec.Workload.Kind, rec.Workload.Name, rec.Workload.Namespace)
}

// podsecObject builds the typed patch object and says where its pod spec
// is.
func podsecObject(rec podsec.Recommendation) (any, []string, error) {
	wl := rec.Workload
	meta := metav1.ObjectMeta{Name: wl.Name, Namespace: wl.Namespace}
	spec, err := podsecPodSpec(rec)
	if err != nil {
		return nil, nil, err
	}
	template := corev1.PodTemplateSpec{Spec: spec}
	apps := metav1.TypeMeta{APIVersion: "apps/v1", Kind: wl.Kind}
	batch := metav1.TypeMeta{APIVersion: "batch/v1", Kind: wl.Kind}
	templatePath := []string{"spec", "template", "spec"}
	switch wl.Kind {
	case "Deployment":
		return &appsv1.Deployment{TypeMeta: apps, ObjectMeta: meta, Spec: appsv1.DeploymentSpec{Template: template}}, templatePath, nil
	case "StatefulSet":
		return &appsv1.StatefulSet{TypeMeta: apps, ObjectMeta: meta, Spec: appsv1.StatefulSetSpec{Template: template}}, templatePath, nil
	case "DaemonSet":
		return &appsv1.DaemonSet{TypeMeta: apps, ObjectMeta: meta, Spec: appsv1.DaemonSetSpec{Template: template}}, templatePath, nil
	case "ReplicaSet":
		return &appsv1.ReplicaSet{TypeMeta: apps, ObjectMeta: meta, Spec: appsv1.ReplicaSetSpec{Template: template}}, templatePath, nil
	case "Job":
		return &batchv1.Job{TypeMeta: batch, ObjectMeta: meta, Spec: batchv1.JobSpec{Template: template}}, templatePath, nil
	case "CronJob":
		return &batchv1.CronJob{TypeMeta: batch, ObjectMeta: meta,
				Spec: batchv1.CronJobSpec{JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: template}}}},
			[]string{"spec", "jobTemplate", "spec", "template", "spec"}, nil
	case "Pod":
		return &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: meta, Spec: spec}, []string{"spec"}, nil
	}
	return nil, nil, fmt.Errorf("%s: kind %q is not a workload pare patches", podsecWhat(rec), wl.Kind)
}

// podsecPodSpec is the pod spec part of the patch.
func podsecPodSpec(rec podsec.Recommendation) (corev1.PodSpec, error) {
	var spec corev1.PodSpec
	p := rec.Pod
	psc := &corev1.PodSecurityContext{
		RunAsNonRoot: boolValue(p.RunAsNonRoot),
		RunAsUser:    intValue(p.RunAsUser),
		RunAsGroup:   intValue(p.RunAsGroup),
		FSGroup:      intValue(p.FSGroup),
	}
	if p.SeccompProfile != nil {
		profile, err := seccompProfile(p.SeccompProfile.Value)
		if err != nil {
			return spec, fmt.Errorf("%s: %w", podsecWhat(rec), err)
		}
		psc.SeccompProfile = profile
	}
	spec.SecurityContext = psc
	spec.AutomountServiceAccountToken = boolValue(rec.AutomountServiceAccountToken)
	for _, v := range rec.Volumes {
		spec.Volumes = append(spec.Volumes, corev1.Volume{Name: v.Name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	}
	for _, c := range rec.Containers {
		sc := &corev1.SecurityContext{
			Privileged:               boolValue(c.Privileged),
			AllowPrivilegeEscalation: boolValue(c.AllowPrivilegeEscalation),
			RunAsNonRoot:             boolValue(c.RunAsNonRoot),
			RunAsUser:                intValue(c.RunAsUser),
			RunAsGroup:               intValue(c.RunAsGroup),
			ReadOnlyRootFilesystem:   boolValue(c.ReadOnlyRootFilesystem),
		}
		if c.CapabilitiesAdd != nil || c.CapabilitiesDrop != nil {
			sc.Capabilities = &corev1.Capabilities{}
			if c.CapabilitiesAdd != nil {
				sc.Capabilities.Add = capabilities(c.CapabilitiesAdd.Value)
			}
			if c.CapabilitiesDrop != nil {
				sc.Capabilities.Drop = capabilities(c.CapabilitiesDrop.Value)
			}
		}
		if c.SeccompProfile != nil {
			profile, err := seccompProfile(c.SeccompProfile.Value)
			if err != nil {
				return spec, fmt.Errorf("%s: container %q: %w", podsecWhat(rec), c.Name, err)
			}
			sc.SeccompProfile = profile
		}
		ctr := corev1.Container{Name: c.Name, SecurityContext: sc}
		for _, m := range c.Mounts {
			ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: m.Name, MountPath: m.MountPath})
		}
		if c.Init {
			spec.InitContainers = append(spec.InitContainers, ctr)
		} else {
			spec.Containers = append(spec.Containers, ctr)
		}
	}
	return spec, nil
}

func boolValue(f *podsec.Field[bool]) *bool {
	if f == nil {
		return nil
	}
	v := f.Value
	return &v
}

func intValue(f *podsec.Field[int64]) *int64 {
	if f == nil {
		return nil
	}
	v := f.Value
	return &v
}

func capabilities(names []string) []corev1.Capability {
	var out []corev1.Capability
	for _, n := range names {
		out = append(out, corev1.Capability(n))
	}
	return out
}

// seccompProfile turns podsec's spelling ("RuntimeDefault", "Unconfined",
// "Localhost/<profile>") into the API's.
func seccompProfile(s string) (*corev1.SeccompProfile, error) {
	switch {
	case s == string(corev1.SeccompProfileTypeRuntimeDefault), s == string(corev1.SeccompProfileTypeUnconfined):
		return &corev1.SeccompProfile{Type: corev1.SeccompProfileType(s)}, nil
	case strings.HasPrefix(s, "Localhost/") && len(s) > len("Localhost/"):
		profile := strings.TrimPrefix(s, "Localhost/")
		return &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost, LocalhostProfile: &profile}, nil
	}
	return nil, fmt.Errorf("seccomp profile %q is not RuntimeDefault, Unconfined or Localhost/<profile>", s)
}

// pruneUnset drops what the typed structs write for fields nobody set:
// null, "", and objects left empty, except emptyDir: {}. keep is false when
// v itself goes.
func pruneUnset(v any, key string) (any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, false
	case string:
		return x, x != ""
	case map[string]any:
		for k, child := range x {
			if pruned, keep := pruneUnset(child, k); keep {
				x[k] = pruned
			} else {
				delete(x, k)
			}
		}
		return x, len(x) > 0 || key == "emptyDir"
	case []any:
		out := x[:0]
		for _, item := range x {
			if pruned, keep := pruneUnset(item, ""); keep {
				out = append(out, pruned)
			}
		}
		return out, len(out) > 0
	}
	return v, true
}

// emptyCapabilityAdds writes "add: []" for the containers whose added
// capabilities rec empties.
func emptyCapabilityAdds(tree map[string]any, specPath []string, rec podsec.Recommendation) error {
	spec := tree
	for _, k := range specPath {
		next, ok := spec[k].(map[string]any)
		if !ok {
			return fmt.Errorf("patch of %s has no %s", podsecWhat(rec), strings.Join(specPath, "."))
		}
		spec = next
	}
	for _, c := range rec.Containers {
		if c.CapabilitiesAdd == nil || len(c.CapabilitiesAdd.Value) > 0 {
			continue
		}
		list := "containers"
		if c.Init {
			list = "initContainers"
		}
		items, _ := spec[list].([]any)
		for _, item := range items {
			ctr, _ := item.(map[string]any)
			if ctr["name"] != c.Name {
				continue
			}
			sc, _ := ctr["securityContext"].(map[string]any)
			if sc == nil {
				sc = map[string]any{}
				ctr["securityContext"] = sc
			}
			caps, _ := sc["capabilities"].(map[string]any)
			if caps == nil {
				caps = map[string]any{}
				sc["capabilities"] = caps
			}
			caps["add"] = []any{}
		}
	}
	return nil
}

// checkPodSec checks every string the patch carries: valid UTF-8, names
// the API server accepts, clean absolute mount paths, nothing invisible.
func checkPodSec(rec podsec.Recommendation) error {
	wl := rec.Workload
	fail := func(format string, args ...any) error {
		return fmt.Errorf("patch of %s: %s", podsecWhat(rec), fmt.Sprintf(format, args...))
	}
	if err := eachPodSecString(rec, func(what, s string) error {
		if !utf8.ValidString(s) {
			return fail("%s %q is not valid UTF-8", what, s)
		}
		for _, r := range s {
			if !unicode.IsPrint(r) {
				return fail("%s %q holds an invisible or control character %U", what, s, r)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if msgs := content.IsDNS1123Subdomain(wl.Name); len(msgs) > 0 {
		return fail("name %q: %s", wl.Name, strings.Join(msgs, "; "))
	}
	if msgs := content.IsDNS1123Label(wl.Namespace); wl.Namespace != "" && len(msgs) > 0 {
		return fail("namespace %q: %s", wl.Namespace, strings.Join(msgs, "; "))
	}
	seen := make(map[string]bool)
	for _, c := range rec.Containers {
		if msgs := content.IsDNS1123Label(c.Name); len(msgs) > 0 {
			return fail("container name %q: %s", c.Name, strings.Join(msgs, "; "))
		}
		if seen[c.Name] {
			return fail("container %q appears twice", c.Name)
		}
		seen[c.Name] = true
		for _, m := range c.Mounts {
			if !strings.HasPrefix(m.MountPath, "/") || strings.Contains(m.MountPath, ":") || path.Clean(m.MountPath) != m.MountPath {
				return fail("container %q: mount path %q is not a clean absolute path", c.Name, m.MountPath)
			}
		}
	}
	volumes := make(map[string]bool)
	for _, v := range rec.Volumes {
		if msgs := content.IsDNS1123Label(v.Name); len(msgs) > 0 {
			return fail("volume name %q: %s", v.Name, strings.Join(msgs, "; "))
		}
		if volumes[v.Name] {
			return fail("volume %q appears twice", v.Name)
		}
		volumes[v.Name] = true
	}
	for _, c := range rec.Containers {
		for _, m := range c.Mounts {
			if !volumes[m.Name] {
				return fail("container %q mounts volume %q, which the patch does not add", c.Name, m.Name)
			}
		}
	}
	return nil
}

// eachPodSecString calls f with every string the patch of rec carries and
// what it is, and stops at the first error.
func eachPodSecString(rec podsec.Recommendation, f func(what, s string) error) error {
	wl := rec.Workload
	check := func(what string, ss ...string) error {
		for _, s := range ss {
			if err := f(what, s); err != nil {
				return err
			}
		}
		return nil
	}
	if err := check("kind, name or namespace", wl.Kind, wl.Name, wl.Namespace); err != nil {
		return err
	}
	if p := rec.Pod.SeccompProfile; p != nil {
		if err := check("seccomp profile", p.Value); err != nil {
			return err
		}
	}
	for _, v := range rec.Volumes {
		if err := check("volume name", v.Name); err != nil {
			return err
		}
	}
	for _, c := range rec.Containers {
		if err := check("container name", c.Name); err != nil {
			return err
		}
		for _, field := range []*podsec.Field[[]string]{c.CapabilitiesAdd, c.CapabilitiesDrop} {
			if field == nil {
				continue
			}
			if err := check("capability", field.Value...); err != nil {
				return err
			}
		}
		if c.SeccompProfile != nil {
			if err := check("seccomp profile", c.SeccompProfile.Value); err != nil {
				return err
			}
		}
		for _, m := range c.Mounts {
			if err := check("mount", m.Name, m.MountPath); err != nil {
				return err
			}
		}
	}
	return nil
}
