package rbac

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/leastpriv/pare/synth/azure"
	"github.com/leastpriv/pare/usage/record"
)

// Assignment is one role assignment.
type Assignment struct {
	ID                 string
	PrincipalID        string
	PrincipalType      string // User, Group, ServicePrincipal, ...
	PrincipalName      string
	RoleDefinitionID   string // full id or GUID
	RoleDefinitionName string // role name, when the listing gives it
	Scope              string
	Condition          string
}

// Definition is one role definition.
type Definition struct {
	ID               string // full id or GUID
	RoleName         string
	RoleType         string // BuiltInRole, CustomRole
	Permissions      []Permission
	AssignableScopes []string
}

// Permission is one permissions block of a role.
type Permission struct {
	Actions        []string `json:"actions"`
	NotActions     []string `json:"notActions"`
	DataActions    []string `json:"dataActions"`
	NotDataActions []string `json:"notDataActions"`
	Condition      string   `json:"condition"`
}

// File is what one input holds: assignments, definitions, or both.
type File struct {
	Assignments []Assignment
	Definitions []Definition
}

// item is the union of both listings' fields, flattened (az CLI) or under
// "properties" (REST).
type item struct {
	ID                 string          `json:"id"`
	Name               string          `json:"name"`
	PrincipalID        string          `json:"principalId"`
	PrincipalType      string          `json:"principalType"`
	PrincipalName      string          `json:"principalName"`
	RoleDefinitionID   string          `json:"roleDefinitionId"`
	RoleDefinitionName string          `json:"roleDefinitionName"`
	Scope              string          `json:"scope"`
	Condition          string          `json:"condition"`
	RoleName           string          `json:"roleName"`
	RoleType           string          `json:"roleType"`
	Type               string          `json:"type"`
	Permissions        []Permission    `json:"permissions"`
	AssignableScopes   []string        `json:"assignableScopes"`
	Properties         json.RawMessage `json:"properties"`
}

// Decode reads a JSON array of assignments and/or definitions, or an object
// with such an array under "value". Elements that are neither are errors
// naming their index.
func Decode(name string, r io.Reader) (File, error) {
	var f File
	data, err := io.ReadAll(r)
	if err != nil {
		return f, fmt.Errorf("reading %s: %w", name, err)
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return f, fmt.Errorf("%s: empty input", name)
	}
	var items []json.RawMessage
	if data[0] == '{' {
		var page struct {
			Value *[]json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(data, &page); err != nil {
			return f, fmt.Errorf("%s: %w", name, describe(data, err))
		}
		if page.Value == nil {
			return f, fmt.Errorf("%s: not an Azure role assignment or definition listing: no \"value\" array", name)
		}
		items = *page.Value
	} else if err := json.Unmarshal(data, &items); err != nil {
		return f, fmt.Errorf("%s: %w", name, describe(data, err))
	}
	for i, raw := range items {
		var it item
		if err := json.Unmarshal(raw, &it); err != nil {
			return f, fmt.Errorf("%s: element %d: %w", name, i, err)
		}
		if len(it.Properties) > 0 && string(it.Properties) != "null" {
			id, nm := it.ID, it.Name
			if err := json.Unmarshal(it.Properties, &it); err != nil {
				return f, fmt.Errorf("%s: element %d: properties: %w", name, i, err)
			}
			it.ID, it.Name = id, nm
		}
		switch {
		case it.PrincipalID != "" && it.RoleDefinitionID != "":
			f.Assignments = append(f.Assignments, Assignment{
				ID: it.ID, PrincipalID: it.PrincipalID, PrincipalType: it.PrincipalType, PrincipalName: it.PrincipalName,
				RoleDefinitionID: it.RoleDefinitionID, RoleDefinitionName: it.RoleDefinitionName, Scope: it.Scope, Condition: it.Condition,
			})
		case it.RoleName != "" && it.Permissions != nil:
			id := it.ID
			if id == "" {
				id = it.Name
			}
			roleType := it.RoleType
			if roleType == "" {
				roleType = it.Type // REST puts it in properties.type
			}
			f.Definitions = append(f.Definitions, Definition{ID: id, RoleName: it.RoleName, RoleType: roleType, Permissions: it.Permissions, AssignableScopes: it.AssignableScopes})
		default:
			return f, fmt.Errorf("%s: element %d is neither a role assignment (principalId, roleDefinitionId) nor a role definition (roleName, permissions)", name, i)
		}
	}
	return f, nil
}

// describe adds the line and column to a JSON syntax error.
func describe(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:se.Offset], []byte("\n"))
		col := int(se.Offset) - bytes.LastIndexByte(data[:se.Offset], '\n') - 1 // Offset is just past the bad byte
		return fmt.Errorf("line %d, column %d: %w", line, col, err)
	}
	return err
}

// guid is the last segment of a role definition id, lower-cased: the key
// both full ids and bare GUIDs share.
func guid(id string) string {
	return strings.ToLower(id[strings.LastIndexByte(id, '/')+1:])
}

// Grants resolves every assignment through its definition: first among
// definitions, then builtin (looked up by GUID, then by role name). Rows of
// one permissions block share an origin no other block has (see the
// package doc). It returns the blocks' rows as GrantRecords gives them,
// sorted, and the assignments whose role could not be found, described.
func Grants(assignments []Assignment, definitions []Definition, builtin func(nameOrID string) (Definition, bool)) ([]record.Grant, []string) {
	byID := make(map[string]Definition)
	for _, d := range definitions {
		byID[guid(d.ID)] = d
	}
	var blocks []azure.Grant
	var unresolved []string
	for _, a := range assignments {
		d, ok := byID[guid(a.RoleDefinitionID)]
		if !ok && builtin != nil {
			if d, ok = builtin(guid(a.RoleDefinitionID)); !ok && a.RoleDefinitionName != "" {
				d, ok = builtin(a.RoleDefinitionName)
			}
		}
		if !ok {
			unresolved = append(unresolved, fmt.Sprintf("role assignment %s: role definition %s not found", a.ID, a.RoleDefinitionID))
			continue
		}
		origin := fmt.Sprintf("role assignment %s (%s)", a.ID, d.RoleName)
		if a.PrincipalType == "Group" {
			origin += " to group " + a.PrincipalID
		}
		if a.Condition != "" {
			origin += " with a condition"
		}
		for i, p := range d.Permissions {
			// Each permissions block keeps an origin of its own, so that
			// GrantsFromRecords can subtract NotActions only within their
			// block, as Azure does.
			o := origin
			if len(d.Permissions) > 1 {
				o += fmt.Sprintf(", permissions block %d of %d", i+1, len(d.Permissions))
			}
			// A block's condition constrains its control plane actions too
			// (role assignment delegation), not only its data actions.
			if p.Condition != "" {
				o += " (conditional)"
			}
			blocks = append(blocks, azure.Grant{Principal: a.PrincipalID, Scope: a.Scope, Origin: o,
				Actions: p.Actions, NotActions: p.NotActions, DataActions: p.DataActions, NotDataActions: p.NotDataActions})
		}
	}
	slices.Sort(unresolved)
	return GrantRecords(blocks), unresolved
}

// sortGrants sorts rows by principal, scope, effect, data (false first),
// action, origin.
func sortGrants(grants []record.Grant) {
	slices.SortFunc(grants, func(a, b record.Grant) int {
		return cmp.Or(
			cmp.Compare(a.Principal, b.Principal),
			cmp.Compare(a.Scope, b.Scope),
			cmp.Compare(a.Effect, b.Effect),
			compareBool(a.Data, b.Data),
			cmp.Compare(a.Action, b.Action),
			cmp.Compare(a.Origin, b.Origin),
		)
	})
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
