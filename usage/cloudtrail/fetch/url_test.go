package fetch

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want URL
		err  string // substring of the error; "" when it parses
	}{
		{"s3://my-trail", URL{Scheme: "s3", Bucket: "my-trail"}, ""},
		{"s3://my-trail/", URL{Scheme: "s3", Bucket: "my-trail"}, ""},
		{"s3://my.trail/logs/AWSLogs/", URL{Scheme: "s3", Bucket: "my.trail", Prefix: "logs/AWSLogs/"}, ""},
		{"cloudtrail://us-east-1", URL{Scheme: "cloudtrail", Region: "us-east-1"}, ""},
		{"cloudtrail://us-gov-west-1/", URL{Scheme: "cloudtrail", Region: "us-gov-west-1"}, ""},
		{"s3://", URL{}, "missing bucket"},
		{"s3:///prefix", URL{}, "missing bucket"},
		{"s3://My_Bucket/x", URL{}, "invalid character"},
		{"s3://ab", URL{}, "3 to 63"},
		{"s3://-ab/x", URL{}, "start and end"},
		{"s3://bucket/a\nb", URL{}, "control character"},
		{"cloudtrail://", URL{}, "missing region"},
		{"cloudtrail://us-east-1/2024", URL{}, "region only"},
		{"cloudtrail://useast1", URL{}, "does not look like an AWS region"},
		{"cloudtrail://US-EAST-1", URL{}, "does not look like an AWS region"},
		{"gs://bucket", URL{}, `unsupported scheme "gs"`},
		{"logs/2024", URL{}, "not a URL"},
	} {
		got, err := ParseURL(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseURL(%q) error = %v, want one containing %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			continue
		}
		if back, err := ParseURL(got.String()); err != nil || back != got {
			t.Errorf("ParseURL(%q).String() = %q does not parse back", tc.in, got.String())
		}
	}
	if !IsURL("s3://x") || !IsURL("cloudtrail://x") || IsURL("/tmp/s3://x") {
		t.Error("IsURL")
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"s3://b-1/p", "cloudtrail://eu-west-1", "s3://", "x://y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURL(s)
		if err != nil {
			return
		}
		if back, err := ParseURL(u.String()); err != nil || back != u {
			t.Errorf("ParseURL(%q) = %+v does not round-trip: %+v, %v", s, u, back, err)
		}
	})
}
