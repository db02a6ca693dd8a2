package forge

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry says how a rate-limited call is retried. The zero value is the
// default; tests set Sleep and Now so that nothing really waits.
type Retry struct {
	// Tries is how many times a call is made in all; 0 means 4.
	Tries int
	// MaxWait is the longest single wait accepted; a forge asking for more
	// fails the call at once with ErrRateLimited. 0 means 15 minutes.
	MaxWait time.Duration
	// Sleep waits for d or until ctx is done, returning ctx.Err() then.
	// nil means a real timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now reads the clock, for reset times and HTTP-date Retry-After
	// values. nil means time.Now.
	Now func() time.Time
}

// Default retry settings.
const (
	defaultTries   = 4
	defaultMaxWait = 15 * time.Minute
	// defaultWait is used when a rate limit says nothing about when to
	// come back; GitHub's documentation asks for at least a minute.
	defaultWait = time.Minute
)

func (r Retry) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// run makes call until it succeeds, fails with something other than a
// rate limit, or the tries are used up. call returns nil or a classified
// *Error (RetryAfter set for rate limits).
func (r Retry) run(ctx context.Context, call func() *Error) error {
	tries := r.Tries
	if tries <= 0 {
		tries = defaultTries
	}
	maxWait := r.MaxWait
	if maxWait <= 0 {
		maxWait = defaultMaxWait
	}
	for try := 1; ; try++ {
		e := call()
		if e == nil {
			return nil
		}
		if e.kind != ErrRateLimited {
			return e
		}
		if e.RetryAfter > maxWait {
			e.Message = joinMessage(e.Message, fmt.Sprintf("the forge asks to wait %s, longer than pare waits (%s); try again later", e.RetryAfter, maxWait))
			return e
		}
		if try >= tries {
			e.Message = joinMessage(e.Message, fmt.Sprintf("still limited after %d tries; try again later", tries))
			return e
		}
		if err := r.sleep(ctx, e.RetryAfter); err != nil {
			e.Message = joinMessage(e.Message, "stopped waiting: "+err.Error())
			e.cause = err
			return e
		}
	}
}

func (r Retry) sleep(ctx context.Context, d time.Duration) error {
	if r.Sleep != nil {
		if err := r.Sleep(ctx, d); err != nil {
			return err
		}
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// untilReset reads a reset header holding a Unix time in seconds and gives
// the wait until a second past it (the header is rounded to seconds).
func untilReset(h http.Header, name string, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil || secs <= 0 {
		return 0, false
	}
	return max(time.Unix(secs, 0).Sub(now)+time.Second, 0), true
}
