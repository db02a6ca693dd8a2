package azure

// PrincipalID returns an object id as the reader records it (Event.Principal):
// trimmed and lower-cased, and a GUID of 32 hexadecimal digits (the role
// assignment evidence's form) given its dashes (the token's oid claim's
// form). Other sources of Azure usage (Log Analytics rollups) use it so that
// their principals agree with the reader's.
func PrincipalID(id string) string { return string(canonicalID(nil, []byte(id))) }

// Operation returns what the reader records for an operation name, trimmed
// but otherwise as recorded: its action in the catalog's casing (Event.Action)
// and its resource provider (Event.Service); an operation the catalog does
// not know has no action and a message for Event.Unmapped instead. Other
// sources of Azure usage use it so that their Events agree with the reader's.
func Operation(cat Catalog, op string) (action, service, unmapped string) {
	service = providerOf(op)
	if info, ok := cat.Operation(op); ok && info.Name != "" {
		return info.Name, service, ""
	}
	return "", service, "unknown Azure operation " + quoteShort(op)
}
