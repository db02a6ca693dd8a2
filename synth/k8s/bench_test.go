package k8s

import (
	"fmt"
	"testing"

	"github.com/leastpriv/pare/synth"
)

// benchAccesses is n accesses of 200 principals, as usage queries return
// them for a busy cluster: namespaced reads and writes with names,
// all-namespace watches, subresources and non-resource URLs.
func benchAccesses(n int) []synth.Access {
	verbs := []string{"get", "list", "watch", "update", "patch", "create", "delete"}
	resources := []string{"pods", "configmaps", "secrets", "deployments.apps", "leases.coordination.k8s.io", "pods/log", "events"}
	out := make([]synth.Access, 0, n)
	for i := 0; i < n; i++ {
		p := fmt.Sprintf("system:serviceaccount:ns%d:sa%d", i%40, i%200)
		r := Request{Verb: verbs[i%len(verbs)]}
		res := resources[(i/7)%len(resources)]
		switch i % 10 {
		case 0:
			r.Path = "/metrics"
		case 1:
			r.Resource = "nodes"
			r.Name = fmt.Sprintf("node-%d", i%9)
		default:
			a := Request{}
			a, _ = Parse(r.Verb+" "+res, "")
			r = a
			r.Namespace = fmt.Sprintf("ns%d", (i/3)%12)
			if !unnamedVerb(r.Verb, r.Subresource) {
				r.Name = fmt.Sprintf("obj-%d", i%13)
			}
		}
		out = append(out, synth.Access{Provider: "k8s", Principal: p, Action: r.Action(), Resource: r.ResourceRef(), Count: int64(i%5 + 1), Samples: []string{fmt.Sprintf("k8s:%d", i)}})
	}
	return out
}

func BenchmarkSynthesize(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		in := benchAccesses(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Synthesize(in, nil, Options{})
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	in := benchAccesses(100_000)
	ps := Synthesize(in, nil, Options{})
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range ps {
			if err := Verify(p, in, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
}
