// Package rbac reads what Azure grants today: role assignments
// (`az role assignment list --all` output, or the REST API's list shape) and
// role definitions (`az role definition list`, or REST), and resolves each
// assignment through its role into record.Grant rows: which principal holds
// which action patterns, NotActions and data actions at which scope, and
// which assignment grants them.
//
// Each permissions block of a role keeps an origin of its own (", permissions
// block 2 of 3" when a role has several; " (conditional)" when the block
// has a condition), so that GrantsFromRecords can rebuild the blocks from
// the stored rows as synth/azure.Grant values and NotActions subtract only
// within their block, as Azure applies them. GrantRecords is its inverse.
//
// It only decodes and resolves. It must never expand wildcards (that needs
// the operations catalog, and the report does it), call Azure, or import
// DuckDB.
package rbac
