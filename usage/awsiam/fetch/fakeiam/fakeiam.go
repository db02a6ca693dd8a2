package fakeiam

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/leastpriv/pare/usage/awsiam"
)

// IAM serves the users, groups, roles and policies of one awsiam.Details.
// A page holds at most PageSize entities (users first, then groups, roles,
// policies), fewer when the request's MaxItems is smaller.
type IAM struct {
	// PageSize caps the entities per page; 0 means 100.
	PageSize int
	// FailCode, when set, makes calls fail with this error code (e.g.
	// "AccessDenied") and FailStatus (403 when 0), starting at call
	// FailFrom (1 when 0).
	FailCode   string
	FailStatus int
	FailFrom   int

	mu    sync.Mutex
	items []item
	calls []Call
}

// Call is one request the fake saw.
type Call struct {
	Action   string
	Version  string
	Marker   string
	MaxItems int
	Filter   []string
}

type item struct {
	user   *awsiam.User
	group  *awsiam.Group
	role   *awsiam.Role
	policy *awsiam.ManagedPolicy
}

// New returns a fake serving d. Documents are sent URL-encoded (RFC 3986),
// whatever form d holds them in: JSON text is encoded, text that is already
// encoded (not starting with '{') is sent as it is.
func New(d awsiam.Details) *IAM {
	f := &IAM{}
	for i := range d.Users {
		f.items = append(f.items, item{user: &d.Users[i]})
	}
	for i := range d.Groups {
		f.items = append(f.items, item{group: &d.Groups[i]})
	}
	for i := range d.Roles {
		f.items = append(f.items, item{role: &d.Roles[i]})
	}
	for i := range d.Policies {
		f.items = append(f.items, item{policy: &d.Policies[i]})
	}
	return f
}

// Calls returns the calls seen so far, in order.
func (f *IAM) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

func (f *IAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "MalformedQueryString", err.Error())
		return
	}
	c := Call{Action: r.PostForm.Get("Action"), Version: r.PostForm.Get("Version"), Marker: r.PostForm.Get("Marker")}
	c.MaxItems, _ = strconv.Atoi(r.PostForm.Get("MaxItems"))
	for i := 1; ; i++ {
		v := r.PostForm.Get("Filter.member." + strconv.Itoa(i))
		if v == "" {
			break
		}
		c.Filter = append(c.Filter, v)
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	n := len(f.calls)
	f.mu.Unlock()

	if r.Method != http.MethodPost || c.Action != "GetAccountAuthorizationDetails" || c.Version != "2010-05-08" {
		writeError(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("unsupported %s %q version %q", r.Method, c.Action, c.Version))
		return
	}
	if f.FailCode != "" && n >= max(f.FailFrom, 1) {
		status := f.FailStatus
		if status == 0 {
			status = http.StatusForbidden
		}
		writeError(w, status, f.FailCode, "User: arn:aws:iam::111122223333:user/test is not authorized to perform: iam:GetAccountAuthorizationDetails")
		return
	}
	start := 0
	if c.Marker != "" {
		var err error
		start, err = strconv.Atoi(strings.TrimPrefix(c.Marker, "m"))
		if err != nil || !strings.HasPrefix(c.Marker, "m") || start < 0 || start > len(f.items) {
			writeError(w, http.StatusBadRequest, "InvalidInput", "bad Marker")
			return
		}
	}
	size := f.PageSize
	if size <= 0 {
		size = 100
	}
	if c.MaxItems > 0 && c.MaxItems < size {
		size = c.MaxItems
	}
	end := min(start+size, len(f.items))
	res := result{}
	for _, it := range f.items[start:end] {
		switch {
		case it.user != nil:
			res.Users = append(res.Users, userXML(it.user))
		case it.group != nil:
			res.Groups = append(res.Groups, groupXML(it.group))
		case it.role != nil:
			res.Roles = append(res.Roles, roleXML(it.role))
		default:
			res.Policies = append(res.Policies, policyXML(it.policy))
		}
	}
	if end < len(f.items) {
		res.IsTruncated = true
		res.Marker = "m" + strconv.Itoa(end)
	}
	out, err := xml.Marshal(response{Xmlns: xmlns, Result: res, RequestID: "req-" + strconv.Itoa(n)})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "InternalFailure", err.Error())
		return
	}
	writeXML(w, http.StatusOK, out)
}

// writeXML sends one XML document with its length, as IAM does.
func writeXML(w http.ResponseWriter, status int, doc []byte) {
	body := append([]byte(xml.Header), doc...)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

const xmlns = "https://iam.amazonaws.com/doc/2010-05-08/"

type response struct {
	XMLName   xml.Name `xml:"GetAccountAuthorizationDetailsResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Result    result   `xml:"GetAccountAuthorizationDetailsResult"`
	RequestID string   `xml:"ResponseMetadata>RequestId"`
}

type result struct {
	IsTruncated bool      `xml:"IsTruncated"`
	Marker      string    `xml:"Marker,omitempty"`
	Users       []userX   `xml:"UserDetailList>member"`
	Groups      []groupX  `xml:"GroupDetailList>member"`
	Roles       []roleX   `xml:"RoleDetailList>member"`
	Policies    []policyX `xml:"Policies>member"`
}

type inlineX struct {
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type attachedX struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type boundaryX struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
}

type userX struct {
	Path       string      `xml:"Path"`
	UserName   string      `xml:"UserName"`
	UserID     string      `xml:"UserId"`
	Arn        string      `xml:"Arn"`
	CreateDate string      `xml:"CreateDate"`
	GroupList  []string    `xml:"GroupList>member"`
	Inline     []inlineX   `xml:"UserPolicyList>member"`
	Attached   []attachedX `xml:"AttachedManagedPolicies>member"`
	Boundary   *boundaryX  `xml:"PermissionsBoundary,omitempty"`
}

type groupX struct {
	Path       string      `xml:"Path"`
	GroupName  string      `xml:"GroupName"`
	GroupID    string      `xml:"GroupId"`
	Arn        string      `xml:"Arn"`
	CreateDate string      `xml:"CreateDate"`
	Inline     []inlineX   `xml:"GroupPolicyList>member"`
	Attached   []attachedX `xml:"AttachedManagedPolicies>member"`
}

type roleX struct {
	Path       string      `xml:"Path"`
	RoleName   string      `xml:"RoleName"`
	RoleID     string      `xml:"RoleId"`
	Arn        string      `xml:"Arn"`
	CreateDate string      `xml:"CreateDate"`
	Trust      string      `xml:"AssumeRolePolicyDocument"`
	Inline     []inlineX   `xml:"RolePolicyList>member"`
	Attached   []attachedX `xml:"AttachedManagedPolicies>member"`
	Boundary   *boundaryX  `xml:"PermissionsBoundary,omitempty"`
}

type policyX struct {
	PolicyName       string     `xml:"PolicyName"`
	PolicyID         string     `xml:"PolicyId"`
	Arn              string     `xml:"Arn"`
	Path             string     `xml:"Path"`
	DefaultVersionID string     `xml:"DefaultVersionId"`
	AttachmentCount  int        `xml:"AttachmentCount"`
	IsAttachable     bool       `xml:"IsAttachable"`
	Versions         []versionX `xml:"PolicyVersionList>member"`
}

type versionX struct {
	Document         string `xml:"Document"`
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

const created = "2020-01-29T21:24:20Z"

func inlines(ps []awsiam.InlinePolicy) []inlineX {
	var out []inlineX
	for _, p := range ps {
		out = append(out, inlineX{PolicyName: p.Name, PolicyDocument: Encode(p.Document)})
	}
	return out
}

func attached(ps []awsiam.AttachedPolicy) []attachedX {
	var out []attachedX
	for _, p := range ps {
		out = append(out, attachedX{PolicyName: p.Name, PolicyArn: p.ARN})
	}
	return out
}

func boundary(arn string) *boundaryX {
	if arn == "" {
		return nil
	}
	return &boundaryX{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: arn}
}

func userXML(u *awsiam.User) userX {
	return userX{Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: u.ARN, CreateDate: created, GroupList: u.Groups,
		Inline: inlines(u.Inline), Attached: attached(u.Attached), Boundary: boundary(u.Boundary)}
}

func groupXML(g *awsiam.Group) groupX {
	return groupX{Path: g.Path, GroupName: g.Name, GroupID: g.ID, Arn: g.ARN, CreateDate: created, Inline: inlines(g.Inline), Attached: attached(g.Attached)}
}

func roleXML(r *awsiam.Role) roleX {
	trust := Encode(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	return roleX{Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: r.ARN, CreateDate: created, Trust: trust,
		Inline: inlines(r.Inline), Attached: attached(r.Attached), Boundary: boundary(r.Boundary)}
}

func policyXML(p *awsiam.ManagedPolicy) policyX {
	out := policyX{PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionID: p.DefaultVersion, AttachmentCount: 1, IsAttachable: true}
	for _, v := range p.Versions {
		out.Versions = append(out.Versions, versionX{Document: Encode(v.Document), VersionID: v.ID, IsDefaultVersion: v.Default, CreateDate: created})
	}
	return out
}

// Encode URL-encodes a JSON policy document as IAM does (RFC 3986: every
// byte but A-Z a-z 0-9 - _ . ~ as %XX). Text not starting with '{' is
// taken to be encoded already and returned as it is.
func Encode(doc string) string {
	if !strings.HasPrefix(strings.TrimSpace(doc), "{") {
		return doc
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

type errorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	out, _ := xml.Marshal(errorResponse{Xmlns: xmlns, Type: "Sender", Code: code, Message: msg, RequestID: "req-error"})
	writeXML(w, status, out)
}
