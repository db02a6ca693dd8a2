package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTableIsGenerated fails when synth/k8s/resources_table.go is not what
// the committed discovery documents give: edit the documents and run
// `go generate ./synth/k8s`, never the table.
func TestTableIsGenerated(t *testing.T) {
	got, err := generate(filepath.Join("..", "..", "testdata", "discovery"), "v1.37.2")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "resources_table.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("resources_table.go differs from what testdata/discovery gives; run go generate ./synth/k8s")
	}
}

func TestGenerateErrors(t *testing.T) {
	for _, c := range []struct {
		name, file, body, want string
	}{
		{"not a list", "apis__x.io__v1.json", `{"kind":"APIGroup","groupVersion":"x.io/v1"}`, "not an APIResourceList"},
		{"bad JSON", "api__v1.json", `{"kind":`, "unexpected end"},
		{"bad name", "api__v1.json", `{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"Pods","verbs":["get"]}]}`, "bad name"},
		{"wildcard verb", "api__v1.json", `{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","verbs":["*"]}]}`, "bad verb"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, c.file), []byte(c.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := generate(dir, "v0")
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.file) {
				t.Errorf("err = %v, want one naming %s and saying %q", err, c.file, c.want)
			}
		})
	}

	dir := t.TempDir()
	for name, body := range map[string]string{
		"apis__x.io__v1.json":      `{"kind":"APIResourceList","groupVersion":"x.io/v1","resources":[{"name":"things","namespaced":true,"verbs":["get"]}]}`,
		"apis__x.io__v1beta1.json": `{"kind":"APIResourceList","groupVersion":"x.io/v1beta1","resources":[{"name":"things","namespaced":false,"verbs":["get"]}]}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := generate(dir, "v0"); err == nil || !strings.Contains(err.Error(), "namespaced") {
		t.Errorf("err = %v, want the namespaced disagreement", err)
	}
	if _, err := generate(t.TempDir(), "v0"); err == nil {
		t.Error("an empty directory gave no error")
	}
}

func TestGenerateMergesVersions(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"apis__x.io__v1.json":       `{"kind":"APIResourceList","groupVersion":"x.io/v1","resources":[{"name":"things","namespaced":true,"verbs":["get","list"]}]}`,
		"apis__x.io__v1alpha1.json": `{"kind":"APIResourceList","groupVersion":"x.io/v1alpha1","resources":[{"name":"things","namespaced":true,"verbs":["watch","get"]},{"name":"new","namespaced":false,"verbs":["create"]}]}`,
		"apis__x.io.json":           `{"kind":"APIGroup"}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, err := generate(dir, "v9.9.9")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`{group: "x.io", resource: "new", namespaced: false, ga: false, verbs: []string{"create"}, versions: "v1alpha1"}`,
		`{group: "x.io", resource: "things", namespaced: true, ga: true, verbs: []string{"get", "list", "watch"}, versions: "v1 v1alpha1"}`,
		`const discoveryVersion = "v9.9.9"`,
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("output lacks %s:\n%s", want, src)
		}
	}
}
