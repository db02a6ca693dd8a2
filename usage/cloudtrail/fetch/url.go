package fetch

import (
	"fmt"
	"strings"
)

// URL is a parsed remote input: s3://BUCKET/PREFIX or cloudtrail://REGION.
type URL struct {
	Scheme string // "s3" or "cloudtrail"
	Bucket string // s3 only
	Prefix string // s3 only; "" for the whole bucket, otherwise as given (no leading "/")
	Region string // cloudtrail only
}

// String gives the URL back in its canonical form.
func (u URL) String() string {
	if u.Scheme == "cloudtrail" {
		return "cloudtrail://" + u.Region
	}
	if u.Prefix == "" {
		return "s3://" + u.Bucket
	}
	return "s3://" + u.Bucket + "/" + u.Prefix
}

// IsURL reports whether s names a remote input this package handles, so
// callers can tell it apart from a local path.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "s3://") || strings.HasPrefix(s, "cloudtrail://")
}

// ParseURL splits "s3://bucket/prefix" and "cloudtrail://region" inputs. An
// error names what is wrong.
func ParseURL(s string) (URL, error) {
	switch {
	case strings.HasPrefix(s, "s3://"):
		rest := strings.TrimPrefix(s, "s3://")
		bucket, prefix, _ := strings.Cut(rest, "/")
		if bucket == "" {
			return URL{}, fmt.Errorf("parsing %q: missing bucket name after s3://", s)
		}
		if err := checkBucket(bucket); err != nil {
			return URL{}, fmt.Errorf("parsing %q: %w", s, err)
		}
		prefix = strings.TrimLeft(prefix, "/")
		if strings.ContainsAny(prefix, "\x00\r\n") {
			return URL{}, fmt.Errorf("parsing %q: prefix contains a control character", s)
		}
		return URL{Scheme: "s3", Bucket: bucket, Prefix: prefix}, nil
	case strings.HasPrefix(s, "cloudtrail://"):
		region := strings.TrimSuffix(strings.TrimPrefix(s, "cloudtrail://"), "/")
		if region == "" {
			return URL{}, fmt.Errorf("parsing %q: missing region after cloudtrail:// (e.g. cloudtrail://us-east-1)", s)
		}
		if strings.Contains(region, "/") {
			return URL{}, fmt.Errorf("parsing %q: cloudtrail:// takes a region only, not a path", s)
		}
		if !validRegion(region) {
			return URL{}, fmt.Errorf("parsing %q: %q does not look like an AWS region (e.g. us-east-1)", s, region)
		}
		return URL{Scheme: "cloudtrail", Region: region}, nil
	}
	scheme, _, ok := strings.Cut(s, "://")
	if ok {
		return URL{}, fmt.Errorf("parsing %q: unsupported scheme %q (want s3:// or cloudtrail://)", s, scheme)
	}
	return URL{}, fmt.Errorf("parsing %q: not a URL (want s3://BUCKET/PREFIX or cloudtrail://REGION)", s)
}

// checkBucket applies S3's bucket naming rules loosely: 3 to 63 characters
// of lower-case letters, digits, dots and hyphens, starting and ending with a
// letter or digit.
func checkBucket(b string) error {
	if len(b) < 3 || len(b) > 63 {
		return fmt.Errorf("bucket name %q must be 3 to 63 characters long", b)
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-'
		if !ok {
			return fmt.Errorf("bucket name %q has an invalid character %q (allowed: a-z 0-9 . -)", b, c)
		}
	}
	if !alnum(b[0]) || !alnum(b[len(b)-1]) {
		return fmt.Errorf("bucket name %q must start and end with a letter or digit", b)
	}
	return nil
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// validRegion accepts names shaped like AWS regions: lower-case words joined
// by hyphens, ending in a number (us-east-1, us-gov-west-1, eu-central-2).
func validRegion(r string) bool {
	parts := strings.Split(r, "-")
	if len(parts) < 3 || len(r) > 32 {
		return false
	}
	for i, p := range parts {
		if p == "" {
			return false
		}
		for j := 0; j < len(p); j++ {
			c := p[j]
			last := i == len(parts)-1
			if last && !(c >= '0' && c <= '9') || !last && !(c >= 'a' && c <= 'z') {
				return false
			}
		}
	}
	return true
}
