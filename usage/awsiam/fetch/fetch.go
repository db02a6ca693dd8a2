package fetch

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/leastpriv/pare/usage/awsiam"
)

// Scheme is the input form this package reads: "iam://", the account of
// the credentials in use.
const Scheme = "iam://"

// IsURL reports whether s names the IAM API rather than a file.
func IsURL(s string) bool { return strings.HasPrefix(s, Scheme) }

// ParseURL checks an iam:// input. Only "iam://" itself is valid: the
// account is the one the credentials belong to (choose it with AWS_PROFILE
// or the other SDK settings).
func ParseURL(s string) error {
	if !IsURL(s) {
		return fmt.Errorf("parsing %q: not an iam:// URL", s)
	}
	if rest := strings.TrimPrefix(s, Scheme); rest != "" && rest != "/" {
		return fmt.Errorf("parsing %q: iam:// takes nothing after it (the account is the credentials'; pick a profile with AWS_PROFILE)", s)
	}
	return nil
}

// ClientOptions adjust the client built from the default config chain.
type ClientOptions struct {
	// Region overrides the chain's region; us-east-1 when neither gives
	// one (IAM is global; set it for other partitions, e.g. cn-north-1).
	Region string
	// Endpoint overrides the service URL (tests, proxies).
	Endpoint string
}

// NewClient builds an IAM client from the default config chain.
func NewClient(ctx context.Context, opt ClientOptions) (*iam.Client, error) {
	var fns []func(*config.LoadOptions) error
	if opt.Region != "" {
		fns = append(fns, config.WithRegion(opt.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, fns...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return iam.NewFromConfig(cfg, func(o *iam.Options) {
		if opt.Endpoint != "" {
			o.BaseEndpoint = aws.String(opt.Endpoint)
		}
	}), nil
}

// API is the part of the IAM client Details uses; *iam.Client satisfies it.
type API = iam.GetAccountAuthorizationDetailsAPIClient

// PageSize is how many entities Details asks for per call (the API's
// maximum).
const PageSize = 1000

// Details lists every user, group, role and managed policy of the account,
// page by page, into one awsiam.Details named name. A failed call fails the
// whole listing: nothing partial is returned.
func Details(ctx context.Context, api API, name string) (awsiam.Details, error) {
	d := awsiam.Details{Name: name}
	p := iam.NewGetAccountAuthorizationDetailsPaginator(api, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(PageSize)})
	for page := 1; p.HasMorePages(); page++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			return awsiam.Details{Name: name}, fmt.Errorf("%s: GetAccountAuthorizationDetails page %d: %w%s", name, page, err, hint(err))
		}
		add(&d, out)
	}
	return d, nil
}

// hint suggests a fix for the errors users meet most.
func hint(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "AccessDenied", "AccessDeniedException":
			return " (the credentials need iam:GetAccountAuthorizationDetails; the AWS managed policies SecurityAudit and IAMReadOnlyAccess include it)"
		case "InvalidClientTokenId", "ExpiredToken", "SignatureDoesNotMatch":
			return " (the credentials are not valid for IAM: check AWS_PROFILE, or refresh the session)"
		}
	}
	if strings.Contains(err.Error(), "failed to retrieve credentials") || strings.Contains(err.Error(), "no EC2 IMDS role found") {
		return " (no AWS credentials found: set AWS_PROFILE, run `aws sso login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
	}
	return ""
}

func add(d *awsiam.Details, out *iam.GetAccountAuthorizationDetailsOutput) {
	for _, u := range out.UserDetailList {
		d.Users = append(d.Users, awsiam.User{
			Name: aws.ToString(u.UserName), ID: aws.ToString(u.UserId), ARN: aws.ToString(u.Arn), Path: aws.ToString(u.Path),
			Groups: u.GroupList, Inline: inlines(u.UserPolicyList), Attached: attached(u.AttachedManagedPolicies), Boundary: boundary(u.PermissionsBoundary),
		})
	}
	for _, g := range out.GroupDetailList {
		d.Groups = append(d.Groups, awsiam.Group{
			Name: aws.ToString(g.GroupName), ID: aws.ToString(g.GroupId), ARN: aws.ToString(g.Arn), Path: aws.ToString(g.Path),
			Inline: inlines(g.GroupPolicyList), Attached: attached(g.AttachedManagedPolicies),
		})
	}
	for _, r := range out.RoleDetailList {
		d.Roles = append(d.Roles, awsiam.Role{
			Name: aws.ToString(r.RoleName), ID: aws.ToString(r.RoleId), ARN: aws.ToString(r.Arn), Path: aws.ToString(r.Path),
			Inline: inlines(r.RolePolicyList), Attached: attached(r.AttachedManagedPolicies), Boundary: boundary(r.PermissionsBoundary),
		})
	}
	for _, p := range out.Policies {
		mp := awsiam.ManagedPolicy{
			Name: aws.ToString(p.PolicyName), ID: aws.ToString(p.PolicyId), ARN: aws.ToString(p.Arn), Path: aws.ToString(p.Path),
			DefaultVersion: aws.ToString(p.DefaultVersionId),
		}
		for _, v := range p.PolicyVersionList {
			mp.Versions = append(mp.Versions, awsiam.PolicyVersion{ID: aws.ToString(v.VersionId), Default: v.IsDefaultVersion, Document: aws.ToString(v.Document)})
		}
		d.Policies = append(d.Policies, mp)
	}
}

func inlines(ps []types.PolicyDetail) []awsiam.InlinePolicy {
	var out []awsiam.InlinePolicy
	for _, p := range ps {
		out = append(out, awsiam.InlinePolicy{Name: aws.ToString(p.PolicyName), Document: aws.ToString(p.PolicyDocument)})
	}
	return out
}

func attached(ps []types.AttachedPolicy) []awsiam.AttachedPolicy {
	var out []awsiam.AttachedPolicy
	for _, p := range ps {
		out = append(out, awsiam.AttachedPolicy{Name: aws.ToString(p.PolicyName), ARN: aws.ToString(p.PolicyArn)})
	}
	return out
}

func boundary(b *types.AttachedPermissionsBoundary) string {
	if b == nil {
		return ""
	}
	return aws.ToString(b.PermissionsBoundaryArn)
}
