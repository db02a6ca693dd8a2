package loganalytics

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "azure-logs://6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b", want: "6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b"},
		{in: "azure-logs://6F1C2A3B-4D5E-4F60-8A9B-0C1D2E3F4A5B/", want: "6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b"},
		{in: "azure-logs://", err: "missing workspace id"},
		{in: "azure-logs:///", err: "missing workspace id"},
		{in: "azure-logs://my-workspace", err: `workspace id "my-workspace" is not a GUID`},
		{in: "azure-logs://6f1c2a3b4d5e4f608a9b0c1d2e3f4a5b", err: "is not a GUID"},
		{in: "azure-logs://6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5g", err: "is not a GUID"},
		{in: "azure-logs://6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b\n", err: "is not a GUID"},
		{in: "azure-logs:///subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w", err: "not a path or resource id"},
		{in: "azure-logs://6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b/AzureActivity", err: "not a path"},
		{in: "loganalytics://6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b", err: `unsupported scheme "loganalytics"`},
		{in: "6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b", err: "not a URL"},
		{in: "", err: "not a URL"},
	} {
		got, err := ParseURL(tc.in)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("ParseURL(%q): %v", tc.in, err)
		case tc.err == "" && got != tc.want:
			t.Errorf("ParseURL(%q) = %q, want %q", tc.in, got, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseURL(%q) = %q, %v; want an error containing %q", tc.in, got, err, tc.err)
		}
		if IsURL(tc.in) != strings.HasPrefix(tc.in, "azure-logs://") {
			t.Errorf("IsURL(%q) = %v", tc.in, IsURL(tc.in))
		}
	}
}

func TestCanonicalID(t *testing.T) {
	for in, want := range map[string]string{
		"ABCDEF038C6444C18F1C31311FABCDEF":     "abcdef03-8c64-44c1-8f1c-31311fabcdef",
		"abcdef03-8c64-44c1-8f1c-31311fabcdef": "abcdef03-8c64-44c1-8f1c-31311fabcdef",
		"F409EDEB-4D29-44B5-9763-EE9348AD91BB": "f409edeb-4d29-44b5-9763-ee9348ad91bb",
		"2468adf0-8211-44e3-95xq-85137af64708": "2468adf0-8211-44e3-95xq-85137af64708", // not hex: as recorded
		"abcdef038c6444c18f1c31311fabcdeZ":     "abcdef038c6444c18f1c31311fabcdeZ",
		"":                                     "",
	} {
		if got := canonicalID(in); got != want {
			t.Errorf("canonicalID(%q) = %q, want %q", in, got, want)
		}
	}
}
