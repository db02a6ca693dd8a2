package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leastpriv/pare/usage"
	"github.com/leastpriv/pare/usage/record"
)

// TestIngestAzureGrants loads role assignments and definitions into the
// store's grants, resolving built-in roles from the catalog, and replaces
// the snapshot on the next load.
func TestIngestAzureGrants(t *testing.T) {
	rbacData := filepath.Join("..", "..", "usage", "azure", "rbac", "testdata")
	db := filepath.Join(t.TempDir(), "pare.duckdb")
	code, _, stderr := pare(t, "ingest", "--provider", "azure", "--db", db,
		"--grants", filepath.Join(rbacData, "assignments-az.json"), "--grants", filepath.Join(rbacData, "definitions-az.json"))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "pare: warning: role assignment") || !strings.Contains(stderr, "3 role assignments and 1 role definitions read") {
		t.Errorf("stderr:\n%s", stderr)
	}
	grants := storedGrants(t, db)
	var contributor, restarter bool
	for _, g := range grants {
		// Contributor comes from the embedded built-in roles: "*" less Authorization writes and deletes.
		if g.Principal == "6412223c-c65b-2694-1eca-72bdac29b189" && g.Effect == "allow" && g.Action == "*" && strings.Contains(g.Origin, "(Contributor)") {
			contributor = true
		}
		if g.Principal == "c0ffee00-0000-4000-8000-000000000001" && g.Action == "Microsoft.Web/sites/restart/action" && strings.HasSuffix(g.Scope, "/resourceGroups/rg-web") {
			restarter = true
		}
	}
	if !contributor || !restarter {
		t.Errorf("grants lack the built-in Contributor (%v) or the custom role (%v):\n%v", contributor, restarter, grants)
	}

	// A new snapshot replaces the old one whole.
	if code, _, stderr := pare(t, "ingest", "--provider", "azure", "--db", db, "--grants", filepath.Join(rbacData, "assignments-rest.json")); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, g := range storedGrants(t, db) {
		if g.Principal != "6412223c-c65b-2694-1eca-72bdac29b189" {
			t.Errorf("grant of the old snapshot survived: %+v", g)
		}
	}

	if code, _, stderr := pare(t, "ingest", "--db", db, "--grants", filepath.Join(rbacData, "assignments-rest.json")); code != exitUsage || !strings.Contains(stderr, "--grants needs --provider azure") {
		t.Errorf("--grants without --provider azure: exit %d\n%s", code, stderr)
	}
}

func storedGrants(t *testing.T, db string) []record.Grant {
	t.Helper()
	s, err := usage.Open(context.Background(), usage.Options{Path: db})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	gs, err := s.Grants(context.Background(), "azure")
	if err != nil {
		t.Fatal(err)
	}
	return gs
}
