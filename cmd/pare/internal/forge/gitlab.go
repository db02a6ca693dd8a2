package forge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// gitlabScope says what a GitLab token needs.
const gitlabScope = `it needs the "api" scope and at least the Developer role in the project`

// GitLab is the Forge of one GitLab project, on gitlab.com or self-managed.
type GitLab struct {
	// Retry governs waiting out rate limits; the zero value is the default.
	Retry Retry

	client  *gitlab.Client
	project string
	token   redactor
}

var _ Forge = (*GitLab)(nil)

// NewGitLab returns the Forge of project ("group/name", subgroups allowed,
// or the project's numeric id, "42"), authenticated with token (the value of GITLAB_TOKEN, sent as
// PRIVATE-TOKEN). baseURL is "" for gitlab.com, or the address of a
// self-managed instance ("https://gitlab.example.com"; /api/v4/ is added
// when missing). httpClient nil means a client with a 60-second timeout;
// the client is copied and made to refuse redirects to another host, so
// the token header never leaves the instance.
func NewGitLab(project, token, baseURL string, httpClient *http.Client) (*GitLab, error) {
	if len(splitPath(project)) < 2 && !isProjectID(project) {
		return nil, fmt.Errorf("gitlab: project %q: want group/name or a numeric project id", project)
	}
	if token == "" {
		return nil, &Error{Forge: "gitlab", Op: "connecting to " + project, kind: ErrAuth,
			Message: "GITLAB_TOKEN is not set; " + gitlabScope}
	}
	hc := *defaultHTTPClient(httpClient)
	hc.CheckRedirect = sameHostRedirects
	opts := []gitlab.ClientOptionFunc{
		gitlab.WithHTTPClient(&hc),
		// pare waits out rate limits itself (Retry) and retries nothing
		// else: a failed POST may have taken effect.
		gitlab.WithoutRetries(),
		gitlab.WithURLWarningLogger(slog.New(slog.DiscardHandler)),
		gitlab.WithUserAgent("pare"),
	}
	if baseURL != "" {
		u, err := parseBaseURL(baseURL)
		if err != nil {
			return nil, fmt.Errorf("gitlab: %w", err)
		}
		opts = append(opts, gitlab.WithBaseURL(u.String()))
	}
	client, err := gitlab.NewClient(token, opts...)
	if err != nil {
		return nil, fmt.Errorf("gitlab: %s", redactor(token).clean(err.Error()))
	}
	return &GitLab{client: client, project: project, token: redactor(token)}, nil
}

// isProjectID says whether s is a numeric project id, which the API takes
// in place of the project's path.
func isProjectID(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// sameHostRedirects follows redirects on the same scheme and host only.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	first := via[0].URL
	if req.URL.Host != first.Host || req.URL.Scheme != first.Scheme {
		return fmt.Errorf("refusing a redirect to another host (%s)", req.URL.Host)
	}
	return nil
}

// Find lists the project's merge requests from branch head, in any state,
// newest first, and returns the newest whose source is this project (not a
// fork).
func (g *GitLab) Find(ctx context.Context, head string) (*Request, error) {
	op := fmt.Sprintf("finding merge requests for branch %q in %s", head, g.project)
	opts := &gitlab.ListProjectMergeRequestsOptions{
		ListOptions:  gitlab.ListOptions{PerPage: 100},
		State:        new("all"),
		SourceBranch: new(head),
		OrderBy:      new("created_at"),
		Sort:         new("desc"),
	}
	var mrs []*gitlab.BasicMergeRequest
	err := g.Retry.run(ctx, func() *Error {
		got, resp, err := g.client.MergeRequests.ListProjectMergeRequests(g.project, opts, gitlab.WithContext(ctx))
		if err != nil {
			return g.fail(op, g.projectNotFound(), resp, err)
		}
		mrs = got
		return nil
	})
	if err != nil {
		return nil, err
	}
	var best *gitlab.BasicMergeRequest
	for _, m := range mrs {
		fromFork := m.SourceProjectID != 0 && m.TargetProjectID != 0 && m.SourceProjectID != m.TargetProjectID
		if m.SourceBranch == head && !fromFork && (best == nil || m.IID > best.IID) {
			best = m
		}
	}
	if best == nil {
		return nil, nil
	}
	return gitlabRequest(best), nil
}

// Create opens a merge request with its labels (POST
// /projects/{id}/merge_requests).
func (g *GitLab) Create(ctx context.Context, r NewRequest) (*Request, error) {
	op := fmt.Sprintf("creating merge request %q into %q in %s", r.Head, r.Base, g.project)
	if err := checkNew(r); err != nil {
		return nil, &Error{Forge: "gitlab", Op: op, Message: err.Error()}
	}
	opts := &gitlab.CreateMergeRequestOptions{
		Title:        new(r.Title),
		Description:  new(r.Body),
		SourceBranch: new(r.Head),
		TargetBranch: new(r.Base),
	}
	if labels := sortedLabels(r.Labels); len(labels) > 0 {
		opts.Labels = new(gitlab.LabelOptions(labels))
	}
	var mr *gitlab.MergeRequest
	err := g.Retry.run(ctx, func() *Error {
		got, resp, err := g.client.MergeRequests.CreateMergeRequest(g.project, opts, gitlab.WithContext(ctx))
		if err != nil {
			return g.fail(op, g.projectNotFound(), resp, err)
		}
		mr = got
		return nil
	})
	if err != nil {
		return nil, err
	}
	return gitlabRequest(&mr.BasicMergeRequest), nil
}

// Update sets the title and description and adds labels in one call (PUT
// /projects/{id}/merge_requests/{iid}).
func (g *GitLab) Update(ctx context.Context, number int, u UpdateRequest) (*Request, error) {
	op := fmt.Sprintf("updating merge request !%d in %s", number, g.project)
	if u.Title == "" {
		return nil, &Error{Forge: "gitlab", Op: op, Message: "no title"}
	}
	opts := &gitlab.UpdateMergeRequestOptions{
		Title:       new(u.Title),
		Description: new(u.Body),
	}
	if labels := sortedLabels(u.Labels); len(labels) > 0 {
		opts.AddLabels = new(gitlab.LabelOptions(labels))
	}
	return g.update(ctx, op, number, opts)
}

func (g *GitLab) update(ctx context.Context, op string, number int, opts *gitlab.UpdateMergeRequestOptions) (*Request, error) {
	var mr *gitlab.MergeRequest
	err := g.Retry.run(ctx, func() *Error {
		got, resp, err := g.client.MergeRequests.UpdateMergeRequest(g.project, int64(number), opts, gitlab.WithContext(ctx))
		if err != nil {
			return g.fail(op, fmt.Sprintf("merge request !%d not found in %s, or GITLAB_TOKEN cannot see the project", number, g.project), resp, err)
		}
		mr = got
		return nil
	})
	if err != nil {
		return nil, err
	}
	return gitlabRequest(&mr.BasicMergeRequest), nil
}

func gitlabRequest(m *gitlab.BasicMergeRequest) *Request {
	state := StateOpen
	switch m.State {
	case "closed":
		state = StateClosed
	case "merged":
		state = StateMerged
	}
	return &Request{
		Forge:  "gitlab",
		Number: int(m.IID),
		URL:    m.WebURL,
		State:  state,
		Head:   m.SourceBranch,
		Base:   m.TargetBranch,
		Title:  m.Title,
		Body:   m.Description,
		Labels: sortedLabels(m.Labels),
	}
}

func (g *GitLab) projectNotFound() string {
	return fmt.Sprintf("project %s not found, or GITLAB_TOKEN cannot see it", g.project)
}

// fail classifies a failed call. resp is what client-go returned with err.
func (g *GitLab) fail(op, notFound string, resp *gitlab.Response, err error) *Error {
	var hr *http.Response
	if resp != nil {
		hr = resp.Response
	}
	if hr == nil || hr.StatusCode < 400 {
		status := 0
		if hr != nil {
			status = hr.StatusCode
		}
		return g.token.transportError("gitlab", op, status, err)
	}
	said := gitlabMessage(err)
	e := &Error{Forge: "gitlab", Op: op, Status: hr.StatusCode}
	hint := ""
	switch hr.StatusCode {
	case http.StatusTooManyRequests:
		e.kind = ErrRateLimited
		e.RetryAfter = gitlabWait(hr.Header, g.Retry.now())
		hint = fmt.Sprintf("rate limited; the forge asks to wait %s", e.RetryAfter)
	case http.StatusUnauthorized:
		e.kind = ErrAuth
		hint = "GITLAB_TOKEN is missing, invalid or expired; " + gitlabScope
	case http.StatusForbidden:
		e.kind = ErrAuth
		hint = "GITLAB_TOKEN lacks the scope or role for this; " + gitlabScope
	case http.StatusNotFound:
		e.kind = ErrNotFound
		hint = notFound
	case http.StatusConflict, http.StatusUnprocessableEntity:
		if strings.Contains(strings.ToLower(said), "already exists") {
			e.kind = ErrExists
		}
	}
	e.Message = g.token.clean(joinMessage(shorten(dropStatusEcho(said, hr.StatusCode)), hint))
	return e
}

// gitlabMessage is what GitLab said. Its error bodies are {"message": ...}
// (a string, a list, or an object of field: [messages]) or OAuth's
// {"error": ..., "error_description": ...}. client-go drops the body of a
// 404.
func gitlabMessage(err error) string {
	var resp *gitlab.ErrorResponse
	if !errors.As(err, &resp) || len(resp.Body) == 0 {
		return ""
	}
	var body struct {
		Message     json.RawMessage `json:"message"`
		Error       string          `json:"error"`
		Description string          `json:"error_description"`
	}
	if json.Unmarshal(resp.Body, &body) != nil {
		return string(resp.Body)
	}
	var parts []string
	if m := flattenMessage(body.Message); m != "" {
		parts = append(parts, m)
	}
	for _, s := range []string{body.Error, body.Description} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ": ")
}

func flattenMessage(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		var parts []string
		for _, item := range list {
			if m := flattenMessage(item); m != "" {
				parts = append(parts, m)
			}
		}
		return strings.Join(parts, "; ")
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) == nil {
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+" "+flattenMessage(fields[k]))
		}
		return strings.Join(parts, "; ")
	}
	return string(raw)
}

// gitlabWait is how long to wait after a 429: Retry-After, else until
// RateLimit-Reset, else a minute.
func gitlabWait(h http.Header, now time.Time) time.Duration {
	if d, ok := retryAfter(h, now); ok {
		return d
	}
	if d, ok := untilReset(h, "RateLimit-Reset", now); ok {
		return d
	}
	return defaultWait
}
