package remediate

import (
	"fmt"
	"testing"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/aws"
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
