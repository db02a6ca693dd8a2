package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "genk8sroles: error: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("genk8sroles", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "directory holding cluster-roles.yaml and SOURCE")
	out := fs.String("out", "", "Go file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *out == "" || fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("usage: genk8sroles -in DIR -out FILE.go")
	}
	src, err := generate(*in)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", *out, err)
	}
	return nil
}

// generate reads DIR/cluster-roles.yaml and DIR/SOURCE and returns the Go
// source of the table.
func generate(dir string) ([]byte, error) {
	source, err := readSource(filepath.Join(dir, "SOURCE"))
	if err != nil {
		return nil, err
	}
	name := filepath.Join(dir, "cluster-roles.yaml")
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	roles, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	resolved, err := aggregate(roles)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	table, err := normalize(roles, resolved)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return render(source, table)
}

// readSource returns "REPOSITORY@COMMIT PATH" from a SOURCE note's
// "Repository:", "Commit:" and "Path:" lines.
func readSource(name string) (string, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", name, err)
	}
	keys := []string{"Repository", "Commit", "Path"}
	fields := make(map[string]string)
	for i, line := range strings.Split(string(data), "\n") {
		key, value, ok := strings.Cut(line, ":")
		if !ok || !slices.Contains(keys, key) {
			continue
		}
		if _, dup := fields[key]; dup {
			return "", fmt.Errorf("%s:%d: a second %s line", name, i+1, key)
		}
		value = strings.TrimSpace(value)
		if value == "" || strings.ContainsAny(value, " \t") {
			return "", fmt.Errorf("%s:%d: %s %q is not one word", name, i+1, key, value)
		}
		fields[key] = value
	}
	for _, k := range keys {
		if fields[k] == "" {
			return "", fmt.Errorf("%s: no %q line", name, k+": ...")
		}
	}
	if c := fields["Commit"]; len(c) != 40 || strings.Trim(c, "0123456789abcdef") != "" {
		return "", fmt.Errorf("%s: Commit %q is not 40 lower-case hex digits", name, c)
	}
	return fields["Repository"] + "@" + fields["Commit"] + " " + fields["Path"], nil
}

// list is the file's shape: a v1 List of ClusterRoles, as `kubectl get -o
// yaml` and the upstream golden-file test write it.
type list struct {
	APIVersion string               `json:"apiVersion"`
	Kind       string               `json:"kind"`
	Metadata   metav1.ListMeta      `json:"metadata"`
	Items      []rbacv1.ClusterRole `json:"items"`
}

// parse decodes the List strictly (an unknown field is an error) and checks
// every item is a named rbac.authorization.k8s.io/v1 ClusterRole, once.
func parse(data []byte) ([]rbacv1.ClusterRole, error) {
	var l list
	if err := yaml.UnmarshalStrict(data, &l); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	if l.APIVersion != "v1" || l.Kind != "List" {
		return nil, fmt.Errorf("apiVersion %q kind %q, want a v1 List", l.APIVersion, l.Kind)
	}
	if len(l.Items) == 0 {
		return nil, fmt.Errorf("no ClusterRoles")
	}
	seen := make(map[string]int)
	for i, r := range l.Items {
		if r.APIVersion != rbacv1.SchemeGroupVersion.String() || r.Kind != "ClusterRole" {
			return nil, fmt.Errorf("items[%d]: apiVersion %q kind %q, want a %s ClusterRole", i, r.APIVersion, r.Kind, rbacv1.SchemeGroupVersion)
		}
		if r.Name == "" {
			return nil, fmt.Errorf("items[%d]: a ClusterRole without a name", i)
		}
		if j, dup := seen[r.Name]; dup {
			return nil, fmt.Errorf("items[%d]: ClusterRole %q again (first at items[%d])", i, r.Name, j)
		}
		seen[r.Name] = i
	}
	return l.Items, nil
}

// aggregate returns every role's rules once the clusterrole-aggregation
// controller has settled: aggregated roles get the rules of the roles their
// selectors match, the others keep their own. Like the controller it
// starts from the rules an aggregated role lists and re-syncs every
// aggregated role until none changes.
func aggregate(roles []rbacv1.ClusterRole) (map[string][]rbacv1.PolicyRule, error) {
	byName := make([]rbacv1.ClusterRole, len(roles))
	copy(byName, roles)
	sort.Slice(byName, func(i, j int) bool { return byName[i].Name < byName[j].Name })

	rules := make(map[string][]rbacv1.PolicyRule, len(byName))
	selectors := make(map[string][]labels.Selector)
	for _, r := range byName {
		rules[r.Name] = r.Rules
		if r.AggregationRule == nil {
			continue
		}
		for i := range r.AggregationRule.ClusterRoleSelectors {
			sel, err := metav1.LabelSelectorAsSelector(&r.AggregationRule.ClusterRoleSelectors[i])
			if err != nil {
				return nil, fmt.Errorf("ClusterRole %q: aggregationRule.clusterRoleSelectors[%d]: %w", r.Name, i, err)
			}
			selectors[r.Name] = append(selectors[r.Name], sel)
		}
	}

	// Each round settles at least one more level of aggregation, so a
	// consistent set settles within len(roles) rounds.
	for round := 0; ; round++ {
		if round > len(byName) {
			return nil, fmt.Errorf("aggregation does not settle after %d rounds (roles aggregating each other?)", round)
		}
		changed := false
		for _, shared := range byName {
			if shared.AggregationRule == nil {
				continue
			}
			next := []rbacv1.PolicyRule{}
			for _, sel := range selectors[shared.Name] {
				for _, r := range byName { // sorted by name, as the controller sorts
					if r.Name == shared.Name || !sel.Matches(labels.Set(r.Labels)) {
						continue
					}
					for _, rule := range rules[r.Name] {
						if !ruleExists(next, rule) {
							next = append(next, rule)
						}
					}
				}
			}
			if !equality.Semantic.DeepEqual(next, rules[shared.Name]) {
				rules[shared.Name] = next
				changed = true
			}
		}
		if !changed {
			return rules, nil
		}
	}
}

// ruleExists is the controller's: semantic equality, so order matters and
// nil equals empty.
func ruleExists(haystack []rbacv1.PolicyRule, needle rbacv1.PolicyRule) bool {
	for _, r := range haystack {
		if equality.Semantic.DeepEqual(r, needle) {
			return true
		}
	}
	return false
}

// rule is one rule of the table, its slices sorted and distinct.
type rule struct {
	verbs, groups, resources, names, urls []string
}

type role struct {
	name  string
	rules []rule
}

// normalize sorts the roles by name and each rule's values, drops a rule
// equal to an earlier one of the same role, and checks every rule is one
// RBAC can hold: verbs, and either API groups with resources or URLs.
func normalize(roles []rbacv1.ClusterRole, resolved map[string][]rbacv1.PolicyRule) ([]role, error) {
	var out []role
	for _, r := range roles {
		ro := role{name: r.Name}
		seen := make(map[string]bool)
		for i, p := range resolved[r.Name] {
			n := rule{
				verbs:     distinct(p.Verbs),
				groups:    distinct(p.APIGroups),
				resources: distinct(p.Resources),
				names:     distinct(p.ResourceNames),
				urls:      distinct(p.NonResourceURLs),
			}
			if err := n.check(); err != nil {
				return nil, fmt.Errorf("ClusterRole %q: rule %d (after aggregation): %w", r.Name, i, err)
			}
			key := fmt.Sprintf("%q", [][]string{n.verbs, n.groups, n.resources, n.names, n.urls})
			if seen[key] {
				continue
			}
			seen[key] = true
			ro.rules = append(ro.rules, n)
		}
		out = append(out, ro)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

func (r rule) check() error {
	switch {
	case len(r.verbs) == 0:
		return fmt.Errorf("no verbs")
	case len(r.urls) > 0 && (len(r.groups) > 0 || len(r.resources) > 0 || len(r.names) > 0):
		return fmt.Errorf("both nonResourceURLs and resources")
	case len(r.urls) == 0 && (len(r.groups) == 0 || len(r.resources) == 0):
		return fmt.Errorf("neither nonResourceURLs nor apiGroups with resources")
	}
	return nil
}

// distinct returns values sorted without repeats, nil when empty.
func distinct(values []string) []string {
	if len(values) == 0 {
		return nil
	}
	out := append([]string(nil), values...)
	sort.Strings(out)
	n := 1
	for i := 1; i < len(out); i++ {
		if out[i] != out[n-1] {
			out[n] = out[i]
			n++
		}
	}
	return out[:n]
}

// render writes the Go source of the table, gofmt'd. Every string is
// written with %q, so any value is a valid Go literal of itself.
func render(source string, roles []role) ([]byte, error) {
	var b bytes.Buffer
	rules := 0
	for _, r := range roles {
		rules += len(r.rules)
	}
	fmt.Fprintf(&b, "// Code generated by cmd/genk8sroles from testdata/k8s/bootstrap; DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "package k8s\n\n")
	fmt.Fprintf(&b, "// DefaultClusterRolesSource is where DefaultClusterRole's roles come from:\n")
	fmt.Fprintf(&b, "// the upstream file, at that commit, that `make k8s-roles` read.\n")
	fmt.Fprintf(&b, "const DefaultClusterRolesSource = %q\n\n", source)
	fmt.Fprintf(&b, "// defaultClusterRoles are Kubernetes' %d default ClusterRoles (%d rules),\n", len(roles), rules)
	fmt.Fprintf(&b, "// sorted by name, aggregation resolved.\n")
	fmt.Fprintf(&b, "var defaultClusterRoles = []defaultClusterRole{\n")
	for _, r := range roles {
		fmt.Fprintf(&b, "{Name: %q, Rules: []Rule{\n", r.name)
		for _, ru := range r.rules {
			var fields []string
			add := func(field string, values []string) {
				if len(values) == 0 {
					return
				}
				quoted := make([]string, len(values))
				for i, v := range values {
					quoted[i] = fmt.Sprintf("%q", v)
				}
				fields = append(fields, field+": []string{"+strings.Join(quoted, ", ")+"}")
			}
			add("Verbs", ru.verbs)
			add("APIGroups", ru.groups)
			add("Resources", ru.resources)
			add("ResourceNames", ru.names)
			add("NonResourceURLs", ru.urls)
			fmt.Fprintf(&b, "{%s},\n", strings.Join(fields, ", "))
		}
		fmt.Fprintf(&b, "}},\n")
	}
	fmt.Fprintf(&b, "}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting the generated source: %w", err)
	}
	return src, nil
}
