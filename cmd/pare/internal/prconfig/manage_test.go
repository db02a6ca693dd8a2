package prconfig

import "testing"

func TestOwns(t *testing.T) {
	m := Manage{Path: "rbac/${name}.yaml", WorkloadsPath: "patches/${name}/${name}.patch.yaml"}
	for path, want := range map[string]bool{
		"rbac/system-serviceaccount-shop-app.yaml": true,
		"rbac/a.yaml":                true,
		"rbac/.yaml":                 false,
		"rbac/sub/a.yaml":            false,
		"rbac/a.yml":                 false,
		"patches/web/web.patch.yaml": true,
		"patches/web/db.patch.yaml":  false,
		"apps/web.yaml":              false,
		"rbac/a*b?.yaml":             true,
	} {
		if got := m.Owns(path); got != want {
			t.Errorf("Owns(%q) = %v, want %v", path, got, want)
		}
	}
	if (Manage{}).Owns("x") {
		t.Error("a block with no paths owns a file")
	}
}
