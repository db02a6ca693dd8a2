package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"syscall"

	"github.com/leastpriv/pare/usage/k8s/manifest"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// DefaultPageSize is how many objects one list request asks for.
const DefaultPageSize = 500

// Options are how a cluster is read.
type Options struct {
	PageSize int64 // objects per list request; 0 means DefaultPageSize
}

// Error is a failure to reach or list a cluster: it names the context and
// the kind being listed ("" while connecting), and says what to try.
type Error struct {
	Context string
	Kind    string // "ClusterRoles", "Pods", ...; "" when connecting
	Err     error
	Hint    string
}

func (e *Error) Error() string {
	if e.Kind == "" {
		return fmt.Sprintf("k8s://%s: %v", e.Context, e.Err)
	}
	return fmt.Sprintf("k8s://%s: listing %s: %v", e.Context, e.Kind, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Client returns a client for the kubeconfig context kubeContext ("" for
// the current context) and the context's name, loading kubeconfig as
// kubectl does (KUBECONFIG, else ~/.kube/config).
func Client(kubeContext string) (kubernetes.Interface, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext})
	raw, err := cc.RawConfig()
	if err != nil {
		return nil, kubeContext, &Error{Context: kubeContext, Err: fmt.Errorf("reading kubeconfig: %w", err),
			Hint: "pare reads kubeconfig as kubectl does: $KUBECONFIG, else ~/.kube/config"}
	}
	name := kubeContext
	if name == "" {
		name = raw.CurrentContext
	}
	// Inside a pod with no kubeconfig, k8s:// means the pod's own cluster,
	// through its service account, as kubectl does there.
	if kubeContext == "" && len(raw.Contexts) == 0 {
		if cfg, err := rest.InClusterConfig(); err == nil {
			cfg.QPS, cfg.Burst = 50, 100
			cfg.UserAgent = "pare"
			client, err := kubernetes.NewForConfig(cfg)
			if err != nil {
				return nil, "in-cluster", &Error{Context: "in-cluster", Err: err, Hint: "check the pod's service account token and CA"}
			}
			return client, "in-cluster", nil
		}
	}
	if _, ok := raw.Contexts[name]; !ok || name == "" {
		var names []string
		for n := range raw.Contexts {
			names = append(names, n)
		}
		sort.Strings(names)
		hint := "the kubeconfig has no contexts; pare reads it as kubectl does ($KUBECONFIG, else ~/.kube/config)"
		if len(names) > 0 {
			hint = "contexts in the kubeconfig: " + strings.Join(names, ", ") + " (kubectl config get-contexts)"
		}
		return nil, name, &Error{Context: name, Err: fmt.Errorf("no context %q in the kubeconfig", name), Hint: hint}
	}
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, name, &Error{Context: name, Err: fmt.Errorf("kubeconfig: %w", err),
			Hint: "check the context's cluster and user with `kubectl config view --minify --context " + name + "`"}
	}
	cfg.QPS, cfg.Burst = 50, 100
	cfg.UserAgent = "pare"
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		// A certificate or key in the kubeconfig that does not parse.
		return nil, name, &Error{Context: name, Err: err,
			Hint: "check the context's cluster and user with `kubectl config view --minify --context " + name + "`"}
	}
	return client, name, nil
}

// ReadContext connects to the kubeconfig context kubeContext and reads it.
func ReadContext(ctx context.Context, kubeContext string, opts Options) (manifest.Result, error) {
	client, name, err := Client(kubeContext)
	if err != nil {
		return manifest.Result{}, err
	}
	return Read(ctx, client, name, opts)
}

// Read lists the cluster's RBAC and workloads through client and converts
// them with manifest.Convert. kubeContext names the cluster in sources,
// origins and errors. Read only lists: it changes nothing.
func Read(ctx context.Context, client kubernetes.Interface, kubeContext string, opts Options) (manifest.Result, error) {
	size := opts.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	l := lister{ctx: ctx, context: kubeContext, source: "k8s://" + kubeContext, size: size}
	rbac, core, apps, batch := client.RbacV1(), client.CoreV1(), client.AppsV1(), client.BatchV1()
	// Each kind, listed in all namespaces; the typed list is read by
	// pages through meta's list accessors.
	steps := []struct {
		kind, resource string
		list           func(metav1.ListOptions) (runtime.Object, error)
	}{
		{"Roles", "roles.rbac.authorization.k8s.io", func(o metav1.ListOptions) (runtime.Object, error) { return rbac.Roles("").List(ctx, o) }},
		{"ClusterRoles", "clusterroles.rbac.authorization.k8s.io", func(o metav1.ListOptions) (runtime.Object, error) { return rbac.ClusterRoles().List(ctx, o) }},
		{"RoleBindings", "rolebindings.rbac.authorization.k8s.io", func(o metav1.ListOptions) (runtime.Object, error) { return rbac.RoleBindings("").List(ctx, o) }},
		{"ClusterRoleBindings", "clusterrolebindings.rbac.authorization.k8s.io", func(o metav1.ListOptions) (runtime.Object, error) { return rbac.ClusterRoleBindings().List(ctx, o) }},
		{"Deployments", "deployments.apps", func(o metav1.ListOptions) (runtime.Object, error) { return apps.Deployments("").List(ctx, o) }},
		{"StatefulSets", "statefulsets.apps", func(o metav1.ListOptions) (runtime.Object, error) { return apps.StatefulSets("").List(ctx, o) }},
		{"DaemonSets", "daemonsets.apps", func(o metav1.ListOptions) (runtime.Object, error) { return apps.DaemonSets("").List(ctx, o) }},
		{"ReplicaSets", "replicasets.apps", func(o metav1.ListOptions) (runtime.Object, error) { return apps.ReplicaSets("").List(ctx, o) }},
		{"Jobs", "jobs.batch", func(o metav1.ListOptions) (runtime.Object, error) { return batch.Jobs("").List(ctx, o) }},
		{"CronJobs", "cronjobs.batch", func(o metav1.ListOptions) (runtime.Object, error) { return batch.CronJobs("").List(ctx, o) }},
		{"Pods", "pods", func(o metav1.ListOptions) (runtime.Object, error) { return core.Pods("").List(ctx, o) }},
	}
	for _, s := range steps {
		if err := l.pages(s.kind, s.resource, s.list); err != nil {
			return manifest.Result{}, err
		}
	}
	return manifest.Convert(l.objs, nil), nil
}

// lister collects listed objects, page by page.
type lister struct {
	ctx     context.Context
	context string // kubeconfig context, for errors
	source  string // "k8s://CONTEXT"
	size    int64
	objs    []manifest.Object
}

// pages calls list for each page until the server says there is no more,
// keeping every item.
func (l *lister) pages(kind, resource string, list func(metav1.ListOptions) (runtime.Object, error)) error {
	opts := metav1.ListOptions{Limit: l.size}
	for page := 0; ; page++ {
		if err := l.ctx.Err(); err != nil {
			return err
		}
		obj, err := list(opts)
		if err != nil {
			return l.fail(kind, resource, err)
		}
		items, err := meta.ExtractList(obj)
		if err != nil {
			return &Error{Context: l.context, Kind: kind, Err: err}
		}
		for _, item := range items {
			l.objs = append(l.objs, manifest.Object{Source: l.source, Obj: item})
		}
		lm, err := meta.ListAccessor(obj)
		if err != nil {
			return &Error{Context: l.context, Kind: kind, Err: err}
		}
		next := lm.GetContinue()
		if next == "" {
			return nil
		}
		if next == opts.Continue {
			return &Error{Context: l.context, Kind: kind, Err: fmt.Errorf("page %d: the server returned the same continue token again", page+1)}
		}
		opts.Continue = next
	}
}

// fail describes a failed list with a hint for its likely cause.
func (l *lister) fail(kind, resource string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) && l.ctx.Err() != nil {
		return err
	}
	e := &Error{Context: l.context, Kind: kind, Err: err}
	can := fmt.Sprintf("`kubectl auth can-i list %s --all-namespaces --context %s`", resource, l.context)
	switch {
	case apierrors.IsForbidden(err):
		e.Hint = fmt.Sprintf("the context's identity may not list %s in all namespaces; pare needs get/list on the RBAC and workload kinds it reads (the built-in view ClusterRole does not include RBAC); check with %s", resource, can)
	case apierrors.IsUnauthorized(err):
		e.Hint = "the cluster refused the context's credentials; log in again (an expired token or exec plugin) and check with `kubectl get ns --context " + l.context + "`"
	case apierrors.IsResourceExpired(err) || apierrors.IsGone(err):
		e.Hint = "listing took longer than the server keeps a continue token; run again, or use a larger page size"
	case unreachable(err):
		e.Hint = "cannot reach the cluster: check the server address, VPN or proxy with `kubectl cluster-info --context " + l.context + "`"
	}
	return e
}

// unreachable reports whether err is a failure to reach the API server.
func unreachable(err error) bool {
	var ne net.Error
	var ue *url.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &oe) || errors.As(err, &de) || errors.As(err, &ue) || errors.As(err, &ne) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EHOSTUNREACH)
}
