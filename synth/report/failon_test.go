package report

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseFailOn(t *testing.T) {
	good := map[string]Condition{
		"score>=80":         {Kind: ScoreAtLeast, Score: 80},
		" score >= 0 ":      {Kind: ScoreAtLeast, Score: 0},
		"score>=100":        {Kind: ScoreAtLeast, Score: 100},
		"new-risky-grant":   {Kind: NewRiskyGrant},
		" new-risky-grant ": {Kind: NewRiskyGrant},
	}
	for s, want := range good {
		got, err := ParseFailOn(s)
		if err != nil || got != want {
			t.Errorf("ParseFailOn(%q) = %+v, %v; want %+v", s, got, err, want)
		}
		if back, err := ParseFailOn(got.String()); err != nil || back != got {
			t.Errorf("ParseFailOn(%q.String() = %q) = %+v, %v", s, got.String(), back, err)
		}
	}
	bad := map[string]string{
		"":                 "want score>=N",
		"score":            "want score>=N",
		"score>80":         "want score>=N",
		"score=>80":        "want score>=N",
		"scores>=80":       "want score>=N",
		"new-risky-grants": "want score>=N",
		"score>=":          "whole number from 0 to 100",
		"score>=101":       "whole number from 0 to 100",
		"score>=-1":        "whole number from 0 to 100",
		"score>=8.5":       "whole number from 0 to 100",
		"score>=80%":       "whole number from 0 to 100",
	}
	for s, msg := range bad {
		_, err := ParseFailOn(s)
		if err == nil || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
			t.Errorf("ParseFailOn(%q) error = %v, want one quoting the input and saying %q", s, err, msg)
		}
	}
}

func TestScoreCondition(t *testing.T) {
	r := Report{Principals: []Principal{
		{Provider: "aws", Principal: "arn:aws:iam::1:role/a", Score: 80},
		{Provider: "aws", Principal: "arn:aws:iam::1:role/b", Score: 79},
		{Provider: "k8s", Principal: "evil\x1b[31m", Score: 95},
	}}
	ok, msg := Condition{Kind: ScoreAtLeast, Score: 80}.Holds(r)
	want := `2 principals score 80 or more: aws arn:aws:iam::1:role/a (80), k8s "evil\x1b[31m" (95)`
	if !ok || msg != want {
		t.Errorf("score>=80: %v %q, want true %q", ok, msg, want)
	}
	if ok, msg := (Condition{Kind: ScoreAtLeast, Score: 96}).Holds(r); ok || msg != "" {
		t.Errorf("score>=96: %v %q, want false", ok, msg)
	}
	var many Report
	for i := 0; i < 12; i++ {
		many.Principals = append(many.Principals, Principal{Provider: "aws", Principal: fmt.Sprintf("p%02d", i), Score: 50})
	}
	_, msg = Condition{Kind: ScoreAtLeast, Score: 50}.Holds(many)
	if !strings.HasPrefix(msg, "12 principals score 50 or more: aws p00 (50), ") || !strings.HasSuffix(msg, "aws p09 (50) and 2 more") {
		t.Errorf("score>=50 over 12 principals: %q", msg)
	}
}

func TestNewRiskyGrant(t *testing.T) {
	c := Condition{Kind: NewRiskyGrant}
	old, cur := diffReports()
	if ok, _ := c.Holds(cur); ok {
		t.Error("new-risky-grant holds on a report without changes (a first run)")
	}
	cur.Changes = Diff(old, cur)
	ok, msg := c.Holds(cur)
	want := "2 principals gained risky entitlements since snapshot 4: " +
		"aws arn:aws:iam::1:role/new (new, holds iam:PassRole on *); " +
		"azure vm-operator (gained Microsoft.Compute/virtualMachines/delete on /subscriptions/s/resourceGroups/rg)"
	if !ok || msg != want {
		t.Errorf("new-risky-grant: %v\n%q\nwant\n%q", ok, msg, want)
	}

	// Gains without risk, and a new principal holding nothing risky, do
	// not count.
	old.Principals[0].Items = cur.Principals[2].Items
	cur.Principals[0].Items[0].Risks = nil
	cur.Changes = Diff(old, cur)
	if ok, msg := c.Holds(cur); ok {
		t.Errorf("new-risky-grant holds without a risky gain: %q", msg)
	}
}
