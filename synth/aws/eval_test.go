package aws

import (
	"testing"

	"github.com/leastpriv/pare/synth"
)

func allow(actions, resources []string) Statement {
	return Statement{Effect: "Allow", Action: actions, Resource: resources}
}

func TestAllows(t *testing.T) {
	tests := []struct {
		name     string
		doc      Document
		action   string
		resource string
		want     bool
	}{
		{"exact", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/k"})), "s3:GetObject", "arn:aws:s3:::b/k", true},
		{"other action", doc(allow([]string{"s3:GetObject"}, []string{"*"})), "s3:PutObject", "arn:aws:s3:::b/k", false},
		{"action case-insensitive", doc(allow([]string{"S3:getobject"}, []string{"*"})), "s3:GetObject", "x", true},
		{"action case-insensitive other way", doc(allow([]string{"s3:GetObject"}, []string{"*"})), "S3:GETOBJECT", "x", true},
		{"prefix wildcard", doc(allow([]string{"s3:Get*"}, []string{"*"})), "s3:GetObjectAcl", "x", true},
		{"prefix wildcard no match", doc(allow([]string{"s3:Get*"}, []string{"*"})), "s3:PutObject", "x", false},
		{"inner wildcard", doc(allow([]string{"s3:*Object"}, []string{"*"})), "s3:PutObject", "x", true},
		{"inner wildcard suffix mismatch", doc(allow([]string{"s3:*Object"}, []string{"*"})), "s3:PutObjectAcl", "x", false},
		{"question mark one char", doc(allow([]string{"ec2:?escribeInstances"}, []string{"*"})), "ec2:DescribeInstances", "x", true},
		{"question mark not zero chars", doc(allow([]string{"ec2:D?escribeInstances"}, []string{"*"})), "ec2:DescribeInstances", "x", false},
		{"all actions", doc(allow([]string{"*"}, []string{"*"})), "iam:CreateUser", "x", true},
		{"resource star matches empty", doc(allow([]string{"s3:ListAllMyBuckets"}, []string{"*"})), "s3:ListAllMyBuckets", "", true},
		{"object pattern", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/*"})), "s3:GetObject", "arn:aws:s3:::b/dir/k", true},
		{"object pattern not bucket", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/*"})), "s3:GetObject", "arn:aws:s3:::b", false},
		{"bucket not object", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b"})), "s3:GetObject", "arn:aws:s3:::b/k", false},
		{"resource case-sensitive", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::B/k"})), "s3:GetObject", "arn:aws:s3:::b/k", false},
		{"resource question mark", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/k?"})), "s3:GetObject", "arn:aws:s3:::b/k1", true},
		{"resource question mark needs one", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/k?"})), "s3:GetObject", "arn:aws:s3:::b/k", false},
		{"question mark is one rune", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/?"})), "s3:GetObject", "arn:aws:s3:::b/é", true},
		{"region wildcard", doc(allow([]string{"ec2:StartInstances"}, []string{"arn:aws:ec2:*:123:instance/*"})), "ec2:StartInstances", "arn:aws:ec2:eu-west-1:123:instance/i-1", true},
		{"five-component pattern matched as a whole string", doc(allow([]string{"ec2:StartInstances"}, []string{"arn:aws:ec2:*:instance/*"})), "ec2:StartInstances", "arn:aws:ec2:eu-west-1:123:instance/i-1", true},
		{"account mismatch", doc(allow([]string{"ec2:StartInstances"}, []string{"arn:aws:ec2:*:123:instance/*"})), "ec2:StartInstances", "arn:aws:ec2:eu-west-1:999:instance/i-1", false},
		{"component wise no span", doc(allow([]string{"iam:PassRole"}, []string{"arn:aws:iam::*:role/x"})), "iam:PassRole", "arn:aws:iam::1:2:role/x", false},
		{"escaped star is literal", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/${*}"})), "s3:GetObject", "arn:aws:s3:::b/*", true},
		{"escaped star not wildcard", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/${*}"})), "s3:GetObject", "arn:aws:s3:::b/k", false},
		{"escaped question", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/${?}"})), "s3:GetObject", "arn:aws:s3:::b/x", false},
		{"escaped dollar", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/${$}{x}"})), "s3:GetObject", "arn:aws:s3:::b/${x}", true},
		{"unresolved variable matches nothing", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/${aws:username}"})), "s3:GetObject", "arn:aws:s3:::b/${aws:username}", false},
		{"unterminated variable matches nothing", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/${x"})), "s3:GetObject", "arn:aws:s3:::b/${x", false},
		{"old version has no variables", Document{Version: "2008-10-17", Statement: []Statement{allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/${aws:username}"})}}, "s3:GetObject", "arn:aws:s3:::b/${aws:username}", true},
		{"deny wins", doc(
			allow([]string{"s3:*"}, []string{"*"}),
			Statement{Effect: "Deny", Action: []string{"s3:DeleteObject"}, Resource: []string{"arn:aws:s3:::b/*"}},
		), "s3:DeleteObject", "arn:aws:s3:::b/k", false},
		{"deny elsewhere", doc(
			allow([]string{"s3:*"}, []string{"*"}),
			Statement{Effect: "Deny", Action: []string{"s3:DeleteObject"}, Resource: []string{"arn:aws:s3:::b/*"}},
		), "s3:DeleteObject", "arn:aws:s3:::c/k", true},
		{"deny first still wins", doc(
			Statement{Effect: "Deny", Action: []string{"*"}, Resource: []string{"*"}},
			allow([]string{"s3:GetObject"}, []string{"*"}),
		), "s3:GetObject", "x", false},
		{"invalid utf-8 literal", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/\xff"})), "s3:GetObject", "arn:aws:s3:::b/\xff", true},
		{"invalid utf-8 distinct bytes", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/\xff"})), "s3:GetObject", "arn:aws:s3:::b/\xfe", false},
		{"invalid utf-8 not replacement char", doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/?\xff"})), "s3:GetObject", "arn:aws:s3:::b/x\uFFFD", false},
		{"bad effect ignored", doc(Statement{Effect: "allow", Action: []string{"*"}, Resource: []string{"*"}}), "s3:GetObject", "x", false},
		{"no statements", doc(), "s3:GetObject", "x", false},
		{"empty action list", doc(allow(nil, []string{"*"})), "s3:GetObject", "x", false},
		{"empty resource list", doc(allow([]string{"*"}, nil)), "s3:GetObject", "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Allows(tt.doc, tt.action, tt.resource); got != tt.want {
				t.Errorf("Allows(%q, %q) = %v, want %v", tt.action, tt.resource, got, tt.want)
			}
		})
	}
}

func doc(sts ...Statement) Document {
	return Document{Version: Version, Statement: sts}
}

func TestAllowsAnyDenyAcrossDocuments(t *testing.T) {
	docs := []Document{
		doc(allow([]string{"s3:GetObject"}, []string{"*"})),
		doc(Statement{Effect: "Deny", Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::secret/*"}}),
	}
	if !AllowsAny(docs, "s3:GetObject", "arn:aws:s3:::b/k") {
		t.Error("allow in first document not honoured")
	}
	if AllowsAny(docs, "s3:GetObject", "arn:aws:s3:::secret/k") {
		t.Error("deny in second document did not win")
	}
	if AllowsAny(nil, "s3:GetObject", "x") {
		t.Error("no documents allowed something")
	}
}

func TestVerify(t *testing.T) {
	p := Policy{Principal: "p", Documents: []Document{doc(allow([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/*"}))}}
	accesses := []synth.Access{
		{Principal: "p", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
		{Principal: "p", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"},
		{Principal: "other", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/k"},
		{Principal: "p", Action: "s3:GetObject", Resource: "arn:aws:s3:::c/k"},
	}
	got := Verify(p, accesses)
	if len(got) != 2 || got[0].Action != "s3:PutObject" || got[1].Resource != "arn:aws:s3:::c/k" {
		t.Errorf("Verify = %+v, want the PutObject and the c/k accesses", got)
	}
}
