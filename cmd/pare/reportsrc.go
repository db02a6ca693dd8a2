package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/leastpriv/pare/emit"
	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/aws"
	"github.com/leastpriv/pare/synth/azure"
	"github.com/leastpriv/pare/synth/k8s"
	"github.com/leastpriv/pare/usage"
	"github.com/leastpriv/pare/usage/awsiam"
	"github.com/leastpriv/pare/usage/awsiam/fetch"
	"github.com/leastpriv/pare/usage/azure/rbac"
)

// awsGrantsSource names the store's snapshot of what AWS IAM grants today:
// each load of --grants replaces the previous one.
const awsGrantsSource = "aws-iam"

// awsGrants is the granted side of AWS as read for one run: every user's
// and role's policy statements.
type awsGrants struct {
	statements []aws.GrantStatement
	principals int // users and roles read
}

// readAWSGrants reads authorization details (files of `aws iam
// get-account-authorization-details` output, or iam:// through the SDK)
// and resolves every user's and role's policies into statements.
func readAWSGrants(ctx context.Context, env *environment, specs []string) (awsGrants, error) {
	const hint = "--grants takes `aws iam get-account-authorization-details` output, or iam:// to ask the API"
	var g awsGrants
	for _, spec := range specs {
		var d awsiam.Details
		if fetch.IsURL(spec) {
			if err := fetch.ParseURL(spec); err != nil {
				return g, usageErrorf(hint, "%v", err)
			}
			client, err := fetch.NewClient(ctx, fetch.ClientOptions{})
			if err != nil {
				return g, withHint(err, "configure AWS credentials as for the AWS CLI (AWS_PROFILE, environment variables, SSO)")
			}
			if d, err = fetch.Details(ctx, client, spec); err != nil {
				return g, err
			}
		} else {
			f, err := os.Open(spec)
			if err != nil {
				return g, withHint(fmt.Errorf("%s: %s", spec, describeFileError(err)), hint)
			}
			d, err = awsiam.Decode(spec, f)
			f.Close()
			if err != nil {
				return g, withHint(err, hint)
			}
		}
		stmts, problems := awsiam.Statements(d)
		for _, p := range problems {
			fmt.Fprintf(env.stderr, "pare: warning: %s\n", p)
		}
		g.statements = append(g.statements, stmts...)
		g.principals += len(d.Users) + len(d.Roles)
	}
	return g, nil
}

// loadAWSGrants reads authorization details and stores them as the current
// grants snapshot. It returns what it read, which report uses as read
// rather than reading it back.
func loadAWSGrants(ctx context.Context, env *environment, store *usage.Store, specs []string) (awsGrants, error) {
	g, err := readAWSGrants(ctx, env, specs)
	if err != nil {
		return g, err
	}
	if err := store.ReplaceGrants(ctx, "aws", awsGrantsSource, awsiam.Records(g.statements)); err != nil {
		return g, err
	}
	fmt.Fprintf(env.stderr, "pare: grants: %d users and roles read; %d policy statements\n", g.principals, len(g.statements))
	return g, nil
}

// grantSide is one provider's granted side, with the rules the report
// compares it to usage by.
type grantSide struct {
	entitlements []synth.Entitlement
	covers       func(synth.Entitlement, synth.Access) bool
	risks        func(action string) []string
	unobservable func(synth.Entitlement) bool
	container    func(principal string, accesses []synth.Access) string
	kind         func(principal string, accesses []synth.Access) string // nil: the kind recorded with its accesses
	k8sGranted   []k8s.Grant                                            // Kubernetes' existing RBAC, which right-sized RBAC leaves out
}

// newGrantSide expands the grants of src's provider into entitlements: for
// AWS the statements read in this run when there are some, else the stored
// grants.
func newGrantSide(ctx context.Context, store *usage.Store, src *source, used []synth.Access, awsRead *awsGrants) (grantSide, error) {
	provider := src.provider
	switch provider {
	case "aws":
		cat := src.awsCatalog
		var stmts []aws.GrantStatement
		if awsRead != nil {
			stmts = awsRead.statements
		} else {
			// StatementsFromRecords groups and sorts the rows itself.
			rows, err := store.GrantsUnsorted(ctx, provider)
			if err != nil {
				return grantSide{}, err
			}
			if stmts, err = awsiam.StatementsFromRecords(rows); err != nil {
				return grantSide{}, fmt.Errorf("reading the stored AWS grants: %w", err)
			}
		}
		return grantSide{
			entitlements: aws.Entitlements(stmts, cat),
			covers:       aws.Covers,
			risks:        cat.Risks,
			unobservable: func(e synth.Entitlement) bool { return aws.Unobservable(e.Action) },
			container:    func(p string, _ []synth.Access) string { return arnAccount(p) },
			kind:         awsKind,
		}, nil
	case "azure":
		cat := src.azureCatalog
		rows, err := store.Grants(ctx, provider)
		if err != nil {
			return grantSide{}, err
		}
		grants, err := rbac.GrantsFromRecords(rows)
		if err != nil {
			return grantSide{}, fmt.Errorf("reading the stored Azure grants: %w", err)
		}
		return grantSide{
			entitlements: azure.Entitlements(grants, cat),
			covers:       azure.Covers,
			risks:        azure.Risks,
			unobservable: func(e synth.Entitlement) bool { return azure.Unobservable(e.Action, e.Data) },
			container:    azureSubscription,
		}, nil
	case "k8s":
		grants, err := storedK8sGrants(ctx, store)
		if err != nil {
			return grantSide{}, fmt.Errorf("reading the stored Kubernetes grants: %w", err)
		}
		principals := k8s.Principals(grants)
		for _, a := range used {
			principals = append(principals, a.Principal)
		}
		return grantSide{
			entitlements: k8s.WithoutDiscovery(k8s.Entitlements(grants, principals)),
			covers:       k8s.Covers,
			risks:        k8s.Risks,
			unobservable: func(e synth.Entitlement) bool { return k8s.Unobservable(e.Action) },
			container:    k8sCluster,
			kind:         k8sKind,
			k8sGranted:   grants,
		}, nil
	}
	return grantSide{}, usageErrorf("providers are "+strings.Join(providers, ", "), "unknown provider %q", provider)
}

// arnAccount is the account id of an ARN ("" when it has none).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// awsKind is the kind of principal an ARN names (user, role, root, ...),
// as its accesses recorded it when they did.
func awsKind(arn string, accesses []synth.Access) string {
	for _, a := range accesses {
		if a.PrincipalKind != "" {
			return a.PrincipalKind
		}
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	kind, _, _ := strings.Cut(parts[5], "/")
	return kind
}

// k8sKind is "serviceaccount" or "user", from the principal's name.
func k8sKind(principal string, _ []synth.Access) string {
	if k8s.SubjectOf(principal).Kind == "ServiceAccount" {
		return "serviceaccount"
	}
	return "user"
}

// azureSubscription is the subscription of a principal's first recorded
// resource ("" when it used none).
func azureSubscription(_ string, accesses []synth.Access) string {
	for _, a := range accesses {
		rest, ok := cutPrefixFold(a.Resource, "/subscriptions/")
		if !ok {
			continue
		}
		sub, _, _ := strings.Cut(rest, "/")
		return strings.ToLower(sub)
	}
	return ""
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// k8sCluster is the cluster a principal's requests were recorded in (the
// first of them; "" when the logs do not say).
func k8sCluster(_ string, accesses []synth.Access) string {
	for _, a := range accesses {
		if len(a.Regions) > 0 {
			return a.Regions[0]
		}
	}
	return ""
}

// rightSized renders the policy pare would generate for each principal
// from its allowed accesses, as generate writes it: IAM policy JSON, an
// Azure role definition, Kubernetes RBAC YAML. It returns the texts by
// principal and their format.
func rightSized(src *source, used []synth.Access, side grantSide) (map[string]string, string, error) {
	allowed := allowedOf(used, false)
	out := make(map[string]string)
	var buf bytes.Buffer
	switch src.provider {
	case "aws":
		for _, p := range aws.Synthesize(allowed, src.awsCatalog, aws.Options{}) {
			buf.Reset()
			for _, doc := range p.Documents {
				if err := emit.IAMJSON(&buf, doc); err != nil {
					continue
				}
			}
			out[p.Principal] = buf.String()
		}
		return out, "json", nil
	case "azure":
		for _, r := range azure.Synthesize(inferAzureReads(src.azureCatalog, allowed), azure.Options{}) {
			buf.Reset()
			if len(r.Actions) == 0 || emit.AzureRoleJSON(&buf, r) != nil {
				continue
			}
			out[r.Principal] = buf.String()
		}
		return out, "json", nil
	case "k8s":
		for _, p := range k8s.Synthesize(allowed, side.k8sGranted, k8s.Options{}) {
			buf.Reset()
			if len(p.Roles) == 0 || emit.K8sRBACYAML(&buf, p, synth.Window{}) != nil {
				continue
			}
			out[p.Principal] = buf.String()
		}
		return out, "yaml", nil
	}
	return out, "", nil
}
