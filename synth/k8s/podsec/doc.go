// Package podsec recommends least-privilege securityContexts for
// Kubernetes workloads from their declared spec, runtime evidence of what
// their containers did, and whether their service account used the API.
//
// Match groups runtime observations by workload and container: by the
// owner the source recorded (a ReplicaSet resolved to its Deployment, a Job
// to its CronJob), else by the pod's name (ResolveOwner). Observations no
// workload claims are returned with the reason, never dropped silently.
//
// Recommend starts from the Pod Security Standards "restricted" profile
// (runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities.drop:
// [ALL], seccompProfile: RuntimeDefault) plus readOnlyRootFilesystem: true
// and keeps only what evidence shows the workload needs. Every value
// carries its Provenance ("observed at runtime", "from audit log", "from
// declared spec", "default hardening") and evidence text. The rules:
//
//   - Capabilities: drop ALL. With runtime evidence, add back exactly the
//     capabilities observed (declared additions not observed are dropped,
//     with a note; an empty list then replaces them). Without evidence, the
//     declared additions stay. Every added capability other than
//     NET_BIND_SERVICE is a finding.
//   - User: with evidence of one user id, runAsUser is pinned to it; of
//     several, it is not pinned (a note) and a declared one stays. A
//     container whose processes ran as uid 0 gets runAsNonRoot: false and a
//     finding, as it cannot be true. Without evidence, a declared runAsUser
//     stays, and a container declared to run as uid 0 or with runAsNonRoot:
//     false keeps runAsNonRoot: false. The pod gets runAsNonRoot: true
//     unless it declares false and some container's user is unobserved.
//   - Root file system: read-only. With evidence, each path written
//     outside the container's volumes moves to an emptyDir: in /tmp,
//     /var/tmp, /run or /var/run that directory; below /var/cache,
//     /var/log or /var/lib the program's directory (/var/cache/nginx;
//     directly below them a name with a dot is a file); else a path ending
//     in '/' itself and any other path's parent directory. Nested
//     directories share the outer one. Writes to /dev, /proc and /sys are
//     not on the root file system. A write that would need an emptyDir
//     over a system directory (/, /etc, /usr, /var, /opt, /home, /lib*,
//     ...), a directory below /etc, /usr, /bin, /sbin or /lib*, or any
//     other top-level directory (/app, where images keep their program),
//     or that is not a clean absolute path, keeps readOnlyRootFilesystem:
//     false (a finding): an emptyDir there would hide the image's own
//     files. An emptyDir outside the scratch directories gets a note, as
//     it hides whatever the image ships there. Without evidence a declared
//     false stays.
//   - allowPrivilegeEscalation: false, except a declared true (kept, a
//     finding) and privileged containers (Kubernetes rejects false there;
//     left as they are, with a note).
//   - privileged, hostNetwork, hostPID, hostIPC, hostPath volumes and
//     Unconfined seccomp profiles are never changed: runtime evidence cannot
//     show they are unneeded. They are findings for a person to review.
//   - automountServiceAccountToken: false when the service account made no
//     API request in the audit window (apiUsed false, from the audit log
//     alone). A workload that hands its token to another service (Vault's
//     Kubernetes auth, for one) makes no request itself: review before
//     applying. When the account did make requests a declared value stays
//     and nothing is added.
//   - A container without runtime evidence gets a note; its fields are
//     "from declared spec" or "default hardening".
//
// Runtime evidence is taken as complete for its window: an observation of
// a container with no capabilities means none were needed, with no written
// paths that nothing outside volumes was written. Observations of a
// container are added up; one with Count below 1 counts as one event, and
// a container with fewer than Options.MinEvents events is treated as
// unobserved. Capability names are normalized to Kubernetes' spelling
// ("NET_BIND_SERVICE"); names from evidence that are not Linux
// capabilities are ignored with a finding, declared ones kept verbatim.
//
// Names, paths and capabilities come from logs and manifests and are
// attacker controlled: podsec only carries them as values; renderers
// escape them. Volume names pare adds are DNS labels made from the
// container name and mount path, with a hash when anything had to change.
//
// The package is pure: it imports only the standard library and synth,
// and must never touch files, the network, the environment, DuckDB or the
// clock. Output is deterministic: every list is sorted or in the
// workload's declared order.
package podsec
