package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v93/github"
)

// githubScope says what a GitHub token needs.
const githubScope = `it needs the "repo" scope (classic token; "public_repo" for a public repository) or, for a fine-grained token, "Pull requests: Read and write" on the repository`

// GitHub is the Forge of one GitHub or GitHub Enterprise Server repository.
type GitHub struct {
	// Retry governs waiting out rate limits; the zero value is the default.
	Retry Retry

	client      *github.Client
	owner, name string
	token       redactor
}

var _ Forge = (*GitHub)(nil)

// NewGitHub returns the Forge of repository ("owner/name"), authenticated
// with token (the value of GITHUB_TOKEN). baseURL is "" for github.com, or
// the API address of a GitHub Enterprise Server ("https://github.example.com"
// or "https://github.example.com/api/v3/": /api/v3/ is added when missing;
// a host starting with "api." is used as given). httpClient nil means a
// client with a 60-second timeout.
func NewGitHub(repository, token, baseURL string, httpClient *http.Client) (*GitHub, error) {
	parts := splitPath(repository)
	if len(parts) != 2 {
		return nil, fmt.Errorf("github: repository %q: want owner/name", repository)
	}
	if token == "" {
		return nil, &Error{Forge: "github", Op: "connecting to " + repository, kind: ErrAuth,
			Message: "GITHUB_TOKEN is not set; " + githubScope}
	}
	opts := []github.ClientOptionsFunc{
		github.WithHTTPClient(defaultHTTPClient(httpClient)),
		github.WithAuthToken(token),
		// pare waits out rate limits itself (Retry), with an injectable
		// clock; the client's own bookkeeping would refuse calls by the
		// wall clock instead.
		github.WithDisableRateLimitCheck(),
		github.WithUserAgent("pare"),
	}
	if baseURL != "" {
		u, err := parseBaseURL(baseURL)
		if err != nil {
			return nil, fmt.Errorf("github: %w", err)
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		api := u.String()
		upload := *u
		upload.Path = strings.TrimSuffix(u.Path, "api/v3/")
		opts = append(opts, github.WithEnterpriseURLs(api, upload.String()))
	}
	client, err := github.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("github: %s", redactor(token).clean(err.Error()))
	}
	return &GitHub{client: client, owner: parts[0], name: parts[1], token: redactor(token)}, nil
}

func (g *GitHub) repository() string { return g.owner + "/" + g.name }

// Find lists the repository's pull requests whose head is owner:head, in
// any state, newest first, and returns the newest whose head branch is in
// this repository.
func (g *GitHub) Find(ctx context.Context, head string) (*Request, error) {
	op := fmt.Sprintf("finding pull requests for branch %q in %s", head, g.repository())
	opts := &github.PullRequestListOptions{
		State:       "all",
		Head:        g.owner + ":" + head,
		Sort:        "created",
		Direction:   "desc",
		ListOptions: github.ListOptions{PerPage: 100},
	}
	var pulls []*github.PullRequest
	err := g.Retry.run(ctx, func() *Error {
		got, resp, err := g.client.PullRequests.List(ctx, g.owner, g.name, opts)
		if err != nil {
			return g.fail(op, g.repoNotFound(), resp, err)
		}
		pulls = got
		return nil
	})
	if err != nil {
		return nil, err
	}
	var best *github.PullRequest
	for _, p := range pulls {
		if g.ownHead(p, head) && (best == nil || p.GetNumber() > best.GetNumber()) {
			best = p
		}
	}
	if best == nil {
		return nil, nil
	}
	return g.request(best), nil
}

// ownHead says whether p's head is branch head of this repository (not a
// fork's branch of the same name). The list's head filter already says so;
// this guards against a server ignoring a filter it cannot parse.
func (g *GitHub) ownHead(p *github.PullRequest, head string) bool {
	h := p.GetHead()
	if h.GetRef() != head {
		return false
	}
	if full := h.GetRepo().GetFullName(); full != "" {
		return strings.EqualFold(full, g.repository())
	}
	owner, _, ok := strings.Cut(h.GetLabel(), ":")
	return !ok || strings.EqualFold(owner, g.owner)
}

// Create opens a pull request (POST /repos/{owner}/{repo}/pulls) and adds
// its labels (POST /repos/{owner}/{repo}/issues/{number}/labels). If the
// labels fail, the created request is returned with the error.
func (g *GitHub) Create(ctx context.Context, r NewRequest) (*Request, error) {
	op := fmt.Sprintf("creating pull request %q into %q in %s", r.Head, r.Base, g.repository())
	if err := checkNew(r); err != nil {
		return nil, &Error{Forge: "github", Op: op, Message: err.Error()}
	}
	body := github.CreatePullRequest{
		Title: new(r.Title),
		Head:  r.Head,
		Base:  r.Base,
		Body:  new(r.Body),
	}
	var created *github.PullRequest
	err := g.Retry.run(ctx, func() *Error {
		got, resp, err := g.client.PullRequests.Create(ctx, g.owner, g.name, body)
		if err != nil {
			return g.fail(op, g.repoNotFound(), resp, err)
		}
		created = got
		return nil
	})
	if err != nil {
		return nil, err
	}
	req := g.request(created)
	return req, g.addLabels(ctx, req, r.Labels)
}

// Update sets the title and body (PATCH /repos/{owner}/{repo}/pulls/{number})
// and adds labels. If the labels fail, the updated request is returned with
// the error.
func (g *GitHub) Update(ctx context.Context, number int, u UpdateRequest) (*Request, error) {
	op := fmt.Sprintf("updating pull request #%d in %s", number, g.repository())
	if u.Title == "" {
		return nil, &Error{Forge: "github", Op: op, Message: "no title"}
	}
	req, err := g.edit(ctx, op, number, &github.PullRequest{Title: new(u.Title), Body: new(u.Body)})
	if err != nil {
		return nil, err
	}
	return req, g.addLabels(ctx, req, u.Labels)
}

func (g *GitHub) edit(ctx context.Context, op string, number int, change *github.PullRequest) (*Request, error) {
	var edited *github.PullRequest
	err := g.Retry.run(ctx, func() *Error {
		got, resp, err := g.client.PullRequests.Edit(ctx, g.owner, g.name, number, change)
		if err != nil {
			return g.fail(op, g.pullNotFound(number), resp, err)
		}
		edited = got
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g.request(edited), nil
}

// addLabels adds labels to the pull request's issue and stores the
// request's labels as the forge answers them (all of them, old and new).
func (g *GitHub) addLabels(ctx context.Context, req *Request, labels []string) error {
	labels = sortedLabels(labels)
	if len(labels) == 0 {
		return nil
	}
	op := fmt.Sprintf("labelling pull request #%d in %s", req.Number, g.repository())
	var got []*github.Label
	err := g.Retry.run(ctx, func() *Error {
		l, resp, err := g.client.Issues.AddLabelsToIssue(ctx, g.owner, g.name, req.Number, labels)
		if err != nil {
			return g.fail(op, g.pullNotFound(req.Number), resp, err)
		}
		got = l
		return nil
	})
	if err != nil {
		return err
	}
	names := make([]string, 0, len(got))
	for _, l := range got {
		names = append(names, l.GetName())
	}
	req.Labels = sortedLabels(names)
	return nil
}

func (g *GitHub) request(p *github.PullRequest) *Request {
	state := StateOpen
	if p.GetState() == "closed" {
		state = StateClosed
		if p.MergedAt != nil || p.GetMerged() {
			state = StateMerged
		}
	}
	names := make([]string, 0, len(p.Labels))
	for _, l := range p.Labels {
		names = append(names, l.GetName())
	}
	return &Request{
		Forge:  "github",
		Number: p.GetNumber(),
		URL:    p.GetHTMLURL(),
		State:  state,
		Head:   p.GetHead().GetRef(),
		Base:   p.GetBase().GetRef(),
		Title:  p.GetTitle(),
		Body:   p.GetBody(),
		Labels: sortedLabels(names),
	}
}

func (g *GitHub) repoNotFound() string {
	return fmt.Sprintf("repository %s not found, or GITHUB_TOKEN cannot see it", g.repository())
}

func (g *GitHub) pullNotFound(number int) string {
	return fmt.Sprintf("pull request #%d not found in %s, or GITHUB_TOKEN cannot see the repository", number, g.repository())
}

// fail classifies a failed call. resp is what go-github returned with err.
func (g *GitHub) fail(op, notFound string, resp *github.Response, err error) *Error {
	var hr *http.Response
	if resp != nil {
		hr = resp.Response
	}
	if hr == nil || hr.StatusCode < 400 {
		status := 0
		if hr != nil {
			status = hr.StatusCode
		}
		return g.token.transportError("github", op, status, err)
	}
	said := githubMessage(err)
	e := &Error{Forge: "github", Op: op, Status: hr.StatusCode}
	hint := ""
	switch {
	case githubRateLimited(hr, said):
		e.kind = ErrRateLimited
		e.RetryAfter = githubWait(hr.Header, g.Retry.now())
		hint = fmt.Sprintf("rate limited; the forge asks to wait %s", e.RetryAfter)
	case hr.StatusCode == http.StatusUnauthorized:
		e.kind = ErrAuth
		hint = "GITHUB_TOKEN is missing, invalid or expired; " + githubScope
	case hr.StatusCode == http.StatusForbidden:
		e.kind = ErrAuth
		hint = "GITHUB_TOKEN lacks the scope or access for this; " + githubScope +
			" (an organization enforcing SAML single sign-on must also have authorized the token)"
	case hr.StatusCode == http.StatusNotFound:
		e.kind = ErrNotFound
		hint = notFound
	case hr.StatusCode == http.StatusUnprocessableEntity && strings.Contains(strings.ToLower(said), "already exists"):
		e.kind = ErrExists
	}
	e.Message = g.token.clean(joinMessage(shorten(dropStatusEcho(said, hr.StatusCode)), hint))
	return e
}

// githubMessage is what GitHub said: the message and each error's detail.
func githubMessage(err error) string {
	var resp *github.ErrorResponse
	var tfa *github.TwoFactorAuthError
	var rate *github.RateLimitError
	var abuse *github.AbuseRateLimitError
	switch {
	case errors.As(err, &resp):
	case errors.As(err, &tfa):
		resp = (*github.ErrorResponse)(tfa)
	case errors.As(err, &rate):
		return rate.Message
	case errors.As(err, &abuse):
		return abuse.Message
	default:
		return ""
	}
	parts := []string{resp.Message}
	for _, e := range resp.Errors {
		switch {
		case e.Message != "":
			parts = append(parts, e.Message)
		case e.Code != "":
			parts = append(parts, strings.TrimSpace(fmt.Sprintf("%s %s %s", e.Resource, e.Field, e.Code)))
		}
	}
	return strings.Join(parts, ": ")
}

// githubRateLimited: GitHub answers a primary or secondary rate limit with
// 429, or with 403 and a Retry-After header, x-ratelimit-remaining 0 or a
// message saying so.
func githubRateLimited(hr *http.Response, said string) bool {
	if hr.StatusCode == http.StatusTooManyRequests {
		return true
	}
	if hr.StatusCode != http.StatusForbidden {
		return false
	}
	return hr.Header.Get("Retry-After") != "" ||
		hr.Header.Get("X-RateLimit-Remaining") == "0" ||
		strings.Contains(strings.ToLower(said), "rate limit")
}

// githubWait is how long GitHub's documentation says to wait: Retry-After;
// else, with x-ratelimit-remaining 0, until x-ratelimit-reset; else a
// minute.
func githubWait(h http.Header, now time.Time) time.Duration {
	if d, ok := retryAfter(h, now); ok {
		return d
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if d, ok := untilReset(h, "X-RateLimit-Reset", now); ok {
			return d
		}
	}
	return defaultWait
}
