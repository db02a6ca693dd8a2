package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/usage/cloudtrail/fetch/fakeaws"
)

// awsTestEnv points the AWS SDK at a local server, with static credentials
// and no shared config, so nothing reaches the network or the machine's AWS setup.
func awsTestEnv(t *testing.T, service, url string) {
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_ENDPOINT_URL_"+service, url)
}

// ctRecord is one CloudTrail record of role app-deployer calling eventName.
func ctRecord(id string, at time.Time, source, name, params string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/app-deployer/ci","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/app-deployer","accountId":"111122223333","userName":"app-deployer"}}},"eventTime":%q,"eventSource":%q,"eventName":%q,"awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","requestParameters":%s,"eventID":%q,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}`,
		at.UTC().Format(time.RFC3339), source, name, params, id)
}

func gzipped(t *testing.T, s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGenerateFromS3 reads a trail bucket through the real AWS SDK client
// from a local S3-compatible server.
func TestGenerateFromS3(t *testing.T) {
	fake := fakeaws.NewS3()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	awsTestEnv(t, "S3", srv.URL)

	day := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	logs := `{"Records":[` + ctRecord("e1", day, "s3.amazonaws.com", "ListBuckets", "null") + "," +
		ctRecord("e2", day.Add(time.Minute), "sqs.amazonaws.com", "ListQueues", "null") + `]}`
	base := "org/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/"
	fake.Put("trail", base+"111122223333_CloudTrail_us-east-1_20260301T1000Z_a.json.gz", gzipped(t, logs))
	// A day outside the window and a digest: neither is read.
	fake.Put("trail", "org/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/111122223333_CloudTrail_us-east-1_20260101T1000Z_b.json.gz",
		gzipped(t, `{"Records":[`+ctRecord("old", day.AddDate(0, -2, 0), "ec2.amazonaws.com", "DescribeInstances", "null")+`]}`))
	fake.Put("trail", "org/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/03/01/digest.json.gz", gzipped(t, `{"digestStartTime":"x"}`))

	out := t.TempDir()
	code, _, stderr := pare(t, "generate", "--from", "2026-02-28", "--to", "2026-03-02", "--out", out, "s3://trail/org")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	policy, err := os.ReadFile(filepath.Join(out, "aws", "111122223333-role-app-deployer.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, want := range []string{`"s3:ListAllMyBuckets"`, `"sqs:ListQueues"`} {
		if !strings.Contains(string(policy), want) {
			t.Errorf("policy lacks %s:\n%s", want, policy)
		}
	}
	if strings.Contains(string(policy), "ec2:") {
		t.Errorf("policy holds activity from outside the window:\n%s", policy)
	}
	for _, r := range fake.Requests() {
		if strings.Contains(r.Key, "2026/01/01") || strings.Contains(r.Key, "Digest") {
			t.Errorf("pare fetched %s, outside the window or a digest", r.Key)
		}
	}
}

// TestGenerateFromLookupEvents reads the LookupEvents API through the real
// AWS SDK client from a local server speaking its JSON protocol.
func TestGenerateFromLookupEvents(t *testing.T) {
	now := time.Now().UTC()
	yesterday := now.Add(-24 * time.Hour).Truncate(time.Hour)
	fake := fakeaws.NewCloudTrail([]fakeaws.Event{
		{ID: "l1", Time: yesterday, Name: "DescribeInstances", Source: "ec2.amazonaws.com",
			JSON: ctRecord("l1", yesterday, "ec2.amazonaws.com", "DescribeInstances", "null")},
	})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	awsTestEnv(t, "CLOUDTRAIL", srv.URL)

	out := t.TempDir()
	from := yesterday.Format("2006-01-02")
	code, _, stderr := pare(t, "generate", "--from", from, "--to", from, "--out", out, "cloudtrail://us-east-1")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	policy, err := os.ReadFile(filepath.Join(out, "aws", "111122223333-role-app-deployer.json"))
	if err != nil || !strings.Contains(string(policy), `"ec2:DescribeInstances"`) {
		t.Fatalf("policy = %s, %v\n%s", policy, err, stderr)
	}
	if n := len(fake.Calls()); n < 1 {
		t.Errorf("LookupEvents was called %d times", n)
	}
}
