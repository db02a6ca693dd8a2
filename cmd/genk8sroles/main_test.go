package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

var update = flag.Bool("update", false, "rewrite synth/k8s/defaultroles_gen.go from testdata/k8s/bootstrap")

const (
	upstreamDir = "../../testdata/k8s/bootstrap"
	committed   = "../../synth/k8s/defaultroles_gen.go"
)

// TestCommittedIsFresh keeps `make k8s-roles` reproducible: the committed
// table is exactly what the generator writes from the committed upstream
// copy.
func TestCommittedIsFresh(t *testing.T) {
	fresh, err := generate(upstreamDir)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(committed, fresh, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(old, fresh) {
		t.Errorf("%s differs from a fresh generation from %s; run `make k8s-roles` (or go test -update) and review the diff", committed, upstreamDir)
	}
}

// TestUpstreamCopy checks what the generator makes of the real file: every
// role once, the aggregated roles filled.
func TestUpstreamCopy(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(upstreamDir, "cluster-roles.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	roles, err := parse(data)
	if err != nil {
		t.Fatal(err)
	}
	resolved, err := aggregate(roles)
	if err != nil {
		t.Fatal(err)
	}
	table, err := normalize(roles, resolved)
	if err != nil {
		t.Fatal(err)
	}
	if len(table) != len(roles) || len(table) < 25 {
		t.Errorf("%d roles in the table, %d in the file; want the same, 25 or more", len(table), len(roles))
	}
	count := make(map[string]int)
	for _, r := range table {
		count[r.name] = len(r.rules)
	}
	for _, name := range []string{"view", "edit", "admin"} {
		if len(roles[index(roles, name)].Rules) != 0 {
			t.Errorf("%s lists rules upstream; want them only through aggregation", name)
		}
	}
	if !(count["view"] > 0 && count["view"] < count["edit"] && count["edit"] < count["admin"]) {
		t.Errorf("rules: view %d, edit %d, admin %d; want 0 < view < edit < admin", count["view"], count["edit"], count["admin"])
	}
	if count["view"] != count["system:aggregate-to-view"] ||
		count["edit"] != count["system:aggregate-to-edit"]+count["view"] ||
		count["admin"] != count["edit"]+count["system:aggregate-to-admin"] {
		t.Errorf("rule counts do not add up: %v", count)
	}
}

func index(roles []rbacv1.ClusterRole, name string) int {
	for i, r := range roles {
		if r.Name == name {
			return i
		}
	}
	return -1
}

// writeDir writes a cluster-roles.yaml and a SOURCE note into a new
// directory.
func writeDir(t *testing.T, yaml, source string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cluster-roles.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "SOURCE"), []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const goodSource = "Repository: example/k8s\nCommit: 0123456789abcdef0123456789abcdef01234567\nPath: cluster-roles.yaml\n"

// roleYAML is one List item: a ClusterRole with labels, an optional
// aggregationRule and rules, all given as YAML fragments.
func roleYAML(name, labels, aggregation, rules string) string {
	s := "- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRole\n  metadata:\n    name: " + name + "\n"
	if labels != "" {
		s += "    labels:\n" + labels
	}
	if aggregation != "" {
		s += "  aggregationRule:\n    clusterRoleSelectors:\n" + aggregation
	}
	if rules != "" {
		s += "  rules:\n" + rules
	}
	return s
}

func listYAML(items ...string) string {
	return "apiVersion: v1\nkind: List\nmetadata: {}\nitems:\n" + strings.Join(items, "")
}

func ruleYAML(verb, group, resource string) string {
	return "  - apiGroups: [\"" + group + "\"]\n    resources: [" + resource + "]\n    verbs: [" + verb + "]\n"
}

// TestAggregation checks the controller's rules on a made-up set: top
// aggregates mid (itself aggregated) and leaf-b by label; selectors in
// order, matched roles by name, each rule once, its own listed rules
// replaced, itself never matched, matchExpressions honoured.
func TestAggregation(t *testing.T) {
	yaml := listYAML(
		roleYAML("top", "        tier: top\n        agg-top: \"true\"\n",
			"    - matchLabels:\n        agg-top: \"true\"\n    - matchExpressions:\n      - {key: extra, operator: In, values: [\"yes\"]}\n",
			ruleYAML("delete", "", "nodes")), // replaced by aggregation
		roleYAML("mid", "        agg-top: \"true\"\n",
			"    - matchLabels:\n        agg-mid: \"true\"\n", ""),
		roleYAML("leaf-b", "        agg-mid: \"true\"\n        agg-top: \"true\"\n", "",
			ruleYAML("get", "", "pods")+ruleYAML("list", "", "pods")),
		roleYAML("leaf-a", "        agg-mid: \"true\"\n", "",
			ruleYAML("get", "", "pods")+ruleYAML("watch, get, watch", "apps", "deployments, deployments")),
		roleYAML("extra-role", "        extra: \"yes\"\n", "",
			ruleYAML("create", "batch", "jobs")+ruleYAML("list", "", "pods")),
		roleYAML("plain", "", "", ruleYAML("get", "", "configmaps")),
	)
	src, err := generate(writeDir(t, yaml, goodSource))
	if err != nil {
		t.Fatal(err)
	}
	got := string(src)
	// mid: leaf-a then leaf-b (by name), "get pods" once; leaf-a's values sorted and distinct.
	wantMid := `{Name: "mid", Rules: []Rule{
		{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}},
		{Verbs: []string{"get", "watch"}, APIGroups: []string{"apps"}, Resources: []string{"deployments"}},
		{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}},
	}},`
	// top: first selector (leaf-b, mid by name: leaf-b's rules, then mid's
	// new ones), then the matchExpressions selector (extra-role's new rule).
	wantTop := `{Name: "top", Rules: []Rule{
		{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}},
		{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}},
		{Verbs: []string{"get", "watch"}, APIGroups: []string{"apps"}, Resources: []string{"deployments"}},
		{Verbs: []string{"create"}, APIGroups: []string{"batch"}, Resources: []string{"jobs"}},
	}},`
	for _, want := range []string{wantMid, wantTop, `const DefaultClusterRolesSource = "example/k8s@0123456789abcdef0123456789abcdef01234567 cluster-roles.yaml"`} {
		if !strings.Contains(got, want) {
			t.Errorf("generated source lacks\n%s\ngot:\n%s", want, got)
		}
	}
	names := []string{`"extra-role"`, `"leaf-a"`, `"leaf-b"`, `"mid"`, `"plain"`, `"top"`}
	last := -1
	for _, n := range names {
		i := strings.Index(got, "{Name: "+n)
		if i < last {
			t.Errorf("role %s out of order (or missing) in\n%s", n, got)
		}
		last = i
	}
	if strings.Contains(got, `"nodes"`) {
		t.Errorf("top kept the rules it lists itself:\n%s", got)
	}
}

// TestAggregationCycle: two roles aggregating each other settle on the
// rules of the leaf both see.
func TestAggregationCycle(t *testing.T) {
	yaml := listYAML(
		roleYAML("a", "        y: \"1\"\n", "    - matchLabels:\n        x: \"1\"\n", ""),
		roleYAML("b", "        x: \"1\"\n", "    - matchLabels:\n        y: \"1\"\n", ""),
		roleYAML("c", "        x: \"1\"\n", "", ruleYAML("get", "", "pods")),
	)
	src, err := generate(writeDir(t, yaml, goodSource))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		want := `{Name: "` + name + `", Rules: []Rule{
		{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}},
	}},`
		if !strings.Contains(string(src), want) {
			t.Errorf("role %s: want\n%s\ngot:\n%s", name, want, src)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	ok := roleYAML("ok", "", "", ruleYAML("get", "", "pods"))
	for _, c := range []struct {
		name, yaml, source, want string
	}{
		{"not a list", "apiVersion: v1\nkind: ConfigMap\nitems: []\n", goodSource, `want a v1 List`},
		{"empty list", listYAML(), goodSource, "no ClusterRoles"},
		{"not yaml", "items: [", goodSource, "decoding"},
		{"unknown field", listYAML(ok) + "extra: 1\n", goodSource, "decoding"},
		{"unknown rule field", listYAML(roleYAML("r", "", "", "  - verbs: [get]\n    resource: [pods]\n")), goodSource, "decoding"},
		{"a Role", listYAML(strings.Replace(ok, "kind: ClusterRole", "kind: Role", 1)), goodSource, `items[0]: apiVersion "rbac.authorization.k8s.io/v1" kind "Role"`},
		{"v1beta1", listYAML(strings.Replace(ok, "/v1\n", "/v1beta1\n", 1)), goodSource, `items[0]: apiVersion "rbac.authorization.k8s.io/v1beta1"`},
		{"no name", listYAML(roleYAML("", "", "", ruleYAML("get", "", "pods"))), goodSource, "items[0]: a ClusterRole without a name"},
		{"twice", listYAML(ok, ok), goodSource, `items[1]: ClusterRole "ok" again (first at items[0])`},
		{"bad selector", listYAML(roleYAML("agg", "", "    - matchExpressions:\n      - {key: k, operator: Sometimes}\n", ""), ok), goodSource, `ClusterRole "agg": aggregationRule.clusterRoleSelectors[0]`},
		{"no verbs", listYAML(roleYAML("r", "", "", "  - apiGroups: [\"\"]\n    resources: [pods]\n")), goodSource, `ClusterRole "r": rule 0 (after aggregation): no verbs`},
		{"no resources", listYAML(roleYAML("r", "", "", "  - apiGroups: [\"\"]\n    verbs: [get]\n")), goodSource, "neither nonResourceURLs nor apiGroups with resources"},
		{"both", listYAML(roleYAML("r", "", "", "  - apiGroups: [\"\"]\n    resources: [pods]\n    nonResourceURLs: [/x]\n    verbs: [get]\n")), goodSource, "both nonResourceURLs and resources"},
		{"no commit", listYAML(ok), "Repository: a/b\nPath: p\n", `no "Commit: ..." line`},
		{"short commit", listYAML(ok), "Repository: a/b\nCommit: abc\nPath: p\n", `Commit "abc" is not 40 lower-case hex digits`},
		{"two commits", listYAML(ok), goodSource + "Commit: 0123456789abcdef0123456789abcdef01234567\n", "SOURCE:4: a second Commit line"},
		{"spaced path", listYAML(ok), "Repository: a/b\nCommit: 0123456789abcdef0123456789abcdef01234567\nPath: p q\n", `SOURCE:3: Path "p q" is not one word`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := generate(writeDir(t, c.yaml, c.source))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			// Errors name the file.
			if !strings.Contains(err.Error(), "cluster-roles.yaml") && !strings.Contains(err.Error(), "SOURCE") {
				t.Errorf("error %q names no file", err)
			}
		})
	}
	if _, err := generate(t.TempDir()); err == nil || !strings.Contains(err.Error(), "SOURCE") {
		t.Errorf("empty directory: error %v, want one naming SOURCE", err)
	}
}

// TestRenderQuotes: any value becomes a Go literal of itself, so the
// generated source always compiles and says what the file said.
func TestRenderQuotes(t *testing.T) {
	odd := "we\"ird\\\n`x` \x00 ${}"
	src, err := render(`a"b`, []role{{name: "r\"1", rules: []rule{{verbs: []string{odd}, urls: []string{"/" + odd}}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{strconv.Quote(odd), strconv.Quote("/" + odd), strconv.Quote("r\"1"), strconv.Quote(`a"b`)} {
		if !bytes.Contains(src, []byte(want)) {
			t.Errorf("source lacks %s:\n%s", want, src)
		}
	}
}

func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "roles.go")
	var stderr bytes.Buffer
	if err := run([]string{"-in", upstreamDir, "-out", out}, &stderr); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate(upstreamDir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("run wrote something else than generate returns")
	}
	for _, args := range [][]string{nil, {"-in", upstreamDir}, {"-out", out}, {"-in", upstreamDir, "-out", out, "extra"}, {"-nope"}} {
		if err := run(args, &stderr); err == nil {
			t.Errorf("run(%q): no error", args)
		}
	}
	if err := run([]string{"-in", upstreamDir, "-out", filepath.Join(t.TempDir(), "no", "dir.go")}, &stderr); err == nil || !strings.Contains(err.Error(), "writing") {
		t.Errorf("unwritable output: error %v", err)
	}
}
