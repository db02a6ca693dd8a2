package k8s

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/leastpriv/pare/usage/record"
)

// synthetic returns gzipped JSON Lines of n realistic audit events: service
// accounts and users in a few namespaces reading and writing resources,
// watches and exec as ResponseStarted and ResponseComplete pairs, some
// RequestReceived stages, denials, impersonation, and node and controller
// requests to skip. Events are about 1.3 KB, as the API server's Metadata
// level writes them.
func synthetic(t testing.TB, n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	type res struct{ group, version, resource string }
	resources := []res{{"", "v1", "pods"}, {"", "v1", "configmaps"}, {"", "v1", "secrets"}, {"", "v1", "services"},
		{"apps", "v1", "deployments"}, {"apps", "v1", "statefulsets"}, {"batch", "v1", "jobs"},
		{"networking.k8s.io", "v1", "ingresses"}, {"coordination.k8s.io", "v1", "leases"}}
	verbs := []string{"get", "get", "get", "list", "watch", "create", "update", "patch", "delete"}
	t0 := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	held := []string{} // second halves to write next
	for i := 0; len(held) > 0 || i < n; i++ {
		if len(held) > 0 && (i >= n || rng.IntN(3) == 0) {
			b.WriteString(held[0])
			b.WriteByte('\n')
			held = held[1:]
			if i >= n {
				continue
			}
		}
		if i >= n {
			continue
		}
		r := resources[rng.IntN(len(resources))]
		verb := verbs[rng.IntN(len(verbs))]
		ns := fmt.Sprintf("team-%d", rng.IntN(30))
		user := fmt.Sprintf("system:serviceaccount:%s:app-%d", ns, rng.IntN(8))
		groups := `["system:serviceaccounts","system:serviceaccounts:` + ns + `","system:authenticated"]`
		switch k := rng.IntN(100); {
		case k < 15:
			user, groups = fmt.Sprintf("dev%d@example.com", rng.IntN(200)), `["oidc:developers","oidc:team-`+ns+`","system:authenticated"]`
		case k < 20:
			user, groups = fmt.Sprintf("system:node:ip-10-0-%d-%d.ec2.internal", rng.IntN(8), rng.IntN(250)), `["system:nodes","system:authenticated"]`
		case k < 23:
			user, groups = "system:serviceaccount:kube-system:replicaset-controller", `["system:serviceaccounts","system:serviceaccounts:kube-system","system:authenticated"]`
		}
		name := fmt.Sprintf("%s-%d", strings.TrimSuffix(r.resource, "s"), rng.IntN(40))
		prefix := "/api/" + r.version
		if r.group != "" {
			prefix = "/apis/" + r.group + "/" + r.version
		}
		uri := prefix + "/namespaces/" + ns + "/" + r.resource
		ref := `{"resource":"` + r.resource + `","namespace":"` + ns + `","apiGroup":"` + r.group + `","apiVersion":"` + r.version + `"`
		sub := ""
		switch verb {
		case "list":
			uri += "?limit=500&resourceVersion=0"
		case "watch":
			uri += "?allowWatchBookmarks=true&resourceVersion=123456&timeout=7m11s&watch=true"
		case "create":
			if r.resource == "pods" && rng.IntN(2) == 0 {
				sub = "exec"
				uri += "/" + name + "/exec?command=sh&container=app&stdin=true&stdout=true&tty=true"
			}
		default:
			uri += "/" + name
			ref += `,"name":"` + name + `"`
		}
		if sub != "" {
			ref += `,"name":"` + name + `","subresource":"` + sub + `"`
		}
		ref += `,"resourceVersion":"123456"}`
		code, decision := 200, "allow"
		if verb == "create" {
			code = 201
		}
		if rng.IntN(50) == 0 {
			code, decision = 403, "forbid"
		}
		imp := ""
		if rng.IntN(100) == 0 {
			imp = `"impersonatedUser":{"username":"ci-bot","groups":["deployers","system:authenticated"]},`
		}
		at := t0.Add(time.Duration(i) * 10 * time.Millisecond)
		id := fmt.Sprintf("%08x-7d2c-4b8e-9f1a-%012d", i, i)
		mk := func(stage string, code int) string {
			status := ""
			if stage != "RequestReceived" {
				status = fmt.Sprintf(`"responseStatus":{"metadata":{},"code":%d},`, code)
			}
			return `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"` + id + `","stage":"` + stage +
				`","requestURI":"` + uri + `","verb":"` + verb + `","user":{"username":"` + user + `","uid":"5e3b7a8c-1d2e-4f6a-9b0c-7d8e9f0a1b2c","groups":` + groups +
				`,"extra":{"authentication.kubernetes.io/pod-name":["` + name + `"],"authentication.kubernetes.io/pod-uid":["1b2c3d4e-5f6a-7b8c-9d0e-1f2a3b4c5d6e"]}},` + imp +
				`"sourceIPs":["10.0.` + fmt.Sprint(i%8) + `.` + fmt.Sprint(i%250) + `"],"userAgent":"kube-controller/v1.31.2 (linux/amd64) kubernetes/5864a46","objectRef":` + ref + `,` + status +
				`"requestReceivedTimestamp":"` + at.Format("2006-01-02T15:04:05.000000Z") + `","stageTimestamp":"` + at.Add(3*time.Millisecond).Format("2006-01-02T15:04:05.000000Z") +
				`","annotations":{"authorization.k8s.io/decision":"` + decision + `","authorization.k8s.io/reason":"RBAC: allowed by RoleBinding \"app/` + ns + `\" of Role \"app\" to ServiceAccount \"app/` + ns + `\""}}`
		}
		switch {
		case verb == "watch" || sub == "exec":
			c := code
			if sub == "exec" && code != 403 {
				c = 101
			}
			b.WriteString(mk("ResponseStarted", c))
			held = append(held, mk("ResponseComplete", c))
		case rng.IntN(5) == 0:
			b.WriteString(mk("RequestReceived", 0))
			held = append(held, mk("ResponseComplete", code))
		default:
			b.WriteString(mk("ResponseComplete", code))
		}
		b.WriteByte('\n')
	}
	return gz(t, []byte(b.String()))
}

func TestSynthetic(t *testing.T) {
	const n = 3000
	data := synthetic(t, n)
	evs, st, err := read(t, NewReader(Options{}), "synthetic.json.gz", data)
	if err != nil || len(st.Problems) > 0 {
		t.Fatalf("%v, problems %v", err, st.Problems)
	}
	if len(evs) != st.Events {
		t.Errorf("%d events emitted, stats count %d", len(evs), st.Events)
	}
	denied, inferred := 0, 0
	ids := map[string]bool{}
	for _, e := range evs {
		checkEvent(t, e)
		if e.Outcome == record.Denied {
			denied++
		}
		if e.Inferred {
			inferred++
		}
		if ids[e.EventID] {
			t.Errorf("two events with EventID %s", e.EventID)
		}
		ids[e.EventID] = true
	}
	// Every request whose user is not skipped gives one event, with
	// encoding/json as the reference.
	requests := map[string]bool{}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e struct {
			AuditID                string
			User, ImpersonatedUser struct{ Username string }
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		u := e.User.Username
		if e.ImpersonatedUser.Username != "" {
			u = e.ImpersonatedUser.Username
		}
		requests[e.AuditID] = !strings.HasPrefix(u, "system:node:") && !strings.HasSuffix(u, "-controller")
	}
	kept := 0
	for _, k := range requests {
		if k {
			kept++
		}
	}
	if len(requests) != n || len(evs)-inferred != kept {
		t.Errorf("%d requests, %d kept, %d events (%d inferred), skipped %v", len(requests), kept, len(evs), inferred, st.Skipped)
	}
	if denied == 0 || inferred == 0 || st.Skipped[SkipNode] == 0 || st.Skipped[SkipControlPlane] == 0 {
		t.Errorf("denied %d, inferred %d, skipped %v: the generator lost a case", denied, inferred, st.Skipped)
	}
}

func BenchmarkRead(b *testing.B) {
	const n = 20000
	data := synthetic(b, n)
	r := NewReader(Options{})
	st, err := r.Read(context.Background(), "bench.json.gz", bytes.NewReader(data), func(*record.Event) error { return nil })
	if err != nil || len(st.Problems) > 0 {
		b.Fatalf("%v, problems %v", err, st.Problems)
	}
	records := st.Records
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	events := 0
	for b.Loop() {
		st, err := r.Read(context.Background(), "bench.json.gz", bytes.NewReader(data), func(*record.Event) error { return nil })
		if err != nil || st.Records != records {
			b.Fatalf("read %d records: %v", st.Records, err)
		}
		events += st.Events
	}
	b.ReportMetric(float64(records*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
