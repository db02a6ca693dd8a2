package fakegithub

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// PullRequest is one pull request the fake holds.
type PullRequest struct {
	Number int
	State  string // "open" or "closed"
	Merged bool   // closed by a merge
	Head   string // the head branch
	// HeadOwner owns the head branch's repository: "" means the
	// repository's own owner, anything else a fork.
	HeadOwner string
	Base      string
	Title     string
	Body      string
	Labels    []string
	// HeadSHA is the head commit: the branch's while the pull request is
	// open, the one it was closed at after; "" shows a made-up id.
	HeadSHA string
}

// Fault is an answer given instead of the real one, once, to the next
// request of its operation.
type Fault struct {
	Op      string // "list", "create", "update", "labels"; "" matches any
	Status  int
	Header  http.Header
	Body    string // the JSON body; "" means {"message": Message}
	Message string
}

// Call is one request the fake saw.
type Call struct {
	Op         string // "list", "create", "update", "labels"; "" when the path matched nothing
	Method     string
	Path       string // as sent (escaped), with the prefix
	Query      url.Values
	Body       []byte
	Authorized bool // the Authorization header carried the token
}

// GitHub serves the pull requests of one repository.
type GitHub struct {
	Owner, Repo string
	Token       string
	// Prefix is the API root's path: "" as on api.github.com, "/api/v3"
	// as on GitHub Enterprise Server. Set it before serving.
	Prefix string

	mu       sync.Mutex
	pulls    []PullRequest
	heads    map[string]string // branch → commit, from ForcePush
	last     int
	faults   []Fault
	calls    []Call
	problems []string
}

// New returns a fake of repository owner/repo accepting token.
func New(owner, repo, token string) *GitHub {
	return &GitHub{Owner: owner, Repo: repo, Token: token}
}

// Add stores a pull request, numbering it when p.Number is 0, and returns
// it as stored.
func (f *GitHub) Add(p PullRequest) PullRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.Number == 0 {
		p.Number = f.last + 1
	}
	f.last = max(f.last, p.Number)
	if p.State == "" {
		p.State = "open"
	}
	p.Labels = slices.Clone(p.Labels)
	f.pulls = append(f.pulls, p)
	return p
}

// ForcePush records that the repository's branch was force-pushed to sha
// (pare's pushes always replace the branch). Open pull requests from it
// show sha as their head; closed ones keep the commit they were closed at
// and, as on GitHub, can no longer be reopened: GitHub refuses to reopen a
// pull request whose head branch was force-pushed or recreated after it
// was closed.
func (f *GitHub) ForcePush(branch, sha string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.heads == nil {
		f.heads = map[string]string{}
	}
	f.heads[branch] = sha
	for i, p := range f.pulls {
		if p.State == "open" && f.own(p) && p.Head == branch {
			f.pulls[i].HeadSHA = sha
		}
	}
}

// Pulls returns the pull requests, by number.
func (f *GitHub) Pulls() []PullRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]PullRequest, len(f.pulls))
	for i, p := range f.pulls {
		p.Labels = slices.Clone(p.Labels)
		out[i] = p
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// Inject queues faults; each answers one matching request, in order.
func (f *GitHub) Inject(faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, faults...)
}

// Calls returns the requests seen so far, in order.
func (f *GitHub) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Problems returns what the requests did that GitHub's documentation
// does not allow: unknown endpoints, query parameters, fields, values.
func (f *GitHub) Problems() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.problems)
}

func (f *GitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	f.mu.Lock()
	defer f.mu.Unlock()
	call := Call{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query(), Body: body}
	defer func() { f.calls = append(f.calls, call) }()

	auth := r.Header.Get("Authorization")
	call.Authorized = f.Token != "" && (auth == "Bearer "+f.Token || auth == "token "+f.Token)
	if !call.Authorized {
		writeJSON(w, http.StatusUnauthorized, map[string]any{
			"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"})
		return
	}
	if a := r.Header.Get("Accept"); !strings.Contains(a, "application/vnd.github") && !strings.Contains(a, "application/json") {
		f.problem("%s %s: Accept %q is not GitHub's media type", r.Method, call.Path, a)
	}
	if v := r.Header.Get("X-GitHub-Api-Version"); v != "" && v != "2022-11-28" && v != "2026-03-10" {
		f.refuse(w, http.StatusBadRequest, "%s %s: unsupported X-GitHub-Api-Version %q", r.Method, call.Path, v)
		return
	}
	rest, ok := strings.CutPrefix(call.Path, f.Prefix+"/")
	if !ok {
		f.refuse(w, http.StatusNotFound, "%s %s: not under the API root %q", r.Method, call.Path, f.Prefix+"/")
		return
	}
	seg := strings.Split(rest, "/")
	for i, s := range seg {
		if u, err := url.PathUnescape(s); err == nil {
			seg[i] = u
		}
	}
	number := 0
	switch {
	case len(seg) == 4 && seg[0] == "repos" && seg[3] == "pulls" && r.Method == http.MethodGet:
		call.Op = "list"
	case len(seg) == 4 && seg[0] == "repos" && seg[3] == "pulls" && r.Method == http.MethodPost:
		call.Op = "create"
	case len(seg) == 5 && seg[0] == "repos" && seg[3] == "pulls" && r.Method == http.MethodPatch:
		call.Op = "update"
		number, ok = parseNumber(seg[4])
	case len(seg) == 6 && seg[0] == "repos" && seg[3] == "issues" && seg[5] == "labels" && r.Method == http.MethodPost:
		call.Op = "labels"
		number, ok = parseNumber(seg[4])
	default:
		f.refuse(w, http.StatusNotFound, "%s %s: no such endpoint among those pare uses", r.Method, call.Path)
		return
	}
	if !ok {
		f.refuse(w, http.StatusNotFound, "%s %s: %q is not a number", r.Method, call.Path, seg[4])
		return
	}
	if fault, ok := f.takeFault(call.Op); ok {
		writeFault(w, fault)
		return
	}
	if !strings.EqualFold(seg[1], f.Owner) || !strings.EqualFold(seg[2], f.Repo) {
		writeJSON(w, http.StatusNotFound, map[string]any{
			"message": "Not Found", "documentation_url": "https://docs.github.com/rest/pulls/pulls", "status": "404"})
		return
	}
	if call.Op != "list" && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		f.problem("%s %s: Content-Type %q, want application/json", r.Method, call.Path, r.Header.Get("Content-Type"))
	}
	switch call.Op {
	case "list":
		f.list(w, r)
	case "create":
		f.create(w, r, body)
	case "update":
		f.update(w, r, number, body)
	case "labels":
		f.labels(w, r, number, body)
	}
}

func parseNumber(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

// list: GET /repos/{owner}/{repo}/pulls
// https://docs.github.com/rest/pulls/pulls#list-pull-requests
func (f *GitHub) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	allowed := map[string][]string{
		"state":     {"open", "closed", "all"},
		"head":      nil,
		"base":      nil,
		"sort":      {"created", "updated", "popularity", "long-running"},
		"direction": {"asc", "desc"},
		"per_page":  nil,
		"page":      nil,
	}
	for k, vs := range q {
		values, known := allowed[k]
		if !known {
			f.refuse(w, http.StatusUnprocessableEntity, "GET pulls: unknown query parameter %q", k)
			return
		}
		if len(vs) != 1 {
			f.refuse(w, http.StatusUnprocessableEntity, "GET pulls: %q given %d times", k, len(vs))
			return
		}
		if values != nil && !slices.Contains(values, vs[0]) {
			f.refuse(w, http.StatusUnprocessableEntity, "GET pulls: %s=%q, want one of %v", k, vs[0], values)
			return
		}
	}
	perPage, page := 30, 1
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			f.refuse(w, http.StatusUnprocessableEntity, "GET pulls: per_page=%q, want 1 to 100", v)
			return
		}
		perPage = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			f.refuse(w, http.StatusUnprocessableEntity, "GET pulls: page=%q", v)
			return
		}
		page = n
	}
	headOwner, headRef := "", ""
	if v := q.Get("head"); v != "" {
		var ok bool
		headOwner, headRef, ok = strings.Cut(v, ":")
		if !ok || headOwner == "" || headRef == "" {
			// GitHub ignores a head filter it cannot read and lists
			// everything: the documented form is user:ref-name.
			f.problem("GET pulls: head=%q is not in the form user:ref-name", v)
			headOwner, headRef = "", ""
		}
	}
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var out []PullRequest
	for _, p := range f.pulls {
		if state != "all" && p.State != state {
			continue
		}
		if headRef != "" && (p.Head != headRef || !strings.EqualFold(f.headOwner(p), headOwner)) {
			continue
		}
		if b := q.Get("base"); b != "" && p.Base != b {
			continue
		}
		out = append(out, p)
	}
	desc := q.Get("direction") == "desc" || (q.Get("direction") == "" && (q.Get("sort") == "" || q.Get("sort") == "created"))
	sort.Slice(out, func(i, j int) bool {
		if desc {
			return out[i].Number > out[j].Number
		}
		return out[i].Number < out[j].Number
	})
	start := min((page-1)*perPage, len(out))
	end := min(start+perPage, len(out))
	items := make([]map[string]any, 0, end-start)
	for _, p := range out[start:end] {
		items = append(items, f.pullJSON(r.Host, p))
	}
	writeJSON(w, http.StatusOK, items)
}

// create: POST /repos/{owner}/{repo}/pulls
// https://docs.github.com/rest/pulls/pulls#create-a-pull-request
func (f *GitHub) create(w http.ResponseWriter, r *http.Request, body []byte) {
	in, ok := f.object(w, "POST pulls", body, map[string]string{
		"title": "string", "head": "string", "head_repo": "string", "base": "string",
		"body": "string", "maintainer_can_modify": "bool", "draft": "bool", "issue": "int",
	})
	if !ok {
		return
	}
	for _, k := range []string{"head", "base", "title"} {
		if in.str(k) == "" {
			f.problem("POST pulls: %q is missing", k)
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
				"message": "Validation Failed",
				"errors":  []any{map[string]any{"resource": "PullRequest", "field": k, "code": "missing_field"}},
			})
			return
		}
	}
	p := PullRequest{State: "open", Head: in.str("head"), Base: in.str("base"), Title: in.str("title"), Body: in.str("body")}
	if owner, ref, ok := strings.Cut(p.Head, ":"); ok {
		p.Head = ref
		if !strings.EqualFold(owner, f.Owner) {
			p.HeadOwner = owner
		}
	}
	if dup := f.openFor(p.Head, f.headOwner(p), p.Base, 0); dup != nil {
		writeExists(w, f.headOwner(p), p.Head)
		return
	}
	if f.own(p) {
		p.HeadSHA = f.heads[p.Head]
	}
	f.last++
	p.Number = f.last
	f.pulls = append(f.pulls, p)
	out := f.pullJSON(r.Host, p)
	w.Header().Set("Location", out["url"].(string))
	writeJSON(w, http.StatusCreated, out)
}

// update: PATCH /repos/{owner}/{repo}/pulls/{number}
// https://docs.github.com/rest/pulls/pulls#update-a-pull-request
func (f *GitHub) update(w http.ResponseWriter, r *http.Request, number int, body []byte) {
	in, ok := f.object(w, "PATCH pulls", body, map[string]string{
		"title": "string", "body": "string", "state": "string", "base": "string", "maintainer_can_modify": "bool",
	})
	if !ok {
		return
	}
	p := f.pull(number)
	if p == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found", "status": "404"})
		return
	}
	if s, ok := in["state"]; ok {
		state := in.str("state")
		if state != "open" && state != "closed" {
			f.refuse(w, http.StatusUnprocessableEntity, "PATCH pulls: state %s, want open or closed", s)
			return
		}
		if state == "open" && p.State == "closed" {
			if p.Merged {
				writeValidation(w, "state cannot be changed. The pull request cannot be reopened because it has been merged.")
				return
			}
			if sha, pushed := f.heads[p.Head]; pushed && f.own(*p) && sha != p.HeadSHA {
				writeValidation(w, fmt.Sprintf("state cannot be changed. The %s branch was force-pushed or recreated.", p.Head))
				return
			}
			if f.openFor(p.Head, f.headOwner(*p), p.Base, p.Number) != nil {
				writeExists(w, f.headOwner(*p), p.Head)
				return
			}
		}
		if !p.Merged {
			p.State = state
		}
	}
	if _, ok := in["title"]; ok {
		p.Title = in.str("title")
	}
	if _, ok := in["body"]; ok {
		p.Body = in.str("body")
	}
	if _, ok := in["base"]; ok {
		p.Base = in.str("base")
	}
	writeJSON(w, http.StatusOK, f.pullJSON(r.Host, *p))
}

// labels: POST /repos/{owner}/{repo}/issues/{number}/labels
// https://docs.github.com/rest/issues/labels#add-labels-to-an-issue
// The body is {"labels": [...]} or, also documented, the array itself.
func (f *GitHub) labels(w http.ResponseWriter, r *http.Request, number int, body []byte) {
	var names []string
	var obj struct {
		Labels []string `json:"labels"`
	}
	switch {
	case json.Unmarshal(body, &names) == nil:
	case json.Unmarshal(body, &obj) == nil && obj.Labels != nil:
		names = obj.Labels
	default:
		f.refuse(w, http.StatusUnprocessableEntity, "POST labels: body %.100q is neither an array of label names nor {\"labels\": [...]}", body)
		return
	}
	p := f.pull(number)
	if p == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found", "status": "404"})
		return
	}
	for _, n := range names {
		if n == "" {
			f.refuse(w, http.StatusUnprocessableEntity, "POST labels: empty label name")
			return
		}
		if !slices.Contains(p.Labels, n) {
			p.Labels = append(p.Labels, n)
		}
	}
	writeJSON(w, http.StatusOK, labelsJSON(p.Labels))
}

func (f *GitHub) pull(number int) *PullRequest {
	for i := range f.pulls {
		if f.pulls[i].Number == number {
			return &f.pulls[i]
		}
	}
	return nil
}

// openFor returns an open pull request from head (of headOwner) into base
// other than number.
func (f *GitHub) openFor(head, headOwner, base string, number int) *PullRequest {
	for i, p := range f.pulls {
		if p.Number != number && p.State == "open" && p.Head == head && p.Base == base && strings.EqualFold(f.headOwner(p), headOwner) {
			return &f.pulls[i]
		}
	}
	return nil
}

func (f *GitHub) headOwner(p PullRequest) string {
	if p.HeadOwner != "" {
		return p.HeadOwner
	}
	return f.Owner
}

// own says whether p's head branch is in this repository, not a fork.
func (f *GitHub) own(p PullRequest) bool {
	return strings.EqualFold(f.headOwner(p), f.Owner)
}

// created is the fake creation time of pull request n.
func created(n int) string {
	return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour).Format(time.RFC3339)
}

func (f *GitHub) pullJSON(host string, p PullRequest) map[string]any {
	api := "http://" + host + f.Prefix + "/repos/" + f.Owner + "/" + f.Repo
	headOwner := f.headOwner(p)
	headSHA := p.HeadSHA
	if headSHA == "" {
		headSHA = fmt.Sprintf("%040x", p.Number)
	}
	var body, mergedAt, closedAt any
	if p.Body != "" {
		body = p.Body
	}
	if p.State == "closed" {
		closedAt = created(p.Number + 1)
	}
	if p.Merged {
		mergedAt = created(p.Number + 1)
	}
	repo := func(owner string) map[string]any {
		return map[string]any{"name": f.Repo, "full_name": owner + "/" + f.Repo, "owner": map[string]any{"login": owner}}
	}
	return map[string]any{
		"url":        api + "/pulls/" + strconv.Itoa(p.Number),
		"id":         1000 + p.Number,
		"node_id":    "PR_fake" + strconv.Itoa(p.Number),
		"html_url":   "http://" + host + "/" + f.Owner + "/" + f.Repo + "/pull/" + strconv.Itoa(p.Number),
		"number":     p.Number,
		"state":      p.State,
		"locked":     false,
		"title":      p.Title,
		"body":       body,
		"labels":     labelsJSON(p.Labels),
		"draft":      false,
		"created_at": created(p.Number),
		"updated_at": created(p.Number),
		"closed_at":  closedAt,
		"merged_at":  mergedAt,
		"head": map[string]any{
			"label": headOwner + ":" + p.Head, "ref": p.Head,
			"sha": headSHA, "repo": repo(headOwner),
		},
		"base": map[string]any{
			"label": f.Owner + ":" + p.Base, "ref": p.Base,
			"sha": fmt.Sprintf("%040x", 0), "repo": repo(f.Owner),
		},
	}
}

func labelsJSON(names []string) []map[string]any {
	sorted := slices.Clone(names)
	sort.Strings(sorted)
	out := make([]map[string]any, 0, len(sorted))
	for i, n := range sorted {
		out = append(out, map[string]any{"id": 100 + i, "name": n, "color": "ededed", "default": false})
	}
	return out
}

// fields is a decoded JSON object body.
type fields map[string]json.RawMessage

func (in fields) str(k string) string {
	var s string
	_ = json.Unmarshal(in[k], &s)
	return s
}

// object decodes body as a JSON object whose keys are among allowed, each
// of its kind ("string", "bool", "int"); otherwise it answers 422.
func (f *GitHub) object(w http.ResponseWriter, what string, body []byte, allowed map[string]string) (fields, bool) {
	var in fields
	if err := json.Unmarshal(body, &in); err != nil || in == nil {
		f.refuse(w, http.StatusBadRequest, "%s: body is not a JSON object: %.100q", what, body)
		return nil, false
	}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kind, ok := allowed[k]
		if !ok {
			f.refuse(w, http.StatusUnprocessableEntity, "%s: %q is not a permitted key", what, k)
			return nil, false
		}
		var err error
		switch kind {
		case "string":
			var s string
			err = json.Unmarshal(in[k], &s)
		case "bool":
			var b bool
			err = json.Unmarshal(in[k], &b)
		case "int":
			var n int
			err = json.Unmarshal(in[k], &n)
		}
		if err != nil {
			f.refuse(w, http.StatusUnprocessableEntity, "%s: %q is %s, not a %s", what, k, in[k], kind)
			return nil, false
		}
	}
	return in, true
}

func (f *GitHub) takeFault(op string) (Fault, bool) {
	for i, fault := range f.faults {
		if fault.Op == "" || fault.Op == op {
			f.faults = slices.Delete(f.faults, i, i+1)
			return fault, true
		}
	}
	return Fault{}, false
}

func (f *GitHub) problem(format string, args ...any) {
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

// refuse records a problem and answers it the way GitHub answers errors.
func (f *GitHub) refuse(w http.ResponseWriter, status int, format string, args ...any) {
	f.problem(format, args...)
	writeJSON(w, status, map[string]any{"message": "fakegithub: " + fmt.Sprintf(format, args...)})
}

func writeExists(w http.ResponseWriter, owner, head string) {
	writeValidation(w, fmt.Sprintf("A pull request already exists for %s:%s.", owner, head))
}

func writeValidation(w http.ResponseWriter, message string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message":           "Validation Failed",
		"errors":            []any{map[string]any{"resource": "PullRequest", "code": "custom", "message": message}},
		"documentation_url": "https://docs.github.com/rest/pulls/pulls",
		"status":            "422",
	})
}

func writeFault(w http.ResponseWriter, fault Fault) {
	for k, vs := range fault.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	body := fault.Body
	if body == "" {
		b, _ := json.Marshal(map[string]any{"message": fault.Message})
		body = string(b)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(fault.Status)
	io.WriteString(w, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	if h.Get("X-RateLimit-Limit") == "" {
		h.Set("X-RateLimit-Limit", "5000")
		h.Set("X-RateLimit-Remaining", "4999")
		h.Set("X-RateLimit-Reset", "1704067200")
		h.Set("X-RateLimit-Resource", "core")
	}
	w.WriteHeader(status)
	w.Write(b)
}
