package emit

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/azure"
)

const azSub = "/subscriptions/00000000-0000-0000-0000-000000000001"

// azureRoles are two synthesized roles, one carrying hostile strings in
// every place a log string reaches.
func azureRoles(t testing.TB) []azure.Role {
	t.Helper()
	first := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	last := time.Date(2026, 3, 31, 18, 0, 0, 0, time.UTC)
	in := []synth.Access{
		{Provider: "azure", Principal: "6f1c2a3b-0000-4000-8000-00000000abcd", PrincipalKind: "service-principal",
			Action: "Microsoft.Insights/diagnosticSettings/write", Resource: azSub + "/providers/Microsoft.Insights/diagnosticSettings/d", First: first, Last: last, Count: 2},
		{Provider: "azure", Principal: "6f1c2a3b-0000-4000-8000-00000000abcd", PrincipalKind: "service-principal",
			Action: "Microsoft.Insights/diagnosticSettings/read", Resource: azSub + "/providers/Microsoft.Insights/diagnosticSettings/d", Inferred: true},
		{Provider: "azure", Principal: "6f1c2a3b-0000-4000-8000-00000000abcd", PrincipalKind: "service-principal",
			Action: "Microsoft.Support/supportTickets/write", Resource: "/subscriptions/S2/resourceGroups/MSSupportGroup/providers/microsoft.support/supporttickets/1"},
		{Provider: "azure", Principal: "user ${x} <b>&\u202e", PrincipalKind: "user",
			Action: `Microsoft.Web/sites/${jndi:x}%{if}"q"\/write`, Resource: azSub + "/resourceGroups/rg-${var.x}-%{ for }/providers/Microsoft.Web/sites/ünï 日本 😀"},
	}
	return azure.Synthesize(in, azure.Options{Window: synth.Window{From: first, To: last}})
}

// decodeRole unmarshals a role definition file strictly.
func decodeRole(t testing.TB, data []byte) azureRoleDefinition {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var def azureRoleDefinition
	if err := dec.Decode(&def); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
	if dec.More() {
		t.Fatalf("trailing data in %s", data)
	}
	return def
}

func TestAzureRoleJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	for _, r := range azureRoles(t) {
		var one bytes.Buffer
		if err := AzureRoleJSON(&one, r); err != nil {
			t.Fatal(err)
		}
		checkVisible(t, one.Bytes())
		got := decodeRole(t, one.Bytes())
		want := azureRoleDefinition{Name: r.Name, ID: r.ID, IsCustom: true, Description: r.Description,
			Actions: r.Actions, NotActions: []string{}, DataActions: []string{}, NotDataActions: []string{}, AssignableScopes: r.AssignableScopes}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("role does not round-trip:\ngot  %#v\nwant %#v", got, want)
		}
		buf.Write(one.Bytes())
	}
	golden(t, "azure_role.golden", buf.Bytes())
	for _, lit := range []string{"${jndi:x}", "<b>&", "%{if}", `\"q\"`, "%{ for }"} {
		if !bytes.Contains(buf.Bytes(), []byte(lit)) {
			t.Errorf("output does not contain %q literally", lit)
		}
	}
	if bytes.Contains(buf.Bytes(), []byte("\u202e")) {
		t.Errorf("a bidirectional override is not escaped")
	}
}

// TestAzureRoleJSONShape: the keys and their order az and PowerShell read,
// lists always arrays, Id left out when empty.
func TestAzureRoleJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := AzureRoleJSON(&buf, azure.Role{Name: "n", Description: "d", Actions: []string{"a/b"}, AssignableScopes: []string{azSub}}); err != nil {
		t.Fatal(err)
	}
	want := `{
  "Name": "n",
  "IsCustom": true,
  "Description": "d",
  "Actions": [
    "a/b"
  ],
  "NotActions": [],
  "DataActions": [],
  "NotDataActions": [],
  "AssignableScopes": [
    "/subscriptions/00000000-0000-0000-0000-000000000001"
  ]
}
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	buf.Reset()
	if err := AzureRoleJSON(&buf, azure.Role{Name: "n", ID: "be0a9416-afa1-531a-9f5f-a351de0c99c3"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "{\n  \"Name\": \"n\",\n  \"Id\": \"be0a9416-afa1-531a-9f5f-a351de0c99c3\",\n  \"IsCustom\": true,") {
		t.Errorf("Id not second:\n%s", buf.String())
	}
}

func TestAzureRoleJSONInvalidUTF8(t *testing.T) {
	for _, bad := range []string{"\xff", "a\xc3", "\xed\xa0\x80"} {
		for i, r := range []azure.Role{
			{Name: bad}, {Description: bad}, {Actions: []string{"a/b", bad}}, {AssignableScopes: []string{bad}}, {ID: bad},
		} {
			var buf bytes.Buffer
			if err := AzureRoleJSON(&buf, r); err == nil || buf.Len() != 0 {
				t.Errorf("%q in place %d: err %v, wrote %q", bad, i, err, buf.String())
			}
		}
	}
}

// tfAzure is what an Azure Terraform file evaluates to.
type tfAzure struct {
	defs        map[string]map[string]cty.Value // label → attribute → value; "permissions.x" for the block
	assignments map[string]map[string]cty.Value // label → attribute → value; role_definition_id as "ref:<label>"
	order       []string                        // definition labels in file order
}

// parseAzureTerraform parses src and evaluates every attribute. Nothing may
// refer to anything except an assignment's role_definition_id, which must be
// exactly azurerm_role_definition.<label>.role_definition_resource_id; it is
// returned as the string "ref:<label>".
func parseAzureTerraform(t testing.TB, src []byte) tfAzure {
	t.Helper()
	file, diags := hclparse.NewParser().ParseHCL(src, "azure.tf")
	if diags.HasErrors() {
		t.Fatalf("parsing:\n%s\n%s", src, diags.Error())
	}
	out := tfAzure{defs: map[string]map[string]cty.Value{}, assignments: map[string]map[string]cty.Value{}}
	body := file.Body.(*hclsyntax.Body)
	if len(body.Attributes) != 0 {
		t.Fatalf("top-level attributes in\n%s", src)
	}
	eval := func(into map[string]cty.Value, prefix string, attrs hclsyntax.Attributes, reference bool) {
		for name, a := range attrs {
			vars := a.Expr.Variables()
			if reference && name == "role_definition_id" {
				_, plain := a.Expr.(*hclsyntax.ScopeTraversalExpr)
				if !plain || len(vars) != 1 || len(vars[0]) != 3 || vars[0].RootName() != "azurerm_role_definition" {
					t.Fatalf("role_definition_id is not a plain reference to a definition: %v", vars)
				}
				label, ok1 := vars[0][1].(hcl.TraverseAttr)
				attr, ok2 := vars[0][2].(hcl.TraverseAttr)
				if !ok1 || !ok2 || attr.Name != "role_definition_resource_id" {
					t.Fatalf("role_definition_id refers to %v", vars)
				}
				into[name] = cty.StringVal("ref:" + label.Name)
				continue
			}
			// No expression may refer to anything: that is what an
			// interpolation smuggled in through a log string would do.
			if len(vars) != 0 {
				t.Fatalf("attribute %s refers to variables %v", name, vars)
			}
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				t.Fatalf("evaluating %s: %s", name, diags.Error())
			}
			into[prefix+name] = v
		}
	}
	for _, block := range body.Blocks {
		if block.Type != "resource" || len(block.Labels) != 2 || !hclsyntax.ValidIdentifier(block.Labels[1]) {
			t.Fatalf("unexpected block %s %q", block.Type, block.Labels)
		}
		attrs := map[string]cty.Value{}
		switch block.Labels[0] {
		case "azurerm_role_definition":
			if _, dup := out.defs[block.Labels[1]]; dup {
				t.Fatalf("definition label %q twice", block.Labels[1])
			}
			eval(attrs, "", block.Body.Attributes, false)
			if len(block.Body.Blocks) != 1 || block.Body.Blocks[0].Type != "permissions" || len(block.Body.Blocks[0].Body.Blocks) != 0 {
				t.Fatalf("definition %q needs exactly one permissions block", block.Labels[1])
			}
			eval(attrs, "permissions.", block.Body.Blocks[0].Body.Attributes, false)
			out.defs[block.Labels[1]] = attrs
			out.order = append(out.order, block.Labels[1])
		case "azurerm_role_assignment":
			if _, dup := out.assignments[block.Labels[1]]; dup {
				t.Fatalf("assignment label %q twice", block.Labels[1])
			}
			if len(block.Body.Blocks) != 0 {
				t.Fatalf("nested blocks in assignment %q", block.Labels[1])
			}
			eval(attrs, "", block.Body.Attributes, true)
			out.assignments[block.Labels[1]] = attrs
		default:
			t.Fatalf("unexpected resource type %q", block.Labels[0])
		}
	}
	return out
}

func str(t testing.TB, v cty.Value) string {
	t.Helper()
	if !v.Type().Equals(cty.String) || v.IsNull() || !v.IsWhollyKnown() {
		t.Fatalf("%#v is not a known string", v)
	}
	return v.AsString()
}

func strs(t testing.TB, v cty.Value) []string {
	t.Helper()
	if v.IsNull() || !(v.Type().IsTupleType() || v.Type().IsListType()) {
		t.Fatalf("%#v is not a list", v)
	}
	out := []string{}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, str(t, e))
	}
	return out
}

// checkAzureTerraform checks that src holds exactly roles: one definition
// per role whose values evaluate back to the role's strings, and one
// assignment per assignable scope referring to it.
func checkAzureTerraform(t testing.TB, src []byte, roles []azure.Role) {
	t.Helper()
	got := parseAzureTerraform(t, src)
	if len(got.order) != len(roles) {
		t.Fatalf("%d definitions for %d roles", len(got.order), len(roles))
	}
	type assignment struct{ scope, principal, kind string }
	want := map[string][]assignment{} // definition label → assignments
	for i, r := range roles {
		label := got.order[i]
		d := got.defs[label]
		if r.ID != "" && str(t, d["role_definition_id"]) != r.ID {
			t.Errorf("role_definition_id = %v, want %s", d["role_definition_id"], r.ID)
		}
		if str(t, d["name"]) != r.Name || str(t, d["scope"]) != r.AssignableScopes[0] {
			t.Errorf("name/scope = %v %v, want %q %q", d["name"], d["scope"], r.Name, r.AssignableScopes[0])
		}
		if r.Description != "" && str(t, d["description"]) != r.Description {
			t.Errorf("description = %q, want %q", str(t, d["description"]), r.Description)
		}
		for attr, wantList := range map[string][]string{
			"permissions.actions": r.Actions, "permissions.not_actions": r.NotActions, "assignable_scopes": r.AssignableScopes,
		} {
			if g := strs(t, d[attr]); !reflect.DeepEqual(g, nonNil(wantList)) {
				t.Errorf("%s = %q, want %q", attr, g, wantList)
			}
		}
		for _, s := range r.AssignableScopes {
			want[label] = append(want[label], assignment{s, r.Principal, principalType(r.Kind)})
		}
	}
	have := map[string][]assignment{}
	for _, a := range got.assignments {
		ref := strings.TrimPrefix(str(t, a["role_definition_id"]), "ref:")
		if _, ok := got.defs[ref]; !ok {
			t.Fatalf("assignment refers to missing definition %q", ref)
		}
		kind := ""
		if v, ok := a["principal_type"]; ok {
			kind = str(t, v)
		}
		have[ref] = append(have[ref], assignment{str(t, a["scope"]), str(t, a["principal_id"]), kind})
	}
	for label := range have {
		sortAssignments := func(x []assignment) {
			for i := range x {
				for j := i + 1; j < len(x); j++ {
					if x[j].scope < x[i].scope {
						x[i], x[j] = x[j], x[i]
					}
				}
			}
		}
		sortAssignments(have[label])
		sortAssignments(want[label])
	}
	if !reflect.DeepEqual(have, want) {
		t.Errorf("assignments = %+v, want %+v", have, want)
	}
}

func TestAzureTerraformGolden(t *testing.T) {
	roles := azureRoles(t)
	var buf bytes.Buffer
	if err := AzureTerraform(&buf, roles); err != nil {
		t.Fatal(err)
	}
	golden(t, "azure_terraform.golden", buf.Bytes())
	checkAzureTerraform(t, buf.Bytes(), roles)

	// The same input renders the same bytes.
	var again bytes.Buffer
	if err := AzureTerraform(&again, roles); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Errorf("output is not deterministic")
	}
}

// TestAzureTerraformLiteral: template sequences in every string a log can
// reach evaluate back to exactly the same text.
func TestAzureTerraformLiteral(t *testing.T) {
	for _, s := range []string{"${x}", "${azurerm_role_definition.a.id}", "%{ for x in y }", "$${", "%%{", "$$${", "$", "%", "${", "%{", "}", "\\${x}", `"`, "\\", "\n", "<script>"} {
		r := azure.Role{
			Principal: "p" + s, Kind: "user", ID: "id", Name: "pare-x" + s, Description: "d " + s,
			Actions: []string{"Microsoft.X/" + s}, AssignableScopes: []string{azSub + "/resourceGroups/" + s, "/subscriptions/" + s},
		}
		var buf bytes.Buffer
		if err := AzureTerraform(&buf, []azure.Role{r}); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		checkAzureTerraform(t, buf.Bytes(), []azure.Role{r})
	}
}

func TestAzureTerraformRejects(t *testing.T) {
	ok := azure.Role{Name: "ok", ID: "1", Principal: "p", AssignableScopes: []string{azSub}}
	var bad []azure.Role
	for _, s := range []string{"\xff", "a\xc3", "cafe\u0301", "\u212b"} {
		bad = append(bad, []azure.Role{
			{Name: s, AssignableScopes: []string{azSub}},
			{Name: "n", Description: s, AssignableScopes: []string{azSub}},
			{Name: "n", Principal: s, AssignableScopes: []string{azSub}},
			{Name: "n", Actions: []string{s}, AssignableScopes: []string{azSub}},
			{Name: "n", AssignableScopes: []string{azSub, s}},
		}...)
	}
	bad = append(bad,
		azure.Role{Name: "n"},                                                 // no scopes
		azure.Role{AssignableScopes: []string{azSub}},                         // no name
		azure.Role{Name: "OK", AssignableScopes: []string{azSub}},             // name twice, ignoring case
		azure.Role{Name: "other", ID: "1", AssignableScopes: []string{azSub}}, // id twice
	)
	for _, r := range bad {
		var buf bytes.Buffer
		if err := AzureTerraform(&buf, []azure.Role{ok, r}); err == nil || buf.Len() != 0 {
			t.Errorf("%+v: err %v, wrote %q", r, err, buf.String())
		}
	}
}

// FuzzAzureTerraformRoundTrip: arbitrary strings as principal, operation,
// scope and description either evaluate back exactly, or, when Terraform
// cannot carry them unchanged, are an error.
func FuzzAzureTerraformRoundTrip(f *testing.F) {
	for _, s := range []string{"${x}", "%{", "$${", "%%{", "\\", `"`, "\n", "\xff", "a\xc3", "cafe\u0301", "$", "%", "}", "\x00", "\u2028", "\u202e"} {
		f.Add(s, s, s, s)
	}
	f.Add("6f1c2a3b", "Microsoft.Compute/virtualMachines/write", azSub+"/resourceGroups/rg", "desc")
	f.Fuzz(func(t *testing.T, principal, action, scope, desc string) {
		roles := []azure.Role{
			{Principal: principal, Kind: "managed-identity", ID: "a", Name: "pare-a", Description: desc,
				Actions: []string{action, "Microsoft.Compute/virtualMachines/read"}, NotActions: []string{}, AssignableScopes: []string{scope, scope + "/x"}},
			{Principal: principal + principal, ID: "b", Name: "pare-b", Actions: []string{action}, AssignableScopes: []string{scope}},
		}
		var buf bytes.Buffer
		err := AzureTerraform(&buf, roles)
		for _, s := range []string{principal, action, scope, desc} {
			if !terraformRepresentable(s) {
				if err == nil {
					t.Fatalf("AzureTerraform accepted %q, which Terraform cannot carry unchanged", s)
				}
				return
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		checkAzureTerraform(t, buf.Bytes(), roles)
	})
}

// TestAzureTerraformKeepsSoundness: roles read back from Terraform still
// allow everything they were synthesized from.
func TestAzureTerraformKeepsSoundness(t *testing.T) {
	roles := azureRoles(t)
	var buf bytes.Buffer
	if err := AzureTerraform(&buf, roles); err != nil {
		t.Fatal(err)
	}
	got := parseAzureTerraform(t, buf.Bytes())
	for i, label := range got.order {
		d := got.defs[label]
		back := azure.Role{
			Principal:        roles[i].Principal,
			Actions:          strs(t, d["permissions.actions"]),
			NotActions:       strs(t, d["permissions.not_actions"]),
			AssignableScopes: strs(t, d["assignable_scopes"]),
		}
		for _, a := range roles[i].Actions {
			for _, s := range roles[i].AssignableScopes {
				if !azure.Allows(back, a, s+"/providers/X/y/z") {
					t.Errorf("role read back does not allow %s at %s", a, s)
				}
			}
		}
	}
}

func TestAzureEvidenceGolden(t *testing.T) {
	first := time.Date(2026, 1, 1, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	last := time.Date(2026, 3, 31, 18, 0, 0, 0, time.UTC)
	ev := azure.Evidence{
		Principal: "user ${x}", Kind: "user", RoleID: "be0a9416-afa1-531a-9f5f-a351de0c99c3",
		Actions: []azure.ActionEvidence{
			{Action: "Microsoft.Insights/diagnosticSettings/write", Count: 3, First: first, Last: last, Samples: []string{"e1", "<script>"}, Resources: []string{azSub + "/providers/Microsoft.Insights/diagnosticSettings/d"}},
			{Action: "Microsoft.Insights/diagnosticSettings/read", Count: 1, Inferred: true, Denied: true},
		},
		Generalizations: []azure.Generalization{{Scope: azSub, Reason: azure.ReasonManyResourceGroups + ": 7, more than 5", Recorded: []string{azSub + "/resourceGroups/a"}}},
		Rejected:        []string{"Microsoft.X/*"},
	}
	var buf bytes.Buffer
	if err := AzureEvidence(&buf, ev); err != nil {
		t.Fatal(err)
	}
	golden(t, "azure_evidence.golden", buf.Bytes())
	var back map[string]any
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back["unscoped"] == nil || back["note"] != AzureUnobservable || back["roleId"] != ev.RoleID {
		t.Errorf("evidence = %v", back)
	}
	ev.Actions[0].Resources = []string{"\xff"}
	buf.Reset()
	if err := AzureEvidence(&buf, ev); err == nil || buf.Len() != 0 {
		t.Errorf("invalid UTF-8: err %v, wrote %q", err, buf.String())
	}
}
