package retry

import (
	"context"
	"time"
)

// Backoff says how a throttled call is retried. Tests set Sleep so that
// nothing really waits.
type Backoff struct {
	Attempts int           // tries per call, throttled ones included
	First    time.Duration // wait after the first throttled try, doubled after each
	Max      time.Duration // longest wait the doubling reaches
	Sleep    func(context.Context, time.Duration) error
}

// Wait returns the wait after try number attempt (from 1): First, then
// doubled after each try, at most Max.
func (b Backoff) Wait(attempt int) time.Duration {
	d := b.First
	for i := 1; i < attempt; i++ {
		d = min(2*d, b.Max)
	}
	return d
}

// Sleep waits for d, or until ctx is done and returns its error.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
