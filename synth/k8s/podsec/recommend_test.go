package podsec

import (
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

// checkProvenance: every recommended field has one of the four
// provenances and evidence text, and observed fields name their counts.
func checkProvenance(t *testing.T, rec Recommendation) {
	t.Helper()
	check := func(what string, p Provenance, evidence string) {
		t.Helper()
		switch p {
		case Observed:
			if !strings.Contains(evidence, "event") {
				t.Errorf("%s: observed evidence %q has no count", what, evidence)
			}
		case AuditLog, Declared, Default:
		default:
			t.Errorf("%s: provenance %q", what, p)
		}
		if evidence == "" {
			t.Errorf("%s: no evidence", what)
		}
	}
	fields := func(prefix string, v any) {
		rv := reflect.ValueOf(v)
		for i := 0; i < rv.NumField(); i++ {
			f := rv.Field(i)
			if f.Kind() != reflect.Pointer || f.IsNil() || f.Elem().Kind() != reflect.Struct || !f.Elem().FieldByName("Provenance").IsValid() {
				continue
			}
			e := f.Elem()
			check(prefix+rv.Type().Field(i).Name, Provenance(e.FieldByName("Provenance").String()), e.FieldByName("Evidence").String())
		}
	}
	fields("pod.", rec.Pod)
	for _, c := range rec.Containers {
		fields(c.Name+".", c)
		for _, m := range c.Mounts {
			check(c.Name+".mount "+m.MountPath, m.Provenance, m.Evidence)
		}
	}
	if a := rec.AutomountServiceAccountToken; a != nil {
		check("automount", a.Provenance, a.Evidence)
	}
	for _, f := range rec.Findings {
		if f.Severity != SeverityHigh && f.Severity != SeverityLow || f.Message == "" {
			t.Errorf("finding %+v", f)
		}
		switch f.Provenance {
		case Observed, AuditLog, Declared, Default:
		default:
			t.Errorf("finding %+v: provenance %q", f, f.Provenance)
		}
	}
}

func hasFinding(rec Recommendation, container, field, value string) bool {
	for _, f := range rec.Findings {
		if f.Container == container && f.Field == field && f.Value == value {
			return true
		}
	}
	return false
}

func hasNote(rec Recommendation, part string) bool {
	for _, n := range rec.Notes {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

func webWorkload() Workload {
	return Workload{
		Kind: "Deployment", Namespace: "shop", Name: "web", ServiceAccount: "web", Source: "manifests/web.yaml:1",
		Containers: []Container{
			{Name: "init", Init: true},
			{Name: "app", CapAdd: []string{"NET_ADMIN", "cap_chown"}, RunAsUser: ptr[int64](1000),
				Mounts: []Mount{{Volume: "data", MountPath: "/data"}}},
			{Name: "sidecar", ReadOnlyRootFilesystem: ptr(false), RunAsNonRoot: ptr(false), AllowPrivilegeEscalation: ptr(true)},
		},
		Volumes: []Volume{{Name: "data", Type: "persistentVolumeClaim"}},
	}
}

// TestNoEvidenceKeepsDeclared: without runtime evidence, declared values
// less restrictive than the defaults stay, marked "from declared spec".
func TestNoEvidenceKeepsDeclared(t *testing.T) {
	rec := Recommend(webWorkload(), nil, true, Options{})
	checkProvenance(t, rec)
	app := rec.Containers[1]
	if a := app.CapabilitiesAdd; a == nil || strings.Join(a.Value, ",") != "CHOWN,NET_ADMIN" || a.Provenance != Declared {
		t.Errorf("app capabilities.add = %+v", a)
	}
	if u := app.RunAsUser; u == nil || u.Value != 1000 || u.Provenance != Declared {
		t.Errorf("app runAsUser = %+v", u)
	}
	if !hasFinding(rec, "app", "capabilities.add", "NET_ADMIN") || !hasFinding(rec, "app", "capabilities.add", "CHOWN") {
		t.Errorf("capability findings: %+v", rec.Findings)
	}
	side := rec.Containers[2]
	if r := side.ReadOnlyRootFilesystem; r == nil || r.Value || r.Provenance != Declared {
		t.Errorf("sidecar readOnlyRootFilesystem = %+v", r)
	}
	if r := side.RunAsNonRoot; r == nil || r.Value || r.Provenance != Declared {
		t.Errorf("sidecar runAsNonRoot = %+v", r)
	}
	if a := side.AllowPrivilegeEscalation; a == nil || !a.Value || a.Provenance != Declared || !hasFinding(rec, "sidecar", "allowPrivilegeEscalation", "true") {
		t.Errorf("sidecar allowPrivilegeEscalation = %+v, findings %+v", a, rec.Findings)
	}
	for _, c := range []string{"init", "app", "sidecar"} {
		if !hasNote(rec, fmt.Sprintf("no runtime evidence for container %q", c)) {
			t.Errorf("no note for %s: %q", c, rec.Notes)
		}
	}
	if rec.AutomountServiceAccountToken != nil || !hasNote(rec, "shop/web made API requests") {
		t.Errorf("automount %+v, notes %q", rec.AutomountServiceAccountToken, rec.Notes)
	}
	if len(rec.Volumes) != 0 {
		t.Errorf("volumes %+v without evidence", rec.Volumes)
	}
}

// TestEvidenceReplacesDeclared: with evidence, declared capabilities not
// used go (with a note), and the observed uid replaces the declared one.
func TestEvidenceReplacesDeclared(t *testing.T) {
	obs := []Observation{{Namespace: "shop", Pod: "web-5d8f7c9b6-abcde", Container: "app", UIDs: []int64{1001}, Count: 5}}
	rec := Recommend(webWorkload(), obs, true, Options{})
	checkProvenance(t, rec)
	app := rec.Containers[1]
	if a := app.CapabilitiesAdd; a == nil || a.Value == nil || len(a.Value) != 0 || a.Provenance != Observed {
		t.Errorf("app capabilities.add = %+v, want an empty observed list replacing the declared ones", a)
	}
	if !hasNote(rec, `declared capabilities.add CHOWN, NET_ADMIN not used`) {
		t.Errorf("notes %q", rec.Notes)
	}
	if hasFinding(rec, "app", "capabilities.add", "NET_ADMIN") {
		t.Errorf("finding for a dropped capability: %+v", rec.Findings)
	}
	if u := app.RunAsUser; u == nil || u.Value != 1001 || u.Provenance != Observed || !hasNote(rec, "declared runAsUser 1000") {
		t.Errorf("app runAsUser = %+v, notes %q", u, rec.Notes)
	}
	if r := app.ReadOnlyRootFilesystem; r == nil || !r.Value || r.Provenance != Observed || !strings.Contains(r.Evidence, "no writes outside volumes") {
		t.Errorf("app readOnlyRootFilesystem = %+v", r)
	}
}

// TestRoot: processes running as uid 0 keep runAsNonRoot false at the
// container, with a finding; the pod stays true for the others.
func TestRoot(t *testing.T) {
	w := Workload{Kind: "StatefulSet", Namespace: "db", Name: "pg", Containers: []Container{{Name: "pg"}, {Name: "exporter"}}}
	obs := []Observation{
		{Namespace: "db", Pod: "pg-0", Container: "pg", UIDs: []int64{0}, Count: 2},
		{Namespace: "db", Pod: "pg-0", Container: "exporter", UIDs: []int64{0, 65534}, Count: 2},
	}
	rec := Recommend(w, obs, false, Options{})
	checkProvenance(t, rec)
	pg, exp := rec.Containers[0], rec.Containers[1]
	if pg.RunAsNonRoot == nil || pg.RunAsNonRoot.Value || pg.RunAsNonRoot.Provenance != Observed {
		t.Errorf("pg runAsNonRoot = %+v", pg.RunAsNonRoot)
	}
	if pg.RunAsUser == nil || pg.RunAsUser.Value != 0 {
		t.Errorf("pg runAsUser = %+v", pg.RunAsUser)
	}
	if exp.RunAsNonRoot == nil || exp.RunAsNonRoot.Value || exp.RunAsUser != nil {
		t.Errorf("exporter runAsNonRoot = %+v runAsUser = %+v", exp.RunAsNonRoot, exp.RunAsUser)
	}
	if !hasNote(rec, `container "exporter": processes ran as uids 0, 65534: runAsUser not pinned`) {
		t.Errorf("notes %q", rec.Notes)
	}
	if !hasFinding(rec, "pg", "runAsNonRoot", "false") || !hasFinding(rec, "exporter", "runAsNonRoot", "false") {
		t.Errorf("findings %+v", rec.Findings)
	}
	if !rec.Pod.RunAsNonRoot.Value {
		t.Errorf("pod runAsNonRoot = %+v", rec.Pod.RunAsNonRoot)
	}
}

// TestPodDeclaredRoot: a pod declaring runAsUser 0 without evidence
// keeps its containers' runAsNonRoot false.
func TestPodDeclaredRoot(t *testing.T) {
	w := Workload{Kind: "Pod", Namespace: "x", Name: "p", Pod: PodSecurity{RunAsUser: ptr[int64](0), RunAsNonRoot: ptr(false)},
		Containers: []Container{{Name: "a"}, {Name: "b", RunAsUser: ptr[int64](10)}}}
	rec := Recommend(w, nil, false, Options{})
	checkProvenance(t, rec)
	if p := rec.Pod.RunAsNonRoot; p.Value || p.Provenance != Declared {
		t.Errorf("pod runAsNonRoot = %+v", p)
	}
	if u := rec.Pod.RunAsUser; u == nil || u.Value != 0 || u.Provenance != Declared {
		t.Errorf("pod runAsUser = %+v", u)
	}
	if a := rec.Containers[0].RunAsNonRoot; a == nil || a.Value {
		t.Errorf("a runAsNonRoot = %+v", a)
	}
	if b := rec.Containers[1].RunAsNonRoot; b != nil {
		t.Errorf("b runAsNonRoot = %+v", b)
	}
	if !hasFinding(rec, "", "runAsUser", "0") {
		t.Errorf("findings %+v", rec.Findings)
	}

	// With every container's uid observed non-root, the pod turns true.
	obs := []Observation{{Namespace: "x", Pod: "p", Container: "a", UIDs: []int64{7}}, {Namespace: "x", Pod: "p", Container: "b", UIDs: []int64{10}}}
	rec = Recommend(w, obs, false, Options{})
	checkProvenance(t, rec)
	if p := rec.Pod.RunAsNonRoot; !p.Value || p.Provenance != Observed {
		t.Errorf("pod runAsNonRoot = %+v", p)
	}
}

// TestWrites covers where written paths go.
func TestWrites(t *testing.T) {
	w := Workload{Kind: "DaemonSet", Namespace: "n", Name: "d", Containers: []Container{{Name: "c", Mounts: []Mount{{Volume: "v", MountPath: "/data"}}}},
		Volumes: []Volume{{Name: "pare-c-tmp", Type: "configMap"}}}
	for _, tc := range []struct {
		name     string
		written  []string
		readOnly bool
		mounts   string
		note     string
	}{
		{"none", nil, true, "", ""},
		{"volume", []string{"/data/x", "/dev/null", "/proc/self/fd/1"}, true, "", ""},
		{"scratch", []string{"/tmp/a/b", "/tmp/c", "/var/run/x.pid", "/run/lock"}, true, "/run /tmp /var/run", ""},
		{"program dir", []string{"/var/log/app/x.log", "/var/lib/app/db/1"}, true, "/var/lib/app /var/log/app", ""},
		{"home", []string{"/home/u/.cache/x"}, true, "/home/u/.cache", "emptyDir at /home/u/.cache hides"},
		{"top-level dir", []string{"/app/x.log"}, false, "", ""},
		{"file in scratch parent", []string{"/var/log/app.log"}, true, "/var/log", "hides what the image has there"},
		{"app dir", []string{"/app/cache/x", "/app/cache/y/z", "/srv/www/"}, true, "/app/cache /srv/www", `emptyDir at /app/cache hides`},
		{"system", []string{"/etc/passwd", "/tmp/x"}, false, "", ""},
		{"usr", []string{"/usr/local/lib/x.so"}, false, "", ""},
		{"root file", []string{"/app.pid"}, false, "", ""},
		{"relative", []string{"tmp/x"}, false, "", ""},
		{"control", []string{"/tmp/\x1b[31m"}, false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obs := []Observation{{Namespace: "n", Pod: "d-abcde", Container: "c", UIDs: []int64{5}, WrittenPaths: tc.written, Count: 1}}
			rec := Recommend(w, obs, true, Options{})
			checkProvenance(t, rec)
			c := rec.Containers[0]
			if c.ReadOnlyRootFilesystem.Value != tc.readOnly || c.ReadOnlyRootFilesystem.Provenance != Observed {
				t.Errorf("readOnlyRootFilesystem = %+v", c.ReadOnlyRootFilesystem)
			}
			var got []string
			for _, m := range c.Mounts {
				got = append(got, m.MountPath)
				if m.Name == "pare-c-tmp" {
					t.Errorf("volume name %q is taken by a declared volume", m.Name)
				}
			}
			if strings.Join(got, " ") != tc.mounts {
				t.Errorf("mounts = %q, want %q", got, tc.mounts)
			}
			if !tc.readOnly && !hasFinding(rec, "c", "readOnlyRootFilesystem", "false") {
				t.Errorf("no finding: %+v", rec.Findings)
			}
			if tc.note != "" && !hasNote(rec, tc.note) {
				t.Errorf("notes %q lack %q", rec.Notes, tc.note)
			}
			if tc.note == "" && hasNote(rec, "hides") {
				t.Errorf("unexpected note %q", rec.Notes)
			}
		})
	}
}

func TestSeccompAndHost(t *testing.T) {
	w := Workload{Kind: "Pod", Namespace: "n", Name: "p",
		Pod:        PodSecurity{SeccompProfile: "Unconfined", HostPID: true, HostIPC: true},
		Containers: []Container{{Name: "a", SeccompProfile: "Localhost/profiles/a.json"}, {Name: "b", SeccompProfile: "bogus"}}}
	rec := Recommend(w, nil, false, Options{})
	checkProvenance(t, rec)
	if s := rec.Pod.SeccompProfile; s.Value != "Unconfined" || s.Provenance != Declared {
		t.Errorf("pod seccomp = %+v", s)
	}
	if s := rec.Containers[0].SeccompProfile; s == nil || s.Value != "Localhost/profiles/a.json" {
		t.Errorf("a seccomp = %+v", s)
	}
	if rec.Containers[1].SeccompProfile != nil || !hasNote(rec, `seccomp profile "bogus"`) {
		t.Errorf("b seccomp = %+v, notes %q", rec.Containers[1].SeccompProfile, rec.Notes)
	}
	if !hasFinding(rec, "", "seccompProfile", "Unconfined") || !hasFinding(rec, "", "hostPID", "true") || !hasFinding(rec, "", "hostIPC", "true") {
		t.Errorf("findings %+v", rec.Findings)
	}
	if rec.Findings[0].Container != "" {
		t.Errorf("pod findings do not come first: %+v", rec.Findings)
	}
}

// TestEvidenceProblems: observations of other containers or namespaces,
// too few events and bogus capability names.
func TestEvidenceProblems(t *testing.T) {
	w := Workload{Kind: "Job", Namespace: "n", Name: "j", Containers: []Container{{Name: "a"}, {Name: "b"}}}
	obs := []Observation{
		{Namespace: "n", Container: "ghost", Count: 4, Source: "f.json"},
		{Namespace: "other", Pod: "j-abcde", Container: "a"},
		{Namespace: "n", Container: "a", Capabilities: []string{"ALL", "NET_RAW", "cap_sys_admin", "bogus"}, Count: 3},
		{Namespace: "n", Container: "b", Capabilities: []string{"NET_RAW"}, Count: 2},
	}
	rec := Recommend(w, obs, false, Options{MinEvents: 3})
	checkProvenance(t, rec)
	if !hasNote(rec, `container "ghost", which Job does not declare: ignored (4 events, in f.json)`) ||
		!hasNote(rec, `namespace "other" is not this workload's`) ||
		!hasNote(rec, `container "b": runtime evidence of 2 events is below the minimum of 3`) {
		t.Errorf("notes %q", rec.Notes)
	}
	a := rec.Containers[0]
	if strings.Join(a.CapabilitiesAdd.Value, ",") != "NET_RAW,SYS_ADMIN" {
		t.Errorf("a capabilities.add = %+v", a.CapabilitiesAdd)
	}
	for _, v := range []string{"ALL", "bogus"} {
		if !hasFinding(rec, "a", "capabilities.add", v) {
			t.Errorf("no finding for %q: %+v", v, rec.Findings)
		}
	}
	if !hasFinding(rec, "a", "capabilities.add", "SYS_ADMIN") || !hasFinding(rec, "a", "capabilities.add", "NET_RAW") {
		t.Errorf("findings %+v", rec.Findings)
	}
	if rec.Containers[1].Evidence != nil || rec.Containers[1].CapabilitiesAdd != nil {
		t.Errorf("b used evidence below the minimum: %+v", rec.Containers[1])
	}
}

func TestAutomount(t *testing.T) {
	w := Workload{Kind: "Deployment", Namespace: "n", Name: "d", AutomountServiceAccountToken: ptr(true), Containers: []Container{{Name: "c"}}}
	if a := Recommend(w, nil, false, Options{}).AutomountServiceAccountToken; a == nil || a.Value || a.Provenance != AuditLog || !strings.Contains(a.Evidence, "n/default made no API request") {
		t.Errorf("apiUsed false: %+v", a)
	}
	if a := Recommend(w, nil, true, Options{}).AutomountServiceAccountToken; a == nil || !a.Value || a.Provenance != Declared {
		t.Errorf("apiUsed true, declared true: %+v", a)
	}
}

// TestDuplicateContainers: a container name declared twice is skipped
// with a note, so the patch never has two entries for one merge key.
func TestDuplicateContainers(t *testing.T) {
	w := Workload{Kind: "Pod", Namespace: "n", Name: "p", Containers: []Container{{Name: "a"}, {Name: "a", Init: true}, {Name: ""}}}
	rec := Recommend(w, nil, false, Options{})
	if len(rec.Containers) != 1 || !hasNote(rec, `container "a" is declared twice`) || !hasNote(rec, `container "" is declared twice or has no name`) {
		t.Errorf("containers %+v, notes %q", rec.Containers, rec.Notes)
	}
}

// TestDeterministic: the order of observations does not matter, and the
// same input gives the same output.
func TestDeterministic(t *testing.T) {
	w := webWorkload()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var obs []Observation
	for i := 0; i < 30; i++ {
		obs = append(obs, Observation{
			Namespace: "shop", Pod: fmt.Sprintf("web-5d8f7c9b6-%05d", i%7), Container: []string{"init", "app", "sidecar"}[i%3],
			Capabilities: []string{[]string{"CHOWN", "NET_BIND_SERVICE", "SETUID", "KILL"}[i%4]},
			UIDs:         []int64{int64(100 + i%2)}, WrittenPaths: []string{fmt.Sprintf("/tmp/%d", i), fmt.Sprintf("/var/cache/app%d/x", i%3)},
			Count: int64(i), First: base.Add(time.Duration(i) * time.Minute), Last: base.Add(time.Duration(i) * time.Hour), Source: fmt.Sprintf("f%d.json", i%4),
		})
	}
	obs = append(obs,
		Observation{Namespace: "shop", Container: "ghost", Count: 2, Source: "b.json"},
		Observation{Namespace: "shop", Container: "ghost", Count: 1, Source: "a.json"},
		Observation{Namespace: "shop", Container: "phantom"},
		Observation{Namespace: "other", Pod: "p1", Container: "app"},
		Observation{Namespace: "other", Pod: "p0", Container: "app"},
		Observation{Namespace: "other", Pod: "p0", Container: "init"},
	)
	want := Recommend(w, obs, false, Options{})
	if !hasNote(want, `container "ghost", which Deployment does not declare: ignored (3 events, in a.json, b.json)`) {
		t.Errorf("notes %q", want.Notes)
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20; i++ {
		shuffled := append([]Observation(nil), obs...)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		if got := Recommend(w, shuffled, false, Options{}); !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffle %d gives a different recommendation:\n%+v\n%+v", i, got, want)
		}
	}
	checkProvenance(t, want)
	if len(want.Volumes) != 6 {
		t.Errorf("volumes = %d, want 6 (per container /tmp and one cache directory)", len(want.Volumes))
	}
	for i := 1; i < len(want.Volumes); i++ {
		if want.Volumes[i-1].Name >= want.Volumes[i].Name {
			t.Errorf("volumes not sorted: %q, %q", want.Volumes[i-1].Name, want.Volumes[i].Name)
		}
	}
}
