// Package awsiam reads what AWS IAM grants today: the output of `aws iam
// get-account-authorization-details` (users, groups, roles and managed
// policies with their versions), and resolves it into the IAM statements
// that apply to each user and role, and from there into record.Grant rows
// for the store's grants table.
//
// # Input
//
// Decode reads the CLI's JSON: one object with UserDetailList,
// GroupDetailList, RoleDetailList and Policies. Policy documents come as
// JSON objects (the CLI decodes them) or as URL-encoded JSON strings (the
// raw API and aws-sdk-go-v2 return those, RFC 3986 percent-encoding); both
// give the same statements. Several pages are accepted too, as pages
// written one after another into one file (`cat page1.json page2.json`) or
// as a JSON array of pages (`jq -s`): their lists are joined. An entity
// listed twice (overlapping pages) is kept once if both copies are the
// same and is an error if they differ. When every page says IsTruncated
// (or carries a NextToken), the listing is incomplete and Decode fails:
// grants resolved from part of an account would be wrong (a user's groups
// may be on the missing page).
//
// Malformed JSON is an error naming the input, line and column; nothing
// of the input is used. A bad policy document (not JSON, a statement
// without Effect, Action or Resource, a Principal in an identity policy)
// is a record.Problem naming the policy and where it is attached; the rest
// loads, and the policy grants nothing.
//
// # Resolution
//
// Statements applies to each user its inline policies, its attached
// managed policies (their default version), the inline and attached
// policies of its groups, and its permissions boundary; to each role its
// inline and attached policies and its boundary. Groups are not principals
// (CloudTrail never names one): their policies are resolved into their
// users. An attached policy, group or boundary missing from the input is a
// Problem; the principal keeps the rest (without its boundary, its grants
// are then shown wider than they are).
//
// # Grant rows
//
// GrantRecords writes one record.Grant per statement, its action patterns
// in Action and its resource patterns in Resource, as written, sorted and
// one per line (the report expands them):
//
//   - Provider "aws", Principal the user or role ARN, Scope its account id;
//   - Effect encodes the statement's form, lower case, parts joined by
//     '-': an optional "boundary-" (a statement of the permissions
//     boundary), "allow" or "deny", then "-not-action" when Action holds a
//     NotAction pattern, "-not-resource" when Resource holds a NotResource
//     pattern, "-conditional" when the statement has a Condition. So
//     "allow", "deny-not-action", "boundary-allow-conditional";
//   - Origin says where the statement comes from, and is the same on all
//     rows of one statement (StatementsFromRecords groups by it):
//     "arn:aws:iam::aws:policy/ReadOnlyAccess (v3) statement #0" or
//     "inline policy NAME statement #2", then the statement's Sid quoted
//     when it has one, " via group GROUP-ARN" for a group's policy, " as
//     permissions boundary" for the boundary, and " with condition KEY,
//     KEY" naming the condition keys.
//
// StatementsFromRecords turns rows back into the synth/aws GrantStatements
// that Entitlements expands.
//
// It only decodes and resolves. It must never expand wildcards (that needs
// the catalog, and synth/aws does it), call AWS (usage/awsiam/fetch does),
// read files or import DuckDB.
package awsiam
