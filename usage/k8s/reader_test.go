package k8s

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leastpriv/pare/usage/record"
)

// three returns three events of different requests as JSON.
func three(t testing.TB) []string {
	return []string{
		ev{id: "a", verb: "get", name: "web-0"}.event(t, nil),
		ev{id: "b", verb: "list", resource: "deployments", group: "apps", name: " ", uri: "/apis/apps/v1/namespaces/default/deployments?limit=500"}.event(t, map[string]any{
			"objectRef": map[string]any{"resource": "deployments", "namespace": "default", "apiGroup": "apps", "apiVersion": "v1"}}),
		ev{id: "c", verb: "create", sub: "exec", uri: "/api/v1/namespaces/default/pods/web-0/exec?command=sh&stdin=true", code: 101, stage: "ResponseStarted"}.event(t, nil),
	}
}

// key is what must agree across shapes: everything but Region and Index.
func key(e record.Event) record.Event {
	e.Region, e.Index = "", 0
	return e
}

// TestShapes reads the same three events in every shape: they give the
// same Events.
func TestShapes(t *testing.T) {
	recs := three(t)
	var aks, rows, cw []string
	for _, r := range recs {
		aks = append(aks, aksRecord(t, "kube-audit", r))
		rows = append(rows, marshal(t, map[string]any{"TenantId": "x", "TimeGenerated": "2025-03-01T10:00:01Z", "Category": "kube-audit",
			"log_s": r, "_ResourceId": "/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/la-aks", "Type": "AzureDiagnostics"}))
		cw = append(cw, marshal(t, map[string]any{"timestamp": 1740823200000, "message": r, "logStreamName": "kube-apiserver-audit-0123"}))
	}
	pretty := strings.ReplaceAll(strings.Join(recs, "\n"), `,"`, ",\n  \"")
	shapes := map[string][]byte{
		"JSON Lines":            lines(recs...),
		"JSON Lines CRLF":       []byte(strings.Join(recs, "\r\n")),
		"EventList":             eventList(recs...),
		"EventList lines":       lines(string(eventList(recs[0])), string(eventList(recs[1], recs[2]))),
		"pretty EventList":      []byte("{\n  \"kind\": \"EventList\",\n  \"items\": [\n" + strings.Join(recs, ",\n") + "\n]}\n"),
		"array":                 []byte("[\n" + strings.Join(recs, ",\n") + "\n]"),
		"concatenated":          []byte(pretty),
		"gzip":                  gz(t, lines(recs...)),
		"AKS export":            aksExport(aks...),
		"AKS lines":             lines(aks...),
		"AKS export lines":      lines(string(aksExport(aks[0], aks[1])), string(aksExport(aks[2]))),
		"Log Analytics rows":    []byte("[\n" + strings.Join(rows, ",\n") + "\n]"),
		"CloudWatch page":       cloudWatchPage(t, recs...),
		"CloudWatch lines":      lines(cw...),
		"CloudWatch logEvents":  []byte(marshal(t, map[string]any{"messageType": "DATA_MESSAGE", "logGroup": "/aws/eks/prod/cluster", "logEvents": []any{map[string]any{"id": "1", "message": recs[0]}, map[string]any{"id": "2", "message": recs[1]}, map[string]any{"id": "3", "message": recs[2]}}})),
		"CloudWatch gzip lines": gz(t, lines(cw...)),
	}
	want, st := mustRead(t, Options{}, lines(recs...))
	if len(want) != 3 || st.Records != 3 {
		t.Fatalf("JSON Lines: %d events from %d records", len(want), st.Records)
	}
	for name, data := range shapes {
		evs, st, err := read(t, NewReader(Options{}), name, data)
		if err != nil || len(st.Problems) > 0 || st.Records != 3 || len(st.Skipped) > 0 {
			t.Errorf("%s: %v, stats %+v", name, err, st)
			continue
		}
		if len(evs) != len(want) {
			t.Errorf("%s: %d events, want %d", name, len(evs), len(want))
			continue
		}
		for k := range evs {
			checkEvent(t, evs[k])
			if key(evs[k]) != key(want[k]) || evs[k].Index != k {
				t.Errorf("%s: event %d\n got %+v\nwant %+v", name, k, evs[k], want[k])
			}
		}
	}
}

// TestClusterFromWrapper: Region is Options.Cluster, else the AKS cluster
// of the record's resource id, else the EKS cluster of its log group.
func TestClusterFromWrapper(t *testing.T) {
	e := ev{}.event(t, nil)
	row := marshal(t, map[string]any{"Category": "kube-audit", "log_s": e, "_ResourceId": "/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/la-aks"})
	// As CloudWatch Logs writes it: the log group before the events.
	logEvents := `{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"/aws/eks/prod-eks/cluster",` +
		`"logStream":"kube-apiserver-audit-0123","subscriptionFilters":["to-s3"],"logEvents":[` +
		marshal(t, map[string]any{"id": "1", "timestamp": 1740823200000, "message": e}) + `]}`
	for _, c := range []struct {
		name, cluster string
		data          []byte
		want          string
	}{
		{"AKS", "", aksExport(aksRecord(t, "kube-audit", e)), "prod-aks"},
		{"AKS with Cluster", "mine", aksExport(aksRecord(t, "kube-audit", e)), "mine"},
		{"Log Analytics", "", []byte("[" + row + "]"), "la-aks"},
		{"EKS", "", []byte(logEvents), "prod-eks"},
		{"EKS lines", "", lines(logEvents, logEvents), "prod-eks"},
		{"plain", "", lines(e), ""},
		{"plain with Cluster", "kind-dev", lines(e), "kind-dev"},
	} {
		evs, _ := mustRead(t, Options{Cluster: c.cluster}, c.data)
		for _, e := range evs {
			if e.Region != c.want {
				t.Errorf("%s: region %q, want %q", c.name, e.Region, c.want)
			}
		}
		if len(evs) == 0 {
			t.Errorf("%s: no events", c.name)
		}
	}
}

// TestOtherLogs: records of AKS's other categories and CloudWatch events
// of other streams (text logs) are skipped and counted; kube-audit-admin
// (the audit log without get and list) is read.
func TestOtherLogs(t *testing.T) {
	e := ev{id: "a"}.event(t, nil)
	data := aksExport(
		aksRecord(t, "kube-apiserver", "I0301 10:00:00.000000       1 controller.go:132] OpenAPI AggregationController"),
		aksRecord(t, "guard", `{"level":"info","msg":"authenticated"}`),
		aksRecord(t, "kube-audit-admin", e),
		aksRecord(t, "KUBE-AUDIT", ev{id: "b"}.event(t, nil)),
		marshal(t, map[string]any{"category": "Administrative", "operationName": "MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE"}),
	)
	evs, st := mustRead(t, Options{}, data)
	if len(evs) != 2 || !reflect.DeepEqual(skipped(st), map[string]int{SkipOtherLog: 3}) {
		t.Errorf("AKS: %d events, skipped %v", len(evs), st.Skipped)
	}

	page := cloudWatchPage(t, e, `time="2025-03-01T10:00:00Z" level=info msg="access granted" arn="arn:aws:iam::111122223333:role/x"`, "")
	evs, st = mustRead(t, Options{}, page)
	if len(evs) != 1 || !reflect.DeepEqual(skipped(st), map[string]int{SkipOtherLog: 2}) {
		t.Errorf("CloudWatch: %d events, skipped %v", len(evs), st.Skipped)
	}
	other := marshal(t, map[string]any{"logStreamName": "authenticator-0123", "message": `{"level":"info"}`})
	evs, st = mustRead(t, Options{}, lines(other, marshal(t, map[string]any{"logStreamName": "kube-apiserver-audit-1", "message": e})))
	if len(evs) != 1 || !reflect.DeepEqual(skipped(st), map[string]int{SkipOtherLog: 1}) {
		t.Errorf("CloudWatch lines: %d events, skipped %v", len(evs), st.Skipped)
	}

	// A kube-audit record whose log is not an event is a problem.
	_, st, err := read(t, NewReader(Options{}), "x", aksExport(aksRecord(t, "kube-audit", "not json"), aksRecord(t, "kube-audit", e)))
	if err != nil || len(st.Problems) != 1 || st.Problems[0].Index != 0 || st.Events != 1 {
		t.Errorf("kube-audit without an event: %+v, %v", st, err)
	}
}

// TestStages: one Event per request, from its final stage when the input
// has it, else from the latest stage read.
func TestStages(t *testing.T) {
	recv := func(id string) string {
		return ev{id: id, stage: "RequestReceived"}.event(t, map[string]any{"responseStatus": nil, "annotations": nil})
	}
	started := func(id string, code int) string {
		return ev{id: id, stage: "ResponseStarted", code: code}.event(t, nil)
	}
	done := func(id string, code int) string { return ev{id: id, code: code}.event(t, nil) }
	type out struct {
		id      string
		outcome record.Outcome
		index   int
	}
	for _, c := range []struct {
		name    string
		recs    []string
		want    []out
		earlier int
	}{
		{"received then complete", []string{recv("a"), done("a", 200)}, []out{{"a", record.Allowed, 1}}, 1},
		{"received then denied", []string{recv("a"), done("a", 403)}, []out{{"a", record.Denied, 1}}, 1},
		{"all three stages", []string{recv("w"), started("w", 200), done("w", 200)}, []out{{"w", record.Allowed, 2}}, 2},
		{"received only", []string{recv("a")}, []out{{"a", record.Allowed, 0}}, 0},
		{"started only (exec)", []string{recv("e"), started("e", 101)}, []out{{"e", record.Allowed, 1}}, 1},
		{"started then received (out of order)", []string{started("a", 200), recv("a")}, []out{{"a", record.Allowed, 0}}, 1},
		{"complete then received (late)", []string{done("a", 404), recv("a"), started("a", 200)}, []out{{"a", record.Failed, 0}}, 2},
		{"held ones come last, in record order", []string{recv("x"), recv("y"), done("z", 200), recv("w")},
			[]out{{"z", record.Allowed, 2}, {"x", record.Allowed, 0}, {"y", record.Allowed, 1}, {"w", record.Allowed, 3}}, 0},
		{"interleaved", []string{recv("a"), recv("b"), done("b", 500), recv("c"), done("a", 200)},
			[]out{{"b", record.Failed, 2}, {"a", record.Allowed, 4}, {"c", record.Allowed, 3}}, 2},
		{"panic", []string{recv("p"), ev{id: "p", stage: "Panic"}.event(t, map[string]any{"responseStatus": nil})}, []out{{"p", record.Failed, 1}}, 1},
	} {
		evs, st := mustRead(t, Options{}, lines(c.recs...))
		var got []out
		for _, e := range evs {
			checkEvent(t, e)
			got = append(got, out{strings.TrimPrefix(e.EventID, "k8s:"), e.Outcome, e.Index})
		}
		if !reflect.DeepEqual(got, c.want) || st.Skipped[SkipEarlierStage] != c.earlier || st.Records != len(c.recs) {
			t.Errorf("%s: got %v (skipped %v), want %v with %d earlier stages", c.name, got, st.Skipped, c.want, c.earlier)
		}
	}
	// Each input stands alone: the received half in one input and the
	// complete one in the next give an Event each, with one EventID.
	r := NewReader(Options{})
	a, _, _ := read(t, r, "1", lines(recv("a")))
	b, _, _ := read(t, r, "2", lines(done("a", 200)))
	if len(a) != 1 || len(b) != 1 || a[0].EventID != b[0].EventID {
		t.Errorf("across inputs: %v and %v", a, b)
	}
}

// TestManyInFlight holds more requests than maxPending: the reader emits
// the held ones early rather than grow without bound, and still emits
// each request once.
func TestManyInFlight(t *testing.T) {
	var b strings.Builder
	n := maxPending + 100
	for i := range n {
		b.WriteString(ev{id: fmt.Sprint("r", i), stage: "RequestReceived"}.event(t, nil))
		b.WriteByte('\n')
	}
	evs, st := mustRead(t, Options{}, []byte(b.String()))
	if len(evs) != n || st.Records != n {
		t.Fatalf("%d events from %d records, want %d", len(evs), st.Records, n)
	}
	for i, e := range evs {
		if e.Index != i {
			t.Fatalf("event %d has index %d", i, e.Index)
		}
	}
}

// TestImpersonation: the request is the impersonated user's; the
// impersonator gets inferred impersonate Events.
func TestImpersonation(t *testing.T) {
	imp := func(id string, user map[string]any, code int) string {
		return ev{id: id, user: "alice", code: code}.event(t, map[string]any{"impersonatedUser": user})
	}
	type row struct {
		principal, kind, action, resource, scope, id string
		inferred                                     bool
		outcome                                      record.Outcome
	}
	const bob = "k8s:i1"
	for _, c := range []struct {
		name string
		user map[string]any
		code int
		opts Options
		want []row
		skip map[string]int
	}{
		{"user without groups", map[string]any{"username": "bob", "groups": []string{"system:authenticated"}}, 200, Options{}, []row{
			{"bob", "user", "get pods", "default/web-0", "default", bob, false, record.Allowed},
			{"alice", "user", "impersonate users", "/bob", "", bob + "/impersonate/users", true, record.Allowed},
		}, nil},
		{"user with groups", map[string]any{"username": "bob", "groups": []string{"devs", "system:authenticated"}}, 200, Options{}, []row{
			{"bob", "user", "get pods", "default/web-0", "default", bob, false, record.Allowed},
			{"alice", "user", "impersonate users", "/bob", "", bob + "/impersonate/users", true, record.Allowed},
			{"alice", "user", "impersonate groups", "/devs", "", bob + "/impersonate/groups/devs", true, record.Allowed},
			{"alice", "user", "impersonate groups", "/system:authenticated", "", bob + "/impersonate/groups/system:authenticated", true, record.Allowed},
		}, nil},
		{"service account", map[string]any{"username": "system:serviceaccount:ci:deployer",
			"groups": []string{"system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"}}, 200, Options{}, []row{
			{"system:serviceaccount:ci:deployer", "serviceaccount", "get pods", "default/web-0", "default", bob, false, record.Allowed},
			{"alice", "user", "impersonate serviceaccounts", "ci/deployer", "ci", bob + "/impersonate/serviceaccounts", true, record.Allowed},
		}, nil},
		{"uid and extra", map[string]any{"username": "bob", "uid": "1234", "extra": map[string][]string{"scopes": {"view", "edit"}, "acme.com/project": {"p1"}}}, 200, Options{}, []row{
			{"bob", "user", "get pods", "default/web-0", "default", bob, false, record.Allowed},
			{"alice", "user", "impersonate users", "/bob", "", bob + "/impersonate/users", true, record.Allowed},
			{"alice", "user", "impersonate uids.authentication.k8s.io", "/1234", "", bob + "/impersonate/uids", true, record.Allowed},
			{"alice", "user", "impersonate userextras.authentication.k8s.io/acme.com/project", "/p1", "", bob + "/impersonate/userextras/acme.com/project/p1", true, record.Allowed},
			{"alice", "user", "impersonate userextras.authentication.k8s.io/scopes", "/edit", "", bob + "/impersonate/userextras/scopes/edit", true, record.Allowed},
			{"alice", "user", "impersonate userextras.authentication.k8s.io/scopes", "/view", "", bob + "/impersonate/userextras/scopes/view", true, record.Allowed},
		}, nil},
		{"request denied, impersonation allowed", map[string]any{"username": "bob"}, 403, Options{}, []row{
			{"bob", "user", "get pods", "default/web-0", "default", bob, false, record.Denied},
			{"alice", "user", "impersonate users", "/bob", "", bob + "/impersonate/users", true, record.Allowed},
		}, nil},
		{"impersonating system:masters", map[string]any{"username": "root", "groups": []string{"system:masters"}}, 200, Options{}, []row{
			{"alice", "user", "impersonate users", "/root", "", bob + "/impersonate/users", true, record.Allowed},
			{"alice", "user", "impersonate groups", "/system:masters", "", bob + "/impersonate/groups/system:masters", true, record.Allowed},
		}, map[string]int{SkipMasters: 1}},
	} {
		evs, st := mustRead(t, c.opts, lines(imp("i1", c.user, c.code)))
		var got []row
		for _, e := range evs {
			checkEvent(t, e)
			got = append(got, row{e.Principal, e.PrincipalKind, e.Action, e.Resource, e.Scope, e.EventID, e.Inferred, e.Outcome})
		}
		if !reflect.DeepEqual(got, c.want) || !reflect.DeepEqual(skipped(st), orEmpty(c.skip)) {
			t.Errorf("%s: got\n%v skipped %v\nwant\n%v skipped %v", c.name, got, st.Skipped, c.want, c.skip)
		}
	}

	// An impersonator that is itself skipped: no inferred Events, counted.
	data := lines(ev{id: "m", user: "root", groups: []string{"system:masters"}}.event(t, map[string]any{"impersonatedUser": map[string]any{"username": "bob"}}))
	evs, st := mustRead(t, Options{}, data)
	if len(evs) != 1 || evs[0].Principal != "bob" || !reflect.DeepEqual(skipped(st), map[string]int{SkipImpersonatorPrefix + SkipMasters: 1}) {
		t.Errorf("skipped impersonator: %v, skipped %v", evs, st.Skipped)
	}

	// Held back with their request: a received stage (which the API
	// server logs before impersonation, as the impersonator's) and the
	// complete one give the complete one's Events only.
	recv := ev{id: "i1", user: "alice", stage: "RequestReceived"}.event(t, map[string]any{"responseStatus": nil})
	started := ev{id: "i1", user: "alice", stage: "ResponseStarted"}.event(t, map[string]any{"impersonatedUser": map[string]any{"username": "bob"}})
	evs, _ = mustRead(t, Options{}, lines(recv, started, imp("i1", map[string]any{"username": "bob"}, 200)))
	if len(evs) != 2 || evs[0].Principal != "bob" || evs[1].Principal != "alice" || !evs[1].Inferred || evs[1].Index != 2 {
		t.Errorf("stages of an impersonated request: %+v", evs)
	}
	evs, _ = mustRead(t, Options{}, lines(recv, started))
	if len(evs) != 2 || evs[0].Principal != "bob" || evs[1].Action != "impersonate users" || evs[1].Index != 1 {
		t.Errorf("held impersonated request: %+v", evs)
	}
}

func orEmpty(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

// TestSkips: the identities whose requests say nothing about the RBAC a
// workload or person needs.
func TestSkips(t *testing.T) {
	for _, c := range []struct {
		user   string
		groups []string
		code   int
		want   string // skip reason, "" for kept
	}{
		{"alice", nil, 200, ""},
		{"system:serviceaccount:shop:cart", []string{"system:serviceaccounts", "system:serviceaccounts:shop"}, 200, ""},
		{"system:serviceaccount:kube-system:coredns", nil, 200, ""},
		{"system:serviceaccount:shop:cert-controller", nil, 200, ""}, // a workload's own controller
		{"system:serviceaccount:kube-system:replicaset-controller", nil, 200, SkipControlPlane},
		{"system:serviceaccount:kube-system:generic-garbage-collector", nil, 200, SkipControlPlane},
		{"system:kube-controller-manager", nil, 200, SkipControlPlane},
		{"system:kube-scheduler", nil, 200, SkipControlPlane},
		{"system:apiserver", []string{"system:masters"}, 200, SkipControlPlane},
		{"system:kube-proxy", nil, 200, SkipControlPlane},
		{"system:volume-scheduler", nil, 200, SkipControlPlane},
		{"eks:node-manager", nil, 200, SkipControlPlane},
		{"system:node:ip-10-0-1-17.ec2.internal", []string{"system:nodes"}, 200, SkipNode},
		{"kubelet", []string{"system:nodes"}, 200, SkipNode},
		{"system:anonymous", []string{"system:unauthenticated"}, 200, SkipAnonymous},
		{"someone", []string{"system:unauthenticated"}, 403, SkipAnonymous},
		{"alice", nil, 401, SkipUnauthenticated},
		{"", nil, 401, SkipUnauthenticated},
		{"masterclient", []string{"system:masters", "system:authenticated"}, 200, SkipMasters},
	} {
		data := lines(ev{user: c.user, groups: c.groups, code: c.code}.event(t, nil))
		if c.user == "" {
			data = lines(ev{code: c.code}.event(t, map[string]any{"user": map[string]any{}}))
		}
		evs, st := mustRead(t, Options{}, data)
		want := map[string]int{}
		if c.want != "" {
			want[c.want] = 1
		}
		if (len(evs) == 1) != (c.want == "") || !reflect.DeepEqual(skipped(st), want) {
			t.Errorf("%s %v %d: %d events, skipped %v, want %q", c.user, c.groups, c.code, len(evs), st.Skipped, c.want)
		}
	}
	evs, _ := mustRead(t, Options{KeepMasters: true}, lines(ev{user: "masterclient", groups: []string{"system:masters"}}.event(t, nil)))
	if len(evs) != 1 {
		t.Errorf("KeepMasters: %d events", len(evs))
	}
}

// TestAttributes: what each Event says about its request.
func TestAttributes(t *testing.T) {
	type want struct {
		action, resource, scope, service, operation string
		outcome                                     record.Outcome
		code, principal, kind, session              string
		at                                          time.Time
	}
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 123456000, time.UTC)
	base := want{"get pods", "default/web-0", "default", "v1", "get /api/v1/namespaces/default/pods/web-0", record.Allowed, "", "alice", "user",
		"kubectl/v1.31.0 (linux/amd64) kubernetes/abc", t0}
	with := func(f func(w *want)) want {
		w := base
		f(&w)
		return w
	}
	for _, c := range []struct {
		name string
		rec  string
		want want
	}{
		{"get", ev{}.event(t, nil), base},
		{"create names no object", ev{verb: "create", uri: "/api/v1/namespaces/default/pods"}.event(t, nil), with(func(w *want) {
			w.action, w.resource, w.operation = "create pods", "default/", "create /api/v1/namespaces/default/pods"
		})},
		{"create of a subresource names its parent", ev{verb: "create", sub: "eviction", uri: "/api/v1/namespaces/default/pods/web-0/eviction"}.event(t, nil), with(func(w *want) {
			w.action, w.operation = "create pods/eviction", "create /api/v1/namespaces/default/pods/web-0/eviction"
		})},
		{"grouped resource", ev{verb: "patch", resource: "deployments", group: "apps", name: "web", sub: "scale", uri: "/apis/apps/v1/namespaces/shop/deployments/web/scale?fieldManager=kubectl", ns: "shop"}.event(t, nil), with(func(w *want) {
			w.action, w.resource, w.scope, w.service, w.operation = "patch deployments.apps/scale", "shop/web", "shop", "apps/v1", "patch /apis/apps/v1/namespaces/shop/deployments/web/scale"
		})},
		{"cluster-scoped", ev{verb: "get", resource: "nodes", ns: " ", name: "node-1", uri: "/api/v1/nodes/node-1"}.event(t, map[string]any{
			"objectRef": map[string]any{"resource": "nodes", "name": "node-1", "apiVersion": "v1"}}), with(func(w *want) {
			w.action, w.resource, w.scope, w.operation = "get nodes", "/node-1", "", "get /api/v1/nodes/node-1"
		})},
		{"list across namespaces", ev{verb: "list", uri: "/api/v1/pods?limit=500"}.event(t, map[string]any{
			"objectRef": map[string]any{"resource": "pods", "apiVersion": "v1"}}), with(func(w *want) {
			w.action, w.resource, w.scope, w.operation = "list pods", "", "", "list /api/v1/pods"
		})},
		{"non-resource URL", ev{verb: "get", uri: "/healthz?verbose=1"}.event(t, map[string]any{"objectRef": nil}), with(func(w *want) {
			w.action, w.resource, w.scope, w.service, w.operation = "get /healthz", "", "", "nonResource", "get /healthz"
		})},
		{"forbidden", ev{code: 403}.event(t, map[string]any{"responseStatus": map[string]any{"code": 403, "reason": "Forbidden", "status": "Failure"}}), with(func(w *want) {
			w.outcome, w.code = record.Denied, "Forbidden"
		})},
		{"forbid decision without a code", ev{stage: "RequestReceived"}.event(t, map[string]any{"responseStatus": nil, "annotations": map[string]any{"authorization.k8s.io/decision": "forbid"}}), with(func(w *want) {
			w.outcome, w.code = record.Denied, "403"
		})},
		{"not found", ev{code: 404}.event(t, map[string]any{"responseStatus": map[string]any{"code": 404, "reason": "NotFound"}}), with(func(w *want) {
			w.outcome, w.code = record.Failed, "NotFound"
		})},
		{"server error without reason", ev{code: 500}.event(t, nil), with(func(w *want) { w.outcome, w.code = record.Failed, "500" })},
		{"service account", ev{user: "system:serviceaccount:shop:cart"}.event(t, map[string]any{"userAgent": "  cart/1.0  "}), with(func(w *want) {
			w.principal, w.kind, w.session = "system:serviceaccount:shop:cart", "serviceaccount", "cart/1.0"
		})},
		{"stageTimestamp when requestReceivedTimestamp is missing", ev{}.event(t, map[string]any{"requestReceivedTimestamp": nil}), with(func(w *want) {
			w.at = t0.Add(100 * time.Millisecond)
		})},
		{"v1beta1 timestamp", ev{}.event(t, map[string]any{"requestReceivedTimestamp": nil, "stageTimestamp": nil, "timestamp": "2018-10-25T13:58:49+02:00"}), with(func(w *want) {
			w.at = time.Date(2018, 10, 25, 11, 58, 49, 0, time.UTC)
		})},
	} {
		evs, _ := mustRead(t, Options{}, lines(c.rec))
		if len(evs) != 1 {
			t.Errorf("%s: %d events", c.name, len(evs))
			continue
		}
		e := evs[0]
		checkEvent(t, e)
		got := want{e.Action, e.Resource, e.Scope, e.Service, e.Operation, e.Outcome, e.ErrorCode, e.Principal, e.PrincipalKind, e.Session, e.Time}
		if got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

// TestConcurrentReads reads inputs on several goroutines with one Reader,
// whose pooled workspaces (buffers, caches) must never leak from one Read
// into another: each gives what it gives alone.
func TestConcurrentReads(t *testing.T) {
	r := NewReader(Options{KeepMasters: true})
	inputs := [][]byte{synthetic(t, 300), lines(three(t)...), aksExport(aksRecord(t, "kube-audit", ev{}.event(t, nil))),
		testdata(t, "rbac-tool/testdata-01.json"), testdata(t, "falco/traces/exec_pod.json")}
	want := make([][]record.Event, len(inputs))
	wantSt := make([]record.Stats, len(inputs))
	for i, in := range inputs {
		var err error
		want[i], wantSt[i], err = read(t, NewReader(Options{KeepMasters: true}), "x", in)
		if st := wantSt[i]; err != nil || len(want[i]) == 0 {
			t.Fatalf("input %d read alone: %d events, stats %+v, error %v", i, len(want[i]), st, err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 20 {
				i := (g + k) % len(inputs)
				got, st, err := read(t, r, "x", inputs[i])
				if err != nil || !slices.Equal(got, want[i]) || !reflect.DeepEqual(st, wantSt[i]) {
					errs <- fmt.Sprintf("input %d read concurrently differs (error %v)", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
