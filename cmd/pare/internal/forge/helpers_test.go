package forge

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// testNow is the clock the tests give Retry.Now.
var testNow = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// sleeper records the waits a Retry asked for instead of waiting.
type sleeper struct {
	waits []time.Duration
	// onSleep, when set, runs before the wait is recorded (to cancel a
	// context mid-wait).
	onSleep func()
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	if s.onSleep != nil {
		s.onSleep()
	}
	s.waits = append(s.waits, d)
	return ctx.Err()
}

func (s *sleeper) retry() Retry {
	return Retry{Sleep: s.sleep, Now: func() time.Time { return testNow }}
}

// serve starts h on a loopback listener, closed when the test ends.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// checkNoToken fails when token shows in the text of err or of any error
// it wraps.
func checkNoToken(t *testing.T, err error, token string) {
	t.Helper()
	if err == nil {
		return
	}
	if s := err.Error(); strings.Contains(s, token) {
		t.Errorf("error text holds the token: %s", s)
	}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, inner := range u.Unwrap() {
			checkNoToken(t, inner, token)
		}
	case interface{ Unwrap() error }:
		checkNoToken(t, u.Unwrap(), token)
	}
}

// jsonObject decodes a JSON object and returns its keys, sorted, and the
// object.
func jsonObject(t *testing.T, body []byte) ([]string, map[string]any) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, m
}

func wantKeys(t *testing.T, what string, body []byte, want map[string]any) {
	t.Helper()
	keys, got := jsonObject(t, body)
	wantList := make([]string, 0, len(want))
	for k := range want {
		wantList = append(wantList, k)
	}
	sort.Strings(wantList)
	if !slices.Equal(keys, wantList) {
		t.Errorf("%s: fields %v, want %v (body %s)", what, keys, wantList, body)
	}
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("%s: %s = %#v, want %#v", what, k, got[k], v)
		}
	}
}
