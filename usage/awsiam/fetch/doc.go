// Package fetch reads what IAM grants today straight from the account:
// iam:// pages through GetAccountAuthorizationDetails with aws-sdk-go-v2's
// IAM client and returns the same awsiam.Details that `aws iam
// get-account-authorization-details` output decodes to (policy documents
// stay URL-encoded, as the API sends them; awsiam decodes both forms).
//
// The client comes from the SDK's default configuration chain
// (environment, shared profile, SSO, instance metadata); AWS_ENDPOINT_URL_IAM
// (or AWS_ENDPOINT_URL) points it elsewhere, as everywhere in the SDK.
// IAM is global: without a region, us-east-1 signs the requests.
//
// It only lists. It must never resolve or store grants, read files, import
// DuckDB or the store, or log credentials; it touches the network only
// through the API it is given.
package fetch
