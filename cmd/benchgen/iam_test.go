package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth/aws"
	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/usage/awsiam"
)

// TestGenerateIAM writes a small listing, reads it as pare does
// (usage/awsiam, then synth/aws's expansion) and checks who is in it and
// how much each principal is granted.
func TestGenerateIAM(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "iam.json")
	var out bytes.Buffer
	args := []string{"-provider", "aws-iam", "-out", file, "-seed", "3", "-principals", "400", "-usage-principals", "150", "-actions", "300"}
	if err := run(args, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "wrote 50 users and 350 roles (60 groups, 307 managed policies)") {
		t.Errorf("output %q", out.String())
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	d, err := awsiam.Decode(file, f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Users) != 50 || len(d.Roles) != 350 || len(d.Groups) != 60 || len(d.Policies) != 307 {
		t.Errorf("%d users, %d roles, %d groups, %d policies", len(d.Users), len(d.Roles), len(d.Groups), len(d.Policies))
	}

	// The first principals are those of the CloudTrail logs of the same seed.
	arns := make(map[string]bool)
	for _, u := range d.Users {
		arns[u.ARN] = true
	}
	for _, r := range d.Roles {
		arns[r.ARN] = true
	}
	for i, pr := range newPlan(Options{Principals: 150, Seed: 3}).principals {
		kind := "role"
		if pr.user {
			kind = "user"
		}
		if arn := "arn:aws:iam::" + pr.account + ":" + kind + "/" + pr.name; !arns[arn] {
			t.Errorf("CloudTrail principal %d %s is not in the listing", i, arn)
		}
	}

	stmts, problems := awsiam.Statements(d)
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	var denies, boundaries, conditional int
	for _, st := range stmts {
		switch {
		case st.Boundary:
			boundaries++
		case st.Effect == aws.Deny:
			denies++
		}
		if st.Conditional {
			conditional++
		}
	}
	if denies == 0 || boundaries == 0 || conditional == 0 {
		t.Errorf("%d deny, %d boundary, %d conditional statements; want some of each", denies, boundaries, conditional)
	}
	cat, err := catalog.LoadAWS()
	if err != nil {
		t.Fatal(err)
	}
	counts := make(map[string]int)
	admins := make(map[string]bool)
	for _, e := range aws.Entitlements(stmts, cat) {
		counts[e.Principal]++
		if slices.Contains(e.Risks, aws.RiskAdmin) {
			admins[e.Principal] = true
		}
	}
	if len(counts) != 400 {
		t.Errorf("%d principals hold entitlements, want 400", len(counts))
	}
	if len(admins) != 1 { // principal 1
		t.Errorf("%d principals with AdministratorAccess, want 1: %v", len(admins), admins)
	}
	var sizes []int
	for p, n := range counts {
		if !admins[p] {
			sizes = append(sizes, n)
		}
	}
	sort.Ints(sizes)
	t.Logf("sizes: min %d, 5%% %d, median %d, max %d", sizes[0], sizes[len(sizes)/20], sizes[len(sizes)/2], sizes[len(sizes)-1])
	if med := sizes[len(sizes)/2]; med < 270 || med > 360 {
		t.Errorf("median principal holds %d actions, want about 300", med)
	}
	if low := sizes[len(sizes)/20]; low < 100 {
		t.Errorf("5th percentile %d actions: too few", low)
	}

	// The same flags give the same bytes.
	again := filepath.Join(dir, "again.json")
	args[3] = again
	if err := run(args, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(file)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("two runs with the same flags differ")
	}
}

func TestGenerateIAMBadFlags(t *testing.T) {
	file := filepath.Join(t.TempDir(), "iam.json")
	for _, args := range [][]string{
		{"-provider", "aws-iam", "-out", file, "-actions", "0"},
		{"-provider", "aws-iam", "-out", file, "-principals", "0"},
		{"-provider", "aws-iam", "-out", filepath.Join(file, "no", "such.json")},
	} {
		if err := run(args, io.Discard, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
