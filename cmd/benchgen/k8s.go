package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Kubernetes audit logs: the same Options, written as the API server's log
// backend rotates them, DIR/k8s-audit/audit-2006-01-02T15-04-05.000.log.gz
// (gzipped here to keep the benchmark's disk small), each JSON Lines of
// audit.k8s.io/v1 events at the Metadata level.

// k8sResource is a resource (or subresource) with the verbs clients use on
// it, most used first.
type k8sResource struct {
	group, version, resource, sub string
	namespaced                    bool
	verbs                         []string
	stem                          string // object names: stem-N
}

var k8sResources = [...]k8sResource{
	{"", "v1", "pods", "", true, []string{"get", "list", "watch", "delete", "create", "patch"}, "web"},
	{"", "v1", "pods", "log", true, []string{"get"}, "web"},
	{"", "v1", "pods", "exec", true, []string{"create"}, "web"},
	{"", "v1", "pods", "portforward", true, []string{"create"}, "web"},
	{"", "v1", "configmaps", "", true, []string{"get", "list", "watch", "update", "create", "patch"}, "config"},
	{"", "v1", "secrets", "", true, []string{"get", "list", "watch", "create", "update"}, "creds"},
	{"", "v1", "services", "", true, []string{"get", "list", "watch", "create", "update", "patch"}, "api"},
	{"", "v1", "endpoints", "", true, []string{"get", "list", "watch"}, "api"},
	{"", "v1", "events", "", true, []string{"create", "patch", "list"}, "web"},
	{"", "v1", "serviceaccounts", "", true, []string{"get", "list", "create"}, "runner"},
	{"", "v1", "serviceaccounts", "token", true, []string{"create"}, "runner"},
	{"", "v1", "persistentvolumeclaims", "", true, []string{"get", "list", "watch", "create", "delete"}, "data"},
	{"", "v1", "namespaces", "", false, []string{"get", "list", "watch"}, "team"},
	{"", "v1", "nodes", "", false, []string{"get", "list", "watch"}, "node"},
	{"apps", "v1", "deployments", "", true, []string{"get", "list", "watch", "patch", "update", "create", "delete"}, "web"},
	{"apps", "v1", "deployments", "scale", true, []string{"get", "patch", "update"}, "web"},
	{"apps", "v1", "statefulsets", "", true, []string{"get", "list", "watch", "patch", "update"}, "db"},
	{"apps", "v1", "daemonsets", "", true, []string{"get", "list", "watch"}, "agent"},
	{"apps", "v1", "replicasets", "", true, []string{"list", "watch", "get"}, "web"},
	{"batch", "v1", "jobs", "", true, []string{"create", "get", "list", "watch", "delete"}, "migrate"},
	{"batch", "v1", "cronjobs", "", true, []string{"get", "list", "watch", "patch"}, "nightly"},
	{"coordination.k8s.io", "v1", "leases", "", true, []string{"get", "update", "create"}, "leader"},
	{"networking.k8s.io", "v1", "ingresses", "", true, []string{"get", "list", "watch", "update"}, "public"},
	{"networking.k8s.io", "v1", "networkpolicies", "", true, []string{"get", "list", "create", "delete"}, "deny-all"},
	{"rbac.authorization.k8s.io", "v1", "roles", "", true, []string{"get", "list", "create", "update"}, "app"},
	{"rbac.authorization.k8s.io", "v1", "rolebindings", "", true, []string{"get", "list", "create", "update"}, "app"},
	{"rbac.authorization.k8s.io", "v1", "clusterroles", "", false, []string{"get", "list", "watch"}, "view"},
	{"autoscaling", "v2", "horizontalpodautoscalers", "", true, []string{"get", "list", "watch", "update"}, "web"},
	{"policy", "v1", "poddisruptionbudgets", "", true, []string{"get", "list", "create"}, "web"},
	{"discovery.k8s.io", "v1", "endpointslices", "", true, []string{"list", "watch", "get"}, "api"},
	{"apiextensions.k8s.io", "v1", "customresourcedefinitions", "", false, []string{"get", "list", "watch"}, "widgets.example.com"},
	{"cert-manager.io", "v1", "certificates", "", true, []string{"get", "list", "watch", "create", "update"}, "tls"},
	{"monitoring.coreos.com", "v1", "servicemonitors", "", true, []string{"get", "list", "watch", "create"}, "metrics"},
	{"authorization.k8s.io", "v1", "selfsubjectaccessreviews", "", false, []string{"create"}, ""},
}

// k8sPaths are non-resource URLs clients read.
var k8sPaths = [...]string{"/api", "/apis", "/version", "/healthz", "/readyz", "/openapi/v2", "/metrics"}

// k8sAgents are user agents of service accounts' clients and of people.
var (
	k8sAppAgents = [...]string{"argocd-application-controller/v0.0.0 (linux/amd64) kubernetes/$Format",
		"manager/v0.0.0 (linux/amd64) kubernetes/$Format", "Go-http-client/2.0",
		"prometheus/2.53.1", "helm/v3.15.3 (linux/amd64) kubernetes/c03e9ee",
		"cert-manager-controller/v1.15.1 (linux/amd64) cert-manager/4ab1af3a7a8e1ad4a6c0fb7b56b8e4e8b5b2c6a1"}
	k8sUserAgents = [...]string{"kubectl/v1.31.2 (darwin/arm64) kubernetes/5864a46", "kubectl/v1.30.4 (linux/amd64) kubernetes/a51b3b7",
		"k9s/v0.32.5 (darwin/arm64) kubernetes/$Format", "Lens/2024.8.291605", "kubectl/v1.29.8 (windows/amd64) kubernetes/7f2a9ae"}
	k8sControllers = [...]string{"replicaset-controller", "deployment-controller", "endpointslice-controller",
		"statefulset-controller", "job-controller", "namespace-controller", "generic-garbage-collector",
		"horizontal-pod-autoscaler", "daemon-set-controller", "cronjob-controller"}
)

// k8sUse is one thing a principal does: a verb on a resource (or a
// non-resource path) in a namespace.
type k8sUse struct {
	res   int    // index into k8sResources; -1 for a non-resource path
	verb  string // "get", ...
	ns    string // "" for cluster-scoped resources and across namespaces
	path  string // non-resource path
	names int    // distinct objects it touches
}

// k8sPrincipal is one synthetic identity with its preformatted JSON.
type k8sPrincipal struct {
	user   string // user name, as JSON (quoted)
	block  string // the user object's JSON
	agent  string
	ip     string
	person bool // may impersonate
	uses   []k8sUse
}

// subject is how RBAC's reason annotation names the principal.
func (p *k8sPrincipal) subject() string {
	name := p.user[1 : len(p.user)-1]
	const sa = "system:serviceaccount:"
	if len(name) > len(sa) && name[:len(sa)] == sa {
		ns, n, _ := strings.Cut(name[len(sa):], ":")
		return `ServiceAccount \"` + n + "/" + ns + `\"`
	}
	return `User \"` + name + `\"`
}

// k8sPlan is what every file draws from.
type k8sPlan struct {
	o       Options
	regular []k8sPrincipal // Zipf-chosen
	system  []k8sPrincipal // nodes, controllers, control plane, system:masters
	targets []string       // impersonatedUser objects' JSON
	perFile []int
}

// GenerateK8s writes Kubernetes audit log files. It is deterministic for o.Seed.
func GenerateK8s(o Options) (Result, error) {
	if o.Events < 0 || o.Files <= 0 || o.Principals < 10 || o.Days <= 0 {
		return Result{}, fmt.Errorf("need -events >= 0, -files > 0, -principals >= 10 and -days > 0")
	}
	p := newK8sPlan(o)
	return generateFiles(o, func(fw *fileWriter, f int) (int64, int64, error) { return fw.writeK8s(p, f) })
}

func newK8sPlan(o Options) *k8sPlan {
	r := rand.New(rand.NewPCG(o.Seed, 0x6b387361756469))
	p := &k8sPlan{o: o}
	namespaces := make([]string, 30)
	for i := range namespaces {
		namespaces[i] = fmt.Sprintf("%s-%s", teams[i%len(teams)], [...]string{"prod", "staging"}[i/len(teams)])
	}
	popular := rand.NewZipf(r, 1.2, 2, uint64(len(k8sResources)-1))
	for i := 0; i < o.Principals; i++ {
		ns := namespaces[r.IntN(len(namespaces))]
		var pr k8sPrincipal
		home := []string{ns}
		if i%4 == 0 {
			// A person: OIDC user in a team, working in a few namespaces.
			name := fmt.Sprintf("%s.dev%d@example.com", teams[i%len(teams)], i)
			pr.user = strconv.Quote(name)
			pr.block = `{"username":` + pr.user + `,"groups":["oidc:engineering","oidc:team-` + teams[i%len(teams)] + `","system:authenticated"]}`
			pr.agent = k8sUserAgents[r.IntN(len(k8sUserAgents))]
			pr.ip = fmt.Sprintf("203.0.113.%d", r.IntN(250))
			pr.person = true
			for k := r.IntN(3); k > 0; k-- {
				home = append(home, namespaces[r.IntN(len(namespaces))])
			}
		} else {
			sa := fmt.Sprintf("%s-%s", teams[i%len(teams)], [...]string{"api", "worker", "operator", "ci", "batch", "sync"}[r.IntN(6)])
			pr.user = strconv.Quote("system:serviceaccount:" + ns + ":" + sa)
			pod := fmt.Sprintf("%s-%x-%s", sa, r.Uint32()&0xfffffff, string(appendUUID(nil, r))[:5])
			pr.block = `{"username":` + pr.user + `,"uid":"` + string(appendUUID(nil, r)) +
				`","groups":["system:serviceaccounts","system:serviceaccounts:` + ns + `","system:authenticated"],"extra":{` +
				`"authentication.kubernetes.io/credential-id":["JTI=` + string(appendUUID(nil, r)) + `"],` +
				`"authentication.kubernetes.io/node-name":["ip-10-0-` + strconv.Itoa(r.IntN(8)) + `-` + strconv.Itoa(r.IntN(250)) + `.ec2.internal"],` +
				`"authentication.kubernetes.io/node-uid":["` + string(appendUUID(nil, r)) + `"],` +
				`"authentication.kubernetes.io/pod-name":["` + pod + `"],` +
				`"authentication.kubernetes.io/pod-uid":["` + string(appendUUID(nil, r)) + `"]}}`
			pr.agent = k8sAppAgents[r.IntN(len(k8sAppAgents))]
			pr.ip = fmt.Sprintf("10.0.%d.%d", r.IntN(8), r.IntN(250))
		}
		n := 3 + r.IntN(12)
		seen := map[int]bool{}
		for tries := 0; len(pr.uses) < n && tries < 100; tries++ {
			x := int(popular.Uint64())
			if seen[x] {
				continue
			}
			seen[x] = true
			res := &k8sResources[x]
			for _, v := range res.verbs[:1+r.IntN(len(res.verbs))] {
				u := k8sUse{res: x, verb: v, names: 1 + r.IntN(5)}
				// Some lists and watches span all namespaces.
				if res.namespaced && !((v == "list" || v == "watch") && r.IntN(10) == 0) {
					u.ns = home[r.IntN(len(home))]
				}
				pr.uses = append(pr.uses, u)
			}
		}
		if r.IntN(5) == 0 {
			pr.uses = append(pr.uses, k8sUse{res: -1, verb: "get", path: k8sPaths[r.IntN(len(k8sPaths))]})
		}
		r.Shuffle(len(pr.uses), func(a, b int) { pr.uses[a], pr.uses[b] = pr.uses[b], pr.uses[a] })
		p.regular = append(p.regular, pr)
	}
	// Whom people impersonate (kubectl --as): a deploy user with its
	// group, and a service account.
	p.targets = []string{`{"username":"ci-deployer@example.com","groups":["oidc:deployers"]}`,
		`{"username":"system:serviceaccount:` + namespaces[0] + `:deployer","groups":["system:serviceaccounts","system:serviceaccounts:` + namespaces[0] + `","system:authenticated"]}`}
	p.system = newK8sSystem(r, namespaces)
	p.perFile = spread(o.Events, o.Files)
	return p
}

// newK8sSystem returns the identities whose requests the reader skips:
// nodes, kube-system controllers, the scheduler and controller manager,
// and a system:masters admin.
func newK8sSystem(r *rand.Rand, namespaces []string) []k8sPrincipal {
	var out []k8sPrincipal
	nodeUses := []k8sUse{{res: 0, verb: "get", ns: namespaces[0], names: 20}, {res: 0, verb: "watch"}, {res: 13, verb: "get", names: 1},
		{res: 21, verb: "update", ns: "kube-node-lease", names: 1}, {res: 4, verb: "watch"}, {res: 5, verb: "get", ns: namespaces[1], names: 10}}
	for i := 0; i < 20; i++ {
		name := fmt.Sprintf("system:node:ip-10-0-%d-%d.ec2.internal", i%8, 10+i)
		out = append(out, k8sPrincipal{user: strconv.Quote(name), block: `{"username":"` + name + `","groups":["system:nodes","system:authenticated"]}`,
			agent: "kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46", ip: fmt.Sprintf("10.0.%d.%d", i%8, 10+i), uses: nodeUses})
	}
	for _, c := range k8sControllers {
		name := "system:serviceaccount:kube-system:" + c
		ns := namespaces[r.IntN(len(namespaces))]
		out = append(out, k8sPrincipal{user: strconv.Quote(name),
			block: `{"username":"` + name + `","uid":"` + string(appendUUID(nil, r)) + `","groups":["system:serviceaccounts","system:serviceaccounts:kube-system","system:authenticated"]}`,
			agent: "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/" + c, ip: "10.0.0.2",
			uses: []k8sUse{{res: 0, verb: "create", ns: ns}, {res: 18, verb: "update", ns: ns, names: 5}, {res: 0, verb: "watch"}, {res: 8, verb: "create", ns: ns}}})
	}
	for _, name := range []string{"system:kube-scheduler", "system:kube-controller-manager"} {
		out = append(out, k8sPrincipal{user: strconv.Quote(name), block: `{"username":"` + name + `","groups":["system:authenticated"]}`,
			agent: name[len("system:"):] + "/v1.31.2 (linux/amd64) kubernetes/5864a46/leader-election", ip: "10.0.0.2",
			uses: []k8sUse{{res: 21, verb: "get", ns: "kube-system", names: 1}, {res: 21, verb: "update", ns: "kube-system", names: 1}, {res: 0, verb: "watch"}}})
	}
	out = append(out, k8sPrincipal{user: `"kubernetes-admin"`, block: `{"username":"kubernetes-admin","groups":["system:masters","system:authenticated"]}`,
		agent: k8sUserAgents[0], ip: "198.51.100.7", person: true,
		uses: []k8sUse{{res: 14, verb: "get", ns: namespaces[1], names: 3}, {res: 26, verb: "list"}, {res: 12, verb: "get", names: 30}}})
	return out
}

// writeK8s writes file f: one rotated log of the API server, its events in
// time order within the file's slice of the span.
func (fw *fileWriter) writeK8s(p *k8sPlan, f int) (int64, int64, error) {
	r := rand.New(rand.NewPCG(p.o.Seed, uint64(f)+1))
	span := time.Duration(p.o.Days) * 24 * time.Hour
	from := End.Add(-span).Add(span * time.Duration(f) / time.Duration(p.o.Files))
	window := span / time.Duration(p.o.Files)
	name := "audit-" + from.Add(window).Format("2006-01-02T15-04-05.000") + ".log.gz"
	g := k8sGen{p: p, r: r, from: from, window: window, n: p.perFile[f]}
	g.zipf = rand.NewZipf(r, 1.1, 4, uint64(len(p.regular)-1))
	return fw.writeFileClose(filepath.Join(p.o.Dir, "k8s-audit", name), "", "\n", "\n", g.n, g.line)
}

// k8sGen writes the lines of one file: each call one event, either a new
// request or the later stage of one started before.
type k8sGen struct {
	p      *k8sPlan
	r      *rand.Rand
	zipf   *rand.Zipf
	from   time.Time
	window time.Duration
	n, i   int
	held   [][]byte // later stages to write, oldest first
	spare  [][]byte // buffers of written held stages, reused
}

func (g *k8sGen) line(b []byte) []byte {
	i := g.i
	g.i++
	left := g.n - i
	if len(g.held) > 0 && (left <= len(g.held) || g.r.IntN(4) == 0) {
		h := g.held[0]
		g.held = g.held[1:]
		b = append(b, h...)
		g.spare = append(g.spare, h[:0])
		return b
	}
	at := g.from.Add(g.window*time.Duration(i)/time.Duration(max(g.n, 1)) + time.Duration(g.r.IntN(1_000_000))*time.Microsecond/1000)
	var pr *k8sPrincipal
	if g.r.IntN(100) < 10 {
		pr = &g.p.system[g.r.IntN(len(g.p.system))]
	} else {
		pr = &g.p.regular[g.zipf.Uint64()]
	}
	u := pr.uses[min(len(pr.uses)-1, int(g.r.ExpFloat64()*2))]
	q := k8sRequest{p: pr, u: u, at: at, id: appendUUID(nil, g.r), code: 200, decision: "allow"}
	q.prepare(g.r)
	if q.code == 200 && u.verb == "create" && q.sub == "" {
		q.code = 201
	}
	if pr.person && g.r.IntN(100) == 0 {
		q.impersonated = g.p.targets[g.r.IntN(len(g.p.targets))]
	}
	pair := ""
	switch {
	case u.verb == "watch":
		pair = "ResponseStarted"
	case q.sub == "exec" || q.sub == "portforward":
		pair = "ResponseStarted"
		if q.code < 400 {
			q.code = 101
		}
	case g.r.IntN(5) == 0:
		pair = "RequestReceived"
	}
	if pair == "" || left-1 <= len(g.held) {
		return q.append(b, "ResponseComplete")
	}
	var h []byte
	if k := len(g.spare); k > 0 {
		h, g.spare = g.spare[k-1], g.spare[:k-1]
	}
	g.held = append(g.held, q.append(h, "ResponseComplete"))
	return q.append(b, pair)
}

// k8sRequest is one request, written at one or two stages.
type k8sRequest struct {
	p            *k8sPrincipal
	u            k8sUse
	at           time.Time
	id           []byte
	code         int
	decision     string
	reason       string // status reason for failures
	sub          string
	name         string
	impersonated string
	rv           int
}

// prepare picks the object, the outcome and the status.
func (q *k8sRequest) prepare(r *rand.Rand) {
	q.rv = 1_000_000 + r.IntN(9_000_000)
	if q.u.res >= 0 {
		res := &k8sResources[q.u.res]
		q.sub = res.sub
		if res.stem != "" {
			q.name = res.stem + "-" + strconv.Itoa(r.IntN(max(q.u.names, 1)))
		}
	}
	switch x := r.IntN(1000); {
	case x < 20:
		q.code, q.decision, q.reason = 403, "forbid", "Forbidden"
	case x < 30 && q.u.verb == "get":
		q.code, q.reason = 404, "NotFound"
	case x < 35 && (q.u.verb == "update" || q.u.verb == "create"):
		q.code, q.reason = 409, "Conflict"
	}
}

// append writes the request's event at stage.
func (q *k8sRequest) append(b []byte, stage string) []byte {
	u := q.u
	b = append(b, `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"`...)
	b = append(b, q.id...)
	b = append(b, `","stage":"`...)
	b = append(b, stage...)
	b = append(b, `","requestURI":"`...)
	b = q.appendURI(b)
	b = append(b, `","verb":"`...)
	b = append(b, u.verb...)
	b = append(b, `","user":`...)
	b = append(b, q.p.block...)
	if q.impersonated != "" && stage != "RequestReceived" {
		b = append(b, `,"impersonatedUser":`...)
		b = append(b, q.impersonated...)
	}
	b = append(b, `,"sourceIPs":["`...)
	b = append(b, q.p.ip...)
	b = append(b, `"],"userAgent":`...)
	b = appendStr(b, q.p.agent)
	if u.res >= 0 {
		res := &k8sResources[u.res]
		b = append(b, `,"objectRef":{"resource":"`...)
		b = append(b, res.resource...)
		if u.ns != "" {
			b = append(b, `","namespace":"`...)
			b = append(b, u.ns...)
		}
		if q.name != "" && u.verb != "list" && u.verb != "watch" && (u.verb != "create" || res.sub != "" || q.rv%2 == 0) {
			b = append(b, `","name":"`...)
			b = append(b, q.name...)
		}
		if res.group != "" {
			b = append(b, `","apiGroup":"`...)
			b = append(b, res.group...)
		}
		b = append(b, `","apiVersion":"`...)
		b = append(b, res.version...)
		if res.sub != "" {
			b = append(b, `","subresource":"`...)
			b = append(b, res.sub...)
		}
		b = append(b, `"}`...)
	}
	if stage != "RequestReceived" {
		b = append(b, `,"responseStatus":{"metadata":{}`...)
		if q.code >= 400 {
			b = append(b, `,"status":"Failure","message":"`...)
			b = append(b, q.reason...)
			b = append(b, `","reason":"`...)
			b = append(b, q.reason...)
			b = append(b, '"')
		}
		b = append(b, `,"code":`...)
		b = appendInt(b, q.code)
		b = append(b, '}')
	}
	b = append(b, `,"requestReceivedTimestamp":"`...)
	b = q.at.AppendFormat(b, "2006-01-02T15:04:05.000000Z")
	b = append(b, `","stageTimestamp":"`...)
	d := time.Duration(0)
	switch stage {
	case "ResponseStarted":
		d = 2 * time.Millisecond
	case "ResponseComplete":
		d = time.Duration(3+q.rv%40) * time.Millisecond
		if u.verb == "watch" || q.sub == "exec" || q.sub == "portforward" {
			d = time.Duration(q.rv%420) * time.Second
		}
	}
	b = q.at.Add(d).AppendFormat(b, "2006-01-02T15:04:05.000000Z")
	b = append(b, '"')
	if stage != "RequestReceived" {
		b = append(b, `,"annotations":{"authorization.k8s.io/decision":"`...)
		b = append(b, q.decision...)
		b = append(b, `","authorization.k8s.io/reason":"`...)
		if q.decision == "allow" {
			if u.ns == "" {
				b = append(b, `RBAC: allowed by ClusterRoleBinding \"app-`...)
				b = append(b, u.verb...)
				b = append(b, `\" of ClusterRole \"app\" to `...)
			} else {
				b = append(b, `RBAC: allowed by RoleBinding \"app-`...)
				b = append(b, u.verb...)
				b = append(b, '/')
				b = append(b, u.ns...)
				b = append(b, `\" of Role \"app\" to `...)
			}
			b = append(b, q.p.subject()...)
		}
		b = append(b, '"')
		if u.res == 0 && (u.verb == "create" || u.verb == "update") {
			b = append(b, `,"pod-security.kubernetes.io/enforce-policy":"restricted:latest"`...)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendURI writes the request URI.
func (q *k8sRequest) appendURI(b []byte) []byte {
	u := q.u
	if u.res < 0 {
		return append(b, u.path...)
	}
	res := &k8sResources[u.res]
	if res.group == "" {
		b = append(b, "/api/"...)
	} else {
		b = append(b, "/apis/"...)
		b = append(b, res.group...)
		b = append(b, '/')
	}
	b = append(b, res.version...)
	if u.ns != "" {
		b = append(b, "/namespaces/"...)
		b = append(b, u.ns...)
	}
	b = append(b, '/')
	b = append(b, res.resource...)
	switch {
	case u.verb == "list":
		return append(b, "?limit=500"...)
	case u.verb == "watch":
		b = append(b, "?allowWatchBookmarks=true&resourceVersion="...)
		b = appendInt(b, q.rv)
		b = append(b, "&timeoutSeconds="...)
		b = appendInt(b, 300+q.rv%300)
		return append(b, "&watch=true"...)
	case u.verb == "create" && res.sub == "":
		return b
	}
	if q.name != "" {
		b = append(b, '/')
		b = append(b, q.name...)
	}
	switch res.sub {
	case "":
	case "exec":
		b = append(b, "/exec?command=sh&container=app&stdin=true&stdout=true&tty=true"...)
	case "log":
		b = append(b, "/log?container=app&follow=true&tailLines=100"...)
	default:
		b = append(b, '/')
		b = append(b, res.sub...)
	}
	return b
}
