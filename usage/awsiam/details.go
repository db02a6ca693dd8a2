package awsiam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
)

// Details is what get-account-authorization-details lists for one account
// (or several pages of it).
type Details struct {
	Name     string // the input's name, for problems
	Users    []User
	Groups   []Group
	Roles    []Role
	Policies []ManagedPolicy
}

// User is one IAM user.
type User struct {
	Name     string
	ID       string
	ARN      string
	Path     string
	Groups   []string // names of the groups the user is in
	Inline   []InlinePolicy
	Attached []AttachedPolicy
	Boundary string // ARN of the permissions boundary policy; "" when none
}

// Group is one IAM group.
type Group struct {
	Name     string
	ID       string
	ARN      string
	Path     string
	Inline   []InlinePolicy
	Attached []AttachedPolicy
}

// Role is one IAM role.
type Role struct {
	Name     string
	ID       string
	ARN      string
	Path     string
	Inline   []InlinePolicy
	Attached []AttachedPolicy
	Boundary string // ARN of the permissions boundary policy; "" when none
}

// InlinePolicy is a policy embedded in a user, group or role.
type InlinePolicy struct {
	Name string
	// Document is the policy document as the input gives it: JSON text, or
	// URL-encoded JSON text (the API's form). Statements decodes both.
	Document string
}

// AttachedPolicy names a managed policy attached to a user, group or role.
type AttachedPolicy struct {
	Name string
	ARN  string
}

// ManagedPolicy is a managed policy (customer or AWS managed) with the
// versions the input lists.
type ManagedPolicy struct {
	Name           string
	ID             string
	ARN            string
	Path           string
	DefaultVersion string // e.g. "v3"
	Versions       []PolicyVersion
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	ID       string // e.g. "v3"
	Default  bool
	Document string // as InlinePolicy.Document
}

// The JSON shapes of the CLI output. Field names match case-insensitively,
// as encoding/json does.
type pageJSON struct {
	UserDetailList  *[]userJSON   `json:"UserDetailList"`
	GroupDetailList *[]groupJSON  `json:"GroupDetailList"`
	RoleDetailList  *[]roleJSON   `json:"RoleDetailList"`
	Policies        *[]policyJSON `json:"Policies"`
	IsTruncated     bool          `json:"IsTruncated"`
	Marker          string        `json:"Marker"`
	NextToken       string        `json:"NextToken"`
}

type inlineJSON struct {
	PolicyName     string   `json:"PolicyName"`
	PolicyDocument document `json:"PolicyDocument"`
}

type attachedJSON struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

type boundaryJSON struct {
	PermissionsBoundaryArn  string `json:"PermissionsBoundaryArn"`
	PermissionsBoundaryType string `json:"PermissionsBoundaryType"`
}

type userJSON struct {
	Path                    string         `json:"Path"`
	UserName                string         `json:"UserName"`
	UserID                  string         `json:"UserId"`
	Arn                     string         `json:"Arn"`
	GroupList               []string       `json:"GroupList"`
	UserPolicyList          []inlineJSON   `json:"UserPolicyList"`
	AttachedManagedPolicies []attachedJSON `json:"AttachedManagedPolicies"`
	PermissionsBoundary     *boundaryJSON  `json:"PermissionsBoundary"`
}

type groupJSON struct {
	Path                    string         `json:"Path"`
	GroupName               string         `json:"GroupName"`
	GroupID                 string         `json:"GroupId"`
	Arn                     string         `json:"Arn"`
	GroupPolicyList         []inlineJSON   `json:"GroupPolicyList"`
	AttachedManagedPolicies []attachedJSON `json:"AttachedManagedPolicies"`
}

type roleJSON struct {
	Path                    string         `json:"Path"`
	RoleName                string         `json:"RoleName"`
	RoleID                  string         `json:"RoleId"`
	Arn                     string         `json:"Arn"`
	RolePolicyList          []inlineJSON   `json:"RolePolicyList"`
	AttachedManagedPolicies []attachedJSON `json:"AttachedManagedPolicies"`
	PermissionsBoundary     *boundaryJSON  `json:"PermissionsBoundary"`
}

type policyJSON struct {
	PolicyName        string        `json:"PolicyName"`
	PolicyID          string        `json:"PolicyId"`
	Arn               string        `json:"Arn"`
	Path              string        `json:"Path"`
	DefaultVersionID  string        `json:"DefaultVersionId"`
	PolicyVersionList []versionJSON `json:"PolicyVersionList"`
}

type versionJSON struct {
	Document         document `json:"Document"`
	VersionID        string   `json:"VersionId"`
	IsDefaultVersion bool     `json:"IsDefaultVersion"`
}

// document is a policy document as the input has it: a JSON object kept as
// its text, or a string (URL-encoded JSON) kept as the string. Anything
// else is kept as its JSON text and fails when Statements parses it.
type document string

func (d *document) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = document(s)
	case bytes.Equal(b, []byte("null")):
		*d = ""
	default:
		*d = document(b)
	}
	return nil
}

// Decode reads get-account-authorization-details output: one page, pages
// one after another, or a JSON array of pages (see the package
// documentation). name is used in errors and in Details.Name.
func Decode(name string, r io.Reader) (Details, error) {
	d := Details{Name: name}
	data, err := io.ReadAll(r)
	if err != nil {
		return d, fmt.Errorf("reading %s: %w", name, err)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return d, fmt.Errorf("%s: empty input", name)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	array := trimmed[0] == '['
	if array {
		if _, err := dec.Token(); err != nil {
			return d, fmt.Errorf("%s: %w", name, describe(data, 0, err))
		}
	}
	var m merger
	pages, truncated := 0, 0
	for {
		if array && !dec.More() {
			break
		}
		start := dec.InputOffset()
		var p pageJSON
		err := dec.Decode(&p)
		if err == io.EOF && !array && pages > 0 {
			break
		}
		if err != nil {
			return Details{Name: name}, fmt.Errorf("%s: page %d: %w", name, pages+1, describe(data, start, err))
		}
		pages++
		if p.UserDetailList == nil && p.GroupDetailList == nil && p.RoleDetailList == nil && p.Policies == nil {
			return Details{Name: name}, fmt.Errorf("%s: page %d (%s) is not get-account-authorization-details output: it has none of UserDetailList, GroupDetailList, RoleDetailList, Policies",
				name, pages, position(data, start+leadingSpace(data[start:])))
		}
		if p.IsTruncated || p.NextToken != "" {
			truncated++
		}
		if err := m.add(&p, pages); err != nil {
			return Details{Name: name}, fmt.Errorf("%s: %w", name, err)
		}
	}
	if array {
		if _, err := dec.Token(); err != nil {
			return Details{Name: name}, fmt.Errorf("%s: %w", name, describe(data, dec.InputOffset(), err))
		}
		if _, err := dec.Token(); err != io.EOF {
			return Details{Name: name}, fmt.Errorf("%s: %s: unexpected data after the array of pages", name, position(data, dec.InputOffset()))
		}
		if pages == 0 {
			return Details{Name: name}, fmt.Errorf("%s: an empty array: no pages", name)
		}
	}
	if truncated == pages {
		return Details{Name: name}, fmt.Errorf("%s: the listing is incomplete: every page says IsTruncated (or has a NextToken); add the remaining pages, or run get-account-authorization-details without --no-paginate or --max-items", name)
	}
	d.Users, d.Groups, d.Roles, d.Policies = m.users, m.groups, m.roles, m.policies
	return d, nil
}

func leadingSpace(b []byte) int64 {
	return int64(len(b) - len(bytes.TrimLeft(b, " \t\r\n")))
}

// describe turns a JSON decoding error into one naming line and column.
// start is where the value being decoded began: UnmarshalTypeError offsets
// count from there, SyntaxError offsets from the start of the input.
func describe(data []byte, start int64, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("%s: %w", position(data, se.Offset-1), err)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "value"
		}
		return fmt.Errorf("%s: %s: a JSON %s where %s was expected", position(data, start+te.Offset-1), field, te.Value, jsonKind(te.Type))
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return fmt.Errorf("%s: unexpected end of input (truncated?)", position(data, int64(len(data))))
	}
	return err
}

func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	}
	return "a " + t.Kind().String()
}

// position gives "line L, column C" of byte offset off (1-based both).
func position(data []byte, off int64) string {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := 1 + bytes.Count(before, []byte("\n"))
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// Account returns the account id the ARNs of d's users, groups, roles and
// customer managed policies share ("111122223333"), or "" when they name
// none or several. Callers use it to name an iam:// listing per account.
func Account(d Details) string {
	account := ""
	var arns []string
	for _, u := range d.Users {
		arns = append(arns, u.ARN)
	}
	for _, g := range d.Groups {
		arns = append(arns, g.ARN)
	}
	for _, r := range d.Roles {
		arns = append(arns, r.ARN)
	}
	for _, p := range d.Policies {
		arns = append(arns, p.ARN)
	}
	for _, arn := range arns {
		a := accountOf(arn)
		if a == "aws" || a == "" { // AWS managed policies
			continue
		}
		if account != "" && a != account {
			return ""
		}
		account = a
	}
	return account
}
