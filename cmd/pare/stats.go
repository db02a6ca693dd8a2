package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"github.com/urfave/cli/v3"
)

// profileFlag is the hidden --cpuprofile flag of the long-running commands.
var profileFlag = &cli.StringFlag{Name: "cpuprofile", Hidden: true, Usage: "write a CPU profile to `FILE`"}

// startProfile starts CPU profiling when --cpuprofile is set; the returned
// function stops it.
func startProfile(cmd *cli.Command) (stop func(), err error) {
	path := cmd.String("cpuprofile")
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("creating CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting CPU profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// runStats measures one command for --stats: wall time, throughput and the
// process's peak resident memory.
type runStats struct {
	start  time.Time
	phases []phase
}

type phase struct {
	name string
	at   time.Time
}

func startStats() *runStats { return &runStats{start: time.Now()} }

// mark ends a phase of the command, for the breakdown --stats prints.
func (s *runStats) mark(name string) { s.phases = append(s.phases, phase{name, time.Now()}) }

// markSplit ends a phase made of two interleaved parts, the second of which
// took second.
func (s *runStats) markSplit(first, secondName string, second time.Duration) {
	now := time.Now()
	s.phases = append(s.phases, phase{first, now.Add(-second)}, phase{secondName, now})
}

func (s *runStats) print(w io.Writer, what string, records, events, bytes int64) {
	elapsed := time.Since(s.start)
	secs := elapsed.Seconds()
	fmt.Fprintf(w, "pare: stats: %s: %.2fs", what, secs)
	if records > 0 && secs > 0 {
		fmt.Fprintf(w, ", %d records (%.0f/s), %d events stored (%.0f/s), %.1f MB/s",
			records, float64(records)/secs, events, float64(events)/secs, float64(bytes)/1e6/secs)
	}
	prev := s.start
	for i, p := range s.phases {
		sep := " ("
		if i > 0 {
			sep = ", "
		}
		fmt.Fprintf(w, "%s%s %.2fs", sep, p.name, p.at.Sub(prev).Seconds())
		prev = p.at
	}
	if len(s.phases) > 0 {
		fmt.Fprint(w, ")")
	}
	if rss := peakRSS(); rss > 0 {
		fmt.Fprintf(w, ", peak RSS %d MiB", rss>>20)
	}
	fmt.Fprintln(w)
}
