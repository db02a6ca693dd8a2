package azure

import (
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth"
)

func TestInferReads(t *testing.T) {
	readOf := func(op string) (string, bool) {
		typ := op[:strings.LastIndexByte(op, '/')]
		if strings.HasSuffix(typ, "/start") {
			typ = typ[:strings.LastIndexByte(typ, '/')]
		}
		if strings.Contains(typ, "noread") {
			return "", false
		}
		return typ + "/read", true
	}
	vm := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"
	in := []synth.Access{
		{Provider: "azure", Principal: "p", Action: "Microsoft.Compute/virtualMachines/write", Resource: vm, Count: 3, Samples: []string{"e1"}},
		{Provider: "azure", Principal: "p", Action: "Microsoft.Compute/virtualMachines/start/action", Resource: vm, Count: 1},
		{Provider: "azure", Principal: "p", Action: "Microsoft.Compute/disks/delete", Resource: "d", Denied: true},
		{Provider: "azure", Principal: "p", Action: "Microsoft.Web/sites/read", Resource: "w"},
		{Provider: "azure", Principal: "p", Action: "Microsoft.Foo/noread/write", Resource: "x"},
	}
	before := append([]synth.Access(nil), in...)
	got := InferReads(in, readOf)
	var reads []string
	for _, a := range got {
		if a.Inferred {
			reads = append(reads, a.Action+" "+a.Resource)
			if a.Action == "Microsoft.Compute/virtualMachines/read" && a.Count == 3 && (len(a.Samples) != 1 || a.Samples[0] != "e1") {
				t.Errorf("inferred read lost the write's evidence: %+v", a)
			}
		}
	}
	want := "[Microsoft.Compute/virtualMachines/read " + vm + " Microsoft.Compute/virtualMachines/read " + vm + "]"
	if got := "[" + strings.Join(reads, " ") + "]"; got != want {
		t.Errorf("inferred %s\nwant     %s (none for the denied delete, the read itself, or a type without a read)", got, want)
	}
	if len(got) != len(in)+2 {
		t.Errorf("got %d accesses, want the %d given plus 2", len(got), len(in))
	}
	for i := range in {
		if in[i].Action != before[i].Action || in[i].Inferred != before[i].Inferred {
			t.Fatalf("InferReads modified its input")
		}
	}
	// Roles built from the result grant the reads, marked inferred, and
	// still allow everything observed.
	roles := Synthesize(got, Options{})
	if len(roles) != 1 || strings.Join(roles[0].Inferred, ",") != "Microsoft.Compute/virtualMachines/read" {
		t.Errorf("roles = %+v", roles)
	}
}
