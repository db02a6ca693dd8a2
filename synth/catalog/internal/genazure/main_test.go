package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden_*.tsv")

const (
	fixtureDate   = "2026-08-22"
	fixtureSource = "fixture tables"
)

// TestGenerateGolden runs the generator on a small fixture twice and checks
// that the output is byte-identical, has a fixed gzip header, and
// decompresses to the golden text; and that the notes are copied.
func TestGenerateGolden(t *testing.T) {
	files := []string{"azure_operations.tsv.gz", "azure_roles.tsv.gz"}
	var outputs [2]map[string][]byte
	for i := range outputs {
		out, notes := t.TempDir(), t.TempDir()
		if err := run("testdata/in", out, notes, fixtureDate, fixtureSource); err != nil {
			t.Fatalf("run: %v", err)
		}
		outputs[i] = map[string][]byte{}
		for _, f := range files {
			gz, err := os.ReadFile(filepath.Join(out, f))
			if err != nil {
				t.Fatal(err)
			}
			outputs[i][f] = gz
		}
		license, err := os.ReadFile(filepath.Join(notes, "LICENSE"))
		if err != nil || !bytes.Contains(license, []byte("Fixture licence")) {
			t.Errorf("LICENSE = %q, %v", license, err)
		}
		source, err := os.ReadFile(filepath.Join(notes, "SOURCE"))
		if err != nil || !bytes.Contains(source, []byte("Fixture source note")) {
			t.Errorf("SOURCE = %q, %v", source, err)
		}
	}
	for _, f := range files {
		if !bytes.Equal(outputs[0][f], outputs[1][f]) {
			t.Errorf("%s: two runs gave different bytes", f)
		}
		zr, err := gzip.NewReader(bytes.NewReader(outputs[0][f]))
		if err != nil {
			t.Fatal(err)
		}
		if !zr.ModTime.IsZero() || zr.Name != "" || zr.Comment != "" {
			t.Errorf("%s: gzip header has time %v, name %q, comment %q; want none", f, zr.ModTime, zr.Name, zr.Comment)
		}
		text, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "golden_"+strings.TrimSuffix(strings.TrimPrefix(f, "azure_"), ".gz"))
		if *update {
			if err := os.WriteFile(golden, text, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(text, want) {
			t.Errorf("%s differs from %s (run with -update to accept):\n%s", f, golden, text)
		}
	}
}

// TestGenerateContent checks facts of the golden output that the format
// promises, so that an -update cannot silently accept a wrong catalog.
func TestGenerateContent(t *testing.T) {
	ops, err := os.ReadFile("testdata/golden_operations.tsv")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"D\t2026-08-22\tfixture tables\n",
		// The provider's own spelling, and the operation's, both kept.
		"P\tMicrosoft.Compute\t2\n",
		"O\tmicrosoft.Compute/virtualMachines/start/action\tc\n",
		"O\tMicrosoft.Insights/alertRules/\tu\n",
		"O\tMicrosoft.Storage/storageAccounts/blobServices/containers/blobs/read\td\n",
		"O\tMicrosoft.Storage/storageAccounts/oldThing/delete\tc\told\n",
	} {
		if !bytes.Contains(ops, []byte(want)) {
			t.Errorf("operations lack %q", want)
		}
	}
	// "microsoft.compute/" sorts before "microsoft.computeschedule/".
	if i, j := bytes.Index(ops, []byte("P\tMicrosoft.Compute\t")), bytes.Index(ops, []byte("P\tMicrosoft.ComputeSchedule\t")); i < 0 || j < 0 || i > j {
		t.Errorf("providers out of order: Compute at %d, ComputeSchedule at %d", i, j)
	}
	roles, err := os.ReadFile("testdata/golden_roles.tsv")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"R\t8e3af657-a8ff-443c-a75c-2fe8c4bcb635\tOwner\nP\nactions\t*\n",
		"actions\tMicrosoft.Authorization/*/read\tMicrosoft.Compute/virtualMachines/read \tMicrosoft.Storage/*/write\n",
		"P\t2.0\t((!(ActionMatches{",
	} {
		if !bytes.Contains(roles, []byte(want)) {
			t.Errorf("roles lack %q", want)
		}
	}
	if bytes.Contains(roles, []byte("View all resources")) {
		t.Error("roles keep descriptions")
	}
	if i, j := bytes.Index(roles, []byte("\tOwner\n")), bytes.Index(roles, []byte("\tReader\n")); i < 0 || j < 0 || i > j {
		t.Errorf("roles out of order: Owner at %d, Reader at %d", i, j)
	}
}

func TestGenerateErrors(t *testing.T) {
	yes := true
	opsCases := map[string][]operationJSON{
		"none":            nil,
		"case duplicate":  {{Operation: "A.B/x/read", Provider: "A.B", InLatestSnapshot: &yes}, {Operation: "a.b/X/READ", Provider: "A.B", InLatestSnapshot: &yes}},
		"wrong provider":  {{Operation: "A.B/x/read", Provider: "A.C", InLatestSnapshot: &yes}},
		"two spellings":   {{Operation: "A.B/x/read", Provider: "A.B", InLatestSnapshot: &yes}, {Operation: "A.B/y/read", Provider: "a.b", InLatestSnapshot: &yes}},
		"tab":             {{Operation: "A.B/x\t/read", Provider: "A.B", InLatestSnapshot: &yes}},
		"wildcard":        {{Operation: "A.B/*/read", Provider: "A.B", InLatestSnapshot: &yes}},
		"not ascii":       {{Operation: "A.B/é/read", Provider: "A.B", InLatestSnapshot: &yes}},
		"no snapshot bit": {{Operation: "A.B/x/read", Provider: "A.B"}},
	}
	for name, ops := range opsCases {
		if _, err := operationsText(ops, fixtureDate, fixtureSource); err == nil {
			t.Errorf("operations %s: no error", name)
		}
	}
	perm := []permissionJSON{{Actions: []string{"*"}}}
	rolesCases := map[string][]roleJSON{
		"none":                      nil,
		"duplicate name":            {{RoleName: "A", ID: "1", Permissions: perm}, {RoleName: "a", ID: "2", Permissions: perm}},
		"duplicate id":              {{RoleName: "A", ID: "1", Permissions: perm}, {RoleName: "B", ID: "1", Permissions: perm}},
		"no permissions":            {{RoleName: "A", ID: "1"}},
		"newline":                   {{RoleName: "A\nB", ID: "1", Permissions: perm}},
		"condition without version": {{RoleName: "A", ID: "1", Permissions: []permissionJSON{{Actions: []string{"*"}, Condition: "x"}}}},
	}
	for name, roles := range rolesCases {
		if _, err := rolesText(roles, fixtureDate, fixtureSource); err == nil {
			t.Errorf("roles %s: no error", name)
		}
	}
	if err := run("testdata/in", t.TempDir(), t.TempDir(), "22-08-2026", fixtureSource); err == nil {
		t.Error("run accepted a bad date")
	}
	if err := run("testdata/no-such-dir", t.TempDir(), t.TempDir(), fixtureDate, fixtureSource); err == nil {
		t.Error("run on a missing directory succeeded")
	}
}
