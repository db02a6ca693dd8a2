package main

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/leastpriv/pare/synth/azure"
)

// decodeAzureTerraform reads back the azurerm_role_definition of a managed
// Terraform file as emit.AzureTerraform writes it: its id, name,
// description, permissions and assignable scopes, all literals. The
// azurerm_role_assignment resources beside it are pare's own and are
// rewritten with the role. Any other block, several role definitions, or a
// value that is not a literal is an error naming file and line.
func decodeAzureTerraform(name string, src []byte) (*azure.Role, error) {
	f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	body := f.Body.(*hclsyntax.Body)
	var role *azure.Role
	for _, block := range body.Blocks {
		if block.Type != "resource" || len(block.Labels) != 2 {
			return nil, fmt.Errorf("%s: a %s block: a file pare manages holds only its azurerm role definition and assignments", block.DefRange(), block.Type)
		}
		switch block.Labels[0] {
		case "azurerm_role_assignment":
			continue
		case "azurerm_role_definition":
		default:
			return nil, fmt.Errorf("%s: resource %q: a file pare manages holds only its azurerm role definition and assignments", block.DefRange(), block.Labels[0])
		}
		if role != nil {
			return nil, fmt.Errorf("%s: a second azurerm_role_definition: pare writes one role per principal and file", block.DefRange())
		}
		r := &azure.Role{}
		for _, a := range []struct {
			name string
			to   *string
		}{{"role_definition_id", &r.ID}, {"name", &r.Name}, {"description", &r.Description}} {
			if err := literalString(block.Body, a.name, a.to); err != nil {
				return nil, err
			}
		}
		if err := literalStrings(block.Body, "assignable_scopes", &r.AssignableScopes); err != nil {
			return nil, err
		}
		r.Actions, r.NotActions, r.DataActions, r.NotDataActions = []string{}, []string{}, []string{}, []string{}
		for _, p := range block.Body.Blocks {
			if p.Type != "permissions" {
				continue
			}
			for _, a := range []struct {
				name string
				to   *[]string
			}{{"actions", &r.Actions}, {"not_actions", &r.NotActions}, {"data_actions", &r.DataActions}, {"not_data_actions", &r.NotDataActions}} {
				var got []string
				if err := literalStrings(p.Body, a.name, &got); err != nil {
					return nil, err
				}
				*a.to = append(*a.to, got...)
			}
		}
		role = r
	}
	return role, nil
}

// literalString reads an optional string attribute that must be a literal.
func literalString(body *hclsyntax.Body, name string, to *string) error {
	attr, ok := body.Attributes[name]
	if !ok {
		return nil
	}
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return fmt.Errorf("%s: %s is not a literal string pare can read back", attr.SrcRange, name)
	}
	*to = v.AsString()
	return nil
}

// literalStrings reads an optional list of literal strings.
func literalStrings(body *hclsyntax.Body, name string, to *[]string) error {
	attr, ok := body.Attributes[name]
	if !ok {
		return nil
	}
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() || v.IsNull() || !v.IsKnown() || !(v.Type().IsTupleType() || v.Type().IsListType()) {
		return fmt.Errorf("%s: %s is not a literal list pare can read back", attr.SrcRange, name)
	}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || !e.IsKnown() || e.Type() != cty.String {
			return fmt.Errorf("%s: %s holds a value that is not a literal string", attr.SrcRange, name)
		}
		*to = append(*to, e.AsString())
	}
	return nil
}
