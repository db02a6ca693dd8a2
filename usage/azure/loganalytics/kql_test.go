package loganalytics

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestKQLGolden pins the query text: a change to it shows in review as a
// diff of testdata/kql.golden (go test -update to accept).
func TestKQLGolden(t *testing.T) {
	got := KQL(time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 1, 12, 30, 15, 123456700, time.FixedZone("x", 3600)))
	path := filepath.Join("testdata", "kql.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got+"\n" != string(want) {
		t.Errorf("KQL differs from %s (go test -update to accept):\n%s", path, got)
	}
}

func TestKQLBounds(t *testing.T) {
	from := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2025, 4, 1, 12, 30, 15, 123456700, time.FixedZone("x", 3600))
	q := KQL(from, to)
	// Half-open and in UTC, to the tick.
	for _, want := range []string{
		"| where TimeGenerated >= datetime(2025-04-01T00:00:00.0000000Z) and TimeGenerated < datetime(2025-04-01T11:30:15.1234567Z)\n",
		`| where CategoryValue == "Administrative"`,
		`| where ActivityStatusValue !~ "Started"`,
		"| summarize calls = count(), firstSeen = min(t_), lastSeen = max(t_) by principal, kind, caller, operation, scope, outcome",
	} {
		if !strings.Contains(q, want) {
			t.Errorf("KQL lacks %q", want)
		}
	}
	if strings.Contains(q, "{FROM}") || strings.Contains(q, "{TO}") || strings.Contains(q, "between") {
		t.Errorf("KQL has a placeholder left or an inclusive between:\n%s", q)
	}
	// Every result column Query reads is one the query produces.
	last := q[strings.LastIndex(q, "| summarize"):]
	for _, c := range []string{colPrincipal, colKind, colCaller, colOperation, colScope, colOutcome, colCalls + " =", colFirst + " =", colLast + " ="} {
		if !strings.Contains(last, c) {
			t.Errorf("final summarize lacks column %q", c)
		}
	}
}

func TestKQLTime(t *testing.T) {
	// Times far from now still format to digits only: nothing but the
	// layout's punctuation can reach the query.
	for _, tm := range []time.Time{{}, time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Unix(0, 1)} {
		s := kqlTime(tm)
		for _, c := range s {
			if !strings.ContainsRune("0123456789-T:.Z", c) {
				t.Errorf("kqlTime(%v) = %q has %q", tm, s, c)
			}
		}
	}
}
