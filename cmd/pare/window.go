package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/leastpriv/pare/cmd/pare/internal/prconfig"
	"github.com/leastpriv/pare/synth"
)

// windowFlags is what the user said about the observation window.
type windowFlags struct {
	since    time.Duration // 0: not given
	from, to time.Time     // zero: not given
}

// parseWindowFlags validates --since, --from and --to.
func parseWindowFlags(since, from, to string) (windowFlags, error) {
	var w windowFlags
	if since != "" && (from != "" || to != "") {
		return w, usageErrorf("use either --since or --from/--to", "--since cannot be combined with --from or --to")
	}
	if since != "" {
		d, err := prconfig.ParseDuration(since)
		if err != nil {
			return w, usageErrorf("write --since as a number of days, hours or weeks, e.g. 90d, 36h, 12w", "--since %q: %v", since, err)
		}
		w.since = d
	}
	var err error
	if from != "" {
		if w.from, err = parseTime(from, false); err != nil {
			return w, usageErrorf("write times as 2026-01-31 or 2026-01-31T15:04:05Z", "--from %q: %v", from, err)
		}
	}
	if to != "" {
		if w.to, err = parseTime(to, true); err != nil {
			return w, usageErrorf("write times as 2026-01-31 or 2026-01-31T15:04:05Z", "--to %q: %v", to, err)
		}
	}
	if !w.from.IsZero() && !w.to.IsZero() && w.to.Before(w.from) {
		return w, usageErrorf("", "--to %s is before --from %s", to, from)
	}
	return w, nil
}

// parseTime reads RFC 3339 or a date; a date as --to means the end of that day.
func parseTime(s string, endOfDay bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if !strings.Contains(s, "T") {
		if t, err := time.Parse("2006-01-02", s); err == nil {
			if endOfDay {
				return t.Add(24*time.Hour - time.Nanosecond), nil
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date or an RFC 3339 time")
}

// listingWindow bounds what remote listings need to fetch before anything is
// loaded. --since counts back from the newest event, unknown until loaded, so
// it does not prune listings.
func (w windowFlags) listingWindow() synth.Window {
	return synth.Window{From: w.from, To: w.to}
}

// resolve gives the window used once events are loaded: --since counts back
// from the newest event loaded, so archived logs work like fresh ones.
func (w windowFlags) resolve(oldest, newest time.Time) synth.Window {
	switch {
	case w.since > 0:
		return synth.Window{From: newest.Add(-w.since), To: newest}
	case !w.from.IsZero() || !w.to.IsZero():
		return synth.Window{From: w.from, To: w.to}
	default:
		return synth.Window{From: oldest, To: newest}
	}
}
