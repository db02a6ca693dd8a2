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
						Evidence struct{ PrincipalID, PrincipalType string }
					}
					Claims map[string]string
				}
			}
		}
		if err := json.NewDecoder(zr).Decode(&doc); err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		for _, r := range doc.Records {
			records++
			if r.Time == "" || r.ResourceID == "" || r.OperationName == "" || r.CorrelationID == "" || r.Identity.Authorization.Evidence.PrincipalID == "" {
				t.Errorf("%s: record lacks a field: %+v", rel, r)
			}
			if !strings.Contains(strings.ToLower(rel), strings.ToLower(strings.Split(r.ResourceID, "/")[2])) {
				t.Errorf("%s holds a record of another subscription: %s", rel, r.ResourceID)
			}
			if r.Identity.Claims["http://schemas.microsoft.com/identity/claims/objectidentifier"] != r.Identity.Authorization.Evidence.PrincipalID {
				t.Errorf("claims and evidence disagree on the principal: %+v", r.Identity)
			}
			principals[r.Identity.Authorization.Evidence.PrincipalID] = true
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
