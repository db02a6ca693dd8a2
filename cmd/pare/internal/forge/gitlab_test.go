package forge

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leastpriv/pare/cmd/pare/internal/forge/fakegitlab"
)

const glToken = "glpat-TESTtoken0123456789abcd"

// glTest is a GitLab client talking to a fake instance on 127.0.0.1.
type glTest struct {
	fake  *fakegitlab.GitLab
	gl    *GitLab
	sleep *sleeper
	srv   string
}

func newGLTest(t *testing.T, token string) *glTest {
	t.Helper()
	fake := fakegitlab.New("platform/infra", glToken)
	srv := serve(t, fake)
	gl, err := NewGitLab("platform/infra", token, srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	s := &sleeper{}
	gl.Retry = s.retry()
	t.Cleanup(func() {
		for _, p := range fake.Problems() {
			t.Errorf("request against GitLab's documentation: %s", p)
		}
	})
	return &glTest{fake: fake, gl: gl, sleep: s, srv: srv.URL}
}

func glOps(calls []fakegitlab.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Op)
	}
	return out
}

var glNew = NewRequest{
	Head:   "pare/azure/reader",
	Base:   "main",
	Title:  "pare: right-size the reader role",
	Body:   "Removes 2 operations unused for 90 days.",
	Labels: []string{"security", "least-privilege"},
}

const glMRs = "/api/v4/projects/platform%2Finfra/merge_requests"

func TestGitLabPublishCreates(t *testing.T) {
	e := newGLTest(t, glToken)
	got, outcome, err := Publish(context.Background(), e.gl, glNew, false)
	if err != nil {
		t.Fatal(err)
	}
	want := &Request{
		Forge: "gitlab", Number: 1, URL: e.srv + "/platform/infra/-/merge_requests/1", State: StateOpen,
		Head: glNew.Head, Base: "main", Title: glNew.Title, Body: glNew.Body,
		Labels: []string{"least-privilege", "security"},
	}
	if outcome != Created || !equalRequest(got, want) {
		t.Errorf("got %+v %s\nwant %+v created", got, outcome, want)
	}
	if got.String() != "merge request !1" {
		t.Errorf("String() = %q", got.String())
	}
	calls := e.fake.Calls()
	if ops := glOps(calls); !slices.Equal(ops, []string{"list", "create"}) {
		t.Fatalf("calls %v, want list, create", ops)
	}
	list := calls[0]
	if list.Method != http.MethodGet || list.Path != glMRs {
		t.Errorf("list: %s %s", list.Method, list.Path)
	}
	wantQuery := url.Values{
		"source_branch": {"pare/azure/reader"}, "state": {"all"}, "order_by": {"created_at"},
		"sort": {"desc"}, "per_page": {"100"},
	}
	if list.Query.Encode() != wantQuery.Encode() {
		t.Errorf("list query %s, want %s", list.Query.Encode(), wantQuery.Encode())
	}
	create := calls[1]
	if create.Method != http.MethodPost || create.Path != glMRs {
		t.Errorf("create: %s %s", create.Method, create.Path)
	}
	wantKeys(t, "create", create.Body, map[string]any{
		"title": glNew.Title, "description": glNew.Body, "source_branch": glNew.Head,
		"target_branch": "main", "labels": "least-privilege,security",
	})
	for _, c := range calls {
		if !c.Authorized {
			t.Errorf("%s %s without PRIVATE-TOKEN", c.Method, c.Path)
		}
	}
}

func TestGitLabPublishUpdatesOpen(t *testing.T) {
	e := newGLTest(t, glToken)
	e.fake.Add(fakegitlab.MergeRequest{IID: 2, State: "merged", SourceBranch: glNew.Head, TargetBranch: "main", Title: "old"})
	e.fake.Add(fakegitlab.MergeRequest{IID: 7, State: "opened", SourceBranch: glNew.Head, TargetBranch: "main", Title: "stale", Labels: []string{"reviewed"}})
	e.fake.Add(fakegitlab.MergeRequest{IID: 9, State: "opened", SourceBranch: glNew.Head, TargetBranch: "main", SourceProjectID: 77, Title: "from a fork"})

	got, outcome, err := Publish(context.Background(), e.gl, glNew, false)
	if err != nil {
		t.Fatal(err)
	}
	if outcome != Updated || got.Number != 7 {
		t.Fatalf("got !%d %s, want !7 updated", got.Number, outcome)
	}
	if got.Title != glNew.Title || got.Body != glNew.Body || !slices.Equal(got.Labels, []string{"least-privilege", "reviewed", "security"}) {
		t.Errorf("got %+v", got)
	}
	calls := e.fake.Calls()
	if ops := glOps(calls); !slices.Equal(ops, []string{"list", "update"}) {
		t.Fatalf("calls %v, want list, update (no create)", ops)
	}
	if calls[1].Method != http.MethodPut || calls[1].Path != glMRs+"/7" {
		t.Errorf("update: %s %s", calls[1].Method, calls[1].Path)
	}
	wantKeys(t, "update", calls[1].Body, map[string]any{
		"title": glNew.Title, "description": glNew.Body, "add_labels": "least-privilege,security",
	})
	if n := len(e.fake.MergeRequests()); n != 3 {
		t.Errorf("fake holds %d merge requests, want 3 (no duplicate)", n)
	}
}

func TestGitLabPublishClosed(t *testing.T) {
	e := newGLTest(t, glToken)
	e.fake.Add(fakegitlab.MergeRequest{IID: 4, State: "closed", SourceBranch: glNew.Head, TargetBranch: "main", Title: "closed by a human"})
	ctx := context.Background()

	got, outcome, err := Publish(ctx, e.gl, glNew, false)
	if err != nil {
		t.Fatal(err)
	}
	if outcome != LeftClosed || got.Number != 4 || got.State != StateClosed {
		t.Errorf("got !%d %s %s, want !4 left closed", got.Number, got.State, outcome)
	}
	if ops := glOps(e.fake.Calls()); !slices.Equal(ops, []string{"list"}) {
		t.Errorf("calls %v, want only the list", ops)
	}

	// GitLab could reopen !4; pare opens a new merge request, as it does on
	// GitHub (which cannot reopen after pare's force-push).
	got, outcome, err = Publish(ctx, e.gl, glNew, true)
	if err != nil {
		t.Fatal(err)
	}
	if outcome != Created || got.Number != 5 || got.State != StateOpen || got.Title != glNew.Title {
		t.Errorf("got %+v %s, want a new !5", got, outcome)
	}
	calls := e.fake.Calls()[1:]
	if ops := glOps(calls); !slices.Equal(ops, []string{"list", "create"}) {
		t.Fatalf("calls %v", ops)
	}
	if m := e.fake.MergeRequests(); len(m) != 2 || m[0].State != "closed" || m[0].Title != "closed by a human" || m[1].State != "opened" {
		t.Errorf("fake holds %+v", m)
	}
}

func TestGitLabFindStates(t *testing.T) {
	e := newGLTest(t, glToken)
	e.fake.Add(fakegitlab.MergeRequest{IID: 1, State: "merged", SourceBranch: "a", TargetBranch: "main", Title: "t"})
	e.fake.Add(fakegitlab.MergeRequest{IID: 2, State: "locked", SourceBranch: "b", TargetBranch: "main", Title: "t"})
	e.fake.Add(fakegitlab.MergeRequest{IID: 3, State: "closed", SourceBranch: "a", TargetBranch: "main", Title: "t"})
	for _, tc := range []struct {
		head   string
		number int
		state  State
	}{
		{"a", 3, StateClosed},
		{"b", 2, StateOpen},
		{"c", 0, ""},
	} {
		got, err := e.gl.Find(context.Background(), tc.head)
		if err != nil {
			t.Fatal(err)
		}
		if tc.number == 0 {
			if got != nil {
				t.Errorf("Find(%q) = !%d, want none", tc.head, got.Number)
			}
			continue
		}
		if got == nil || got.Number != tc.number || got.State != tc.state {
			t.Errorf("Find(%q) = %+v, want !%d %s", tc.head, got, tc.number, tc.state)
		}
	}
}

func TestGitLabAlreadyExists(t *testing.T) {
	e := newGLTest(t, glToken)
	e.fake.Add(fakegitlab.MergeRequest{IID: 5, State: "opened", SourceBranch: glNew.Head, TargetBranch: "main", Title: "concurrent"})
	ctx := context.Background()
	_, err := e.gl.Create(ctx, glNew)
	var fe *Error
	if !errors.Is(err, ErrExists) || !errors.As(err, &fe) || fe.Status != 409 ||
		!strings.Contains(err.Error(), "Another open merge request already exists for this source branch: !5") {
		t.Fatalf("Create over an open one: %v", err)
	}

	e.fake.Inject(fakegitlab.Fault{Op: "list", Status: 200, Body: `[]`})
	got, outcome, err := Publish(ctx, e.gl, glNew, false)
	if err != nil {
		t.Fatal(err)
	}
	if outcome != Updated || got.Number != 5 || got.Title != glNew.Title {
		t.Errorf("got %+v %s, want !5 updated", got, outcome)
	}
	if ops := glOps(e.fake.Calls()[1:]); !slices.Equal(ops, []string{"list", "create", "list", "update"}) {
		t.Errorf("calls %v", ops)
	}
	if n := len(e.fake.MergeRequests()); n != 1 {
		t.Errorf("fake holds %d merge requests, want 1", n)
	}
}

func TestGitLabUnauthorized(t *testing.T) {
	const wrong = "glpat-WRONGtoken987654321"
	e := newGLTest(t, wrong)
	_, _, err := Publish(context.Background(), e.gl, glNew, false)
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("err %v, want ErrAuth", err)
	}
	for _, want := range []string{"401 Unauthorized", "GITLAB_TOKEN is missing, invalid or expired", `"api" scope`, "Developer role"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	checkNoToken(t, err, wrong)
	if n := len(e.fake.Calls()); n != 1 {
		t.Errorf("%d calls: a 401 is not retried", n)
	}
}

func TestGitLabInsufficientScope(t *testing.T) {
	e := newGLTest(t, glToken)
	e.fake.Inject(fakegitlab.Fault{Op: "create", Status: 403,
		Body: `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api"}`})
	_, err := e.gl.Create(context.Background(), glNew)
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("err %v, want ErrAuth", err)
	}
	for _, want := range []string{"403 Forbidden", "insufficient_scope", "requires higher privileges", "GITLAB_TOKEN lacks the scope or role"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestGitLabProjectNotFound(t *testing.T) {
	e := newGLTest(t, glToken)
	gl, err := NewGitLab("platform/missing", glToken, e.srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = gl.Find(context.Background(), "x")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "project platform/missing not found, or GITLAB_TOKEN cannot see it") {
		t.Errorf("err %v", err)
	}
	_, err = e.gl.Update(context.Background(), 99, UpdateRequest{Title: "t"})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "merge request !99 not found in platform/infra") {
		t.Errorf("update of a missing merge request: %v", err)
	}
}

func TestGitLabRateLimits(t *testing.T) {
	reset := strconv.FormatInt(testNow.Add(20*time.Second).Unix(), 10)
	for _, tc := range []struct {
		name   string
		header http.Header
		wait   time.Duration
	}{
		{"Retry-After", http.Header{"Retry-After": {"5"}, "Ratelimit-Reset": {reset}}, 5 * time.Second},
		{"RateLimit-Reset", http.Header{"Ratelimit-Reset": {reset}}, 21 * time.Second},
		{"no header", nil, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newGLTest(t, glToken)
			e.fake.Inject(fakegitlab.Fault{Op: "create", Status: 429, Header: tc.header, Message: "Retry later"})
			got, outcome, err := Publish(context.Background(), e.gl, glNew, false)
			if err != nil {
				t.Fatal(err)
			}
			if outcome != Created || got.Number != 1 {
				t.Errorf("got !%d %s", got.Number, outcome)
			}
			if !slices.Equal(e.sleep.waits, []time.Duration{tc.wait}) {
				t.Errorf("waited %v, want [%s]", e.sleep.waits, tc.wait)
			}
			if ops := glOps(e.fake.Calls()); !slices.Equal(ops, []string{"list", "create", "create"}) {
				t.Errorf("calls %v", ops)
			}
		})
	}
}

func TestGitLabRateLimitGivesUp(t *testing.T) {
	e := newGLTest(t, glToken)
	limited := fakegitlab.Fault{Status: 429, Header: http.Header{"Retry-After": {"1"}}, Message: "Retry later"}
	e.fake.Inject(limited, limited, limited, limited)
	_, err := e.gl.Find(context.Background(), "x")
	if !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "429 Too Many Requests: Retry later") {
		t.Fatalf("err %v", err)
	}
	if len(e.sleep.waits) != 3 || len(e.fake.Calls()) != 4 {
		t.Errorf("%d waits, %d calls; want 3 and 4", len(e.sleep.waits), len(e.fake.Calls()))
	}
}

// Other failures are not retried: client-go's own retries (5xx, 429) are
// off, so one call is one request.
func TestGitLabServerErrorNotRetried(t *testing.T) {
	e := newGLTest(t, glToken)
	e.fake.Inject(fakegitlab.Fault{Op: "create", Status: 502, Body: `{"message": "upstream timed out"}`})
	_, err := e.gl.Create(context.Background(), glNew)
	if err == nil || !strings.Contains(err.Error(), "502 Bad Gateway: upstream timed out") {
		t.Fatalf("err %v", err)
	}
	if n := len(e.fake.Calls()); n != 1 || len(e.sleep.waits) != 0 {
		t.Errorf("%d calls, waits %v", n, e.sleep.waits)
	}
}

func TestGitLabSelfManagedURLs(t *testing.T) {
	fake := fakegitlab.New("platform/infra", glToken)
	srv := serve(t, fake)
	for _, base := range []string{srv.URL, srv.URL + "/", srv.URL + "/api/v4", srv.URL + "/api/v4/"} {
		gl, err := NewGitLab("platform/infra", glToken, base, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := gl.Find(context.Background(), "x"); err != nil {
			t.Errorf("base %s: %v", base, err)
		}
	}
	for _, c := range fake.Calls() {
		if c.Path != glMRs || !c.Authorized {
			t.Errorf("call %s %s authorized=%v", c.Method, c.Path, c.Authorized)
		}
	}
	if p := fake.Problems(); len(p) > 0 {
		t.Errorf("problems: %v", p)
	}
}

// A redirect to another host would carry PRIVATE-TOKEN there (Go's client
// only drops Authorization and Cookie); the client refuses it.
func TestGitLabRefusesRedirectToAnotherHost(t *testing.T) {
	var elsewhere atomic.Int32
	other := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		if r.Header.Get("PRIVATE-TOKEN") != "" {
			t.Errorf("the token reached another host")
		}
	}))
	redirect := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	gl, err := NewGitLab("platform/infra", glToken, redirect.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = gl.Find(context.Background(), "x")
	if err == nil || !strings.Contains(err.Error(), "refusing a redirect to another host") {
		t.Errorf("err %v", err)
	}
	checkNoToken(t, err, glToken)
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("%d requests reached the other host", n)
	}
}

func TestGitLabTokenNeverInErrors(t *testing.T) {
	e := newGLTest(t, glToken)
	e.fake.Inject(fakegitlab.Fault{Op: "update", Status: 400, Body: `{"message": {"description": ["contains ` + glToken + `"]}}`})
	_, err := e.gl.Update(context.Background(), 1, UpdateRequest{Title: "t"})
	if err == nil || !strings.Contains(err.Error(), "description contains [REDACTED]") {
		t.Fatalf("err %v", err)
	}
	checkNoToken(t, err, glToken)

	_, err = NewGitLab("platform/infra", "", "", nil)
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "GITLAB_TOKEN is not set") {
		t.Errorf("empty token: %v", err)
	}
}

func TestNewGitLabRejects(t *testing.T) {
	for _, tc := range []struct{ project, url, want string }{
		{"infra", "", "want group/name"},
		{"platform//infra", "", "want group/name"},
		{"", "", "want group/name"},
		{"42a", "", "want group/name or a numeric project id"},
		{"-42", "", "want group/name or a numeric project id"},
		{"platform/infra", "gitlab.example.com", "must start with https://"},
		{"platform/infra", "https://oauth2:s3cret@gitlab.example.com", "must not carry credentials"},
	} {
		_, err := NewGitLab(tc.project, glToken, tc.url, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewGitLab(%q, %q): %v, want %q", tc.project, tc.url, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error echoes the URL's secret: %v", err)
		}
	}
	if _, err := NewGitLab("group/sub/infra", glToken, "", nil); err != nil {
		t.Errorf("subgroup project: %v", err)
	}
}

// A numeric project id is what prconfig accepts besides a path; the API
// takes it in the path's place.
func TestGitLabNumericProjectID(t *testing.T) {
	e := newGLTest(t, glToken)
	gl, err := NewGitLab("42", glToken, e.srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	gl.Retry = e.sleep.retry()
	got, outcome, err := Publish(context.Background(), gl, glNew, false)
	if err != nil {
		t.Fatal(err)
	}
	if outcome != Created || got.Number != 1 || got.Head != glNew.Head {
		t.Errorf("got %+v %s, want !1 created", got, outcome)
	}
	for _, c := range e.fake.Calls() {
		if !strings.HasPrefix(c.Path, "/api/v4/projects/42/merge_requests") {
			t.Errorf("%s %s: want the project as its id 42", c.Method, c.Path)
		}
	}
	if m := e.fake.MergeRequests(); len(m) != 1 || m[0].SourceBranch != glNew.Head {
		t.Errorf("fake holds %+v", m)
	}
}
