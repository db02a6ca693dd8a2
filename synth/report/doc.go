// Package report compares what principals are granted with what they used,
// rates it, and says what changed since an earlier report: the model and
// logic behind `pare report`.
//
// Compare takes one provider's entitlements (synth.Entitlement, expanded
// by synth/aws, synth/azure and synth/k8s from the stored grants) and the
// accesses of the window, with the provider's rules passed in as functions
// (Covers, Risks, Unobservable, Container, Kind), and returns one
// Principal per principal: every distinct entitlement as one Item (used,
// unused or unobservable), the allowed accesses no entitlement covers
// (used-not-granted) and the denied attempts, with evidence, risks, counts
// and a Score. It indexes each principal's accesses by action (ignoring
// case), so an entitlement costs a few map lookups and a Covers call per
// access of its action, never entitlements × accesses: 10,000 principals
// with 1,000 entitlements and 200 accesses each take about 9 s on two
// shared cores (BenchmarkCompare).
//
// Rollups sums principals per account, subscription or cluster; Diff
// compares a report with an earlier one (a stored snapshot); Trend and
// PointOf draw the history of snapshots; ParseFailOn and Condition.Holds
// evaluate --fail-on conditions (score>=N, new-risky-grant).
//
// # The score
//
// Score rates a principal from 0 to 100: 0 when everything granted is used
// (or nothing is granted), 100 when everything is idle, risky entitlements
// and an admin wildcard among it. Only granted items count (used, unused,
// unobservable); denied attempts and used-not-granted accesses do not.
//
//	I = (unused + unobservable/2) / granted
//	R = (risky unused + risky unobservable/2) / risky granted   (0 when nothing risky is granted)
//	A = 1 when an unused or unobservable item carries the admin risk, else 0
//	Score = round(40·I + 50·R + 10·A), halves rounded up
//
// An item is risky when it carries any risk category (privilege
// escalation, credentials exposure, resource exposure, data exfiltration,
// admin). Unobservable entitlements count half: the logs can show neither
// that they are used nor that they are not. So a principal holding nothing
// risky never scores above 40; the next 50 points come only from idle
// risky entitlements, in proportion to how many of its risky ones are
// idle; the last 10 only from an idle admin grant.
//
// Worked examples:
//
//   - Nothing granted: 0. Everything granted used: 0.
//   - 10 granted, none risky; 4 used, 4 unused, 2 unobservable:
//     I = (4 + 2/2)/10 = 0.5, R = 0, A = 0; score = 40·0.5 = 20.
//   - 20 granted, two risky (iam:PassRole, privilege escalation;
//     secretsmanager:GetSecretValue, credentials exposure); 15 used, among
//     them iam:PassRole; 5 unused, among them GetSecretValue:
//     I = 5/20 = 0.25, R = 1/2; score = 10 + 25 = 35.
//   - 4 granted, 3 used, s3:GetObject (data exfiltration) unobservable:
//     I = 0.5/4 = 0.125, R = 0.5/1; score = 5 + 25 = 30.
//   - One harmless action granted and never used: I = 1; score 40.
//   - An admin wildcard expanded to 15,000 actions, all carrying the admin
//     risk; 30 used, 14,000 unused, 970 unobservable:
//     I = R = (14,000 + 485)/15,000 = 0.9657; score = 38.6 + 48.3 + 10 =
//     96.9, rounded 97.
//
// Rollups and trend points carry the mean score of their principals,
// rounded to one decimal.
//
// The package is pure: it imports only the standard library and synth. It
// must never touch DuckDB, files, the network, the environment or the
// clock (Report.Taken is passed in), and its output never depends on map
// or input order.
package report
