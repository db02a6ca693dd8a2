package fakegitlab

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

// MergeRequest is one merge request the fake holds.
type MergeRequest struct {
	IID          int
	State        string // "opened", "closed", "merged" or "locked"
	SourceBranch string
	TargetBranch string
	// SourceProjectID is the project the source branch is in: 0 means
	// this project, anything else a fork.
	SourceProjectID int
	Title           string
	Description     string
	Labels          []string
}

// Fault is an answer given instead of the real one, once, to the next
// request of its operation.
type Fault struct {
	Op      string // "list", "create", "update"; "" matches any
	Status  int
	Header  http.Header
	Body    string // the JSON body; "" means {"message": Message}
	Message string
}

// Call is one request the fake saw.
type Call struct {
	Op         string // "list", "create", "update"; "" when the path matched nothing
	Method     string
	Path       string // as sent (escaped)
	Query      url.Values
	Body       []byte
	Authorized bool // PRIVATE-TOKEN (or Authorization: Bearer) carried the token
}

// GitLab serves the merge requests of one project.
type GitLab struct {
	Project   string // its path, "group/name"
	ProjectID int    // its numeric id
	Token     string

	mu       sync.Mutex
	mrs      []MergeRequest
	last     int
	faults   []Fault
	calls    []Call
	problems []string
}

// New returns a fake of project (path "group/name", numeric id 42)
// accepting token.
func New(project, token string) *GitLab {
	return &GitLab{Project: project, ProjectID: 42, Token: token}
}

// Add stores a merge request, numbering it when m.IID is 0, and returns it
// as stored.
func (f *GitLab) Add(m MergeRequest) MergeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m.IID == 0 {
		m.IID = f.last + 1
	}
	f.last = max(f.last, m.IID)
	if m.State == "" {
		m.State = "opened"
	}
	m.Labels = slices.Clone(m.Labels)
	f.mrs = append(f.mrs, m)
	return m
}

// MergeRequests returns the merge requests, by IID.
func (f *GitLab) MergeRequests() []MergeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]MergeRequest, len(f.mrs))
	for i, m := range f.mrs {
		m.Labels = slices.Clone(m.Labels)
		out[i] = m
	}
	sort.Slice(out, func(i, j int) bool { return out[i].IID < out[j].IID })
	return out
}

// Inject queues faults; each answers one matching request, in order.
func (f *GitLab) Inject(faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, faults...)
}

// Calls returns the requests seen so far, in order.
func (f *GitLab) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Problems returns what the requests did that GitLab's documentation does
// not allow: unknown endpoints, query parameters, fields, values.
func (f *GitLab) Problems() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.problems)
}

func (f *GitLab) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	f.mu.Lock()
	defer f.mu.Unlock()
	call := Call{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query(), Body: body}
	defer func() { f.calls = append(f.calls, call) }()

	call.Authorized = f.Token != "" &&
		(r.Header.Get("PRIVATE-TOKEN") == f.Token || r.Header.Get("Authorization") == "Bearer "+f.Token)
	if !call.Authorized {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "401 Unauthorized"})
		return
	}
	rest, ok := strings.CutPrefix(call.Path, "/api/v4/")
	if !ok {
		f.refuse(w, http.StatusNotFound, "%s %s: not under /api/v4/", r.Method, call.Path)
		return
	}
	// The project id is one path segment: a number or the URL-encoded
	// path ("group%2Fname").
	seg := strings.Split(rest, "/")
	for i, s := range seg {
		u, err := url.PathUnescape(s)
		if err != nil {
			f.refuse(w, http.StatusBadRequest, "%s %s: bad escape in %q", r.Method, call.Path, s)
			return
		}
		seg[i] = u
	}
	iid := 0
	switch {
	case len(seg) == 3 && seg[0] == "projects" && seg[2] == "merge_requests" && r.Method == http.MethodGet:
		call.Op = "list"
	case len(seg) == 3 && seg[0] == "projects" && seg[2] == "merge_requests" && r.Method == http.MethodPost:
		call.Op = "create"
	case len(seg) == 4 && seg[0] == "projects" && seg[2] == "merge_requests" && r.Method == http.MethodPut:
		call.Op = "update"
		n, err := strconv.Atoi(seg[3])
		if err != nil || n <= 0 {
			f.refuse(w, http.StatusNotFound, "%s %s: iid %q is not a number", r.Method, call.Path, seg[3])
			return
		}
		iid = n
	default:
		f.refuse(w, http.StatusNotFound, "%s %s: no such endpoint among those pare uses", r.Method, call.Path)
		return
	}
	if fault, ok := f.takeFault(call.Op); ok {
		writeFault(w, fault)
		return
	}
	if seg[1] != f.Project && seg[1] != strconv.Itoa(f.ProjectID) {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "404 Project Not Found"})
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
		f.update(w, r, iid, body)
	}
}

// list: GET /projects/:id/merge_requests
// https://docs.gitlab.com/api/merge_requests/#list-project-merge-requests
func (f *GitLab) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	allowed := map[string][]string{
		"state":         {"opened", "closed", "locked", "merged", "all"},
		"source_branch": nil,
		"target_branch": nil,
		"order_by":      {"created_at", "updated_at", "merged_at", "title"},
		"sort":          {"asc", "desc"},
		"per_page":      nil,
		"page":          nil,
	}
	for k, vs := range q {
		values, known := allowed[k]
		if !known {
			f.refuse(w, http.StatusBadRequest, "GET merge_requests: unknown query parameter %q", k)
			return
		}
		if len(vs) != 1 {
			f.refuse(w, http.StatusBadRequest, "GET merge_requests: %q given %d times", k, len(vs))
			return
		}
		if values != nil && !slices.Contains(values, vs[0]) {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": k + " does not have a valid value"})
			f.problem("GET merge_requests: %s=%q, want one of %v", k, vs[0], values)
			return
		}
	}
	perPage, page := 20, 1
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			f.refuse(w, http.StatusBadRequest, "GET merge_requests: per_page=%q, want 1 to 100", v)
			return
		}
		perPage = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			f.refuse(w, http.StatusBadRequest, "GET merge_requests: page=%q", v)
			return
		}
		page = n
	}
	var out []MergeRequest
	for _, m := range f.mrs {
		if s := q.Get("state"); s != "" && s != "all" && m.State != s {
			continue
		}
		if b := q.Get("source_branch"); b != "" && m.SourceBranch != b {
			continue
		}
		if b := q.Get("target_branch"); b != "" && m.TargetBranch != b {
			continue
		}
		out = append(out, m)
	}
	asc := q.Get("sort") == "asc"
	sort.Slice(out, func(i, j int) bool {
		if asc {
			return out[i].IID < out[j].IID
		}
		return out[i].IID > out[j].IID
	})
	start := min((page-1)*perPage, len(out))
	end := min(start+perPage, len(out))
	items := make([]map[string]any, 0, end-start)
	for _, m := range out[start:end] {
		items = append(items, f.mrJSON(r.Host, m))
	}
	writeJSON(w, http.StatusOK, items)
}

// create: POST /projects/:id/merge_requests
// https://docs.gitlab.com/api/merge_requests/#create-mr
func (f *GitLab) create(w http.ResponseWriter, r *http.Request, body []byte) {
	in, ok := f.object(w, "POST merge_requests", body, map[string]string{
		"source_branch": "string", "target_branch": "string", "title": "string", "description": "string",
		"labels": "labels", "assignee_id": "int", "assignee_ids": "ints", "reviewer_ids": "ints",
		"target_project_id": "int", "milestone_id": "int", "remove_source_branch": "bool",
		"squash": "bool", "allow_collaboration": "bool",
	})
	if !ok {
		return
	}
	for _, k := range []string{"source_branch", "target_branch", "title"} {
		if in.str(k) == "" {
			f.problem("POST merge_requests: %q is missing", k)
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": k + " is missing"})
			return
		}
	}
	m := MergeRequest{
		State:        "opened",
		SourceBranch: in.str("source_branch"),
		TargetBranch: in.str("target_branch"),
		Title:        in.str("title"),
		Description:  in.str("description"),
		Labels:       in.labels("labels"),
	}
	if m.SourceBranch == m.TargetBranch {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": []string{"You can't use same project/branch for source and target"}})
		return
	}
	if dup := f.openFrom(m.SourceBranch, m.TargetBranch, 0); dup != nil {
		writeExists(w, dup.IID)
		return
	}
	f.last++
	m.IID = f.last
	f.mrs = append(f.mrs, m)
	writeJSON(w, http.StatusCreated, f.mrJSON(r.Host, m))
}

// update: PUT /projects/:id/merge_requests/:merge_request_iid
// https://docs.gitlab.com/api/merge_requests/#update-mr
func (f *GitLab) update(w http.ResponseWriter, r *http.Request, iid int, body []byte) {
	in, ok := f.object(w, "PUT merge_requests", body, map[string]string{
		"title": "string", "description": "string", "target_branch": "string", "state_event": "string",
		"labels": "labels", "add_labels": "labels", "remove_labels": "labels",
		"assignee_id": "int", "assignee_ids": "ints", "reviewer_ids": "ints", "milestone_id": "int",
		"remove_source_branch": "bool", "squash": "bool", "discussion_locked": "bool", "allow_collaboration": "bool",
	})
	if !ok {
		return
	}
	if len(in) == 0 {
		f.problem("PUT merge_requests: no attribute given")
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "at least one parameter must be provided"})
		return
	}
	m := f.mr(iid)
	if m == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "404 Not found"})
		return
	}
	if _, ok := in["state_event"]; ok {
		switch in.str("state_event") {
		case "close":
			if m.State == "opened" || m.State == "locked" {
				m.State = "closed"
			}
		case "reopen":
			if m.State == "closed" {
				if dup := f.openFrom(m.SourceBranch, m.TargetBranch, m.IID); dup != nil {
					writeExists(w, dup.IID)
					return
				}
				m.State = "opened"
			}
		default:
			f.refuse(w, http.StatusBadRequest, "PUT merge_requests: state_event %q, want close or reopen", in.str("state_event"))
			return
		}
	}
	if _, ok := in["title"]; ok {
		m.Title = in.str("title")
	}
	if _, ok := in["description"]; ok {
		m.Description = in.str("description")
	}
	if _, ok := in["target_branch"]; ok {
		m.TargetBranch = in.str("target_branch")
	}
	if _, ok := in["labels"]; ok {
		m.Labels = in.labels("labels")
	}
	for _, l := range in.labels("add_labels") {
		if !slices.Contains(m.Labels, l) {
			m.Labels = append(m.Labels, l)
		}
	}
	for _, l := range in.labels("remove_labels") {
		m.Labels = slices.DeleteFunc(m.Labels, func(s string) bool { return s == l })
	}
	writeJSON(w, http.StatusOK, f.mrJSON(r.Host, *m))
}

func (f *GitLab) mr(iid int) *MergeRequest {
	for i := range f.mrs {
		if f.mrs[i].IID == iid {
			return &f.mrs[i]
		}
	}
	return nil
}

// openFrom returns an open merge request of this project from source into
// target other than iid.
func (f *GitLab) openFrom(source, target string, iid int) *MergeRequest {
	for i, m := range f.mrs {
		if m.IID != iid && m.State == "opened" && m.SourceProjectID == 0 && m.SourceBranch == source && m.TargetBranch == target {
			return &f.mrs[i]
		}
	}
	return nil
}

func (f *GitLab) mrJSON(host string, m MergeRequest) map[string]any {
	source := m.SourceProjectID
	if source == 0 {
		source = f.ProjectID
	}
	labels := slices.Clone(m.Labels)
	sort.Strings(labels)
	if labels == nil {
		labels = []string{}
	}
	var mergedAt, closedAt any
	if m.State == "merged" {
		mergedAt = created(m.IID + 1)
	}
	if m.State == "closed" {
		closedAt = created(m.IID + 1)
	}
	return map[string]any{
		"id":                10000 + m.IID,
		"iid":               m.IID,
		"project_id":        f.ProjectID,
		"title":             m.Title,
		"description":       m.Description,
		"state":             m.State,
		"created_at":        created(m.IID),
		"updated_at":        created(m.IID),
		"merged_at":         mergedAt,
		"closed_at":         closedAt,
		"target_branch":     m.TargetBranch,
		"source_branch":     m.SourceBranch,
		"source_project_id": source,
		"target_project_id": f.ProjectID,
		"labels":            labels,
		"draft":             false,
		"sha":               fmt.Sprintf("%040x", m.IID),
		"web_url":           "http://" + host + "/" + f.Project + "/-/merge_requests/" + strconv.Itoa(m.IID),
	}
}

// created is the fake creation time of merge request n.
func created(n int) string {
	return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour).Format("2006-01-02T15:04:05.000Z")
}

// fields is a decoded JSON object body.
type fields map[string]json.RawMessage

func (in fields) str(k string) string {
	var s string
	_ = json.Unmarshal(in[k], &s)
	return s
}

// labels reads a label list: GitLab takes a comma-separated string or an
// array of names.
func (in fields) labels(k string) []string {
	raw, ok := in[k]
	if !ok {
		return nil
	}
	var list []string
	if json.Unmarshal(raw, &list) != nil {
		var s string
		_ = json.Unmarshal(raw, &s)
		list = strings.Split(s, ",")
	}
	var out []string
	for _, l := range list {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// object decodes body as a JSON object whose keys are among allowed, each
// of its kind ("string", "bool", "int", "ints", "labels"); otherwise it
// answers 400.
func (f *GitLab) object(w http.ResponseWriter, what string, body []byte, allowed map[string]string) (fields, bool) {
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
			f.refuse(w, http.StatusBadRequest, "%s: %q is not a documented attribute", what, k)
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
		case "ints":
			var ns []int
			err = json.Unmarshal(in[k], &ns)
		case "labels":
			var s string
			var list []string
			if json.Unmarshal(in[k], &s) != nil && json.Unmarshal(in[k], &list) != nil {
				err = fmt.Errorf("not a string or a list of strings")
			}
		}
		if err != nil {
			f.refuse(w, http.StatusBadRequest, "%s: %q is %s, not %s", what, k, in[k], kind)
			return nil, false
		}
	}
	return in, true
}

func (f *GitLab) takeFault(op string) (Fault, bool) {
	for i, fault := range f.faults {
		if fault.Op == "" || fault.Op == op {
			f.faults = slices.Delete(f.faults, i, i+1)
			return fault, true
		}
	}
	return Fault{}, false
}

func (f *GitLab) problem(format string, args ...any) {
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

// refuse records a problem and answers it the way GitLab answers errors.
func (f *GitLab) refuse(w http.ResponseWriter, status int, format string, args ...any) {
	f.problem(format, args...)
	writeJSON(w, status, map[string]any{"error": "fakegitlab: " + fmt.Sprintf(format, args...)})
}

func writeExists(w http.ResponseWriter, iid int) {
	writeJSON(w, http.StatusConflict, map[string]any{
		"message": []string{fmt.Sprintf("Another open merge request already exists for this source branch: !%d", iid)}})
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
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(fault.Status)
	io.WriteString(w, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
