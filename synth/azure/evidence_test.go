package azure

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth"
)

func TestNewEvidence(t *testing.T) {
	t1 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	t3 := t2.Add(time.Hour)
	w := access("Microsoft.Compute/virtualMachines/write", vm)
	w.Count, w.First, w.Last, w.Samples = 3, t2, t3, []string{"e3", "e1"}
	w2 := access("MICROSOFT.COMPUTE/virtualMachines/WRITE", rg)
	w2.Count, w2.First, w2.Last, w2.Samples, w2.Denied = 2, t1, t2, []string{"e2", "e1"}, true
	rd := inferred("Microsoft.Compute/virtualMachines/read", vm)
	other := access("Microsoft.Compute/virtualMachines/write", vm)
	other.Principal = "someone else"
	var many []synth.Access
	for i := 0; i < 9; i++ {
		a := access("Microsoft.Web/sites/write", "")
		a.Samples = []string{fmt.Sprintf("s%d", 9-i)}
		many = append(many, a)
	}
	in := append([]synth.Access{w, w2, rd, other, access("Microsoft.Bad/*", vm)}, many...)
	r := Synthesize(in, Options{})[0]
	if r.Principal != principal {
		t.Fatalf("role of %q", r.Principal)
	}
	ev := NewEvidence(r, in)
	want := Evidence{
		Principal: principal, Kind: "service-principal", RoleID: r.ID,
		Rejected: []string{"Microsoft.Bad/*"}, Unscoped: []string{""},
		Actions: []ActionEvidence{
			{Action: "MICROSOFT.COMPUTE/virtualMachines/WRITE", Regions: []string{}, Via: []string{}, Count: 5, First: t1, Last: t3, Samples: []string{"e1", "e2", "e3"}, Resources: []string{rg, vm}, Denied: true},
			{Action: "Microsoft.Compute/virtualMachines/read", Regions: []string{}, Via: []string{}, Count: 1, Resources: []string{vm}, Inferred: true, Samples: []string{}},
			{Action: "Microsoft.Web/sites/write", Regions: []string{}, Via: []string{}, Count: 9, Samples: []string{"s1", "s2", "s3", "s4", "s5"}, Resources: []string{}},
		},
	}
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("got  %+v\nwant %+v", ev, want)
	}
}
