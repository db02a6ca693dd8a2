// Command genazure writes pare's embedded Azure catalog: resource provider
// operations and built-in role definitions.
//
//	go run ./synth/catalog/internal/genazure -in DIR -out synth/catalog/data -notes synth/catalog/rules/azure -date 2026-08-22 -source "..."
//
// DIR holds provider-operations.json, builtin-roles.json, LICENSE and
// SOURCE.txt (see synth/catalog/rules/azure/SOURCE for where they come from).
// genazure writes OUT/azure_operations.tsv.gz and OUT/azure_roles.tsv.gz, and
// copies LICENSE and SOURCE.txt to NOTES/LICENSE and NOTES/SOURCE.
//
// The output is deterministic: everything is sorted and the gzip header
// carries no name and no time, so two runs on the same input give the same
// bytes (with the same Go release: compress/flate's output may change between
// Go releases, the content does not).
//
// Both files are line based text, one record per line, fields separated by
// tabs; synth/catalog decodes them. Fields never contain a tab, CR or LF, and
// operation names are ASCII and contain no '*'.
//
// azure_operations.tsv.gz:
//
//	#	comment (first line)
//	D	<data date, YYYY-MM-DD>	<source note>
//	P	<provider namespace>	<number of operations>
//	O	<operation>	<plane>[	old]     (belongs to the last P)
//
// plane is c (control plane: an Action), d (data plane: a DataAction) or u
// (unknown). "old" marks an operation missing from the latest snapshot of
// names: probably deprecated or renamed, yet a real operation that old logs
// and roles may name. Providers are sorted by their lower-cased name + "/",
// and operations within a provider by their lower-cased names, so that all
// operations are sorted by their lower-cased full names. Lower-cased names are
// unique. Descriptions and display names are left out.
//
// azure_roles.tsv.gz:
//
//	#	comment (first line)
//	D	<data date>	<source note>
//	R	<role id (GUID)>	<role name>
//	P[	<condition version>	<condition>]     (starts a permission block of the last R)
//	actions	<pattern>...                  (of the last P; omitted when empty)
//	notActions	<pattern>...
//	dataActions	<pattern>...
//	notDataActions	<pattern>...
//
// Roles are sorted by lower-cased name, and patterns within a list by
// lower-cased text then text; permission blocks keep their order. Role
// descriptions, types and assignable scopes (always "/") are left out.
// Patterns are kept as the source spells them, surrounding spaces included.
//
// genazure imports only the standard library.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

func main() {
	in := flag.String("in", "", "directory with provider-operations.json, builtin-roles.json, LICENSE and SOURCE.txt")
	out := flag.String("out", "", "directory to write azure_operations.tsv.gz and azure_roles.tsv.gz into")
	notes := flag.String("notes", "", "directory to copy LICENSE and SOURCE into")
	date := flag.String("date", "", "data date, YYYY-MM-DD")
	source := flag.String("source", "", "one-line note naming the data's sources")
	flag.Parse()
	if *in == "" || *out == "" || *notes == "" || *date == "" || *source == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: genazure -in DIR -out DIR -notes DIR -date YYYY-MM-DD -source NOTE")
		os.Exit(2)
	}
	if err := run(*in, *out, *notes, *date, *source); err != nil {
		fmt.Fprintf(os.Stderr, "genazure: error: %v\n", err)
		os.Exit(1)
	}
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func run(in, out, notes, date, source string) error {
	if !dateRE.MatchString(date) {
		return fmt.Errorf("date %q is not YYYY-MM-DD", date)
	}
	var ops []operationJSON
	if err := readJSON(filepath.Join(in, "provider-operations.json"), &ops); err != nil {
		return err
	}
	var roles []roleJSON
	if err := readJSON(filepath.Join(in, "builtin-roles.json"), &roles); err != nil {
		return err
	}
	opsText, err := operationsText(ops, date, source)
	if err != nil {
		return fmt.Errorf("provider-operations.json: %w", err)
	}
	rolesText, err := rolesText(roles, date, source)
	if err != nil {
		return fmt.Errorf("builtin-roles.json: %w", err)
	}
	for _, f := range []struct {
		name string
		text []byte
	}{{"azure_operations.tsv.gz", opsText}, {"azure_roles.tsv.gz", rolesText}} {
		gz, err := compress(f.text)
		if err != nil {
			return fmt.Errorf("compressing %s: %w", f.name, err)
		}
		if err := os.WriteFile(filepath.Join(out, f.name), gz, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", f.name, err)
		}
	}
	for _, f := range [][2]string{{"LICENSE", "LICENSE"}, {"SOURCE.txt", "SOURCE"}} {
		data, err := os.ReadFile(filepath.Join(in, f[0]))
		if err != nil {
			return fmt.Errorf("reading %s: %w", f[0], err)
		}
		if err := os.WriteFile(filepath.Join(notes, f[1]), data, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", f[1], err)
		}
	}
	return nil
}

type operationJSON struct {
	Operation        string `json:"operation"`
	Provider         string `json:"provider"`
	IsDataAction     *bool  `json:"isDataAction"`
	InLatestSnapshot *bool  `json:"inLatestSnapshot"`
}

type roleJSON struct {
	RoleName    string           `json:"roleName"`
	ID          string           `json:"id"`
	Permissions []permissionJSON `json:"permissions"`
}

type permissionJSON struct {
	Actions          []string `json:"actions"`
	NotActions       []string `json:"notActions"`
	DataActions      []string `json:"dataActions"`
	NotDataActions   []string `json:"notDataActions"`
	Condition        string   `json:"condition"`
	ConditionVersion string   `json:"conditionVersion"`
}

// operationsText returns the uncompressed operations file.
func operationsText(ops []operationJSON, date, source string) ([]byte, error) {
	// Group by provider, keyed by its lower-cased name.
	type provider struct {
		name string
		ops  []operationJSON
	}
	providers := map[string]*provider{}
	seen := map[string]bool{}
	for i, op := range ops {
		name := op.Operation
		if name == "" || !isASCII(name) || strings.Contains(name, "*") {
			return nil, fmt.Errorf("operation %d: name %q is empty, not ASCII or contains '*'", i, name)
		}
		lower := strings.ToLower(name)
		if seen[lower] {
			return nil, fmt.Errorf("operation %q listed twice (names compare case-insensitively)", name)
		}
		seen[lower] = true
		if op.InLatestSnapshot == nil {
			return nil, fmt.Errorf("operation %q has no inLatestSnapshot", name)
		}
		if op.Provider == "" || strings.Contains(op.Provider, "/") || !strings.HasPrefix(lower, strings.ToLower(op.Provider)+"/") {
			return nil, fmt.Errorf("operation %q: provider %q is not its namespace", name, op.Provider)
		}
		key := strings.ToLower(op.Provider)
		p := providers[key]
		if p == nil {
			p = &provider{name: op.Provider}
			providers[key] = p
		} else if p.name != op.Provider {
			return nil, fmt.Errorf("provider %q is also spelt %q", p.name, op.Provider)
		}
		p.ops = append(p.ops, op)
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("no operations")
	}
	keys := make([]string, 0, len(providers))
	for k := range providers {
		keys = append(keys, k)
	}
	// Sorting by lower-cased name + "/" sorts all operations by their
	// lower-cased full names.
	sort.Slice(keys, func(i, j int) bool { return keys[i]+"/" < keys[j]+"/" })

	var b bytes.Buffer
	b.WriteString("#\tpare Azure operation catalog, generated by synth/catalog/internal/genazure; do not edit\n")
	if err := line(&b, "D", date, source); err != nil {
		return nil, err
	}
	for _, k := range keys {
		p := providers[k]
		sort.Slice(p.ops, func(i, j int) bool {
			return strings.ToLower(p.ops[i].Operation) < strings.ToLower(p.ops[j].Operation)
		})
		if err := line(&b, "P", p.name, fmt.Sprint(len(p.ops))); err != nil {
			return nil, err
		}
		for _, op := range p.ops {
			plane := "u"
			if op.IsDataAction != nil {
				plane = "c"
				if *op.IsDataAction {
					plane = "d"
				}
			}
			fields := []string{"O", op.Operation, plane}
			if !*op.InLatestSnapshot {
				fields = append(fields, "old")
			}
			if err := line(&b, fields...); err != nil {
				return nil, err
			}
		}
	}
	return b.Bytes(), nil
}

// rolesText returns the uncompressed roles file.
func rolesText(roles []roleJSON, date, source string) ([]byte, error) {
	if len(roles) == 0 {
		return nil, fmt.Errorf("no roles")
	}
	roles = append([]roleJSON(nil), roles...)
	sort.Slice(roles, func(i, j int) bool { return strings.ToLower(roles[i].RoleName) < strings.ToLower(roles[j].RoleName) })
	names := map[string]bool{}
	ids := map[string]bool{}
	var b bytes.Buffer
	b.WriteString("#\tpare Azure built-in roles, generated by synth/catalog/internal/genazure; do not edit\n")
	if err := line(&b, "D", date, source); err != nil {
		return nil, err
	}
	for _, r := range roles {
		if names[strings.ToLower(r.RoleName)] || ids[strings.ToLower(r.ID)] {
			return nil, fmt.Errorf("role %q (%s) listed twice", r.RoleName, r.ID)
		}
		names[strings.ToLower(r.RoleName)] = true
		ids[strings.ToLower(r.ID)] = true
		if err := line(&b, "R", r.ID, r.RoleName); err != nil {
			return nil, fmt.Errorf("role %q: %w", r.RoleName, err)
		}
		if len(r.Permissions) == 0 {
			return nil, fmt.Errorf("role %q has no permissions", r.RoleName)
		}
		for _, p := range r.Permissions {
			fields := []string{"P"}
			if p.Condition != "" {
				if p.ConditionVersion == "" {
					return nil, fmt.Errorf("role %q: condition without a version", r.RoleName)
				}
				fields = append(fields, p.ConditionVersion, p.Condition)
			}
			if err := line(&b, fields...); err != nil {
				return nil, fmt.Errorf("role %q: %w", r.RoleName, err)
			}
			for _, list := range []struct {
				key      string
				patterns []string
			}{
				{"actions", p.Actions},
				{"notActions", p.NotActions},
				{"dataActions", p.DataActions},
				{"notDataActions", p.NotDataActions},
			} {
				if len(list.patterns) == 0 {
					continue
				}
				patterns := append([]string(nil), list.patterns...)
				sort.Slice(patterns, func(i, j int) bool {
					li, lj := strings.ToLower(patterns[i]), strings.ToLower(patterns[j])
					if li != lj {
						return li < lj
					}
					return patterns[i] < patterns[j]
				})
				if err := line(&b, append([]string{list.key}, patterns...)...); err != nil {
					return nil, fmt.Errorf("role %q: %w", r.RoleName, err)
				}
			}
		}
	}
	return b.Bytes(), nil
}

// compress gzips text with a fixed header: no name, no comment, no time.
func compress(text []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(text); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// line writes one record, refusing fields the format cannot carry.
func line(b *bytes.Buffer, fields ...string) error {
	for i, f := range fields {
		if f == "" {
			return fmt.Errorf("empty field in %q record", fields[0])
		}
		if strings.ContainsAny(f, "\t\n\r") {
			return fmt.Errorf("field %q contains a tab or newline", f)
		}
		if i > 0 {
			b.WriteByte('\t')
		}
		b.WriteString(f)
	}
	b.WriteByte('\n')
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decoding %s: %w", path, err)
	}
	return nil
}
