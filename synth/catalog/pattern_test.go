package catalog

import (
	"slices"
	"testing"
)

func TestExpandPattern(t *testing.T) {
	c := mustLoad(t)
	for _, tt := range []struct {
		pattern  string
		contains []string
		excludes []string
		min, max int
	}{
		{"s3:GetObject", []string{"s3:GetObject"}, nil, 1, 1},
		{"S3:GETOBJECT", []string{"s3:GetObject"}, nil, 1, 1},
		{"s3:GetObject*", []string{"s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion"}, []string{"s3:PutObject"}, 5, 100},
		{"kms:ReEncrypt*", []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"}, nil, 2, 2},
		{"sts:Get?allerIdentity", []string{"sts:GetCallerIdentity"}, nil, 1, 1},
		{"*:PassRole", []string{"iam:PassRole"}, nil, 1, 10},
		{"iam:*", []string{"iam:PassRole", "iam:CreateRole"}, []string{"s3:GetObject"}, 100, 1000},
		{"*", []string{"s3:GetObject", "iam:PassRole"}, nil, 15000, 100000},
		{"s3:NoSuch*", nil, nil, 0, 0},
		{"", nil, nil, 0, 0},
	} {
		got := c.ExpandPattern(tt.pattern)
		if len(got) < tt.min || len(got) > tt.max {
			t.Errorf("ExpandPattern(%q) has %d actions, want %d to %d", tt.pattern, len(got), tt.min, tt.max)
		}
		for _, a := range tt.contains {
			if !slices.Contains(got, a) {
				t.Errorf("ExpandPattern(%q) lacks %s", tt.pattern, a)
			}
		}
		for _, a := range tt.excludes {
			if slices.Contains(got, a) {
				t.Errorf("ExpandPattern(%q) has %s", tt.pattern, a)
			}
		}
		if !slices.IsSortedFunc(got, func(a, b string) int { return compareFold(a, b) }) {
			t.Errorf("ExpandPattern(%q) is not sorted", tt.pattern)
		}
	}
	if all := c.ExpandPattern("*"); len(all) != c.Len() {
		t.Errorf("ExpandPattern(*) has %d actions, catalog %d", len(all), c.Len())
	}
}

func compareFold(a, b string) int {
	la, lb := []byte(a), []byte(b)
	for i := range la {
		if 'A' <= la[i] && la[i] <= 'Z' {
			la[i] += 'a' - 'A'
		}
	}
	for i := range lb {
		if 'A' <= lb[i] && lb[i] <= 'Z' {
			lb[i] += 'a' - 'A'
		}
	}
	return slices.Compare(la, lb)
}

func TestMatchWildcard(t *testing.T) {
	for _, tt := range []struct {
		p, s string
		want bool
	}{
		{"", "", true},
		{"*", "", true},
		{"?", "", false},
		{"a*b", "ab", true},
		{"a*b", "axxb", true},
		{"a*b", "axxbc", false},
		{"a*b*c", "abbbc", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"**", "x", true},
	} {
		if got := matchWildcard(tt.p, tt.s); got != tt.want {
			t.Errorf("matchWildcard(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
	}
}

func BenchmarkExpandPattern(b *testing.B) {
	c := mustLoad(b)
	for b.Loop() {
		c.ExpandPattern("s3:Get*")
	}
}
