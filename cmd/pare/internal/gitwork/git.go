package gitwork

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// maxStderr bounds how much of git's output an error carries.
const maxStderr = 4096

// call is one git invocation.
type call struct {
	dir   string    // working directory ("" = current)
	args  []string  // after "git"
	stdin io.Reader // nil = empty
	env   []string  // extra KEY=VALUE entries
	auth  Auth      // zero = no token

	secrets []string // redacted from errors, besides auth's token
}

// Error is a git command that failed. Args and Stderr have credentials
// redacted.
type Error struct {
	Args   []string // arguments after "git"
	Stderr string   // what git printed, trimmed and bounded
	Err    error    // the exec error (usually *exec.ExitError)
}

func (e *Error) Error() string {
	msg := e.Stderr
	if msg == "" {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("git %s: %s", strings.Join(e.Args, " "), msg)
}

func (e *Error) Unwrap() error { return e.Err }

// findGit returns the path of the git binary.
func findGit() (string, error) {
	path, err := exec.LookPath("git")
	if err != nil {
		return "", fmt.Errorf("git is not installed or not in PATH (pare pr needs the git command): %w", err)
	}
	return path, nil
}

// run runs git and returns its standard output. A failure is an *Error
// with git's standard error, redacted.
func run(ctx context.Context, git string, c call) ([]byte, error) {
	args := c.args
	if c.auth.Token != "" {
		args = append(c.auth.configArgs(), args...)
	}
	cmd := exec.CommandContext(ctx, git, args...)
	cmd.Dir = c.dir
	cmd.Env = childEnv(c.env, c.auth)
	if c.stdin != nil {
		cmd.Stdin = c.stdin
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = ctxErr
		}
		secrets := append([]string{c.auth.Token}, c.secrets...)
		return stdout.Bytes(), &Error{
			Args:   redactArgs(c.args, secrets),
			Stderr: bound(redact(strings.TrimSpace(stderr.String()), secrets)),
			Err:    err,
		}
	}
	return stdout.Bytes(), nil
}

// childEnv is the environment of one git child: the inherited one without
// the scrubbed variables, never prompting, with stable messages, plus
// extra and the token variables when auth has a token.
func childEnv(extra []string, auth Auth) []string {
	env := make([]string, 0, len(os.Environ())+len(extra)+6)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if isScrubbed(name) {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"GIT_TERMINAL_PROMPT=0",
		"GCM_INTERACTIVE=never",
		"LC_ALL=C",
	)
	env = append(env, extra...)
	if auth.Token != "" {
		env = append(env, tokenEnv+"="+auth.Token, usernameEnv+"="+auth.username())
	}
	return env
}

// isScrubbed reports whether an inherited environment variable is dropped:
// it would point git at another repository or index than the one asked for,
// or it carries a token meant for one child only.
func isScrubbed(name string) bool {
	switch name {
	case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
		"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE",
		"GIT_PREFIX", "GIT_QUARANTINE_PATH", tokenEnv, usernameEnv:
		return true
	}
	return false
}

func redactArgs(args []string, secrets []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = redact(a, secrets)
	}
	return out
}

func bound(s string) string {
	if len(s) <= maxStderr {
		return s
	}
	return "..." + s[len(s)-maxStderr:]
}

// exitCode is the exit status of a failed git command, or -1.
func exitCode(err error) int {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	return -1
}

// firstLine is the first line of git's output, without the newline.
func firstLine(out []byte) string {
	s, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(s)
}
