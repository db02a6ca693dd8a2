package forge

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/leastpriv/pare/cmd/pare/internal/forge/fakegithub"
)

const ghToken = "ghp_TESTtoken0123456789abcdefABCDEF"

// ghTest is a GitHub client talking to a fake Enterprise Server root
// (/api/v3/) on 127.0.0.1.
type ghTest struct {
	fake  *fakegithub.GitHub
	gh    *GitHub
	sleep *sleeper
	srv   string
}

func newGHTest(t *testing.T, token string) *ghTest {
	t.Helper()
	fake := fakegithub.New("acme", "infra", ghToken)
	fake.Prefix = "/api/v3"
	srv := serve(t, fake)
	gh, err := NewGitHub("acme/infra", token, srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	s := &sleeper{}
	gh.Retry = s.retry()
	t.Cleanup(func() {
		for _, p := range fake.Problems() {
			t.Errorf("request against GitHub's documentation: %s", p)
		}
	})
	return &ghTest{fake: fake, gh: gh, sleep: s, srv: srv.URL}
}

// ops lists the operations of the calls the fake saw.
func ghOps(calls []fakegithub.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Op)
	}
	return out
}

var ghNew = NewRequest{
	Head:   "pare/aws/app",
	Base:   "main",
	Title:  "pare: right-size arn:aws:iam::111122223333:role/app",
	Body:   "Removes 3 permissions unused for 90 days.",
	Labels: []string{"least-privilege"},
}

func TestGitHubPublishCreates(t *testing.T) {
	e := newGHTest(t, ghToken)
	got, outcome, err := Publish(context.Background(), e.gh, ghNew, false)
	if err != nil {
		t.Fatal(err)
	}
	if outcome != Created {
		t.Errorf("outcome %s, want created", outcome)
	}
	want := &Request{
		Forge: "github", Number: 1, URL: e.srv + "/acme/infra/pull/1", State: StateOpen,
		Head: ghNew.Head, Base: "main", Title: ghNew.Title, Body: ghNew.Body, Labels: []string{"least-privilege"},
	}
	if !equalRequest(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if got.String() != "pull request #1" {
		t.Errorf("String() = %q", got.String())
	}

	calls := e.fake.Calls()
	if ops := ghOps(calls); !slices.Equal(ops, []string{"list", "create", "labels"}) {
		t.Fatalf("calls %v, want list, create, labels", ops)
	}
	list := calls[0]
	if list.Method != http.MethodGet || list.Path != "/api/v3/repos/acme/infra/pulls" {
		t.Errorf("list: %s %s", list.Method, list.Path)
	}
	wantQuery := url.Values{
		"head": {"acme:pare/aws/app"}, "state": {"all"}, "sort": {"created"},
		"direction": {"desc"}, "per_page": {"100"},
	}
	if list.Query.Encode() != wantQuery.Encode() {
		t.Errorf("list query %s, want %s", list.Query.Encode(), wantQuery.Encode())
	}
	create := calls[1]
	if create.Method != http.MethodPost || create.Path != "/api/v3/repos/acme/infra/pulls" {
		t.Errorf("create: %s %s", create.Method, create.Path)
	}
	wantKeys(t, "create", create.Body, map[string]any{
		"title": ghNew.Title, "head": "pare/aws/app", "base": "main", "body": ghNew.Body,
	})
	labels := calls[2]
	if labels.Method != http.MethodPost || labels.Path != "/api/v3/repos/acme/infra/issues/1/labels" {
		t.Errorf("labels: %s %s", labels.Method, labels.Path)
	}
	if strings.TrimSpace(string(labels.Body)) != `["least-privilege"]` {
		t.Errorf("labels body %s", labels.Body)
	}
	for _, c := range calls {
		if !c.Authorized {
			t.Errorf("%s %s without the token as Bearer", c.Method, c.Path)
		}
	}
	pulls := e.fake.Pulls()
	if len(pulls) != 1 || pulls[0].State != "open" || !slices.Equal(pulls[0].Labels, []string{"least-privilege"}) {
		t.Errorf("fake holds %+v", pulls)
	}
}

func TestGitHubPublishUpdatesOpen(t *testing.T) {
	e := newGHTest(t, ghToken)
	e.fake.Add(fakegithub.PullRequest{Number: 3, State: "closed", Head: "pare/aws/app", Base: "main", Title: "old"})
	e.fake.Add(fakegithub.PullRequest{Number: 7, State: "open", Head: "pare/aws/app", Base: "main", Title: "stale", Body: "stale body", Labels: []string{"reviewed"}})
	e.fake.Add(fakegithub.PullRequest{Number: 8, State: "open", Head: "pare/aws/other", Base: "main", Title: "other"})
	e.fake.Add(fakegithub.PullRequest{Number: 9, State: "open", Head: "pare/aws/app", HeadOwner: "mallory", Base: "main", Title: "fork"})

	got, outcome, err := Publish(context.Background(), e.gh, ghNew, false)
	if err != nil {
		t.Fatal(err)
	}
	if outcome != Updated || got.Number != 7 {
		t.Fatalf("got #%d %s, want #7 updated", got.Number, outcome)
	}
	if got.Title != ghNew.Title || got.Body != ghNew.Body || !slices.Equal(got.Labels, []string{"least-privilege", "reviewed"}) {
		t.Errorf("got %+v", got)
	}
	calls := e.fake.Calls()
	if ops := ghOps(calls); !slices.Equal(ops, []string{"list", "update", "labels"}) {
		t.Fatalf("calls %v, want list, update, labels (no create)", ops)
	}
	if calls[1].Method != http.MethodPatch || calls[1].Path != "/api/v3/repos/acme/infra/pulls/7" {
		t.Errorf("update: %s %s", calls[1].Method, calls[1].Path)
	}
	wantKeys(t, "update", calls[1].Body, map[string]any{"title": ghNew.Title, "body": ghNew.Body})
	if calls[2].Path != "/api/v3/repos/acme/infra/issues/7/labels" {
		t.Errorf("labels: %s", calls[2].Path)
	}
	if n := len(e.fake.Pulls()); n != 4 {
		t.Errorf("fake holds %d pull requests, want 4 (no duplicate)", n)
	}
}

func TestGitHubFindStates(t *testing.T) {
	e := newGHTest(t, ghToken)
	e.fake.Add(fakegithub.PullRequest{Number: 2, State: "closed", Merged: true, Head: "merged", Base: "main", Title: "m"})
	e.fake.Add(fakegithub.PullRequest{Number: 4, State: "closed", Head: "closed", Base: "main", Title: "c"})
	e.fake.Add(fakegithub.PullRequest{Number: 5, State: "open", Head: "fork-only", HeadOwner: "mallory", Base: "main", Title: "f"})
	ctx := context.Background()
	for _, tc := range []struct {
		head   string
		number int
		state  State
	}{
		{"merged", 2, StateMerged},
		{"closed", 4, StateClosed},
		{"fork-only", 0, ""},
		{"none", 0, ""},
	} {
		got, err := e.gh.Find(ctx, tc.head)
		if err != nil {
			t.Fatal(err)
		}
		if tc.number == 0 {
			if got != nil {
				t.Errorf("Find(%q) = #%d, want none", tc.head, got.Number)
			}
			continue
		}
		if got == nil || got.Number != tc.number || got.State != tc.state {
			t.Errorf("Find(%q) = %+v, want #%d %s", tc.head, got, tc.number, tc.state)
		}
	}
}

// A server that ignores the head filter (as GitHub does with one it cannot
// read) must not make a fork's branch or another branch count.
func TestGitHubFindChecksHeads(t *testing.T) {
	e := newGHTest(t, ghToken)
	e.fake.Inject(fakegithub.Fault{Op: "list", Status: 200, Body: `[
		{"number": 12, "state": "open", "head": {"ref": "pare/aws/app", "label": "mallory:pare/aws/app", "repo": {"full_name": "mallory/infra"}}},
		{"number": 11, "state": "open", "head": {"ref": "pare/aws/other", "label": "acme:pare/aws/other", "repo": {"full_name": "acme/infra"}}},
		{"number": 6, "state": "open", "head": {"ref": "pare/aws/app", "label": "acme:pare/aws/app", "repo": {"full_name": "acme/infra"}}},
		{"number": 10, "state": "closed", "head": {"ref": "pare/aws/app", "label": "acme:pare/aws/app", "repo": null}}
	]`})
	got, err := e.gh.Find(context.Background(), "pare/aws/app")
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Number != 10 || got.State != StateClosed {
		t.Errorf("Find = %+v, want #10 closed", got)
	}
}

func TestGitHubPublishClosed(t *testing.T) {
	e := newGHTest(t, ghToken)
	e.fake.Add(fakegithub.PullRequest{Number: 4, State: "closed", Head: "pare/aws/app", Base: "main", Title: "closed by a human"})
	ctx := context.Background()

	got, outcome, err := Publish(ctx, e.gh, ghNew, false)
	if err != nil {
		t.Fatal(err)
	}
	if outcome != LeftClosed || got.Number != 4 || got.State != StateClosed {
		t.Errorf("got #%d %s %s, want #4 left closed", got.Number, got.State, outcome)
	}
	if ops := ghOps(e.fake.Calls()); !slices.Equal(ops, []string{"list"}) {
		t.Errorf("calls %v, want only the list", ops)
	}
	if p := e.fake.Pulls(); len(p) != 1 || p[0].State != "closed" || p[0].Title != "closed by a human" {
		t.Errorf("fake holds %+v", p)
	}

	// pare force-pushes the branch before it publishes: GitHub then
	// refuses to reopen #4, so --reopen opens a new pull request.
	e.fake.ForcePush(ghNew.Head, strings.Repeat("c", 40))
	got, outcome, err = Publish(ctx, e.gh, ghNew, true)
	if err != nil {
		t.Fatal(err)
	}
	if outcome != Created || got.Number != 5 || got.State != StateOpen || got.Title != ghNew.Title {
		t.Errorf("got %+v %s, want a new #5", got, outcome)
	}
	calls := e.fake.Calls()[1:]
	if ops := ghOps(calls); !slices.Equal(ops, []string{"list", "create", "labels"}) {
		t.Fatalf("calls %v", ops)
	}
	p := e.fake.Pulls()
	if len(p) != 2 || p[0].State != "closed" || p[0].Title != "closed by a human" || p[1].State != "open" || p[1].HeadSHA != strings.Repeat("c", 40) {
		t.Errorf("fake holds %+v", p)
	}
}

// The fake refuses, as GitHub does, to reopen a pull request whose head
// branch was force-pushed after it was closed, and reopens one whose head
// is where it was.
func TestFakeGitHubReopen(t *testing.T) {
	e := newGHTest(t, ghToken)
	ctx := context.Background()
	e.fake.Add(fakegithub.PullRequest{Number: 1, State: "closed", Head: "kept", Base: "main", Title: "t", HeadSHA: strings.Repeat("a", 40)})
	e.fake.Add(fakegithub.PullRequest{Number: 2, State: "closed", Head: "pushed", Base: "main", Title: "t", HeadSHA: strings.Repeat("a", 40)})
	e.fake.ForcePush("kept", strings.Repeat("a", 40))
	e.fake.ForcePush("pushed", strings.Repeat("b", 40))
	reopen := &github.PullRequest{State: new("open")}
	if got, err := e.gh.edit(ctx, "reopening #1", 1, reopen); err != nil || got.State != StateOpen {
		t.Errorf("reopening #1: %+v %v", got, err)
	}
	_, err := e.gh.edit(ctx, "reopening #2", 2, reopen)
	if err == nil || !strings.Contains(err.Error(), "422") || !strings.Contains(err.Error(), "The pushed branch was force-pushed or recreated") {
		t.Errorf("reopening #2: %v, want GitHub's 422", err)
	}
}

func TestGitHubPublishAfterMerge(t *testing.T) {
	e := newGHTest(t, ghToken)
	e.fake.Add(fakegithub.PullRequest{Number: 2, State: "closed", Merged: true, Head: "pare/aws/app", Base: "main", Title: "merged"})
	got, outcome, err := Publish(context.Background(), e.gh, ghNew, false)
	if err != nil {
		t.Fatal(err)
	}
	if outcome != Created || got.Number != 3 {
		t.Errorf("got #%d %s, want a new #3", got.Number, outcome)
	}
}

func TestGitHubAlreadyExists(t *testing.T) {
	e := newGHTest(t, ghToken)
	e.fake.Add(fakegithub.PullRequest{Number: 5, State: "open", Head: "pare/aws/app", Base: "main", Title: "opened by a concurrent run"})
	ctx := context.Background()

	_, err := e.gh.Create(ctx, ghNew)
	if !errors.Is(err, ErrExists) {
		t.Fatalf("Create over an open one: %v, want ErrExists", err)
	}
	var fe *Error
	if !errors.As(err, &fe) || fe.Status != 422 || !strings.Contains(fe.Message, "A pull request already exists for acme:pare/aws/app") {
		t.Errorf("error %v", err)
	}

	// The race: the list does not show #5 yet, the create meets it.
	e.fake.Inject(fakegithub.Fault{Op: "list", Status: 200, Body: `[]`})
	got, outcome, err := Publish(ctx, e.gh, ghNew, false)
	if err != nil {
		t.Fatal(err)
	}
	if outcome != Updated || got.Number != 5 || got.Title != ghNew.Title {
		t.Errorf("got %+v %s, want #5 updated", got, outcome)
	}
	if ops := ghOps(e.fake.Calls()[1:]); !slices.Equal(ops, []string{"list", "create", "list", "update", "labels"}) {
		t.Errorf("calls %v", ops)
	}
	if n := len(e.fake.Pulls()); n != 1 {
		t.Errorf("fake holds %d pull requests, want 1", n)
	}
}

func TestGitHubUnauthorized(t *testing.T) {
	const wrong = "ghp_WRONGtoken9876543210"
	e := newGHTest(t, wrong)
	_, _, err := Publish(context.Background(), e.gh, ghNew, false)
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("err %v, want ErrAuth", err)
	}
	for _, want := range []string{"401 Unauthorized", "Bad credentials", "GITHUB_TOKEN is missing, invalid or expired", `"repo" scope`, "Pull requests: Read and write"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	checkNoToken(t, err, wrong)
	checkNoToken(t, err, ghToken)
	if n := len(e.fake.Calls()); n != 1 || len(e.sleep.waits) != 0 {
		t.Errorf("%d calls, %d waits: a 401 is not retried", n, len(e.sleep.waits))
	}
}

func TestGitHubForbidden(t *testing.T) {
	e := newGHTest(t, ghToken)
	e.fake.Inject(fakegithub.Fault{Op: "create", Status: 403, Message: "Resource not accessible by personal access token"})
	_, err := e.gh.Create(context.Background(), ghNew)
	if !errors.Is(err, ErrAuth) || errors.Is(err, ErrRateLimited) {
		t.Fatalf("err %v, want ErrAuth", err)
	}
	for _, want := range []string{"403 Forbidden", "Resource not accessible", "GITHUB_TOKEN lacks the scope"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if len(e.sleep.waits) != 0 {
		t.Errorf("waited %v on a 403 that is no rate limit", e.sleep.waits)
	}
}

func TestGitHubRepositoryNotFound(t *testing.T) {
	e := newGHTest(t, ghToken)
	gh, err := NewGitHub("acme/missing", ghToken, e.srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = gh.Find(context.Background(), "pare/aws/app")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "repository acme/missing not found, or GITHUB_TOKEN cannot see it") {
		t.Errorf("error %q does not name the repository", err)
	}
	_, err = e.gh.Update(context.Background(), 99, UpdateRequest{Title: "t"})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "pull request #99 not found in acme/infra") {
		t.Errorf("update of a missing pull request: %v", err)
	}
}

func TestGitHubRateLimits(t *testing.T) {
	reset := strconv.FormatInt(testNow.Add(30*time.Second).Unix(), 10)
	for _, tc := range []struct {
		name  string
		fault fakegithub.Fault
		wait  time.Duration
	}{
		{"secondary 403 with Retry-After", fakegithub.Fault{Status: 403,
			Header:  http.Header{"Retry-After": {"7"}},
			Message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}, 7 * time.Second},
		{"primary 403 with remaining 0", fakegithub.Fault{Status: 403,
			Header:  http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {reset}},
			Message: "API rate limit exceeded for user ID 1."}, 31 * time.Second},
		{"429 with Retry-After as a date", fakegithub.Fault{Status: 429,
			Header: http.Header{"Retry-After": {testNow.Add(90 * time.Second).Format(http.TimeFormat)}}}, 90 * time.Second},
		{"secondary 403 saying nothing about when", fakegithub.Fault{Status: 403,
			Message: "You have exceeded a secondary rate limit."}, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newGHTest(t, ghToken)
			tc.fault.Op = "create"
			e.fake.Inject(tc.fault)
			got, outcome, err := Publish(context.Background(), e.gh, ghNew, false)
			if err != nil {
				t.Fatal(err)
			}
			if outcome != Created || got.Number != 1 {
				t.Errorf("got #%d %s", got.Number, outcome)
			}
			if !slices.Equal(e.sleep.waits, []time.Duration{tc.wait}) {
				t.Errorf("waited %v, want [%s]", e.sleep.waits, tc.wait)
			}
			if ops := ghOps(e.fake.Calls()); !slices.Equal(ops, []string{"list", "create", "create", "labels"}) {
				t.Errorf("calls %v", ops)
			}
		})
	}
}

func TestGitHubRateLimitGivesUp(t *testing.T) {
	limited := fakegithub.Fault{Status: 429, Header: http.Header{"Retry-After": {"2"}}, Message: "rate limited"}
	e := newGHTest(t, ghToken)
	e.fake.Inject(limited, limited, limited, limited, limited)
	_, err := e.gh.Find(context.Background(), "x")
	if !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "still limited after 4 tries") {
		t.Fatalf("err %v", err)
	}
	if len(e.sleep.waits) != 3 || len(e.fake.Calls()) != 4 {
		t.Errorf("%d waits, %d calls; want 3 and 4", len(e.sleep.waits), len(e.fake.Calls()))
	}

	e = newGHTest(t, ghToken)
	e.gh.Retry.Tries = 2
	e.fake.Inject(limited, limited)
	if _, err := e.gh.Find(context.Background(), "x"); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err %v", err)
	}
	if len(e.sleep.waits) != 1 {
		t.Errorf("%d waits with Tries 2", len(e.sleep.waits))
	}
}

func TestGitHubRateLimitTooLong(t *testing.T) {
	e := newGHTest(t, ghToken)
	e.fake.Inject(fakegithub.Fault{Status: 403, Header: http.Header{"Retry-After": {"3600"}}, Message: "secondary rate limit"})
	_, err := e.gh.Find(context.Background(), "x")
	var fe *Error
	if !errors.As(err, &fe) || !errors.Is(err, ErrRateLimited) || fe.RetryAfter != time.Hour {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(err.Error(), "longer than pare waits (15m0s)") || len(e.sleep.waits) != 0 {
		t.Errorf("err %v after waits %v", err, e.sleep.waits)
	}
}

func TestGitHubRateLimitCanceled(t *testing.T) {
	e := newGHTest(t, ghToken)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.sleep.onSleep = cancel
	e.fake.Inject(fakegithub.Fault{Status: 429, Header: http.Header{"Retry-After": {"5"}}})
	_, err := e.gh.Find(ctx, "x")
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err %v, want canceled while rate limited", err)
	}
	if n := len(e.fake.Calls()); n != 1 {
		t.Errorf("%d calls after the context ended", n)
	}
}

func TestGitHubEnterpriseURLs(t *testing.T) {
	fake := fakegithub.New("acme", "infra", ghToken)
	fake.Prefix = "/api/v3"
	srv := serve(t, fake)
	for _, base := range []string{srv.URL, srv.URL + "/", srv.URL + "/api/v3", srv.URL + "/api/v3/"} {
		gh, err := NewGitHub("acme/infra", ghToken, base, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := gh.Find(context.Background(), "x"); err != nil {
			t.Errorf("base %s: %v", base, err)
		}
	}
	for _, c := range fake.Calls() {
		if c.Path != "/api/v3/repos/acme/infra/pulls" || !c.Authorized {
			t.Errorf("call %s %s authorized=%v", c.Method, c.Path, c.Authorized)
		}
	}
	if p := fake.Problems(); len(p) > 0 {
		t.Errorf("problems: %v", p)
	}
}

// The github.com layout (API at the host's root) through a host whose
// name starts with "api.", dialled to the fake: nothing leaves 127.0.0.1.
func TestGitHubRootLayout(t *testing.T) {
	fake := fakegithub.New("acme", "infra", ghToken)
	srv := serve(t, fake)
	addr := srv.Listener.Addr().String()
	dialer := &net.Dialer{}
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
	}}
	gh, err := NewGitHub("acme/infra", ghToken, "http://api.github.test/", client)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Publish(context.Background(), gh, ghNew, false); err != nil {
		t.Fatal(err)
	}
	for _, c := range fake.Calls() {
		if !strings.HasPrefix(c.Path, "/repos/acme/infra/") || !c.Authorized {
			t.Errorf("call %s %s authorized=%v", c.Method, c.Path, c.Authorized)
		}
	}
	if p := fake.Problems(); len(p) > 0 {
		t.Errorf("problems: %v", p)
	}
}

func TestGitHubTokenNeverInErrors(t *testing.T) {
	e := newGHTest(t, ghToken)
	e.fake.Inject(fakegithub.Fault{Op: "create", Status: 422,
		Body: `{"message": "Validation Failed", "errors": [{"code": "custom", "message": "echo Bearer ` + ghToken + `"}]}`})
	_, err := e.gh.Create(context.Background(), ghNew)
	if err == nil || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Fatalf("err %v, want the echoed token redacted", err)
	}
	checkNoToken(t, err, ghToken)

	_, err = NewGitHub("acme/infra", "", "", nil)
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "GITHUB_TOKEN is not set") {
		t.Errorf("empty token: %v", err)
	}
}

func TestNewGitHubRejects(t *testing.T) {
	for _, tc := range []struct{ repo, url, want string }{
		{"acme", "", "want owner/name"},
		{"acme/infra/x", "", "want owner/name"},
		{"/infra", "", "want owner/name"},
		{"acme/infra", "ftp://github.example.com/", "must start with https://"},
		{"acme/infra", "https://user:s3cret@github.example.com/", "must not carry credentials"},
		{"acme/infra", "https://github.example.com/?token=s3cret", "must not have a query"},
		{"acme/infra", "https:///api/v3", "no host"},
	} {
		_, err := NewGitHub(tc.repo, ghToken, tc.url, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewGitHub(%q, %q): %v, want %q", tc.repo, tc.url, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error echoes the URL's secret: %v", err)
		}
		checkNoToken(t, err, ghToken)
	}
}

func TestGitHubRefusesBadRequests(t *testing.T) {
	e := newGHTest(t, ghToken)
	ctx := context.Background()
	for _, r := range []NewRequest{
		{Base: "main", Title: "t"},
		{Head: "h", Title: "t"},
		{Head: "h", Base: "main"},
		{Head: "main", Base: "main", Title: "t"},
	} {
		if _, err := e.gh.Create(ctx, r); err == nil {
			t.Errorf("Create(%+v) succeeded", r)
		}
	}
	if _, err := e.gh.Update(ctx, 1, UpdateRequest{}); err == nil {
		t.Error("Update without a title succeeded")
	}
	if n := len(e.fake.Calls()); n != 0 {
		t.Errorf("%d calls for requests refused up front", n)
	}
}

func equalRequest(a, b *Request) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Forge == b.Forge && a.Number == b.Number && a.URL == b.URL && a.State == b.State &&
		a.Head == b.Head && a.Base == b.Base && a.Title == b.Title && a.Body == b.Body &&
		slices.Equal(a.Labels, b.Labels)
}
