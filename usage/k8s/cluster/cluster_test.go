package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth/k8s/podsec"
	"github.com/leastpriv/pare/usage/k8s/manifest"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

var yes = true

func objMeta(ns, name string, owner ...string) metav1.ObjectMeta {
	m := metav1.ObjectMeta{Namespace: ns, Name: name}
	if len(owner) == 2 {
		m.OwnerReferences = []metav1.OwnerReference{{Kind: owner[0], Name: owner[1], Controller: &yes}}
	}
	return m
}

func podSpec(container, image string) corev1.PodSpec {
	return corev1.PodSpec{Containers: []corev1.Container{{Name: container, Image: image}}}
}

func template(container, image string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{Spec: podSpec(container, image)}
}

// clusterObjects is a small cluster: a Deployment with its ReplicaSet and
// Pods, a CronJob with its Job and Pod, a StatefulSet, a DaemonSet, a bare
// Pod and a static one, and RBAC with an aggregated ClusterRole.
func clusterObjects() []runtime.Object {
	run := int64(101)
	web := template("nginx", "nginx:1.27")
	web.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsUser: &run}
	return []runtime.Object{
		&appsv1.Deployment{ObjectMeta: objMeta("shop", "web"), Spec: appsv1.DeploymentSpec{Template: web}},
		&appsv1.ReplicaSet{ObjectMeta: objMeta("shop", "web-7c9d8f", "Deployment", "web"), Spec: appsv1.ReplicaSetSpec{Template: web}},
		&corev1.Pod{ObjectMeta: objMeta("shop", "web-7c9d8f-a1", "ReplicaSet", "web-7c9d8f"), Spec: web.Spec},
		&corev1.Pod{ObjectMeta: objMeta("shop", "web-7c9d8f-b2", "ReplicaSet", "web-7c9d8f"), Spec: web.Spec},
		&batchv1.CronJob{ObjectMeta: objMeta("shop", "backup"), Spec: batchv1.CronJobSpec{JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: template("dump", "postgres:17")}}}},
		&batchv1.Job{ObjectMeta: objMeta("shop", "backup-2901", "CronJob", "backup"), Spec: batchv1.JobSpec{Template: template("dump", "postgres:17")}},
		&corev1.Pod{ObjectMeta: objMeta("shop", "backup-2901-x", "Job", "backup-2901"), Spec: podSpec("dump", "postgres:17")},
		&appsv1.StatefulSet{ObjectMeta: objMeta("shop", "db"), Spec: appsv1.StatefulSetSpec{Template: template("postgres", "postgres:17")}},
		&corev1.Pod{ObjectMeta: objMeta("shop", "db-0", "StatefulSet", "db"), Spec: podSpec("postgres", "postgres:17")},
		&appsv1.DaemonSet{ObjectMeta: objMeta("kube-system", "node-agent"), Spec: appsv1.DaemonSetSpec{Template: template("agent", "agent:1")}},
		&corev1.Pod{ObjectMeta: objMeta("kube-system", "node-agent-zz", "DaemonSet", "node-agent"), Spec: podSpec("agent", "agent:1")},
		&corev1.Pod{ObjectMeta: objMeta("kube-system", "etcd-cp-1", "Node", "cp-1"), Spec: podSpec("etcd", "etcd:3.5")},
		&corev1.Pod{ObjectMeta: objMeta("tools", "debug"), Spec: podSpec("sh", "busybox")},

		&rbacv1.Role{ObjectMeta: objMeta("shop", "cm-reader"), Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"configmaps"}}}},
		&rbacv1.RoleBinding{ObjectMeta: objMeta("shop", "web-cm"), RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "cm-reader"},
			Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "web", Namespace: "shop"}}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "monitoring"},
			AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"aggregate-to-monitoring": "true"}}}}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "monitoring-pods", Labels: map[string]string{"aggregate-to-monitoring": "true"}},
			Rules: []rbacv1.PolicyRule{{Verbs: []string{"list", "watch"}, APIGroups: []string{""}, Resources: []string{"pods"}}}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "prometheus"}, RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "monitoring"},
			Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "prometheus", Namespace: "monitoring"}}},
	}
}

func TestRead(t *testing.T) {
	client := fake.NewClientset(clusterObjects()...)
	res, err := Read(context.Background(), client, "prod", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range res.Workloads {
		got = append(got, fmt.Sprintf("%s %s/%s %s", w.Kind, w.Namespace, w.Name, w.Source))
	}
	want := []string{
		"DaemonSet kube-system/node-agent k8s://prod",
		"Pod kube-system/etcd-cp-1 k8s://prod",
		"CronJob shop/backup k8s://prod",
		"Deployment shop/web k8s://prod",
		"StatefulSet shop/db k8s://prod",
		"Pod tools/debug k8s://prod",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("workloads:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if w := res.Workloads[3]; w.Pod.RunAsUser == nil || *w.Pod.RunAsUser != 101 || !reflect.DeepEqual(w.Containers, []podsec.Container{{Name: "nginx", Image: "nginx:1.27"}}) {
		t.Errorf("web = %+v", w)
	}
	wantSkipped := map[string]int{
		"Job folded into its CronJob":           1,
		"Pod folded into its DaemonSet":         1,
		"Pod folded into its Job":               1,
		"Pod folded into its ReplicaSet":        2,
		"Pod folded into its StatefulSet":       1,
		"ReplicaSet folded into its Deployment": 1,
	}
	if !reflect.DeepEqual(res.Skipped, wantSkipped) {
		t.Errorf("skipped = %v, want %v", res.Skipped, wantSkipped)
	}
	var grants []string
	for _, g := range res.Grants {
		grants = append(grants, fmt.Sprintf("%s %q %v %v %s", manifest.Principal(g.Subject), g.Namespace, g.Rule.Verbs, g.Rule.Resources, g.Origin))
	}
	wantGrants := []string{
		`system:serviceaccount:monitoring:prometheus "" [list watch] [pods] ClusterRoleBinding/prometheus -> ClusterRole/monitoring (k8s://prod)`,
		`system:serviceaccount:shop:web "shop" [get] [configmaps] RoleBinding/shop/web-cm -> Role/shop/cm-reader (k8s://prod)`,
	}
	if !reflect.DeepEqual(grants, wantGrants) {
		t.Errorf("grants:\n%s\nwant:\n%s", strings.Join(grants, "\n"), strings.Join(wantGrants, "\n"))
	}
	if res.Objects != len(clusterObjects()) || len(res.Problems) != 0 {
		t.Errorf("objects %d, problems %v", res.Objects, res.Problems)
	}
}

// pager serves list requests of one resource by pages of the requested
// Limit, with the item index as continue token, and records the requests.
type pager struct {
	items    []corev1.Pod
	requests []metav1.ListOptions
}

func (p *pager) react(action k8stesting.Action) (bool, runtime.Object, error) {
	opts := action.(k8stesting.ListActionImpl).GetListOptions()
	p.requests = append(p.requests, opts)
	start := 0
	if opts.Continue != "" {
		n, err := strconv.Atoi(opts.Continue)
		if err != nil {
			return true, nil, apierrors.NewBadRequest("bad continue token")
		}
		start = n
	}
	end := len(p.items)
	if opts.Limit > 0 && start+int(opts.Limit) < end {
		end = start + int(opts.Limit)
	}
	list := &corev1.PodList{Items: p.items[start:end]}
	if end < len(p.items) {
		list.Continue = strconv.Itoa(end)
	}
	return true, list, nil
}

func TestReadPages(t *testing.T) {
	p := &pager{}
	for i := 0; i < 7; i++ {
		p.items = append(p.items, corev1.Pod{ObjectMeta: objMeta("ns", fmt.Sprintf("pod-%d", i)), Spec: podSpec("c", "i")})
	}
	client := fake.NewClientset()
	client.PrependReactor("list", "pods", p.react)
	res, err := Read(context.Background(), client, "kind-kind", Options{PageSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Workloads) != 7 || res.Workloads[6].Name != "pod-6" {
		t.Errorf("got %d workloads, want all 7 pods of 3 pages", len(res.Workloads))
	}
	want := []metav1.ListOptions{{Limit: 3}, {Limit: 3, Continue: "3"}, {Limit: 3, Continue: "6"}}
	if !reflect.DeepEqual(p.requests, want) {
		t.Errorf("requests = %+v, want %+v", p.requests, want)
	}
	// Every other kind was listed once, with the page size.
	for _, a := range client.Actions() {
		if l, ok := a.(k8stesting.ListActionImpl); ok && l.GetListOptions().Limit != 3 {
			t.Errorf("%s listed with limit %d", l.GetResource().Resource, l.GetListOptions().Limit)
		}
	}
	if n := len(client.Actions()); n != 13 {
		t.Errorf("%d requests, want 10 kinds once and pods 3 times", n)
	}
}

func TestReadRepeatedContinue(t *testing.T) {
	client := fake.NewClientset()
	client.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, &corev1.PodList{ListMeta: metav1.ListMeta{Continue: "same"}}, nil
	})
	_, err := Read(context.Background(), client, "c", Options{})
	var ce *Error
	if !errors.As(err, &ce) || ce.Kind != "Pods" || !strings.Contains(err.Error(), "same continue token") {
		t.Errorf("error = %v", err)
	}
}

func TestReadErrors(t *testing.T) {
	gr := schema.GroupResource{Group: "rbac.authorization.k8s.io", Resource: "clusterroles"}
	for _, c := range []struct {
		name     string
		resource string
		err      error
		want     string
		hint     string
	}{
		{"forbidden", "clusterroles", apierrors.NewForbidden(gr, "", errors.New(`User "dev" cannot list resource "clusterroles"`)),
			`k8s://prod: listing ClusterRoles: clusterroles.rbac.authorization.k8s.io is forbidden`, "kubectl auth can-i list clusterroles.rbac.authorization.k8s.io --all-namespaces --context prod"},
		{"unauthorized", "deployments", apierrors.NewUnauthorized("token expired"),
			"k8s://prod: listing Deployments: token expired", "log in again"},
		{"unreachable", "roles", &netError{}, "k8s://prod: listing Roles: dial tcp 10.0.0.1:6443: connect: connection refused", "cannot reach the cluster"},
		{"expired", "pods", apierrors.NewResourceExpired("continue token expired"), "k8s://prod: listing Pods:", "run again"},
	} {
		client := fake.NewClientset()
		client.PrependReactor("list", c.resource, func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, c.err })
		_, err := Read(context.Background(), client, "prod", Options{})
		var ce *Error
		if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), c.want) || !strings.Contains(ce.Hint, c.hint) || !errors.Is(err, c.err) {
			t.Errorf("%s: error %v, hint %q; want %q and a hint with %q", c.name, err, hintOf(err), c.want, c.hint)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, fake.NewClientset(), "prod", Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: error = %v", err)
	}
}

func hintOf(err error) string {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Hint
	}
	return ""
}

// netError is what a refused connection to the API server looks like.
type netError struct{}

func (*netError) Error() string   { return "dial tcp 10.0.0.1:6443: connect: connection refused" }
func (*netError) Timeout() bool   { return false }
func (*netError) Temporary() bool { return false }

const kubeconfig = `apiVersion: v1
kind: Config
current-context: kind-dev
clusters:
- name: dev
  cluster:
    server: https://127.0.0.1:1
contexts:
- name: kind-dev
  context: {cluster: dev, user: dev}
- name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
  context: {cluster: dev, user: dev}
users:
- name: dev
  user: {token: not-a-real-token}
`

func TestClient(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", path)
	for _, c := range []struct{ ask, want string }{{"", "kind-dev"}, {"arn:aws:eks:eu-west-1:123456789012:cluster/prod", "arn:aws:eks:eu-west-1:123456789012:cluster/prod"}} {
		client, name, err := Client(c.ask)
		if err != nil || client == nil || name != c.want {
			t.Errorf("Client(%q) = %v, %q, %v; want the client of %q", c.ask, client, name, err, c.want)
		}
	}
	_, _, err := Client("staging")
	if err == nil || err.Error() != `k8s://staging: no context "staging" in the kubeconfig` || !strings.Contains(hintOf(err), "arn:aws:eks:eu-west-1:123456789012:cluster/prod, kind-dev") {
		t.Errorf("unknown context: %v (hint %q)", err, hintOf(err))
	}
	// Port 1 on loopback refuses at once: an unreachable cluster.
	_, err = ReadContext(context.Background(), "kind-dev", Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "k8s://kind-dev: listing Roles: ") || !strings.Contains(hintOf(err), "cannot reach the cluster") {
		t.Errorf("unreachable: %v (hint %q)", err, hintOf(err))
	}
}
