package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/usage"
)

func TestProgressBarDrawsOnlyOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	off := newProgressBar(&buf) // a buffer is not a terminal
	off.update(usage.Progress{Done: 1, Total: 2, Events: 10})
	off.finish()
	if buf.Len() != 0 {
		t.Errorf("drew %q on a non-terminal", buf.String())
	}

	on := &progressBar{w: &buf, on: true, start: time.Now().Add(-time.Second)}
	on.update(usage.Progress{Done: 1, Total: 4, Events: 1000})
	on.update(usage.Progress{Done: 2, Total: 4, Events: 2000}) // within 100 ms: skipped
	on.update(usage.Progress{Done: 4, Total: 4, Events: 4000}) // the last one always draws
	on.finish()
	got := buf.String()
	if !strings.Contains(got, "\rloading [=======                       ] 1/4 files, 1000 events") {
		t.Errorf("first frame missing: %q", got)
	}
	if strings.Contains(got, " 2/4 files") {
		t.Errorf("drew faster than ten frames a second: %q", got)
	}
	if !strings.Contains(got, "[==============================] 4/4 files, 4000 events") || !strings.HasSuffix(got, "\n") {
		t.Errorf("final frame or newline missing: %q", got)
	}
}
