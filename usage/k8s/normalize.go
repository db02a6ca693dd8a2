package k8s

import (
	"bytes"
	"strconv"

	"github.com/goccy/go-json"

	k8s "github.com/leastpriv/pare/synth/k8s"
	"github.com/leastpriv/pare/usage/internal/hold"
	"github.com/leastpriv/pare/usage/internal/intern"
	"github.com/leastpriv/pare/usage/jsonscan"
	"github.com/leastpriv/pare/usage/record"
)

// stage is where an audit event stands in its request. Later stages rank
// higher: a request is emitted once, from the highest stage in the input.
type stage int

const (
	stageUnknown stage = iota
	stageReceived
	stageStarted
	stageFinal // ResponseComplete, Panic, or no stage (the oldest events)
)

// Bounds on what one Read holds back.
const (
	maxPending = 1 << 16 // requests waiting for their final stage
	maxDone    = 1 << 16 // final stages remembered to drop a late earlier stage
)

// Sizes of a normalizer's caches, whose keys come from the input.
const (
	actionsLimit = 4096 // actions; a full cache is emptied and refilled
	strsSize     = 8192 // interned strings (a power of two)
	refsSize     = 8192 // interned resource refs (a power of two)
	opsSize      = 8192 // interned operations (a power of two)
	internMax    = 256  // longest string interned
)

// normalizer turns records into Events. It is used by one Read call at a
// time (Reader keeps a pool of them), so its caches need no locks; they
// survive from one Read to the next and never change what is emitted. What
// one Read holds back (pending, done) is reset for each.
type normalizer struct {
	cluster     string
	keepMasters bool

	// listGroup and listStream are the CloudWatch log group and stream
	// a list names for its records ("" outside such a list).
	listGroup, listStream []byte

	rec   fields            // the record
	inner fields            // the event a wrapper record carries
	wrap  []json.RawMessage // the records of a list decoded by decode
	ev    record.Event      // reused for every emitted event

	// pending holds the requests whose earlier stage was read and whose
	// final one was not yet, by auditID, in record order.
	pending hold.Queue[string, pendingRequest]
	// done holds the auditIDs whose final stage was read, so that an
	// earlier stage that comes after it is dropped too.
	done map[string]struct{}

	// actions caches the action string of verb, group, resource and
	// subresource (joined by NULs).
	actions map[string]string
	// strs, refs and ops intern the strings Events carry, which repeat
	// from record to record.
	strs, refs, ops *intern.Table

	buf, idBuf []byte // scratch
}

// pendingRequest is one request held back until its final stage: its
// event (when its identity is not skipped) and the impersonate permissions
// it shows its impersonator used.
type pendingRequest struct {
	stage    stage
	hasMain  bool
	main     record.Event
	inferred []record.Event
}

func newNormalizer(opts Options) *normalizer {
	return &normalizer{
		cluster:     opts.Cluster,
		keepMasters: opts.KeepMasters,
		done:        make(map[string]struct{}),
		actions:     make(map[string]string),
		strs:        intern.New(strsSize, internMax),
		refs:        intern.New(refsSize, internMax),
		ops:         intern.New(opsSize, internMax),
	}
}

// reset forgets what the previous Read held back and the references into
// its input, so that an idle normalizer holds no input memory.
func (n *normalizer) reset() {
	n.listGroup, n.listStream = n.listGroup[:0], n.listStream[:0]
	n.rec.reset()
	n.inner.reset()
	n.wrap = nil
	n.ev = record.Event{}
	n.pending.Reset()
	clear(n.done)
}

// str returns b as a string, interned.
func (n *normalizer) str(b []byte) string { return n.strs.String(b) }

// decode decodes raw into n.rec, and into n.wrap the records of a list.
func (n *normalizer) decode(raw []byte) error {
	n.wrap = nil
	if decodeFast(raw, &n.rec) {
		return nil
	}
	items, ok, err := decodeSlow(raw, &n.rec)
	if ok {
		n.wrap = items
	}
	return err
}

// wrapped returns the records of the value decode read when it is a list.
func (n *normalizer) wrapped() ([]json.RawMessage, bool) {
	return n.wrap, n.wrap != nil
}

// normalize emits the Events of the record in n.rec, or holds them back
// when the record is an earlier stage of its request.
func (n *normalizer) normalize(i int, st *record.Stats, problem func(int, string), emit func(*record.Event) error) error {
	f, cluster := &n.rec, n.cluster
	if f.wrapper() {
		var ok bool
		if f, cluster, ok = n.unwrap(i, st, problem); !ok {
			return nil
		}
	}
	return n.event(i, f, cluster, st, problem, emit)
}

// unwrap decodes the event a wrapper record carries as a string into
// n.inner, with the cluster the record names. It reports false for a
// record it skipped or reported.
func (n *normalizer) unwrap(i int, st *record.Stats, problem func(int, string)) (*fields, string, bool) {
	w := &n.rec
	category := bytes.TrimSpace(w.category)
	if len(category) > 0 && !jsonscan.EqualLowerASCII(category, "kube-audit") && !jsonscan.EqualLowerASCII(category, "kube-audit-admin") {
		st.Skip(SkipOtherLog)
		return nil, "", false
	}
	stream := w.logStream
	if len(stream) == 0 {
		stream = n.listStream
	}
	if len(category) == 0 && len(stream) > 0 && !bytes.HasPrefix(stream, []byte("kube-apiserver-audit")) {
		st.Skip(SkipOtherLog)
		return nil, "", false
	}
	var s []byte
	field := ""
	switch {
	case w.hasLog:
		s, field = w.log, "properties.log"
	case w.hasLogS:
		s, field = w.logS, "log_s"
	default:
		s, field = w.message, "message"
	}
	s = bytes.TrimSpace(s)
	if len(s) == 0 || s[0] != '{' {
		if len(category) == 0 {
			// A CloudWatch Logs event of another stream: the log
			// group of a cluster holds the API server's and the
			// authenticator's text logs too.
			st.Skip(SkipOtherLog)
		} else {
			problem(i, field+" holds no JSON audit event")
		}
		return nil, "", false
	}
	if !decodeFast(s, &n.inner) {
		if _, isList, err := decodeSlow(s, &n.inner); err != nil {
			problem(i, "invalid audit event in "+field+": "+jsonscan.ShortError(err))
			return nil, "", false
		} else if isList {
			problem(i, field+" holds a list, not one audit event")
			return nil, "", false
		}
	}
	cluster := n.cluster
	if cluster == "" {
		cluster = n.clusterOf(w)
	}
	return &n.inner, cluster, true
}

// clusterOf returns the cluster a wrapper record names: the AKS cluster
// of its resource id (lower-cased: Azure names compare
// case-insensitively), or the EKS cluster of its CloudWatch log group
// (/aws/eks/NAME/cluster); "" when it names none.
func (n *normalizer) clusterOf(w *fields) string {
	for _, id := range [...][]byte{w.resourceID, w.laResourceID} {
		const seg = "/managedclusters/"
		if j := jsonscan.IndexLowerASCII(id, seg); j >= 0 {
			name := id[j+len(seg):]
			if k := bytes.IndexByte(name, '/'); k >= 0 {
				name = name[:k]
			}
			n.buf = jsonscan.AppendLowerASCII(n.buf[:0], name)
			return n.str(n.buf)
		}
	}
	group := w.logGroup
	if len(group) == 0 {
		group = n.listGroup
	}
	if rest, ok := bytes.CutPrefix(group, []byte("/aws/eks/")); ok {
		if name, ok := bytes.CutSuffix(rest, []byte("/cluster")); ok && len(name) > 0 {
			return n.str(name)
		}
	}
	return ""
}

// event emits (or holds back) the Events of the audit event f.
func (n *normalizer) event(i int, f *fields, cluster string, st *record.Stats, problem func(int, string), emit func(*record.Event) error) error {
	auditID := f.auditID
	if len(bytes.TrimSpace(auditID)) == 0 {
		problem(i, "record without auditID: not a Kubernetes audit event")
		return nil
	}
	stg := stageOf(f.stage)
	if stg == stageUnknown {
		problem(i, "unknown stage "+quoteShort(f.stage))
		return nil
	}
	if f.code == 401 {
		st.Skip(SkipUnauthenticated)
		return nil
	}
	impersonating := len(f.impersonated.username) > 0
	effective := &f.user
	if impersonating {
		effective = &f.impersonated
	}
	if len(effective.username) == 0 {
		problem(i, "record without user.username")
		return nil
	}
	// Skipped requests cost nothing more, unless their impersonator
	// needs its impersonate permissions.
	reason := skipReason(effective.username, effective.groups, n.keepMasters)
	impersonatorReason := ""
	if impersonating {
		impersonatorReason = skipReason(f.user.username, f.user.groups, n.keepMasters)
	}
	if reason != "" && (!impersonating || impersonatorReason != "") {
		st.Skip(reason)
		if impersonating {
			st.Skip(SkipImpersonatorPrefix + impersonatorReason)
		}
		return nil
	}
	if len(f.verb) == 0 {
		problem(i, "record without verb")
		return nil
	}
	when := first(f.received, f.stageTime, f.timestamp)
	t, ok := jsonscan.ParseTime(when)
	if !ok {
		problem(i, "bad or missing requestReceivedTimestamp "+quoteShort(when))
		return nil
	}
	req, ok := requestOf(f)
	if !ok {
		problem(i, "record without objectRef.resource or requestURI")
		return nil
	}

	base := &n.ev
	*base = record.Event{
		Provider: "k8s",
		Time:     t,
		Session:  n.str(bytes.TrimSpace(f.userAgent)),
		Region:   cluster,
		Index:    i,
	}
	base.Operation = n.operation(f.verb, uriPath(f.requestURI))
	base.Outcome, base.ErrorCode = n.outcome(f)
	n.idBuf = append(append(n.idBuf[:0], "k8s:"...), auditID...)
	base.EventID = string(n.idBuf)

	// The impersonator's own use: the impersonate permissions it needed.
	var inferred []record.Event
	if impersonating {
		if impersonatorReason != "" {
			st.Skip(SkipImpersonatorPrefix + impersonatorReason)
		} else {
			inferred = n.impersonation(base, f)
		}
	}
	if reason != "" {
		st.Skip(reason)
	} else {
		base.Principal = n.str(effective.username)
		base.PrincipalKind = principalKind(effective.username)
		base.Action = n.action(&req)
		base.Resource = n.ref(&req)
		base.Scope = n.str(req.namespace)
		base.Service = n.service(req.group, f.ref.apiVersion, req.path != nil)
	}
	return n.byStage(stg, auditID, reason == "", inferred, st, emit)
}

// byStage emits the request's events now when stg is its final stage, or
// holds them back until the final stage or the end of the input. The
// request's event is n.ev when hasMain.
func (n *normalizer) byStage(stg stage, auditID []byte, hasMain bool, inferred []record.Event, st *record.Stats, emit func(*record.Event) error) error {
	if stg != stageFinal {
		if _, ok := n.done[string(auditID)]; ok {
			st.Skip(SkipEarlierStage)
			return nil
		}
	}
	// The key of the request in pending and done: its EventID (already
	// allocated) without the prefix, else a new string.
	var key string
	if hasMain {
		key = n.ev.EventID[len("k8s:"):]
	} else {
		key = string(auditID)
	}
	if stg == stageFinal {
		if n.pending.Drop(key) {
			st.Skip(SkipEarlierStage)
		}
		if len(n.done) >= maxDone {
			clear(n.done)
		}
		n.done[key] = struct{}{}
		return n.emitRequest(hasMain, inferred, emit)
	}
	if p, ok := n.pending.Find(key); ok {
		if p.stage >= stg {
			st.Skip(SkipEarlierStage)
			return nil
		}
		n.pending.Drop(key)
		st.Skip(SkipEarlierStage)
	}
	if n.pending.Len() >= maxPending {
		ev := n.ev
		if err := n.flush(emit); err != nil { // reuses n.ev
			return err
		}
		n.ev = ev
	}
	p := pendingRequest{stage: stg, hasMain: hasMain, inferred: inferred}
	if hasMain {
		p.main = n.ev
	}
	n.pending.Hold(key, p)
	return nil
}

// emitRequest emits a request's event (in n.ev, when hasMain) and then
// its impersonate events.
func (n *normalizer) emitRequest(hasMain bool, inferred []record.Event, emit func(*record.Event) error) error {
	if hasMain {
		if err := emit(&n.ev); err != nil {
			return err
		}
	}
	for k := range inferred {
		n.ev = inferred[k]
		if err := emit(&n.ev); err != nil {
			return err
		}
	}
	return nil
}

// flush emits the held-back requests, in record order, and forgets them.
func (n *normalizer) flush(emit func(*record.Event) error) error {
	return n.pending.Flush(func(p *pendingRequest) error {
		n.ev = p.main
		return n.emitRequest(p.hasMain, p.inferred, emit)
	})
}

// stageOf classifies an event's stage.
func stageOf(s []byte) stage {
	switch string(s) {
	case "ResponseComplete", "Panic", "":
		return stageFinal
	case "ResponseStarted":
		return stageStarted
	case "RequestReceived":
		return stageReceived
	}
	return stageUnknown
}

// outcome returns the outcome and error code of the event f:
// denied for 403 (or, without a code, an authorizer decision of
// "forbid"), error for other codes from 400 and for a panic, allowed
// otherwise.
func (n *normalizer) outcome(f *fields) (record.Outcome, string) {
	code := f.code
	switch {
	case code == 403 || code == 0 && string(f.decision) == "forbid":
		return record.Denied, n.errorCode(f.reason, 403)
	case code >= 400:
		return record.Failed, n.errorCode(f.reason, code)
	case string(f.stage) == "Panic":
		if code == 0 {
			return record.Failed, "Panic"
		}
		return record.Failed, n.errorCode(f.reason, code)
	}
	return record.Allowed, ""
}

// errorCode is the status reason, else the code.
func (n *normalizer) errorCode(reason []byte, code int64) string {
	if r := bytes.TrimSpace(reason); len(r) > 0 {
		return n.str(r)
	}
	n.buf = strconv.AppendInt(n.buf[:0], code, 10)
	return n.str(n.buf)
}

// request is what one audit event asked for, as views into the record
// (Request's fields before they become strings).
type request struct {
	verb, group, resource, subresource, namespace, name []byte
	path                                                []byte // non-resource URL; nil for a resource request
}

// requestOf returns the request of the event f: the objectRef's resource,
// or the request URI's path for a non-resource request. A create of a
// top-level resource names no object yet (the name in objectRef is the
// new object's, which RBAC does not check); a create of a subresource
// (pods/exec, serviceaccounts/token) names its parent object.
func requestOf(f *fields) (request, bool) {
	r := request{verb: f.verb}
	if len(f.ref.resource) == 0 {
		p := uriPath(f.requestURI)
		if len(p) == 0 {
			return r, false
		}
		r.path = p
		return r, true
	}
	r.group, r.resource, r.subresource = f.ref.apiGroup, f.ref.resource, f.ref.subresource
	r.namespace, r.name = f.ref.namespace, f.ref.name
	if string(f.verb) == "create" && len(r.subresource) == 0 {
		r.name = nil
	}
	return r, true
}

// uriPath is a request URI without its query string.
func uriPath(uri []byte) []byte {
	if j := bytes.IndexByte(uri, '?'); j >= 0 {
		return uri[:j]
	}
	return uri
}

// action returns synth/k8s's Request.Action of r, cached.
func (n *normalizer) action(r *request) string {
	b := append(n.buf[:0], r.verb...)
	if r.path != nil {
		b = append(b, 1)
		b = append(b, r.path...)
	} else {
		for _, s := range [...][]byte{r.group, r.resource, r.subresource} {
			b = append(b, 0)
			b = append(b, s...)
		}
	}
	n.buf = b
	if a, ok := n.actions[string(b)]; ok {
		return a
	}
	a := k8s.Request{Verb: string(r.verb), Group: string(r.group), Resource: string(r.resource),
		Subresource: string(r.subresource), Path: string(r.path)}.Action()
	if len(b) <= internMax {
		if len(n.actions) >= actionsLimit {
			clear(n.actions)
		}
		n.actions[string(b)] = a
	}
	return a
}

// ref returns synth/k8s's Request.ResourceRef of r, interned.
func (n *normalizer) ref(r *request) string {
	if r.path != nil || len(r.namespace) == 0 && len(r.name) == 0 {
		return ""
	}
	n.buf = append(append(append(n.buf[:0], r.namespace...), '/'), r.name...)
	return n.refs.String(n.buf)
}

// operation is the verb and the request URI's path, interned.
func (n *normalizer) operation(verb, path []byte) string {
	n.buf = append(append(append(n.buf[:0], verb...), ' '), path...)
	return n.ops.String(n.buf)
}

// service is the API group and version ("apps/v1", "v1"), or "nonResource".
func (n *normalizer) service(group, version []byte, nonResource bool) string {
	if nonResource {
		return "nonResource"
	}
	b := append(n.buf[:0], group...)
	if len(group) > 0 && len(version) > 0 {
		b = append(b, '/')
	}
	n.buf = append(b, version...)
	return n.str(n.buf)
}

// impersonation returns the impersonate events the impersonator of f
// needed, from base (the request's event, before its principal is set):
// its user name (impersonate users, or serviceaccounts for a service
// account), the groups it named, its uid and each extra value.
func (n *normalizer) impersonation(base *record.Event, f *fields) []record.Event {
	u := &f.impersonated
	id := base.EventID
	mk := func(r k8s.Request, suffix string) record.Event {
		ev := *base
		ev.EventID = id + "/impersonate/" + suffix
		ev.Principal = n.str(f.user.username)
		ev.PrincipalKind = principalKind(f.user.username)
		ev.Action = r.Action()
		ev.Resource = r.ResourceRef()
		ev.Scope = r.Namespace
		ev.Service = "impersonation"
		ev.Inferred = true
		// The API server logs impersonatedUser only once it allowed the
		// impersonation, whatever became of the request.
		ev.Outcome, ev.ErrorCode = record.Allowed, ""
		return ev
	}
	var out []record.Event
	if ns, name, ok := serviceAccount(u.username); ok {
		out = append(out, mk(k8s.Request{Verb: "impersonate", Resource: "serviceaccounts", Namespace: string(ns), Name: string(name)}, "serviceaccounts"))
	} else {
		out = append(out, mk(k8s.Request{Verb: "impersonate", Resource: "users", Name: string(u.username)}, "users"))
	}
	for _, g := range impersonatedGroups(u) {
		out = append(out, mk(k8s.Request{Verb: "impersonate", Resource: "groups", Name: string(g)}, "groups/"+string(g)))
	}
	if len(u.uid) > 0 {
		out = append(out, mk(k8s.Request{Verb: "impersonate", Group: "authentication.k8s.io", Resource: "uids", Name: string(u.uid)}, "uids"))
	}
	for _, x := range u.extra {
		out = append(out, mk(k8s.Request{Verb: "impersonate", Group: "authentication.k8s.io", Resource: "userextras",
			Subresource: string(x.key), Name: string(x.value)}, "userextras/"+string(x.key)+"/"+string(x.value)))
	}
	return out
}

// first returns the first of ss that is not blank, or nil.
func first(ss ...[]byte) []byte {
	for _, s := range ss {
		if len(bytes.TrimSpace(s)) > 0 {
			return s
		}
	}
	return nil
}

func quoteShort(b []byte) string {
	s := string(b)
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return strconv.Quote(s)
}
