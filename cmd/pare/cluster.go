package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/leastpriv/pare/synth/k8s/podsec"
	"github.com/leastpriv/pare/usage/k8s/cluster"
	k8smanifest "github.com/leastpriv/pare/usage/k8s/manifest"
	"github.com/leastpriv/pare/usage/k8s/runtime"
)

// readCluster reads a live cluster's RBAC and workloads (k8s://CONTEXT,
// "" for kubeconfig's current context) through client-go.
func readCluster(ctx context.Context, env *environment, kubeContext string) (k8smanifest.Result, error) {
	var res k8smanifest.Result
	// The context's name, resolved when kubeContext is "" (k8s://).
	client, name, err := cluster.Client(kubeContext)
	if err == nil {
		res, err = cluster.Read(ctx, client, name, cluster.Options{})
	}
	var cerr *cluster.Error
	if errors.As(err, &cerr) && cerr.Hint != "" {
		return res, withHint(err, cerr.Hint)
	}
	if err != nil {
		return res, err
	}
	fmt.Fprintf(env.stderr, "pare: k8s://%s: %d objects listed\n", name, res.Objects)
	return res, nil
}

// readRuntime reads runtime evidence files (Inspektor Gadget, Falco);
// bad records are warnings and the rest is used.
func readRuntime(env *environment, files []string) ([]podsec.Observation, error) {
	if len(files) == 0 {
		return nil, nil
	}
	var paths []string
	for _, f := range files {
		found, problems := localInputs(f, "k8s")
		for _, p := range problems {
			return nil, withHint(fmt.Errorf("--runtime %s", p), "--runtime takes files or directories of Inspektor Gadget and Falco JSON output")
		}
		for _, in := range found {
			paths = append(paths, in.Name)
		}
	}
	res, err := runtime.Read(paths)
	if err != nil {
		return nil, withHint(err, "--runtime takes Inspektor Gadget trace_capabilities/trace_exec JSON output and Falco JSON events")
	}
	for _, p := range res.Problems {
		fmt.Fprintf(env.stderr, "pare: warning: %s\n", p)
	}
	fmt.Fprintf(env.stderr, "pare: runtime evidence: %d records read, %d about containers, %d containers observed\n", res.Records, res.Used, len(res.Observations))
	return res.Observations, nil
}
