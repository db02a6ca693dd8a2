// Package manifest reads the declared side of a Kubernetes cluster from
// manifests on disk, and turns typed Kubernetes objects (from files here, or
// from a live cluster in usage/k8s/cluster) into what synthesis consumes:
// the workloads with their declared securityContexts ([]podsec.Workload)
// and the RBAC rules already granted to each subject ([]k8s.Grant).
//
// Reading (Decode, Read): YAML multi-document streams split on "---" lines,
// JSON, and `kind: List` (or any "*List") documents with items. Documents
// are decoded with sigs.k8s.io/yaml into k8s.io/api types, so a field of
// the wrong type is an error. A malformed document is a record.Problem
// naming its file and start line (Index -1, "line N: ..."); the rest of the
// file loads. Objects of other kinds are counted in Result.Skipped by kind.
// Namespaced objects that name no namespace get Options.Namespace
// ("default" when empty), as `kubectl apply -f` would place them.
//
// Converting (Convert), shared with the cluster reader:
//
//   - Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and
//     Pods become Workloads. A Pod whose controller (ownerReference with
//     controller: true) is a ReplicaSet, StatefulSet, DaemonSet or Job
//     among the objects is folded into it, and so is a ReplicaSet owned by
//     a Deployment and a Job owned by a CronJob; a Pod whose controller is
//     such a kind but not among the objects stands for that controller (one
//     Workload per controller). Other Pods are bare Pods.
//   - RoleBindings and ClusterRoleBindings give one Grant per (subject,
//     rule of the bound role). A ClusterRoleBinding applies everywhere
//     (Namespace ""); a RoleBinding, also one to a ClusterRole, applies in
//     its own namespace. A ClusterRole with an aggregationRule has, as the
//     aggregation controller gives it, the union of the rules of the other
//     ClusterRoles its label selectors match (resolved recursively), not
//     its own. A binding whose role is missing, and a rule whose strings
//     cannot be stored losslessly (a verb or URL with a space, a resource
//     with a dot, ...) are Problems.
//
// Storing (GrantRecords, GrantsFromRecords): a Grant becomes record.Grant
// rows for the store's grants table, one per subject, verb, resource (or
// URL) and resource name, in the canonical forms of synth/k8s; the inverse
// recovers Grants that allow exactly the same requests.
//
// Everything in a manifest is attacker-controlled: values are kept as
// strings and compared, never evaluated, used as paths or templates. The
// package must never import client-go (it would slow every build that
// reads files), DuckDB, or another usage package but usage/record; output
// is sorted and deterministic.
package manifest
