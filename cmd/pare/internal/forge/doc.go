// Package forge opens and updates the pull request (GitHub) or merge
// request (GitLab) that carries a pare change, through the forge's REST
// API: GitHub with github.com/google/go-github/v93, GitHub Enterprise Server
// through its /api/v3/ root, GitLab and self-managed GitLab with
// gitlab.com/gitlab-org/api/client-go.
//
// Forge is the small interface pare needs: find the latest request for a
// branch in any state, create one, update its title, body and labels.
// Publish puts them together into the idempotent step `pare pr` takes: an
// open request for the branch is updated, never duplicated; a closed,
// unmerged one is left alone, and with reopen a new request is opened
// beside it (the old one is never reopened: GitHub refuses that once the
// branch was force-pushed, as pare's pushes are); a merged one (or none)
// gets a new request; a request created by someone else between the lookup
// and the creation (GitHub answers 422 "A pull request already exists",
// GitLab 409) is found again and updated.
//
// Failures are *Error values naming the forge, what pare was doing and the
// HTTP status, with a hint where one helps: 401 and 403 name the token's
// variable (GITHUB_TOKEN, GITLAB_TOKEN) and the scope it needs; 404 names
// the repository or project (or the request). errors.Is matches ErrAuth,
// ErrNotFound, ErrRateLimited and ErrExists. Rate limits (GitHub 403 or
// 429, GitLab 429) are waited out as the forge asks (Retry-After, else the
// rate-limit reset time, else a minute), a bounded number of times and never
// longer than Retry.MaxWait, and the wait ends when the context does.
//
// The package must never print, log or return its token: every error text
// has the token removed, and the token goes only to the configured API host
// in the Authorization or PRIVATE-TOKEN header. It must never run git, read
// files or the environment (the caller passes the token), or retry anything
// but a rate limit (a POST that failed for another reason may have taken
// effect). Its tests talk only to local fakes (forge/fakegithub,
// forge/fakegitlab) on 127.0.0.1.
package forge
