package forge

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors that callers branch on; an *Error matches at most one of them
// with errors.Is.
var (
	// ErrAuth: the token is missing, invalid, expired or lacks a scope or
	// role (HTTP 401, or 403 that is not a rate limit).
	ErrAuth = errors.New("token missing, invalid or lacking scope")
	// ErrNotFound: the repository, project or request does not exist, or
	// the token cannot see it (HTTP 404).
	ErrNotFound = errors.New("not found")
	// ErrRateLimited: the forge still refused after the retries, or asked
	// for a wait longer than Retry.MaxWait.
	ErrRateLimited = errors.New("rate limited")
	// ErrExists: Create found an open request for the branch already
	// (GitHub 422 "A pull request already exists", GitLab 409).
	ErrExists = errors.New("request already exists")
)

// Error is a failed call to a forge's API.
type Error struct {
	Forge   string // "github" or "gitlab"
	Op      string // what pare was doing, e.g. "creating pull request pare/x into main in acme/infra"
	Status  int    // the HTTP status; 0 when no answer came
	Message string // what the forge said and pare's hint, token removed
	// RetryAfter is, for a rate limit, the wait the forge asked for.
	RetryAfter time.Duration

	kind  error // ErrAuth, ErrNotFound, ErrRateLimited, ErrExists or nil
	cause error // the transport or context error when no answer came
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Forge)
	b.WriteString(": ")
	b.WriteString(e.Op)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Unwrap gives the kind (ErrAuth, ...) and the cause (context.Canceled,
// a network error), whichever are set.
func (e *Error) Unwrap() []error {
	var out []error
	if e.kind != nil {
		out = append(out, e.kind)
	}
	if e.cause != nil {
		out = append(out, e.cause)
	}
	return out
}

// redactor removes a token from text that came from elsewhere (a server's
// message, a transport error).
type redactor string

func (token redactor) clean(s string) string {
	t := string(token)
	if t == "" {
		return s
	}
	s = strings.ReplaceAll(s, t, "[REDACTED]")
	if q := url.QueryEscape(t); q != t {
		s = strings.ReplaceAll(s, q, "[REDACTED]")
	}
	return s
}

// transportError is a call that got no HTTP error answer: the context
// ended, the connection failed, or a 2xx answer did not decode.
func (token redactor) transportError(forge, op string, status int, err error) *Error {
	return &Error{Forge: forge, Op: op, Status: status, Message: token.clean(err.Error()), cause: err}
}

// shorten keeps a server's message to one readable line.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 300
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

// dropStatusEcho removes a message that only repeats the status ("Not
// Found", "401 Unauthorized"): Error already says it.
func dropStatusEcho(said string, status int) string {
	text := http.StatusText(status)
	if strings.EqualFold(said, text) || strings.EqualFold(said, fmt.Sprintf("%d %s", status, text)) {
		return ""
	}
	return said
}

// joinMessage joins what the forge said with pare's hint.
func joinMessage(said, hint string) string {
	switch {
	case said == "":
		return hint
	case hint == "":
		return said
	}
	return said + "; " + hint
}
