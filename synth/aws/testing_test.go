package aws

import (
	"sort"
	"strings"

	"github.com/leastpriv/pare/synth/catalog"
)

// *catalog.AWS must satisfy Catalog.
var _ Catalog = (*catalog.AWS)(nil)

// fakeCatalog is a small stand-in for the embedded catalog, keyed by lower
// case action name.
type fakeCatalog map[string]catalog.ActionInfo

func (c fakeCatalog) Action(name string) (catalog.ActionInfo, bool) {
	info, ok := c[strings.ToLower(name)]
	return info, ok
}

// names returns the canonical action names, sorted.
func (c fakeCatalog) names() []string {
	var out []string
	for _, info := range c {
		out = append(out, info.Name)
	}
	sort.Strings(out)
	return out
}

func newFakeCatalog() fakeCatalog {
	c := fakeCatalog{}
	add := func(name string, types ...string) {
		info := catalog.ActionInfo{Name: name, AccessLevel: "Read"}
		for _, t := range types {
			info.ResourceTypes = append(info.ResourceTypes, catalog.ResourceRef{Name: t, Required: true})
		}
		c[strings.ToLower(name)] = info
	}
	add("s3:GetObject", "object")
	add("s3:PutObject", "object")
	add("s3:DeleteObject", "object")
	add("s3:ListBucket", "bucket")
	add("s3:ListAllMyBuckets")
	add("iam:PassRole", "role")
	add("iam:GetRole", "role")
	add("ec2:DescribeInstances")
	add("ec2:StartInstances", "instance")
	add("ec2:StopInstances", "instance")
	add("lambda:InvokeFunction", "function")
	add("dynamodb:GetItem", "table")
	add("sqs:SendMessage", "queue")
	add("kms:Decrypt", "key")
	add("sts:GetCallerIdentity")
	add("logs:PutLogEvents", "log-stream")
	return c
}
