package azure

import (
	"slices"
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth/report"
)

func TestRisks(t *testing.T) {
	const (
		pe = report.RiskPrivilegeEscalation
		ce = report.RiskCredentialsExposure
		re = report.RiskResourceExposure
		de = report.RiskDataExfiltration
	)
	for _, c := range []struct {
		action string
		want   []string
	}{
		{"Microsoft.Authorization/roleAssignments/write", []string{pe}},
		{"MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE", []string{pe}},
		{"Microsoft.Authorization/roleAssignments/read", nil},
		{"Microsoft.Authorization/roleDefinitions/write", []string{pe}},
		{"Microsoft.Authorization/elevateAccess/action", []string{pe}},
		{"Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write", []string{pe}},
		{"Microsoft.KeyVault/vaults/accessPolicies/write", []string{ce, pe}},
		{"Microsoft.Compute/virtualMachines/runCommand/action", []string{pe}},
		{"Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action", []string{ce, pe}},
		{"Microsoft.Storage/storageAccounts/listKeys/action", []string{ce}},
		{"Microsoft.Storage/storageAccounts/listkeys/action", []string{ce}},
		{"Microsoft.DocumentDB/databaseAccounts/listKeys/action", []string{ce}},
		{"Microsoft.Storage/storageAccounts/regenerateKey/action", []string{ce}},
		{"Microsoft.ContainerRegistry/registries/listCredentials/action", []string{ce}},
		{"Microsoft.Web/sites/config/list/Action", []string{ce}},
		{"Microsoft.KeyVault/vaults/secrets/getSecret/action", []string{ce}},
		{"Microsoft.Network/networkSecurityGroups/securityRules/write", []string{re}},
		{"Microsoft.Network/publicIPAddresses/write", []string{re}},
		{"Microsoft.Sql/servers/firewallRules/write", []string{re}},
		{"Microsoft.Storage/storageAccounts/blobServices/containers/write", []string{re}},
		{"Microsoft.Compute/disks/beginGetAccess/action", []string{de}},
		{"Microsoft.Compute/snapshots/beginGetAccess/action", []string{de}},
		{"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", []string{de}},
		{"Microsoft.Compute/virtualMachines/start/action", nil},
		{"Microsoft.Compute/virtualMachines/read", nil},
		// Patterns the catalog could not expand carry what they may stand for.
		{"Microsoft.Authorization/*", []string{pe}},
		{"*", []string{ce, de, pe, re}},
		{"Contoso.Widgets/*", nil},
		{"", nil},
	} {
		if got := Risks(c.action); !slices.Equal(got, c.want) {
			t.Errorf("Risks(%q) = %v, want %v", c.action, got, c.want)
		}
	}
}

// TestRiskRulesNameCatalogOperations keeps the table honest: every literal
// pattern is a catalog operation (of the plane its reason says), every
// wildcard matches some.
func TestRiskRulesNameCatalogOperations(t *testing.T) {
	cat := loadCatalog(t)
	for _, r := range riskRules {
		if len(r.risks) == 0 || !strings.Contains(r.why, "[") {
			t.Errorf("%s: no risk or no source", r.pattern)
		}
		if strings.Contains(r.pattern, "*") {
			if len(cat.ExpandPattern(r.pattern, false))+len(cat.ExpandPattern(r.pattern, true)) == 0 {
				t.Errorf("%s matches no catalog operation", r.pattern)
			}
			continue
		}
		op, ok := cat.Operation(r.pattern)
		if !ok {
			t.Errorf("%s is not a catalog operation", r.pattern)
			continue
		}
		if data := strings.Contains(r.why, "(data action)"); op.DataActionKnown && op.DataAction != data {
			t.Errorf("%s: data action %t, the table says %t", r.pattern, op.DataAction, data)
		}
	}
}

func TestUnobservable(t *testing.T) {
	for _, c := range []struct {
		action string
		data   bool
		want   bool
	}{
		{"Microsoft.Compute/virtualMachines/read", false, true},
		{"MICROSOFT.COMPUTE/VIRTUALMACHINES/READ", false, true},
		{"*/read", false, true},
		{"Microsoft.Compute/virtualMachines/write", false, false},
		{"Microsoft.Storage/storageAccounts/listKeys/action", false, false},
		{"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write", true, true},
		{"Microsoft.Insights/readers/write", false, false},
		{"read", false, false},
		{"*", false, false},
	} {
		if got := Unobservable(c.action, c.data); got != c.want {
			t.Errorf("Unobservable(%q, %t) = %t, want %t", c.action, c.data, got, c.want)
		}
	}
}
