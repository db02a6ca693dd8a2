package manifest

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoClientGo fails if this package pulls in client-go (slow to build,
// and only usage/k8s/cluster needs it) or DuckDB.
func TestNoClientGo(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 2 {
		t.Fatalf("go list found only %v", deps)
	}
	for _, p := range deps {
		if strings.HasPrefix(p, "k8s.io/client-go") || strings.Contains(p, "duckdb") {
			t.Errorf("usage/k8s/manifest depends on %s", p)
		}
	}
}
