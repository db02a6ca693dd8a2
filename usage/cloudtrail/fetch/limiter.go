package fetch

import (
	"context"
	"sync"
	"time"

	"github.com/leastpriv/pare/usage/internal/retry"
)

// Limiter spaces requests at least Interval apart. It is safe for
// concurrent use: every Input of one LookupEvents call shares one, so a
// region never sees more than its rate however many days are read at once.
type Limiter struct {
	interval time.Duration
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error

	mu   sync.Mutex
	next time.Time // earliest time the next request may start
}

// NewLimiter returns a limiter allowing perSecond requests a second on the
// real clock.
func NewLimiter(perSecond float64) *Limiter {
	return newLimiter(time.Duration(float64(time.Second)/perSecond), time.Now, retry.Sleep)
}

func newLimiter(interval time.Duration, now func() time.Time, sleep func(context.Context, time.Duration) error) *Limiter {
	return &Limiter{interval: interval, now: now, sleep: sleep}
}

// Wait blocks until the caller may make one request, or ctx is done.
func (l *Limiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	now := l.now()
	slot := l.next
	if slot.Before(now) {
		slot = now
	}
	l.next = slot.Add(l.interval)
	l.mu.Unlock()
	if d := slot.Sub(now); d > 0 {
		return l.sleep(ctx, d)
	}
	return nil
}
