package fetch

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/usage/cloudtrail/fetch/fakeaws"
)

// offline points the SDK's config chain at static test credentials so it
// never reads a real profile or asks the instance metadata service.
func offline(t *testing.T) {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKEFAKE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fake-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
}

func newS3(t *testing.T) (*fakeaws.S3, *s3.Client) {
	t.Helper()
	offline(t)
	fake := fakeaws.NewS3()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := NewS3Client(context.Background(), ClientOptions{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return fake, c
}

func logKey(base, account, region string, d time.Time, n int) string {
	return fmt.Sprintf("%sAWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%sT0%d05Z_abc%d.json.gz",
		base, account, region, d.Format("2006/01/02"), account, region, d.Format("20060102"), n, n)
}

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestS3PrunesToDayPrefixes(t *testing.T) {
	fake, client := newS3(t)
	const acct = "111111111111"
	for d := date(2024, 3, 1); d.Before(date(2024, 3, 21)); d = d.AddDate(0, 0, 1) {
		for _, region := range []string{"us-east-1", "eu-west-1"} {
			fake.Put("trail-bucket", logKey("trail/", acct, region, d, 1), []byte("x"))
		}
		fake.Put("trail-bucket", "trail/AWSLogs/"+acct+"/CloudTrail-Digest/us-east-1/"+d.Format("2006/01/02")+"/digest.json.gz", []byte("d"))
	}
	fake.Put("trail-bucket", "trail/AWSLogs/"+acct+"/CloudTrail-Insight/us-east-1/2024/03/10/i.json.gz", []byte("i"))

	w := synth.Window{From: time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 3, 11, 12, 0, 0, 0, time.UTC)}
	inputs, rep, err := S3(context.Background(), client, "trail-bucket", "trail", w)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range inputs {
		got = append(got, in.Name)
	}
	var want []string
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		for d := date(2024, 3, 9); !d.After(date(2024, 3, 12)); d = d.AddDate(0, 0, 1) {
			want = append(want, "s3://trail-bucket/"+logKey("trail/", acct, region, d, 1))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("inputs:\n got %q\nwant %q", got, want)
	}
	// Three folder listings, then one listing per region and day.
	var lists []string
	for _, r := range fake.Requests() {
		if r.Op != "ListObjectsV2" {
			t.Errorf("unexpected request %+v", r)
		}
		lists = append(lists, r.Prefix+"|"+r.Delimiter)
	}
	wantLists := []string{"trail/AWSLogs/|/", "trail/AWSLogs/" + acct + "/|/", "trail/AWSLogs/" + acct + "/CloudTrail/|/"}
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		for _, d := range []string{"09", "10", "11", "12"} {
			wantLists = append(wantLists, "trail/AWSLogs/"+acct+"/CloudTrail/"+region+"/2024/03/"+d+"/|")
		}
	}
	if !slices.Equal(lists, wantLists) {
		t.Errorf("listings:\n got %q\nwant %q", lists, wantLists)
	}
	if rep.Skipped["CloudTrail-Digest folder"] != 1 || rep.Skipped["CloudTrail-Insight folder"] != 1 {
		t.Errorf("skipped = %v, want one digest and one insight folder", rep.Skipped)
	}
}

func TestS3OrgLayoutUnboundedAndOpen(t *testing.T) {
	fake, client := newS3(t)
	d := date(2024, 3, 10)
	org := logKey("AWSLogs/o-abc123xyz/", "222222222222", "us-east-1", d, 1)
	org = strings.Replace(org, "AWSLogs/o-abc123xyz/AWSLogs/", "AWSLogs/o-abc123xyz/", 1)
	plain := logKey("", "111111111111", "us-west-2", d, 2)
	plainJSON := strings.TrimSuffix(plain, ".gz")
	body := []byte(`{"Records":[]}`)
	fake.Put("b-1", org, body)
	fake.Put("b-1", plain, []byte("gz"))
	fake.Put("b-1", plainJSON, []byte("json"))
	fake.Put("b-1", "AWSLogs/111111111111/CloudTrail/us-west-2/2024/03/10/notes.txt", []byte("no"))
	fake.Put("b-1", "AWSLogs/o-abc123xyz/222222222222/CloudTrail-Digest/us-east-1/2024/03/10/d.json.gz", []byte("d"))
	fake.Put("b-1", "AWSLogs/README", []byte("no"))
	fake.Put("b-1", "AWSLogs/not-an-account/x.json", []byte("no"))

	inputs, rep, err := S3(context.Background(), client, "b-1", "", synth.Window{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range inputs {
		got = append(got, in.Name)
	}
	want := []string{"s3://b-1/" + plain, "s3://b-1/" + plainJSON, "s3://b-1/" + org}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("inputs:\n got %q\nwant %q", got, want)
	}
	if rep.Skipped["CloudTrail-Digest folder"] != 1 || rep.Skipped["not a log object"] != 1 || rep.Skipped["unexpected folder"] != 1 {
		t.Errorf("skipped = %v", rep.Skipped)
	}
	for _, in := range inputs {
		if in.Name != "s3://b-1/"+org {
			continue
		}
		if in.Size != int64(len(body)) {
			t.Errorf("size = %d, want %d", in.Size, len(body))
		}
		rc, err := in.Open(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(b) != string(body) {
			t.Errorf("read %q, %v; want %q", b, err, body)
		}
	}
}

func TestS3Pagination(t *testing.T) {
	fake, client := newS3(t)
	fake.MaxKeys = 2
	var want []string
	for i := 0; i < 5; i++ {
		acct := fmt.Sprintf("%012d", 100+i)
		for n := 0; n < 5; n++ {
			k := logKey("", acct, "us-east-1", date(2024, 3, 10), n)
			fake.Put("b-2", k, []byte("x"))
			want = append(want, "s3://b-2/"+k)
		}
	}
	slices.Sort(want)
	w := synth.Window{From: date(2024, 3, 10), To: date(2024, 3, 10).Add(time.Hour)}
	inputs, _, err := S3(context.Background(), client, "b-2", "", w)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range inputs {
		got = append(got, in.Name)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("inputs:\n got %q\nwant %q", got, want)
	}
	tokens := 0
	for _, r := range fake.Requests() {
		if r.Token != "" {
			tokens++
		}
	}
	// AWSLogs/ has 5 accounts: 2 continued pages; each day has 5 files: 2 more each.
	if tokens != 2+5*2 {
		t.Errorf("continued listings = %d, want %d", tokens, 12)
	}
}

func TestS3HalfBoundedPrunesDateFolders(t *testing.T) {
	fake, client := newS3(t)
	const acct = "111111111111"
	days := []time.Time{date(2023, 6, 1), date(2024, 2, 28), date(2024, 3, 13), date(2024, 3, 14), date(2024, 3, 20), date(2024, 4, 2)}
	for i, d := range days {
		fake.Put("b-3", logKey("", acct, "us-east-1", d, i), []byte("x"))
	}
	fake.Put("b-3", "AWSLogs/"+acct+"/CloudTrail/us-east-1/misc/x.json", []byte("x"))

	check := func(w synth.Window, wantDays []time.Time, noList string) {
		t.Helper()
		fake.Reset()
		inputs, _, err := S3(context.Background(), client, "b-3", "AWSLogs/"+acct+"/CloudTrail/us-east-1/", w)
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, in := range inputs {
			got = append(got, in.Name)
		}
		for _, d := range wantDays {
			i := slices.IndexFunc(days, func(x time.Time) bool { return x.Equal(d) })
			want = append(want, "s3://b-3/"+logKey("", acct, "us-east-1", d, i))
		}
		if !slices.Equal(got, want) {
			t.Errorf("window %v:\n got %q\nwant %q", w, got, want)
		}
		for _, r := range fake.Requests() {
			if strings.Contains(r.Prefix, noList) {
				t.Errorf("window %v: listed pruned folder %q", w, r.Prefix)
			}
		}
	}
	// From only: 2024-03-15 keeps day folders from 03-14 on.
	check(synth.Window{From: time.Date(2024, 3, 15, 6, 0, 0, 0, time.UTC)}, days[3:], "/2023/")
	// A long bounded window descends the date folders too.
	check(synth.Window{From: date(2024, 1, 1), To: date(2024, 12, 31)}, days[1:], "/2023/06/")
	// To only: 2024-02-27 keeps folders up to 02-28.
	check(synth.Window{To: time.Date(2024, 2, 27, 6, 0, 0, 0, time.UTC)}, days[:2], "/2024/04/")
}

func TestS3ListErrorNamesBucket(t *testing.T) {
	_, client := newS3(t)
	_, _, err := S3(context.Background(), client, "missing-bucket", "", synth.Window{})
	if err == nil || !strings.Contains(err.Error(), "s3://missing-bucket/AWSLogs/") {
		t.Fatalf("err = %v, want one naming the listing", err)
	}
}

func TestDayOfKey(t *testing.T) {
	for key, want := range map[string]string{
		"AWSLogs/1/CloudTrail/r/2024/03/10/f.json.gz": "2024-03-10",
		"a/2024/02/31/f.json":                         "",
		"2024/3/10/f.json":                            "",
		"f.json":                                      "",
	} {
		d, ok := dayOfKey(key)
		got := ""
		if ok {
			got = d.Format("2006-01-02")
		}
		if got != want {
			t.Errorf("dayOfKey(%q) = %q, want %q", key, got, want)
		}
	}
}
