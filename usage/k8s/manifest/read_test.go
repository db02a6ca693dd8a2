package manifest

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth/k8s"
	"github.com/leastpriv/pare/synth/k8s/podsec"
)

const testdata = "../../../testdata/k8s/manifests"

func readTestdata(t *testing.T, builtin Builtin) Result {
	t.Helper()
	res, err := Read([]string{testdata}, Options{}, builtin)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// rel strips the testdata directory from a source.
func rel(source string) string {
	return strings.TrimPrefix(source, testdata+string(filepath.Separator))
}

func TestReadWorkloads(t *testing.T) {
	res := readTestdata(t, nil)
	var got []string
	for _, w := range res.Workloads {
		got = append(got, w.Kind+" "+w.Namespace+"/"+w.Name+" "+rel(w.Source))
	}
	want := []string{
		"Pod kube-system/kube-apiserver-cp-1 pods.json:18", // owned by a Node: a bare pod
		"DaemonSet monitoring/node-exporter cluster-dump.yaml:98",
		"CronJob shop/db-backup app/backup-cronjob.yaml:1", // its Job in cluster-dump.yaml folded in
		"Deployment shop/api cluster-dump.yaml:7",          // its ReplicaSet and Pod folded in
		"Deployment shop/web app/web.yaml:13",
		"Pod shop/debug cluster-dump.yaml:144",
		"ReplicaSet shop/legacy-5d9f7b6c8 cluster-dump.yaml:81", // a Pod standing for its absent ReplicaSet
		"StatefulSet shop/postgres app/db.yaml:1",               // postgres-0 in pods.json folded in
		"Pod tools/after-the-bad-ones broken.yaml:61",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("workloads:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantSkipped := map[string]int{
		"Job folded into its CronJob":           1,
		"Pod folded into its ReplicaSet":        1,
		"Pod folded into its StatefulSet":       1,
		"ReplicaSet folded into its Deployment": 1,
		"kind ConfigMap":                        1,
		"kind Namespace":                        1,
		"kind Service":                          1,
		"kind ServiceAccount":                   1,
	}
	if !reflect.DeepEqual(res.Skipped, wantSkipped) {
		t.Errorf("skipped = %v, want %v", res.Skipped, wantSkipped)
	}
	if res.Objects != 31 {
		t.Errorf("objects = %d, want 31 (documents and list items)", res.Objects)
	}
}

func TestReadWorkloadFields(t *testing.T) {
	res := readTestdata(t, nil)
	find := func(kind, name string) podsec.Workload {
		for _, w := range res.Workloads {
			if w.Kind == kind && w.Name == name {
				return w
			}
		}
		t.Fatalf("no %s %s", kind, name)
		return podsec.Workload{}
	}
	ptrBool := func(b bool) *bool { return &b }
	ptrInt := func(i int64) *int64 { return &i }

	web := find("Deployment", "web")
	wantWeb := podsec.Workload{
		Kind: "Deployment", Namespace: "shop", Name: "web", ServiceAccount: "web",
		Pod: podsec.PodSecurity{RunAsNonRoot: ptrBool(false), SeccompProfile: "RuntimeDefault"},
		Containers: []podsec.Container{
			{Name: "nginx", Image: "nginx:1.27.3", AllowPrivilegeEscalation: ptrBool(false), CapAdd: []string{"NET_BIND_SERVICE"}, CapDrop: []string{"ALL"},
				Mounts: []podsec.Mount{{Volume: "nginx-conf", MountPath: "/etc/nginx/conf.d", ReadOnly: true}, {Volume: "cache", MountPath: "/var/cache/nginx"}}},
			{Name: "exporter", Image: "nginx/nginx-prometheus-exporter:1.4.0", RunAsUser: ptrInt(65534), ReadOnlyRootFilesystem: ptrBool(true)},
		},
		Volumes: []podsec.Volume{{Name: "nginx-conf", Type: "configMap"}, {Name: "cache", Type: "emptyDir"}},
		Source:  web.Source,
	}
	if !reflect.DeepEqual(web, wantWeb) {
		t.Errorf("web:\n%+v\nwant\n%+v", web, wantWeb)
	}

	pg := find("StatefulSet", "postgres")
	if len(pg.Containers) != 2 || !pg.Containers[0].Init || pg.Containers[0].Name != "init-permissions" || pg.Containers[1].Init {
		t.Errorf("postgres containers = %+v; want the init container first", pg.Containers)
	}
	if pg.AutomountServiceAccountToken == nil || *pg.AutomountServiceAccountToken || pg.Pod.FSGroup == nil || *pg.Pod.FSGroup != 999 || *pg.Containers[0].RunAsUser != 0 {
		t.Errorf("postgres = %+v", pg)
	}

	cron := find("CronJob", "db-backup")
	if cron.ServiceAccount != "backup" || cron.Containers[0].SeccompProfile != "Localhost/profiles/pg-dump.json" || cron.Volumes[0].Type != "persistentVolumeClaim" {
		t.Errorf("db-backup = %+v", cron)
	}
	ds := find("DaemonSet", "node-exporter")
	if !ds.Pod.HostNetwork || !ds.Pod.HostPID || ds.Pod.HostIPC || ds.Volumes[0].Type != "hostPath" || !ds.Containers[0].Mounts[0].ReadOnly {
		t.Errorf("node-exporter = %+v", ds)
	}
	legacy := find("ReplicaSet", "legacy-5d9f7b6c8")
	if p := legacy.Containers[0].Privileged; p == nil || !*p {
		t.Errorf("legacy = %+v; want the pod's privileged container", legacy)
	}
}

func TestReadProblems(t *testing.T) {
	res := readTestdata(t, nil)
	var got []string
	for _, p := range res.Problems {
		got = append(got, rel(p.String()))
	}
	want := []string{
		"broken.yaml: line 10: yaml: line 14: mapping values are not allowed in this context",
		"broken.yaml: line 16: kind Deployment: json: cannot unmarshal string into Go struct field PodSecurityContext.spec.template.spec.securityContext.runAsUser of type int64",
		"broken.yaml: line 33: not a Kubernetes object: no apiVersion or kind",
		`broken.yaml:48: Role shop/odd: rules[0]: verbs: "get pods" has a blank; the rule is ignored`,
		"broken.yaml:36: ClusterRoleBinding/ghost-admins: ClusterRole ghost not found; it grants nothing here",
		"rbac.yaml:111: RoleBinding/shop/sre-view: ClusterRole view not found; it grants nothing here",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The good rule of Role odd still loads (it is bound by nothing, so
	// it grants nothing), and so does the Pod after the bad documents.
	for _, w := range res.Workloads {
		if w.Name == "after-the-bad-ones" {
			return
		}
	}
	t.Error("the document after the bad ones did not load")
}

func TestReadGrants(t *testing.T) {
	view := func(name string) ([]k8s.Rule, bool) {
		if name != "view" {
			return nil, false
		}
		return []k8s.Rule{{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"configmaps", "pods"}}}, true
	}
	res := readTestdata(t, view)
	type row struct{ subject, ns, rule, origin string }
	var got []row
	for _, g := range res.Grants {
		got = append(got, row{Principal(g.Subject), g.Namespace, ruleKey(g.Rule), rel(strings.TrimSuffix(strings.SplitN(g.Origin, "(", 2)[1], ")"))})
	}
	mon := "rbac.yaml:95"
	want := []row{
		{"group:sre", "", "|endpoints,pods,services|||get,list,watch", mon},
		{"group:sre", "", "discovery.k8s.io|endpointslices|||get,list,watch", mon},
		{"group:sre", "", "|||/metrics,/metrics/cadvisor|get", mon},
		{"group:sre", "shop", "|configmaps,pods|||get,list,watch", "rbac.yaml:111"},
		{"system:serviceaccount:monitoring:prometheus", "", "|endpoints,pods,services|||get,list,watch", mon},
		{"system:serviceaccount:monitoring:prometheus", "", "discovery.k8s.io|endpointslices|||get,list,watch", mon},
		{"system:serviceaccount:monitoring:prometheus", "", "|||/metrics,/metrics/cadvisor|get", mon},
		{"system:serviceaccount:shop:backup", "shop", "|pods,pods/log|||get,list", "rbac.yaml:31"},
		{"system:serviceaccount:shop:backup", "shop", "batch|cronjobs,jobs|||create,delete,get,list,watch", "rbac.yaml:31"},
		// A service account without a namespace in a RoleBinding is in the binding's.
		{"system:serviceaccount:shop:web", "shop", "|configmaps|shop-settings,web-nginx||get,watch", "rbac.yaml:17"},
		{"system:serviceaccount:shop:web", "shop", "|secrets|shop-db||get", "rbac.yaml:17"},
		{"alice@example.com", "shop", "|pods,pods/log|||get,list", "rbac.yaml:31"},
		{"alice@example.com", "shop", "batch|cronjobs,jobs|||create,delete,get,list,watch", "rbac.yaml:31"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("grants:\n%v\nwant:\n%v", got, want)
	}
	g := res.Grants[len(res.Grants)-1]
	if g.Origin != "RoleBinding/shop/backup-jobs -> ClusterRole/job-runner ("+filepath.Join(testdata, "rbac.yaml")+":31)" {
		t.Errorf("origin = %q", g.Origin)
	}
	for _, p := range res.Problems {
		if strings.Contains(p.Message, "view not found") {
			t.Errorf("builtin view not used: %v", p)
		}
	}
}

func TestReadMissingPath(t *testing.T) {
	_, err := Read([]string{filepath.Join(testdata, "no-such-file.yaml")}, Options{}, nil)
	if err == nil || !strings.Contains(err.Error(), "no-such-file.yaml") {
		t.Errorf("error = %v, want one naming the path", err)
	}
}
