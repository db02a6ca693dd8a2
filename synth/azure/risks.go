package azure

import (
	"strings"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/synth/report"
)

// riskRule flags the operations an Azure RBAC pattern matches.
type riskRule struct {
	pattern string // matched with catalog.AzureMatch: case-insensitive, '*' anywhere
	risks   []string
	why     string // what the operation gives, and the source
}

// The sources riskRules cites, by the key its why strings use:
//
//	[privileged]  Microsoft Learn, "Azure built-in roles for Privileged" and "Best practices for Azure RBAC:
//	              Limit privileged administrator role assignments" (Owner, Contributor, User Access
//	              Administrator, Role Based Access Control Administrator: they assign roles or manage all
//	              resources); https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged
//	[elevate]     Microsoft Learn, "Elevate access to manage all Azure subscriptions and management groups";
//	              https://learn.microsoft.com/azure/role-based-access-control/elevate-access-global-admin
//	[keyvault]    Microsoft Learn, "Azure role-based access control (Azure RBAC) vs. access policies": with
//	              the access policy model, any role with Microsoft.KeyVault/vaults/write "can grant themselves
//	              data plane access by setting a Key Vault access policy";
//	              https://learn.microsoft.com/azure/key-vault/general/rbac-access-policy
//	[fic]         Microsoft Learn, "Workload identity federation" (a federated credential lets an external
//	              token be exchanged for the identity's tokens) and T. Naunheim, "Identify and prevent abuse
//	              of UAMI with Federated Credentials"; https://cloud-architekt.net/identify-prevent-abuse-uami-fedcreds
//	[runcommand]  Microsoft Learn, "Run scripts in your VM by using Run Command": scripts run as
//	              LocalSystem/root, with the VM's managed identity at hand;
//	              https://learn.microsoft.com/azure/virtual-machines/windows/run-command
//	[aks]         Microsoft Learn, "Use Azure RBAC to define access to the Kubernetes configuration file in
//	              AKS"; https://learn.microsoft.com/azure/aks/control-kubeconfig-access
//	[keys]        Microsoft Learn, "Manage storage account access keys" (account keys give full access to
//	              the account's data) and the Storage, Cosmos DB, Event Hubs, Service Bus REST references
//	              for listKeys/regenerateKey; https://learn.microsoft.com/azure/storage/common/storage-account-keys-manage
//	[disk]        Microsoft Learn REST, "Disks - Grant Access" / "Snapshots - Grant Access": beginGetAccess
//	              returns a SAS URI to download the disk; https://learn.microsoft.com/rest/api/compute/disks/grant-access
//	[anonymous]   Microsoft Learn, "Remediate anonymous read access to blob data" (allowBlobPublicAccess on the
//	              account, publicAccess on the container);
//	              https://learn.microsoft.com/azure/storage/blobs/anonymous-read-access-prevent
//	[nsg]         Microsoft Learn, "Network security groups" and "Public IP addresses"
//	              (inbound rules and public addresses decide what the internet reaches);
//	              https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview
//	[catalog]     the operation's own description in the resource provider operations list
//	              (synth/catalog, `az provider operation list`), quoted.
var riskRules = []riskRule{
	// Privilege escalation: assigning roles, defining them, or becoming
	// someone who can.
	{"Microsoft.Authorization/roleAssignments/write", []string{report.RiskPrivilegeEscalation}, "assign any role at the scope [privileged]"},
	{"Microsoft.Authorization/roleDefinitions/write", []string{report.RiskPrivilegeEscalation}, "define or widen a custom role [privileged]"},
	{"Microsoft.Authorization/elevateAccess/action", []string{report.RiskPrivilegeEscalation}, "\"Grants the caller User Access Administrator access at the tenant scope\" [elevate]"},
	{"Microsoft.Authorization/roleAssignmentScheduleRequests/write", []string{report.RiskPrivilegeEscalation}, "PIM: activate or create role assignments [privileged]"},
	{"Microsoft.Authorization/roleEligibilityScheduleRequests/write", []string{report.RiskPrivilegeEscalation}, "PIM: make principals eligible for roles [privileged]"},
	{"Microsoft.Authorization/roleManagementPolicies/write", []string{report.RiskPrivilegeEscalation}, "PIM: change activation rules (approval, MFA) of roles [privileged]"},
	{"Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write", []string{report.RiskPrivilegeEscalation}, "trust an external token issuer, then act as the identity [fic]"},
	{"Microsoft.ManagedIdentity/userAssignedIdentities/assign/action", []string{report.RiskPrivilegeEscalation}, "attach an identity to a resource one controls, then use its token [fic]"},
	{"Microsoft.KeyVault/vaults/write", []string{report.RiskPrivilegeEscalation}, "set vault access policies, granting oneself secrets [keyvault]"},
	{"Microsoft.KeyVault/vaults/accessPolicies/write", []string{report.RiskPrivilegeEscalation, report.RiskCredentialsExposure}, "grant oneself keys, secrets and certificates [keyvault]"},
	{"Microsoft.Compute/virtualMachines/runCommand/action", []string{report.RiskPrivilegeEscalation}, "run a script as root on the VM, with its managed identity [runcommand]"},
	{"Microsoft.Compute/virtualMachines/runCommands/write", []string{report.RiskPrivilegeEscalation}, "run a script as root on the VM, with its managed identity [runcommand]"},
	{"Microsoft.Compute/virtualMachineScaleSets/virtualMachines/runCommand/action", []string{report.RiskPrivilegeEscalation}, "run a script as root on scale set VMs [runcommand]"},
	{"Microsoft.Compute/virtualMachineScaleSets/virtualMachines/runCommands/write", []string{report.RiskPrivilegeEscalation}, "run a script as root on scale set VMs [runcommand]"},
	{"Microsoft.Compute/virtualMachines/extensions/write", []string{report.RiskPrivilegeEscalation}, "Custom Script extensions run code as root on the VM [runcommand]"},
	{"Microsoft.Compute/virtualMachines/loginAsAdmin/action", []string{report.RiskPrivilegeEscalation}, "\"Log in to a virtual machine with Windows administrator or Linux root user privileges\" (data action) [catalog]"},
	{"Microsoft.Automation/automationAccounts/jobs/write", []string{report.RiskPrivilegeEscalation}, "run a runbook as the account's managed identity [catalog]"},
	{"Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action", []string{report.RiskCredentialsExposure, report.RiskPrivilegeEscalation}, "cluster-admin kubeconfig of the AKS cluster [aks]"},

	// Credentials exposure: operations that return keys, secrets or
	// credentials, or make new ones.
	{"*/listKeys/action", []string{report.RiskCredentialsExposure}, "returns the resource's access keys [keys]"},
	{"*/regenerateKey/action", []string{report.RiskCredentialsExposure}, "makes new access keys, returned to the caller [keys]"},
	{"*/regenerateKeys/action", []string{report.RiskCredentialsExposure}, "makes new access keys, returned to the caller [keys]"},
	{"*/listCredentials/action", []string{report.RiskCredentialsExposure}, "returns login credentials, e.g. of a container registry [catalog]"},
	{"*/listCredential/action", []string{report.RiskCredentialsExposure}, "returns login credentials [catalog]"},
	{"*/listAdminCredentials/action", []string{report.RiskCredentialsExposure}, "returns administrator credentials [catalog]"},
	{"*/listClusterUserCredential/action", []string{report.RiskCredentialsExposure}, "kubeconfig of a cluster [aks]"},
	{"*/listSecrets/action", []string{report.RiskCredentialsExposure}, "returns secrets (API Management, Functions, ...) [catalog]"},
	{"*/listConnectionStrings/action", []string{report.RiskCredentialsExposure}, "returns connection strings with keys [catalog]"},
	{"Microsoft.Storage/storageAccounts/ListAccountSas/action", []string{report.RiskCredentialsExposure}, "mints account SAS tokens [keys]"},
	{"Microsoft.Storage/storageAccounts/listServiceSas/action", []string{report.RiskCredentialsExposure}, "mints service SAS tokens [keys]"},
	{"Microsoft.Web/sites/config/list/Action", []string{report.RiskCredentialsExposure}, "\"List Web App's security sensitive settings, such as publishing credentials, app settings and connection strings\" [catalog]"},
	{"Microsoft.Web/sites/slots/config/list/Action", []string{report.RiskCredentialsExposure}, "the same for deployment slots [catalog]"},
	{"Microsoft.Web/sites/publishxml/Action", []string{report.RiskCredentialsExposure}, "publishing profile with deployment credentials [catalog]"},
	{"Microsoft.Web/sites/slots/publishxml/Action", []string{report.RiskCredentialsExposure}, "publishing profile with deployment credentials [catalog]"},
	{"Microsoft.KeyVault/vaults/secrets/getSecret/action", []string{report.RiskCredentialsExposure}, "\"Gets the value of a secret\" (data action) [catalog]"},

	// Resource exposure: opening network paths or public access.
	{"Microsoft.Network/networkSecurityGroups/securityRules/write", []string{report.RiskResourceExposure}, "open inbound ports [nsg]"},
	{"Microsoft.Network/networkSecurityGroups/write", []string{report.RiskResourceExposure}, "rewrite a security group's rules [nsg]"},
	{"Microsoft.Network/publicIPAddresses/write", []string{report.RiskResourceExposure}, "create public addresses [nsg]"},
	{"Microsoft.Network/publicIPAddresses/join/action", []string{report.RiskResourceExposure}, "attach a public address to a resource [nsg]"},
	{"*/firewallRules/write", []string{report.RiskResourceExposure}, "open a database or cache firewall to addresses [catalog]"},
	{"Microsoft.Storage/storageAccounts/write", []string{report.RiskResourceExposure}, "allowBlobPublicAccess, network rules [anonymous]"},
	{"Microsoft.Storage/storageAccounts/blobServices/containers/write", []string{report.RiskResourceExposure}, "a container's anonymous publicAccess level [anonymous]"},

	// Data exfiltration: copying data out.
	{"Microsoft.Compute/disks/beginGetAccess/action", []string{report.RiskDataExfiltration}, "\"Get the SAS URI of the Disk for blob access\": download the disk [disk]"},
	{"Microsoft.Compute/snapshots/beginGetAccess/action", []string{report.RiskDataExfiltration}, "\"Get the SAS URI of the Snapshot for blob access\" [disk]"},
	{"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", []string{report.RiskDataExfiltration}, "read blobs (data action) [catalog]"},
	{"Microsoft.Storage/storageAccounts/fileServices/fileshares/files/read", []string{report.RiskDataExfiltration}, "read files (data action) [catalog]"},
	{"Microsoft.Storage/storageAccounts/queueServices/queues/messages/read", []string{report.RiskDataExfiltration}, "read queue messages (data action) [catalog]"},
	{"Microsoft.Storage/storageAccounts/tableServices/tables/entities/read", []string{report.RiskDataExfiltration}, "read table entities (data action) [catalog]"},
	{"Microsoft.KeyVault/vaults/keys/decrypt/action", []string{report.RiskDataExfiltration}, "\"Decrypts ciphertext with a key\" (data action) [catalog]"},
}

// Risks lists the risk categories of an Azure operation, sorted and
// distinct; nil when none. The table (riskRules, with its sources) flags
// privilege escalation (role assignments and definitions, elevateAccess,
// PIM requests, managed identity federation and assignment, Key Vault
// access policies, code execution on VMs), credentials exposure (listKeys,
// regenerateKey, listCredentials, listSecrets, SAS minting, web app
// publishing settings, Key Vault secrets), resource exposure (security
// rules, public IPs, firewall rules, anonymous storage access) and data
// exfiltration (disk and snapshot export, storage data reads, Key Vault
// decrypt). Admin wildcards are a grant-level risk Entitlements sets.
//
// An action that kept a '*' (a pattern the catalog could not expand) is
// flagged with the risks of every table entry it could stand for: a rule
// matches when its pattern matches the action, or when the action, as a
// pattern, matches the rule's pattern taken literally.
func Risks(action string) []string {
	var out []string
	wild := strings.Contains(action, "*")
	for _, r := range riskRules {
		if catalog.AzureMatch(r.pattern, action) || (wild && catalog.AzureMatch(action, r.pattern)) {
			for _, k := range r.risks {
				out = synth.InsertSorted(out, k)
			}
		}
	}
	return out
}

// Unobservable reports whether the Activity Log cannot show an operation's
// use: every data action (data-plane operations go to each service's
// resource logs, if enabled, never to the Activity Log) and every read
// operation ("*/read": the Activity Log's Administrative category records
// create, update, delete and action operations, not GETs). Microsoft
// Learn, "Azure Activity Log event schema"
// (https://learn.microsoft.com/azure/azure-monitor/essentials/activity-log-schema).
func Unobservable(action string, data bool) bool {
	if data {
		return true
	}
	const read = "/read"
	return len(action) >= len(read) && strings.EqualFold(action[len(action)-len(read):], read)
}
