package emit

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/leastpriv/pare/synth/azure"
)

// AzureUnobservable is what every Azure evidence file says the Activity Log
// cannot show.
const AzureUnobservable = "The Azure Activity Log records writes, deletes and actions, never reads or data-plane operations: " +
	"the /read of every resource type written is inferred, and reads and data actions cannot be observed from this source."

// azureRoleDefinition is the role definition file `az role definition
// create --role-definition @file.json` and New-AzRoleDefinition -InputFile
// read, keys in the order Get-AzRoleDefinition writes them.
type azureRoleDefinition struct {
	Name             string   `json:"Name"`
	ID               string   `json:"Id,omitempty"`
	IsCustom         bool     `json:"IsCustom"`
	Description      string   `json:"Description"`
	Actions          []string `json:"Actions"`
	NotActions       []string `json:"NotActions"`
	DataActions      []string `json:"DataActions"`
	NotDataActions   []string `json:"NotDataActions"`
	AssignableScopes []string `json:"AssignableScopes"`
}

// AzureRoleJSON writes r as an Azure custom role definition file: Name, Id
// (the role's stable GUID, left out when empty), IsCustom true, Description,
// Actions, NotActions, DataActions, NotDataActions and AssignableScopes, all
// lists arrays (nil becomes []), two-space indented, '<', '>' and '&' left
// literal, invisible runes escaped, and a final newline.
//
// The az CLI lower-cases the first letter of every key and ignores "id" when
// it creates a role (it makes a random GUID); `az role definition update`
// and New-AzRoleDefinition use it. Only the Terraform output pins the id on
// creation.
//
// Like IAMJSON, AzureRoleJSON returns an error, and writes nothing, when a
// string in r is not valid UTF-8.
func AzureRoleJSON(w io.Writer, r azure.Role) error {
	def := azureRoleDefinition{
		Name:             r.Name,
		ID:               r.ID,
		IsCustom:         true,
		Description:      r.Description,
		Actions:          nonNil(r.Actions),
		NotActions:       nonNil(r.NotActions),
		DataActions:      nonNil(r.DataActions),
		NotDataActions:   nonNil(r.NotDataActions),
		AssignableScopes: nonNil(r.AssignableScopes),
	}
	if err := eachRoleString(r, func(what, s string) error {
		if !utf8.ValidString(s) {
			return fmt.Errorf("role %s %q is not valid UTF-8", what, s)
		}
		return nil
	}); err != nil {
		return err
	}
	return WriteJSON(w, def)
}

// eachRoleString calls f with every string a role renders and what it is,
// and stops at the first error.
func eachRoleString(r azure.Role, f func(what, s string) error) error {
	for _, x := range []struct {
		what string
		ss   []string
	}{
		{"name", []string{r.Name}},
		{"id", []string{r.ID}},
		{"description", []string{r.Description}},
		{"principal", []string{r.Principal}},
		{"action", r.Actions},
		{"not action", r.NotActions},
		{"data action", r.DataActions},
		{"not data action", r.NotDataActions},
		{"assignable scope", r.AssignableScopes},
	} {
		for _, s := range x.ss {
			if err := f(x.what, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// AzureTerraform writes, per role, an azurerm_role_definition (name, scope =
// the first assignable scope, description, role_definition_id pinned to the
// role's stable id, a permissions block, assignable_scopes) and one
// azurerm_role_assignment of it to the principal at each assignable scope
// (role_definition_id refers to the definition's
// role_definition_resource_id; principal_type is set for users, service
// principals and managed identities). Labels are valid HCL identifiers
// derived from the role names, distinct per resource type, in input order.
//
// Everything is built as HCL syntax with hclwrite, so "${" and "%{" in
// strings from logs are escaped and never become interpolations or
// directives. A string that is not valid UTF-8 or not in Unicode normal form
// C (Terraform would change it), a role without a name or assignable scopes,
// and two roles with the same name (ignoring case, as Azure does) or id are
// errors, and nothing is written.
func AzureTerraform(w io.Writer, roles []azure.Role) error {
	names := make(map[string]bool)
	ids := make(map[string]bool)
	for _, r := range roles {
		if err := eachRoleString(r, checkTerraformString); err != nil {
			return fmt.Errorf("terraform role %q: %w", r.Name, err)
		}
		if r.Name == "" {
			return fmt.Errorf("terraform role of %q: no name", r.Principal)
		}
		if len(r.AssignableScopes) == 0 {
			return fmt.Errorf("terraform role %q: no assignable scopes", r.Name)
		}
		if names[strings.ToLower(r.Name)] {
			return fmt.Errorf("terraform role %q: name used twice", r.Name)
		}
		names[strings.ToLower(r.Name)] = true
		if r.ID != "" && ids[strings.ToLower(r.ID)] {
			return fmt.Errorf("terraform role %q: id %s used twice", r.Name, r.ID)
		}
		ids[strings.ToLower(r.ID)] = true
	}

	f := hclwrite.NewEmptyFile()
	body := f.Body()
	defLabels := make(map[string]bool)
	assignLabels := make(map[string]bool)
	for i, r := range roles {
		if i > 0 {
			body.AppendNewline()
		}
		label := uniqueLabel(hclLabel(r.Name), defLabels)
		def := body.AppendNewBlock("resource", []string{"azurerm_role_definition", label}).Body()
		if r.ID != "" {
			def.SetAttributeValue("role_definition_id", cty.StringVal(r.ID))
		}
		def.SetAttributeValue("name", cty.StringVal(r.Name))
		def.SetAttributeValue("scope", cty.StringVal(r.AssignableScopes[0]))
		if r.Description != "" {
			def.SetAttributeValue("description", cty.StringVal(r.Description))
		}
		def.AppendNewline()
		perms := def.AppendNewBlock("permissions", nil).Body()
		perms.SetAttributeRaw("actions", listTokens(r.Actions))
		perms.SetAttributeRaw("not_actions", listTokens(r.NotActions))
		if len(r.DataActions) > 0 || len(r.NotDataActions) > 0 {
			perms.SetAttributeRaw("data_actions", listTokens(r.DataActions))
			perms.SetAttributeRaw("not_data_actions", listTokens(r.NotDataActions))
		}
		def.AppendNewline()
		def.SetAttributeRaw("assignable_scopes", listTokens(r.AssignableScopes))

		for j, scope := range r.AssignableScopes {
			al := label
			if len(r.AssignableScopes) > 1 {
				al = fmt.Sprintf("%s_%d", label, j+1)
			}
			body.AppendNewline()
			a := body.AppendNewBlock("resource", []string{"azurerm_role_assignment", uniqueLabel(al, assignLabels)}).Body()
			a.SetAttributeValue("scope", cty.StringVal(scope))
			a.SetAttributeTraversal("role_definition_id", hclTraversal("azurerm_role_definition", label, "role_definition_resource_id"))
			a.SetAttributeValue("principal_id", cty.StringVal(r.Principal))
			if t := principalType(r.Kind); t != "" {
				a.SetAttributeValue("principal_type", cty.StringVal(t))
			}
		}
	}
	_, err := w.Write(hclwrite.Format(f.Bytes()))
	return err
}

// principalType is azurerm's principal_type for a principal kind, or "".
func principalType(kind string) string {
	switch kind {
	case "user":
		return "User"
	case "service-principal", "managed-identity":
		return "ServicePrincipal"
	case "group":
		return "Group"
	}
	return ""
}

// hclTraversal is the reference root.attr1.attr2...
func hclTraversal(root string, attrs ...string) hcl.Traversal {
	t := hcl.Traversal{hcl.TraverseRoot{Name: root}}
	for _, a := range attrs {
		t = append(t, hcl.TraverseAttr{Name: a})
	}
	return t
}

// azureEvidenceFile is the JSON shape of an Azure role's evidence file.
type azureEvidenceFile struct {
	Principal       string                    `json:"principal"`
	Kind            string                    `json:"kind"`
	RoleID          string                    `json:"roleId"`
	Note            string                    `json:"note"`
	Actions         []azureEvidenceAction     `json:"actions"`
	Generalizations []azureEvidenceGeneralize `json:"generalizations"`
	Rejected        []string                  `json:"rejected"`
	Unscoped        []string                  `json:"unscoped"`
}

type azureEvidenceAction struct {
	Action    string   `json:"action"`
	Count     int64    `json:"count"`
	First     string   `json:"firstSeen"`
	Last      string   `json:"lastSeen"`
	Samples   []string `json:"sampleEventIds"`
	Resources []string `json:"resources"`
	Inferred  bool     `json:"inferred,omitempty"`
	Denied    bool     `json:"deniedAttempts,omitempty"`
}

type azureEvidenceGeneralize struct {
	Scope    string   `json:"scope"`
	Reason   string   `json:"reason"`
	Recorded []string `json:"recorded"`
}

// AzureEvidence writes why every permission of an Azure role is there: per
// action the count, first and last seen (RFC 3339, UTC), sample event ids,
// recorded resource ids and whether it was inferred or denied; every
// generalized scope; rejected operations; resource ids that are not under a
// subscription; and AzureUnobservable. Like Evidence, it refuses strings
// that are not valid UTF-8 and writes nothing then.
func AzureEvidence(w io.Writer, ev azure.Evidence) error {
	f := azureEvidenceFile{
		Principal:       ev.Principal,
		Kind:            ev.Kind,
		RoleID:          ev.RoleID,
		Note:            AzureUnobservable,
		Actions:         []azureEvidenceAction{},
		Generalizations: []azureEvidenceGeneralize{},
		Rejected:        nonNil(ev.Rejected),
		Unscoped:        nonNil(ev.Unscoped),
	}
	for _, a := range ev.Actions {
		f.Actions = append(f.Actions, azureEvidenceAction{
			Action:    a.Action,
			Count:     a.Count,
			First:     rfc3339(a.First, ""),
			Last:      rfc3339(a.Last, ""),
			Samples:   nonNil(a.Samples),
			Resources: nonNil(a.Resources),
			Inferred:  a.Inferred,
			Denied:    a.Denied,
		})
	}
	for _, g := range ev.Generalizations {
		f.Generalizations = append(f.Generalizations, azureEvidenceGeneralize{Scope: g.Scope, Reason: g.Reason, Recorded: nonNil(g.Recorded)})
	}
	// WriteJSON refuses strings that are not valid UTF-8.
	if err := WriteJSON(w, f); err != nil {
		return fmt.Errorf("azure evidence of %q: %w", ev.Principal, err)
	}
	return nil
}
