// Package runtime reads runtime evidence for securityContexts: what the
// processes of each container actually needed, as podsec.Observations (one
// per namespace, owner, pod and container).
//
// Inputs, plain or gzipped, detected from the content:
//
//   - Inspektor Gadget trace_capabilities, trace_exec and trace_open JSON
//     (`kubectl gadget run trace_capabilities -o json`, `ig run ... -o
//     jsonpretty`, and the built-in gadgets of v0.2x, `kubectl gadget trace
//     capabilities -o json`), in each layout the project has used: flat
//     node/namespace/pod/container fields, a "k8s" object with pod and
//     container or with podName, containerName and owner{kind,name}, and
//     process fields at the top level or under "proc" (creds.uid);
//   - Falco JSON alerts (json_output: one object a line with output_fields:
//     k8s.ns.name, k8s.pod.name, container.name, user.uid, evt.type,
//     fd.name, evt.arg.flags, ...).
//
// Records are JSON values one a line, or pretty-printed objects spanning
// lines; a record that does not decode is a record.Problem naming its file
// and first line (Index -1, "line N: ..."), and the rest loads. Records
// without a pod, gadget messages and other Falco sources are counted in
// Result.Skipped by reason.
//
// What is kept:
//
//   - capabilities a process was granted when the kernel checked them with
//     auditing on (gadget "verdict": "Allow" or "capable": true, and
//     "audit" not 0): denied checks and non-audit probes are counted, not
//     kept; names as securityContext writes them ("NET_BIND_SERVICE");
//   - user ids processes ran as (gadget uid, proc.creds.uid; Falco
//     user.uid). The old trace_open omitted a zero uid, so there a missing
//     uid is 0;
//   - absolute paths written: successful opens with a write flag (O_WRONLY,
//     O_RDWR, O_CREAT, O_TRUNC, O_APPEND, O_TMPFILE), Falco creat, mkdir,
//     rename, unlink and link events, and opens Falco marks as writes
//     (flags, evt.is_open_write, or a rule whose name says "write"). Paths
//     under /proc, /sys and /dev (not the root filesystem) are left out;
//     subtracting mounted volumes is the synthesizer's job.
//
// Every value is attacker-controlled (a container names its own
// processes and files): strings are kept as data, never interpreted or used
// as paths on this machine. The package must never import client-go or
// DuckDB, nor read the clock; output is sorted and deterministic.
package runtime
