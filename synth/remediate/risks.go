package remediate

import (
	"slices"
	"strings"

	"github.com/leastpriv/pare/synth/aws"
	"github.com/leastpriv/pare/synth/report"
)

// RiskCatalog is what AWSRisks needs from the AWS catalog;
// *catalog.AWS satisfies it.
type RiskCatalog interface {
	Risks(action string) []string
	RiskActions(category string) []string
}

// riskCategories are the categories the catalog's risk lists use.
var riskCategories = [...]string{
	report.RiskAdmin,
	report.RiskCredentialsExposure,
	report.RiskDataExfiltration,
	report.RiskPrivilegeEscalation,
	report.RiskResourceExposure,
}

// AWSRisks returns a risk function for AWSInput.Risks: the catalog's
// categories for an action, and for an action pattern ("s3:*",
// "iam:Put*") every category of a risky action it matches. "*" alone is
// also report.RiskAdmin.
func AWSRisks(cat RiskCatalog) func(action string) []string {
	type risky struct{ action, category string }
	var all []risky
	for _, c := range riskCategories {
		for _, a := range cat.RiskActions(c) {
			all = append(all, risky{a, c})
		}
	}
	return func(action string) []string {
		if !strings.ContainsAny(action, "*?") {
			return slices.Clone(cat.Risks(action))
		}
		pattern := aws.Compile([]aws.Document{{Version: aws.Version, Statement: []aws.Statement{{Effect: "Allow", Action: []string{action}, Resource: []string{"*"}}}}})
		var out []string
		if action == "*" {
			out = append(out, report.RiskAdmin)
		}
		for _, r := range all {
			if !slices.Contains(out, r.category) && pattern.Allows(r.action, "*") {
				out = append(out, r.category)
			}
		}
		slices.Sort(out)
		return out
	}
}
