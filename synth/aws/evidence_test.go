package aws

import (
	"reflect"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth"
)

func TestNewEvidence(t *testing.T) {
	t1 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	t3 := t1.Add(48 * time.Hour)
	accesses := []synth.Access{
		{Principal: "p", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Count: 3, First: t2, Last: t3,
			Regions: []string{"us-east-1"}, Samples: []string{"e5", "e6", "e7"}, Via: []string{"cloudformation.amazonaws.com"}},
		{Principal: "p", Action: "S3:GetObject", Resource: "arn:aws:s3:::b/j", Count: 2, First: t1, Last: t2,
			Regions: []string{"eu-west-1", "us-east-1"}, Samples: []string{"e1", "e2", "e3", "e4"}, Denied: true},
		{Principal: "p", Action: "iam:PassRole", Resource: "arn:aws:iam::1:role/r", Count: 1, First: t1, Last: t1, Inferred: true},
		{Principal: "p", Action: "x:Unknown", Count: 9},
		{Principal: "q", Action: "s3:GetObject", Count: 100},
	}
	p := Synthesize(accesses, newFakeCatalog(), Options{})[0]
	ev := NewEvidence(p, accesses)
	want := []ActionEvidence{
		{Action: "iam:PassRole", Count: 1, First: t1, Last: t1, Regions: []string{}, Samples: []string{}, Via: []string{},
			Resources: []string{"arn:aws:iam::1:role/r"}, Inferred: true},
		{Action: "s3:GetObject", Count: 5, First: t1, Last: t3, Regions: []string{"eu-west-1", "us-east-1"},
			Samples: []string{"e1", "e2", "e3", "e4", "e5"}, Via: []string{"cloudformation.amazonaws.com"},
			Resources: []string{"arn:aws:s3:::b/j", "arn:aws:s3:::b/k"}, Denied: true},
	}
	if !reflect.DeepEqual(ev.Actions, want) {
		t.Errorf("Actions:\n got %+v\nwant %+v", ev.Actions, want)
	}
	if ev.Principal != "p" || !reflect.DeepEqual(ev.Rejected, []string{"x:Unknown"}) {
		t.Errorf("Principal %q, Rejected %q", ev.Principal, ev.Rejected)
	}
}
