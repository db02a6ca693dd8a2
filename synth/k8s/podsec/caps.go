package podsec

import "strings"

// linuxCapabilities are the capability names Linux defines (capabilities(7)),
// in Kubernetes' spelling: upper case without the "CAP_" prefix.
var linuxCapabilities = map[string]bool{
	"AUDIT_CONTROL": true, "AUDIT_READ": true, "AUDIT_WRITE": true,
	"BLOCK_SUSPEND": true, "BPF": true, "CHECKPOINT_RESTORE": true,
	"CHOWN": true, "DAC_OVERRIDE": true, "DAC_READ_SEARCH": true,
	"FOWNER": true, "FSETID": true, "IPC_LOCK": true, "IPC_OWNER": true,
	"KILL": true, "LEASE": true, "LINUX_IMMUTABLE": true,
	"MAC_ADMIN": true, "MAC_OVERRIDE": true, "MKNOD": true,
	"NET_ADMIN": true, "NET_BIND_SERVICE": true, "NET_BROADCAST": true, "NET_RAW": true,
	"PERFMON": true, "SETFCAP": true, "SETGID": true, "SETPCAP": true, "SETUID": true,
	"SYSLOG": true, "SYS_ADMIN": true, "SYS_BOOT": true, "SYS_CHROOT": true,
	"SYS_MODULE": true, "SYS_NICE": true, "SYS_PACCT": true, "SYS_PTRACE": true,
	"SYS_RAWIO": true, "SYS_RESOURCE": true, "SYS_TIME": true, "SYS_TTY_CONFIG": true,
	"WAKE_ALARM": true,
}

// baselineCapabilities are the capabilities the Pod Security Standards
// "baseline" profile allows a container to add. "restricted" allows only
// NET_BIND_SERVICE.
var baselineCapabilities = map[string]bool{
	"AUDIT_WRITE": true, "CHOWN": true, "DAC_OVERRIDE": true, "FOWNER": true,
	"FSETID": true, "KILL": true, "MKNOD": true, "NET_BIND_SERVICE": true,
	"SETFCAP": true, "SETGID": true, "SETPCAP": true, "SETUID": true,
	"SYS_CHROOT": true,
}

// normalizeCapability spells a capability name the way Kubernetes does:
// upper case, without "CAP_". ok is false when the result is not a Linux
// capability (and for "ALL", which is not one capability).
func normalizeCapability(name string) (string, bool) {
	c := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(name)), "CAP_")
	return c, linuxCapabilities[c]
}

// capabilityFinding is the finding for adding capability c (normalized),
// or false when restricted allows it.
func capabilityFinding(container, c string, p Provenance) (Finding, bool) {
	f := Finding{Container: container, Field: "capabilities.add", Value: c, Provenance: p}
	switch {
	case c == "NET_BIND_SERVICE":
		return Finding{}, false
	case c == "ALL":
		f.Severity = SeverityHigh
		f.Message = "adds every capability; review and list the ones needed"
	case !linuxCapabilities[c]:
		f.Severity = SeverityLow
		f.Message = "not a Linux capability name; kept as declared"
	case baselineCapabilities[c]:
		f.Severity = SeverityLow
		f.Message = "allowed by the baseline Pod Security Standard, not by restricted"
	default:
		f.Severity = SeverityHigh
		f.Message = "not allowed by the baseline Pod Security Standard"
	}
	return f, true
}
