package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	// exitFindings: the run worked and a --fail-on condition holds.
	exitFindings = 3
)

// userError is an error with an exit code and hints for the user.
type userError struct {
	err   error
	code  int
	hints []string
}

func (e *userError) Error() string { return e.err.Error() }
func (e *userError) Unwrap() error { return e.err }

// usageErrorf reports a mistake in how pare was called (exit 2).
func usageErrorf(hint string, format string, args ...any) error {
	e := &userError{err: fmt.Errorf(format, args...), code: exitUsage}
	if hint != "" {
		e.hints = []string{hint}
	}
	return e
}

// withHint attaches a hint to err (exit 1 unless err already says otherwise).
func withHint(err error, hint string) error {
	var ue *userError
	if errors.As(err, &ue) {
		ue.hints = append(ue.hints, hint)
		return err
	}
	return &userError{err: err, code: exitError, hints: []string{hint}}
}

// exitStatus prints err the way pare talks to users and returns the exit code.
// No Go stack trace or raw panic ever reaches here: run recovers panics.
func exitStatus(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	code := exitError
	var hints []string
	var ue *userError
	if errors.As(err, &ue) {
		code = ue.code
		hints = ue.hints
	}
	msg := err.Error()
	if errors.Is(err, context.Canceled) {
		msg = "interrupted; what was fully loaded is kept, run again to resume"
	}
	for _, line := range strings.Split(msg, "\n") {
		fmt.Fprintf(stderr, "pare: error: %s\n", line)
	}
	for _, h := range hints {
		fmt.Fprintf(stderr, "pare: hint: %s\n", h)
	}
	return code
}
