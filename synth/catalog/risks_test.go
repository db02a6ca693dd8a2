package catalog

import (
	"slices"
	"testing"
)

func TestRisks(t *testing.T) {
	c := mustLoad(t)
	cases := []struct {
		action string
		want   []string
	}{
		// resource-exposure holds every IAM Write action (its README).
		{"iam:CreateAccessKey", []string{RiskCredentialsExposure, RiskPrivilegeEscalation, RiskResourceExposure}},
		{"IAM:createaccesskey", []string{RiskCredentialsExposure, RiskPrivilegeEscalation, RiskResourceExposure}},
		{"iam:PassRole", []string{RiskPrivilegeEscalation, RiskResourceExposure}},
		{"lambda:InvokeFunction", []string{RiskPrivilegeEscalation}},
		{"s3:PutObjectAcl", []string{RiskResourceExposure}},
		{"s3:GetObject", []string{RiskDataExfiltration}},
		{"secretsmanager:GetSecretValue", []string{RiskDataExfiltration}},
		{"ecr:GetAuthorizationToken", []string{RiskCredentialsExposure}},
		{"s3:ListBucket", nil},
		{"ec2:DescribeInstances", nil},
		{"", nil},
	}
	for _, tc := range cases {
		if got := c.Risks(tc.action); !slices.Equal(got, tc.want) {
			t.Errorf("Risks(%q) = %q, want %q", tc.action, got, tc.want)
		}
	}
}

// TestRiskListsKnown checks the lists against the action catalog: most of
// their actions must exist (a wrong file or format would fail), and the
// ones that do not are logged for whoever refreshes the data.
func TestRiskListsKnown(t *testing.T) {
	c := mustLoad(t)
	for _, category := range []string{RiskPrivilegeEscalation, RiskCredentialsExposure, RiskResourceExposure, RiskDataExfiltration} {
		actions := c.RiskActions(category)
		if len(actions) < 5 {
			t.Fatalf("%s: only %d actions", category, len(actions))
		}
		var unknown []string
		for _, a := range actions {
			if _, ok := c.Action(a); !ok {
				unknown = append(unknown, a)
			}
		}
		if len(unknown)*5 > len(actions) {
			t.Errorf("%s: %d of %d actions are not in the catalog: %q", category, len(unknown), len(actions), unknown)
		} else if len(unknown) > 0 {
			t.Logf("%s: %d of %d actions are not in the catalog: %q", category, len(unknown), len(actions), unknown)
		}
	}
}
