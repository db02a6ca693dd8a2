package main

import (
	"context"
	"errors"

	"github.com/leastpriv/pare/synth/k8s/podsec"

	k8smanifest "github.com/leastpriv/pare/usage/k8s/manifest"
)

// readCluster reads a live cluster's RBAC and workloads.
func readCluster(ctx context.Context, env *environment, kubeContext string) (k8smanifest.Result, error) {
	return k8smanifest.Result{}, errors.New("k8s://" + kubeContext + ": reading a live cluster is not wired in yet")
}

// readRuntime reads runtime evidence files.
func readRuntime(env *environment, files []string) ([]podsec.Observation, error) {
	if len(files) > 0 {
		return nil, errors.New("--runtime: reading runtime evidence is not wired in yet")
	}
	return nil, nil
}
