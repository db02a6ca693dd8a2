package report

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth"
)

// propCovers matches actions ignoring case with '*' as a wildcard, as
// Input.Covers allows, and resources with '*'.
func propCovers(e synth.Entitlement, a synth.Access) bool {
	return glob(strings.ToLower(e.Action), strings.ToLower(a.Action)) && glob(e.Resource, a.Resource)
}

func propRisks(action string) []string {
	switch strings.ToLower(action) {
	case "iam:passrole":
		return []string{RiskPrivilegeEscalation}
	case "s3:getobject":
		return []string{RiskDataExfiltration, RiskDataExfiltration}
	}
	return nil
}

// randomInput draws entitlements and accesses of a few principals over
// small pools, so duplicates, case variants, wildcards, denials and
// another provider's rows all occur.
func randomInput(seed uint64) Input {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	principals := []string{"p0", "p1", "p2", "p3", "<script>"}
	actions := []string{"s3:GetObject", "S3:getobject", "iam:PassRole", "ec2:RunInstances", "get /x/*", "get /x/y", "list pods"}
	resources := []string{"*", "r1", "r2", "r*", "", "ns/a"}
	pick := func(ss []string) string { return ss[rng.IntN(len(ss))] }
	in := Input{Provider: "aws", Covers: propCovers, Risks: propRisks,
		Unobservable: func(e synth.Entitlement) bool { return strings.HasPrefix(e.Action, "ec2:") },
		Container:    func(p string, _ []synth.Access) string { return "c" + p[len(p)-1:] },
	}
	for i := rng.IntN(40); i > 0; i-- {
		e := synth.Entitlement{Provider: "aws", Principal: pick(principals), Action: pick(actions), Resource: pick(resources),
			Origins: []string{fmt.Sprintf("o%d", rng.IntN(3))}}
		if rng.IntN(5) == 0 {
			e.Risks = []string{RiskAdmin}
		}
		if rng.IntN(10) == 0 {
			e.Provider = "azure"
		}
		in.Entitlements = append(in.Entitlements, e)
	}
	for i := rng.IntN(40); i > 0; i-- {
		first := time.Date(2026, 1, 1+rng.IntN(20), 0, 0, 0, 0, time.UTC)
		a := synth.Access{Provider: "aws", Principal: pick(principals), PrincipalKind: pick([]string{"role", "user", ""}),
			Action: pick(actions), Resource: pick(resources), Count: int64(1 + rng.IntN(5)),
			First: first, Last: first.Add(time.Duration(rng.IntN(100)) * time.Hour),
			Denied: rng.IntN(4) == 0, Inferred: rng.IntN(4) == 0}
		for j := rng.IntN(4); j > 0; j-- {
			a.Samples = append(a.Samples, fmt.Sprintf("e%d", rng.IntN(12)))
		}
		sort.Strings(a.Samples)
		a.Samples = slices.Compact(a.Samples)
		if rng.IntN(10) == 0 {
			a.Provider = "k8s"
		}
		in.Used = append(in.Used, a)
	}
	return in
}

// checkCompare checks Compare's output against a brute-force reading of
// its input.
func checkCompare(t *testing.T, in Input) {
	t.Helper()
	got := Compare(in)
	if !slices.IsSortedFunc(got, func(a, b Principal) int { return strings.Compare(a.Principal, b.Principal) }) {
		t.Fatal("principals not sorted")
	}
	byName := make(map[string]*Principal)
	for i := range got {
		p := &got[i]
		if byName[p.Principal] != nil {
			t.Fatalf("principal %q twice", p.Principal)
		}
		byName[p.Principal] = p
		if p.Provider != "aws" {
			t.Errorf("principal %q has provider %q", p.Principal, p.Provider)
		}
		if !slices.IsSortedFunc(p.Items, compareItems) {
			t.Errorf("%s: items not sorted", p.Principal)
		}
		n := map[Status]int{}
		risky := 0
		for _, it := range p.Items {
			n[it.Status]++
			if (it.Status == Unused || it.Status == Unobservable) && len(it.Risks) > 0 {
				risky++
			}
			if !slices.IsSorted(it.Risks) || len(slices.Compact(slices.Clone(it.Risks))) != len(it.Risks) {
				t.Errorf("%s: risks %v not sorted and distinct", p.Principal, it.Risks)
			}
			if len(it.Samples) > synth.MaxSamples || !slices.IsSorted(it.Samples) {
				t.Errorf("%s: samples %v", p.Principal, it.Samples)
			}
		}
		if p.Used != n[Used] || p.Unused != n[Unused] || p.Unobservable != n[Unobservable] || p.Denied != n[Denied] ||
			p.NotGranted != n[NotGranted] || p.Granted != p.Used+p.Unused+p.Unobservable || p.RiskyUnused != risky {
			t.Errorf("%s: counts %+v disagree with items %v", p.Principal, *p, n)
		}
		if p.Score != Score(*p) || p.Score < 0 || p.Score > 100 {
			t.Errorf("%s: score %d", p.Principal, p.Score)
		}
	}

	type key struct{ principal, action, resource string }
	granted := make(map[key]bool)
	for _, e := range in.Entitlements {
		if e.Provider == "aws" {
			granted[key{e.Principal, e.Action, e.Resource}] = true
		}
	}
	allowedCount := make(map[key]int64) // not granted
	deniedCount := make(map[key]int64)
	usedCount := make(map[key]int64)
	for _, a := range in.Used {
		if a.Provider != "aws" {
			continue
		}
		if byName[a.Principal] == nil {
			t.Fatalf("principal %q with usage missing", a.Principal)
		}
		if a.Denied {
			deniedCount[key{a.Principal, a.Action, a.Resource}] += a.Count
			continue
		}
		covered := false
		for _, e := range in.Entitlements {
			if e.Provider == "aws" && e.Principal == a.Principal && propCovers(e, a) {
				covered = true
				usedCount[key{e.Principal, e.Action, e.Resource}] += a.Count // counted once per duplicate
			}
		}
		if !covered {
			allowedCount[key{a.Principal, a.Action, a.Resource}] += a.Count
		}
	}
	dups := make(map[key]int64)
	for _, e := range in.Entitlements {
		if e.Provider == "aws" {
			dups[key{e.Principal, e.Action, e.Resource}]++
		}
	}

	seen := make(map[key]bool)
	for _, p := range got {
		for _, it := range p.Items {
			k := key{p.Principal, it.Action, it.Resource}
			switch it.Status {
			case Used, Unused, Unobservable:
				if !granted[k] {
					t.Errorf("granted item %+v of %s is no entitlement", it, p.Principal)
				}
				if seen[k] {
					t.Errorf("entitlement %v appears twice", k)
				}
				seen[k] = true
				if want := usedCount[k] / dups[k]; it.Count != want || (it.Status == Used) != (want > 0) {
					t.Errorf("%v: %s with count %d, want count %d", k, it.Status, it.Count, want)
				}
				if it.Status == Unobservable && !strings.HasPrefix(it.Action, "ec2:") {
					t.Errorf("%v unobservable", k)
				}
			case Denied:
				if it.Count != deniedCount[k] {
					t.Errorf("%v: denied count %d, want %d", k, it.Count, deniedCount[k])
				}
				delete(deniedCount, k)
			case NotGranted:
				if it.Count != allowedCount[k] {
					t.Errorf("%v: not granted count %d, want %d", k, it.Count, allowedCount[k])
				}
				delete(allowedCount, k)
			}
		}
	}
	for k := range granted {
		if !seen[k] {
			t.Errorf("entitlement %v missing", k)
		}
	}
	if len(deniedCount) > 0 || len(allowedCount) > 0 {
		t.Errorf("accesses missing from the items: denied %v, not granted %v", deniedCount, allowedCount)
	}

	// The same input in another order gives the same output.
	rng := rand.New(rand.NewPCG(uint64(len(in.Used)), 7))
	shuffled := in
	shuffled.Entitlements = slices.Clone(in.Entitlements)
	shuffled.Used = slices.Clone(in.Used)
	rng.Shuffle(len(shuffled.Entitlements), func(i, j int) {
		shuffled.Entitlements[i], shuffled.Entitlements[j] = shuffled.Entitlements[j], shuffled.Entitlements[i]
	})
	rng.Shuffle(len(shuffled.Used), func(i, j int) { shuffled.Used[i], shuffled.Used[j] = shuffled.Used[j], shuffled.Used[i] })
	if again := Compare(shuffled); !reflect.DeepEqual(again, got) {
		t.Errorf("shuffled input gives another output:\n%s\nwant\n%s", mustJSON(t, again), mustJSON(t, got))
	}
}

func TestCompareProperties(t *testing.T) {
	for seed := uint64(0); seed < 500; seed++ {
		in := randomInput(seed)
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkCompare(t, in) })
		if t.Failed() {
			return
		}
	}
}

func FuzzCompare(f *testing.F) {
	for _, s := range []uint64{0, 1, 42, 1 << 40} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		checkCompare(t, randomInput(seed))
	})
}
