package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerateAzure writes a small export and decodes every file with the
// standard library: the layout, counts and fields a reader relies on.
func TestGenerateAzure(t *testing.T) {
	dir := t.TempDir()
	res, err := GenerateAzure(Options{Events: 2000, Files: 7, Dir: dir, Seed: 3, Principals: 50, Days: 30, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Events != 2000 || res.Files != 7 || res.Bytes <= 0 || res.RawBytes <= res.Bytes {
		t.Fatalf("result = %+v", res)
	}
	var files, records, starts, forbidden, other int
	principals := map[string]bool{}
	assignments := map[string]string{} // principal -> its role assignment id
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		rel, _ := filepath.Rel(dir, path)
		if !strings.HasPrefix(rel, "insights-activity-logs/resourceId=/SUBSCRIPTIONS/") || !strings.HasSuffix(rel, "/m=00/PT1H.json.gz") {
			t.Errorf("unexpected path %s", rel)
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		var doc struct {
			Records []struct {
				Time, ResourceID, OperationName, Category, ResultType, ResultSignature, CorrelationID string
				Identity                                                                              struct {
					Authorization struct {
						Evidence struct{ PrincipalID, PrincipalType, RoleAssignmentID string }
					}
					Claims map[string]string
				}
			}
		}
		if err := json.NewDecoder(zr).Decode(&doc); err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		// A long operation's Start half and its outcome share a
		// correlation id, and real exports hold both.
		halves := map[string]int{}
		defer func() {
			for id, n := range halves {
				if n != 0 {
					t.Errorf("%s: operation %s has a Start half without its outcome", rel, id)
				}
			}
		}()
		for _, r := range doc.Records {
			records++
			if r.ResultType == "Start" {
				halves[r.CorrelationID]++
			} else if _, ok := halves[r.CorrelationID]; ok {
				halves[r.CorrelationID]--
			}
			oid := r.Identity.Claims["http://schemas.microsoft.com/identity/claims/objectidentifier"]
			if r.Time == "" || r.ResourceID == "" || r.OperationName == "" || r.CorrelationID == "" || oid == "" {
				t.Errorf("%s: record lacks a field: %+v", rel, r)
			}
			if !strings.Contains(strings.ToLower(rel), strings.ToLower(strings.Split(r.ResourceID, "/")[2])) {
				t.Errorf("%s holds a record of another subscription: %s", rel, r.ResourceID)
			}
			ev := r.Identity.Authorization.Evidence
			if r.ResultSignature == "Failed.Forbidden" {
				if ev.PrincipalID != "" || ev.RoleAssignmentID != "" {
					t.Errorf("a refused call names the assignment that granted it: %+v", r.Identity)
				}
			} else {
				if ev.PrincipalID != oid || ev.RoleAssignmentID == "" {
					t.Errorf("claims and evidence disagree on the principal: %+v", r.Identity)
				}
				// One role assignment grants a principal all its calls.
				if was, ok := assignments[oid]; ok && was != ev.RoleAssignmentID {
					t.Errorf("principal %s granted by assignments %s and %s", oid, was, ev.RoleAssignmentID)
				}
				assignments[oid] = ev.RoleAssignmentID
			}
			principals[oid] = true
			switch {
			case r.ResultType == "Start":
				starts++
			case r.ResultSignature == "Failed.Forbidden":
				forbidden++
			}
			if r.Category != "Administrative" {
				other++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != 7 || records != 2000 {
		t.Errorf("%d files, %d records; want 7 and 2000", files, records)
	}
	if starts < 400 || starts > 800 || forbidden < 20 || forbidden > 120 || other == 0 || len(principals) < 20 {
		t.Errorf("shares off: %d starts, %d forbidden, %d other categories, %d principals", starts, forbidden, other, len(principals))
	}

	// The same seed gives the same bytes whatever the number of workers.
	again := t.TempDir()
	if _, err := GenerateAzure(Options{Events: 2000, Files: 7, Dir: again, Seed: 3, Principals: 50, Days: 30, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		a, _ := os.ReadFile(path)
		b, err := os.ReadFile(filepath.Join(again, rel))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between 2 workers and 1 (%v)", rel, err)
		}
		return nil
	})
}

// TestGenerateAzureRefusesMoreFilesThanHours: two files of one
// subscription's hour would have the same path, the second replacing the
// first.
func TestGenerateAzureRefusesMoreFilesThanHours(t *testing.T) {
	_, err := GenerateAzure(Options{Events: 100, Files: 3*24 + 1, Dir: t.TempDir(), Seed: 1, Principals: 10, Days: 1, Workers: 1})
	if err == nil || !strings.Contains(err.Error(), "73 files need -days 2 or more") {
		t.Fatalf("err = %v", err)
	}
	dir := t.TempDir()
	if _, err := GenerateAzure(Options{Events: 100, Files: 3 * 24, Dir: dir, Seed: 1, Principals: 10, Days: 1, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	files := 0
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files++
		}
		return err
	})
	if files != 72 {
		t.Errorf("72 files of one day left %d on disk", files)
	}
}
