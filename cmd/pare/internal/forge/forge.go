package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// State is where a request stands.
type State string

// The states of a request. GitLab's "opened" and "locked" are StateOpen.
const (
	StateOpen   State = "open"
	StateClosed State = "closed" // closed without being merged
	StateMerged State = "merged"
)

// Request is a pull request (GitHub) or merge request (GitLab).
type Request struct {
	Forge  string // "github" or "gitlab"
	Number int    // the pull request number, the merge request IID
	URL    string // the page a reviewer opens
	State  State
	Head   string // the branch with the change
	Base   string // the branch it merges into
	Title  string
	Body   string
	Labels []string // sorted
}

// String names the request the way its forge does: "pull request #12",
// "merge request !12".
func (r *Request) String() string {
	if r.Forge == "gitlab" {
		return fmt.Sprintf("merge request !%d", r.Number)
	}
	return fmt.Sprintf("pull request #%d", r.Number)
}

// NewRequest is what Create opens: a request from Head into Base.
type NewRequest struct {
	Head   string // required
	Base   string // required
	Title  string // required
	Body   string
	Labels []string // added to the request; labels the forge lacks are created by it
}

// UpdateRequest is what Update sets on an existing request.
type UpdateRequest struct {
	Title  string   // required: replaces the title
	Body   string   // replaces the body, also when empty
	Labels []string // added; labels already on the request stay
}

// Forge finds, opens and updates the requests of one repository (GitHub)
// or project (GitLab). It does not reopen: pare force-pushes the branch
// before publishing, after which GitHub refuses to reopen a closed pull
// request, so a closed request is followed by a new one on both forges. Methods are safe to call one after another, not
// concurrently. Create and Update return the request together with an
// error when the request was written but a later step (labels) failed.
type Forge interface {
	// Find returns the most recently created request whose head is the
	// branch head in this repository (requests from forks do not count), in
	// any state, or nil and no error when there is none.
	Find(ctx context.Context, head string) (*Request, error)
	// Create opens a request. When the forge already has an open request
	// for the branch, Create fails with an error matching ErrExists
	// (Publish then finds that request and updates it).
	Create(ctx context.Context, r NewRequest) (*Request, error)
	// Update sets the title and body of request number and adds labels.
	Update(ctx context.Context, number int, u UpdateRequest) (*Request, error)
}

// Outcome says what Publish did.
type Outcome string

// The outcomes of Publish.
const (
	Created    Outcome = "created"     // a new request
	Updated    Outcome = "updated"     // the open request for the branch was updated
	LeftClosed Outcome = "left-closed" // a closed, unmerged request was found and left alone
)

// Publish makes sure r's branch has one open request carrying r's title,
// body and labels:
//
//   - no request for r.Head, or only a merged one: Create;
//   - an open one: Update it (its base is not changed);
//   - a closed, unmerged one: with reopen, Create a new one and leave the
//     closed one closed (GitHub cannot reopen it once the branch was
//     force-pushed; GitLab could, but one behaviour is simpler to
//     document); without, leave it and return it with LeftClosed (someone
//     closed it on purpose);
//   - Create failing with ErrExists (another run opened one after Find):
//     Find it again and Update it.
func Publish(ctx context.Context, f Forge, r NewRequest, reopen bool) (*Request, Outcome, error) {
	found, err := f.Find(ctx, r.Head)
	if err != nil {
		return nil, "", err
	}
	update := UpdateRequest{Title: r.Title, Body: r.Body, Labels: r.Labels}
	if found != nil {
		switch found.State {
		case StateOpen:
			got, err := f.Update(ctx, found.Number, update)
			return got, Updated, err
		case StateClosed:
			if !reopen {
				return found, LeftClosed, nil
			}
			// With reopen, a new request below.
		}
	}
	created, err := f.Create(ctx, r)
	if created != nil {
		return created, Created, err
	}
	if !errors.Is(err, ErrExists) {
		return nil, "", err
	}
	found, ferr := f.Find(ctx, r.Head)
	if ferr != nil {
		return nil, "", ferr
	}
	if found == nil || found.State != StateOpen {
		return nil, "", err
	}
	got, err := f.Update(ctx, found.Number, update)
	return got, Updated, err
}

// checkNew refuses a NewRequest the forge would refuse, before any call.
func checkNew(r NewRequest) error {
	switch {
	case r.Head == "":
		return errors.New("no head branch")
	case r.Base == "":
		return errors.New("no base branch")
	case r.Title == "":
		return errors.New("no title")
	case r.Head == r.Base:
		return fmt.Errorf("head and base are the same branch %q", r.Head)
	}
	return nil
}

// sortedLabels returns a sorted copy without duplicates.
func sortedLabels(labels []string) []string {
	out := make([]string, 0, len(labels))
	seen := make(map[string]bool, len(labels))
	for _, l := range labels {
		if l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// parseBaseURL checks a configured API address. Its text is never echoed
// back: a URL may carry credentials.
func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("url is not a valid URL")
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, errors.New("url must start with https://")
	case u.Host == "":
		return nil, errors.New("url has no host")
	case u.User != nil:
		return nil, errors.New("url must not carry credentials (the token comes from the environment)")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, errors.New("url must not have a query or fragment")
	}
	return u, nil
}

// defaultHTTPClient is used when the caller passes none: a forge that stops
// answering must not hang pare.
func defaultHTTPClient(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Timeout: 60 * time.Second}
}

// splitPath splits "owner/name" (GitHub) or "group/sub/name" (GitLab).
func splitPath(s string) []string {
	parts := strings.Split(s, "/")
	for _, p := range parts {
		if p == "" || strings.TrimSpace(p) != p {
			return nil
		}
	}
	return parts
}
