package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/leastpriv/pare/emit"
	"github.com/leastpriv/pare/synth/aws"
	"github.com/leastpriv/pare/synth/remediate"
)

func render(t *testing.T, docs ...aws.Document) string {
	t.Helper()
	var tfp []emit.TerraformPolicy
	for i, d := range docs {
		tfp = append(tfp, emit.TerraformPolicy{Name: "pare-app-" + string(rune('a'+i)), Description: "Least privilege for x ${y}", Document: d})
	}
	var b bytes.Buffer
	if err := emit.Terraform(&b, tfp); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func doc() aws.Document {
	return aws.Document{Version: aws.Version, Statement: []aws.Statement{
		{Sid: "PareA", Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::b/${*}x", "arn:aws:s3:::b/%{ if }${jndi:x}"}},
		{Sid: "PareB", Effect: "Allow", Action: []string{"ec2:DescribeInstances"}, Resource: []string{"*"}},
		{Sid: "PareC", Effect: "Deny", Action: []string{"iam:*"}, Resource: []string{"*"}},
	}}
}

func TestRoundTrip(t *testing.T) {
	src := render(t, doc(), doc())
	docs, err := decodeAWSTerraform("iam/app.tf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 {
		t.Fatalf("%d docs", len(docs))
	}
	got := docs[0]
	if got.Version != aws.Version || len(got.Statements) != 3 || got.Statements[0].Resource[0] != "arn:aws:s3:::b/${*}x" || got.Statements[0].Resource[1] != "arn:aws:s3:::b/%{ if }${jndi:x}" || got.Statements[2].Effect != "Deny" {
		t.Errorf("doc = %+v", got)
	}
	for _, st := range got.Statements {
		if st.Keep || st.Line == 0 {
			t.Errorf("statement %+v", st)
		}
	}
	t.Log(src)
}

func TestKeepComments(t *testing.T) {
	src := render(t, doc(), doc())
	lines := strings.Split(src, "\n")
	// Mark statement B of the first resource: a comment inside it.
	var out []string
	seenB := false
	for _, l := range lines {
		out = append(out, l)
		if strings.Contains(l, `"PareB"`) && !seenB {
			seenB = true
			out = append(out, "      # pare:keep break glass")
		}
	}
	// Mark the whole second resource: a comment above it.
	joined := strings.Join(out, "\n")
	i := strings.LastIndex(joined, "resource \"aws_iam_policy\"")
	joined = joined[:i] + "// pare:keep\n" + joined[i:]
	docs, err := decodeAWSTerraform("iam/app.tf", []byte(joined))
	if err != nil {
		t.Fatal(err)
	}
	var keep []bool
	for _, d := range docs {
		for _, st := range d.Statements {
			keep = append(keep, st.Keep)
		}
	}
	want := []bool{false, true, false, true, true, true}
	for i := range want {
		if keep[i] != want[i] {
			t.Errorf("keep = %v, want %v\n%s", keep, want, joined)
			break
		}
	}
	// The plan carries the kept statements over.
	_, err = remediate.MergeKeptAWS(aws.Policy{}, docs)
	if err != nil {
		t.Fatal(err)
	}
}

func TestRefuses(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"syntax", "resource \"aws_iam_policy\" \"x\" {\n  policy = \n}\n", "iam/app.tf:"},
		{"other block", render(t, doc()) + "\nresource \"aws_iam_role_policy_attachment\" \"a\" {\n  role = \"x\"\n}\n", "iam/app.tf:"},
		{"reference", "resource \"aws_iam_policy\" \"x\" {\n  policy = data.aws_iam_policy_document.x.json\n}\n", "not a literal"},
		{"bad json", "resource \"aws_iam_policy\" \"x\" {\n  policy = \"{\\\"Statement\\\": 3}\"\n}\n", "Statement: want"},
		{"json string ok but effect", "resource \"aws_iam_policy\" \"x\" {\n  policy = jsonencode({Statement = [{Effect = \"allow\", Action = \"a:b\", Resource = \"*\"}]})\n}\n", "Effect"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeAWSTerraform("iam/app.tf", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
			t.Log(err)
		})
	}
}
