package emit

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// checkFileName checks the properties every stem must have.
func checkFileName(t testing.TB, principal, name string) {
	t.Helper()
	switch {
	case name == "", len(name) > 255:
		t.Fatalf("%q: name %q has %d bytes", principal, name, len(name))
	case !filepath.IsLocal(name), filepath.Base(name) != name:
		t.Fatalf("%q: name %q is not a single local path component", principal, name)
	case strings.ContainsAny(name, "/\\\x00"):
		t.Fatalf("%q: name %q contains a separator or NUL", principal, name)
	case name == "." || name == ".." || name[0] == '.' || name[0] == '-':
		t.Fatalf("%q: name %q starts with '.' or '-'", principal, name)
	}
	for _, r := range name {
		if r > unicode.MaxASCII || unicode.IsControl(r) || r == ' ' {
			t.Fatalf("%q: name %q contains %U", principal, name, r)
		}
	}
	base, _, _ := strings.Cut(strings.ToLower(name), ".")
	if windowsReservedName(base) {
		t.Fatalf("%q: name %q is a Windows device name", principal, name)
	}
}

func windowsReservedName(s string) bool {
	switch s {
	case "con", "prn", "aux", "nul":
		return true
	}
	return len(s) == 4 && (strings.HasPrefix(s, "com") || strings.HasPrefix(s, "lpt")) && s[3] >= '0' && s[3] <= '9'
}

func TestSafeFileName(t *testing.T) {
	for _, tc := range []struct{ principal, want string }{
		{"arn:aws:iam::123456789012:role/app", "123456789012-role-app"},
		{"arn:aws:sts::123456789012:assumed-role/app/session@x.com", "123456789012-assumed-role-app-session@x.com"},
		{"arn:aws:iam::123456789012:root", "123456789012-root"},
		{"s3.amazonaws.com", "s3.amazonaws.com"},
		{"AIDAEXAMPLE", "AIDAEXAMPLE"},
	} {
		if got := SafeFileName(tc.principal); got != tc.want {
			t.Errorf("SafeFileName(%q) = %q, want %q", tc.principal, got, tc.want)
		}
	}
	// Names that must be changed, and so get a hash.
	for _, p := range []string{
		"", ".", "..", "../../etc/passwd", "-rf", "role/a b", "a\x00b", "con", "NUL", "com1", "lpt9.txt",
		"arn:aws:iam::1:role/x/../../y", "C:\\Windows", "x\u202ey", "ünï", "\xff", strings.Repeat("a", 1000),
		"role/app-part2", "role/app.evidence",
	} {
		got := SafeFileName(p)
		checkFileName(t, p, got)
		if got == p {
			t.Errorf("SafeFileName(%q) left it unchanged", p)
		}
	}
}

// TestFileNamesDistinct: distinct principals always get distinct names, even
// ignoring case, whatever else is in the set.
func TestFileNamesDistinct(t *testing.T) {
	base := []string{
		"arn:aws:iam::1:role/A", "arn:aws:iam::1:role/a",
		"arn:aws:iam::1:role/a/b", "arn:aws:iam::1:role/a-b", "arn:aws:iam::1:role/a:b", "1:role/a/b",
		"role/x y", "role/x_y", "role/x?y", "role/x\u00e9y",
		"", "_", ".", "-", "con", "CON",
		strings.Repeat("a", 300), strings.Repeat("a", 300) + "b", strings.Repeat("A", 300),
		"app", "app-part1", "app.evidence",
	}
	names := FileNames(base)
	// Adversarial principals: every name already given, as a principal of
	// its own, as an ARN that maps to it, and with case changed.
	var adversarial []string
	for _, p := range base {
		n := names[p]
		adversarial = append(adversarial, n, strings.ToUpper(n), "arn:aws:iam::"+strings.Replace(n, "-", ":", 1))
	}
	all := append(append([]string(nil), base...), adversarial...)
	checkDistinct(t, all, FileNames(all))

	// Order and duplicates do not matter.
	reversed := make([]string, 0, 2*len(all))
	for i := len(all) - 1; i >= 0; i-- {
		reversed = append(reversed, all[i], all[i])
	}
	a, b := FileNames(all), FileNames(reversed)
	for _, p := range all {
		if a[p] != b[p] {
			t.Errorf("%q is %q or %q depending on order", p, a[p], b[p])
		}
	}
}

// TestFileNamesCollide: a principal that is crafted to equal the name
// another gets after disambiguation still gets a name of its own.
func TestFileNamesCollide(t *testing.T) {
	pair := []string{"role/a", "role/A"}
	names := FileNames(pair)
	if names["role/a"] == "role-a" || names["role/A"] == "role-A" {
		t.Fatalf("case collision not resolved: %v", names)
	}
	set := append(pair, names["role/a"], names["role/A"], strings.ReplaceAll(names["role/a"], "-", "/"))
	checkDistinct(t, set, FileNames(set))

	// A principal that keeps its readable name keeps it when others collide.
	names = FileNames([]string{"role/x", "role/y", "role/Y"})
	if names["role/x"] != "role-x" {
		t.Errorf("unrelated principal renamed to %q", names["role/x"])
	}
}

func checkDistinct(t testing.TB, principals []string, names map[string]string) {
	t.Helper()
	seen := make(map[string]string)
	for _, p := range principals {
		n, ok := names[p]
		if !ok {
			t.Fatalf("no name for %q", p)
		}
		checkFileName(t, p, n)
		if len(n) > 220 {
			t.Errorf("%q: name %q is %d bytes, leaving too little room for suffixes", p, n, len(n))
		}
		key := strings.ToLower(n)
		if q, dup := seen[key]; dup && q != p {
			t.Fatalf("%q and %q share the name %q (ignoring case)", p, q, n)
		}
		seen[key] = p
	}
	if len(names) != len(seen) {
		t.Errorf("%d names for %d distinct principals", len(names), len(seen))
	}
}

func FuzzSafeFileName(f *testing.F) {
	for _, s := range []string{
		"arn:aws:iam::123456789012:role/app", "", ".", "..", "../x", "-", "a/b\\c", "\x00", "\xff\xfe",
		"con", "arn:aws:iam::1:role/CON", strings.Repeat("é", 200), "x~0123456789abcdef", "role/app-part2",
	} {
		f.Add(s, "role/other")
	}
	f.Fuzz(func(t *testing.T, principal, other string) {
		name := SafeFileName(principal)
		checkFileName(t, principal, name)
		if again := SafeFileName(principal); again != name {
			t.Fatalf("SafeFileName(%q) = %q, then %q", principal, name, again)
		}
		set := []string{principal, other, strings.ToUpper(principal), strings.ToLower(other), name, SafeFileName(other)}
		checkDistinct(t, set, FileNames(set))
	})
}
