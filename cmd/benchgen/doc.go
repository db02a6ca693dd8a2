// Command benchgen writes synthetic CloudTrail logs for `make bench`:
// gzip files in the S3 delivery shape
// (DIR/AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_RANDOM.json.gz),
// each {"Records":[…]}, with realistic records: IAM users and assumed roles,
// real eventSource/eventName pairs naming resources, a few errors, denied
// calls and service events, and power-law (Zipf) principals and actions.
//
//	go run ./cmd/benchgen -events 1000000 -files 1000 -out DIR [-seed 1]
//
// With -provider azure it writes Azure Activity Log exports instead, as a
// diagnostic setting delivers them to a storage account
// (DIR/insights-activity-logs/resourceId=/SUBSCRIPTIONS/SUB/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json.gz,
// gzipped here to keep the benchmark's disk small), each {"records":[…]}:
// users, service principals and managed identities running real Azure
// operations, Start halves of long operations, AuthorizationFailed refusals
// and a few records of other categories.
//
// With -provider k8s it writes Kubernetes audit logs as the API server's
// log backend rotates them (DIR/k8s-audit/audit-2006-01-02T15-04-05.000.log.gz,
// gzipped), each JSON Lines of audit.k8s.io/v1 Metadata-level events:
// service accounts (with their token's extra fields) and OIDC users in 30
// namespaces getting, listing, watching and changing resources of the core
// and other API groups, pods/exec and pods/log, watches and exec as
// ResponseStarted and ResponseComplete pairs, RequestReceived stages for
// about a fifth of the other requests, 2% refused with 403, some
// impersonation, and node, kube-system controller, scheduler and
// system:masters requests that readers skip.
//
// With -provider aws-iam it writes one file, -out FILE: what `aws iam
// get-account-authorization-details` prints for each of the three
// accounts, the pages one after another, for `pare report --grants`.
// -principals (default 10000) users and roles: the first -usage-principals
// (default 2000) are the principals of the CloudTrail logs of the same
// seed, the rest are roles no log mentions. Each is granted about -actions
// (default 1000) concrete actions: ten customer managed policies of 100
// catalog actions each from its account's pool (two through its team's
// group for users), an inline policy for what its logs show it calling,
// and for some a guardrail of Deny statements, a conditional Deny, a
// permissions boundary or AdministratorAccess.
//
// Output depends only on the flags: the same seed gives the same bytes. It
// must never read anything, call the network or use the clock for content.
package main
