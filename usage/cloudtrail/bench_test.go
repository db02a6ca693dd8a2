package cloudtrail

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/usage/record"
)

// syntheticS3 returns a gzipped S3 delivery file of n realistic records:
// a few principals, S3, EC2, KMS, Lambda and IAM calls, some errors.
func syntheticS3(t testing.TB, n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	// Request parameters name the role and the record with {role} and {i}
	// ({role04} and {i012} zero-padded).
	calls := []struct{ source, name, params string }{
		{"s3.amazonaws.com", "GetObject", `{"bucketName":"data-{role}","Host":"data-{role}.s3.us-east-1.amazonaws.com","key":"path/to/object-{i}.json"}`},
		{"s3.amazonaws.com", "PutObject", `{"bucketName":"data-{role}","Host":"data-{role}.s3.us-east-1.amazonaws.com","key":"out/{i}.parquet"}`},
		{"ec2.amazonaws.com", "DescribeInstances", `{"instancesSet":{},"filterSet":{"items":[{"name":"tag:env","valueSet":{"items":[{"value":"prod"}]}}]}}`},
		{"kms.amazonaws.com", "Decrypt", `{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","keyId":"0c1f6f4e-{role04}-4a5b-9c2d-{i012}"}`},
		{"lambda.amazonaws.com", "Invoke", `{"functionName":"arn:aws:lambda:us-east-1:111122223333:function:worker-{role}"}`},
		{"iam.amazonaws.com", "GetRole", `{"roleName":"app-role-{role}"}`},
		{"sts.amazonaws.com", "GetCallerIdentity", `null`},
		{"lambda.amazonaws.com", "CreateFunction20150331", `{"functionName":"fn-{i}","role":"arn:aws:iam::111122223333:role/lambda-exec-{role}","runtime":"python3.12","handler":"app.handler"}`},
	}
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	t0 := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		c := calls[rng.IntN(len(calls))]
		role := rng.IntN(20)
		errPart := ""
		if rng.IntN(20) == 0 {
			errPart = `"errorCode":"AccessDenied","errorMessage":"User is not authorized to perform this action",`
		}
		fmt.Fprintf(&b, `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE%[1]d:session-%[2]d","arn":"arn:aws:sts::111122223333:assumed-role/app-role-%[1]d/session-%[2]d","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE%[2]d","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE%[1]d","arn":"arn:aws:iam::111122223333:role/app-role-%[1]d","accountId":"111122223333","userName":"app-role-%[1]d"},"attributes":{"creationDate":"2026-09-01T00:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"%[3]s","eventSource":"%[4]s","eventName":"%[5]s","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.%[6]d","userAgent":"aws-sdk-go-v2/1.30.0 os/linux lang/go#1.23 md/GOOS#linux api/%[5]s",%[7]s"requestParameters":%[8]s,"responseElements":null,"requestID":"%08[2]X-1234-5678-9ABC-DEF012345678","eventID":"%08[2]x-0000-4000-8000-%012[2]d","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"service.us-east-1.amazonaws.com"}}`,
			role, i, t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339), c.source, c.name, i%250,
			errPart, strings.NewReplacer("{role}", strconv.Itoa(role), "{i}", strconv.Itoa(i),
				"{role04}", fmt.Sprintf("%04d", role), "{i012}", fmt.Sprintf("%012d", i)).Replace(c.params))
	}
	b.WriteString(`]}`)
	return gz(t, []byte(b.String()))
}

func BenchmarkRead(b *testing.B) {
	const n = 10000
	data := syntheticS3(b, n)
	r := NewReader(loadCatalog(b), Options{})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	events := 0
	cpu0 := cpuTime()
	for b.Loop() {
		st, err := r.Read(context.Background(), "bench.json.gz", bytes.NewReader(data), func(*record.Event) error { return nil })
		if err != nil || st.Records != n || len(st.Problems) > 0 {
			b.Fatalf("read %d records: %v, problems %v", st.Records, err, st.Problems)
		}
		events += st.Events
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(n*b.N), "cpu-ns/record")
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// FuzzRead feeds arbitrary content to the reader: it must never panic and
// never emit an event without a principal or a time.
func FuzzRead(f *testing.F) {
	for _, p := range []string{
		"../../testdata/cloudtrail/plaso-aws-doc-examples/aws_cloudtrail.json",
		filepath.Join(invictusDir, "218007301253_CloudTrail_us-east-1_20230710T1205Z_lKy08gyrqqRJyzsn.json"),
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(syntheticS3(f, 3))
	f.Add([]byte(`{"Events":[{"CloudTrailEvent":"{\"eventVersion\":\"1.0\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"eventTime\":\"2020-01-01T00:00:00Z\",\"userIdentity\":{\"type\":\"Root\",\"accountId\":\"1\"}}"}]}`))
	f.Add([]byte("{\"eventVersion\":\"1.08\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"ListObjects\",\"eventTime\":\"2020-01-01T00:00:00Z\",\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"u\"}}\n{\"a\":[}\n"))
	f.Add([]byte(`[{"eventTime":"2020-01-01T00:00:00Z"},1,"x",null]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(fakeCatalog{}, Options{MaxRecordBytes: 1 << 16})
		st, _ := r.Read(context.Background(), "fuzz", bytes.NewReader(data), func(ev *record.Event) error {
			if ev.Principal == "" || ev.Time.IsZero() || ev.EventID == "" {
				t.Fatalf("bad event %+v", ev)
			}
			return nil
		})
		if st.Events > 0 && st.Records == 0 {
			t.Fatalf("events without records: %+v", st)
		}
	})
}

// BenchmarkReadDir reads every .json.gz file under $PARE_BENCH_DIR, such as
// the output of `go run ./cmd/benchgen -events 100000 -files 100 -out DIR`,
// whose records are closer to real logs than syntheticS3's. It is skipped
// when the variable is unset.
func BenchmarkReadDir(b *testing.B) {
	dir := os.Getenv("PARE_BENCH_DIR")
	if dir == "" {
		b.Skip("PARE_BENCH_DIR is not set")
	}
	var files [][]byte
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json.gz") {
			return err
		}
		data, err := os.ReadFile(p)
		files = append(files, data)
		return err
	})
	if err != nil || len(files) == 0 {
		b.Fatalf("no .json.gz files under %s: %v", dir, err)
	}
	r := NewReader(loadCatalog(b), Options{})
	b.ReportAllocs()
	b.ResetTimer()
	records, events := 0, 0
	cpu0 := cpuTime()
	for b.Loop() {
		for _, data := range files {
			st, err := r.Read(context.Background(), "bench.json.gz", bytes.NewReader(data), func(*record.Event) error { return nil })
			if err != nil {
				b.Fatal(err)
			}
			records += st.Records
			events += st.Events
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(records), "cpu-ns/record")
}
