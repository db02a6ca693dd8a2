package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/usage"
)

// TestManifestJSON: manifest.json carries text from the logs and manifests
// read (principals, warnings, workloads), so it is written as every JSON
// file of emit is: an invisible rune escaped, so that a reviewer sees it,
// and invalid UTF-8 refused rather than silently replaced.
func TestManifestJSON(t *testing.T) {
	const principal = "arn:aws:iam::111122223333:user/admin\u202e-readonly"
	m := newManifest("aws", []usage.Principal{{Principal: principal, Kind: "user", Events: 1}}, synth.Window{})
	var b bytes.Buffer
	if err := m.write(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "\u202e") || !strings.Contains(b.String(), `admin\u202e-readonly`) {
		t.Errorf("the right-to-left override is not escaped:\n%s", b.String())
	}
	var back manifest
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || len(back.Principals) != 1 || back.Principals[0].Principal != principal {
		t.Errorf("manifest does not read back: %v %+v", err, back.Principals)
	}

	m.entry(principal).Warnings = []string{"not granted: \"s3:Get\xffObject\""}
	b.Reset()
	if err := m.write(&b); err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
		t.Errorf("invalid UTF-8 written: error %v, output:\n%s", err, b.String())
	}
}
