package gitwork

import (
	"fmt"
	"path"
	"strings"
)

// checkPath rejects a repository path that is not a clean, relative,
// slash-separated path of a file inside the repository: "", "/a", "a/",
// "./a", "a//b", "a/../b", anything under .git (in any letter case),
// backslashes, and control characters git or the credential protocol would
// mangle.
func checkPath(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("empty path")
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("path %q is absolute; paths are relative to the repository root", p)
	case strings.ContainsAny(p, "\\\x00\n\r"):
		return fmt.Errorf("path %q contains a backslash or control character", p)
	case path.Clean(p) != p:
		return fmt.Errorf("path %q is not clean (want %q)", p, path.Clean(p))
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return fmt.Errorf("path %q leaves the repository", p)
		}
		if strings.EqualFold(seg, ".git") {
			return fmt.Errorf("path %q is inside .git", p)
		}
	}
	return nil
}

// parents returns the directories above p, nearest last: "a/b/c" gives
// "a", "a/b".
func parents(p string) []string {
	var out []string
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			out = append(out, p[:i])
		}
	}
	return out
}
