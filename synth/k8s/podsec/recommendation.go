package podsec

import "time"

// Provenance says which rule chose a recommended value.
type Provenance string

// The four provenances a recommended value can have.
const (
	// Observed: runtime evidence (Observation) showed the container needs it.
	Observed Provenance = "observed at runtime"
	// AuditLog: the Kubernetes audit log showed it (service account use).
	AuditLog Provenance = "from audit log"
	// Declared: kept from the workload's declared spec, for want of
	// evidence that it can go.
	Declared Provenance = "from declared spec"
	// Default: the Pod Security Standards "restricted" profile plus
	// readOnlyRootFilesystem, applied where nothing says otherwise.
	Default Provenance = "default hardening"
)

// Field is one recommended value, the rule that chose it and the evidence
// behind it: counts, first and last seen and source files for Observed,
// the declaring file for Declared, the profile for Default.
type Field[T any] struct {
	Value      T
	Provenance Provenance
	Evidence   string
}

// Recommendation is the securityContext pare recommends for one workload.
// A nil field means "leave as it is": the patch does not mention it. Every
// list is in a fixed order, so the same input gives the same
// Recommendation.
type Recommendation struct {
	Workload Workload
	Pod      PodRecommendation
	// Containers has one entry per declared container, in the workload's
	// order (init containers first).
	Containers []ContainerRecommendation
	// Volumes are the emptyDir volumes to add, sorted by name. Each is
	// mounted in exactly one container (ContainerRecommendation.Mounts).
	Volumes []EmptyDir
	// AutomountServiceAccountToken is false when the workload's service
	// account made no API request in the audit window; nil leaves it as it
	// is.
	AutomountServiceAccountToken *Field[bool]
	// Notes explain what pare did not do and why: containers without
	// runtime evidence, declared capabilities dropped, uids not pinned,
	// evidence ignored. In a fixed order: workload first, then containers.
	Notes []string
	// Findings are risky settings kept for a person to review, sorted by
	// container (pod-level first, then the workload's container order),
	// field and value.
	Findings []Finding
}

// PodRecommendation is the pod-level securityContext.
type PodRecommendation struct {
	RunAsNonRoot   *Field[bool]
	RunAsUser      *Field[int64]
	RunAsGroup     *Field[int64]
	FSGroup        *Field[int64]
	SeccompProfile *Field[string] // "RuntimeDefault", "Unconfined" or "Localhost/<profile>"
}

// ContainerRecommendation is one container's securityContext and the
// emptyDir mounts it gets.
type ContainerRecommendation struct {
	Name string
	Init bool
	// Evidence sums the runtime observations of the container that were
	// used; nil when there were none (or too few, see Options.MinEvents).
	Evidence *RuntimeEvidence

	Privileged               *Field[bool]
	AllowPrivilegeEscalation *Field[bool]
	RunAsNonRoot             *Field[bool]
	RunAsUser                *Field[int64]
	RunAsGroup               *Field[int64]
	ReadOnlyRootFilesystem   *Field[bool]
	// CapabilitiesAdd is the full list to add, sorted; a non-nil field
	// with an empty Value replaces declared additions with none.
	CapabilitiesAdd  *Field[[]string]
	CapabilitiesDrop *Field[[]string]
	SeccompProfile   *Field[string]
	// Mounts are the emptyDir volumes to mount, sorted by mount path.
	Mounts []EmptyDir
}

// EmptyDir is one emptyDir volume pare adds so a container that writes to
// a directory of its image can keep readOnlyRootFilesystem: true.
type EmptyDir struct {
	Name       string // volume name: a DNS label unique in the pod
	Container  string // the container that mounts it
	MountPath  string
	Written    []string // the written paths it covers, sorted
	Provenance Provenance
	Evidence   string
}

// Finding is a risky setting pare kept rather than change without
// evidence: privileged, host namespaces, hostPath volumes, running as root,
// capabilities beyond the restricted profile, Unconfined seccomp, and
// runtime evidence it could not use.
type Finding struct {
	Container  string // "" for the pod
	Field      string // e.g. "privileged", "hostNetwork", "capabilities.add", "volumes"
	Value      string // the value at issue, e.g. "SYS_ADMIN", "true", the volume name
	Severity   string // SeverityHigh or SeverityLow
	Provenance Provenance
	Message    string
}

// Finding severities.
const (
	// SeverityHigh: the setting weakens isolation from the node or other
	// pods (privileged, host namespaces, hostPath, root, capabilities the
	// baseline profile forbids).
	SeverityHigh = "high"
	// SeverityLow: the setting is allowed by the baseline profile but not
	// by the restricted one, or evidence could not be used.
	SeverityLow = "low"
)

// RuntimeEvidence is what the observations of one container add up to.
type RuntimeEvidence struct {
	Count        int64 // events; an observation with Count < 1 counts as 1
	First, Last  time.Time
	Pods         []string // sorted, distinct
	Sources      []string // sorted, distinct
	Capabilities []string // normalized ("NET_BIND_SERVICE"), sorted, distinct
	UIDs         []int64  // sorted, distinct
	WrittenPaths []string // as observed, sorted, distinct
}

// Options are the choices Recommend makes explicit.
type Options struct {
	// MinEvents: a container whose observations add up to fewer events is
	// treated as having no runtime evidence (and a note says so). 0 means
	// 1.
	MinEvents int64
}
