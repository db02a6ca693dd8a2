package podsec

import "time"

// Workload is the declared side of one workload: its kind, where it lives
// and the securityContexts its pod template declares. Pods owned by a
// controller are resolved to the controller before they get here.
type Workload struct {
	Kind           string // Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, or Pod (a bare pod)
	Namespace      string
	Name           string
	ServiceAccount string // "" means "default"
	// AutomountServiceAccountToken as declared on the pod template; nil when unset.
	AutomountServiceAccountToken *bool
	Pod                          PodSecurity
	Containers                   []Container // init containers first (Init set), then containers, in declared order
	Volumes                      []Volume
	Source                       string // where it was read: "manifests/app.yaml:12", "k8s://prod", "audit.log:record 7"
}

// PodSecurity is the declared pod-level securityContext and host namespaces.
type PodSecurity struct {
	RunAsNonRoot   *bool
	RunAsUser      *int64
	RunAsGroup     *int64
	FSGroup        *int64
	SeccompProfile string // "RuntimeDefault", "Unconfined", "Localhost/<profile>", "" when unset
	HostNetwork    bool
	HostPID        bool
	HostIPC        bool
}

// Container is one container's declared securityContext and mounts.
type Container struct {
	Name                     string
	Init                     bool
	Image                    string
	Privileged               *bool
	AllowPrivilegeEscalation *bool
	RunAsNonRoot             *bool
	RunAsUser                *int64
	RunAsGroup               *int64
	ReadOnlyRootFilesystem   *bool
	CapAdd                   []string // as declared, e.g. "NET_BIND_SERVICE"
	CapDrop                  []string
	SeccompProfile           string
	Mounts                   []Mount
}

// Mount is one volume mount.
type Mount struct {
	Volume    string
	MountPath string
	ReadOnly  bool
}

// Volume is one pod volume; only its name and type matter here.
type Volume struct {
	Name string
	Type string // "emptyDir", "hostPath", "configMap", "secret", "persistentVolumeClaim", ...
}

// Observation is runtime evidence about one container: what its processes
// actually needed. Readers of Inspektor Gadget and Falco output produce
// them; they are matched to workloads by namespace, owner and container.
type Observation struct {
	Namespace    string
	Pod          string // pod name as observed
	OwnerKind    string // resolved owner when the source gives it, else ""
	OwnerName    string
	Container    string
	Capabilities []string // capabilities checked and granted, e.g. "NET_BIND_SERVICE", sorted, distinct
	UIDs         []int64  // user ids processes ran as, sorted, distinct
	WrittenPaths []string // paths written outside mounted volumes, sorted, distinct
	Count        int64    // events behind this observation
	First, Last  time.Time
	Source       string // file it came from
}
