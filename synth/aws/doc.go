// Package aws synthesizes least-privilege IAM policies from observed AWS
// usage and evaluates IAM policy documents.
//
// Synthesize turns the accesses of many principals into one Policy per
// principal: Allow statements grouped by identical resource sets, everything
// sorted, stable content-derived Sids, split into several documents when a
// document would exceed the managed-policy size limit. Every widening beyond
// what was recorded is reported as a Generalization: "*" for an action that
// takes resources when the log named none, and a wildcard pattern once one
// action touched more than Options.MaxResources distinct ARNs of one type.
//
// Resource names come from logs and are attacker-controlled. IAM treats '*'
// and '?' in a Resource as wildcards and "${...}" as a policy variable, so a
// recorded resource is never copied verbatim: '*', '?' and '$' are written as
// IAM's predefined escape variables "${*}", "${?}" and "${$}" (valid with
// policy Version 2012-10-17, which pare always writes), so a recorded name
// grants exactly itself and nothing more.
//
// Allows, AllowsAny and Verify evaluate documents with IAM's matching rules
// (see Allows for what is and is not supported); Compile gives an Evaluator
// for asking many questions of the same documents. generate uses Verify to
// prove every policy allows the usage it came from before writing it.
//
// The granted side: GrantStatement is one IAM policy statement as it
// applies to one user or role (usage/awsiam resolves authorization details
// into them). Entitlements (or an Expander, which remembers expansions
// across calls, and its Each for one principal at a time) turns them into
// synth.Entitlements: wildcards and NotAction expanded against the catalog,
// explicit denies and the permissions boundary applied, the admin wildcard
// flagged. Covers says whether an entitlement allows an observed access;
// Unobservable names the actions CloudTrail only records as data events
// (see its doc for the sources). Per-action risk categories come from the
// catalog: (*catalog.AWS).Risks.
//
// The package is pure: it imports only the standard library, synth and
// synth/catalog, and must never touch files, the network, the environment,
// DuckDB or the clock.
package aws
