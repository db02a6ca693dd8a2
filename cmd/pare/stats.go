package main

import (
	"fmt"
	"io"
	"time"
)

// runStats measures one command for --stats: wall time, throughput and the
// process's peak resident memory.
type runStats struct {
	start time.Time
}

func startStats() runStats { return runStats{start: time.Now()} }

func (s runStats) print(w io.Writer, what string, events, bytes int64) {
	elapsed := time.Since(s.start)
	secs := elapsed.Seconds()
	fmt.Fprintf(w, "pare: stats: %s: %.2fs", what, secs)
	if events > 0 && secs > 0 {
		fmt.Fprintf(w, ", %d events, %.0f events/s, %.1f MB/s", events, float64(events)/secs, float64(bytes)/1e6/secs)
	}
	if rss := peakRSS(); rss > 0 {
		fmt.Fprintf(w, ", peak RSS %d MiB", rss>>20)
	}
	fmt.Fprintln(w)
}
