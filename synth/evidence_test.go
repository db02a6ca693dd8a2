package synth

import (
	"reflect"
	"testing"
	"time"
)

func TestActionEvidenceAdd(t *testing.T) {
	t1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t2, t3 := t1.Add(time.Hour), t1.Add(2*time.Hour)
	accs := []Access{
		{Count: 2, First: t2, Last: t2, Regions: []string{"us"}, Samples: []string{"e7", "e9"}, Resource: "r1", Inferred: true},
		{Count: 1, Last: t3, Regions: []string{"eu", "us"}, Samples: []string{"e3", "e8", "e1"}, Via: []string{"svc"}, Denied: true},
		{Count: 4, First: t1, Last: t1, Samples: []string{"e2", "e9"}, Via: []string{"svc"}},
	}
	ev := ActionEvidence{Inferred: true}
	for _, a := range accs {
		ev.Add(a)
	}
	want := ActionEvidence{Count: 7, First: t1, Last: t3, Regions: []string{"eu", "us"},
		Samples: []string{"e1", "e2", "e3", "e7", "e8"}, Via: []string{"svc"}, Denied: true}
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("Add gives\n%+v\nwant\n%+v", ev, want)
	}

	inferred := ActionEvidence{Inferred: true}
	inferred.Add(accs[0])
	if !inferred.Inferred || inferred.Resources != nil {
		t.Errorf("one inferred access: Inferred %v, Resources %q", inferred.Inferred, inferred.Resources)
	}
}
