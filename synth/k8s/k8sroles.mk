# synth/k8s/k8sroles.mk: regenerate Kubernetes' default ClusterRoles
# (synth/k8s/defaultroles_gen.go, behind k8s.DefaultClusterRole) from the
# committed upstream golden file in testdata/k8s/bootstrap (see SOURCE
# there). Included by the main Makefile. Needs neither the network nor
# cgo; cmd/genk8sroles' tests check the committed file is what this writes.

K8S_ROLES_IN  ?= testdata/k8s/bootstrap
K8S_ROLES_OUT ?= synth/k8s/defaultroles_gen.go

.PHONY: k8s-roles
k8s-roles:
	CGO_ENABLED=0 $(or $(GO),go) run ./cmd/genk8sroles -in "$(K8S_ROLES_IN)" -out "$(K8S_ROLES_OUT)"
	@ls -l $(K8S_ROLES_OUT)
