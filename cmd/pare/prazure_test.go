package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/leastpriv/pare/emit"
	"github.com/leastpriv/pare/synth/azure"
)

// TestDecodeAzureTerraform: what emit.AzureTerraform writes reads back to
// the same role, hostile strings included; other content is refused.
func TestDecodeAzureTerraform(t *testing.T) {
	role := azure.Role{
		Principal: "6f1c2a3b-0000-4000-8000-00000000abcd", Kind: "service-principal",
		ID: "3b375a25-4b73-577e-943f-1b76446222c2", Name: "pare-6f1c2a3b-3b375a25",
		Description:      "Least privilege for ${jndi:x} %{if} \"q\"",
		Actions:          []string{"Microsoft.Insights/diagnosticSettings/write", "Microsoft.Web/sites/${x}/write"},
		NotActions:       []string{},
		DataActions:      []string{},
		NotDataActions:   []string{},
		AssignableScopes: []string{"/subscriptions/00000000-0000-0000-0000-000000000001"},
	}
	var b bytes.Buffer
	if err := emit.AzureTerraform(&b, []azure.Role{role}); err != nil {
		t.Fatal(err)
	}
	got, err := decodeAzureTerraform("role.tf", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := role
	want.Principal, want.Kind = "", ""
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("read back:\n got %+v\nwant %+v", *got, want)
	}
	for name, src := range map[string]string{
		"other resource": `resource "aws_iam_policy" "x" {}`,
		"reference":      `resource "azurerm_role_definition" "x" { name = var.name }`,
		"two roles":      `resource "azurerm_role_definition" "a" {}` + "\n" + `resource "azurerm_role_definition" "b" {}`,
		"syntax":         `resource "azurerm_role_definition" "a" {`,
	} {
		if _, err := decodeAzureTerraform("role.tf", []byte(src)); err == nil || !strings.Contains(err.Error(), "role.tf:") {
			t.Errorf("%s: error %v, want one naming role.tf and a line", name, err)
		}
	}
}
