package runtime

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// falcoRecord is a Falco alert with json_output: the rule that fired and
// the fields its output names.
type falcoRecord struct {
	Time         string                     `json:"time"`
	Rule         string                     `json:"rule"`
	Source       string                     `json:"source"`
	OutputFields map[string]json.RawMessage `json:"output_fields"`
}

// falcoEvidence reads one Falco alert: its evidence, or why it is
// skipped, or why it is bad.
func falcoEvidence(data []byte) (evidence, string, error) {
	var f falcoRecord
	if err := json.Unmarshal(data, &f); err != nil {
		return evidence{}, "", err
	}
	if f.Source != "" && f.Source != "syscall" {
		return evidence{}, "Falco source " + f.Source, nil
	}
	str := func(field string) (string, error) {
		raw, ok := f.OutputFields[field]
		if !ok || string(raw) == "null" {
			return "", nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("output_fields.%s: %s is not a string", field, raw)
		}
		return s, nil
	}
	var e evidence
	var err error
	fields := []struct {
		name string
		dst  *string
	}{{"k8s.ns.name", &e.key.namespace}, {"k8s.pod.name", &e.key.pod}, {"container.name", &e.key.container}}
	for _, fl := range fields {
		if *fl.dst, err = str(fl.name); err != nil {
			return evidence{}, "", err
		}
	}
	e.key.container = dockerContainer(e.key.container)
	if e.time, err = falcoTime(f.Time, f.OutputFields["evt.time"]); err != nil {
		return evidence{}, "", err
	}
	if e.key.namespace == "" || e.key.pod == "" || e.key.namespace == "<NA>" || e.key.pod == "<NA>" {
		return evidence{}, "no Kubernetes pod", nil
	}
	if raw, ok := f.OutputFields["user.uid"]; ok && string(raw) != "null" {
		uid, err := number(raw)
		if err != nil {
			return evidence{}, "", fmt.Errorf("output_fields.user.uid: %v", err)
		}
		if uid >= 0 && uid < 1<<32-1 {
			e.uids = []int64{uid}
		}
	}
	evtType, err := str("evt.type")
	if err != nil {
		return evidence{}, "", err
	}
	paths, err := f.writtenPaths(evtType, str)
	if err != nil {
		return evidence{}, "", err
	}
	e.paths = paths
	return e, "", nil
}

// writtenPaths are the absolute paths an event wrote, by its type.
func (f falcoRecord) writtenPaths(evtType string, str func(string) (string, error)) ([]string, error) {
	var names []string
	switch evtType {
	case "open", "openat", "openat2":
		flags, err := str("evt.arg.flags")
		if err != nil {
			return nil, err
		}
		isWrite := writeFlags(flags)
		if raw, ok := f.OutputFields["evt.is_open_write"]; ok {
			var b bool
			var s string
			isWrite = isWrite || (json.Unmarshal(raw, &b) == nil && b) || (json.Unmarshal(raw, &s) == nil && s == "true")
		}
		if flags == "" && strings.Contains(strings.ToLower(f.Rule), "write") {
			isWrite = true
		}
		if !isWrite {
			return nil, nil
		}
		names = []string{"fd.name", "evt.arg.name", "fd.nameraw"}
	case "creat", "mkdir", "mkdirat", "unlink", "unlinkat", "rmdir", "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat":
		names = []string{"fd.name", "evt.arg.path", "evt.arg.name", "evt.arg.pathname", "evt.arg.oldpath", "evt.arg.newpath", "evt.arg.target", "evt.arg.linkpath"}
	default:
		return nil, nil
	}
	var out []string
	for _, n := range names {
		v, err := str(n)
		if err != nil {
			return nil, err
		}
		if v == "" || v == "<NA>" {
			continue
		}
		// Falco prints some paths with a resolved form: "dir/x (/abs/dir/x)".
		if i := strings.LastIndex(v, "("); i > 0 && strings.HasSuffix(v, ")") {
			v = v[i+1 : len(v)-1]
		}
		if p, reason := writtenPath(v); reason == "" {
			out = append(out, p)
		}
	}
	return out, nil
}

// falcoTime is the alert's time: "time" (RFC 3339), else evt.time
// (nanoseconds).
func falcoTime(s string, evtTime json.RawMessage) (time.Time, error) {
	if s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("time %q: %w", s, err)
		}
		return t.UTC(), nil
	}
	if len(evtTime) > 0 && string(evtTime) != "null" {
		ns, err := number(evtTime)
		if err != nil {
			return time.Time{}, fmt.Errorf("output_fields.evt.time: %v", err)
		}
		return time.Unix(0, ns).UTC(), nil
	}
	return time.Time{}, nil
}

// number reads a JSON integer, or a string holding one.
func number(raw json.RawMessage) (int64, error) {
	var n int64
	if err := json.Unmarshal(raw, &n); err == nil {
		return n, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%s is not an integer", raw)
}
