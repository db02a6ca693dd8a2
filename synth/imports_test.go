package synth

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsStayInSynth fails if any package under synth imports, directly
// or not, anything but the standard library and synth's own packages: synth
// is the pure leaf of pare and must never pull in DuckDB, the AWS SDK or cgo.
func TestImportsStayInSynth(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./...")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) == 0 {
		t.Fatal("go list found no synth packages")
	}
	const own = "github.com/leastpriv/pare/synth"
	for _, p := range pkgs {
		if p != own && !strings.HasPrefix(p, own+"/") {
			t.Errorf("synth depends on %s; it may import only the standard library and %s/...", p, own)
		}
	}
}
