package manifest

import (
	"fmt"
	"sort"

	"github.com/leastpriv/pare/synth/k8s"
	"github.com/leastpriv/pare/synth/k8s/podsec"
	"github.com/leastpriv/pare/usage/record"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Result is the declared side read from manifests or a cluster.
type Result struct {
	Workloads []podsec.Workload // sorted by namespace, kind, name
	Grants    []k8s.Grant       // sorted by subject, namespace, origin, rule
	Objects   int               // documents and list items seen (manifests) or objects listed (cluster)
	// Skipped counts what was deliberately not used, by reason: objects of
	// other kinds ("kind Service") and controller-owned objects folded into
	// their controller ("Pod folded into its ReplicaSet").
	Skipped  map[string]int
	Problems []record.Problem
}

func (r *Result) skip(reason string, n int) {
	if n == 0 {
		return
	}
	if r.Skipped == nil {
		r.Skipped = make(map[string]int)
	}
	r.Skipped[reason] += n
}

// ownerKey names an object for owner lookups: "Kind/namespace/name".
func ownerKey(kind, namespace, name string) string {
	return kind + "/" + namespace + "/" + name
}

// podOwnerKinds are the controllers a Pod is folded into or stands for.
func podOwnerKind(kind string) bool {
	switch kind {
	case "ReplicaSet", "StatefulSet", "DaemonSet", "Job":
		return true
	}
	return false
}

// Convert turns typed objects into Workloads and Grants (see the package
// documentation for the rules). A binding to a ClusterRole the objects do
// not hold takes its rules from builtin, when not nil. Objects of other
// types are counted as skipped. Both the manifest and the cluster readers
// use it.
func Convert(objs []Object, builtin Builtin) Result {
	var res Result
	res.Objects = len(objs)
	// What controllers there are, for folding owned objects.
	known := make(map[string]bool)
	for _, o := range objs {
		switch v := o.Obj.(type) {
		case *appsv1.Deployment:
			known[ownerKey("Deployment", v.Namespace, v.Name)] = true
		case *appsv1.ReplicaSet:
			known[ownerKey("ReplicaSet", v.Namespace, v.Name)] = true
		case *appsv1.StatefulSet:
			known[ownerKey("StatefulSet", v.Namespace, v.Name)] = true
		case *appsv1.DaemonSet:
			known[ownerKey("DaemonSet", v.Namespace, v.Name)] = true
		case *batchv1.Job:
			known[ownerKey("Job", v.Namespace, v.Name)] = true
		case *batchv1.CronJob:
			known[ownerKey("CronJob", v.Namespace, v.Name)] = true
		}
	}
	folded := func(meta metav1.ObjectMeta, ownerKind string) bool {
		c := metav1.GetControllerOfNoCopy(&meta)
		return c != nil && c.Kind == ownerKind && known[ownerKey(c.Kind, meta.Namespace, c.Name)]
	}
	// Pods of controllers not among the objects stand for them, once.
	standIns := make(map[string]bool)
	var rbac []Object
	for _, o := range objs {
		switch v := o.Obj.(type) {
		case *appsv1.Deployment:
			res.Workloads = append(res.Workloads, workloadOf("Deployment", v.ObjectMeta, v.Spec.Template.Spec, o.Source))
		case *appsv1.StatefulSet:
			res.Workloads = append(res.Workloads, workloadOf("StatefulSet", v.ObjectMeta, v.Spec.Template.Spec, o.Source))
		case *appsv1.DaemonSet:
			res.Workloads = append(res.Workloads, workloadOf("DaemonSet", v.ObjectMeta, v.Spec.Template.Spec, o.Source))
		case *appsv1.ReplicaSet:
			if folded(v.ObjectMeta, "Deployment") {
				res.skip("ReplicaSet folded into its Deployment", 1)
				continue
			}
			res.Workloads = append(res.Workloads, workloadOf("ReplicaSet", v.ObjectMeta, v.Spec.Template.Spec, o.Source))
		case *batchv1.Job:
			if folded(v.ObjectMeta, "CronJob") {
				res.skip("Job folded into its CronJob", 1)
				continue
			}
			res.Workloads = append(res.Workloads, workloadOf("Job", v.ObjectMeta, v.Spec.Template.Spec, o.Source))
		case *batchv1.CronJob:
			res.Workloads = append(res.Workloads, workloadOf("CronJob", v.ObjectMeta, v.Spec.JobTemplate.Spec.Template.Spec, o.Source))
		case *corev1.Pod:
			c := metav1.GetControllerOfNoCopy(&v.ObjectMeta)
			if c == nil || !podOwnerKind(c.Kind) {
				res.Workloads = append(res.Workloads, workloadOf("Pod", v.ObjectMeta, v.Spec, o.Source))
				continue
			}
			key := ownerKey(c.Kind, v.Namespace, c.Name)
			if known[key] {
				res.skip("Pod folded into its "+c.Kind, 1)
				continue
			}
			if standIns[key] {
				res.skip("Pod of a "+c.Kind+" another Pod stands for", 1)
				continue
			}
			standIns[key] = true
			meta := v.ObjectMeta
			meta.Name = c.Name
			res.Workloads = append(res.Workloads, workloadOf(c.Kind, meta, v.Spec, o.Source))
		case *rbacv1.Role, *rbacv1.ClusterRole, *rbacv1.RoleBinding, *rbacv1.ClusterRoleBinding:
			rbac = append(rbac, o)
		default:
			res.skip(fmt.Sprintf("type %T", o.Obj), 1)
		}
	}
	grants, problems, skipped := grantsOf(rbac, builtin)
	res.Grants = grants
	res.Problems = append(res.Problems, problems...)
	for reason, n := range skipped {
		res.skip(reason, n)
	}
	sortWorkloads(res.Workloads)
	res.Workloads = res.dropDuplicates(res.Workloads)
	return res
}

func sortWorkloads(ws []podsec.Workload) {
	sort.SliceStable(ws, func(i, j int) bool {
		a, b := ws[i], ws[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Source < b.Source
	})
}

// dropDuplicates keeps the first of workloads of the same kind, namespace
// and name (sorted), reporting the others.
func (r *Result) dropDuplicates(ws []podsec.Workload) []podsec.Workload {
	var out []podsec.Workload
	for i, w := range ws {
		if i > 0 {
			p := ws[i-1]
			if p.Kind == w.Kind && p.Namespace == w.Namespace && p.Name == w.Name {
				r.Problems = append(r.Problems, record.Problem{Input: w.Source, Index: -1,
					Message: fmt.Sprintf("%s %s/%s declared again (first at %s); this one is ignored", w.Kind, w.Namespace, w.Name, out[len(out)-1].Source)})
				continue
			}
		}
		out = append(out, w)
	}
	return out
}
