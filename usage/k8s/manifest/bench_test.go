package manifest

import (
	"bytes"
	"fmt"
	"testing"
)

// benchList is a `kubectl get -o yaml` List of n Deployments, each with a
// ReplicaSet and two Pods, and n RoleBindings to one ClusterRole.
func benchList(n int) []byte {
	var b bytes.Buffer
	b.WriteString("apiVersion: v1\nkind: List\nitems:\n")
	b.WriteString("- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRole\n  metadata: {name: reader}\n  rules:\n  - {apiGroups: [\"\"], resources: [pods, configmaps], verbs: [get, list, watch]}\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: app-%[1]d, namespace: ns-%[2]d}
  spec:
    template:
      spec:
        serviceAccountName: app-%[1]d
        securityContext: {runAsNonRoot: true, runAsUser: 1000}
        containers:
        - name: app
          image: example/app:%[1]d
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
          volumeMounts: [{name: tmp, mountPath: /tmp}]
        volumes: [{name: tmp, emptyDir: {}}]
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata:
    name: app-%[1]d-5f7d
    namespace: ns-%[2]d
    ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: app-%[1]d, uid: u, controller: true}]
  spec: {template: {spec: {containers: [{name: app, image: example/app}]}}}
- apiVersion: v1
  kind: Pod
  metadata:
    name: app-%[1]d-5f7d-a
    namespace: ns-%[2]d
    ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: app-%[1]d-5f7d, uid: u, controller: true}]
  spec: {containers: [{name: app, image: example/app}]}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: app-%[1]d, namespace: ns-%[2]d}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
  subjects: [{kind: ServiceAccount, name: app-%[1]d}]
`, i, i%50)
	}
	return b.Bytes()
}

func BenchmarkDecodeConvert(b *testing.B) {
	data := benchList(1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		objs, err := Decode("bench.yaml", bytes.NewReader(data), Options{})
		if err != nil || len(objs.Problems) != 0 {
			b.Fatal(err, objs.Problems)
		}
		res := Convert(objs.Items, nil)
		if len(res.Workloads) != 1000 || len(res.Grants) != 1000 {
			b.Fatalf("%d workloads, %d grants", len(res.Workloads), len(res.Grants))
		}
		if rows := GrantRecords(res.Grants); len(rows) != 6000 {
			b.Fatalf("%d rows", len(rows))
		}
	}
	b.ReportMetric(float64(4001*b.N)/b.Elapsed().Seconds(), "objects/s")
}
