package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBadInputIsReportedAndTheRestLoads feeds generate every kind of bad
// input the issue names next to good files: each is reported with its file
// (and record), the good records still become policy, and --strict fails.
func TestBadInputIsReportedAndTheRestLoads(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	write := func(name string, body []byte) string {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("logs/good.json", []byte(`{"Records":[`+ctRecord("g1", at, "ec2.amazonaws.com", "DescribeInstances", "null")+`]}`))
	write("logs/not-cloudtrail.json", []byte(`{"foo":1}`))
	write("logs/invalid.json", []byte(`{"Records":[`+ctRecord("i1", at, "sqs.amazonaws.com", "ListQueues", "null")+`,{"eventVersion":`))
	gz := gzipped(t, `{"Records":[`+ctRecord("t1", at, "sns.amazonaws.com", "ListTopics", "null")+`]}`)
	write("logs/truncated.json.gz", gz[:len(gz)/2])
	noSource := strings.Replace(ctRecord("n1", at, "kms.amazonaws.com", "ListKeys", "null"), `"eventSource":"kms.amazonaws.com",`, "", 1)
	write("logs/no-source.json", []byte(`{"Records":[`+noSource+","+ctRecord("n2", at, "dynamodb.amazonaws.com", "ListTables", "null")+`]}`))
	huge := `{"description":"` + strings.Repeat("x", 100<<20) + `"}`
	write("logs/huge-record.json", []byte(`{"Records":[`+ctRecord("h1", at, "lambda.amazonaws.com", "ListFunctions20150331", huge)+`]}`))
	if err := os.Symlink(filepath.Join(dir, "nowhere.json"), filepath.Join(dir, "logs", "dangling.json")); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")

	out := filepath.Join(dir, "out")
	code, _, stderr := pare(t, "generate", "--out", out, filepath.Join(dir, "logs"), empty, missing)
	if code != exitError {
		t.Errorf("exit %d; want %d because inputs failed", code, exitError)
	}
	for _, want := range []string{
		"not-cloudtrail.json: ",
		"invalid.json: ",
		"truncated.json.gz: ",
		"no-source.json: record 0: ",
		"dangling.json: no such file or directory",
		empty + ": no CloudTrail log files",
		missing + ": no such file or directory",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
		t.Errorf("stack trace on stderr:\n%s", stderr)
	}
	policy, err := os.ReadFile(filepath.Join(out, "aws", "111122223333-role-app-deployer.json"))
	if err != nil {
		t.Fatalf("no policy from the good records: %v\n%s", err, stderr)
	}
	for _, want := range []string{"ec2:DescribeInstances", "dynamodb:ListTables", "lambda:ListFunctions"} {
		if !strings.Contains(string(policy), want) {
			t.Errorf("policy lacks %s from a good record:\n%s", want, policy)
		}
	}
	for _, unwanted := range []string{"sqs:", "sns:", "kms:"} {
		if strings.Contains(string(policy), unwanted) {
			t.Errorf("policy holds %s from a file that failed whole or a bad record:\n%s", unwanted, policy)
		}
	}

	strictOut := filepath.Join(dir, "strict-out")
	code, _, stderr = pare(t, "generate", "--strict", "--out", strictOut, good, filepath.Join(dir, "logs", "no-source.json"))
	if code != exitError || !strings.Contains(stderr, "pare: hint: run without --strict") {
		t.Errorf("--strict: exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(strictOut, "manifest.json")); !os.IsNotExist(err) {
		t.Errorf("--strict failed but wrote output (stat: %v)", err)
	}
}
