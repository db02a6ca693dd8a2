package aws

import (
	"fmt"
	"testing"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/report"
)

// BenchmarkCovers asks Covers about one entitlement and access pair, for
// the resource patterns reports meet: a literal ARN, an ARN with a '*' in
// its resource part, one with a '*' in its region, and a non-ARN pattern.
func BenchmarkCovers(b *testing.B) {
	cases := []struct{ name, pattern, resource string }{
		{"literal", "arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket/key"},
		{"resource-star", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c.txt"},
		{"region-star", "arn:aws:sqs:*:123456789012:queue-?", "arn:aws:sqs:eu-west-1:123456789012:queue-7"},
		{"no-arn", "bucket-*", "bucket-42"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			e := synth.Entitlement{Action: "s3:GetObject", Resource: c.pattern}
			a := synth.Access{Action: "s3:getobject", Resource: c.resource}
			if !Covers(e, a) {
				b.Fatalf("%s does not cover %s", c.pattern, c.resource)
			}
			for b.Loop() {
				Covers(e, a)
			}
		})
	}
}

// BenchmarkAllows asks one document about 1,000 accesses, as PlanAWS and
// the remediation checks do: compiling it for every question (Allows), and
// once for all of them (Compile).
func BenchmarkAllows(b *testing.B) {
	var stmts []Statement
	for i := range 50 {
		stmts = append(stmts, Statement{Effect: "Allow", Action: []string{fmt.Sprintf("svc%d:Get*", i), fmt.Sprintf("svc%d:Put", i)},
			Resource: []string{fmt.Sprintf("arn:aws:s3:::bucket%d/*", i), fmt.Sprintf("arn:aws:s3:::bucket%d", i)}})
	}
	doc := Document{Version: Version, Statement: stmts}
	var actions, resources []string
	for i := range 1000 {
		actions = append(actions, fmt.Sprintf("svc%d:GetObject", i%50))
		resources = append(resources, fmt.Sprintf("arn:aws:s3:::bucket%d/k", i%60))
	}
	b.Run("each", func(b *testing.B) {
		for b.Loop() {
			for i := range actions {
				Allows(doc, actions[i], resources[i])
			}
		}
	})
	b.Run("compiled", func(b *testing.B) {
		for b.Loop() {
			e := Compile([]Document{doc})
			for i := range actions {
				e.Allows(actions[i], resources[i])
			}
		}
	})
}

// BenchmarkCompareCovers runs report.Compare with Covers over 100
// principals, each with 500 entitlements (a fifth on bucket patterns, some
// with a '*' in the region) and 200 accesses, most of them covered: the
// share of a report's time spent matching resources.
func BenchmarkCompareCovers(b *testing.B) {
	in := report.Input{Provider: "aws", Covers: Covers}
	for p := range 100 {
		name := fmt.Sprintf("arn:aws:iam::123456789012:role/r%d", p)
		resourceOf := func(j int) string {
			switch j % 10 {
			case 0:
				return fmt.Sprintf("arn:aws:s3:::bucket-%d/*", j%7)
			case 1:
				return fmt.Sprintf("arn:aws:sqs:*:123456789012:queue-%d", j%5)
			}
			return "*"
		}
		for j := range 500 {
			in.Entitlements = append(in.Entitlements, synth.Entitlement{Provider: "aws", Principal: name,
				Action: fmt.Sprintf("svc%d:Action%d", j%40, j), Resource: resourceOf(j)})
		}
		for k := range 200 {
			j := (k * 7) % 500
			resource := resourceOf(j)
			switch j % 10 {
			case 0:
				resource = fmt.Sprintf("arn:aws:s3:::bucket-%d/obj%d", j%7, k)
			case 1:
				resource = fmt.Sprintf("arn:aws:sqs:eu-west-1:123456789012:queue-%d", j%5)
			}
			in.Used = append(in.Used, synth.Access{Provider: "aws", Principal: name, Action: fmt.Sprintf("svc%d:Action%d", j%40, j),
				Resource: resource, Count: 1})
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if out := report.Compare(in); len(out) != 100 || out[0].Used == 0 || out[0].NotGranted != 0 {
			b.Fatalf("%d principals, %d used, %d not granted", len(out), out[0].Used, out[0].NotGranted)
		}
	}
}
