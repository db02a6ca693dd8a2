package prconfig_test

import (
	"fmt"

	"github.com/leastpriv/pare/cmd/pare/internal/prconfig"
)

func ExampleParse() {
	c, err := prconfig.Parse("/repo/pare.hcl", []byte(`
sources = ["logs", "s3://trail/AWSLogs/"]
window  = "90d"

manage "aws" {
  principals = ["arn:aws:iam::*:role/app-*"]
  path       = "${provider}/iam/${name}.tf"
  format     = "terraform"
}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	m := c.Manage[0]
	fmt.Println(c.Sources, c.Window, c.Branch)
	fmt.Println(m.Principals, m.PathFor("123456789012-role-app-web"))

	_, err = prconfig.Parse("pare.hcl", []byte(`
manage "aws" {
  principals = ["*"]
  path       = "../iam/${principal}.tf"
  format     = "yaml"
}
`))
	fmt.Println(err)
	// Output:
	// [/repo/logs s3://trail/AWSLogs/] 2160h0m0s per-principal
	// [arn:aws:iam::*:role/app-*] aws/iam/123456789012-role-app-web.tf
	// pare.hcl:4:26: Unknown variable; path can use ${name} and ${provider}, not "principal"
	// pare.hcl:5:16: Invalid format; manage "aws" writes "json" or "terraform", not "yaml"
}
