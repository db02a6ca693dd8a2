package report

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth"
)

// benchInput is principals AWS-like principals with perPrincipal
// entitlements each, drawn from 4,000 actions (a tenth on bucket patterns,
// the rest on "*"), and 200 accesses each: 150 covered by an entitlement
// (a third on a second resource under the same entitlement), 30 not granted
// and 20 denied.
func benchInput(principals, perPrincipal int) Input {
	const pool = 4000
	actions := make([]string, pool)
	for i := range actions {
		actions[i] = fmt.Sprintf("svc%d:Action%d", i%200, i)
	}
	origins := []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "inline/ops#0"}
	risky := map[string][]string{}
	for i := 0; i < pool; i += 50 {
		risky[strings.ToLower(actions[i])] = []string{RiskPrivilegeEscalation}
	}
	in := Input{
		Provider:     "aws",
		Entitlements: make([]synth.Entitlement, 0, principals*perPrincipal),
		Used:         make([]synth.Access, 0, principals*200),
		Covers:       awsCovers,
		Risks:        func(a string) []string { return risky[strings.ToLower(a)] },
		Unobservable: func(e synth.Entitlement) bool { return strings.HasPrefix(e.Action, "svc7:") },
		Container:    awsContainer,
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for p := 0; p < principals; p++ {
		name := fmt.Sprintf("arn:aws:iam::%012d:role/r%d", p%50, p)
		first := (p * 37) % pool
		resourceOf := func(j int) string {
			if j%10 == 0 {
				return fmt.Sprintf("arn:aws:s3:::bucket-%d/*", j%7)
			}
			return "*"
		}
		for j := 0; j < perPrincipal; j++ {
			in.Entitlements = append(in.Entitlements, synth.Entitlement{Provider: "aws", Principal: name,
				Action: actions[(first+j)%pool], Resource: resourceOf(j), Origins: origins})
		}
		for k := 0; k < 200; k++ {
			a := synth.Access{Provider: "aws", Principal: name, PrincipalKind: "role", Count: int64(k%9 + 1),
				First: t0.Add(time.Duration(k) * time.Hour), Last: t0.Add(time.Duration(k+p%5) * time.Hour),
				Samples: []string{fmt.Sprintf("ev-%d-%d", p, k)}}
			j := (k * 7) % perPrincipal
			switch {
			case k < 150:
				a.Action = actions[(first+j)%pool]
				a.Resource = strings.TrimSuffix(resourceOf(j), "*") + fmt.Sprintf("obj%d", k%3)
			case k < 180:
				a.Action = actions[(first+perPrincipal+k)%pool]
				a.Resource = "arn:aws:s3:::elsewhere/x"
			default:
				a.Action = actions[(first+j)%pool]
				a.Resource = "arn:aws:s3:::denied/x"
				a.Denied = true
			}
			in.Used = append(in.Used, a)
		}
	}
	return in
}

// BenchmarkCompare measures Compare on the scale (10000x1000:
// 10,000 principals with 1,000 entitlements each, ten million items) and a
// tenth of it. The large case needs about 6 GB.
func BenchmarkCompare(b *testing.B) {
	for _, size := range []struct{ principals, each int }{{1000, 1000}, {10000, 1000}} {
		b.Run(fmt.Sprintf("%dx%d", size.principals, size.each), func(b *testing.B) {
			in := benchInput(size.principals, size.each)
			runtime.GC()
			b.ResetTimer()
			var out []Principal
			for b.Loop() {
				out = Compare(in)
			}
			items := 0
			for _, p := range out {
				items += len(p.Items)
			}
			b.ReportMetric(float64(items), "items")
		})
	}
}

// TestBenchInput checks the benchmark measures what it says.
func TestBenchInput(t *testing.T) {
	out := Compare(benchInput(20, 1000))
	if len(out) != 20 {
		t.Fatalf("%d principals", len(out))
	}
	for _, p := range out {
		if p.Granted != 1000 || p.Used < 100 || p.NotGranted != 30 || p.Denied == 0 || p.Unobservable == 0 || p.RiskyUnused == 0 {
			t.Errorf("%s: granted %d used %d unused %d unobservable %d not granted %d denied %d risky unused %d", p.Principal,
				p.Granted, p.Used, p.Unused, p.Unobservable, p.NotGranted, p.Denied, p.RiskyUnused)
		}
	}
}
