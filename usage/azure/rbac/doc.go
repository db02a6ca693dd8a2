// Package rbac reads what Azure grants today: role assignments
// (`az role assignment list --all` output, or the REST API's list shape) and
// role definitions (`az role definition list`, or REST), and resolves each
// assignment through its role into record.Grant rows: which principal holds
// which action patterns, NotActions and data actions at which scope, and
// which assignment grants them.
//
// It only decodes and resolves. It must never expand wildcards (that needs
// the operations catalog, and the report does it), call Azure, or import
// DuckDB.
package rbac
