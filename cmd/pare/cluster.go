package main

import (
	"context"
	"errors"

	k8smanifest "github.com/leastpriv/pare/usage/k8s/manifest"
)

// readCluster reads a live cluster's RBAC and workloads.
func readCluster(ctx context.Context, env *environment, kubeContext string) (k8smanifest.Result, error) {
	return k8smanifest.Result{}, errors.New("k8s://" + kubeContext + ": reading a live cluster is not wired in yet")
}
