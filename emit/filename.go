package emit

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// maxStemBytes bounds what SafeFileName returns. FileNames may add
// "~" and 16 hex digits, so its stems stay within 200 bytes, leaving room for
// suffixes such as "-part12.evidence.json" under common 255-byte limits.
const maxStemBytes = 183

// reservedSuffix matches stem endings that callers append themselves
// ("-part3" for split policies, ".evidence" before ".json"); a principal's
// stem must never end that way, or its files could overwrite another's.
var reservedSuffix = regexp.MustCompile(`(?i)(-part[0-9]+|\.evidence)$`)

// windowsReserved are device names Windows refuses as file names, with or
// without an extension.
var windowsReserved = map[string]bool{
	"con": true, "prn": true, "aux": true, "nul": true,
	"com0": true, "com1": true, "com2": true, "com3": true, "com4": true, "com5": true, "com6": true, "com7": true, "com8": true, "com9": true,
	"lpt0": true, "lpt1": true, "lpt2": true, "lpt3": true, "lpt4": true, "lpt5": true, "lpt6": true, "lpt7": true, "lpt8": true, "lpt9": true,
}

// SafeFileName turns a principal id into a readable file name stem that is
// one path component on every common file system: the ARN's
// "arn:PARTITION:SERVICE:REGION:" prefix is dropped (the region only when
// empty), ':' and '/' become '-', and any other character outside
// [A-Za-z0-9._+=,@-] becomes '_'. When anything but those separators had to
// change, the name would start with '.' or '-', end like a suffix callers
// append ("-part3", ".evidence"), be a Windows device name (which also gets
// a leading '_'), or be longer than
// 183 bytes, it is cut and "~" plus 16 hex digits of a SHA-256 of the whole
// principal is appended. Names without '~' are therefore exactly what the
// readable mapping gives, and names with it cannot be forged from another
// principal.
//
// The result is ASCII, never empty, never contains '/', '\\', NUL or control
// characters, never starts with '.' or '-' (so it is never "." or ".."), is at
// most 183 bytes and is deterministic. It is not injective on its own
// ("role/a/b" and "role/a-b" share a stem): FileNames resolves that for a
// set of principals.
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
	// Windows reserves a device name whatever follows its first '.', so
	// the hash appended at the end would not help: prefix it instead.
	if base, _, _ := strings.Cut(strings.ToLower(name), "."); windowsReserved[base] {
		name = "_" + name
		changed = true
	}
	if reservedSuffix.MatchString(name) {
		changed = true
	}
	if len(name) > maxStemBytes {
		changed = true
	}
	if changed {
		h := "~" + hash16(principal)
		if len(name) > maxStemBytes-len(h) {
			name = name[:maxStemBytes-len(h)]
		}
		name += h
	}
	return name
}

// FileNames gives every principal a distinct file name stem: its
// SafeFileName, plus "~" and a hash of the principal wherever two stems would
// be equal ignoring case (as on macOS and Windows file systems). Stems from
// SafeFileName never contain '~' unless hashed, so the added names cannot
// collide with an unchanged one; the results are at most 200 bytes.
func FileNames(principals []string) map[string]string {
	ids := append([]string(nil), principals...)
	sort.Strings(ids)
	stems := make(map[string]string, len(ids))
	count := make(map[string]int)
	for _, p := range ids {
		if _, ok := stems[p]; ok {
			continue
		}
		stems[p] = SafeFileName(p)
		count[strings.ToLower(stems[p])]++
	}
	for _, p := range ids {
		if stem := stems[p]; count[strings.ToLower(stem)] > 1 && !strings.HasSuffix(stem, "~"+hash16(p)) {
			stems[p] = stem + "~" + hash16(p)
		}
	}
	// Two stems can still be equal only if 64 bits of two SHA-256 sums are:
	// unlikely, but a principal can be chosen to make it so. Distinctness is
	// a guarantee, so settle any remaining tie in sorted order with the
	// whole hash and then a counter.
	taken := make(map[string]string, len(stems))
	for _, p := range ids {
		key := strings.ToLower(stems[p])
		if q, ok := taken[key]; !ok || q == p {
			taken[key] = p
			continue
		}
		sum := sha256.Sum256([]byte(p))
		base := stems[p]
		for n := 1; ; n++ {
			suffix := "~" + hex.EncodeToString(sum[:])
			if n > 1 {
				suffix += "~" + strconv.Itoa(n)
			}
			if len(base)+len(suffix) > maxStemBytes {
				base = base[:maxStemBytes-len(suffix)]
			}
			if _, ok := taken[strings.ToLower(base+suffix)]; !ok {
				stems[p] = base + suffix
				break
			}
		}
		taken[strings.ToLower(stems[p])] = p
	}
	return stems
}

// hash16 is 16 hex digits (64 bits) of the SHA-256 of s: long enough that
// nobody can choose a principal to match another's.
func hash16(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}
