package emit

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"github.com/leastpriv/pare/synth/k8s/podsec"
)

func podsecPtr[T any](v T) *T { return &v }

// podsecNginx is the nginx Deployment of the podsec tests: declared with
// a capability it does not use, observed binding port 80 as uid 101 and
// writing its pid and cache.
func podsecNginx() podsec.Recommendation {
	w := podsec.Workload{
		Kind: "Deployment", Namespace: "shop", Name: "web", ServiceAccount: "web", Source: "manifests/web.yaml:3",
		Containers: []podsec.Container{
			{Name: "wait-for-db", Init: true, Image: "busybox"},
			{Name: "nginx", Image: "nginx:1.27", CapAdd: []string{"NET_ADMIN"}, Mounts: []podsec.Mount{{Volume: "conf", MountPath: "/etc/nginx/conf.d", ReadOnly: true}}},
			{Name: "exporter", Image: "nginx-exporter", RunAsUser: podsecPtr[int64](65534)},
		},
		Volumes: []podsec.Volume{{Name: "conf", Type: "configMap"}},
	}
	first := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	obs := []podsec.Observation{{
		Namespace: "shop", Pod: "web-7d9f8b6c5d-x2x4z", Container: "nginx",
		Capabilities: []string{"NET_BIND_SERVICE"}, UIDs: []int64{101},
		WrittenPaths: []string{"/tmp/nginx.pid", "/var/cache/nginx/client_temp/1"},
		Count:        12, First: first, Last: first.Add(2 * time.Hour), Source: "ig-trace.json",
	}}
	return podsec.Recommend(w, obs, false, podsec.Options{})
}

// podsecCronJob is a CronJob without runtime evidence whose service
// account used the API.
func podsecCronJob() podsec.Recommendation {
	w := podsec.Workload{
		Kind: "CronJob", Namespace: "ops", Name: "backup", AutomountServiceAccountToken: podsecPtr(true),
		Pod:        podsec.PodSecurity{FSGroup: podsecPtr[int64](2000), SeccompProfile: "Localhost/profiles/backup.json"},
		Containers: []podsec.Container{{Name: "backup", Privileged: podsecPtr(true), CapAdd: []string{"SYS_ADMIN"}}},
	}
	return podsec.Recommend(w, nil, true, podsec.Options{})
}

// podsecPod is a bare pod running as root.
func podsecPod() podsec.Recommendation {
	w := podsec.Workload{Kind: "Pod", Namespace: "default", Name: "debug",
		Pod:        podsec.PodSecurity{HostNetwork: true},
		Containers: []podsec.Container{{Name: "shell"}}}
	obs := []podsec.Observation{{Namespace: "default", Pod: "debug", Container: "shell", UIDs: []int64{0}, Capabilities: []string{"NET_RAW"}, Count: 1}}
	return podsec.Recommend(w, obs, false, podsec.Options{})
}

// decodePodSecPatch decodes a patch with client-go's scheme, as kubectl
// does, and also strictly (unknown fields fail).
func decodePodSecPatch(t *testing.T, data []byte) runtime.Object {
	t.Helper()
	obj, gvk, err := scheme.Codecs.UniversalDeserializer().Decode(data, nil, nil)
	if err != nil {
		t.Fatalf("decoding patch: %v\n%s", err, data)
	}
	strict := reflect.New(reflect.TypeOf(obj).Elem()).Interface()
	if err := yaml.UnmarshalStrict(data, strict); err != nil {
		t.Fatalf("strict decoding %s: %v\n%s", gvk, err, data)
	}
	// Nothing in a patch may be null (deletes) or "" (sets empty).
	var tree any
	if err := yaml.Unmarshal(data, &tree); err != nil {
		t.Fatal(err)
	}
	checkNoUnset(t, tree, "")
	return obj
}

func checkNoUnset(t *testing.T, v any, at string) {
	t.Helper()
	switch x := v.(type) {
	case nil:
		t.Errorf("%s is null", at)
	case string:
		if x == "" {
			t.Errorf("%s is empty", at)
		}
	case map[string]any:
		if len(x) == 0 && !strings.HasSuffix(at, ".emptyDir") {
			t.Errorf("%s is an empty object", at)
		}
		for k, c := range x {
			checkNoUnset(t, c, at+"."+k)
		}
	case []any:
		for _, c := range x {
			checkNoUnset(t, c, at+"[]")
		}
	}
}

func TestPodSecPatchGolden(t *testing.T) {
	for name, rec := range map[string]podsec.Recommendation{
		"deployment": podsecNginx(),
		"cronjob":    podsecCronJob(),
		"pod":        podsecPod(),
	} {
		var buf bytes.Buffer
		if err := PodSecPatch(&buf, rec); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		golden(t, "podsec/"+name+".patch.golden", buf.Bytes())
		decodePodSecPatch(t, buf.Bytes())

		buf.Reset()
		if err := PodSecEvidence(&buf, rec); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		golden(t, "podsec/"+name+".evidence.golden", buf.Bytes())
		var parsed map[string]any
		if err := json.Unmarshal(buf.Bytes(), &parsed); err != nil {
			t.Fatalf("%s evidence: %v", name, err)
		}
	}
}

// TestPodSecPatchParseBack decodes the nginx patch with client-go's
// scheme and checks every field against the recommendation.
func TestPodSecPatchParseBack(t *testing.T) {
	rec := podsecNginx()
	var buf bytes.Buffer
	if err := PodSecPatch(&buf, rec); err != nil {
		t.Fatal(err)
	}
	d, ok := decodePodSecPatch(t, buf.Bytes()).(*appsv1.Deployment)
	if !ok {
		t.Fatalf("decoded a %T", d)
	}
	if d.Name != "web" || d.Namespace != "shop" || d.Spec.Selector != nil || d.Spec.Replicas != nil {
		t.Errorf("metadata/spec = %+v %+v", d.ObjectMeta, d.Spec)
	}
	spec := d.Spec.Template.Spec
	psc := spec.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod securityContext = %+v", psc)
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("automountServiceAccountToken = %v", spec.AutomountServiceAccountToken)
	}
	if len(spec.InitContainers) != 1 || spec.InitContainers[0].Name != "wait-for-db" || len(spec.Containers) != 2 {
		t.Fatalf("containers = %+v / %+v", spec.InitContainers, spec.Containers)
	}
	nginx := spec.Containers[0]
	sc := nginx.SecurityContext
	if nginx.Name != "nginx" || nginx.Image != "" || sc == nil {
		t.Fatalf("nginx = %+v", nginx)
	}
	if sc.RunAsUser == nil || *sc.RunAsUser != 101 || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.Privileged != nil {
		t.Errorf("nginx securityContext = %+v", sc)
	}
	if sc.Capabilities == nil || !reflect.DeepEqual(sc.Capabilities.Add, []corev1.Capability{"NET_BIND_SERVICE"}) || !reflect.DeepEqual(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("nginx capabilities = %+v", sc.Capabilities)
	}
	var mounts []string
	for _, m := range nginx.VolumeMounts {
		mounts = append(mounts, m.Name+"@"+m.MountPath)
	}
	if strings.Join(mounts, " ") != "pare-nginx-tmp@/tmp pare-nginx-var-cache-nginx@/var/cache/nginx" {
		t.Errorf("nginx mounts = %q", mounts)
	}
	var volumes []string
	for _, v := range spec.Volumes {
		if v.EmptyDir == nil {
			t.Errorf("volume %q is not an emptyDir", v.Name)
		}
		volumes = append(volumes, v.Name)
	}
	if strings.Join(volumes, " ") != "pare-nginx-tmp pare-nginx-var-cache-nginx" {
		t.Errorf("volumes = %q", volumes)
	}
	exporter := spec.Containers[1].SecurityContext
	if exporter.RunAsUser == nil || *exporter.RunAsUser != 65534 {
		t.Errorf("exporter securityContext = %+v", exporter)
	}
}

// TestPodSecPatchApplies applies each patch to a full object the way
// kustomize and kubectl do (strategic merge) and checks what the workload
// keeps and what changes.
func TestPodSecPatchApplies(t *testing.T) {
	rec := podsecNginx()
	var buf bytes.Buffer
	if err := PodSecPatch(&buf, rec); err != nil {
		t.Fatal(err)
	}
	selector := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	original := appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Spec: appsv1.DeploymentSpec{
			Replicas: podsecPtr[int32](3),
			Selector: selector,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec: corev1.PodSpec{
					ServiceAccountName: "web",
					InitContainers:     []corev1.Container{{Name: "wait-for-db", Image: "busybox"}},
					Containers: []corev1.Container{
						{Name: "nginx", Image: "nginx:1.27", SecurityContext: &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN"}}},
							VolumeMounts: []corev1.VolumeMount{{Name: "conf", MountPath: "/etc/nginx/conf.d", ReadOnly: true}}},
						{Name: "exporter", Image: "nginx-exporter", SecurityContext: &corev1.SecurityContext{RunAsUser: podsecPtr[int64](65534)}},
					},
					Volumes: []corev1.Volume{{Name: "conf", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "web-conf"}}}}},
				},
			},
		},
	}
	merged := applyPodSecPatch(t, &original, buf.Bytes(), &appsv1.Deployment{}).(*appsv1.Deployment)
	if !reflect.DeepEqual(merged.Spec.Selector, selector) || merged.Spec.Replicas == nil || *merged.Spec.Replicas != 3 {
		t.Errorf("selector or replicas changed: %+v", merged.Spec)
	}
	spec := merged.Spec.Template.Spec
	if len(spec.Containers) != 2 || spec.Containers[0].Image != "nginx:1.27" || spec.Containers[1].Image != "nginx-exporter" || spec.InitContainers[0].Image != "busybox" {
		t.Fatalf("containers not merged by name: %+v", spec.Containers)
	}
	nginx := spec.Containers[0]
	if got := nginx.SecurityContext.Capabilities.Add; !reflect.DeepEqual(got, []corev1.Capability{"NET_BIND_SERVICE"}) {
		t.Errorf("capabilities.add = %v, want the declared NET_ADMIN replaced", got)
	}
	if len(nginx.VolumeMounts) != 3 || len(spec.Volumes) != 3 || spec.Volumes[0].Name != "conf" && spec.Volumes[2].Name != "conf" {
		t.Errorf("mounts %+v volumes %+v: the declared ones must stay", nginx.VolumeMounts, spec.Volumes)
	}
	if spec.ServiceAccountName != "web" || spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("service account %q automount %v", spec.ServiceAccountName, spec.AutomountServiceAccountToken)
	}

	// Evidence showing no capability at all empties the declared list.
	w := rec.Workload
	obs := []podsec.Observation{{Namespace: "shop", Container: "nginx", UIDs: []int64{101}, Count: 3}}
	buf.Reset()
	if err := PodSecPatch(&buf, podsec.Recommend(w, obs, true, podsec.Options{})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "add: []") {
		t.Errorf("no empty add list in\n%s", buf.String())
	}
	decodePodSecPatch(t, buf.Bytes())
	merged = applyPodSecPatch(t, &original, buf.Bytes(), &appsv1.Deployment{}).(*appsv1.Deployment)
	if got := merged.Spec.Template.Spec.Containers[0].SecurityContext.Capabilities.Add; len(got) != 0 {
		t.Errorf("capabilities.add = %v after an empty add", got)
	}

	// A CronJob keeps its schedule and job settings.
	cron := batchv1.CronJob{
		TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"}, ObjectMeta: metav1.ObjectMeta{Name: "backup", Namespace: "ops"},
		Spec: batchv1.CronJobSpec{Schedule: "0 3 * * *", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{
			Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyOnFailure, Containers: []corev1.Container{{Name: "backup", Image: "backup:1"}}}}}}},
	}
	buf.Reset()
	if err := PodSecPatch(&buf, podsecCronJob()); err != nil {
		t.Fatal(err)
	}
	mc := applyPodSecPatch(t, &cron, buf.Bytes(), &batchv1.CronJob{}).(*batchv1.CronJob)
	ps := mc.Spec.JobTemplate.Spec.Template.Spec
	if mc.Spec.Schedule != "0 3 * * *" || ps.RestartPolicy != corev1.RestartPolicyOnFailure || ps.Containers[0].Image != "backup:1" {
		t.Errorf("cronjob lost settings: %+v", mc.Spec)
	}
	sc := ps.Containers[0].SecurityContext
	if sc == nil || sc.Privileged == nil || !*sc.Privileged || sc.AllowPrivilegeEscalation != nil || !reflect.DeepEqual(sc.Capabilities.Add, []corev1.Capability{"SYS_ADMIN"}) {
		t.Errorf("cronjob container securityContext = %+v", sc)
	}
	if p := ps.SecurityContext; p.SeccompProfile == nil || p.SeccompProfile.Type != corev1.SeccompProfileTypeLocalhost || *p.SeccompProfile.LocalhostProfile != "profiles/backup.json" ||
		p.FSGroup == nil || *p.FSGroup != 2000 {
		t.Errorf("cronjob pod securityContext = %+v", p)
	}
	if ps.AutomountServiceAccountToken == nil || !*ps.AutomountServiceAccountToken {
		t.Errorf("declared automount true not kept: %v", ps.AutomountServiceAccountToken)
	}
}

// applyPodSecPatch applies a YAML patch to original with strategic merge.
func applyPodSecPatch(t *testing.T, original any, patchYAML []byte, into runtime.Object) runtime.Object {
	t.Helper()
	orig, err := json.Marshal(original)
	if err != nil {
		t.Fatal(err)
	}
	patch, err := yaml.YAMLToJSON(patchYAML)
	if err != nil {
		t.Fatal(err)
	}
	out, err := strategicpatch.StrategicMergePatch(orig, patch, into)
	if err != nil {
		t.Fatalf("applying patch: %v", err)
	}
	if err := json.Unmarshal(out, into); err != nil {
		t.Fatal(err)
	}
	return into
}

// TestPodSecPatchKinds: every workload kind decodes as its typed object.
func TestPodSecPatchKinds(t *testing.T) {
	for kind, want := range map[string]string{
		"Deployment": "*v1.Deployment", "StatefulSet": "*v1.StatefulSet", "DaemonSet": "*v1.DaemonSet", "ReplicaSet": "*v1.ReplicaSet",
		"Job": "*v1.Job", "CronJob": "*v1.CronJob", "Pod": "*v1.Pod",
	} {
		w := podsec.Workload{Kind: kind, Namespace: "n", Name: "x", Containers: []podsec.Container{{Name: "c"}}}
		var buf bytes.Buffer
		if err := PodSecPatch(&buf, podsec.Recommend(w, nil, false, podsec.Options{})); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		obj := decodePodSecPatch(t, buf.Bytes())
		if got := reflect.TypeOf(obj).String(); got != want {
			t.Errorf("%s decodes as %s", kind, got)
		}
		for _, bad := range []string{"selector", "serviceName", "schedule", "status", "creationTimestamp", "resources"} {
			if strings.Contains(buf.String(), bad+":") {
				t.Errorf("%s patch sets %s:\n%s", kind, bad, buf.String())
			}
		}
	}
	var buf bytes.Buffer
	if err := PodSecPatch(&buf, podsec.Recommendation{Workload: podsec.Workload{Kind: "Service", Name: "x"}}); err == nil || buf.Len() != 0 {
		t.Errorf("a Service patch: err %v, wrote %q", err, buf.String())
	}
}

// TestPodSecPatchHostile: names the API server would refuse and strings
// with invisible characters are errors and nothing is written; YAML's
// own syntax in values is escaped and decodes back unchanged.
func TestPodSecPatchHostile(t *testing.T) {
	base := func() podsec.Recommendation {
		w := podsec.Workload{Kind: "Deployment", Namespace: "n", Name: "x", Containers: []podsec.Container{{Name: "c"}}}
		return podsec.Recommend(w, nil, false, podsec.Options{})
	}
	for name, mutate := range map[string]func(*podsec.Recommendation){
		"name template":   func(r *podsec.Recommendation) { r.Workload.Name = "x${jndi:ldap://e/x}" },
		"name newline":    func(r *podsec.Recommendation) { r.Workload.Name = "x\nkind: ClusterRole" },
		"namespace":       func(r *podsec.Recommendation) { r.Workload.Namespace = "../kube-system" },
		"no name":         func(r *podsec.Recommendation) { r.Workload.Name = "" },
		"container":       func(r *podsec.Recommendation) { r.Containers[0].Name = "c: {privileged: true}" },
		"container twice": func(r *podsec.Recommendation) { r.Containers = append(r.Containers, r.Containers[0]) },
		"invalid utf8":    func(r *podsec.Recommendation) { r.Workload.Name = "x\xff" },
		"bidi":            func(r *podsec.Recommendation) { r.Containers[0].CapabilitiesDrop.Value = []string{"ALL\u202e"} },
		"seccomp":         func(r *podsec.Recommendation) { r.Pod.SeccompProfile.Value = "Bogus" },
		"mount path": func(r *podsec.Recommendation) {
			e := podsec.EmptyDir{Name: "v", MountPath: "/tmp/../etc"}
			r.Volumes, r.Containers[0].Mounts = []podsec.EmptyDir{e}, []podsec.EmptyDir{e}
		},
		"mount without volume": func(r *podsec.Recommendation) {
			r.Containers[0].Mounts = []podsec.EmptyDir{{Name: "v", MountPath: "/tmp"}}
		},
		"volume name": func(r *podsec.Recommendation) { r.Volumes = []podsec.EmptyDir{{Name: "V_1", MountPath: "/tmp"}} },
	} {
		rec := base()
		mutate(&rec)
		var buf bytes.Buffer
		if err := PodSecPatch(&buf, rec); err == nil || buf.Len() != 0 {
			t.Errorf("%s: err %v, wrote %q", name, err, buf.String())
		}
	}

	rec := base()
	odd := []string{"weird: value", "- item", "'quoted'", "\"dq\"", "#comment", "&anchor *alias", "!!binary x", "{a: b}", "${x}%{y}", "yes", "0x10", "~"}
	rec.Containers[0].CapabilitiesAdd = &podsec.Field[[]string]{Value: odd, Provenance: podsec.Declared, Evidence: "declared"}
	rec.Pod.SeccompProfile.Value = "Localhost/profiles/a: b #c"
	var buf bytes.Buffer
	if err := PodSecPatch(&buf, rec); err != nil {
		t.Fatal(err)
	}
	d := decodePodSecPatch(t, buf.Bytes()).(*appsv1.Deployment)
	var got []string
	for _, c := range d.Spec.Template.Spec.Containers[0].SecurityContext.Capabilities.Add {
		got = append(got, string(c))
	}
	if !reflect.DeepEqual(got, odd) {
		t.Errorf("capabilities round trip: %q, want %q", got, odd)
	}
	if p := d.Spec.Template.Spec.SecurityContext.SeccompProfile.LocalhostProfile; p == nil || *p != "profiles/a: b #c" {
		t.Errorf("localhost profile = %v", p)
	}
}

func TestPodSecEvidence(t *testing.T) {
	rec := podsecNginx()
	var buf bytes.Buffer
	if err := PodSecEvidence(&buf, rec); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Pod []struct {
			Field, Provenance, Evidence string
			Value                       any
		}
		Containers []struct {
			Name    string
			Runtime *struct {
				Count     int64
				FirstSeen string
				UIDs      []int64
			} `json:"runtimeEvidence"`
			Fields []struct {
				Field, Provenance, Evidence string
				Value                       any
			}
		}
		Notes    []string
		Findings []map[string]string
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Containers) != 3 || got.Containers[0].Runtime != nil || got.Containers[1].Runtime == nil ||
		got.Containers[1].Runtime.Count != 12 || got.Containers[1].Runtime.FirstSeen != "2024-05-01T10:00:00Z" {
		t.Fatalf("containers = %+v", got.Containers)
	}
	fields := make(map[string]string)
	for _, f := range got.Containers[1].Fields {
		fields[f.Field] = f.Provenance
	}
	want := map[string]string{
		"securityContext.allowPrivilegeEscalation": "default hardening",
		"securityContext.runAsUser":                "observed at runtime",
		"securityContext.readOnlyRootFilesystem":   "observed at runtime",
		"securityContext.capabilities.add":         "observed at runtime",
		"securityContext.capabilities.drop":        "default hardening",
	}
	if !reflect.DeepEqual(fields, want) {
		t.Errorf("nginx fields = %v, want %v", fields, want)
	}
	var automount string
	for _, f := range got.Pod {
		if f.Field == "automountServiceAccountToken" {
			automount = f.Provenance + ": " + f.Evidence
		}
	}
	if automount != "from audit log: service account shop/web made no API request in the audit window" {
		t.Errorf("automount = %q", automount)
	}
	if len(got.Notes) == 0 || !strings.Contains(strings.Join(got.Notes, "\n"), `no runtime evidence for container "exporter"`) {
		t.Errorf("notes = %q", got.Notes)
	}

	rec.Notes = append(rec.Notes, "bad \xff")
	buf.Reset()
	if err := PodSecEvidence(&buf, rec); err == nil || buf.Len() != 0 {
		t.Errorf("invalid UTF-8: err %v, wrote %d bytes", err, buf.Len())
	}
}

func TestKustomization(t *testing.T) {
	recs := []podsec.Recommendation{podsecPod(), podsecNginx(), podsecCronJob()}
	refs, evidence := PodSecFileNames(recs)
	wantPaths := []string{"pod-default-debug.patch.yaml", "deployment-shop-web.patch.yaml", "cronjob-ops-backup.patch.yaml"}
	for i, r := range refs {
		if r.Path != wantPaths[i] || evidence[i] != strings.TrimSuffix(wantPaths[i], ".patch.yaml")+".evidence.json" {
			t.Errorf("file names %d = %q, %q", i, r.Path, evidence[i])
		}
	}
	var buf bytes.Buffer
	if err := Kustomization(&buf, refs); err != nil {
		t.Fatal(err)
	}
	golden(t, "podsec/kustomization.golden", buf.Bytes())
	var k struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Patches    []struct {
			Path   string            `json:"path"`
			Target map[string]string `json:"target"`
		} `json:"patches"`
	}
	if err := yaml.UnmarshalStrict(buf.Bytes(), &k); err != nil {
		t.Fatal(err)
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" || len(k.Patches) != 3 {
		t.Fatalf("kustomization = %+v", k)
	}
	var order []string
	for _, p := range k.Patches {
		order = append(order, p.Target["namespace"]+"/"+p.Target["kind"]+"/"+p.Target["name"]+"="+p.Path)
	}
	if got := strings.Join(order, " "); got != "default/Pod/debug=pod-default-debug.patch.yaml ops/CronJob/backup=cronjob-ops-backup.patch.yaml shop/Deployment/web=deployment-shop-web.patch.yaml" {
		t.Errorf("patches = %s", got)
	}

	// Hostile names stay values; file names stay one safe component.
	hostile := []podsec.Recommendation{{Workload: podsec.Workload{Kind: "Deployment", Namespace: "a/../..", Name: "x: y\n- z"}}}
	refs, _ = PodSecFileNames(hostile)
	if strings.ContainsAny(refs[0].Path, "/\n: ") {
		t.Errorf("file name %q", refs[0].Path)
	}
	refs[0].Name = "x: y - z #c"
	buf.Reset()
	if err := Kustomization(&buf, refs); err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(buf.Bytes(), &k); err != nil || k.Patches[0].Target["name"] != "x: y - z #c" || k.Patches[0].Target["namespace"] != "a/../.." {
		t.Errorf("round trip: %v %+v", err, k.Patches)
	}

	for _, bad := range []PatchRef{
		{Path: "/etc/passwd", Kind: "Pod", Name: "x"},
		{Path: "../x.yaml", Kind: "Pod", Name: "x"},
		{Path: "a/../../x.yaml", Kind: "Pod", Name: "x"},
		{Path: "", Kind: "Pod", Name: "x"},
		{Path: "x.yaml", Kind: "", Name: "x"},
		{Path: "x.yaml", Kind: "Pod", Name: "x\n"},
		{Path: "x.yaml", Kind: "Pod", Name: "\xff"},
	} {
		buf.Reset()
		if err := Kustomization(&buf, []PatchRef{bad}); err == nil || buf.Len() != 0 {
			t.Errorf("Kustomization(%+v): err %v, wrote %q", bad, err, buf.String())
		}
	}
	buf.Reset()
	if err := Kustomization(&buf, nil); err != nil || !strings.Contains(buf.String(), "patches: []") {
		t.Errorf("empty kustomization: %v\n%s", err, buf.String())
	}
}

// TestPodSecDeterministic: the same recommendation gives the same bytes.
func TestPodSecDeterministic(t *testing.T) {
	var first []byte
	for i := 0; i < 10; i++ {
		var buf bytes.Buffer
		if err := PodSecPatch(&buf, podsecNginx()); err != nil {
			t.Fatal(err)
		}
		if err := PodSecEvidence(&buf, podsecNginx()); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = buf.Bytes()
		} else if !bytes.Equal(first, buf.Bytes()) {
			t.Fatalf("run %d differs", i)
		}
	}
}

// FuzzPodSecPatch: whatever names, paths and capabilities a log or
// manifest holds, PodSecPatch either refuses them and writes nothing, or
// writes a patch client-go decodes, with nothing null or empty in it.
func FuzzPodSecPatch(f *testing.F) {
	f.Add("web", "nginx", "/var/cache/nginx/x", "NET_BIND_SERVICE", int64(101), "Localhost/p.json")
	f.Add("x: y", "c\n", "/tmp/${x}", "weird: cap", int64(0), "Unconfined")
	f.Add("a.b", "c", "/srv/a b/", "", int64(-1), "")
	f.Fuzz(func(t *testing.T, name, container, written, capability string, uid int64, seccomp string) {
		w := podsec.Workload{Kind: "StatefulSet", Namespace: "n", Name: name,
			Pod:        podsec.PodSecurity{SeccompProfile: seccomp},
			Containers: []podsec.Container{{Name: container, CapAdd: []string{capability}}, {Name: "other", Init: true}}}
		obs := []podsec.Observation{{Namespace: "n", Container: container, UIDs: []int64{uid}, WrittenPaths: []string{written}, Capabilities: []string{capability}}}
		rec := podsec.Recommend(w, obs, uid%2 == 0, podsec.Options{})
		var buf bytes.Buffer
		if err := PodSecPatch(&buf, rec); err != nil {
			if buf.Len() != 0 {
				t.Fatalf("wrote %q before failing: %v", buf.String(), err)
			}
			return
		}
		s, ok := decodePodSecPatch(t, buf.Bytes()).(*appsv1.StatefulSet)
		if !ok || s.Name != name || len(s.Spec.Template.Spec.Containers) != 1 || s.Spec.Template.Spec.Containers[0].Name != container {
			t.Fatalf("decoded %+v from\n%s", s, buf.String())
		}
		if err := PodSecEvidence(&bytes.Buffer{}, rec); err != nil && utf8.ValidString(name+container+written+capability+seccomp) {
			t.Fatalf("evidence: %v", err)
		}
	})
}
