package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// gadgetRecord holds the fields of Inspektor Gadget's trace_capabilities,
// trace_exec and trace_open events that are used, in every layout: v0.1x
// flat Kubernetes fields; v0.2x built-in gadgets ("k8s" with pod/container
// or podName/containerName, process fields at the top level, cap a number
// with capName and verdict); v0.3x image-based gadgets ("k8s" with
// podName, containerName and owner, "proc" with creds, cap a "CAP_" name
// with capable).
type gadgetRecord struct {
	Type      string          `json:"type"` // v0.2x: "normal", or "err", "warn", "info", "debug", "ready" messages
	Timestamp json.RawMessage `json:"timestamp"`

	Namespace string `json:"namespace"` // flat layout
	Pod       string `json:"pod"`
	Container string `json:"container"`
	K8s       *struct {
		Namespace     string `json:"namespace"`
		Pod           string `json:"pod"`
		PodName       string `json:"podName"`
		Container     string `json:"container"`
		ContainerName string `json:"containerName"`
		Owner         struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"owner"`
	} `json:"k8s"`

	UID  *int64 `json:"uid"`
	Proc *struct {
		Creds struct {
			UID *int64 `json:"uid"`
		} `json:"creds"`
	} `json:"proc"`

	// trace_capabilities
	Cap     json.RawMessage `json:"cap"`     // v0.2x: number; v0.3x: "CAP_SYS_ADMIN"
	CapName string          `json:"capName"` // v0.2x: "SYS_ADMIN"
	Verdict string          `json:"verdict"` // v0.2x: "Allow" or "Deny"
	Capable *bool           `json:"capable"` // v0.3x
	Audit   json.RawMessage `json:"audit"`   // 1 for an audited check; v0.2x omits 0

	// trace_exec
	Args    json.RawMessage `json:"args"`    // v0.2x: list; v0.3x: string
	Exepath string          `json:"exepath"` // v0.3x

	// trace_open
	Fname    string          `json:"fname"`    // v0.3x
	Path     string          `json:"path"`     // v0.2x
	FullPath string          `json:"fullPath"` // v0.2x, with --full-path
	Flags    json.RawMessage `json:"flags"`    // v0.2x: list of names; v0.3x: "O_WRONLY|O_CREAT"
	FlagsRaw *int64          `json:"flagsRaw"` // v0.2x
	Err      *int64          `json:"err"`      // v0.2x: errno, omitted when 0
	Error    json.RawMessage `json:"error"`    // v0.3x: "" or an errno name
}

// gadgetEvidence reads one gadget record: its evidence, or why it is
// skipped, or why it is bad. skipPart counts parts not kept.
func gadgetEvidence(data []byte, skipPart func(string)) (evidence, string, error) {
	var g gadgetRecord
	if err := json.Unmarshal(data, &g); err != nil {
		return evidence{}, "", err
	}
	if g.Type != "" && g.Type != "normal" {
		return evidence{}, "gadget message (" + g.Type + ")", nil
	}
	var e evidence
	e.key = key{namespace: g.Namespace, pod: g.Pod, container: g.Container}
	if k := g.K8s; k != nil {
		e.key = key{namespace: k.Namespace, pod: first(k.PodName, k.Pod), container: first(k.ContainerName, k.Container),
			ownerKind: k.Owner.Kind, ownerName: k.Owner.Name}
	}
	t, err := gadgetTime(g.Timestamp)
	if err != nil {
		return evidence{}, "", err
	}
	e.time = t
	isCap := len(g.Cap) > 0 || g.CapName != ""
	isOpen := g.Fname != "" || g.Path != "" || g.FullPath != ""
	isExec := len(g.Args) > 0 || g.Exepath != ""
	if !isCap && !isOpen && !isExec {
		return evidence{}, "gadget record of another kind", nil
	}
	if e.key.namespace == "" || e.key.pod == "" {
		return evidence{}, "no Kubernetes pod", nil
	}
	switch {
	case g.Proc != nil && g.Proc.Creds.UID != nil:
		e.uids = []int64{*g.Proc.Creds.UID}
	case g.UID != nil:
		e.uids = []int64{*g.UID}
	case isOpen && g.Proc == nil:
		e.uids = []int64{0} // the v0.2x trace_open omits a zero uid
	}
	if len(e.uids) == 1 && (e.uids[0] < 0 || e.uids[0] >= 1<<32-1) {
		e.uids = nil // not a user id ((uid_t)-1 means none)
	}
	switch {
	case isCap:
		c, reason, err := g.capability()
		if err != nil {
			return evidence{}, "", err
		}
		if reason != "" {
			skipPart("capability not kept: " + reason)
		} else {
			e.capabilities = []string{c}
		}
	case isOpen:
		p, reason, err := g.written()
		if err != nil {
			return evidence{}, "", err
		}
		if reason != "" {
			skipPart("open not kept: " + reason)
		} else {
			e.paths = []string{p}
		}
	}
	return e, "", nil
}

// capability is the capability a check was granted, or why it is not kept.
func (g gadgetRecord) capability() (string, string, error) {
	name := g.CapName
	if name == "" {
		var s string
		var n int
		switch {
		case json.Unmarshal(g.Cap, &s) == nil:
			name = s
		case json.Unmarshal(g.Cap, &n) == nil && n >= 0 && n < len(capabilities):
			name = capabilities[n]
		default:
			return "", "", fmt.Errorf("cap %s: not a capability name or number", g.Cap)
		}
	}
	c := capability(name)
	if c == "" {
		return "", "unknown capability", nil
	}
	var granted bool
	switch {
	case g.Capable != nil:
		granted = *g.Capable
	case g.Verdict != "":
		granted = strings.EqualFold(g.Verdict, "Allow")
	default:
		return "", "no verdict", nil
	}
	if !granted {
		return "", "denied", nil
	}
	audit := int64(0) // v0.2x omits a zero audit
	if len(g.Audit) > 0 && string(g.Audit) != "null" {
		if err := json.Unmarshal(g.Audit, &audit); err != nil {
			return "", "", fmt.Errorf("audit %s: not a number", g.Audit)
		}
	}
	if audit == 0 {
		return "", "checked without audit", nil
	}
	return c, "", nil
}

// written is the path a successful open for writing wrote, or why the
// open is not kept.
func (g gadgetRecord) written() (string, string, error) {
	if g.Err != nil && *g.Err != 0 {
		return "", "failed", nil
	}
	if len(g.Error) > 0 && string(g.Error) != "null" {
		var s string
		if err := json.Unmarshal(g.Error, &s); err != nil {
			var n int64
			if json.Unmarshal(g.Error, &n) != nil {
				return "", "", fmt.Errorf("error %s: not a string or number", g.Error)
			}
			s = strconv.FormatInt(n, 10)
		}
		if s != "" && s != "0" {
			return "", "failed", nil
		}
	}
	var write bool
	switch {
	case len(g.Flags) > 0 && string(g.Flags) != "null":
		var s string
		var list []string
		switch {
		case json.Unmarshal(g.Flags, &s) == nil:
			write = writeFlags(s)
		case json.Unmarshal(g.Flags, &list) == nil:
			write = writeFlags(strings.Join(list, "|"))
		default:
			var n int64
			if json.Unmarshal(g.Flags, &n) != nil {
				return "", "", fmt.Errorf("flags %s: not names or a number", g.Flags)
			}
			write = rawWriteFlags(n)
		}
	case g.FlagsRaw != nil:
		write = rawWriteFlags(*g.FlagsRaw)
	default:
		return "", "no flags", nil
	}
	if !write {
		return "", "opened for reading", nil
	}
	p, reason := writtenPath(first(g.FullPath, g.Path, g.Fname))
	return p, reason, nil
}

// gadgetTime reads a gadget timestamp: nanoseconds since the epoch
// (v0.2x) or an RFC 3339 string (v0.3x).
func gadgetTime(raw json.RawMessage) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, err
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("timestamp %q: %w", s, err)
		}
		return t.UTC(), nil
	}
	var ns int64
	if err := json.Unmarshal(raw, &ns); err != nil {
		return time.Time{}, fmt.Errorf("timestamp %s: not nanoseconds or RFC 3339", raw)
	}
	return time.Unix(0, ns).UTC(), nil
}

// first returns the first non-empty value.
func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
