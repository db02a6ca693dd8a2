// Package emit renders pare's results: IAM policy JSON, Azure role
// definitions, Kubernetes RBAC (typed rbac/v1 YAML) and securityContext
// patches with their kustomization, Terraform for all three, evidence
// files, and the file names they are written under. Each renderer has the
// shape func(w io.Writer, x T) error (some also take the observation
// window).
//
// Strings in what emit renders come from logs and are attacker-controlled:
// every renderer escapes them for its format (Terraform "${" and "%{", JSON,
// YAML, file names). No renderer silently changes what it renders: a string
// that is not valid UTF-8 is an error in every renderer (encoding/json and
// HCL would replace its bytes), Terraform also refuses strings that are not
// in Unicode normal form C, which Terraform would normalize, and Kubernetes
// objects the API server would refuse (invalid names, namespaces) are
// errors. JSON and YAML output escape every invisible rune (bidirectional
// overrides, zero-width and control characters) so a reviewer sees what a
// policy grants. WriteJSON is that JSON style, exported for pare's other
// JSON files.
//
// emit must never template a format by string concatenation where a syntax
// library exists (Terraform goes through hclwrite, Kubernetes objects are
// typed k8s.io/api structs marshalled by sigs.k8s.io/yaml), never open
// files itself, and never import the store (usage), client-go or a cloud
// SDK.
package emit
