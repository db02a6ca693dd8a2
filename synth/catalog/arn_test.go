package catalog

import (
	"strings"
	"testing"
)

func lookupFrom(m map[string]string) func(string) (string, bool) {
	return func(v string) (string, bool) {
		s, ok := m[v]
		return s, ok
	}
}

func TestFillARN(t *testing.T) {
	base := map[string]string{"Partition": "aws", "Region": "us-east-1", "Account": "123456789012"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tt := range []struct {
		format string
		vars   map[string]string
		want   string // "" = false
	}{
		{"arn:${Partition}:s3:::${BucketName}/${ObjectName}", with("BucketName", "b", "ObjectName", "dir/key.txt"), "arn:aws:s3:::b/dir/key.txt"},
		{"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", with("RoleNameWithPath", "svc/app"), "arn:aws:iam::123456789012:role/svc/app"},
		{"arn:${Partition}:sqs:${Region}:${Account}:${QueueName}", with("QueueName", "q"), "arn:aws:sqs:us-east-1:123456789012:q"},
		{"*", base, "*"},
		// Attacker-ish values are inserted literally, never expanded again.
		{"arn:${Partition}:s3:::${BucketName}/${ObjectName}", with("BucketName", "b", "ObjectName", "${Account}"), "arn:aws:s3:::b/${Account}"},
		{"arn:${Partition}:s3:::${BucketName}/${ObjectName}", with("BucketName", "b", "ObjectName", "a*b?c"), "arn:aws:s3:::b/a*b?c"},
		{"arn:${Partition}:s3:::${BucketName}/${ObjectName}", with("BucketName", "b", "ObjectName", "with space %{x}"), "arn:aws:s3:::b/with space %{x}"},
		// Missing, empty or out-of-segment values.
		{"arn:${Partition}:s3:::${BucketName}", base, ""},
		{"arn:${Partition}:s3:::${BucketName}", with("BucketName", ""), ""},
		{"arn:${Partition}:sqs:${Region}:${Account}:${QueueName}", with("QueueName", "q", "Account", "1:2"), ""},
		{"arn:${Partition}:sqs:${Region}:${Account}:${QueueName}", with("QueueName", "q", "Region", "us-east-1/x"), ""},
		{"arn:${Partition}:sqs:${Region}:${Account}:${QueueName}", with("QueueName", "q", "Partition", "aws:x"), ""},
		// Malformed formats.
		{"arn:${Partition", base, ""},
		{"arn:${}:x", base, ""},
	} {
		got, ok := FillARN(tt.format, lookupFrom(tt.vars))
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("FillARN(%q, %v) = %q, %v; want %q", tt.format, tt.vars, got, ok, tt.want)
		}
	}
}

func TestMatchARN(t *testing.T) {
	const object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
	const queue = "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}"
	const role = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
	for _, tt := range []struct {
		format, arn string
		want        bool
	}{
		{object, "arn:aws:s3:::bucket/key", true},
		{object, "arn:aws:s3:::bucket/dir/sub/key.txt", true},
		{object, "arn:aws-cn:s3:::bucket/a b/${x}*?", true},
		{object, "arn:aws:s3:::bucket", false},
		{object, "arn:aws:s3:::bucket/", false},
		{object, "arn:aws:s3:::/key", false},
		{object, "arn::s3:::bucket/key", false},
		{object, "arn:aws:s3:us-east-1::bucket/key", false},
		{object, "arn:aws:S3:::bucket/key", false},
		{queue, "arn:aws:sqs:us-east-1:123456789012:q", true},
		{queue, "arn:aws:sqs:us-east-1:123456789012:q:extra", true},
		{queue, "arn:aws:sqs:us-east-1/x:123456789012:q", false},
		{queue, "arn:aws:sqs:us-east-1:12/34:q", false},
		{queue, "arn:aws:sqs::123456789012:q", false},
		{queue, "arn:aws:sqs:us-east-1:123456789012:", false},
		{role, "arn:aws:iam::123456789012:role/path/to/name", true},
		{role, "arn:aws:iam::123456789012:user/name", false},
		{"*", "*", true},
		{"*", "anything", false},
		{"arn:${Partition", "arn:${Partition", false},
		{"", "", true},
		{"", "x", false},
	} {
		if got := MatchARN(tt.format, tt.arn); got != tt.want {
			t.Errorf("MatchARN(%q, %q) = %v, want %v", tt.format, tt.arn, got, tt.want)
		}
	}
}

// TestFillMatchRoundTrip fills every ARN format of a few actions and checks
// the result matches its own format.
func TestFillMatchRoundTrip(t *testing.T) {
	c := mustLoad(t)
	lookup := func(v string) (string, bool) {
		switch v {
		case "Partition":
			return "aws", true
		case "Region":
			return "eu-west-1", true
		case "Account":
			return "123456789012", true
		}
		return "v/${" + v + "}*", true
	}
	n := 0
	for _, name := range []string{"s3:GetObject", "iam:PassRole", "lambda:InvokeFunction", "kms:Decrypt", "ec2:RunInstances", "logs:PutLogEvents"} {
		a, ok := c.Action(name)
		if !ok {
			t.Fatalf("%s not in catalog", name)
		}
		for _, r := range a.ResourceTypes {
			for _, f := range r.ARNFormats {
				arn, ok := FillARN(f, lookup)
				if !ok {
					t.Errorf("FillARN(%q) failed", f)
					continue
				}
				n++
				if !MatchARN(f, arn) {
					t.Errorf("MatchARN(%q, %q) = false for its own filled ARN", f, arn)
				}
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d formats checked", n)
	}
}

func TestMatchARNLong(t *testing.T) {
	// Linear, not exponential: many variables against a long ARN.
	format := strings.Repeat("${A}/", 20) + "${B}"
	arn := strings.Repeat("a/", 5000) + "b"
	if !MatchARN(format, arn) {
		t.Error("long ARN does not match")
	}
	if MatchARN(format+"x", arn) {
		t.Error("long ARN matches a format it cannot fit")
	}
}

func TestQuoteARN(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:s3:::b/key":    "arn:aws:s3:::b/key",
		"arn:aws:s3:::b/a*b?c":  "arn:aws:s3:::b/a${*}b${?}c",
		"arn:aws:s3:::b/${aws}": "arn:aws:s3:::b/${$}{aws}",
		"":                      "",
	} {
		if got := QuoteARN(in); got != want {
			t.Errorf("QuoteARN(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzMatchARN(f *testing.F) {
	f.Add("arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::b/k")
	f.Add("${Account}${Region}", "12")
	f.Add("${", "${")
	f.Fuzz(func(t *testing.T, format, arn string) {
		MatchARN(format, arn) // must not panic
		filled, ok := FillARN(format, func(v string) (string, bool) {
			if segmentVariable(v) {
				return "seg", true
			}
			return "x/y", true
		})
		if ok && !MatchARN(format, filled) {
			t.Errorf("MatchARN(%q, FillARN = %q) = false", format, filled)
		}
	})
}
