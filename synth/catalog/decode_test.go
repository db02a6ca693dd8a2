package catalog

import (
	"bytes"
	"compress/gzip"
	"os"
	"strings"
	"testing"
)

// TestDecodeGeneratorGolden decodes the generator's golden output, so the
// writer (internal/gen) and the reader agree on the format.
func TestDecodeGeneratorGolden(t *testing.T) {
	text, err := os.ReadFile("internal/gen/testdata/golden.tsv")
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseCatalog(string(text))
	if err != nil {
		t.Fatalf("parsing golden: %v", err)
	}
	if c.Version() != "0.0.1" || c.date != "2026-01-02" {
		t.Errorf("version, date = %q, %q", c.Version(), c.date)
	}
	get, ok := c.Action("s3:getobject")
	if !ok || get.AccessLevel != "Read" || len(get.ResourceTypes) != 1 || !get.ResourceTypes[0].Required ||
		get.ResourceTypes[0].ARNFormats[0] != "arn:${Partition}:s3:::${BucketName}/${ObjectName}" {
		t.Errorf("s3:GetObject = %+v, %v", get, ok)
	}
	if got := c.ExpandPattern("*"); strings.Join(got, " ") != "s3:GetObject s3:ListAllMyBuckets s3:PutBucketTagging sts:GetCallerIdentity" {
		t.Errorf("all actions = %q", got)
	}
}

func TestDecodeBad(t *testing.T) {
	good := "#\tc\nV\t1\nD\t2026-01-01\nS\ts3\t1\nR\tobject\tarn:x\nA\ts3:GetObject\tR\t!object\n"
	if _, err := parseCatalog(good); err != nil {
		t.Fatalf("good catalog: %v", err)
	}
	for name, text := range map[string]string{
		"empty":            "",
		"no version":       "D\t2026-01-01\nS\ts3\t1\nA\ts3:GetObject\tR\n",
		"no actions":       "V\t1\nD\t2026-01-01\nS\ts3\t0\n",
		"action before S":  "V\t1\nD\t2026-01-01\nA\ts3:GetObject\tR\n",
		"wrong prefix":     "V\t1\nD\t2026-01-01\nS\ts3\t1\nA\tiam:GetObject\tR\n",
		"bad level":        "V\t1\nD\t2026-01-01\nS\ts3\t1\nA\ts3:GetObject\tX\n",
		"unknown resource": "V\t1\nD\t2026-01-01\nS\ts3\t1\nA\ts3:GetObject\tR\tobject\n",
		"duplicate":        "V\t1\nD\t2026-01-01\nS\ts3\t2\nA\ts3:GetObject\tR\nA\ts3:getobject\tR\n",
		"out of order":     "V\t1\nD\t2026-01-01\nS\ts3\t2\nA\ts3:Put\tR\nA\ts3:Get\tR\n",
		"bad count":        "V\t1\nD\t2026-01-01\nS\ts3\tx\nA\ts3:Get\tR\n",
		"unknown record":   "V\t1\nD\t2026-01-01\nQ\tx\n",
		"service twice":    "V\t1\nD\t2026-01-01\nS\ts3\t0\nS\ts3\t0\n",
		"short action":     "V\t1\nD\t2026-01-01\nS\ts3\t1\nA\ts3:\tR\n",
	} {
		if _, err := parseCatalog(text); err == nil {
			t.Errorf("%s: parseCatalog succeeded", name)
		}
	}
	if _, err := decodeCatalog([]byte("not gzip")); err == nil {
		t.Error("decodeCatalog of non-gzip data succeeded")
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(good))
	zw.Close()
	if _, err := decodeCatalog(buf.Bytes()[:buf.Len()-6]); err == nil {
		t.Error("decodeCatalog of truncated gzip succeeded")
	}
	if _, err := decodeCatalog(buf.Bytes()); err != nil {
		t.Errorf("decodeCatalog of good gzip: %v", err)
	}
}

func TestDecodeNonASCII(t *testing.T) {
	c, err := parseCatalog("V\t1\nD\t2026-01-01\nS\ts3\t2\nA\ts3:GetÄ\tR\nA\ts3:GetÖ\tR\n")
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := c.Action("s3:getä"); !ok || a.Name != "s3:GetÄ" {
		t.Errorf("Action(s3:getä) = %+v, %v", a, ok)
	}
}
