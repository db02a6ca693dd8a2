package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	k8saudit "github.com/leastpriv/pare/usage/k8s"
	"github.com/leastpriv/pare/usage/record"
)

var k8sFileName = regexp.MustCompile(`^k8s-audit/audit-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}\.log\.gz$`)

// TestGenerateK8s writes a small set of audit logs, decodes every line
// with the standard library (the fields and shares a reader relies on),
// and reads every file with usage/k8s without a problem.
func TestGenerateK8s(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run([]string{"-provider", "k8s", "-events", "6000", "-files", "5", "-out", dir, "-seed", "3", "-principals", "120", "-workers", "2"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "wrote 6000 events in 5 files") {
		t.Errorf("output %q", out.String())
	}
	stages := map[string]int{}
	var lines, denied, impersonated, nodes, masters, exec, nonResource int
	users := map[string]bool{}
	namespaces := map[string]bool{}
	ids := map[string]string{} // auditID -> the stages seen, in order
	reader := k8saudit.NewReader(k8saudit.Options{})
	var st record.Stats
	events := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if !k8sFileName.MatchString(filepath.ToSlash(rel)) {
			t.Errorf("unexpected path %s", rel)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(zr)
		sc.Buffer(nil, 1<<20)
		n := 0
		for sc.Scan() {
			n++
			var e struct {
				AuditID, Stage, RequestURI, Verb, UserAgent string
				User                                        struct {
					Username string
					Groups   []string
				}
				ImpersonatedUser                         *struct{ Username string }
				ObjectRef                                *struct{ Resource, Namespace, Subresource string }
				ResponseStatus                           *struct{ Code int }
				Annotations                              map[string]string
				RequestReceivedTimestamp, StageTimestamp string
			}
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Fatalf("%s line %d: %v", rel, n, err)
			}
			lines++
			if e.AuditID == "" || e.Verb == "" || e.RequestURI == "" || e.User.Username == "" || len(e.User.Groups) == 0 ||
				e.UserAgent == "" || e.RequestReceivedTimestamp == "" || e.StageTimestamp < e.RequestReceivedTimestamp {
				t.Fatalf("%s line %d lacks a field: %s", rel, n, sc.Bytes())
			}
			stages[e.Stage]++
			ids[e.AuditID] += e.Stage[:1]
			users[e.User.Username] = true
			if e.ObjectRef == nil {
				nonResource++
			} else if e.ObjectRef.Namespace != "" {
				namespaces[e.ObjectRef.Namespace] = true
			}
			if e.ObjectRef != nil && e.ObjectRef.Subresource == "exec" && e.Stage != "RequestReceived" && e.ResponseStatus.Code == 101 {
				exec++
			}
			if e.Stage != "RequestReceived" && (e.ResponseStatus == nil || e.Annotations["authorization.k8s.io/decision"] == "") {
				t.Fatalf("%s line %d: no status or decision: %s", rel, n, sc.Bytes())
			}
			if e.ResponseStatus != nil && e.ResponseStatus.Code == 403 {
				denied++
			}
			if e.ImpersonatedUser != nil {
				impersonated++
			}
			for _, g := range e.User.Groups {
				switch g {
				case "system:nodes":
					nodes++
				case "system:masters":
					masters++
				}
			}
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if n < 1199 || n > 1201 {
			t.Errorf("%s: %d lines, want 6000/5", rel, n)
		}
		s, err := reader.Read(context.Background(), rel, bytes.NewReader(data), func(*record.Event) error { events++; return nil })
		if err != nil || len(s.Problems) > 0 {
			t.Errorf("usage/k8s reads %s: %v, %v", rel, err, s.Problems)
		}
		st.Records += s.Records
		for k, v := range s.Skipped {
			if st.Skipped == nil {
				st.Skipped = map[string]int{}
			}
			st.Skipped[k] += v
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if lines != 6000 || st.Records != 6000 {
		t.Errorf("%d lines, %d records read, want 6000", lines, st.Records)
	}
	// Every request ends with its ResponseComplete in the same file.
	for id, s := range ids {
		if s != "R" && s != "SR" && s != "RR" {
			t.Errorf("request %s has stages %q", id, s)
			break
		}
	}
	if stages["RequestReceived"] < 500 || stages["ResponseStarted"] < 200 || denied < 30 || impersonated == 0 ||
		nodes == 0 || masters == 0 || exec == 0 || nonResource == 0 || len(namespaces) < 25 || len(users) < 80 {
		t.Errorf("shares off: stages %v, %d denied, %d impersonated, %d node, %d masters, %d exec, %d non-resource, %d namespaces, %d users",
			stages, denied, impersonated, nodes, masters, exec, nonResource, len(namespaces), len(users))
	}
	if st.Skipped[k8saudit.SkipNode] == 0 || st.Skipped[k8saudit.SkipMasters] == 0 || st.Skipped[k8saudit.SkipControlPlane] == 0 ||
		st.Skipped[k8saudit.SkipEarlierStage] == 0 || events < 3500 {
		t.Errorf("usage/k8s skipped %v, %d events", st.Skipped, events)
	}

	// The same seed gives the same bytes whatever the number of workers.
	again := t.TempDir()
	if err := run([]string{"-provider", "k8s", "-events", "6000", "-files", "5", "-out", again, "-seed", "3", "-principals", "120", "-workers", "1"}, io.Discard, io.Discard); err != nil {
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
