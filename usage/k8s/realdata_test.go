package k8s

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/usage/record"
)

// falcoTraces is what each Falco trace file (testdata/k8s/audit/falco,
// captured on minikube in 2018-2019) gives with Options.KeepMasters, read
// by hand from the files: "principal|action|resource|outcome" for each
// event, or "skip:REASON", or "problem".
var falcoTraces = []struct {
	file string
	want []string
}{
	{"anonymous_creates_namespace_foo.json", []string{"skip:anonymous"}},
	{"attach_cluster_admin_role.json", []string{"minikube-user|create clusterrolebindings.rbac.authorization.k8s.io||allowed"}},
	{"attach_pod.json", []string{"minikube-user|create pods/attach|default/nginx-deployment-7998647bdf-phvq7|allowed"}},
	{"create_cluster_role_pod_exec.json", []string{"minikube-user|create clusterroles.rbac.authorization.k8s.io||allowed"}},
	{"create_cluster_role_wildcard_resources.json", []string{"minikube-user|create clusterroles.rbac.authorization.k8s.io||allowed"}},
	{"create_cluster_role_wildcard_verbs.json", []string{"minikube-user|create clusterroles.rbac.authorization.k8s.io||allowed"}},
	{"create_cluster_role_write_privileges.json", []string{"minikube-user|create clusterroles.rbac.authorization.k8s.io||allowed"}},
	{"create_clusterrole.json", []string{"minikube-user|create clusterroles.rbac.authorization.k8s.io||allowed"}},
	{"create_clusterrolebinding.json", []string{"minikube-user|create clusterrolebindings.rbac.authorization.k8s.io||allowed"}},
	{"create_configmap.json", []string{"minikube-user|create configmaps|default/|allowed"}},
	{"create_configmap_no_sensitive_values.json", []string{"minikube-user|create configmaps|default/|allowed"}},
	{"create_configmap_sensitive_values.json", []string{"minikube-user|create configmaps|default/|allowed", "minikube-user|create configmaps|default/|allowed", "minikube-user|create configmaps|default/|allowed", "minikube-user|create configmaps|default/|allowed", "minikube-user|create configmaps|default/|allowed", "minikube-user|create configmaps|default/|allowed"}},
	{"create_deployment.json", []string{"minikube-user|create deployments.extensions|default/|allowed"}},
	{"create_kube_system_secret.json", []string{"admin|create secrets|kube-system/|allowed"}},
	{"create_nginx_pod_hostnetwork.json", []string{"skip:control plane"}},
	{"create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json", []string{"skip:control plane"}},
	{"create_nginx_pod_nohostnetwork.json", []string{"skip:control plane"}},
	{"create_nginx_pod_privileged.json", []string{"skip:control plane"}},
	{"create_nginx_pod_privileged_2nd_container.json", []string{"skip:control plane"}},
	{"create_nginx_pod_sensitive_mount.json", []string{"skip:control plane"}},
	{"create_nginx_pod_sensitive_mount_2nd_container.json", []string{"skip:control plane"}},
	{"create_nginx_pod_unprivileged.json", []string{"skip:control plane"}},
	{"create_nginx_pod_unsensitive_mount.json", []string{"skip:node"}},
	{"create_nginx_service_nodeport.json", []string{"minikube-user|create services|default/|allowed"}},
	{"create_nginx_service_nonodeport.json", []string{"minikube-user|create services|default/|allowed"}},
	{"create_pod_kube_public_namespace.json", []string{"skip:control plane"}},
	{"create_pod_kube_system_namespace.json", []string{"skip:control plane"}},
	{"create_secret.json", []string{"minikube-user|create secrets|default/|allowed"}},
	{"create_service.json", []string{"minikube-user|create services|default/|allowed"}},
	{"create_service_account_token_secret.json", []string{"skip:control plane"}},
	{"create_serviceaccount.json", []string{"minikube-user|create serviceaccounts|default/|allowed"}},
	{"create_serviceaccount_kube_public_namespace.json", []string{"minikube-user|create serviceaccounts|kube-public/|allowed"}},
	{"create_serviceaccount_kube_system_namespace.json", []string{"minikube-user|create serviceaccounts|kube-system/|allowed"}},
	{"delete_cluster_role_kube_aggregator.json", []string{"minikube-user|delete clusterroles.rbac.authorization.k8s.io|/system:kube-aggregator|allowed"}},
	{"delete_clusterrole.json", []string{"minikube-user|delete clusterroles.rbac.authorization.k8s.io|/some-reader|allowed"}},
	{"delete_clusterrolebinding.json", []string{"minikube-user|delete clusterrolebindings.rbac.authorization.k8s.io|/some-reader-binding|allowed"}},
	{"delete_configmap.json", []string{"minikube-user|delete configmaps|default/my-config|allowed"}},
	{"delete_deployment.json", []string{"minikube-user|delete deployments.extensions|default/nginx-deployment|allowed"}},
	{"delete_namespace_foo.json", []string{"minikube-user|delete namespaces|foo/foo|allowed"}},
	{"delete_secret.json", []string{"minikube-user|delete secrets|default/example-secret|allowed"}},
	{"delete_service.json", []string{"minikube-user|delete services|default/nginx|allowed"}},
	{"delete_serviceaccount.json", []string{"minikube-user|delete serviceaccounts|default/myacct|allowed"}},
	{"exec_pod.json", []string{"minikube-user|create pods/exec|default/nginx-deployment-7998647bdf-phvq7|allowed"}},
	{"fal_01_003.json", []string{"problem"}},
	{"minikube_creates_namespace_foo.json", []string{"minikube-user|create namespaces||allowed"}},
	{"modify_cluster_role_node_problem_detector.json", []string{"minikube-user|patch clusterroles.rbac.authorization.k8s.io|/system:node-problem-detector|allowed"}},
	{"some-user_creates_namespace_foo.json", []string{"some-user|create namespaces||allowed"}},
}

// traceResult is one file's events and skips in falcoTraces' form.
func traceResult(evs []record.Event, st record.Stats) []string {
	var got []string
	for _, e := range evs {
		got = append(got, e.Principal+"|"+e.Action+"|"+e.Resource+"|"+string(e.Outcome))
	}
	for reason, n := range st.Skipped {
		for range n {
			got = append(got, "skip:"+reason)
		}
	}
	for range st.Problems {
		got = append(got, "problem")
	}
	return got
}

func TestFalcoTraces(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "k8s", "audit", "falco", "traces", "*.json"))
	if err != nil || len(files) != len(falcoTraces) {
		t.Fatalf("%d trace files (%v), want %d", len(files), err, len(falcoTraces))
	}
	r := NewReader(Options{KeepMasters: true})
	events := 0
	for _, c := range falcoTraces {
		evs, st, err := read(t, r, c.file, testdata(t, filepath.Join("falco", "traces", c.file)))
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		for _, e := range evs {
			checkEvent(t, e)
		}
		if got := traceResult(evs, st); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.file, got, c.want)
		}
		events += len(evs)
	}
	if events != 38 {
		t.Errorf("%d events from the traces, want 38", events)
	}
}

// TestFalcoMalformed: fal_01_003.json ({"kind": 0}) is the traces'
// deliberately malformed file: one bad record, reported with its index,
// not an error.
func TestFalcoMalformed(t *testing.T) {
	evs, st, err := read(t, NewReader(Options{}), "fal_01_003.json", testdata(t, "falco/traces/fal_01_003.json"))
	if err != nil || len(evs) != 0 || st.Records != 1 || len(st.Problems) != 1 || st.Problems[0].Index != 0 ||
		!strings.Contains(st.Problems[0].String(), "fal_01_003.json: record 0: ") {
		t.Errorf("%d events, %+v, %v", len(evs), st, err)
	}
}

// TestFalcoExec checks every field of exec_pod.json's event: kubectl exec
// logged at ResponseStarted with 101 (the stream upgrade) is an allowed
// create of pods/exec on the pod, and the name is kept (a subresource
// create names its parent).
func TestFalcoExec(t *testing.T) {
	evs, _ := mustRead(t, Options{KeepMasters: true, Cluster: "minikube"}, testdata(t, "falco/traces/exec_pod.json"))
	want := record.Event{
		Provider:      "k8s",
		EventID:       "k8s:ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6",
		Time:          time.Date(2018, 10, 26, 13, 38, 34, 867116000, time.UTC),
		Principal:     "minikube-user",
		PrincipalKind: "user",
		Action:        "create pods/exec",
		Resource:      "default/nginx-deployment-7998647bdf-phvq7",
		Scope:         "default",
		Region:        "minikube",
		Outcome:       record.Allowed,
		Service:       "v1",
		Operation:     "create /api/v1/namespaces/default/pods/nginx-deployment-7998647bdf-phvq7/exec",
	}
	if len(evs) != 1 || evs[0] != want {
		t.Errorf("got %+v\nwant %+v", evs, want)
	}
}

// TestFalcoDefaults: without KeepMasters, minikube-user, admin and
// some-user (all in system:masters) are skipped, and so is every other
// trace: 52 events in all, one of them the malformed file.
func TestFalcoDefaults(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "k8s", "audit", "falco", "traces", "*.json"))
	total := map[string]int{}
	r := NewReader(Options{})
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		evs, st, err := read(t, r, filepath.Base(f), b)
		if err != nil || len(evs) != 0 {
			t.Errorf("%s: %d events, %v", f, len(evs), err)
		}
		for k, n := range st.Skipped {
			total[k] += n
		}
	}
	want := map[string]int{SkipMasters: 38, SkipControlPlane: 11, SkipNode: 1, SkipAnonymous: 1}
	if !reflect.DeepEqual(total, want) {
		t.Errorf("skipped %v, want %v", total, want)
	}
}

// TestRBACTool reads rbac-tool's auditgen inputs: diana (no
// system:masters) creates pods, configmaps and secrets in alcide; admin
// (system:masters) creates pods in ns1, configmaps in ns2 and secrets in
// ns3, and is skipped unless KeepMasters.
func TestRBACTool(t *testing.T) {
	type row struct{ principal, action, resource, scope, session string }
	rows := func(evs []record.Event) []row {
		var out []row
		for _, e := range evs {
			checkEvent(t, e)
			out = append(out, row{e.Principal, e.Action, e.Resource, e.Scope, e.Session})
		}
		return out
	}
	const kubectl = "kubectl/v1.17.4 (darwin/amd64) kubernetes/8d8aa39"
	evs, st := mustRead(t, Options{}, testdata(t, "rbac-tool/testdata-02.json"))
	want := []row{
		{"diana", "create pods", "alcide/", "alcide", kubectl},
		{"diana", "create configmaps", "alcide/", "alcide", kubectl},
		{"diana", "create secrets", "alcide/", "alcide", kubectl},
	}
	if got := rows(evs); !reflect.DeepEqual(got, want) || len(st.Skipped) > 0 {
		t.Errorf("testdata-02: got %v, skipped %v\nwant %v", got, st.Skipped, want)
	}

	evs, st = mustRead(t, Options{}, testdata(t, "rbac-tool/testdata-01.json"))
	if len(evs) != 0 || !reflect.DeepEqual(skipped(st), map[string]int{SkipMasters: 3}) {
		t.Errorf("testdata-01 by default: %d events, skipped %v", len(evs), st.Skipped)
	}
	evs, _ = mustRead(t, Options{KeepMasters: true}, testdata(t, "rbac-tool/testdata-01.json"))
	want = []row{
		{"admin", "create pods", "ns1/", "ns1", kubectl},
		{"admin", "create configmaps", "ns2/", "ns2", kubectl},
		{"admin", "create secrets", "ns3/", "ns3", kubectl},
	}
	if got := rows(evs); !reflect.DeepEqual(got, want) {
		t.Errorf("testdata-01 with KeepMasters: got %v\nwant %v", got, want)
	}
}
