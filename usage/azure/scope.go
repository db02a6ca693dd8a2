package azure

// Scope returns the scope the reader records for a resource id: its
// resource group, its subscription, its management group, or "/" for the
// tenant, spelled as described in the package doc. Other sources of Azure
// usage (Log Analytics rollups) use it so that their Events agree with the
// reader's.
func Scope(resourceID string) string { return scopeOf(resourceID, "", "") }
