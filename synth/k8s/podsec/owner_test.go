package podsec

import (
	"strings"
	"testing"
	"time"
)

func ownerWorkloads() []Workload {
	long := strings.Repeat("a", 60)
	return []Workload{
		{Kind: "Deployment", Namespace: "prod", Name: "web"},
		{Kind: "ReplicaSet", Namespace: "prod", Name: "web-7d9f8b6c5d"},
		{Kind: "ReplicaSet", Namespace: "prod", Name: "solo"},
		{Kind: "StatefulSet", Namespace: "prod", Name: "db"},
		{Kind: "DaemonSet", Namespace: "prod", Name: "agent"},
		{Kind: "Job", Namespace: "prod", Name: "migrate"},
		{Kind: "CronJob", Namespace: "prod", Name: "backup"},
		{Kind: "Pod", Namespace: "prod", Name: "debug"},
		{Kind: "Pod", Namespace: "prod", Name: "db-1"},
		{Kind: "Deployment", Namespace: "prod", Name: "web-api"},
		{Kind: "Deployment", Namespace: "prod", Name: long},
		{Kind: "DaemonSet", Namespace: "prod", Name: long[:55] + "-x"},
		{Kind: "Deployment", Namespace: "staging", Name: "web"},
		{Kind: "Secret", Namespace: "prod", Name: "agent"},
	}
}

func TestResolveOwner(t *testing.T) {
	long := strings.Repeat("a", 60)
	ws := ownerWorkloads()
	for _, tc := range []struct {
		ns, pod    string
		kind, name string
	}{
		{"prod", "web-7d9f8b6c5d-x2x4z", "Deployment", "web"},
		{"prod", "web-1787755869-rgw6z", "Deployment", "web"}, // older decimal hash
		{"prod", "web-api-5cdcc99dbf-q9w8e", "Deployment", "web-api"},
		{"prod", "solo-abcde", "ReplicaSet", "solo"},
		{"prod", "db-0", "StatefulSet", "db"},
		{"prod", "db-12", "StatefulSet", "db"},
		{"prod", "db-1", "Pod", "db-1"}, // the bare pod of that name
		{"prod", "agent-k2j4x", "DaemonSet", "agent"},
		{"prod", "migrate-7xk2p", "Job", "migrate"},
		{"prod", "migrate-3-7xk2p", "Job", "migrate"}, // indexed
		{"prod", "backup-28473360-zt5kq", "CronJob", "backup"},
		{"prod", "debug", "Pod", "debug"},
		{"staging", "web-7d9f8b6c5d-x2x4z", "Deployment", "web"},
		// Generated names keep 58 bytes of the prefix.
		{"prod", long[:58] + "b2c4d", "Deployment", long},
		{"prod", long[:55] + "-x-" + "b2c4d", "DaemonSet", long[:55] + "-x"},
		{"prod", "db-01", "", ""},                // not an ordinal
		{"prod", "web-x2x4z", "", ""},            // a Deployment's pods have a hash
		{"prod", "web-7d9f8b6c5d-X2X4Z", "", ""}, // suffixes are lower case
		{"prod", "agent-k2j4", "", ""},           // suffixes are 5 long
		{"prod", "backup-nightly-zt5kq", "", ""},
		{"prod", "unknown-abcde", "", ""},
		{"dev", "web-7d9f8b6c5d-x2x4z", "", ""},
		{"prod", "", "", ""},
	} {
		kind, name, ok := ResolveOwner(tc.ns, tc.pod, ws)
		if kind != tc.kind || name != tc.name || ok != (tc.kind != "") {
			t.Errorf("ResolveOwner(%q, %q) = %q, %q, %v; want %q, %q", tc.ns, tc.pod, kind, name, ok, tc.kind, tc.name)
		}
	}
}

// TestResolveOwnerTies: a name fits only where the rest has the right
// shape, and among workloads of one kind that all fit (generated names cut
// to 58 bytes) the longer name wins, then the smaller.
func TestResolveOwnerTies(t *testing.T) {
	ws := []Workload{{Kind: "Deployment", Namespace: "n", Name: "web"}, {Kind: "Deployment", Namespace: "n", Name: "web-api"}}
	// For "web", "api-5cdcc99dbf" would have to be a hash, which has no '-'.
	if _, name, _ := ResolveOwner("n", "web-api-5cdcc99dbf-q9w8e", ws); name != "web-api" {
		t.Errorf("got %q", name)
	}
	ws = []Workload{{Kind: "DaemonSet", Namespace: "n", Name: "a"}, {Kind: "DaemonSet", Namespace: "n", Name: "a-b"}}
	if _, name, _ := ResolveOwner("n", "a-b-cdefg", ws); name != "a-b" {
		t.Errorf("got %q", name)
	}
	long := strings.Repeat("z", 70)
	ws = []Workload{{Kind: "ReplicaSet", Namespace: "n", Name: long + "b"}, {Kind: "ReplicaSet", Namespace: "n", Name: long + "a"}, {Kind: "ReplicaSet", Namespace: "n", Name: long}}
	if _, name, _ := ResolveOwner("n", long[:58]+"abcde", ws); name != long+"a" {
		t.Errorf("got %q", name)
	}
}

func TestMatch(t *testing.T) {
	ws := ownerWorkloads()
	ws[0].Containers = []Container{{Name: "istio-init", Init: true}, {Name: "app"}, {Name: "istio-proxy"}}
	ws[3].Containers = []Container{{Name: "pg"}}
	ws[6].Containers = []Container{{Name: "job"}}
	ws = append(ws, Workload{Kind: "Deployment", Namespace: "prod", Name: "web"}) // a duplicate: the first counts
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	obs := []Observation{
		{Namespace: "prod", Pod: "web-7d9f8b6c5d-bbbbb", Container: "app", Source: "b.json", First: t0},
		{Namespace: "prod", Pod: "web-7d9f8b6c5d-aaaaa", Container: "app", Source: "z.json"},
		{Namespace: "prod", Pod: "web-7d9f8b6c5d-aaaaa", Container: "istio-init", Source: "a.json"},
		{Namespace: "prod", Pod: "anything", OwnerKind: "ReplicaSet", OwnerName: "web-5cdcc99dbf", Container: "istio-proxy"},
		{Namespace: "prod", Pod: "x", OwnerKind: "Job", OwnerName: "backup-28473360", Container: "job"},
		{Namespace: "prod", Pod: "db-0", OwnerKind: "StatefulSet", OwnerName: "db", Container: "pg"},
		{Namespace: "prod", Pod: "db-0", Container: "sidecar"},
		{Namespace: "prod", Pod: "orphan-abcde", OwnerKind: "ReplicaSet", OwnerName: "orphan", Container: "c"},
		{Namespace: "prod", Pod: "nobody", Container: "c"},
		{Namespace: "prod", Pod: "static-node1", OwnerKind: "Node", OwnerName: "node1", Container: "c"},
	}
	matched, unmatched := Match(ws, obs)
	if len(matched) != len(ws)-1 {
		t.Fatalf("matched %d workloads, want %d", len(matched), len(ws)-1)
	}
	for i := 1; i < len(matched); i++ {
		a, b := matched[i-1].Workload, matched[i].Workload
		if a.Namespace > b.Namespace || a.Namespace == b.Namespace && (a.Kind > b.Kind || a.Kind == b.Kind && a.Name >= b.Name) {
			t.Errorf("matched not sorted: %v/%v/%v before %v/%v/%v", a.Namespace, a.Kind, a.Name, b.Namespace, b.Kind, b.Name)
		}
	}
	got := make(map[string]string)
	for _, m := range matched {
		var parts []string
		for _, c := range m.Containers {
			var pods []string
			for _, o := range c.Observations {
				pods = append(pods, o.Pod+"@"+o.Source)
			}
			parts = append(parts, c.Container+"="+strings.Join(pods, ","))
		}
		if len(parts) > 0 {
			got[m.Workload.Kind+"/"+m.Workload.Namespace+"/"+m.Workload.Name] = strings.Join(parts, " ")
		}
		if n := len(m.Observations()); n != countObs(m) {
			t.Errorf("Observations() has %d, want %d", n, countObs(m))
		}
	}
	want := map[string]string{
		"Deployment/prod/web": "istio-init=web-7d9f8b6c5d-aaaaa@a.json app=web-7d9f8b6c5d-aaaaa@z.json,web-7d9f8b6c5d-bbbbb@b.json istio-proxy=anything@",
		"CronJob/prod/backup": "job=x@",
		"StatefulSet/prod/db": "pg=db-0@",
	}
	if len(got) != len(want) {
		t.Errorf("matched containers %q, want %q", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	var reasons []string
	for _, u := range unmatched {
		reasons = append(reasons, u.Observation.Pod+": "+u.Reason)
	}
	wantReasons := []string{
		`db-0: StatefulSet prod/db declares no container "sidecar"`,
		"nobody: no workload in the namespace fits the pod's name",
		"orphan-abcde: its owner ReplicaSet orphan is not among the workloads",
		"static-node1: no workload in the namespace fits the pod's name",
	}
	if strings.Join(reasons, "\n") != strings.Join(wantReasons, "\n") {
		t.Errorf("unmatched:\n%s\nwant:\n%s", strings.Join(reasons, "\n"), strings.Join(wantReasons, "\n"))
	}
}

func countObs(m Matched) int {
	n := 0
	for _, c := range m.Containers {
		n += len(c.Observations)
	}
	return n
}
