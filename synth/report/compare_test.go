package report

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth"
)

// glob matches s against a pattern where '*' is any run of characters.
func glob(pattern, s string) bool {
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		return pattern == s
	}
	if !strings.HasPrefix(s, pattern[:star]) {
		return false
	}
	rest := pattern[star+1:]
	for i := star; i <= len(s); i++ {
		if glob(rest, s[i:]) {
			return true
		}
	}
	return false
}

func day(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }

// awsCovers is AWS-like: actions equal ignoring case, resource ARN patterns.
func awsCovers(e synth.Entitlement, a synth.Access) bool {
	return strings.EqualFold(e.Action, a.Action) && glob(e.Resource, a.Resource)
}

func awsRisks(action string) []string {
	switch strings.ToLower(action) {
	case "iam:passrole":
		return []string{RiskPrivilegeEscalation}
	case "s3:getobject":
		return []string{RiskDataExfiltration}
	case "iam:createaccesskey":
		return []string{RiskCredentialsExposure, RiskPrivilegeEscalation}
	}
	return nil
}

func awsUnobservable(e synth.Entitlement) bool {
	return strings.HasPrefix(e.Action, "s3:") && strings.Contains(e.Action, "Object")
}

func awsContainer(principal string, _ []synth.Access) string {
	parts := strings.Split(principal, ":")
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func checkPrincipals(t *testing.T, got, want []Principal) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", mustJSON(t, got), mustJSON(t, want))
	}
}

const (
	roleA = "arn:aws:iam::111122223333:role/a"
	userB = "arn:aws:iam::444455556666:user/b"
)

func TestCompareAWS(t *testing.T) {
	ents := []synth.Entitlement{
		{Provider: "aws", Principal: roleA, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", Origins: []string{"policy/p1#0"}},
		{Provider: "aws", Principal: roleA, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*", Origins: []string{"policy/p1#0"}},
		{Provider: "aws", Principal: roleA, Action: "iam:PassRole", Resource: "*", Origins: []string{"policy/p2#1"}},
		// the same entitlement from a second policy: merged
		{Provider: "aws", Principal: roleA, Action: "iam:PassRole", Resource: "*", Origins: []string{"policy/p1#3"}},
		{Provider: "aws", Principal: roleA, Action: "ec2:DescribeInstances", Resource: "*", Origins: []string{"policy/p1#2"}},
		{Provider: "aws", Principal: roleA, Action: "iam:CreateAccessKey", Resource: "*", Origins: []string{"policy/admin"}, Risks: []string{RiskAdmin}},
		{Provider: "aws", Principal: userB, Action: "sts:GetCallerIdentity", Resource: "*", Origins: []string{"user/b inline"}},
		// another provider's: ignored
		{Provider: "azure", Principal: roleA, Action: "x", Resource: "*"},
	}
	used := []synth.Access{
		// two accesses under one entitlement; the second spelled in another case
		{Provider: "aws", Principal: roleA, PrincipalKind: "role", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k1", Count: 3, First: day(2, 1), Last: day(4, 1), Samples: []string{"e3", "e1"}},
		{Provider: "aws", Principal: roleA, PrincipalKind: "role", Action: "S3:GETOBJECT", Resource: "arn:aws:s3:::b/k2", Count: 2, First: day(1, 5), Last: day(3, 1), Samples: []string{"e2", "e4", "e5", "e6", "e7"}},
		// used through an inference only
		{Provider: "aws", Principal: roleA, PrincipalKind: "role", Action: "iam:PassRole", Resource: "arn:aws:iam::111122223333:role/x", Count: 1, First: day(2, 2), Last: day(2, 2), Inferred: true, Samples: []string{"e9"}},
		// outside the granted bucket: not granted
		{Provider: "aws", Principal: roleA, PrincipalKind: "role", Action: "s3:GetObject", Resource: "arn:aws:s3:::other/k", Count: 4, First: day(5, 0), Last: day(6, 0), Samples: []string{"e10"}},
		// refused twice, in two rows of one action and resource
		{Provider: "aws", Principal: roleA, PrincipalKind: "role", Action: "iam:PassRole", Resource: "arn:aws:iam::111122223333:role/admin", Count: 1, First: day(3, 3), Last: day(3, 3), Denied: true, Samples: []string{"d1"}},
		{Provider: "aws", Principal: roleA, PrincipalKind: "role", Action: "iam:PassRole", Resource: "arn:aws:iam::111122223333:role/admin", Count: 2, First: day(1, 3), Last: day(2, 3), Denied: true, Inferred: true, Samples: []string{"d0"}},
		// a principal with usage only
		{Provider: "aws", Principal: "arn:aws:iam::111122223333:user/c", PrincipalKind: "user", Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Count: 1, First: day(1, 0), Last: day(1, 0)},
		{Provider: "azure", Principal: roleA, Action: "x"},
	}
	got := Compare(Input{Provider: "aws", Entitlements: ents, Used: used, Covers: awsCovers, Risks: awsRisks, Unobservable: awsUnobservable, Container: awsContainer})
	want := []Principal{
		{
			Provider: "aws", Principal: roleA, Kind: "role", Container: "111122223333",
			Items: []Item{
				{Action: "iam:PassRole", Resource: "*", Status: Used, Origins: []string{"policy/p1#3", "policy/p2#1"}, Risks: []string{RiskPrivilegeEscalation}, Inferred: true, Count: 1, First: day(2, 2), Last: day(2, 2), Samples: []string{"e9"}},
				{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", Status: Used, Origins: []string{"policy/p1#0"}, Risks: []string{RiskDataExfiltration}, Count: 5, First: day(1, 5), Last: day(4, 1), Samples: []string{"e1", "e2", "e3", "e4", "e5"}},
				{Action: "iam:CreateAccessKey", Resource: "*", Status: Unused, Origins: []string{"policy/admin"}, Risks: []string{RiskAdmin, RiskCredentialsExposure, RiskPrivilegeEscalation}},
				{Action: "ec2:DescribeInstances", Resource: "*", Status: Unused, Origins: []string{"policy/p1#2"}},
				{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*", Status: Unobservable, Origins: []string{"policy/p1#0"}},
				{Action: "iam:PassRole", Resource: "arn:aws:iam::111122223333:role/admin", Status: Denied, Risks: []string{RiskPrivilegeEscalation}, Count: 3, First: day(1, 3), Last: day(3, 3), Samples: []string{"d0", "d1"}},
				{Action: "s3:GetObject", Resource: "arn:aws:s3:::other/k", Status: NotGranted, Risks: []string{RiskDataExfiltration}, Count: 4, First: day(5, 0), Last: day(6, 0), Samples: []string{"e10"}},
			},
			Granted: 5, Used: 2, Unused: 2, Unobservable: 1, Denied: 1, NotGranted: 1, RiskyUnused: 1,
			// I = (2 + 1/2)/5 = 0.5, R = 1/3 (CreateAccessKey of the three
			// risky), A = 1: 20 + 16.67 + 10 = 46.67
			Score: 47,
		},
		{
			Provider: "aws", Principal: "arn:aws:iam::111122223333:user/c", Kind: "user", Container: "111122223333",
			Items: []Item{
				{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Status: NotGranted, Count: 1, First: day(1, 0), Last: day(1, 0)},
			},
			NotGranted: 1,
		},
		{
			Provider: "aws", Principal: userB, Container: "444455556666",
			Items: []Item{
				{Action: "sts:GetCallerIdentity", Resource: "*", Status: Unused, Origins: []string{"user/b inline"}},
			},
			Granted: 1, Unused: 1, Score: 40,
		},
	}
	checkPrincipals(t, got, want)
}

func TestCompareAzure(t *testing.T) {
	const (
		sub   = "/subscriptions/0000-1111"
		rg    = sub + "/resourceGroups/rg1"
		vm    = rg + "/providers/Microsoft.Compute/virtualMachines/vm1"
		alice = "00000000-0000-0000-0000-00000000000a"
	)
	// Azure-like: operations equal ignoring case, the access's resource at
	// or below the granted scope.
	covers := func(e synth.Entitlement, a synth.Access) bool {
		r, s := strings.ToLower(a.Resource), strings.ToLower(e.Resource)
		return strings.EqualFold(e.Action, a.Action) && (r == s || strings.HasPrefix(r, s+"/"))
	}
	unobservable := func(e synth.Entitlement) bool { return e.Data || strings.HasSuffix(e.Action, "/read") }
	risks := func(action string) []string {
		if strings.EqualFold(action, "Microsoft.Authorization/roleAssignments/write") {
			return []string{RiskPrivilegeEscalation}
		}
		return nil
	}
	container := func(_ string, a []synth.Access) string {
		for _, x := range a {
			parts := strings.Split(x.Resource, "/")
			if len(parts) > 2 {
				return parts[2]
			}
		}
		return ""
	}
	ents := []synth.Entitlement{
		{Provider: "azure", Principal: alice, Action: "Microsoft.Compute/virtualMachines/start/action", Resource: rg, Origins: []string{"assignment/1 Virtual Machine Contributor"}},
		{Provider: "azure", Principal: alice, Action: "Microsoft.Compute/virtualMachines/read", Resource: rg, Origins: []string{"assignment/1 Virtual Machine Contributor"}},
		{Provider: "azure", Principal: alice, Action: "Microsoft.Authorization/roleAssignments/write", Resource: sub, Origins: []string{"assignment/2 User Access Administrator"}, Risks: []string{RiskAdmin}},
		{Provider: "azure", Principal: alice, Action: "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", Resource: rg, Data: true, Origins: []string{"assignment/3 Storage Blob Data Reader"}},
	}
	used := []synth.Access{
		{Provider: "azure", Principal: alice, PrincipalKind: "user", Action: "microsoft.compute/virtualmachines/start/action", Resource: strings.ToUpper(vm), Count: 2, First: day(1, 0), Last: day(2, 0), Samples: []string{"az:2", "az:1"}},
		{Provider: "azure", Principal: alice, PrincipalKind: "user", Action: "Microsoft.Compute/virtualMachines/delete", Resource: vm, Count: 1, First: day(3, 0), Last: day(3, 0), Denied: true, Samples: []string{"az:3"}},
		{Provider: "azure", Principal: alice, PrincipalKind: "user", Action: "Microsoft.Compute/virtualMachines/read", Resource: vm, Count: 1, First: day(1, 0), Last: day(1, 0), Inferred: true},
	}
	got := Compare(Input{Provider: "azure", Entitlements: ents, Used: used, Covers: covers, Risks: risks, Unobservable: unobservable, Container: container})
	want := []Principal{{
		Provider: "azure", Principal: alice, Kind: "user", Container: "0000-1111",
		Items: []Item{
			{Action: "Microsoft.Compute/virtualMachines/read", Resource: rg, Status: Used, Origins: []string{"assignment/1 Virtual Machine Contributor"}, Inferred: true, Count: 1, First: day(1, 0), Last: day(1, 0)},
			{Action: "Microsoft.Compute/virtualMachines/start/action", Resource: rg, Status: Used, Origins: []string{"assignment/1 Virtual Machine Contributor"}, Count: 2, First: day(1, 0), Last: day(2, 0), Samples: []string{"az:1", "az:2"}},
			{Action: "Microsoft.Authorization/roleAssignments/write", Resource: sub, Status: Unused, Origins: []string{"assignment/2 User Access Administrator"}, Risks: []string{RiskAdmin, RiskPrivilegeEscalation}},
			{Action: "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", Resource: rg, Status: Unobservable, Origins: []string{"assignment/3 Storage Blob Data Reader"}},
			{Action: "Microsoft.Compute/virtualMachines/delete", Resource: vm, Status: Denied, Count: 1, First: day(3, 0), Last: day(3, 0), Samples: []string{"az:3"}},
		},
		Granted: 4, Used: 2, Unused: 1, Unobservable: 1, Denied: 1, RiskyUnused: 1,
		// I = (1 + 1/2)/4 = 0.375, R = 1/1, A = 1: 15 + 50 + 10
		Score: 75,
	}}
	checkPrincipals(t, got, want)
}

func TestCompareKubernetes(t *testing.T) {
	const sa = "system:serviceaccount:ci:builder"
	// Kubernetes-like: equal actions, or an entitlement action ending in
	// '*' for non-resource URLs; "<ns>/<name>" patterns.
	covers := func(e synth.Entitlement, a synth.Access) bool {
		return glob(e.Action, a.Action) && glob(e.Resource, a.Resource)
	}
	risks := func(action string) []string {
		switch action {
		case "get secrets", "list secrets":
			return []string{RiskCredentialsExposure}
		case "create pods/exec":
			return []string{RiskPrivilegeEscalation}
		}
		return nil
	}
	container := func(_ string, a []synth.Access) string {
		for _, x := range a {
			if len(x.Regions) > 0 {
				return x.Regions[0]
			}
		}
		return ""
	}
	ents := []synth.Entitlement{
		{Provider: "k8s", Principal: sa, Action: "get pods", Resource: "ci/*", Origins: []string{"rolebinding ci/builder -> role ci/builder"}},
		{Provider: "k8s", Principal: sa, Action: "create pods/exec", Resource: "ci/*", Origins: []string{"rolebinding ci/builder -> role ci/builder"}},
		{Provider: "k8s", Principal: sa, Action: "get secrets", Resource: "*/*", Origins: []string{"clusterrolebinding reader -> clusterrole reader"}},
		{Provider: "k8s", Principal: sa, Action: "get /healthz/*", Resource: "", Origins: []string{"clusterrolebinding health -> clusterrole health"}},
	}
	used := []synth.Access{
		{Provider: "k8s", Principal: sa, PrincipalKind: "serviceaccount", Action: "get pods", Resource: "ci/web-1", Count: 7, First: day(1, 0), Last: day(9, 0), Regions: []string{"prod"}, Samples: []string{"k8s:a"}},
		{Provider: "k8s", Principal: sa, PrincipalKind: "serviceaccount", Action: "get /healthz/ready", Resource: "", Count: 100, First: day(1, 0), Last: day(9, 0), Regions: []string{"prod"}, Samples: []string{"k8s:h"}},
		{Provider: "k8s", Principal: sa, PrincipalKind: "serviceaccount", Action: "get pods", Resource: "kube-system/etcd", Count: 1, First: day(4, 0), Last: day(4, 0), Regions: []string{"prod"}, Denied: true},
		{Provider: "k8s", Principal: sa, PrincipalKind: "serviceaccount", Action: "list secrets", Resource: "ci/", Count: 2, First: day(5, 0), Last: day(5, 0), Regions: []string{"prod"}, Samples: []string{"k8s:s"}},
	}
	got := Compare(Input{Provider: "k8s", Entitlements: ents, Used: used, Covers: covers, Risks: risks, Container: container})
	want := []Principal{{
		Provider: "k8s", Principal: sa, Kind: "serviceaccount", Container: "prod",
		Items: []Item{
			{Action: "get /healthz/*", Resource: "", Status: Used, Origins: []string{"clusterrolebinding health -> clusterrole health"}, Count: 100, First: day(1, 0), Last: day(9, 0), Samples: []string{"k8s:h"}},
			{Action: "get pods", Resource: "ci/*", Status: Used, Origins: []string{"rolebinding ci/builder -> role ci/builder"}, Count: 7, First: day(1, 0), Last: day(9, 0), Samples: []string{"k8s:a"}},
			{Action: "create pods/exec", Resource: "ci/*", Status: Unused, Origins: []string{"rolebinding ci/builder -> role ci/builder"}, Risks: []string{RiskPrivilegeEscalation}},
			{Action: "get secrets", Resource: "*/*", Status: Unused, Origins: []string{"clusterrolebinding reader -> clusterrole reader"}, Risks: []string{RiskCredentialsExposure}},
			{Action: "get pods", Resource: "kube-system/etcd", Status: Denied, Count: 1, First: day(4, 0), Last: day(4, 0)},
			{Action: "list secrets", Resource: "ci/", Status: NotGranted, Risks: []string{RiskCredentialsExposure}, Count: 2, First: day(5, 0), Last: day(5, 0), Samples: []string{"k8s:s"}},
		},
		Granted: 4, Used: 2, Unused: 2, Denied: 1, NotGranted: 1, RiskyUnused: 2,
		// I = 2/4, R = 2/2, A = 0: 20 + 50
		Score: 70,
	}}
	checkPrincipals(t, got, want)
}

// TestCompareDefaults runs with no provider functions: exact matching, no
// risks, nothing unobservable, the access's kind.
func TestCompareDefaults(t *testing.T) {
	ents := []synth.Entitlement{
		{Provider: "p", Principal: "x", Action: "read", Resource: "*"},
		{Provider: "p", Principal: "x", Action: "write", Resource: "r1"},
		{Provider: "p", Principal: "x", Action: "delete", Resource: "r1", Risks: []string{RiskAdmin, RiskAdmin}},
	}
	used := []synth.Access{
		{Provider: "p", Principal: "x", PrincipalKind: "user", Action: "read", Resource: "r9", Count: 1},
		{Provider: "p", Principal: "x", PrincipalKind: "role", Action: "write", Resource: "r2", Count: 1},
		{Provider: "p", Principal: "x", Action: "Read", Resource: "r9", Count: 1},
	}
	got := Compare(Input{Provider: "p", Entitlements: ents, Used: used})
	want := []Principal{{
		Provider: "p", Principal: "x", Kind: "role",
		Items: []Item{
			{Action: "read", Resource: "*", Status: Used, Count: 1},
			{Action: "delete", Resource: "r1", Status: Unused, Risks: []string{RiskAdmin}},
			{Action: "write", Resource: "r1", Status: Unused},
			{Action: "Read", Resource: "r9", Status: NotGranted, Count: 1},
			{Action: "write", Resource: "r2", Status: NotGranted, Count: 1},
		},
		Granted: 3, Used: 1, Unused: 2, NotGranted: 2, RiskyUnused: 1,
		// I = 2/3, R = 1/1, A = 1: 26.67 + 50 + 10
		Score: 87,
	}}
	checkPrincipals(t, got, want)
}

func TestCompareEmpty(t *testing.T) {
	if got := Compare(Input{Provider: "aws"}); len(got) != 0 {
		t.Errorf("Compare of nothing = %v, want none", got)
	}
}
