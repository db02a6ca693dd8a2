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
// Output depends only on the flags: the same seed gives the same bytes. It
// must never read anything, call the network or use the clock for content.
package main
