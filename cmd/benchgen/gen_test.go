package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

var fileName = regexp.MustCompile(`^AWSLogs/(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8})T(\d{4})Z_[A-Za-z0-9]{16}\.json\.gz$`)

type testRecord struct {
	EventVersion string `json:"eventVersion"`
	UserIdentity *struct {
		Type           string `json:"type"`
		ARN            string `json:"arn"`
		InvokedBy      string `json:"invokedBy"`
		SessionContext *struct {
			SessionIssuer struct {
				ARN string `json:"arn"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	EventID            string          `json:"eventID"`
	EventType          string          `json:"eventType"`
	RecipientAccountID string          `json:"recipientAccountId"`
	ErrorCode          string          `json:"errorCode"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	Resources          []struct {
		ARN string `json:"ARN"`
	} `json:"resources"`
}

func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run([]string{"-events", "2000", "-files", "7", "-out", dir, "-seed", "3", "-principals", "300"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "wrote 2000 events in 7 files") {
		t.Errorf("output %q", out.String())
	}
	var files []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if len(files) != 7 {
		t.Fatalf("%d files, want 7: %v", len(files), files)
	}
	var (
		total, roles, users, denied, errored, service, resources int
		principals                                               = make(map[string]bool)
		ids                                                      = make(map[string]bool)
		actions                                                  = make(map[string]int)
		first, last                                              time.Time
	)
	for _, f := range files {
		m := fileName.FindStringSubmatch(f)
		if m == nil || m[1] != m[6] || m[2] != m[7] || m[3]+m[4]+m[5] != m[8] {
			t.Errorf("file %s does not follow the S3 delivery layout", f)
			continue
		}
		recs := readFile(t, filepath.Join(dir, f))
		if len(recs) < 285 || len(recs) > 286 {
			t.Errorf("%s: %d records, want 2000/7", f, len(recs))
		}
		for i, r := range recs {
			total++
			where := fmt.Sprintf("%s record %d", f, i)
			tm, err := time.Parse(time.RFC3339, r.EventTime)
			if err != nil {
				t.Errorf("%s: eventTime %q: %v", where, r.EventTime, err)
			}
			if first.IsZero() || tm.Before(first) {
				first = tm
			}
			if tm.After(last) {
				last = tm
			}
			if r.EventVersion != "1.08" || r.UserIdentity == nil || r.EventSource == "" || r.EventName == "" || r.EventID == "" ||
				r.AWSRegion != m[2] || r.RecipientAccountID != m[1] || len(r.RequestParameters) == 0 {
				t.Fatalf("%s: missing or wrong fields: %+v", where, r)
			}
			if !strings.HasSuffix(r.EventSource, ".amazonaws.com") {
				t.Errorf("%s: eventSource %q", where, r.EventSource)
			}
			if ids[r.EventID] {
				t.Errorf("%s: duplicate eventID %s", where, r.EventID)
			}
			ids[r.EventID] = true
			if len(r.Resources) > 0 {
				resources++
				for _, res := range r.Resources {
					if !strings.HasPrefix(res.ARN, "arn:aws:") {
						t.Errorf("%s: resource ARN %q", where, res.ARN)
					}
				}
			}
			switch r.ErrorCode {
			case "":
			case "AccessDenied", "Client.UnauthorizedOperation":
				denied++
			default:
				errored++
			}
			switch {
			case r.EventType == "AwsServiceEvent":
				service++
			case r.EventType != "AwsApiCall":
				t.Errorf("%s: eventType %q", where, r.EventType)
			case r.UserIdentity.Type == "AWSService":
				service++
			case r.UserIdentity.Type == "AssumedRole":
				roles++
				if r.UserIdentity.SessionContext == nil || !strings.Contains(r.UserIdentity.SessionContext.SessionIssuer.ARN, ":role/") {
					t.Errorf("%s: assumed role without sessionIssuer", where)
					continue
				}
				principals[r.UserIdentity.SessionContext.SessionIssuer.ARN] = true
				actions[r.EventSource+" "+r.EventName]++
			case r.UserIdentity.Type == "IAMUser":
				users++
				principals[r.UserIdentity.ARN] = true
				actions[r.EventSource+" "+r.EventName]++
			default:
				t.Errorf("%s: userIdentity.type %q", where, r.UserIdentity.Type)
			}
		}
	}
	if total != 2000 {
		t.Errorf("%d records, want 2000", total)
	}
	if roles < 500 || users < 200 {
		t.Errorf("%d role and %d user records; want both kinds", roles, users)
	}
	if denied < 20 || denied > 110 || errored < 3 || errored > 50 {
		t.Errorf("%d denied, %d other errors; want about 3%% and 1%%", denied, errored)
	}
	if resources < 200 {
		t.Errorf("%d records with resources[]", resources)
	}
	if len(principals) < 50 || len(actions) < 30 {
		t.Errorf("%d principals and %d actions used; want a spread", len(principals), len(actions))
	}
	if last.Sub(first) < 60*24*time.Hour { // 7 files spread over 90 days
		t.Errorf("times span %v..%v; want about 90 days", first, last)
	}
	// Power law: the most used action is far above the median.
	var counts []int
	for _, n := range actions {
		counts = append(counts, n)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(counts)))
	if counts[0] < 5*counts[len(counts)/2] {
		t.Errorf("action counts %v do not look skewed", counts)
	}
}

func readFile(t *testing.T, path string) []testRecord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var doc struct{ Records []testRecord }
	dec := json.NewDecoder(zr)
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc.Records
}

func TestGenerateDeterministic(t *testing.T) {
	sum := func(seed string, workers string) string {
		dir := t.TempDir()
		if err := run([]string{"-events", "500", "-files", "5", "-out", dir, "-seed", seed, "-workers", workers}, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(dir, path)
				b, _ := os.ReadFile(path)
				fmt.Fprintf(h, "%s %x\n", rel, sha256.Sum256(b))
			}
			return err
		})
		return fmt.Sprintf("%x", h.Sum(nil))
	}
	a, b, c := sum("7", "1"), sum("7", "3"), sum("8", "2")
	if a != b {
		t.Error("same seed gave different bytes with different worker counts")
	}
	if a == c {
		t.Error("different seeds gave the same bytes")
	}
}

func TestRunErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"-out", t.TempDir(), "-files", "0"}, {"-out", t.TempDir(), "extra"}} {
		if err := run(args, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) succeeded, want an error", args)
		}
	}
}
