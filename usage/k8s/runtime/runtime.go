package runtime

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/leastpriv/pare/synth/k8s/podsec"
	"github.com/leastpriv/pare/usage/record"
)

// Result is what reading runtime evidence found.
type Result struct {
	Observations []podsec.Observation // sorted by namespace, owner, pod, container
	Records      int                  // records seen, good or bad
	Used         int                  // records that gave evidence about a container
	Skipped      map[string]int       // records or parts of them not used, by reason
	Problems     []record.Problem     // bad records (Index -1, "line N: ...")
}

func (r *Result) skip(reason string) {
	if r.Skipped == nil {
		r.Skipped = make(map[string]int)
	}
	r.Skipped[reason]++
}

// evidence is what one record says about one container.
type evidence struct {
	key          key
	time         time.Time
	capabilities []string
	uids         []int64
	paths        []string
}

// key identifies the container an observation is about.
type key struct {
	namespace, ownerKind, ownerName, pod, container string
}

// collector merges evidence by container.
type collector struct {
	res     Result
	byKey   map[key]*podsec.Observation
	sources map[key]map[string]bool // the files behind each observation
}

func newCollector() *collector {
	return &collector{byKey: make(map[key]*podsec.Observation), sources: make(map[key]map[string]bool)}
}

func (c *collector) problem(name string, line int, format string, args ...any) {
	c.res.Problems = append(c.res.Problems, record.Problem{Input: name, Index: -1, Message: fmt.Sprintf("line %d: ", line) + fmt.Sprintf(format, args...)})
}

// add merges one record's evidence.
func (c *collector) add(e evidence, source string) {
	o, ok := c.byKey[e.key]
	if !ok {
		o = &podsec.Observation{Namespace: e.key.namespace, OwnerKind: e.key.ownerKind, OwnerName: e.key.ownerName,
			Pod: e.key.pod, Container: e.key.container}
		c.byKey[e.key] = o
		c.sources[e.key] = make(map[string]bool)
	}
	c.sources[e.key][source] = true
	o.Count++
	o.Capabilities = append(o.Capabilities, e.capabilities...)
	o.UIDs = append(o.UIDs, e.uids...)
	o.WrittenPaths = append(o.WrittenPaths, e.paths...)
	if !e.time.IsZero() {
		if o.First.IsZero() || e.time.Before(o.First) {
			o.First = e.time
		}
		if e.time.After(o.Last) {
			o.Last = e.time
		}
	}
	c.res.Used++
}

// result returns the observations, each set sorted and distinct.
func (c *collector) result() Result {
	res := c.res
	res.Observations = nil
	for k, o := range c.byKey {
		o.Capabilities = distinct(o.Capabilities)
		o.WrittenPaths = distinct(o.WrittenPaths)
		o.UIDs = distinct(o.UIDs)
		var sources []string
		for s := range c.sources[k] {
			sources = append(sources, s)
		}
		o.Source = strings.Join(distinct(sources), ", ")
		res.Observations = append(res.Observations, *o)
	}
	slices.SortFunc(res.Observations, func(a, b podsec.Observation) int {
		return cmp.Or(
			cmp.Compare(a.Namespace, b.Namespace),
			cmp.Compare(a.OwnerKind, b.OwnerKind),
			cmp.Compare(a.OwnerName, b.OwnerName),
			cmp.Compare(a.Pod, b.Pod),
			cmp.Compare(a.Container, b.Container),
		)
	})
	return res
}

// Decode reads one input of runtime evidence. The error is for an input
// that cannot be read at all (a read error, corrupt gzip); bad records are
// Problems.
func Decode(name string, r io.Reader) (Result, error) {
	c := newCollector()
	if err := c.decode(name, r); err != nil {
		return Result{}, err
	}
	return c.result(), nil
}

// Read reads every file and merges what they say about each container;
// an observation's Source lists the files behind it.
func Read(paths []string) (Result, error) {
	c := newCollector()
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return Result{}, fmt.Errorf("reading runtime evidence: %w", err)
		}
		err = c.decode(p, f)
		f.Close()
		if err != nil {
			return Result{}, err
		}
	}
	return c.result(), nil
}

func (c *collector) decode(name string, r io.Reader) error {
	s, err := open(r)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for {
		raw, ok := s.next()
		if !ok {
			break
		}
		if raw.err != "" {
			c.res.Records++
			c.problem(name, raw.line, "%s", raw.err)
			continue
		}
		data := bytes.TrimSpace(raw.data)
		if len(data) > 0 && data[0] == '[' {
			// A JSON array of records.
			var items []json.RawMessage
			if err := json.Unmarshal(data, &items); err != nil {
				c.res.Records++
				c.problem(name, raw.line, "%v", err)
				continue
			}
			for i, item := range items {
				c.record(name, raw.line, fmt.Sprintf("element %d: ", i), item)
			}
			continue
		}
		c.record(name, raw.line, "", data)
	}
	if s.err != nil {
		return fmt.Errorf("reading %s: line %d: %w", name, s.line, s.err)
	}
	return nil
}

// record decodes one record, Falco's or a gadget's.
func (c *collector) record(name string, line int, where string, data []byte) {
	c.res.Records++
	if len(data) == 0 || data[0] != '{' {
		if json.Valid(data) {
			c.problem(name, line, "%snot a JSON object", where)
			return
		}
	}
	var probe struct {
		OutputFields json.RawMessage `json:"output_fields"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		c.problem(name, line, "%s%v", where, err)
		return
	}
	var (
		e      evidence
		reason string
		err    error
	)
	if len(probe.OutputFields) > 0 && string(probe.OutputFields) != "null" {
		e, reason, err = falcoEvidence(data)
	} else {
		e, reason, err = gadgetEvidence(data, c.skipPart)
	}
	switch {
	case err != nil:
		c.problem(name, line, "%s%v", where, err)
	case reason != "":
		c.res.skip(reason)
	default:
		c.add(e, name)
	}
}

// skipPart counts a part of a record that is not kept.
func (c *collector) skipPart(reason string) { c.res.skip(reason) }

// writtenPath cleans an absolute path a process wrote, or says why it is
// not kept.
func writtenPath(p string) (string, string) {
	if !strings.HasPrefix(p, "/") {
		return "", "written path not absolute"
	}
	p = path.Clean(p)
	for _, pseudo := range []string{"/proc", "/sys", "/dev"} {
		if p == pseudo || strings.HasPrefix(p, pseudo+"/") {
			return "", "written path on " + pseudo
		}
	}
	return p, ""
}

// writeFlags reports whether open flags, as names ("O_WRONLY|O_CREAT",
// "577(O_WRONLY|O_CREAT|O_TRUNC)" or a list), ask to write.
func writeFlags(names string) bool {
	for _, f := range strings.FieldsFunc(names, func(r rune) bool {
		return !(r == '_' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		switch f {
		case "O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND", "O_TMPFILE", "O_F_CREATED":
			return true
		}
	}
	return false
}

// rawWriteFlags reports whether numeric open flags (Linux) ask to write.
func rawWriteFlags(flags int64) bool {
	const (
		accMode = 0o3
		oCreat  = 0o100
		oTrunc  = 0o1000
		oAppend = 0o2000
		tmpfile = 0o20000000
	)
	return flags&accMode != 0 || flags&(oCreat|oTrunc|oAppend|tmpfile) != 0
}

// capability is a capability as securityContext names it
// ("NET_BIND_SERVICE"), or "" when it is not one Linux has.
func capability(name string) string {
	n := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(name)), "CAP_")
	for _, c := range capabilities {
		if c == n {
			return n
		}
	}
	return ""
}

// capabilities are Linux's capabilities by number (linux/capability.h).
var capabilities = [...]string{
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
	"SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
	"IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
	"LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
	"WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
}

// dockerContainer recovers the Kubernetes container name from a
// dockershim container name, k8s_<container>_<pod>_<namespace>_<uid>_<n>.
func dockerContainer(name string) string {
	parts := strings.Split(name, "_")
	if len(parts) == 6 && parts[0] == "k8s" && parts[1] != "" {
		return parts[1]
	}
	return name
}

// distinct sorts in and drops repeated values, in place; nil when empty.
func distinct[T cmp.Ordered](in []T) []T {
	if len(in) == 0 {
		return nil
	}
	slices.Sort(in)
	return slices.Compact(in)
}
