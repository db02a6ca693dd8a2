package main

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The end-to-end tests of k8s://CONTEXT: pare's real client-go client,
// configured from a kubeconfig file, talks TLS to a fake API server on
// 127.0.0.1 that serves the list endpoints pare reads with real List JSON.

// apiToken is the bearer token the kubeconfig gives and the server wants.
const apiToken = "pare-test-token"

// apiList is what one list endpoint serves.
type apiList struct {
	group, resource  string // "", "pods"
	kind, apiVersion string // "PodList", "v1"
	items            []json.RawMessage
}

// apiServer is a fake Kubernetes API server. It serves GET of the list
// paths in lists, by pages when asked for a limit, and answers every other
// request with a 404 Status, recording it as unexpected.
type apiServer struct {
	srv   *httptest.Server
	lists map[string]apiList
	// fail answers a path with a Status of this code; failPage only on the
	// second page (a continue token that expired while paging).
	fail     map[string]int
	failPage map[string]int

	mu         sync.Mutex
	requests   []string // "PATH?QUERY", in order
	unexpected []string
}

// apiKinds are the endpoints client-go calls for the kinds
// usage/k8s/cluster lists, in all namespaces, in the order it lists them.
var apiKinds = []struct {
	path, group, resource, kind, apiVersion string
}{
	{"/apis/rbac.authorization.k8s.io/v1/roles", "rbac.authorization.k8s.io", "roles", "RoleList", "rbac.authorization.k8s.io/v1"},
	{"/apis/rbac.authorization.k8s.io/v1/clusterroles", "rbac.authorization.k8s.io", "clusterroles", "ClusterRoleList", "rbac.authorization.k8s.io/v1"},
	{"/apis/rbac.authorization.k8s.io/v1/rolebindings", "rbac.authorization.k8s.io", "rolebindings", "RoleBindingList", "rbac.authorization.k8s.io/v1"},
	{"/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBindingList", "rbac.authorization.k8s.io/v1"},
	{"/apis/apps/v1/deployments", "apps", "deployments", "DeploymentList", "apps/v1"},
	{"/apis/apps/v1/statefulsets", "apps", "statefulsets", "StatefulSetList", "apps/v1"},
	{"/apis/apps/v1/daemonsets", "apps", "daemonsets", "DaemonSetList", "apps/v1"},
	{"/apis/apps/v1/replicasets", "apps", "replicasets", "ReplicaSetList", "apps/v1"},
	{"/apis/batch/v1/jobs", "batch", "jobs", "JobList", "batch/v1"},
	{"/apis/batch/v1/cronjobs", "batch", "cronjobs", "CronJobList", "batch/v1"},
	{"/api/v1/pods", "", "pods", "PodList", "v1"},
}

// newAPIServer starts a server with empty lists for every kind; the
// caller fills lists before the first request.
func newAPIServer(t *testing.T) *apiServer {
	t.Helper()
	s := &apiServer{lists: make(map[string]apiList), fail: make(map[string]int), failPage: make(map[string]int)}
	for _, k := range apiKinds {
		s.lists[k.path] = apiList{group: k.group, resource: k.resource, kind: k.kind, apiVersion: k.apiVersion}
	}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	t.Cleanup(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, u := range s.unexpected {
			t.Errorf("unexpected request to the API server: %s", u)
		}
	})
	return s
}

// add appends items to the list at path.
func (s *apiServer) add(path string, items ...string) {
	l := s.lists[path]
	for _, it := range items {
		l.items = append(l.items, json.RawMessage(it))
	}
	s.lists[path] = l
}

// writeStatus writes a metav1.Status as the API server does.
func writeStatus(w http.ResponseWriter, code int, reason, message string, details string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":%q,"reason":%q,"details":%s,"code":%d}`+"\n",
		message, reason, details, code)
}

// continueToken is shaped like the API server's: base64 of JSON with the
// resource version and where the next page starts.
func continueToken(start int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"v":"meta.k8s.io/v1","rv":4711,"start":"%d"}`, start)))
}

func (s *apiServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.Path+"?"+r.URL.RawQuery)
	s.mu.Unlock()
	unexpected := func(why string) {
		s.mu.Lock()
		s.unexpected = append(s.unexpected, r.Method+" "+r.URL.String()+": "+why)
		s.mu.Unlock()
	}
	if r.Header.Get("Authorization") != "Bearer "+apiToken {
		unexpected("no bearer token")
		writeStatus(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized", "{}")
		return
	}
	list, ok := s.lists[r.URL.Path]
	if !ok || r.Method != http.MethodGet {
		unexpected("not a list pare makes")
		writeStatus(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource", "{}")
		return
	}
	if !strings.Contains(r.Header.Get("Accept"), "application/json") {
		unexpected("Accept: " + r.Header.Get("Accept"))
	}
	q := r.URL.Query()
	if s.fail[r.URL.Path] == http.StatusForbidden {
		gr := list.resource
		if list.group != "" {
			gr += "." + list.group
		}
		writeStatus(w, http.StatusForbidden, "Forbidden",
			fmt.Sprintf(`%s is forbidden: User "dev" cannot list resource %q in API group %q at the cluster scope`, gr, list.resource, list.group),
			fmt.Sprintf(`{"group":%q,"kind":%q}`, list.group, list.resource))
		return
	}
	start := 0
	if c := q.Get("continue"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		var tok struct{ Start string }
		if err == nil {
			err = json.Unmarshal(b, &tok)
		}
		if err == nil {
			start, err = strconv.Atoi(tok.Start)
		}
		if err != nil || start <= 0 || start > len(list.items) {
			unexpected("bad continue token")
			writeStatus(w, http.StatusBadRequest, "BadRequest", "continue key is not valid", "{}")
			return
		}
		if s.failPage[r.URL.Path] == http.StatusGone {
			writeStatus(w, http.StatusGone, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.", "{}")
			return
		}
	}
	end := len(list.items)
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 {
			unexpected("bad limit")
			writeStatus(w, http.StatusBadRequest, "BadRequest", "bad limit", "{}")
			return
		}
		end = min(end, start+n)
	}
	meta := map[string]any{"resourceVersion": "4711"}
	if end < len(list.items) {
		meta["continue"] = continueToken(end)
		meta["remainingItemCount"] = len(list.items) - end
	}
	items := list.items[start:end]
	if items == nil {
		items = []json.RawMessage{}
	}
	body, err := json.Marshal(map[string]any{"kind": list.kind, "apiVersion": list.apiVersion, "metadata": meta, "items": items})
	if err != nil {
		unexpected(err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// paths returns the requests made, in order.
func (s *apiServer) paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// useKubeconfig writes a kubeconfig whose contexts "test" (current) and
// "other" point at server (TLS, trusting its certificate, with the token)
// and sets KUBECONFIG to it.
func useKubeconfig(t *testing.T, server string, caPEM []byte) string {
	t.Helper()
	config := fmt.Sprintf(`apiVersion: v1
kind: Config
current-context: test
clusters:
- name: fake
  cluster:
    server: %s
    certificate-authority-data: %s
contexts:
- name: test
  context: {cluster: fake, user: dev}
- name: other
  context: {cluster: fake, user: dev}
users:
- name: dev
  user: {token: %s}
`, server, base64.StdEncoding.EncodeToString(caPEM), apiToken)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", path)
	return path
}

func (s *apiServer) kubeconfig(t *testing.T) {
	t.Helper()
	useKubeconfig(t, s.srv.URL, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw}))
}

// podsServed is how many Pods of the Deployment the server has: more than
// one page of client-go's 500.
const podsServed = 520

// shopCluster fills s with a small cluster: the ServiceAccount shop/web may
// read configmaps in shop (RoleBinding -> Role), the user alice may list
// pods everywhere (ClusterRoleBinding -> ClusterRole), and the Deployment
// shop/web runs as ServiceAccount web through its ReplicaSet and
// podsServed Pods, followed by a bare Pod tools/debug on the last page.
func shopCluster(s *apiServer) {
	const rbac = "/apis/rbac.authorization.k8s.io/v1/"
	s.add(rbac+"roles", `{"metadata":{"name":"cm-reader","namespace":"shop","uid":"r1","resourceVersion":"11"},
		"rules":[{"apiGroups":[""],"resources":["configmaps"],"verbs":["get","list","watch"]}]}`)
	s.add(rbac+"rolebindings", `{"metadata":{"name":"web-cm","namespace":"shop","uid":"rb1","resourceVersion":"12"},
		"subjects":[{"kind":"ServiceAccount","name":"web","namespace":"shop"}],
		"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"cm-reader"}}`)
	s.add(rbac+"clusterroles", `{"metadata":{"name":"pod-lister","uid":"cr1","resourceVersion":"13"},
		"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["list"]}]}`)
	s.add(rbac+"clusterrolebindings", `{"metadata":{"name":"alice-pods","uid":"crb1","resourceVersion":"14"},
		"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"}],
		"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"pod-lister"}}`)
	const spec = `{"serviceAccountName":"web","containers":[{"name":"nginx","image":"nginx:1.27","ports":[{"containerPort":8080}]}]}`
	s.add("/apis/apps/v1/deployments", `{"metadata":{"name":"web","namespace":"shop","uid":"d1","resourceVersion":"20"},
		"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":`+spec+`}}}`)
	s.add("/apis/apps/v1/replicasets", `{"metadata":{"name":"web-7c9d8f","namespace":"shop","uid":"rs1","resourceVersion":"21",
		"ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"d1","controller":true,"blockOwnerDeletion":true}]},
		"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":`+spec+`}}}`)
	for i := range podsServed {
		s.add("/api/v1/pods", fmt.Sprintf(`{"metadata":{"name":"web-7c9d8f-%04d","namespace":"shop","uid":"p%d","resourceVersion":"%d",
			"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7c9d8f","uid":"rs1","controller":true,"blockOwnerDeletion":true}]},
			"spec":%s,"status":{"phase":"Running"}}`, i, i, 100+i, spec))
	}
	s.add("/api/v1/pods", `{"metadata":{"name":"debug","namespace":"tools","uid":"p-debug","resourceVersion":"99"},
		"spec":{"containers":[{"name":"sh","image":"busybox:1.36","securityContext":{"privileged":true}}]}}`)
}

// objectsServed is how many objects shopCluster serves.
const objectsServed = 4 + 2 + podsServed + 1

// clusterAudit is an audit log of the shop: web lists configmaps (granted
// by its RoleBinding) and reads secret db (not granted); alice lists pods
// everywhere (granted by her ClusterRoleBinding).
const clusterAudit = `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"c0000000-0000-4000-8000-000000000001","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop/configmaps?limit=500","verb":"list","user":{"username":"system:serviceaccount:shop:web","groups":["system:serviceaccounts","system:serviceaccounts:shop","system:authenticated"]},"sourceIPs":["10.0.0.5"],"userAgent":"web/1.0","objectRef":{"resource":"configmaps","namespace":"shop","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-10-01T10:00:00.000000Z","stageTimestamp":"2026-10-01T10:00:00.010000Z"}
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"c0000000-0000-4000-8000-000000000002","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop/secrets/db","verb":"get","user":{"username":"system:serviceaccount:shop:web","groups":["system:serviceaccounts","system:serviceaccounts:shop","system:authenticated"]},"sourceIPs":["10.0.0.5"],"userAgent":"web/1.0","objectRef":{"resource":"secrets","namespace":"shop","name":"db","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-10-01T10:01:00.000000Z","stageTimestamp":"2026-10-01T10:01:00.010000Z"}
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"c0000000-0000-4000-8000-000000000003","stage":"ResponseComplete","requestURI":"/api/v1/pods?limit=500","verb":"list","user":{"username":"alice","groups":["dev","system:authenticated"]},"sourceIPs":["10.0.0.9"],"userAgent":"kubectl/v1.31","objectRef":{"resource":"pods","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-10-01T10:02:00.000000Z","stageTimestamp":"2026-10-01T10:02:00.010000Z"}
`

// writeAudit writes clusterAudit to a file and returns its path.
func writeAudit(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.log")
	if err := os.WriteFile(path, []byte(clusterAudit), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readManifest reads DIR/manifest.json.
func readManifest(t *testing.T, dir string) manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	return m
}

func principalEntry(t *testing.T, m manifest, principal string) *manifestPrincipal {
	t.Helper()
	for _, p := range m.Principals {
		if p.Principal == principal {
			return p
		}
	}
	t.Fatalf("manifest has no entry for %s", principal)
	return nil
}

func noStackTrace(t *testing.T, stderr string) {
	t.Helper()
	if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic:") || strings.Contains(stderr, ".go:") {
		t.Errorf("a stack trace or source position reached the user:\n%s", stderr)
	}
}

const (
	webPrincipal = "system:serviceaccount:shop:web"
	webRBAC      = "k8s/system-serviceaccount-shop-web.rbac.yaml"
)

// TestClusterGenerate runs generate with --grants and --workloads from
// k8s://test: the RBAC the cluster grants is left out of the output, the
// Deployment (through its ReplicaSet and Pods, listed in two pages) gets a
// securityContext patch.
func TestClusterGenerate(t *testing.T) {
	s := newAPIServer(t)
	shopCluster(s)
	s.kubeconfig(t)
	audit := writeAudit(t)
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := pare(t, "generate", "--provider", "k8s", "--grants", "k8s://test", "--workloads", "k8s://test", "--out", out, audit)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if want := fmt.Sprintf("pare: k8s://test: %d objects listed\n", objectsServed); strings.Count(stderr, want) != 2 {
		t.Errorf("stderr does not say twice (grants, workloads) %q:\n%s", want, stderr)
	}
	if want := fmt.Sprintf("pare: grants: %d Kubernetes objects read; 2 RBAC rules bound to subjects stored; 0 problems", objectsServed); !strings.Contains(stderr, want) {
		t.Errorf("stderr does not report the 2 grants:\n%s", stderr)
	}

	// web's RoleBinding allows the configmaps list: only the secret is left.
	rbac, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(webRBAC)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rbac), "- secrets") || !strings.Contains(string(rbac), "- db") || strings.Contains(string(rbac), "configmaps") {
		t.Errorf("%s should grant get on secret db and not configmaps:\n%s", webRBAC, rbac)
	}
	m := readManifest(t, out)
	web := principalEntry(t, m, webPrincipal)
	if !slices.Equal(web.Actions, []string{"get secrets"}) || !slices.Contains(web.Notes, "1 accesses are already allowed by existing RBAC and left out") {
		t.Errorf("web: actions %v, notes %v; want only get secrets and 1 access already allowed", web.Actions, web.Notes)
	}
	// alice's ClusterRoleBinding allows all she did: nothing written.
	alice := principalEntry(t, m, "alice")
	if len(alice.Files) != 0 || len(alice.Actions) != 0 || !slices.Contains(alice.Notes, "1 accesses are already allowed by existing RBAC and left out") {
		t.Errorf("alice: files %v, actions %v, notes %v; want nothing written, 1 access already allowed", alice.Files, alice.Actions, alice.Notes)
	}
	if _, err := os.Stat(filepath.Join(out, "k8s", "alice.rbac.yaml")); err == nil {
		t.Error("k8s/alice.rbac.yaml written though her ClusterRoleBinding allows what she did")
	}

	// The Deployment stands for its ReplicaSet and 520 Pods; the bare Pod
	// on the second page of Pods is a workload of its own.
	var workloads []string
	for _, w := range m.Workloads {
		workloads = append(workloads, fmt.Sprintf("%s %s/%s %v", w.Kind, w.Namespace, w.Name, w.Files))
	}
	want := []string{
		"Deployment shop/web [k8s/workloads/deployment-shop-web.patch.yaml k8s/workloads/deployment-shop-web.evidence.json]",
		"Pod tools/debug [k8s/workloads/pod-tools-debug.patch.yaml k8s/workloads/pod-tools-debug.evidence.json]",
	}
	if !slices.Equal(workloads, want) {
		t.Errorf("workloads:\n%s\nwant:\n%s", strings.Join(workloads, "\n"), strings.Join(want, "\n"))
	}
	patch, err := os.ReadFile(filepath.Join(out, "k8s", "workloads", "deployment-shop-web.patch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"apiVersion: apps/v1", "kind: Deployment", "  name: web", "  namespace: shop", "      - name: nginx", "        securityContext:", "          allowPrivilegeEscalation: false"} {
		if !slices.Contains(strings.Split(string(patch), "\n"), line) {
			t.Errorf("deployment-shop-web.patch.yaml has no line %q:\n%s", line, patch)
		}
	}
	kust, err := os.ReadFile(filepath.Join(out, "k8s", "workloads", "kustomization.yaml"))
	if err != nil || !strings.Contains(string(kust), "deployment-shop-web.patch.yaml") {
		t.Errorf("kustomization.yaml does not apply the Deployment's patch (%v):\n%s", err, kust)
	}

	// What client-go asked: each kind in all namespaces, pages of 500, the
	// Pods in two pages; no discovery, nothing else.
	var wantPaths []string
	for range 2 { // --grants, then --workloads
		for _, k := range apiKinds {
			wantPaths = append(wantPaths, k.path+"?limit=500")
		}
		wantPaths = append(wantPaths, "/api/v1/pods?continue="+continueToken(500)+"&limit=500")
	}
	if got := s.paths(); !slices.Equal(got, wantPaths) {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantPaths, "\n"))
	}
}

// TestClusterGrantsNotSubtractedWithout is the control: without --grants
// the same log gives web the configmaps and alice her pods.
func TestClusterGrantsNotSubtractedWithout(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := pare(t, "generate", "--provider", "k8s", "--out", out, writeAudit(t))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	m := readManifest(t, out)
	if web := principalEntry(t, m, webPrincipal); !slices.Equal(web.Actions, []string{"get secrets", "list configmaps"}) {
		t.Errorf("web: actions %v", web.Actions)
	}
	if alice := principalEntry(t, m, "alice"); !slices.Equal(alice.Actions, []string{"list pods"}) {
		t.Errorf("alice: actions %v", alice.Actions)
	}
}

// TestClusterIngestGrants stores the cluster's RBAC with ingest; a later
// generate from the store subtracts it, and a second ingest from a cluster
// without those bindings replaces the snapshot.
func TestClusterIngestGrants(t *testing.T) {
	s := newAPIServer(t)
	shopCluster(s)
	s.kubeconfig(t)
	db := filepath.Join(t.TempDir(), "pare.db")
	code, _, stderr := pare(t, "ingest", "--provider", "k8s", "--db", db, "--grants", "k8s://test")
	if code != 0 {
		t.Fatalf("ingest: exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "2 RBAC rules bound to subjects stored") {
		t.Errorf("ingest stderr:\n%s", stderr)
	}
	if n := len(s.paths()); n != len(apiKinds)+1 {
		t.Errorf("ingest made %d requests, want %d", n, len(apiKinds)+1)
	}
	audit := writeAudit(t)
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := pare(t, "generate", "--provider", "k8s", "--db", db, "--out", out, audit); code != 0 {
		t.Fatalf("generate: exit %d:\n%s", code, stderr)
	}
	m := readManifest(t, out)
	if web := principalEntry(t, m, webPrincipal); !slices.Equal(web.Actions, []string{"get secrets"}) {
		t.Errorf("web from the store's grants: actions %v, want only get secrets", web.Actions)
	}
	if alice := principalEntry(t, m, "alice"); len(alice.Actions) != 0 {
		t.Errorf("alice from the store's grants: actions %v, want none", alice.Actions)
	}

	// The cluster's bindings are gone: a new snapshot replaces the old.
	empty := newAPIServer(t)
	empty.kubeconfig(t)
	if code, _, stderr := pare(t, "ingest", "--provider", "k8s", "--db", db, "--grants", "k8s://test"); code != 0 || !strings.Contains(stderr, "0 RBAC rules bound") {
		t.Fatalf("second ingest: exit %d:\n%s", code, stderr)
	}
	out2 := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := pare(t, "generate", "--provider", "k8s", "--db", db, "--out", out2); code != 0 {
		t.Fatalf("generate after the second ingest: exit %d:\n%s", code, stderr)
	}
	if web := principalEntry(t, readManifest(t, out2), webPrincipal); !slices.Equal(web.Actions, []string{"get secrets", "list configmaps"}) {
		t.Errorf("web after the snapshot was replaced: actions %v, want configmaps back", web.Actions)
	}
}

// TestClusterCurrentContext: k8s:// alone is kubeconfig's current context.
func TestClusterCurrentContext(t *testing.T) {
	s := newAPIServer(t)
	shopCluster(s)
	s.kubeconfig(t)
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := pare(t, "generate", "--provider", "k8s", "--grants", "k8s://", "--out", out, writeAudit(t))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if want := fmt.Sprintf("pare: k8s://test: %d objects listed\n", objectsServed); !strings.Contains(stderr, want) {
		t.Errorf("stderr does not name the current context, %q:\n%s", want, stderr)
	}
	if web := principalEntry(t, readManifest(t, out), webPrincipal); !slices.Equal(web.Actions, []string{"get secrets"}) {
		t.Errorf("web: actions %v, want only get secrets", web.Actions)
	}
}

// TestClusterErrors: a forbidden list, a continue token that expired, an
// unknown context, a CA certificate that does not parse and an unreachable
// server each fail with exit 1, an
// error naming k8s://CONTEXT and a hint, and no stack trace; nothing is
// written.
func TestClusterErrors(t *testing.T) {
	audit := writeAudit(t)
	for _, c := range []struct {
		name    string
		setup   func(t *testing.T)
		context string
		want    []string // lines of stderr, each a prefix
	}{
		{"forbidden", func(t *testing.T) {
			s := newAPIServer(t)
			shopCluster(s)
			s.fail["/apis/rbac.authorization.k8s.io/v1/clusterroles"] = http.StatusForbidden
			s.kubeconfig(t)
		}, "test", []string{
			`pare: error: k8s://test: listing ClusterRoles: clusterroles.rbac.authorization.k8s.io is forbidden: User "dev" cannot list resource "clusterroles"`,
			"pare: hint: the context's identity may not list clusterroles.rbac.authorization.k8s.io in all namespaces",
		}},
		{"expired continue", func(t *testing.T) {
			s := newAPIServer(t)
			shopCluster(s)
			s.failPage["/api/v1/pods"] = http.StatusGone
			s.kubeconfig(t)
		}, "test", []string{
			"pare: error: k8s://test: listing Pods: The provided continue parameter is too old",
			"pare: hint: listing took longer than the server keeps a continue token",
		}},
		{"unknown context", func(t *testing.T) {
			s := newAPIServer(t)
			s.kubeconfig(t)
		}, "staging", []string{
			`pare: error: k8s://staging: no context "staging" in the kubeconfig`,
			"pare: hint: contexts in the kubeconfig: other, test (kubectl config get-contexts)",
		}},
		{"bad certificate", func(t *testing.T) {
			useKubeconfig(t, newAPIServer(t).srv.URL, []byte("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"))
		}, "test", []string{
			"pare: error: k8s://test: unable to load root certificates",
			"pare: hint: check the context's cluster and user with `kubectl config view --minify --context test`",
		}},
		{"unreachable", func(t *testing.T) {
			// Port 1 on loopback refuses at once.
			s := newAPIServer(t)
			useKubeconfig(t, "https://127.0.0.1:1", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw}))
		}, "test", []string{
			"pare: error: k8s://test: listing Roles: Get \"https://127.0.0.1:1/apis/rbac.authorization.k8s.io/v1/roles?limit=500\": dial tcp 127.0.0.1:1: connect: connection refused",
			"pare: hint: cannot reach the cluster: check the server address, VPN or proxy with `kubectl cluster-info --context test`",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.setup(t)
			for _, flag := range []string{"--grants", "--workloads"} {
				out := filepath.Join(t.TempDir(), "out")
				code, _, stderr := pare(t, "generate", "--provider", "k8s", flag, "k8s://"+c.context, "--out", out, audit)
				if code != exitError {
					t.Errorf("%s: exit %d, want %d:\n%s", flag, code, exitError, stderr)
				}
				lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
				for _, w := range c.want {
					if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, w) }) {
						t.Errorf("%s: stderr has no line starting %q:\n%s", flag, w, stderr)
					}
				}
				noStackTrace(t, stderr)
				if _, err := os.Stat(filepath.Join(out, "manifest.json")); err == nil {
					t.Errorf("%s: manifest.json written by a failed run", flag)
				}
			}
		})
	}
}
