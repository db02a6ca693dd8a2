package loganalytics

import (
	"fmt"
	"strings"

	"github.com/leastpriv/pare/usage/azure"
)

// Scheme is the URL scheme of a Log Analytics input.
const Scheme = "azure-logs://"

// IsURL reports whether s names a Log Analytics input, so callers can tell
// it apart from a local path.
func IsURL(s string) bool { return strings.HasPrefix(s, Scheme) }

// ParseURL returns the workspace id of "azure-logs://WORKSPACE_ID". The id
// is the workspace's GUID (its "Workspace ID" in the portal, not its name or
// resource id); it is returned in lower case. An error names what is wrong.
func ParseURL(s string) (string, error) {
	if !strings.HasPrefix(s, Scheme) {
		if scheme, _, ok := strings.Cut(s, "://"); ok {
			return "", fmt.Errorf("parsing %q: unsupported scheme %q (want azure-logs://WORKSPACE_ID)", s, scheme)
		}
		return "", fmt.Errorf("parsing %q: not a URL (want azure-logs://WORKSPACE_ID)", s)
	}
	ws := strings.TrimSuffix(strings.TrimPrefix(s, Scheme), "/")
	switch {
	case ws == "":
		return "", fmt.Errorf("parsing %q: missing workspace id after azure-logs:// (the workspace GUID, e.g. azure-logs://00000000-0000-0000-0000-000000000000)", s)
	case strings.Contains(ws, "/"):
		return "", fmt.Errorf("parsing %q: azure-logs:// takes a workspace id only, not a path or resource id", s)
	case !isGUID(ws):
		return "", fmt.Errorf("parsing %q: workspace id %q is not a GUID (use the workspace's Workspace ID, e.g. 00000000-0000-0000-0000-000000000000, not its name)", s, ws)
	}
	return strings.ToLower(ws), nil
}

// isGUID reports whether s is shaped 8-4-4-4-12 hexadecimal digits.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !isHex(c) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// canonicalID gives an object id, a GUID with dashes (the token's oid
// claim) or without (the role assignment evidence's principalId), as
// azure.PrincipalID does: a lower-case dashed GUID. Anything else is
// returned as recorded, untrimmed, so that Query merges rollups only by
// what the service returned; Events normalizes those as the file reader
// does.
func canonicalID(s string) string {
	if len(s) == 32 || isGUID(s) {
		if id := azure.PrincipalID(s); isGUID(id) {
			return id
		}
	}
	return s
}
