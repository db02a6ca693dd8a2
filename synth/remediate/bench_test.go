package remediate

import (
	"fmt"
	"testing"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/aws"
	"github.com/leastpriv/pare/synth/azure"
)

// BenchmarkPlanAWS plans a principal with 300 granted actions on 3
// resources each against 3,000 accesses.
func BenchmarkPlanAWS(b *testing.B) {
	var used []synth.Access
	var statements []aws.Statement
	for i := range 300 {
		action := fmt.Sprintf("svc%d:Action%d", i%20, i)
		var resources []string
		for j := range 3 {
			r := fmt.Sprintf("arn:aws:s3:::bucket%d/key%d", i, j)
			resources = append(resources, r)
			for k := range 3 {
				used = append(used, synth.Access{Provider: "aws", Principal: awsRole, Action: action, Resource: r, Count: int64(k + 1), Last: day2})
			}
		}
		statements = append(statements, aws.Statement{Effect: "Allow", Action: []string{action}, Resource: resources})
	}
	policy := aws.Policy{Principal: awsRole, Documents: []aws.Document{{Version: aws.Version, Statement: statements}}}
	old := AWSDocument{Name: "old.json", Version: aws.Version, Statements: []AWSStatement{{Effect: "Allow", Action: []string{"svc1:*", "svc2:Action2"}, Resource: []string{"*"}}}}
	b.ResetTimer()
	for b.Loop() {
		p, err := PlanAWS(AWSInput{Existing: []AWSDocument{old}, New: policy, Used: used})
		if err != nil || len(p.Kept)+len(p.Added) != 900 {
			b.Fatal(err, len(p.Kept), len(p.Added))
		}
		if err := Check(p, used, window90, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlanAzure plans a principal whose existing role grants 100
// operations at 5 scopes, and whose new role keeps 60 of them at 3, against
// 2,000 accesses.
func BenchmarkPlanAzure(b *testing.B) {
	var used []synth.Access
	var oldActions, newActions, oldScopes, newScopes []string
	for i := range 5 {
		s := fmt.Sprintf("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg%d", i)
		oldScopes = append(oldScopes, s)
		if i < 3 {
			newScopes = append(newScopes, s)
		}
	}
	for i := range 100 {
		op := fmt.Sprintf("Microsoft.Svc%d/things%d/write", i%10, i)
		oldActions = append(oldActions, op)
		if i < 60 {
			newActions = append(newActions, op)
		}
	}
	oldActions = append(oldActions, "Microsoft.Svc1/*")
	for i := range 2000 {
		used = append(used, synth.Access{Provider: "azure", Principal: azurePrincipal, Action: newActions[i%60],
			Resource: fmt.Sprintf("%s/providers/Microsoft.Svc/x/r%d", newScopes[i%3], i), Count: 1, Last: day2})
	}
	old := azure.Role{Name: "old", Actions: oldActions, AssignableScopes: oldScopes}
	role := azure.Role{Principal: azurePrincipal, Name: "new", Actions: newActions, AssignableScopes: newScopes}
	b.ResetTimer()
	for b.Loop() {
		p, err := PlanAzure(AzureInput{Existing: &old, New: role, Used: used})
		if err != nil || len(p.Kept) != 180 {
			b.Fatal(err, len(p.Kept), len(p.Added))
		}
	}
}

// BenchmarkAWSRisks asks for the risks of action patterns, as PlanAWS does
// for every pattern an existing file grants.
func BenchmarkAWSRisks(b *testing.B) {
	risks := AWSRisks(benchRiskCatalog{})
	patterns := []string{"*", "iam:*", "s3:Get*", "ec2:Describe*", "sts:Assume?ole"}
	b.ResetTimer()
	for b.Loop() {
		for _, p := range patterns {
			risks(p)
		}
	}
}

// benchRiskCatalog lists 500 risky actions per category.
type benchRiskCatalog struct{}

func (benchRiskCatalog) Risks(string) []string { return nil }

func (benchRiskCatalog) RiskActions(category string) []string {
	var out []string
	for i := range 500 {
		out = append(out, fmt.Sprintf("svc%d:%sAction%d", i%30, category, i))
	}
	return out
}
