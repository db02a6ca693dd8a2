// Package remediate says what rewriting one pare-managed file does: which
// permissions the new content removes, keeps, adds and infers for a
// principal, with the evidence from the observation window, which parts of
// the existing file an opt-out keeps, and whether the change is safe to
// propose. `pare pr` builds a Plan per principal, writes the merged content
// and describes the Plans in the pull request (emit.PRDescription).
//
// One Plan per principal and provider:
//
//   - PlanAWS compares the statements of an existing IAM policy (from
//     ParseIAMJSON, or decoded from pare's Terraform by the caller) with a
//     synthesized aws.Policy; MergeKeptAWS gives the documents to write.
//   - PlanAzure compares an existing role definition (ParseAzureRoleJSON, or
//     decoded by the caller) with a synthesized azure.Role; MergeKeptAzure
//     gives the role to write.
//   - PlanK8s compares existing RBAC objects (decoded by the caller from
//     YAML or Terraform) with a synthesized k8s.Policy; MergeKeptK8s gives
//     the policy to render and the objects to carry over as they stand.
//
// A permission is one (action, resource) pair: an IAM action and resource
// pattern, an Azure operation and assignable scope, a Kubernetes request
// ("get pods", "<namespace>/<name>"). Removed lists the existing file's
// pairs the new content no longer allows; Kept the new pairs the existing
// file already allowed; Added the new pairs it did not; Inferred the new
// pairs only inferred usage justifies (iam:PassRole, Azure /read). Every
// entry carries the usage in the window that the pair covers; a removed
// pair that still shows usage was a wide grant (a wildcard) replaced by
// narrower ones that allow that usage.
//
// Opt-out: content marked pare:keep is carried into the new file unchanged
// and listed in Plan.KeptByOptOut:
//
//   - AWS: a statement whose Sid contains "pare:keep" or, since IAM Sids
//     may only hold letters and digits, "PareKeep" (any case); or a
//     statement the caller marks Keep (a pare:keep comment in Terraform). A
//     statement kept by a comment gets "PareKeep" in front of its Sid, as
//     the comment does not survive rendering. Deny statements are always
//     carried over: pare writes none and never drops one. A statement to
//     carry over that holds what pare's documents cannot (Condition,
//     NotAction, NotResource, Principal, a policy variable under another
//     policy Version) is an error: the caller must move it to a policy pare
//     does not manage.
//   - Azure: a role whose Description contains "pare:keep" (outside the
//     principal's own name) keeps everything it grants; pare only adds to it.
//   - Kubernetes: an RBAC object annotated `pare.dev/keep: "true"` is
//     written back as it stands (its Source) and replaces pare's object of
//     the same kind, namespace and name.
//
// Safety: Check refuses a Plan when the observation window is shorter than
// the configured minimum, and when the final content does not allow every
// access used in the window, as the provider's evaluator decides (aws.Verify,
// azure.Verify, k8s.Verify): pare never removes a used permission.
//
// Decision: parsing HCL and YAML needs libraries outside the standard
// library, so remediate only parses JSON (IAM policies, Azure role
// definitions). The caller decodes Terraform (hclsyntax) and Kubernetes YAML
// into the types here; remediate never sees HCL or YAML text except as the
// opaque Source of a Kubernetes object it carries over.
//
// The package is pure: it imports only the standard library and synth's
// packages, and must never touch files, the network, git, the environment
// or the clock. Its output is deterministic: entries are sorted, kept
// content stays in file order.
package remediate
