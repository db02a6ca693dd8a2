package aws

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/leastpriv/pare/synth"
)

// accessesFrom decodes fuzz bytes into accesses over a few principals, the
// fake catalog's actions and a resource pool with hostile names, many
// objects of one bucket (to trigger generalization) and raw bytes.
func accessesFrom(data []byte, cat fakeCatalog) []synth.Access {
	actions := cat.names()
	principals := []string{
		"arn:aws:iam::123456789012:role/a",
		"arn:aws:iam::123456789012:user/b",
		"arn:aws:sts::123456789012:assumed-role/c/s",
	}
	pool := []string{
		"", "*", "?", "$", "${aws:username}", "arn:aws:s3:::b",
		"arn:aws:s3:::b/*", "arn:aws:s3:::b/k?", "arn:aws:iam::123456789012:role/r",
		"arn:aws:ec2:us-east-1:123456789012:instance/i-1",
		"arn:aws:ec2:eu-west-1:123456789012:instance/i-2",
		"arn:aws:ec2:eu-west-1:999999999999:instance/i-2",
		"arn:aws:logs:us-east-1:1:log-group:g:log-stream:s",
	}
	var out []synth.Access
	for len(data) >= 3 && len(out) < 300 {
		a := synth.Access{
			Provider:  "aws",
			Principal: principals[int(data[0])%len(principals)],
			Action:    actions[int(data[1])%len(actions)],
			Count:     1,
		}
		if data[1]&0x80 != 0 {
			a.Inferred = true
		}
		sel := int(data[2])
		data = data[3:]
		switch {
		case sel < 128:
			a.Resource = pool[sel%len(pool)]
		case sel < 200:
			a.Resource = fmt.Sprintf("arn:aws:s3:::many/p%d/o%d", sel%3, sel)
		default:
			n := sel % 8
			if n > len(data) {
				n = len(data)
			}
			a.Resource = "arn:aws:s3:::raw/" + string(data[:n])
			data = data[n:]
		}
		out = append(out, a)
	}
	return out
}

func FuzzSynthesize(f *testing.F) {
	f.Add([]byte{0, 0, 0})
	f.Add([]byte{1, 4, 255, 0xff, '*', 0xfe, 'a', 0x80, 0xc3, '?', 1, 4, 255, 0xfe, '*', 0xfe, 'a', 0x80, 0xc3, '$'})
	f.Add([]byte{0, 1, 2, 1, 2, 3, 2, 3, 4, 0, 5, 250, '*', '?', '$', '{', 'x', '}', 0, 0})
	var many []byte
	for i := 0; i < 120; i++ {
		many = append(many, byte(i%3), byte(i%7), byte(128+i%72))
	}
	f.Add(many)
	var hostile []byte
	for i := 0; i < 40; i++ {
		hostile = append(hostile, byte(i), byte(i*5), byte(i*11))
	}
	f.Add(hostile)

	cat := newFakeCatalog()
	f.Fuzz(func(t *testing.T, data []byte) {
		accesses := accessesFrom(data, cat)
		for _, opts := range []Options{{}, {MaxResources: 2}, {MaxResources: 1, SizeLimit: 300}} {
			checkProperties(t, accesses, cat, opts)
		}
	})
}

func checkProperties(t *testing.T, accesses []synth.Access, cat fakeCatalog, opts Options) {
	t.Helper()
	policies := Synthesize(accesses, cat, opts)
	used := make(map[string]map[string]bool) // principal → actions
	for _, a := range accesses {
		if used[a.Principal] == nil {
			used[a.Principal] = make(map[string]bool)
		}
		info, _ := cat.Action(a.Action)
		used[a.Principal][info.Name] = true
	}
	limit := opts.SizeLimit
	if limit == 0 {
		limit = ManagedPolicyLimit
	}
	for _, p := range policies {
		// Soundness: every access is allowed, across the split documents.
		if missing := Verify(p, accesses); len(missing) != 0 {
			t.Fatalf("opts %+v: policy of %s does not allow %+v", opts, p.Principal, missing[0])
		}
		for _, d := range p.Documents {
			if Size(d) > limit && !singleton(d) {
				t.Errorf("document of %d characters over limit %d", Size(d), limit)
			}
		}
		// Minimality: actions not used are not allowed anywhere.
		e := Compile(p.Documents)
		for _, action := range cat.names() {
			if used[p.Principal][action] {
				continue
			}
			if e.Allows(action, "*") {
				t.Errorf("%s: unused %s allowed on *", p.Principal, action)
			}
			for _, a := range accesses {
				if e.Allows(action, a.Resource) {
					t.Errorf("%s: unused %s allowed on %q", p.Principal, action, a.Resource)
				}
			}
		}
		// Minimality of resources: without a generalization, an action
		// that takes resources is allowed on nothing unrecorded.
		generalized := make(map[string]bool)
		for _, g := range p.Generalizations {
			generalized[g.Action] = true
		}
		for _, action := range p.Actions {
			info, _ := cat.Action(action)
			if generalized[action] || len(info.ResourceTypes) == 0 {
				continue
			}
			if e.Allows(action, "arn:aws:s3:::never-recorded/x") {
				t.Errorf("%s: %s allowed on an unrecorded resource", p.Principal, action)
			}
		}
	}

	// Determinism: shuffled input, identical bytes.
	want, err := json.Marshal(policies)
	if err != nil {
		t.Fatal(err)
	}
	shuffled := append([]synth.Access(nil), accesses...)
	rng := rand.New(rand.NewPCG(uint64(len(accesses)), 42))
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	got, err := json.Marshal(Synthesize(shuffled, cat, opts))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("shuffled input changed the output:\n%s\n%s", got, want)
	}
}

func singleton(d Document) bool {
	return len(d.Statement) == 1 && len(d.Statement[0].Action) == 1 && len(d.Statement[0].Resource) == 1
}

func TestSplit(t *testing.T) {
	var actions, resources []string
	for i := 0; i < 40; i++ {
		actions = append(actions, fmt.Sprintf("svc:Action%02d", i))
	}
	for i := 0; i < 300; i++ {
		resources = append(resources, fmt.Sprintf("arn:aws:s3:::bucket/some/longish/prefix/object-%04d", i))
	}
	d := doc(
		newStatement(actions[:1], []string{"*"}),
		newStatement(actions[1:], resources),
		newStatement([]string{"svc:Other"}, resources[:3]),
	)
	if Size(d) <= ManagedPolicyLimit {
		t.Fatalf("test document too small: %d", Size(d))
	}
	parts := Split(d, 0)
	if len(parts) < 2 {
		t.Fatalf("Split gave %d documents", len(parts))
	}
	sids := map[string]bool{}
	for _, p := range parts {
		if Size(p) > ManagedPolicyLimit {
			t.Errorf("part of %d characters", Size(p))
		}
		if p.Version != Version {
			t.Errorf("Version = %q", p.Version)
		}
		for _, st := range p.Statement {
			if sids[st.Sid] {
				t.Errorf("duplicate Sid %s", st.Sid)
			}
			sids[st.Sid] = true
		}
	}
	e := Compile(parts)
	for _, st := range d.Statement {
		for _, a := range st.Action {
			for _, r := range st.Resource {
				if !e.Allows(a, r) {
					t.Fatalf("split lost %s on %s", a, r)
				}
			}
		}
	}
	if AllowsAny(parts, "svc:Other", resources[10]) {
		t.Error("split widened svc:Other")
	}
	if again := Split(d, 0); !reflect.DeepEqual(again, parts) {
		t.Error("Split is not deterministic")
	}

	small := doc(newStatement([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/k"}))
	if got := Split(small, 0); len(got) != 1 || !reflect.DeepEqual(got[0], small) {
		t.Errorf("Split changed a small document: %+v", got)
	}
	huge := doc(newStatement([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/" + string(make([]byte, 200))}))
	if got := Split(huge, 100); len(got) != 1 {
		t.Errorf("unsplittable statement gave %d documents", len(got))
	}
}

func TestSize(t *testing.T) {
	d := doc(Statement{Sid: "S", Effect: "Allow", Action: []string{"a:<b>"}, Resource: []string{"é"}})
	want := len(`{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow","Action":["a:<b>"],"Resource":["é"]}]}`) - 1
	if got := Size(d); got != want {
		t.Errorf("Size = %d, want %d", got, want)
	}
}
