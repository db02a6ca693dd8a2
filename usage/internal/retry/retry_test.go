package retry

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestWait(t *testing.T) {
	b := Backoff{First: time.Second, Max: 5 * time.Second}
	var got []time.Duration
	for attempt := 1; attempt <= 6; attempt++ {
		got = append(got, b.Wait(attempt))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second}
	if !slices.Equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
	// Many tries never overflow past the cap.
	if d := b.Wait(200); d != 5*time.Second {
		t.Errorf("Wait(200) = %s, want 5s", d)
	}
}

func TestSleep(t *testing.T) {
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a done context = %v, want context.Canceled", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("Sleep on a done context took %s", time.Since(start))
	}
}
