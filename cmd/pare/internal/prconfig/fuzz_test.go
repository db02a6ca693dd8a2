package prconfig

import (
	"errors"
	"path"
	"strings"
	"testing"
)

// FuzzParse: no input makes Parse panic; every problem has a position in
// the file; a file that parses has at least one manage block and only
// paths that stay inside the repository.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		issueExample,
		okManage,
		awsWithPath(`"iam/${name}-${provider}.tf"`),
		awsWithPath(`"iam/%{ for x in [1] }${x}%{ endfor }${name}"`),
		manageWith("k8s", `  workloads = ["shop/*"]`, `  workloads_path = "k8s/${name}.yaml"`),
		"sources = [\"s3://b/p\", null, 1, [2]]\nwindow = 1e400\n",
		"forge \"github\" {\n repository = {a = 1}\n}\nforge {}\nmanage {}\n",
		"branch = \"batch\"\nbranch_name = \"a@{b\"\ncommit_author = \"<>\"\n",
		"\xff\xfe\x00 = \"\u202e\"",
		"A=\"0${0A", // a detail of several paragraphs once broke the one-line form
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := Parse("fuzz.hcl", src)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) || len(perr.Diagnostics) == 0 {
				t.Fatalf("%T %v: want an *Error with problems", err, err)
			}
			for _, d := range perr.Diagnostics {
				if d.Subject == nil || d.Subject.Start.Line < 1 || d.Subject.Start.Column < 1 {
					t.Fatalf("problem without a position: %v", d)
				}
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "fuzz.hcl:") {
					t.Fatalf("line does not name the file: %q", line)
				}
			}
			return
		}
		if len(c.Manage) == 0 {
			t.Fatal("parsed without a manage block")
		}
		for _, m := range c.Manage {
			if (m.Path == "") != (len(m.Principals) == 0) || (m.WorkloadsPath == "") != (len(m.Workloads) == 0) {
				t.Fatalf("paths and globs disagree: %#v", m)
			}
			for _, p := range []string{m.PathFor("x"), m.WorkloadsPathFor("x")} {
				if p != "" && (path.IsAbs(p) || p != path.Clean(p) || strings.HasPrefix(p, "..") || strings.Contains(p, "${") || strings.Contains(p, `\`)) {
					t.Fatalf("path %q escapes or keeps a variable", p)
				}
			}
		}
		if _, _, err := c.Author(); err != nil {
			t.Fatalf("commit author %q accepted: %v", c.CommitAuthor, err)
		}
	})
}
