package forge

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"0", 0, true},
		{"120", 2 * time.Minute, true},
		{" 3 ", 3 * time.Second, true},
		{testNow.Add(45 * time.Second).Format(http.TimeFormat), 45 * time.Second, true},
		{testNow.Add(-time.Hour).Format(http.TimeFormat), 0, true}, // already past
		{"-5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	} {
		h := http.Header{}
		if tc.value != "" {
			h.Set("Retry-After", tc.value)
		}
		got, ok := retryAfter(h, testNow)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Retry-After %q: %s %v, want %s %v", tc.value, got, ok, tc.want, tc.ok)
		}
	}
}

func TestUntilReset(t *testing.T) {
	h := http.Header{"X-Ratelimit-Reset": {"1717243260"}} // testNow + 60s
	if got, ok := untilReset(h, "X-RateLimit-Reset", testNow); !ok || got != 61*time.Second {
		t.Errorf("reset in 60s: %s %v, want 1m1s", got, ok)
	}
	h.Set("X-Ratelimit-Reset", "1717243000") // past
	if got, ok := untilReset(h, "X-RateLimit-Reset", testNow); !ok || got != 0 {
		t.Errorf("reset past: %s %v, want 0", got, ok)
	}
	h.Set("X-Ratelimit-Reset", "tomorrow")
	if _, ok := untilReset(h, "X-RateLimit-Reset", testNow); ok {
		t.Error("unreadable reset accepted")
	}
}

func TestGitHubWaitIgnoresResetWithRemaining(t *testing.T) {
	// A secondary limit while the hourly budget remains: the reset header
	// is the budget's, up to an hour away; GitHub says wait a minute.
	h := http.Header{"X-Ratelimit-Remaining": {"4000"}, "X-Ratelimit-Reset": {"1717246800"}}
	if got := githubWait(h, testNow); got != time.Minute {
		t.Errorf("wait %s, want 1m", got)
	}
}

func TestRetrySleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := (Retry{}).sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep: %v, want canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("sleep on a canceled context took %s", d)
	}
	// A Sleep that ignores the context still stops the retries.
	r := Retry{Sleep: func(context.Context, time.Duration) error { return nil }}
	if err := r.sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep with a careless Sleep: %v", err)
	}
}

func TestShorten(t *testing.T) {
	long := strings.Repeat("é", 400)
	got := shorten(long)
	if !utf8.ValidString(got) || !strings.HasSuffix(got, "...") || len(got) > 310 {
		t.Errorf("shorten: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
	if got := shorten("a\n  b\tc"); got != "a b c" {
		t.Errorf("shorten folds space: %q", got)
	}
}

func TestFlattenMessage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`"plain"`, "plain"},
		{`["one", "two"]`, "one; two"},
		{`{"title": ["is too long"], "base": ["bad"]}`, "base bad; title is too long"},
		{`42`, "42"},
	} {
		if got := flattenMessage([]byte(tc.in)); got != tc.want {
			t.Errorf("flattenMessage(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDropStatusEcho(t *testing.T) {
	for _, tc := range []struct {
		said   string
		status int
		want   string
	}{
		{"Not Found", 404, ""},
		{"401 Unauthorized", 401, ""},
		{"404 Project Not Found", 404, "404 Project Not Found"},
		{"Bad credentials", 401, "Bad credentials"},
	} {
		if got := dropStatusEcho(tc.said, tc.status); got != tc.want {
			t.Errorf("dropStatusEcho(%q, %d) = %q, want %q", tc.said, tc.status, got, tc.want)
		}
	}
}
