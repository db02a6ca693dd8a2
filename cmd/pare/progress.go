package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/leastpriv/pare/usage"
)

// progressBar draws load progress on a terminal, at most ten times a second.
// It draws nothing when stderr is not a terminal.
type progressBar struct {
	w     io.Writer
	on    bool
	start time.Time
	last  time.Time
}

func newProgressBar(stderr io.Writer) *progressBar {
	f, ok := stderr.(*os.File)
	return &progressBar{w: stderr, on: ok && term.IsTerminal(int(f.Fd())), start: time.Now()}
}

func (p *progressBar) update(pr usage.Progress) {
	if !p.on {
		return
	}
	now := time.Now()
	if pr.Done < pr.Total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 30
	filled := width
	if pr.Total > 0 {
		filled = width * pr.Done / pr.Total
	}
	bar := make([]byte, width)
	for i := range bar {
		if i < filled {
			bar[i] = '='
		} else {
			bar[i] = ' '
		}
	}
	rate := float64(pr.Events) / now.Sub(p.start).Seconds()
	fmt.Fprintf(p.w, "\rloading [%s] %d/%d files, %d events (%.0f/s) ", bar, pr.Done, pr.Total, pr.Events, rate)
}

// finish ends the bar's line.
func (p *progressBar) finish() {
	if p.on && !p.last.IsZero() {
		fmt.Fprint(p.w, "\n")
	}
}
