package fetch

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/leastpriv/pare/usage/awsiam"
	"github.com/leastpriv/pare/usage/awsiam/fetch/fakeiam"
)

// offline keeps the SDK away from real credentials, profiles, instance
// metadata and endpoints.
func offline(t *testing.T) {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKEFAKE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fake-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_IAM", "")
}

func sample(t *testing.T) awsiam.Details {
	t.Helper()
	f, err := os.Open("../../../testdata/aws-iam/cloudsplaining/example.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := awsiam.Decode("example.json", f)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// serve starts a fake IAM on 127.0.0.1 and returns a client that reaches
// it through AWS_ENDPOINT_URL_IAM, as a user would point the SDK.
func serve(t *testing.T, fake *fakeiam.IAM) API {
	t.Helper()
	offline(t)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("fake listens on %s", srv.URL)
	}
	t.Setenv("AWS_ENDPOINT_URL_IAM", srv.URL)
	c, err := NewClient(context.Background(), ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDetailsPaged(t *testing.T) {
	want := sample(t)
	fake := fakeiam.New(want)
	fake.PageSize = 50 // 211 entities: 5 pages
	c := serve(t, fake)
	got, err := Details(context.Background(), c, "iam://")
	if err != nil {
		t.Fatal(err)
	}
	// The SDK may retry a call whose pooled connection the transport closed
	// under it (net.ErrClosed; aws-sdk-go-v2#2737): count distinct markers.
	var markers []string
	for _, call := range fake.Calls() {
		if call.Action != "GetAccountAuthorizationDetails" || call.MaxItems != PageSize {
			t.Errorf("call %+v", call)
		}
		if len(markers) == 0 || markers[len(markers)-1] != call.Marker {
			markers = append(markers, call.Marker)
		}
	}
	if want := []string{"", "m50", "m100", "m150", "m200"}; !slices.Equal(markers, want) { // 211 entities, 50 a page
		t.Errorf("markers %q, want %q", markers, want)
	}
	if len(got.Users) != len(want.Users) || len(got.Groups) != len(want.Groups) || len(got.Roles) != len(want.Roles) || len(got.Policies) != len(want.Policies) {
		t.Fatalf("got %d/%d/%d/%d entities", len(got.Users), len(got.Groups), len(got.Roles), len(got.Policies))
	}
	// The API's documents are URL-encoded...
	if doc := got.Policies[0].Versions[0].Document; !strings.HasPrefix(doc, "%7B") {
		t.Errorf("document not URL-encoded: %.40s", doc)
	}
	// ...and resolve to exactly the grants of the CLI's decoded output.
	rows, problems := awsiam.GrantRecords(got)
	wantRows, wantProblems := awsiam.GrantRecords(want)
	if len(rows) < 200 || !reflect.DeepEqual(rows, wantRows) || len(problems) != 0 || len(wantProblems) != 0 {
		t.Errorf("%d rows via iam://, %d from the file, equal %v; problems %v", len(rows), len(wantRows), reflect.DeepEqual(rows, wantRows), problems)
	}
	if got.Name != "iam://" || awsiam.Account(got) != "200611803367" && awsiam.Account(got) != "" {
		t.Errorf("Name %q, Account %q", got.Name, awsiam.Account(got))
	}
}

func TestDetailsAccessDenied(t *testing.T) {
	fake := fakeiam.New(sample(t))
	fake.PageSize = 100
	fake.FailCode = "AccessDenied"
	fake.FailFrom = 2 // the first page succeeds: still nothing partial
	c := serve(t, fake)
	d, err := Details(context.Background(), c, "iam://")
	if err == nil {
		t.Fatal("no error")
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Errorf("error %v does not carry the API error", err)
	}
	for _, want := range []string{"iam://: GetAccountAuthorizationDetails page 2:", "AccessDenied", "SecurityAudit"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if len(d.Users)+len(d.Roles)+len(d.Groups)+len(d.Policies) != 0 {
		t.Error("partial details returned with the error")
	}
}

func TestEndpointOption(t *testing.T) {
	offline(t)
	fake := fakeiam.New(awsiam.Details{Users: []awsiam.User{{Name: "a", ARN: "arn:aws:iam::111122223333:user/a"}}})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, err := NewClient(context.Background(), ClientOptions{Endpoint: srv.URL, Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := Details(context.Background(), c, "iam://111122223333")
	if err != nil || len(d.Users) != 1 || d.Users[0].ARN != "arn:aws:iam::111122223333:user/a" || len(fake.Calls()) == 0 {
		t.Errorf("got %+v, %v", d, err)
	}
}

func TestParseURL(t *testing.T) {
	for _, s := range []string{"iam://", "iam:///"} {
		if !IsURL(s) || ParseURL(s) != nil {
			t.Errorf("%q rejected", s)
		}
	}
	for _, s := range []string{"iam://123456789012", "s3://b", "iam:"} {
		if ParseURL(s) == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
