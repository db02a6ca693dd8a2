package podsec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// falcoDir holds Falco's audit trace files with declared pod specs (see
// SOURCE.txt there).
const falcoDir = "../../../testdata/k8s/podsec"

// auditPodEvent is the part of an audit event creating a pod that the
// tests read: the pod as the replicaset-controller requested it.
type auditPodEvent struct {
	ObjectRef struct {
		Namespace string `json:"namespace"`
	} `json:"objectRef"`
	RequestObject struct {
		Metadata struct {
			GenerateName    string `json:"generateName"`
			OwnerReferences []struct {
				Kind string `json:"kind"`
				Name string `json:"name"`
			} `json:"ownerReferences"`
		} `json:"metadata"`
		Spec podSpec `json:"spec"`
	} `json:"requestObject"`
}

type podSpec struct {
	HostNetwork     bool            `json:"hostNetwork"`
	HostPID         bool            `json:"hostPID"`
	HostIPC         bool            `json:"hostIPC"`
	SecurityContext podSecurityJSON `json:"securityContext"`
	Containers      []containerJSON `json:"containers"`
	Volumes         []struct {
		Name     string          `json:"name"`
		HostPath json.RawMessage `json:"hostPath"`
		Secret   json.RawMessage `json:"secret"`
	} `json:"volumes"`
}

type podSecurityJSON struct {
	RunAsNonRoot *bool  `json:"runAsNonRoot"`
	RunAsUser    *int64 `json:"runAsUser"`
}

type containerJSON struct {
	Name            string `json:"name"`
	Image           string `json:"image"`
	SecurityContext *struct {
		Privileged   *bool `json:"privileged"`
		Capabilities *struct {
			Add []string `json:"add"`
		} `json:"capabilities"`
	} `json:"securityContext"`
	VolumeMounts []struct {
		Name      string `json:"name"`
		MountPath string `json:"mountPath"`
		ReadOnly  bool   `json:"readOnly"`
	} `json:"volumeMounts"`
}

// falcoWorkload reads one trace file and turns its pod into the
// Deployment that owns it: the ReplicaSet owner's name without its
// pod-template-hash.
func falcoWorkload(t *testing.T, file string) Workload {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(falcoDir, file))
	if err != nil {
		t.Fatal(err)
	}
	var ev auditPodEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	ro := ev.RequestObject
	if len(ro.Metadata.OwnerReferences) != 1 || ro.Metadata.OwnerReferences[0].Kind != "ReplicaSet" {
		t.Fatalf("%s: owner references %+v", file, ro.Metadata.OwnerReferences)
	}
	rs := ro.Metadata.OwnerReferences[0].Name
	w := Workload{
		Kind:      "Deployment",
		Namespace: ev.ObjectRef.Namespace,
		Name:      rs[:strings.LastIndex(rs, "-")],
		Pod: PodSecurity{
			RunAsNonRoot: ro.Spec.SecurityContext.RunAsNonRoot,
			RunAsUser:    ro.Spec.SecurityContext.RunAsUser,
			HostNetwork:  ro.Spec.HostNetwork,
			HostPID:      ro.Spec.HostPID,
			HostIPC:      ro.Spec.HostIPC,
		},
		Source: "testdata/k8s/podsec/" + file + ":1",
	}
	for _, v := range ro.Spec.Volumes {
		vol := Volume{Name: v.Name, Type: "other"}
		switch {
		case v.HostPath != nil:
			vol.Type = "hostPath"
		case v.Secret != nil:
			vol.Type = "secret"
		}
		w.Volumes = append(w.Volumes, vol)
	}
	for _, c := range ro.Spec.Containers {
		wc := Container{Name: c.Name, Image: c.Image}
		if sc := c.SecurityContext; sc != nil {
			wc.Privileged = sc.Privileged
			if sc.Capabilities != nil {
				wc.CapAdd = sc.Capabilities.Add
			}
		}
		for _, m := range c.VolumeMounts {
			wc.Mounts = append(wc.Mounts, Mount{Volume: m.Name, MountPath: m.MountPath, ReadOnly: m.ReadOnly})
		}
		w.Containers = append(w.Containers, wc)
	}
	return w
}

func TestFalcoWorkloadsDecode(t *testing.T) {
	w := falcoWorkload(t, "create_nginx_pod_sensitive_mount_2nd_container.json")
	if w.Name != "nginx-deployment" || w.Namespace != "default" || len(w.Containers) != 2 ||
		w.Containers[1].Name != "mysql" || len(w.Volumes) != 1 || w.Volumes[0].Type != "hostPath" ||
		len(w.Containers[1].Mounts) != 1 || w.Containers[1].Mounts[0].MountPath != "/host/etc" {
		t.Fatalf("decoded %+v", w)
	}
}

// TestFalcoPrivilegedNoEvidence: a privileged container without runtime
// evidence stays privileged (a finding), gets no allowPrivilegeEscalation
// (Kubernetes would reject false) and default hardening elsewhere.
func TestFalcoPrivilegedNoEvidence(t *testing.T) {
	w := falcoWorkload(t, "create_nginx_pod_privileged.json")
	rec := Recommend(w, nil, false, Options{})
	checkProvenance(t, rec)
	c := rec.Containers[0]
	if c.Privileged == nil || !c.Privileged.Value || c.Privileged.Provenance != Declared {
		t.Errorf("privileged = %+v, want true from declared spec", c.Privileged)
	}
	if !strings.Contains(c.Privileged.Evidence, "create_nginx_pod_privileged.json:1") {
		t.Errorf("privileged evidence %q does not name the source", c.Privileged.Evidence)
	}
	if c.AllowPrivilegeEscalation != nil {
		t.Errorf("allowPrivilegeEscalation = %+v on a privileged container", c.AllowPrivilegeEscalation)
	}
	if !hasFinding(rec, "nginx", "privileged", "true") {
		t.Errorf("no privileged finding in %+v", rec.Findings)
	}
	if c.ReadOnlyRootFilesystem.Provenance != Default || !c.ReadOnlyRootFilesystem.Value {
		t.Errorf("readOnlyRootFilesystem = %+v", c.ReadOnlyRootFilesystem)
	}
	if c.CapabilitiesAdd != nil {
		t.Errorf("capabilities.add = %+v without evidence or declaration", c.CapabilitiesAdd)
	}
	if !hasNote(rec, `no runtime evidence for container "nginx"`) {
		t.Errorf("no note on missing evidence: %q", rec.Notes)
	}
	if a := rec.AutomountServiceAccountToken; a == nil || a.Value || a.Provenance != AuditLog ||
		!strings.Contains(a.Evidence, "default/default") {
		t.Errorf("automountServiceAccountToken = %+v, want false from audit log", a)
	}
}

func TestFalcoHostNetwork(t *testing.T) {
	rec := Recommend(falcoWorkload(t, "create_nginx_pod_hostnetwork.json"), nil, true, Options{})
	checkProvenance(t, rec)
	if !hasFinding(rec, "", "hostNetwork", "true") {
		t.Errorf("no hostNetwork finding: %+v", rec.Findings)
	}
	if rec.AutomountServiceAccountToken != nil {
		t.Errorf("automount = %+v although the service account used the API", rec.AutomountServiceAccountToken)
	}
	c := rec.Containers[0]
	if c.AllowPrivilegeEscalation == nil || c.AllowPrivilegeEscalation.Value || c.AllowPrivilegeEscalation.Provenance != Default {
		t.Errorf("allowPrivilegeEscalation = %+v", c.AllowPrivilegeEscalation)
	}
}

// TestFalcoSensitiveMount: the hostPath mount of /etc is kept and reported
// for the pod and the container that mounts it; a write below the mount
// stays on the volume.
func TestFalcoSensitiveMount(t *testing.T) {
	w := falcoWorkload(t, "create_nginx_pod_sensitive_mount_2nd_container.json")
	obs := []Observation{{Namespace: "default", Pod: "nginx-deployment-f7f486546-abcde", Container: "mysql",
		UIDs: []int64{999}, WrittenPaths: []string{"/host/etc/passwd", "/var/lib/mysql/ibdata1"}, Count: 40}}
	rec := Recommend(w, obs, false, Options{})
	checkProvenance(t, rec)
	if !hasFinding(rec, "", "volumes", "etc") || !hasFinding(rec, "mysql", "volumeMounts", "/host/etc") {
		t.Errorf("hostPath findings missing: %+v", rec.Findings)
	}
	if hasFinding(rec, "nginx1", "volumeMounts", "/host/etc") {
		t.Errorf("nginx1 does not mount /host/etc: %+v", rec.Findings)
	}
	mysql := rec.Containers[1]
	if len(mysql.Mounts) != 1 || mysql.Mounts[0].MountPath != "/var/lib/mysql" {
		t.Errorf("mysql mounts = %+v, want one emptyDir at /var/lib/mysql", mysql.Mounts)
	}
	if mysql.RunAsUser == nil || mysql.RunAsUser.Value != 999 || mysql.RunAsUser.Provenance != Observed {
		t.Errorf("mysql runAsUser = %+v", mysql.RunAsUser)
	}
	if rec.Containers[0].Evidence != nil || !hasNote(rec, `no runtime evidence for container "nginx1"`) {
		t.Errorf("nginx1 has evidence %+v or no note %q", rec.Containers[0].Evidence, rec.Notes)
	}
}

// TestFalcoUnprivilegedWithEvidence is the nginx case: it binds port 80,
// runs as uid 101 and writes its pid and cache.
func TestFalcoUnprivilegedWithEvidence(t *testing.T) {
	w := falcoWorkload(t, "create_nginx_pod_unprivileged.json")
	first := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	obs := []Observation{
		{Namespace: "default", Pod: "nginx-deployment-78f5d695bd-x2x4z", Container: "nginx",
			Capabilities: []string{"CAP_NET_BIND_SERVICE"}, UIDs: []int64{101},
			WrittenPaths: []string{"/tmp/nginx.pid", "/var/cache/nginx/client_temp/0000000001"},
			Count:        12, First: first, Last: first.Add(time.Hour), Source: "ig-trace.json"},
		{Namespace: "default", Pod: "nginx-deployment-78f5d695bd-q7w8e", Container: "nginx",
			Capabilities: []string{"NET_BIND_SERVICE"}, UIDs: []int64{101},
			WrittenPaths: []string{"/var/cache/nginx"}, Count: 3, First: first.Add(-time.Hour), Last: first, Source: "falco.json"},
	}
	rec := Recommend(w, obs, false, Options{})
	checkProvenance(t, rec)
	c := rec.Containers[0]
	if c.Evidence == nil || c.Evidence.Count != 15 || !c.Evidence.First.Equal(first.Add(-time.Hour)) || !c.Evidence.Last.Equal(first.Add(time.Hour)) {
		t.Fatalf("evidence = %+v", c.Evidence)
	}
	if a := c.CapabilitiesAdd; a == nil || strings.Join(a.Value, ",") != "NET_BIND_SERVICE" || a.Provenance != Observed {
		t.Errorf("capabilities.add = %+v", a)
	}
	for _, want := range []string{"15 events", "2024-05-01T09:00:00Z to 2024-05-01T11:00:00Z", "falco.json, ig-trace.json"} {
		if !strings.Contains(c.CapabilitiesAdd.Evidence, want) {
			t.Errorf("capabilities evidence %q lacks %q", c.CapabilitiesAdd.Evidence, want)
		}
	}
	if d := c.CapabilitiesDrop; d == nil || strings.Join(d.Value, ",") != "ALL" || d.Provenance != Default {
		t.Errorf("capabilities.drop = %+v", d)
	}
	if u := c.RunAsUser; u == nil || u.Value != 101 || u.Provenance != Observed {
		t.Errorf("runAsUser = %+v", u)
	}
	if c.RunAsNonRoot != nil {
		t.Errorf("container runAsNonRoot = %+v; the pod's true applies", c.RunAsNonRoot)
	}
	if p := rec.Pod.RunAsNonRoot; p == nil || !p.Value || p.Provenance != Default {
		t.Errorf("pod runAsNonRoot = %+v", p)
	}
	if s := rec.Pod.SeccompProfile; s == nil || s.Value != "RuntimeDefault" || s.Provenance != Default {
		t.Errorf("pod seccompProfile = %+v", s)
	}
	var paths []string
	for _, m := range c.Mounts {
		paths = append(paths, m.MountPath+"="+m.Name)
	}
	if got := strings.Join(paths, " "); got != "/tmp=pare-nginx-tmp /var/cache/nginx=pare-nginx-var-cache-nginx" {
		t.Errorf("mounts = %s", got)
	}
	if len(rec.Volumes) != 2 || rec.Volumes[0].Name != "pare-nginx-tmp" || rec.Volumes[1].Name != "pare-nginx-var-cache-nginx" {
		t.Errorf("volumes = %+v", rec.Volumes)
	}
	if got := strings.Join(rec.Volumes[1].Written, " "); got != "/var/cache/nginx /var/cache/nginx/client_temp/0000000001" {
		t.Errorf("written below /var/cache/nginx = %s", got)
	}
	if r := c.ReadOnlyRootFilesystem; r == nil || !r.Value || r.Provenance != Observed {
		t.Errorf("readOnlyRootFilesystem = %+v", r)
	}
	if len(rec.Findings) != 0 {
		t.Errorf("findings = %+v, want none", rec.Findings)
	}
	if hasNote(rec, "no runtime evidence") || hasNote(rec, "hides") {
		t.Errorf("notes = %q", rec.Notes)
	}
}
