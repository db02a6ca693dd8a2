// Package k8s decodes Kubernetes audit logs and normalizes their events
// into record.Events: one row per logical API request a user or service
// account made, with the attributes RBAC authorizes on.
//
// It reads the shapes audit logs come in, plain or gzipped, detected from
// the content and never from a file name: JSON Lines of audit.k8s.io/v1
// and v1beta1 events (the log backend's output, including the oldest
// events without apiVersion or kind), an EventList ({"kind":"EventList",
// "items":[...]}) or a JSON array of events, and the wrappers managed
// clusters put around an event, which carry it as a JSON string: AKS
// diagnostic-settings records ({"records":[{"category":"kube-audit",
// "properties":{"log":"..."}}]} or one record a line), Log Analytics
// AzureDiagnostics rows exported as JSON (log_s), and EKS CloudWatch Logs
// events (`aws logs filter-log-events` output {"events":[{"message":
// "..."}]}, subscription records {"logEvents":[...]}, or one event a
// line). Wrapper records of other categories (kube-apiserver, guard, ...)
// and CloudWatch lines of other streams are skipped and counted. A record
// index counts records from 0 across the whole input, through any lists.
// Bad records are reported as record.Problems with their index; the rest
// of the input still loads.
//
// Decoding (decode.go, fastdecode.go): a one-pass decoder reads the fields
// the reader uses as slices of the record's bytes, straight from the
// scanner's buffer when a record is all in it, and the event inside a
// wrapper from its unescaped string. It takes only records it is sure of
// (valid JSON, no duplicate or differently-cased field keys, the usual
// types); goccy decodes the others and is the reference the fast decoder
// is fuzzed against. Strings an Event keeps are interned in caches that a
// Reader's pooled workspaces keep from one Read to the next; they never
// change what is emitted.
//
// Normalization (normalize.go, identity.go):
//
//   - One logical request per auditID within an input: the API server logs
//     a request at up to three stages. ResponseComplete (or Panic, a
//     failed request) is emitted at once; RequestReceived and
//     ResponseStarted (exec, attach, port-forward, long watches) are held
//     back, the later stage replacing the earlier, and dropped when the
//     final stage of the same request comes in the same input (counted as
//     SkipEarlierStage). What is still held at the end of the input is
//     emitted then: memory is bounded by the requests in flight, not the
//     input's size. EventID is "k8s:" + auditID, so that the store counts
//     a request logged in two inputs once.
//   - The principal is the effective user: impersonatedUser.username when
//     present, else user.username. Service accounts keep their user name
//     (system:serviceaccount:NAMESPACE:NAME) with PrincipalKind
//     "serviceaccount"; everyone else is "user". The impersonator needed
//     `impersonate` permissions that no event shows: they are added as
//     extra Events of the impersonator, Inferred and allowed (the API
//     server logs impersonatedUser only once it allowed it): impersonate
//     users ("/NAME") or serviceaccounts ("NAMESPACE/NAME"), groups
//     ("/GROUP") for each group it named (not those the server adds
//     itself), uids and userextras.authentication.k8s.io/KEY for a uid
//     and extra values. Their EventIDs add "/impersonate/..." to the
//     request's.
//   - Skipped and counted in Stats.Skipped, for the effective user (and
//     for the impersonator's inferred Events, under "impersonator: ..."):
//     anonymous requests (system:anonymous, system:unauthenticated), nodes
//     (system:node:*, system:nodes), the control plane's own identities
//     (other system: users such as system:kube-controller-manager,
//     system:kube-scheduler, system:apiserver, system:kube-proxy; EKS's
//     eks: users; kube-system's controller service accounts), members of
//     system:masters unless Options.KeepMasters, and 401 responses.
//   - Action and Resource are synth/k8s's Request.Action and ResourceRef
//     of the objectRef's verb, apiGroup, resource, subresource, namespace
//     and name. A create of a top-level resource names no object (RBAC
//     cannot check the name of an object not yet created); a create of a
//     subresource (pods/exec) keeps its parent's name. A request without
//     objectRef is a non-resource URL: the request URI's path without its
//     query string. Scope is the namespace, Region the cluster
//     (Options.Cluster, else the AKS or EKS cluster the wrapper names).
//   - Outcome is denied for 403 (or, without a response code, an
//     authorizer decision "forbid"), error for other codes from 400 and
//     for panics, allowed otherwise (101 for exec and attach included).
//     ErrorCode is responseStatus.reason, else the code. Time is
//     requestReceivedTimestamp (else stageTimestamp, else timestamp).
//     Session is the user agent, Service the API group and version (or
//     "nonResource"), Operation the verb and request path.
//
// It must never import DuckDB or client-go: fetching content is the job
// of another package and storing it the job of usage. Every string in a
// record is attacker-controlled: it is stored as-is, never interpreted,
// evaluated or used as a path.
package k8s
