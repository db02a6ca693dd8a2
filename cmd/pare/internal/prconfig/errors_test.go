package prconfig

import (
	"errors"
	"strings"
	"testing"
)

// okManage is a valid manage block, for cases about something else.
const okManage = `
manage "aws" {
  principals = ["*"]
  path       = "iam/${name}.tf"
  format     = "terraform"
}
`

// manageWith is a manage block of provider with the given body lines.
func manageWith(provider string, lines ...string) string {
	return "manage \"" + provider + "\" {\n" + strings.Join(lines, "\n") + "\n}\n"
}

// awsWithPath is an aws manage block whose path (line 4, column 16) is
// written as given.
func awsWithPath(path string) string {
	return "\n" + manageWith("aws", `  principals = ["*"]`, `  format     = "json"`, `  path       = `+path)
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		// Unknown and misplaced attributes and blocks.
		{"unknown attribute", `colour = "red"` + okManage,
			`pare.hcl:1:1: Unsupported argument; An argument named "colour" is not expected here.`},
		{"misspelt attribute", `windw = "90d"` + okManage,
			`pare.hcl:1:1: Unsupported argument; An argument named "windw" is not expected here. Did you mean "window"?`},
		{"unknown block", `project "x" {}` + okManage,
			`pare.hcl:1:1: Unsupported block type; Blocks of type "project" are not expected here.`},
		{"unknown forge attribute", "forge \"github\" {\n  repository = \"acme/infra\"\n  token      = \"x\"\n}\n" + okManage,
			`pare.hcl:3:3: Unsupported argument; An argument named "token" is not expected here.`},
		{"unknown manage attribute", manageWith("aws", `  principals = ["*"]`, `  path       = "iam/${name}.tf"`, `  format     = "json"`, `  formats    = "json"`),
			`pare.hcl:5:3: Unsupported argument; An argument named "formats" is not expected here.`},
		{"attribute twice", "window = \"1d\"\nwindow = \"2d\"\n" + okManage,
			`pare.hcl:2:1: Attribute redefined; The argument "window" was already set at pare.hcl:1,1-7. Each argument may be set only once.`},
		{"newline in a string", "window = \"90d\n" + okManage,
			`pare.hcl:1:14: Invalid multi-line string; Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \n escape to represent a newline character or use the "heredoc" multi-line template syntax.`},
		{"unclosed block", okManage + "forge \"github\" {\n  repository = \"acme/infra\"\n",
			`pare.hcl:7:16: Unclosed configuration block; There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.`},
		{"missing equals", "window \"90d\"\n" + okManage,
			`pare.hcl:1:13: Invalid block definition; A block definition must have block content delimited by "{" and "}", starting on the same line as the block header.`},
		{"no manage block", `window = "90d"`,
			`pare.hcl:1:1: Missing manage block; nothing to manage: add a manage "aws", "azure" or "k8s" block with principals, path and format`},
		{"empty file", ``,
			`pare.hcl:1:1: Missing manage block; nothing to manage: add a manage "aws", "azure" or "k8s" block with principals, path and format`},

		// Types and values of top-level attributes.
		{"number for a duration", `window = 90` + okManage,
			`pare.hcl:1:10: Invalid duration; window "90": not a positive duration; write a number of days, weeks or hours, like "90d", "2w" or "36h"`},
		{"list for a duration", `window = ["90d"]` + okManage,
			`pare.hcl:1:10: Incorrect value type; window must be a duration like "90d"`},
		{"null", `window = null` + okManage,
			`pare.hcl:1:10: Invalid value; window must be a duration like "90d", not null`},
		{"bad duration", `min_window = "a month"` + okManage,
			`pare.hcl:1:14: Invalid duration; min_window "a month": not a positive duration; write a number of days, weeks or hours, like "90d", "2w" or "36h"`},
		{"variable", `window = var.window` + okManage,
			`pare.hcl:1:10: Variables not allowed; Variables may not be used here.`},
		{"function", `window = format("%dd", 90)` + okManage,
			`pare.hcl:1:10: Function calls not allowed; Functions may not be called here.`},
		{"min_window over window", "window     = \"30d\"\nmin_window = \"13w\"\n" + okManage,
			`pare.hcl:2:14: Invalid min_window; min_window (91d) is longer than window (30d at pare.hcl:1:14): pare could never remove anything`},
		{"min_window in hours over window", "window     = \"1d\"\nmin_window = \"36h\"\n" + okManage,
			`pare.hcl:2:14: Invalid min_window; min_window (36h) is longer than window (1d at pare.hcl:1:14): pare could never remove anything`},
		{"string for sources", `sources = "../logs"` + okManage,
			`pare.hcl:1:11: Incorrect value type; sources must be a list of inputs, like ["../logs"]`},
		{"empty source", `sources = ["../logs", ""]` + okManage,
			`pare.hcl:1:23: Invalid value; sources must be a list of inputs, like ["../logs"]; element 2 is empty`},
		{"null source", "sources = [\n  \"../logs\",\n  null,\n]" + okManage,
			`pare.hcl:3:3: Invalid value; sources must be a list of inputs, like ["../logs"]; element 2 is null`},
		{"unknown URL", `sources = ["gs://bucket/logs"]` + okManage,
			`pare.hcl:1:12: Unsupported source; pare does not read gs:// sources (it reads files, directories, globs, s3://, cloudtrail://, azure-logs://, k8s://, iam://)`},
		{"db URL", `db = "s3://bucket/pare.duckdb"` + okManage,
			`pare.hcl:1:6: Invalid value; db must be a local file, not "s3://bucket/pare.duckdb"`},
		{"empty db", `db = ""` + okManage,
			`pare.hcl:1:6: Invalid value; db must not be empty: it must be a file name, like "pare.duckdb"`},
		{"string for a bool", `reopen_closed = "yes"` + okManage,
			`pare.hcl:1:17: Incorrect value type; reopen_closed must be true or false`},
		{"branch mode", `branch = "per-provider"` + okManage,
			`pare.hcl:1:10: Invalid value; branch must be "per-principal" or "batch", not "per-provider"`},
		{"branch_name per principal", `branch_name = "pare/all"` + okManage,
			`pare.hcl:1:1: Invalid argument; branch_name is for branch = "batch"; per-principal branches are named pare/<provider>/<name>`},
		{"branch_name", "branch      = \"batch\"\nbranch_name = \"pare/least privilege\"\n" + okManage,
			`pare.hcl:2:15: Invalid branch name; "pare/least privilege": contains a space, a control character or one of ~^:?*[\`},
		{"commit author", `commit_author = "pare@localhost"` + okManage,
			`pare.hcl:1:17: Invalid commit author; "pare@localhost": not "Name <email>"; write it as "Name <email>"`},

		// The forge block.
		{"unknown forge", "forge \"bitbucket\" {\n  repository = \"acme/infra\"\n}\n" + okManage,
			`pare.hcl:1:7: Unknown forge; forge must be "github" or "gitlab", not "bitbucket"`},
		{"forge without kind", "forge {\n  repository = \"acme/infra\"\n}\n" + okManage,
			`pare.hcl:1:7: Missing kind for forge; All forge blocks must have 1 labels (kind).`},
		{"forge without repository", "forge \"github\" {\n  base = \"main\"\n}\n" + okManage,
			`pare.hcl:1:16: Missing required argument; The argument "repository" is required, but no definition was found.`},
		{"github repository", "forge \"github\" {\n  repository = \"acme/infra/live\"\n}\n" + okManage,
			`pare.hcl:2:16: Invalid repository; "acme/infra/live" is not a github repository: write it as "owner/name"`},
		{"gitlab repository", "forge \"gitlab\" {\n  repository = \"infra\"\n}\n" + okManage,
			`pare.hcl:2:16: Invalid repository; "infra" is not a gitlab repository: write it as "owner/name", "group/subgroup/project" or the project's numeric id`},
		{"base", "forge \"github\" {\n  repository = \"acme/infra\"\n  base       = \"main..x\"\n}\n" + okManage,
			`pare.hcl:3:16: Invalid branch name; base "main..x": contains ".."`},
		{"url scheme", "forge \"github\" {\n  repository = \"acme/infra\"\n  url        = \"github.example.com/api/v3\"\n}\n" + okManage,
			`pare.hcl:3:16: Invalid URL; url must be the forge API's http(s) URL, like "https://github.example.com/api/v3/"`},
		{"url credentials", "forge \"github\" {\n  repository = \"acme/infra\"\n  url        = \"https://x-access-token:ghp_secret@github.example.com/api/v3/\"\n}\n" + okManage,
			`pare.hcl:3:16: Invalid URL; url must not hold credentials: pare reads the token from GITHUB_TOKEN or GITLAB_TOKEN`},
		{"url query", "forge \"github\" {\n  repository = \"acme/infra\"\n  url        = \"https://github.example.com/api/v3/?per_page=100\"\n}\n" + okManage,
			`pare.hcl:3:16: Invalid URL; url must not have a query or fragment: it is the root the API's paths are added to`},
		{"url fragment", "forge \"gitlab\" {\n  repository = \"acme/infra\"\n  url        = \"https://gitlab.example.com/#top\"\n}\n" + okManage,
			`pare.hcl:3:16: Invalid URL; url must not have a query or fragment: it is the root the API's paths are added to`},
		{"labels", "forge \"github\" {\n  repository = \"acme/infra\"\n  labels     = \"least-privilege\"\n}\n" + okManage,
			`pare.hcl:3:16: Incorrect value type; labels must be a list of label names, like ["least-privilege"]`},
		{"two forges", "forge \"github\" {\n  repository = \"acme/infra\"\n}\nforge \"gitlab\" {\n  repository = \"acme/infra\"\n}\n" + okManage,
			`pare.hcl:4:1: Duplicate forge block; pare opens pull requests on one forge; the first forge block is at pare.hcl:1:1`},

		// manage blocks.
		{"unknown provider", "manage \"gcp\" {\n  principals = [\"*\"]\n}\n",
			`pare.hcl:1:8: Unknown provider; manage takes "aws", "azure" or "k8s", not "gcp"`},
		{"extra label", "manage \"aws\" \"roles\" {\n  principals = [\"*\"]\n}\n" + okManage,
			`pare.hcl:1:14: Extraneous label for manage; Only 1 labels (provider) are expected for manage blocks.`},
		{"missing principals", manageWith("aws", `  path   = "iam/${name}.tf"`, `  format = "terraform"`),
			`pare.hcl:1:1: Missing required argument; manage "aws" needs principals, like principals = ["arn:aws:iam::*:role/app-*"]`},
		{"missing path", manageWith("k8s", `  principals = ["system:serviceaccount:shop:*"]`, `  format     = "yaml"`),
			`pare.hcl:1:1: Missing required argument; manage "k8s" needs path, like path = "k8s/${name}.yaml"`},
		{"missing format", manageWith("azure", `  principals = ["*"]`, `  path       = "azure/${name}.json"`),
			`pare.hcl:1:1: Missing required argument; manage "azure" needs format: "json" or "terraform"`},
		{"empty principals", manageWith("aws", `  principals = []`, `  path       = "iam/${name}.tf"`, `  format     = "terraform"`),
			`pare.hcl:2:16: Invalid value; principals must not be empty: it must be a list of principal globs, like ["arn:aws:iam::*:role/app-*"]`},
		{"aws format", manageWith("aws", `  principals = ["*"]`, `  path       = "iam/${name}.yaml"`, `  format     = "yaml"`),
			`pare.hcl:4:16: Invalid format; manage "aws" writes "json" or "terraform", not "yaml"`},
		{"azure format", manageWith("azure", `  principals = ["*"]`, `  path       = "azure/${name}.tf"`, `  format     = "hcl"`),
			`pare.hcl:4:16: Invalid format; manage "azure" writes "json" or "terraform", not "hcl"`},
		{"k8s format", manageWith("k8s", `  principals = ["*"]`, `  path       = "k8s/${name}.json"`, `  format     = "json"`),
			`pare.hcl:4:16: Invalid format; manage "k8s" writes "yaml" or "terraform", not "json"`},
		{"empty k8s block", manageWith("k8s"),
			`pare.hcl:1:1: Missing argument; manage "k8s" needs principals (RBAC) or workloads (securityContext patches), or both`},
		{"workloads outside k8s", manageWith("aws", `  principals = ["*"]`, `  path       = "iam/${name}.tf"`, `  format     = "terraform"`, `  workloads  = ["shop/*"]`),
			`pare.hcl:5:3: Unsupported argument; workloads is for manage "k8s" (securityContext patches), not manage "aws"`},
		{"workloads without path", manageWith("k8s", `  workloads = ["shop/*"]`),
			`pare.hcl:2:3: Missing argument; workloads needs workloads_path, like "k8s/patches/${name}.patch.yaml"`},
		{"workloads_path without workloads", manageWith("k8s", `  workloads_path = "k8s/${name}.patch.yaml"`),
			`pare.hcl:2:3: Missing argument; workloads_path needs workloads, a list of NAMESPACE/NAME globs like ["shop/*"]`},
		{"workload glob", manageWith("k8s", `  workloads      = ["shop/*", "web"]`, `  workloads_path = "k8s/${name}.patch.yaml"`),
			`pare.hcl:2:31: Invalid workload; "web" is not NAMESPACE/NAME; write a glob like "shop/*" or "*/web"`},

		// Paths.
		{"absolute path", awsWithPath(`"/etc/iam/${name}.tf"`),
			`pare.hcl:5:16: Invalid path; path "/etc/iam/${name}.tf" must be relative to the repository root`},
		{"drive letter", awsWithPath(`"C:/iam/${name}.tf"`),
			`pare.hcl:5:16: Invalid path; path "C:/iam/${name}.tf" must be relative to the repository root`},
		{"dot dot", awsWithPath(`"iam/../../etc/${name}.tf"`),
			`pare.hcl:5:16: Invalid path; path "iam/../../etc/${name}.tf" leaves the repository ("..")`},
		{"dot git", awsWithPath(`".Git/hooks/${name}"`),
			`pare.hcl:5:16: Invalid path; path ".Git/hooks/${name}" is inside .git`},
		{"backslash", awsWithPath(`"iam\\${name}.tf"`),
			`pare.hcl:5:16: Invalid path; path "iam\\${name}.tf" uses '\': separate directories with '/'`},
		{"directory", awsWithPath(`"iam/${name}/"`),
			`pare.hcl:5:16: Invalid path; path "iam/${name}/" names a directory, not a file`},
		{"no name", awsWithPath(`"iam/${provider}.tf"`),
			`pare.hcl:5:16: Invalid path; path "iam/aws.tf" must hold ${name}: every principal gets a file of its own`},
		{"empty path", awsWithPath(`""`),
			`pare.hcl:5:16: Invalid path; path "" is empty`},
		{"other variable", awsWithPath(`"iam/${principal}.tf"`),
			`pare.hcl:5:23: Unknown variable; path can use ${name} and ${provider}, not "principal"`},
		{"function in path", awsWithPath(`"iam/${lower(name)}.tf"`),
			`pare.hcl:5:23: Function calls not allowed; path can use ${name} and ${provider}, not lower()`},
		{"attribute of name", awsWithPath(`"iam/${name.first}.tf"`),
			`pare.hcl:5:23: Invalid path; ${name} is a string: write it without attributes or an index`},
		{"directive", awsWithPath(`"iam/%{ if true }x%{ endif }${name}.tf"`),
			`pare.hcl:5:21: Invalid path; path can hold text, ${name} and ${provider}, nothing else`},
		{"escaped interpolation", awsWithPath(`"iam/$${name}.tf"`),
			`pare.hcl:5:17: Invalid path; path cannot hold a literal "${" or "%{"`},
		{"number path", awsWithPath(`5`),
			`pare.hcl:5:16: Invalid path; path must be a quoted string, like "iam/${name}.tf"`},
		{"workloads_path", manageWith("k8s", `  workloads      = ["shop/*"]`, `  workloads_path = "../${name}.yaml"`),
			`pare.hcl:3:20: Invalid path; workloads_path "../${name}.yaml" leaves the repository ("..")`},
		{"same path", okManage + manageWith("aws", `  principals = ["arn:aws:iam::*:user/*"]`, `  path       = "iam/${name}.tf"`, `  format     = "terraform"`),
			`pare.hcl:9:16: Conflicting path; "iam/${name}.tf" is the same path as "iam/${name}.tf" at pare.hcl:4:16: give each manage block a path of its own`},
		{"same path by provider", manageWith("azure", `  principals = ["*"]`, `  path       = "${provider}/${name}.tf"`, `  format     = "terraform"`) +
			manageWith("aws", `  principals = ["*"]`, `  path       = "azure/${name}.tf"`, `  format     = "terraform"`),
			`pare.hcl:8:16: Conflicting path; "azure/${name}.tf" is the same path as "azure/${name}.tf" at pare.hcl:3:16: give each manage block a path of its own`},
		{"overlapping paths", okManage + manageWith("azure", `  principals = ["*"]`, `  path       = "IAM/azure-${name}.tf"`, `  format     = "terraform"`),
			`pare.hcl:9:16: Conflicting path; "IAM/azure-${name}.tf" is a path that can name the same file as "iam/${name}.tf" at pare.hcl:4:16: give each manage block a path of its own`},
		{"patches over policies", manageWith("k8s", `  principals     = ["*"]`, `  path           = "k8s/${name}.yaml"`, `  format         = "yaml"`,
			`  workloads      = ["*/*"]`, `  workloads_path = "k8s/${name}.yaml"`),
			`pare.hcl:6:20: Conflicting path; "k8s/${name}.yaml" is the same path as "k8s/${name}.yaml" at pare.hcl:3:20: give each manage block a path of its own`},

		// Limits that keep HCL's recursive parser within bounds.
		{"too large", okManage + "# " + strings.Repeat("x", maxFileBytes),
			`pare.hcl:1:1: File too large; a pare configuration is at most 262144 bytes; this one has 262244`},
		{"nested too deeply", "sources = " + strings.Repeat("[", 40) + okManage,
			`pare.hcl:1:43: Nested too deeply; brackets, braces, strings and templates nest at most 32 deep in a pare configuration`},
		{"operator chain", "window = " + strings.Repeat("-", 40) + "1" + okManage,
			`pare.hcl:1:42: Expression too complex; a pare configuration holds values; it chains at most 32 operators and has at most 32 splats`},
		{"splats", "window = x" + strings.Repeat("[*].a", 40) + okManage,
			`pare.hcl:1:172: Expression too complex; a pare configuration holds values; it chains at most 32 operators and has at most 32 splats`},
		{"operator", `window = "90" + "d"` + okManage,
			`pare.hcl:1:10: Unsupported expression; only literal values (quoted strings, numbers, true, false and lists of them) can be used here`},
		{"interpolation", `window = "${90}d"` + okManage,
			`pare.hcl:1:13: Unsupported expression; only literal values (quoted strings, numbers, true, false and lists of them) can be used here`},
		{"conditional", `reopen_closed = true ? true : false` + okManage,
			`pare.hcl:1:17: Unsupported expression; only literal values (quoted strings, numbers, true, false and lists of them) can be used here`},
		{"variable in a list", `sources = ["../logs", path.module]` + okManage,
			`pare.hcl:1:23: Variables not allowed; Variables may not be used here.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("pare.hcl", []byte(tc.src))
			if err == nil {
				t.Fatalf("no error; want\n%s", tc.want)
			}
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("%T %v, want *Error", err, err)
			}
			if err.Error() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", err, tc.want)
			}
		})
	}
}

// TestErrorsInFileOrder: every problem is reported, in file order,
// whatever order HCL found them in.
func TestErrorsInFileOrder(t *testing.T) {
	src := "zeta = 1\nalpha = 2\nmid = 3\nwindow = \"x\"\nomega = 4\n" + okManage
	want := `pare.hcl:1:1: Unsupported argument; An argument named "zeta" is not expected here.
pare.hcl:2:1: Unsupported argument; An argument named "alpha" is not expected here.
pare.hcl:3:1: Unsupported argument; An argument named "mid" is not expected here.
pare.hcl:4:10: Invalid duration; window "x": not a positive duration; write a number of days, weeks or hours, like "90d", "2w" or "36h"
pare.hcl:5:1: Unsupported argument; An argument named "omega" is not expected here.`
	for range 20 {
		_, err := Parse("pare.hcl", []byte(src))
		if err == nil || err.Error() != want {
			t.Fatalf("got\n%v\nwant\n%s", err, want)
		}
	}
}

// TestAccepted: values close to the error cases that are fine.
func TestAccepted(t *testing.T) {
	for _, src := range []string{
		"forge \"gitlab\" {\n  repository = \"4711\"\n}\n" + okManage,
		"forge \"gitlab\" {\n  repository = \"group/sub/project\"\n  url = \"http://gitlab.internal:8080/api/v4\"\n}\n" + okManage,
		"window = \"30d\"\nmin_window = \"30d\"\n" + okManage,
		"min_window = \"365d\"\n" + okManage, // no window: checked against the loaded span by the command
		"reopen_closed = \"true\"\n" + okManage,
		okManage + manageWith("aws", `  principals = ["*"]`, `  path       = "iam/${name}.json"`, `  format     = "json"`),
		okManage + manageWith("aws", `  principals = ["*"]`, `  path       = "iam/roles/${name}.tf"`, `  format     = "terraform"`),
		manageWith("k8s", `  principals = ["system:serviceaccount:*"]`, `  path = "k8s/${name}/rbac.yaml"`, `  format = "yaml"`,
			`  workloads = ["*/*"]`, `  workloads_path = "k8s/${name}/patch.yaml"`),
	} {
		if _, err := Parse("pare.hcl", []byte(src)); err != nil {
			t.Errorf("%s\n: %v", src, err)
		}
	}
}
