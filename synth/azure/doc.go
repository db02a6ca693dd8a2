// Package azure synthesizes least-privilege Azure custom role definitions
// from observed Azure usage and evaluates them.
//
// Synthesize turns the accesses of many principals into one Role per
// principal: the operations used as Actions (sorted, distinct ignoring
// case), NotActions, DataActions and NotDataActions empty, and
// AssignableScopes drawn from the resource ids seen at a chosen Granularity
// (resource group by default). Once a role's scopes lie in more than
// Options.CollapseResourceGroups resource groups of one subscription they
// become the subscription, reported as a Generalization. Each role gets a
// stable id, a version 5 UUID of the principal and its scopes, so
// regenerating updates the same role definition.
//
// Operation names and resource ids come from logs and are attacker
// controlled. An operation is granted only when it cannot mean more than
// itself: one with '*' (Azure's wildcard), spaces or control characters is
// rejected and reported, never emitted. Resource ids are parsed without
// trusting their shape: anything that is not a subscription, resource group,
// management group or resource id is kept as its own scope and reported in
// Role.Unscoped, never widened.
//
// Allows and Verify evaluate a role with Azure RBAC's matching rules, and
// Compile gives an Evaluator for asking many questions of one role;
// generate uses Verify to prove every role allows the usage it came from
// before writing it. NewEvidence explains each granted action.
//
// Entitlements is the granted side of the privilege report: it expands role
// assignments' permissions blocks (Grant) into concrete operations of the
// catalog, NotActions subtracted within their block, at the assignment
// scope. Covers says whether an entitlement allows an access (same
// operation, resource at or below the scope), Risks what an operation
// risks (a table with its sources), Unobservable which operations the
// Activity Log never shows (reads and data actions).
//
// The package is pure: it imports only the standard library and synth's
// packages (synth/catalog, synth/report), and must never touch files, the
// network, the environment, DuckDB or the clock. It does not import synth/aws: the two providers share no matching
// rules, and their evidence differs (regions and calling services for AWS,
// scopes and role ids for Azure).
package azure
