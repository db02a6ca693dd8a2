// Package cluster reads the declared side of a live Kubernetes cluster
// (k8s://CONTEXT): its RBAC (Roles, ClusterRoles, RoleBindings,
// ClusterRoleBindings) and its workloads (Deployments, StatefulSets,
// DaemonSets, ReplicaSets, Jobs, CronJobs, Pods) across all namespaces,
// listed page by page (Options.PageSize), and converts them with
// usage/k8s/manifest's Convert, so a cluster gives exactly what the same
// objects in manifests would: Workloads with their declared
// securityContexts (Pods resolved through their owners, Pod -> ReplicaSet
// -> Deployment and Pod -> Job -> CronJob) and one Grant per subject and
// bound rule, with Source and Origin "k8s://CONTEXT".
//
// Client connects with a kubeconfig as kubectl does (clientcmd's default
// loading rules, so KUBECONFIG is honoured) and an explicit context. Read
// takes any kubernetes.Interface, so tests use client-go's fake clientset.
// A list that fails (unreachable cluster, refused credentials, forbidden
// list) is an *Error naming the context and the kind, with a hint.
//
// It is the only package of pare that imports client-go, which adds about a
// minute to a cold build: keep it out of packages that only read files. It
// only lists (get/list verbs); it must never create, change or delete
// anything in a cluster, nor import DuckDB.
package cluster
