package gitwork

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testToken has characters that URL escaping and printf formats change.
const testToken = "ghp_T0ken+with/odd%chars&s3cret"

// basicAuth wraps h in HTTP Basic authentication that wants token as the
// password, and records the user names it was offered.
type basicAuth struct {
	token string
	h     http.Handler

	mu    sync.Mutex
	users []string
}

func (b *basicAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if ok {
		b.mu.Lock()
		b.users = append(b.users, user)
		b.mu.Unlock()
	}
	if !ok || pass != b.token {
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
		return
	}
	b.h.ServeHTTP(w, r)
}

func (b *basicAuth) usersSeen() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.users...)
}

// smartHTTP serves the repositories under root with git's own smart HTTP
// server (git http-backend through CGI), behind Basic authentication.
func smartHTTP(t *testing.T, root string) (*httptest.Server, *basicAuth) {
	t.Helper()
	backend := filepath.Join(gitT(t, "", "--exec-path"), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		t.Skipf("git http-backend not available: %v", err)
	}
	auth := &basicAuth{token: testToken, h: &cgi.Handler{
		Path: backend,
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1"},
	}}
	srv := httptest.NewServer(auth)
	t.Cleanup(srv.Close)
	return srv, auth
}

// TestAuthOverHTTP clones, fetches and pushes through an
// authenticating smart HTTP server, and then looks for the token
// everywhere it must not be.
func TestAuthOverHTTP(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	gitT(t, fx.bare, "config", "http.receivepack", "true")
	srv, server := smartHTTP(t, filepath.Dir(fx.bare))
	remote := srv.URL + "/" + filepath.Base(fx.bare)
	auth := Auth{Token: testToken}

	// Record every git command line the package runs.
	argvLog := filepath.Join(t.TempDir(), "argv.log")
	wrapper := filepath.Join(t.TempDir(), "git")
	realGit, err := findGit()
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$*\" >> '%s'\nexec '%s' \"$@\"\n", argvLog, realGit)
	if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "clone")
	repo, err := Clone(ctx, remote, dir, auth)
	if err != nil {
		t.Fatal(err)
	}
	repo.git = wrapper

	if sha, err := repo.Fetch(ctx, "origin", "main", auth); err != nil || sha != fx.base {
		t.Fatalf("Fetch with the token = %s, %v; want %s", sha, err, fx.base)
	}
	c, err := repo.Change(ctx, "origin/main", map[string][]byte{"iam/http.tf": []byte("over http\n")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	commit, err := c.Commit(ctx, "pare/http", "pare: over http", testAuthor)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Push(ctx, "origin", "pare/http", auth); err != nil {
		t.Fatal(err)
	}
	if got := gitT(t, fx.bare, "rev-parse", "pare/http"); got != commit {
		t.Fatalf("origin pare/http = %s, want %s", got, commit)
	}
	for _, u := range server.usersSeen() {
		if u != defaultUsername {
			t.Errorf("server saw user name %q, want %q", u, defaultUsername)
		}
	}
	if len(server.usersSeen()) == 0 {
		t.Error("the server never saw credentials")
	}
	if _, err := repo.Fetch(ctx, "origin", "main", Auth{Token: testToken, Username: "oauth2"}); err != nil {
		t.Fatal(err)
	}
	if users := server.usersSeen(); users[len(users)-1] != "oauth2" {
		t.Errorf("last user name = %q, want oauth2", users[len(users)-1])
	}

	// Without the token, or with a wrong one, git fails at once: no prompt.
	for _, a := range []Auth{{}, {Token: "wrong-" + testToken}} {
		start := time.Now()
		_, err := repo.Fetch(ctx, "origin", "main", a)
		if err == nil {
			t.Errorf("Fetch with %q succeeded", a.Token)
			continue
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("error shows the token: %v", err)
		}
		if time.Since(start) > 20*time.Second {
			t.Errorf("failing authentication took %s", time.Since(start))
		}
	}
	if err := repo.Push(ctx, "origin", "pare/http", Auth{Token: "wrong"}); err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("Push with a wrong token: err = %v", err)
	}

	// The token is nowhere: not in argv, not in the commit, not in any file
	// of the clone (.git/config included), not in a credential store.
	log, err := os.ReadFile(argvLog)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), " fetch ") || !strings.Contains(string(log), " push ") || !strings.Contains(string(log), "credential.helper=") {
		t.Errorf("argv log misses the commands:\n%s", log)
	}
	assertNoToken(t, "argv", string(log))
	assertNoToken(t, "commit", gitT(t, fx.bare, "cat-file", "-p", commit))
	assertNoTokenInTree(t, dir)
	assertNoTokenInTree(t, os.Getenv("HOME"))
	if _, err := os.Stat(filepath.Join(os.Getenv("HOME"), ".git-credentials")); err == nil {
		t.Error("a credential helper stored something in ~/.git-credentials")
	}
}

func assertNoToken(t *testing.T, where, s string) {
	t.Helper()
	for _, form := range []string{testToken, "T0ken+with", "s3cret"} {
		if strings.Contains(s, form) {
			t.Errorf("%s contains the token (%q)", where, form)
		}
	}
}

func assertNoTokenInTree(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		assertNoToken(t, p, string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// pkt is one pkt-line of git's wire protocol.
func pkt(s string) string { return fmt.Sprintf("%04x%s", len(s)+4, s) }

// TestErrorsRedactSecrets talks to a hostile server that answers a ref
// advertisement with an error message quoting the password it was sent:
// git prints it, and the error pare gets must not contain it.
func TestErrorsRedactSecrets(t *testing.T) {
	ctx := context.Background()
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pass, ok := r.BasicAuth()
		if !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		service := r.URL.Query().Get("service") // git-upload-pack to fetch, git-receive-pack to push
		w.Header().Set("Content-Type", "application/x-"+service+"-advertisement")
		fmt.Fprint(w, pkt("# service="+service+"\n")+"0000"+pkt("ERR you sent "+pass+" and "+r.URL.String()+"\n"))
	})
	srv := httptest.NewServer(echo)
	defer srv.Close()

	fx := newFixture(t)
	repo, err := Open(fx.user)
	if err != nil {
		t.Fatal(err)
	}
	gitT(t, fx.user, "remote", "add", "echo", srv.URL+"/x.git")
	_, err = repo.Fetch(ctx, "echo", "main", Auth{Token: testToken})
	if err == nil || !strings.Contains(err.Error(), "remote error: you sent [REDACTED]") {
		t.Errorf("err = %v, want the remote's message with the token redacted", err)
	} else {
		assertNoToken(t, "error", err.Error())
	}

	// A password written into the remote's URL is redacted the same way,
	// whether the remote is named or (Push only) given as a URL.
	withPassword := strings.Replace(srv.URL, "http://", "http://someone:urlP4ssword@", 1) + "/x.git"
	gitT(t, fx.user, "remote", "add", "hostile", withPassword)
	_, err = repo.Fetch(ctx, "hostile", "main", Auth{})
	if err == nil || !strings.Contains(err.Error(), "remote error: you sent [REDACTED]") || strings.Contains(err.Error(), "urlP4ssword") {
		t.Errorf("Fetch(hostile): err = %v, want a redacted remote error", err)
	}
	for _, remote := range []string{"hostile", withPassword} {
		if err := repo.Push(ctx, remote, "feature", Auth{}); err == nil || !strings.Contains(err.Error(), "remote error: you sent [REDACTED]") || strings.Contains(err.Error(), "urlP4ssword") {
			t.Errorf("Push(%s): err = %v, want a redacted remote error", RedactURL(remote), err)
		}
	}
	_, err = Clone(ctx, withPassword, filepath.Join(t.TempDir(), "c"), Auth{})
	if err == nil || strings.Contains(err.Error(), "urlP4ssword") {
		t.Errorf("Clone: err = %v, want a redacted error", err)
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"fatal: unable to access 'https://user:pw@example.com/x.git/'", "fatal: unable to access 'https://[REDACTED]@example.com/x.git/'"},
		{"HTTP://tok@host/path@x", "HTTP://[REDACTED]@host/path@x"},
		{"ssh://git@example.com/x.git and git@example.com:x.git", "ssh://git@example.com/x.git and git@example.com:x.git"},
		{"https://example.com/a@b", "https://example.com/a@b"},
		{"secret and " + url.PathEscape(testToken) + " " + url.QueryEscape(testToken), "[REDACTED] and [REDACTED] [REDACTED]"},
	} {
		if got := redact(tc.in, []string{"secret", testToken}); got != tc.want {
			t.Errorf("redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		url  string
		want []string
	}{
		{"https://user:pw@example.com/x", []string{"pw"}},
		{"https://ghp_0123456789abcdef@example.com/x", []string{"ghp_0123456789abcdef"}},
		{"https://git@example.com/x", nil},
		{"https://example.com/x", nil},
		{"git@example.com:x.git", nil},
	} {
		if got := urlSecrets(tc.url); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("urlSecrets(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
}

func TestAuthRejectsLineBreaks(t *testing.T) {
	fx := newFixture(t)
	repo, err := Open(fx.user)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []Auth{{Token: "a\npassword=b"}, {Token: "t", Username: "u\nv"}} {
		if _, err := repo.Fetch(context.Background(), "origin", "main", a); err == nil || strings.Contains(err.Error(), "password=b") {
			t.Errorf("Fetch with %q: err = %v", a, err)
		}
		if err := repo.Push(context.Background(), "origin", "feature", a); err == nil || strings.Contains(err.Error(), "password=b") {
			t.Errorf("Push with %q: err = %v", a, err)
		}
	}
}
