package emit

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// maxNameBytes bounds a file name stem, leaving room for suffixes such as
// "-part12.evidence.json" under common 255-byte limits.
const maxNameBytes = 200

// SafeFileName turns a principal id into a readable file name stem that is
// one path component on every common file system: the ARN's "arn:PARTITION:SERVICE::"
// prefix is dropped, ':' and '/' become '-', and any other character outside
// [A-Za-z0-9._+=,@-] becomes '_'. When anything but those separators had to
// change, the name starts with '.' or '-', or it is too long, a short hash
// of the whole principal is appended, so such names cannot be forged to
// equal another principal's. The result never contains '/', '\\', NUL or
// control characters, is never "." or "..", and is deterministic.
//
// Distinct principals can still share a readable stem ("role/a/b" and
// "role/a-b"); FileNames resolves that for a set of principals.
func SafeFileName(principal string) string {
	s := principal
	if strings.HasPrefix(s, "arn:") {
		parts := strings.SplitN(s, ":", 5)
		if len(parts) == 5 && parts[3] == "" {
			s = parts[4] // account:resource
		} else if len(parts) == 5 {
			s = parts[3] + ":" + parts[4]
		}
	}
	var b strings.Builder
	changed := false
	for _, r := range s {
		switch {
		case r == ':' || r == '/':
			b.WriteByte('-')
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._+=,@-", r)):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
			changed = true
		}
	}
	name := b.String()
	if name == "" || name[0] == '.' || name[0] == '-' {
		name = "_" + name
		changed = true
	}
	if len(name) > maxNameBytes {
		name = name[:maxNameBytes]
		changed = true
	}
	if changed {
		name += "-" + shortHash(principal)
	}
	return name
}

// FileNames gives every principal a distinct file name stem: SafeFileName,
// plus a short hash of the principal wherever two stems would be equal,
// ignoring case (macOS and Windows file systems do).
func FileNames(principals []string) map[string]string {
	stems := make(map[string]string, len(principals))
	count := make(map[string]int)
	for _, p := range principals {
		if _, ok := stems[p]; ok {
			continue
		}
		stems[p] = SafeFileName(p)
		count[strings.ToLower(stems[p])]++
	}
	for p, stem := range stems {
		if count[strings.ToLower(stem)] > 1 {
			stems[p] = stem + "-" + shortHash(p)
		}
	}
	return stems
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}
