// Command genk8sroles writes synth/k8s/defaultroles_gen.go, the table
// behind k8s.DefaultClusterRole, from a committed copy of Kubernetes' golden
// file of its default ClusterRoles:
//
//	go run ./cmd/genk8sroles -in testdata/k8s/bootstrap -out synth/k8s/defaultroles_gen.go
//
// (`make k8s-roles`). IN holds cluster-roles.yaml (upstream
// plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml,
// unchanged) and SOURCE, whose Repository, Commit and Path lines name where
// it came from.
//
// genk8sroles resolves aggregation the way the API server's
// clusterrole-aggregation controller does (kubernetes
// pkg/controller/clusterroleaggregation): an aggregated role's rules are,
// selector by selector, the rules of the other roles the selector matches,
// those roles sorted by name, each rule once; repeated until no role
// changes, since edit (aggregated itself) feeds admin. Each rule's verbs,
// groups, resources, names and URLs are then sorted and made distinct.
//
// It lives outside synth because it parses YAML with sigs.k8s.io/yaml and
// the k8s.io/api types, and synth imports only the standard library: synth
// gets Go source. The output is deterministic (roles sorted by name, rules
// in the controller's order, gofmt'd); its tests fail when the committed
// file differs from a fresh generation. genk8sroles never touches the
// network and reads only IN.
package main
