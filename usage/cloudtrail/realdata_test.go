package cloudtrail

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/usage/record"
)

var (
	awsOnce sync.Once
	awsCat  *catalog.AWS
	awsErr  error
)

func loadCatalog(t testing.TB) *catalog.AWS {
	t.Helper()
	awsOnce.Do(func() { awsCat, awsErr = catalog.LoadAWS() })
	if awsErr != nil {
		t.Fatalf("loading catalog: %v", awsErr)
	}
	return awsCat
}

const invictusDir = "../../testdata/cloudtrail/invictus-aws-dataset/CloudTrail"

// readInvictus reads every file of the invictus dataset.
func readInvictus(t *testing.T) ([]record.Event, record.Stats) {
	files, err := filepath.Glob(filepath.Join(invictusDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files in %s: %v", invictusDir, err)
	}
	r := NewReader(loadCatalog(t), Options{})
	var all []record.Event
	total := record.Stats{Skipped: map[string]int{}}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		evs, st, err := read(t, r, filepath.Base(f), data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		all = append(all, evs...)
		total.Records += st.Records
		total.Events += st.Events
		for k, v := range st.Skipped {
			total.Skipped[k] += v
		}
		total.Problems = append(total.Problems, st.Problems...)
	}
	return all, total
}

func TestInvictus(t *testing.T) {
	evs, st := readInvictus(t)
	if st.Records != 2900 {
		t.Errorf("read %d records, want 2900", st.Records)
	}
	if len(st.Problems) != 0 {
		t.Errorf("problems: %v", st.Problems)
	}
	// 34 AwsApiCalls by AWSService callers, 42 AwsServiceEvents and 3
	// console sign-ins are in the data (counted with jq).
	for reason, want := range map[string]int{SkipService: 34, SkipServiceEvent: 42, SkipSignIn: 3} {
		if st.Skipped[reason] != want {
			t.Errorf("skipped %d %q, want %d", st.Skipped[reason], reason, want)
		}
	}
	// Every kept record gives at least one event or is skipped as needing
	// no permission: 2900 - 79 skipped above.
	ids := map[string]bool{}
	for _, ev := range evs {
		checkEvent(t, ev)
		ids[ev.EventID] = true
	}
	if got, want := len(ids)+st.Skipped[SkipNoPermission], 2900-34-42-3; got != want {
		t.Errorf("%d records gave events and %d needed no permission: %d, want %d",
			len(ids), st.Skipped[SkipNoPermission], got, want)
	}

	kinds := map[string]map[string]bool{}
	outcomes := map[record.Outcome]int{}
	unmapped := map[string]int{}
	unknown := map[string]bool{}
	cat := loadCatalog(t)
	for _, ev := range evs {
		if kinds[ev.PrincipalKind] == nil {
			kinds[ev.PrincipalKind] = map[string]bool{}
		}
		kinds[ev.PrincipalKind][ev.Principal] = true
		if ev.Inferred {
			continue
		}
		outcomes[ev.Outcome]++
		if ev.Action == "" {
			unmapped[ev.Service+" "+ev.Operation+": "+ev.Unmapped]++
		} else if _, ok := cat.Action(ev.Action); !ok {
			unknown[ev.Action] = true
		}
	}
	if len(unknown) > 0 {
		t.Errorf("actions not in the catalog: %v", unknown)
	}
	if len(kinds["user"]) == 0 || len(kinds["role"]) == 0 || len(kinds) != 2 {
		t.Errorf("principal kinds %v, want users and roles only", keys(kinds))
	}
	for p := range kinds["role"] {
		// The attack's roles, and service-linked roles the services assumed.
		if !strings.HasPrefix(p, "arn:aws:iam::123837392027:role/stratus-red-team-") &&
			!strings.HasPrefix(p, "arn:aws:iam::123837392027:role/aws-service-role/") {
			t.Errorf("role principal %q is neither a stratus-red-team nor a service-linked role ARN", p)
		}
	}
	if outcomes[record.Denied] == 0 || outcomes[record.Failed] == 0 || outcomes[record.Allowed] == 0 {
		t.Errorf("outcomes %v, want all three", outcomes)
	}
	var lines []string
	n := 0
	for k, v := range unmapped {
		lines = append(lines, fmt.Sprintf("%5d %s", v, k))
		n += v
	}
	sort.Strings(lines)
	if n > 10 {
		t.Errorf("%d unmapped events (want at most 10):\n%s", n, strings.Join(lines, "\n"))
	} else {
		t.Logf("%d unmapped events:\n%s", n, strings.Join(lines, "\n"))
	}
	withResource, inferred := 0, 0
	for _, ev := range evs {
		if ev.Resource != "" {
			withResource++
		}
		if ev.Inferred {
			inferred++
		}
	}
	if withResource == 0 {
		t.Errorf("no event has a resource")
	}
	t.Logf("%d events with a resource, %d inferred", withResource, inferred)
	t.Logf("%d events; principals: %d users, %d roles; outcomes %v; skipped %v",
		len(evs), len(kinds["user"]), len(kinds["role"]), outcomes, st.Skipped)
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestPlaso(t *testing.T) {
	data, err := os.ReadFile("../../testdata/cloudtrail/plaso-aws-doc-examples/aws_cloudtrail.json")
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(loadCatalog(t), Options{})
	evs, st, err := read(t, r, "aws_cloudtrail.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 9 || st.Skipped[SkipInsight] != 2 || len(st.Problems) != 0 {
		t.Errorf("stats %+v, want 9 records with 2 Insights skipped and no problems", st)
	}
	type row struct{ Action, Resource, EventID, Outcome string }
	var got []row
	for _, ev := range evs {
		checkEvent(t, ev)
		id := ev.EventID
		if strings.HasPrefix(id, "sha256:") {
			id = "sha256"
		}
		got = append(got, row{ev.Action, ev.Resource, id, string(ev.Outcome)})
	}
	want := []row{
		{"ec2:StartInstances", "", "sha256", "allowed"}, // the instance id is nested in instancesSet
		{"ec2:StopInstances", "", "sha256", "allowed"},
		{"ec2:CreateKeyPair", "arn:aws:ec2:us-east-2:123456789012:key-pair/mykeypair", "sha256", "allowed"},
		{"iam:CreateUser", "arn:aws:iam::123456789012:user/Bob", "sha256", "allowed"},
		{"iam:AddUserToGroup", "arn:aws:iam::123456789012:group/admin", "sha256", "allowed"},
		{"iam:CreateRole", "arn:aws:iam::123456789012:role/TestRole", "sha256", "allowed"},
		{"cloudtrail:UpdateTrail", "arn:aws:cloudtrail:us-east-2:123456789012:trail/myTrail2", "b7d4398e-b2f0-4faa-9c76-e2d316a8d67f", "error"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	seen := map[string]bool{}
	for _, ev := range evs {
		if seen[ev.EventID] {
			t.Errorf("records without eventID share the id %s", ev.EventID)
		}
		seen[ev.EventID] = true
	}
}
