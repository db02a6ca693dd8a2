package podsec

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Profile texts the Default and Declared evidence quotes.
const (
	restrictedWhy = "Pod Security Standards restricted profile"
	readOnlyWhy   = "pare hardening: the root file system read-only"
)

// recommender builds one Recommendation.
type recommender struct {
	w   Workload
	rec Recommendation
	// order maps a container name to its position, for sorting findings.
	order map[string]int
	taken map[string]bool // volume names in use in the pod
}

// Recommend turns a workload's declared spec, the runtime observations of
// its containers and whether its service account used the API into the
// securityContext it should have. See the package documentation for the
// rules. obs should be the workload's own observations (Match groups
// them); observations of containers the workload does not declare, or of
// another namespace, are ignored with a note.
func Recommend(w Workload, obs []Observation, apiUsed bool, opts Options) Recommendation {
	r := &recommender{
		w:     w,
		rec:   Recommendation{Workload: w},
		order: make(map[string]int),
		taken: make(map[string]bool),
	}
	for _, v := range w.Volumes {
		r.taken[v.Name] = true
	}
	var containers []Container
	for _, c := range w.Containers {
		if _, dup := r.order[c.Name]; dup || c.Name == "" {
			r.note(fmt.Sprintf("container %q is declared twice or has no name: skipped", c.Name))
			continue
		}
		r.order[c.Name] = len(containers)
		containers = append(containers, c)
	}
	evidence := r.evidence(containers, obs, opts)
	r.pod(containers, evidence)
	for _, c := range containers {
		r.container(c, evidence[c.Name])
	}
	r.hostFindings()
	r.automount(apiUsed)
	sort.Slice(r.rec.Volumes, func(i, j int) bool { return r.rec.Volumes[i].Name < r.rec.Volumes[j].Name })
	sort.SliceStable(r.rec.Findings, func(i, j int) bool {
		a, b := r.rec.Findings[i], r.rec.Findings[j]
		if oa, ob := r.rank(a.Container), r.rank(b.Container); oa != ob {
			return oa < ob
		}
		if a.Field != b.Field {
			return a.Field < b.Field
		}
		if a.Value != b.Value {
			return a.Value < b.Value
		}
		return a.Message < b.Message
	})
	return r.rec
}

// rank orders findings: the pod first, then containers in declared order.
func (r *recommender) rank(container string) int {
	if container == "" {
		return -1
	}
	return r.order[container]
}

func (r *recommender) note(s string) { r.rec.Notes = append(r.rec.Notes, s) }

func (r *recommender) finding(f Finding) { r.rec.Findings = append(r.rec.Findings, f) }

// declared is the evidence text of a value kept from the spec.
func (r *recommender) declared() string {
	if r.w.Source == "" {
		return "declared"
	}
	return "declared in " + r.w.Source
}

// evidence merges each container's observations, noting those it cannot
// use. A container with fewer than opts.MinEvents events has none.
func (r *recommender) evidence(containers []Container, obs []Observation, opts Options) map[string]*RuntimeEvidence {
	minEvents := max(opts.MinEvents, 1)
	byContainer := make(map[string][]Observation)
	unknown := make(map[string][]Observation) // containers the workload does not declare
	elsewhere := make(map[string]bool)        // "namespace/pod" of other namespaces
	for _, o := range obs {
		switch _, ok := r.order[o.Container]; {
		case o.Namespace != "" && o.Namespace != r.w.Namespace:
			elsewhere[fmt.Sprintf("%q in namespace %q", o.Pod, o.Namespace)] = true
		case !ok:
			unknown[o.Container] = append(unknown[o.Container], o)
		default:
			byContainer[o.Container] = append(byContainer[o.Container], o)
		}
	}
	for _, pod := range slices.Sorted(maps.Keys(elsewhere)) {
		r.note("runtime evidence for pod " + pod + " is not this workload's: ignored")
	}
	for _, name := range slices.Sorted(maps.Keys(unknown)) {
		ev, _ := merge(unknown[name])
		r.note(fmt.Sprintf("runtime evidence for container %q, which %s does not declare: ignored (%s)", name, r.w.Kind, ev))
	}
	out := make(map[string]*RuntimeEvidence)
	for _, c := range containers {
		if len(byContainer[c.Name]) == 0 {
			continue
		}
		ev, rejected := merge(byContainer[c.Name])
		for _, name := range rejected {
			r.finding(Finding{Container: c.Name, Field: "capabilities.add", Value: name, Severity: SeverityLow, Provenance: Observed,
				Message: "runtime evidence names a capability Linux does not have: ignored"})
		}
		if ev.Count < minEvents {
			r.note(fmt.Sprintf("container %q: runtime evidence of %s is below the minimum of %d: not used", c.Name, plural(ev.Count, "event"), minEvents))
			continue
		}
		out[c.Name] = &ev
	}
	return out
}

// pod recommends the pod-level securityContext.
func (r *recommender) pod(containers []Container, evidence map[string]*RuntimeEvidence) {
	p := r.w.Pod
	rec := &r.rec.Pod
	if p.RunAsNonRoot != nil && !*p.RunAsNonRoot {
		known := len(containers) > 0
		var events int64
		for _, c := range containers {
			if ev := evidence[c.Name]; ev == nil || len(ev.UIDs) == 0 {
				known = false
			} else {
				events += ev.Count
			}
		}
		if known {
			rec.RunAsNonRoot = &Field[bool]{true, Observed, "the user ids of every container were observed (" + plural(events, "event") +
				"); containers that ran as root override it"}
		} else {
			rec.RunAsNonRoot = &Field[bool]{false, Declared, r.declared() + "; not every container's user id was observed"}
		}
	} else {
		rec.RunAsNonRoot = r.hardenBool(p.RunAsNonRoot, true, restrictedWhy)
	}
	rec.RunAsUser = r.keepInt(p.RunAsUser)
	rec.RunAsGroup = r.keepInt(p.RunAsGroup)
	rec.FSGroup = r.keepInt(p.FSGroup)
	if p.RunAsUser != nil && *p.RunAsUser == 0 {
		r.finding(Finding{Field: "runAsUser", Value: "0", Severity: SeverityHigh, Provenance: Declared,
			Message: "the pod runs as root unless a container overrides it"})
	}
	rec.SeccompProfile = r.seccomp("", p.SeccompProfile)
	if rec.SeccompProfile == nil {
		rec.SeccompProfile = &Field[string]{"RuntimeDefault", Default, restrictedWhy}
	}
}

// hardenBool is want by default hardening, or from the declared spec when
// it already says so.
func (r *recommender) hardenBool(declared *bool, want bool, why string) *Field[bool] {
	if declared != nil && *declared == want {
		return &Field[bool]{want, Declared, r.declared() + "; " + why}
	}
	return &Field[bool]{want, Default, why}
}

// keepInt keeps a declared number.
func (r *recommender) keepInt(declared *int64) *Field[int64] {
	if declared == nil {
		return nil
	}
	return &Field[int64]{*declared, Declared, r.declared()}
}

// seccomp keeps a declared seccomp profile; container is "" for the pod.
// Unconfined is kept and reported; an unrecognized profile is dropped with
// a note (the pod then has RuntimeDefault).
func (r *recommender) seccomp(container, declared string) *Field[string] {
	switch {
	case declared == "":
		return nil
	case declared == "RuntimeDefault" || strings.HasPrefix(declared, "Localhost/") && len(declared) > len("Localhost/"):
		return &Field[string]{declared, Declared, r.declared()}
	case declared == "Unconfined":
		r.finding(Finding{Container: container, Field: "seccompProfile", Value: declared, Severity: SeverityHigh, Provenance: Declared,
			Message: "no system call filter; runtime evidence does not show which calls are needed, so it is kept"})
		return &Field[string]{declared, Declared, r.declared()}
	default:
		r.note(fmt.Sprintf("seccomp profile %q of %s is not one pare knows: not kept", declared, r.where(container)))
		return nil
	}
}

// where names the pod or a container in notes.
func (r *recommender) where(container string) string {
	if container == "" {
		return "the pod"
	}
	return fmt.Sprintf("container %q", container)
}

// container recommends one container's securityContext and mounts; ev is
// nil without runtime evidence.
func (r *recommender) container(c Container, ev *RuntimeEvidence) {
	cr := ContainerRecommendation{Name: c.Name, Init: c.Init, Evidence: ev}
	if ev == nil {
		r.note(fmt.Sprintf("no runtime evidence for container %q: its fields are from the declared spec or default hardening; "+
			"check that it runs as a non-root user and writes only to volumes before applying", c.Name))
	}
	if c.Privileged != nil {
		cr.Privileged = &Field[bool]{*c.Privileged, Declared, r.declared()}
		if *c.Privileged {
			r.finding(Finding{Container: c.Name, Field: "privileged", Value: "true", Severity: SeverityHigh, Provenance: Declared,
				Message: "full access to the node; runtime evidence cannot show which devices and capabilities it needs, so it is kept"})
		}
	}
	r.capabilities(c, ev, &cr)
	r.escalation(c, &cr)
	r.user(c, ev, &cr)
	cr.RunAsGroup = r.keepInt(c.RunAsGroup)
	cr.SeccompProfile = r.seccomp(c.Name, c.SeccompProfile)
	r.rootFilesystem(c, ev, &cr)
	for _, m := range c.Mounts {
		for _, v := range r.w.Volumes {
			if v.Name == m.Volume && v.Type == "hostPath" {
				r.finding(Finding{Container: c.Name, Field: "volumeMounts", Value: m.MountPath, Severity: SeverityHigh, Provenance: Declared,
					Message: fmt.Sprintf("hostPath volume %q gives access to the node's files; kept", v.Name)})
			}
		}
	}
	r.rec.Containers = append(r.rec.Containers, cr)
}

// capabilities: drop ALL; add back what was observed, or without evidence
// what was declared.
func (r *recommender) capabilities(c Container, ev *RuntimeEvidence, cr *ContainerRecommendation) {
	declaredAll := false
	declared := make(map[string]bool)
	for _, d := range c.CapDrop {
		if n, _ := normalizeCapability(d); n == "ALL" {
			declaredAll = true
		}
	}
	for _, a := range c.CapAdd {
		n, ok := normalizeCapability(a)
		if !ok && n != "ALL" {
			n = a // not a capability: kept verbatim, reported below
		}
		declared[n] = true
	}
	if declaredAll {
		cr.CapabilitiesDrop = &Field[[]string]{[]string{"ALL"}, Declared, r.declared() + "; " + restrictedWhy}
	} else {
		cr.CapabilitiesDrop = &Field[[]string]{[]string{"ALL"}, Default, restrictedWhy}
	}
	if ev == nil {
		if len(declared) > 0 {
			add := slices.Sorted(maps.Keys(declared))
			cr.CapabilitiesAdd = &Field[[]string]{add, Declared, r.declared() + "; no runtime evidence"}
			for _, a := range add {
				if f, ok := capabilityFinding(c.Name, a, Declared); ok {
					r.finding(f)
				}
			}
		}
		return
	}
	add := append([]string{}, ev.Capabilities...)
	var dropped []string
	for _, d := range slices.Sorted(maps.Keys(declared)) {
		if !slices.Contains(add, d) {
			dropped = append(dropped, d)
		}
	}
	if len(dropped) > 0 {
		r.note(fmt.Sprintf("container %q: declared capabilities.add %s not used in the window: dropped", c.Name, strings.Join(dropped, ", ")))
	}
	switch {
	case len(add) > 0:
		cr.CapabilitiesAdd = &Field[[]string]{add, Observed, "used by the container's processes; " + ev.String()}
	case len(dropped) > 0:
		cr.CapabilitiesAdd = &Field[[]string]{add, Observed, "no capability used; " + ev.String()}
	}
	for _, a := range add {
		if f, ok := capabilityFinding(c.Name, a, Observed); ok {
			r.finding(f)
		}
	}
}

// escalation: allowPrivilegeEscalation false, unless declared true
// (kept, reported) or the container is privileged (Kubernetes rejects
// false there).
func (r *recommender) escalation(c Container, cr *ContainerRecommendation) {
	switch {
	case c.AllowPrivilegeEscalation != nil && *c.AllowPrivilegeEscalation:
		cr.AllowPrivilegeEscalation = &Field[bool]{true, Declared, r.declared()}
		r.finding(Finding{Container: c.Name, Field: "allowPrivilegeEscalation", Value: "true", Severity: SeverityHigh, Provenance: Declared,
			Message: "setuid programs can gain privileges; runtime evidence cannot show it is unneeded, so it is kept"})
	case c.Privileged != nil && *c.Privileged:
		r.note(fmt.Sprintf("container %q: allowPrivilegeEscalation left as it is: Kubernetes rejects false on a privileged container", c.Name))
	default:
		cr.AllowPrivilegeEscalation = r.hardenBool(c.AllowPrivilegeEscalation, false, restrictedWhy)
	}
}

// user pins the observed user id and sets runAsNonRoot where it must
// differ from the pod's.
func (r *recommender) user(c Container, ev *RuntimeEvidence, cr *ContainerRecommendation) {
	podNonRoot := r.rec.Pod.RunAsNonRoot.Value
	effective := c.RunAsUser
	if effective == nil {
		effective = r.w.Pod.RunAsUser
	}
	if ev == nil || len(ev.UIDs) == 0 {
		if ev != nil {
			r.note(fmt.Sprintf("container %q: runtime evidence records no user id", c.Name))
		}
		cr.RunAsUser = r.keepInt(c.RunAsUser)
		switch {
		case effective != nil && *effective == 0:
			cr.RunAsNonRoot = &Field[bool]{false, Declared, r.declared() + "; runAsUser 0"}
			if c.RunAsUser != nil {
				r.finding(Finding{Container: c.Name, Field: "runAsUser", Value: "0", Severity: SeverityHigh, Provenance: Declared,
					Message: "runs as root"})
			}
		case c.RunAsNonRoot != nil && !*c.RunAsNonRoot:
			cr.RunAsNonRoot = &Field[bool]{false, Declared, r.declared() + "; no runtime evidence of its user id"}
		case c.RunAsNonRoot != nil:
			cr.RunAsNonRoot = &Field[bool]{true, Declared, r.declared()}
		}
		return
	}
	uids := "uid " + joinInts(ev.UIDs)
	if len(ev.UIDs) > 1 {
		uids = "uids " + joinInts(ev.UIDs)
	}
	root := ev.UIDs[0] == 0
	if len(ev.UIDs) == 1 {
		cr.RunAsUser = &Field[int64]{ev.UIDs[0], Observed, "processes ran as " + uids + " only; " + ev.String()}
		if effective != nil && *effective != ev.UIDs[0] {
			r.note(fmt.Sprintf("container %q: declared runAsUser %d, but processes ran as %s: pinned to the observed one", c.Name, *effective, uids))
		}
	} else {
		cr.RunAsUser = r.keepInt(c.RunAsUser)
		r.note(fmt.Sprintf("container %q: processes ran as %s: runAsUser not pinned", c.Name, uids))
	}
	switch {
	case root:
		cr.RunAsNonRoot = &Field[bool]{false, Observed, "processes ran as " + uids + "; " + ev.String()}
		r.finding(Finding{Container: c.Name, Field: "runAsNonRoot", Value: "false", Severity: SeverityHigh, Provenance: Observed,
			Message: "processes ran as uid 0, so runAsNonRoot cannot be true; run the image as a non-root user"})
	case !podNonRoot || c.RunAsNonRoot != nil:
		cr.RunAsNonRoot = &Field[bool]{true, Observed, "processes ran as " + uids + " only; " + ev.String()}
	}
}

// rootFilesystem makes the root file system read-only, moving observed
// writes to emptyDir volumes, unless a write cannot move.
func (r *recommender) rootFilesystem(c Container, ev *RuntimeEvidence, cr *ContainerRecommendation) {
	if ev == nil {
		if c.ReadOnlyRootFilesystem != nil && !*c.ReadOnlyRootFilesystem {
			cr.ReadOnlyRootFilesystem = &Field[bool]{false, Declared, r.declared() + "; no runtime evidence of what it writes"}
			return
		}
		cr.ReadOnlyRootFilesystem = r.hardenBool(c.ReadOnlyRootFilesystem, true, readOnlyWhy)
		return
	}
	var mounts []string
	for _, m := range c.Mounts {
		mounts = append(mounts, m.MountPath)
	}
	written := make(map[string][]string) // mount dir -> written paths
	var stuck []string                   // writes that need a writable root file system
	for _, p := range ev.WrittenPaths {
		switch dir, place := mountDir(p, mounts); place {
		case placeMount:
			written[dir] = append(written[dir], p)
		case placeRootDir:
			stuck = append(stuck, p)
		case placeInvalid:
			stuck = append(stuck, strconv.Quote(p))
		}
	}
	if len(stuck) > 0 {
		cr.ReadOnlyRootFilesystem = &Field[bool]{false, Observed, "writes to " + listed(stuck) + " cannot move to an emptyDir; " + ev.String()}
		r.finding(Finding{Container: c.Name, Field: "readOnlyRootFilesystem", Value: "false", Severity: SeverityLow, Provenance: Observed,
			Message: "writes to " + listed(stuck) + " need a writable root file system (a system directory an emptyDir would hide, or not a clean absolute path)"})
		return
	}
	var kept []string
	for _, d := range slices.Sorted(maps.Keys(written)) {
		if k := parentIn(d, kept); k != "" {
			written[k] = append(written[k], written[d]...)
			continue
		}
		kept = append(kept, d)
	}
	for _, d := range kept {
		paths := append([]string(nil), written[d]...)
		sort.Strings(paths)
		name := volumeName(c.Name, d, r.taken)
		r.taken[name] = true
		e := EmptyDir{Name: name, Container: c.Name, MountPath: d, Written: paths, Provenance: Observed,
			Evidence: "written: " + listed(paths) + "; " + ev.String()}
		cr.Mounts = append(cr.Mounts, e)
		r.rec.Volumes = append(r.rec.Volumes, e)
		if !isScratch(d) {
			r.note(fmt.Sprintf("container %q: the emptyDir at %s hides what the image has there; check the image keeps nothing it needs in it", c.Name, d))
		}
	}
	why := "no writes outside volumes; "
	if len(kept) > 0 {
		why = "writes go to the emptyDir volumes added; "
	}
	cr.ReadOnlyRootFilesystem = &Field[bool]{true, Observed, why + ev.String()}
}

// hostFindings reports host namespaces.
func (r *recommender) hostFindings() {
	for _, h := range []struct {
		field string
		on    bool
		what  string
	}{
		{"hostIPC", r.w.Pod.HostIPC, "shares the node's IPC namespace"},
		{"hostNetwork", r.w.Pod.HostNetwork, "shares the node's network namespace"},
		{"hostPID", r.w.Pod.HostPID, "sees the node's processes"},
	} {
		if h.on {
			r.finding(Finding{Field: h.field, Value: "true", Severity: SeverityHigh, Provenance: Declared,
				Message: h.what + "; runtime evidence cannot show it is unneeded, so it is kept"})
		}
	}
	for _, v := range r.w.Volumes {
		if v.Type == "hostPath" {
			r.finding(Finding{Field: "volumes", Value: v.Name, Severity: SeverityHigh, Provenance: Declared,
				Message: "hostPath volume: the pod can reach the node's files; kept"})
		}
	}
}

// automount turns the service account token off when the service account
// made no API request in the audit window.
func (r *recommender) automount(apiUsed bool) {
	sa := r.w.ServiceAccount
	if sa == "" {
		sa = "default"
	}
	declared := r.w.AutomountServiceAccountToken
	switch {
	case !apiUsed:
		r.rec.AutomountServiceAccountToken = &Field[bool]{false, AuditLog,
			fmt.Sprintf("service account %s/%s made no API request in the audit window", r.w.Namespace, sa)}
	case declared != nil:
		r.rec.AutomountServiceAccountToken = &Field[bool]{*declared, Declared, r.declared()}
	default:
		r.note(fmt.Sprintf("service account %s/%s made API requests: its token mount is left as it is", r.w.Namespace, sa))
	}
}

// parentIn is the directory of dirs that d is in, or "".
func parentIn(d string, dirs []string) string {
	for _, k := range dirs {
		if within(d, k) {
			return k
		}
	}
	return ""
}
