package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"time"
)

// Azure Activity Log exports: the same Options, written as
// DIR/insights-activity-logs/resourceId=/SUBSCRIPTIONS/SUB/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json.gz,
// each {"records":[…]} in the diagnostic-settings export shape.

var subscriptions = [...]string{"0b1f6471-1bf0-4dda-aec3-cb9272f09590", "6a9f3c4e-2d7b-4e21-9a55-3f0c7d1e8b42", "d3c2b1a0-9e8f-4a7b-8c6d-5e4f3a2b1c0d"}

// azureOperation is a real Azure RBAC operation with the resource type it acts on.
type azureOperation struct {
	name     string // canonical casing
	resource string // resource type segment under the provider, "" for resource-group level
	kind     string // short name used for resource names
}

var azureOperations = [...]azureOperation{
	{"Microsoft.Compute/virtualMachines/write", "virtualMachines", "vm"},
	{"Microsoft.Compute/virtualMachines/start/action", "virtualMachines", "vm"},
	{"Microsoft.Compute/virtualMachines/restart/action", "virtualMachines", "vm"},
	{"Microsoft.Compute/virtualMachines/deallocate/action", "virtualMachines", "vm"},
	{"Microsoft.Compute/virtualMachines/delete", "virtualMachines", "vm"},
	{"Microsoft.Compute/disks/write", "disks", "disk"},
	{"Microsoft.Compute/snapshots/write", "snapshots", "snap"},
	{"Microsoft.Storage/storageAccounts/write", "storageAccounts", "st"},
	{"Microsoft.Storage/storageAccounts/listKeys/action", "storageAccounts", "st"},
	{"Microsoft.Storage/storageAccounts/blobServices/containers/write", "storageAccounts", "st"},
	{"Microsoft.KeyVault/vaults/write", "vaults", "kv"},
	{"Microsoft.KeyVault/vaults/secrets/write", "vaults", "kv"},
	{"Microsoft.Network/networkSecurityGroups/write", "networkSecurityGroups", "nsg"},
	{"Microsoft.Network/networkSecurityGroups/securityRules/write", "networkSecurityGroups", "nsg"},
	{"Microsoft.Network/publicIPAddresses/write", "publicIPAddresses", "pip"},
	{"Microsoft.Network/networkInterfaces/write", "networkInterfaces", "nic"},
	{"Microsoft.Network/virtualNetworks/write", "virtualNetworks", "vnet"},
	{"Microsoft.Network/virtualNetworks/subnets/join/action", "virtualNetworks", "vnet"},
	{"Microsoft.Web/sites/write", "sites", "app"},
	{"Microsoft.Web/sites/restart/action", "sites", "app"},
	{"Microsoft.Web/sites/config/write", "sites", "app"},
	{"Microsoft.Sql/servers/databases/write", "servers", "sql"},
	{"Microsoft.Sql/servers/firewallRules/write", "servers", "sql"},
	{"Microsoft.ContainerService/managedClusters/write", "managedClusters", "aks"},
	{"Microsoft.ContainerService/managedClusters/listClusterUserCredential/action", "managedClusters", "aks"},
	{"Microsoft.ContainerRegistry/registries/write", "registries", "acr"},
	{"Microsoft.Insights/diagnosticSettings/write", "diagnosticSettings", "diag"},
	{"Microsoft.Insights/components/write", "components", "ai"},
	{"Microsoft.Authorization/roleAssignments/write", "roleAssignments", "ra"},
	{"Microsoft.Authorization/locks/write", "locks", "lock"},
	{"Microsoft.Resources/deployments/write", "deployments", "deploy"},
	{"Microsoft.Resources/deployments/validate/action", "deployments", "deploy"},
	{"Microsoft.Resources/tags/write", "tags", "tags"},
	{"Microsoft.EventHub/namespaces/write", "namespaces", "evh"},
	{"Microsoft.ServiceBus/namespaces/queues/write", "namespaces", "sb"},
	{"Microsoft.DocumentDB/databaseAccounts/write", "databaseAccounts", "cosmos"},
	{"Microsoft.DocumentDB/databaseAccounts/listKeys/action", "databaseAccounts", "cosmos"},
	{"Microsoft.OperationalInsights/workspaces/write", "workspaces", "law"},
	{"Microsoft.ManagedIdentity/userAssignedIdentities/write", "userAssignedIdentities", "id"},
	{"Microsoft.Support/supportTickets/write", "supportTickets", "ticket"},
}

// nonAdministrative are categories a principal does not cause; exports hold some.
var nonAdministrative = [...]string{"ServiceHealth", "ResourceHealth", "Policy", "Autoscale", "Recommendation", "Alert"}

// azurePrincipal is one synthetic Entra identity.
type azurePrincipal struct {
	sub     int
	oid     string
	kind    string // User, ServicePrincipal, ManagedIdentity
	display string // upn or app id
	team    string
	// assignment is the id of the role assignment that grants the
	// principal its subscription: one assignment authorizes all its calls.
	assignment string
	ops        []int // indexes into azureOperations, most used first
}

// GenerateAzure writes Azure Activity Log export files. It is deterministic for o.Seed.
func GenerateAzure(o Options) (Result, error) {
	if o.Events < 0 || o.Files <= 0 || o.Principals < len(subscriptions) || o.Days <= 0 {
		return Result{}, fmt.Errorf("need -events >= 0, -files > 0, -principals >= %d and -days > 0", len(subscriptions))
	}
	// The export holds one file per subscription and hour.
	if slots := len(subscriptions) * o.Days * 24; o.Files > slots {
		return Result{}, fmt.Errorf("%d files need -days %d or more: an export holds one file per subscription and hour (%d subscriptions)",
			o.Files, (o.Files+len(subscriptions)*24-1)/(len(subscriptions)*24), len(subscriptions))
	}
	r := rand.New(rand.NewPCG(o.Seed, 0xa2b1c3d4))
	principals := make([]azurePrincipal, o.Principals)
	bySub := make([][]int, len(subscriptions))
	for i := range principals {
		p := &principals[i]
		p.sub = i % len(subscriptions)
		p.oid = string(appendUUID(nil, r))
		p.team = teams[r.IntN(len(teams))]
		p.assignment = string(appendUUID(nil, r))
		switch k := r.IntN(10); {
		case k < 5:
			p.kind, p.display = "User", fmt.Sprintf("%s.user%d@contoso.example", p.team, i)
		case k < 8:
			p.kind, p.display = "ServicePrincipal", string(appendUUID(nil, r))
		default:
			p.kind, p.display = "ManagedIdentity", string(appendUUID(nil, r))
		}
		n := 3 + r.IntN(12)
		p.ops = append(p.ops, r.Perm(len(azureOperations))[:n]...)
		bySub[p.sub] = append(bySub[p.sub], i)
	}
	perFile := spread(o.Events, o.Files)
	return generateFiles(o, func(fw *fileWriter, f int) (int64, int64, error) {
		return fw.writeAzure(o, principals, bySub, f, perFile[f])
	})
}

// writeAzure writes file f: one subscription's hour, as the storage export names it.
func (fw *fileWriter) writeAzure(o Options, principals []azurePrincipal, bySub [][]int, f, records int) (int64, int64, error) {
	r := rand.New(rand.NewPCG(o.Seed, uint64(f)+1))
	sub := f % len(subscriptions)
	hours := o.Days * 24
	// Files take distinct hours of their subscription, spread over the span.
	slot := (f / len(subscriptions)) * hours / max(1, (o.Files+len(subscriptions)-1)/len(subscriptions))
	ts := End.Add(-time.Duration(hours-slot) * time.Hour)
	dir := filepath.Join(o.Dir, "insights-activity-logs", "resourceId=", "SUBSCRIPTIONS", strings.ToUpper(subscriptions[sub]),
		ts.Format("y=2006"), ts.Format("m=01"), ts.Format("d=02"), ts.Format("h=15"), "m=00")
	zipfP := rand.NewZipf(r, 1.1, 4, uint64(len(bySub[sub])-1))
	var started *azureCall // a long operation whose outcome is the next record
	left := records
	return fw.writeFile(filepath.Join(dir, "PT1H.json.gz"), `{"records":[`, ",\n", records, func(b []byte) []byte {
		left--
		if c := started; c != nil {
			started = nil
			c.at = c.at.Add(time.Duration(1+r.IntN(30)) * time.Second)
			return azureRecord(b, r, c, "Success", "Succeeded.OK")
		}
		p := &principals[bySub[sub][zipfP.Uint64()]]
		c := newAzureCall(r, p, subscriptions[sub], ts.Add(time.Duration(r.Int64N(int64(time.Hour)))))
		resultType, signature := "Success", "Succeeded.OK"
		switch x := r.IntN(100); {
		case x < 30 && left > 0:
			resultType, signature = "Start", "Started."
			started = &c
		case x >= 30 && x < 33:
			resultType, signature = "Failure", "Failed.Forbidden"
		case x >= 33 && x < 34:
			resultType, signature = "Failure", "Failed.Conflict"
		}
		return azureRecord(b, r, &c, resultType, signature)
	})
}

// azureCall is one operation a principal performs.
type azureCall struct {
	p           *azurePrincipal
	sub         string
	op          azureOperation
	resourceID  string
	rg          string
	category    string
	correlation string
	at          time.Time
}

// newAzureCall picks one of p's operations on a resource of its team: mostly
// Administrative, sometimes an event of another category.
func newAzureCall(r *rand.Rand, p *azurePrincipal, sub string, at time.Time) azureCall {
	op := azureOperations[p.ops[min(len(p.ops)-1, int(r.ExpFloat64()*1.5))]]
	rg := fmt.Sprintf("rg-%s-%d", p.team, r.IntN(3))
	provider := op.name[:strings.IndexByte(op.name, '/')]
	category := "Administrative"
	if r.IntN(100) < 2 {
		category = nonAdministrative[r.IntN(len(nonAdministrative))]
	}
	return azureCall{
		p:           p,
		sub:         sub,
		op:          op,
		resourceID:  fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/%s/%s/%s-%s-%d", sub, rg, provider, op.resource, op.kind, p.team, r.IntN(20)),
		rg:          rg,
		category:    category,
		correlation: string(appendUUID(nil, r)),
		at:          at,
	}
}

// azureRecord appends one export record of c with the given result. Of the
// records writeAzure writes, about a quarter are the "Start" half of a long
// operation, each followed by its outcome with the same correlation id; 3%
// of the operations are refused with AuthorizationFailed and 1% fail
// otherwise.
func azureRecord(b []byte, r *rand.Rand, c *azureCall, resultType, signature string) []byte {
	p, op, sub, rg, resourceID, category, at := c.p, c.op, c.sub, c.rg, c.resourceID, c.category, c.at
	b = append(b, `{"time":"`...)
	b = at.AppendFormat(b, "2006-01-02T15:04:05.0000000Z")
	b = append(b, `","resourceId":`...)
	b = appendStr(b, strings.ToUpper(resourceID))
	b = append(b, `,"operationName":`...)
	b = appendStr(b, strings.ToUpper(op.name))
	b = append(b, `,"category":"`...)
	b = append(b, category...)
	b = append(b, `","resultType":"`...)
	b = append(b, resultType...)
	b = append(b, `","resultSignature":"`...)
	b = append(b, signature...)
	b = append(b, `","durationMs":"`...)
	b = appendInt(b, r.IntN(5000))
	b = append(b, `","callerIpAddress":"203.0.113.`...)
	b = appendInt(b, r.IntN(250))
	b = append(b, `","correlationId":"`...)
	b = append(b, c.correlation...)
	b = append(b, `","identity":{"authorization":{"scope":`...)
	b = appendStr(b, resourceID)
	b = append(b, `,"action":`...)
	b = appendStr(b, op.name)
	refused := resultType == "Failure" && signature == "Failed.Forbidden"
	if !refused { // a refused call has no role assignment that granted it
		b = append(b, `,"evidence":{"role":"Contributor","roleAssignmentScope":"/subscriptions/`...)
		b = append(b, sub...)
		b = append(b, `","roleAssignmentId":"`...)
		b = append(b, p.assignment...)
		b = append(b, `","roleDefinitionId":"b24988ac618042a0ab8820f7382dd24c","principalId":"`...)
		b = append(b, p.oid...)
		b = append(b, `","principalType":"`...)
		if p.kind == "ManagedIdentity" {
			b = append(b, "ServicePrincipal"...)
		} else {
			b = append(b, p.kind...)
		}
		b = append(b, `"}`...)
	}
	b = append(b, `},"claims":{"http://schemas.microsoft.com/identity/claims/objectidentifier":"`...)
	b = append(b, p.oid...)
	switch p.kind {
	case "User":
		b = append(b, `","http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":`...)
		b = appendStr(b, p.display)
		b = append(b, `,"name":`...)
		b = appendStr(b, p.display)
	case "ManagedIdentity":
		b = append(b, `","appid":"`...)
		b = append(b, p.display...)
		b = append(b, `","xms_mirid":`...)
		b = appendStr(b, fmt.Sprintf("/subscriptions/%s/resourcegroups/%s/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-%s", sub, rg, p.team))
		b = append(b, `,"idtyp":"app"`...)
	default:
		b = append(b, `","appid":"`...)
		b = append(b, p.display...)
		b = append(b, `","idtyp":"app"`...)
	}
	b = append(b, `}},"level":"Information","location":"global","properties":{"statusCode":"`...)
	if refused {
		b = append(b, `Forbidden","statusMessage":"{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":\"The client does not have authorization to perform action.\"}}"`...)
	} else {
		b = append(b, `OK"`...)
	}
	b = append(b, `,"eventCategory":"`...)
	b = append(b, category...)
	b = append(b, `","entity":`...)
	b = appendStr(b, resourceID)
	b = append(b, `,"message":`...)
	b = appendStr(b, op.name)
	b = append(b, `,"hierarchy":"tenant/`...)
	b = append(b, sub...)
	b = append(b, `"}}`...)
	return b
}
