package report

import (
	"reflect"
	"testing"
)

func diffReports() (old, cur Report) {
	old = Report{Snapshot: 4, Taken: day(1, 0), Principals: []Principal{
		{Provider: "azure", Principal: "vm-operator", Score: 20, Items: []Item{
			{Action: "Microsoft.Compute/virtualMachines/start/action", Resource: "/subscriptions/s/resourceGroups/rg", Status: Used},
			{Action: "Microsoft.Compute/virtualMachines/read", Resource: "/subscriptions/s/resourceGroups/rg", Status: Used},
			{Action: "Microsoft.Compute/virtualMachines/restart/action", Resource: "/subscriptions/s/resourceGroups/rg", Status: Unused},
			{Action: "Microsoft.Compute/virtualMachines/powerOff/action", Resource: "/subscriptions/s/resourceGroups/rg", Status: Unobservable},
			{Action: "Microsoft.Compute/virtualMachines/deallocate/action", Resource: "/subscriptions/s/resourceGroups/rg", Status: Unused},
		}},
		{Provider: "aws", Principal: "arn:aws:iam::1:role/steady", Score: 0, Items: []Item{
			{Action: "s3:GetObject", Resource: "*", Status: Used},
			{Action: "s3:PutObject", Resource: "*", Status: NotGranted},
		}},
		{Provider: "aws", Principal: "arn:aws:iam::1:role/gone", Items: []Item{{Action: "s3:GetObject", Resource: "*", Status: Unused}}},
	}}
	cur = Report{Snapshot: 7, Taken: day(8, 0), Principals: []Principal{
		{Provider: "aws", Principal: "arn:aws:iam::1:role/new", Items: []Item{{Action: "iam:PassRole", Resource: "*", Status: Unused, Risks: []string{RiskPrivilegeEscalation}}}},
		{Provider: "aws", Principal: "arn:aws:iam::1:role/steady", Score: 0, Items: []Item{
			{Action: "s3:GetObject", Resource: "*", Status: Used},
			// only a not-granted access changed: no change
			{Action: "s3:DeleteObject", Resource: "*", Status: NotGranted},
		}},
		{Provider: "azure", Principal: "vm-operator", Score: 63, Items: []Item{
			{Action: "Microsoft.Compute/virtualMachines/start/action", Resource: "/subscriptions/s/resourceGroups/rg", Status: Used},
			{Action: "Microsoft.Compute/virtualMachines/restart/action", Resource: "/subscriptions/s/resourceGroups/rg", Status: Used},
			{Action: "Microsoft.Compute/virtualMachines/read", Resource: "/subscriptions/s/resourceGroups/rg", Status: Unobservable},
			{Action: "Microsoft.Compute/virtualMachines/powerOff/action", Resource: "/subscriptions/s/resourceGroups/rg", Status: Unused},
			{Action: "Microsoft.Compute/virtualMachines/delete", Resource: "/subscriptions/s/resourceGroups/rg", Status: Unused, Risks: []string{RiskResourceExposure}},
			{Action: "Microsoft.Compute/virtualMachines/write", Resource: "/subscriptions/s/resourceGroups/rg", Status: Unused},
		}},
	}}
	return old, cur
}

// TestDiff is the example: a role that could only start VMs can now
// delete them.
func TestDiff(t *testing.T) {
	old, cur := diffReports()
	got := Diff(old, cur)
	const rg = " on /subscriptions/s/resourceGroups/rg"
	want := &Changes{
		Since: 4, SinceTaken: day(1, 0),
		New:  []string{"aws arn:aws:iam::1:role/new"},
		Gone: []string{"aws arn:aws:iam::1:role/gone"},
		Principals: []PrincipalChange{{
			Provider: "azure", Principal: "vm-operator",
			Gained:      []string{"Microsoft.Compute/virtualMachines/delete" + rg, "Microsoft.Compute/virtualMachines/write" + rg},
			Lost:        []string{"Microsoft.Compute/virtualMachines/deallocate/action" + rg},
			NewlyUsed:   []string{"Microsoft.Compute/virtualMachines/restart/action" + rg},
			NewlyUnused: []string{"Microsoft.Compute/virtualMachines/read" + rg},
			RiskyGained: []string{"Microsoft.Compute/virtualMachines/delete" + rg},
			ScoreFrom:   20, ScoreTo: 63,
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Diff =\n%s\nwant\n%s", mustJSON(t, got), mustJSON(t, want))
	}
}

func TestDiffSame(t *testing.T) {
	_, cur := diffReports()
	got := Diff(cur, cur)
	if len(got.New)+len(got.Gone)+len(got.Principals) != 0 {
		t.Errorf("Diff of a report with itself = %s", mustJSON(t, got))
	}
}

func TestDiffScoreOnly(t *testing.T) {
	old := Report{Principals: []Principal{{Provider: "k8s", Principal: "u", Score: 10}}}
	cur := Report{Principals: []Principal{{Provider: "k8s", Principal: "u", Score: 12}}}
	got := Diff(old, cur)
	want := []PrincipalChange{{Provider: "k8s", Principal: "u", ScoreFrom: 10, ScoreTo: 12}}
	if !reflect.DeepEqual(got.Principals, want) {
		t.Errorf("Diff = %+v, want %+v", got.Principals, want)
	}
}

// TestDiffOrder checks the output does not depend on the order of
// principals and items.
func TestDiffOrder(t *testing.T) {
	old, cur := diffReports()
	want := Diff(old, cur)
	reverse := func(r Report) Report {
		out := Report{Snapshot: r.Snapshot, Taken: r.Taken}
		for i := len(r.Principals) - 1; i >= 0; i-- {
			p := r.Principals[i]
			p.Items = nil
			for j := len(r.Principals[i].Items) - 1; j >= 0; j-- {
				p.Items = append(p.Items, r.Principals[i].Items[j])
			}
			out.Principals = append(out.Principals, p)
		}
		return out
	}
	if got := Diff(reverse(old), reverse(cur)); !reflect.DeepEqual(got, want) {
		t.Errorf("Diff of reversed reports =\n%s\nwant\n%s", mustJSON(t, got), mustJSON(t, want))
	}
}

func TestEntitlementName(t *testing.T) {
	if got := EntitlementName("get nodes", ""); got != "get nodes" {
		t.Errorf("cluster-wide = %q", got)
	}
	if got := EntitlementName("s3:GetObject", "arn:aws:s3:::b/*"); got != "s3:GetObject on arn:aws:s3:::b/*" {
		t.Errorf("with a resource = %q", got)
	}
}
