package rbac

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leastpriv/pare/usage/record"
)

func decodeFile(t *testing.T, name string) File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := Decode(name, f)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// contributor stands in for the built-in roles catalog.
func contributor(nameOrID string) (Definition, bool) {
	if nameOrID != "b24988ac-6180-42a0-ab88-20f7382dd24c" && !strings.EqualFold(nameOrID, "Contributor") {
		return Definition{}, false
	}
	return Definition{ID: "b24988ac-6180-42a0-ab88-20f7382dd24c", RoleName: "Contributor", RoleType: "BuiltInRole", Permissions: []Permission{{
		Actions:    []string{"*"},
		NotActions: []string{"Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write"},
	}}}, true
}

func TestGrantsFromCLIListings(t *testing.T) {
	as := decodeFile(t, "assignments-az.json")
	defs := decodeFile(t, "definitions-az.json")
	if len(as.Assignments) != 3 || len(as.Definitions) != 0 || len(defs.Definitions) != 1 || len(defs.Assignments) != 0 {
		t.Fatalf("decoded %d/%d assignments and %d/%d definitions", len(as.Assignments), len(defs.Assignments), len(as.Definitions), len(defs.Definitions))
	}
	grants, unresolved := Grants(as.Assignments, defs.Definitions, contributor)
	if len(unresolved) != 1 || !strings.Contains(unresolved[0], "deadbeef-0000-4000-8000-000000000000 not found") {
		t.Errorf("unresolved = %v; want the assignment of the deleted role", unresolved)
	}
	const sub = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590"
	sp := "6412223c-c65b-2694-1eca-72bdac29b189"
	alice := "c0ffee00-0000-4000-8000-000000000001"
	want := []record.Grant{
		{Provider: "azure", Principal: sp, Effect: "allow", Action: "*", Scope: sub, Origin: "role assignment " + sub + "/providers/Microsoft.Authorization/roleAssignments/8e1f6a2c-1111-4b3e-9c1d-2a3b4c5d6e7f (Contributor)"},
		{Provider: "azure", Principal: sp, Effect: "not", Action: "Microsoft.Authorization/*/Delete", Scope: sub},
		{Provider: "azure", Principal: sp, Effect: "not", Action: "Microsoft.Authorization/*/Write", Scope: sub},
		{Provider: "azure", Principal: alice, Effect: "allow", Action: "Microsoft.Web/sites/read", Scope: sub + "/resourceGroups/rg-web"},
		{Provider: "azure", Principal: alice, Effect: "allow", Action: "Microsoft.Web/sites/restart/action", Scope: sub + "/resourceGroups/rg-web"},
		{Provider: "azure", Principal: alice, Effect: "allow", Action: "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", Data: true, Scope: sub + "/resourceGroups/rg-web"},
	}
	if len(grants) != len(want) {
		t.Fatalf("got %d grants, want %d:\n%v", len(grants), len(want), grants)
	}
	byKey := make(map[string]record.Grant)
	for _, g := range grants {
		byKey[g.Principal+g.Effect+g.Action] = g
	}
	for _, w := range want {
		g, ok := byKey[w.Principal+w.Effect+w.Action]
		if !ok || g.Scope != w.Scope || g.Data != w.Data || g.Provider != "azure" || !strings.HasPrefix(g.Origin, "role assignment ") {
			t.Errorf("grant %+v missing or wrong: %+v", w, g)
		}
		if w.Origin != "" && g.Origin != w.Origin {
			t.Errorf("origin = %q, want %q", g.Origin, w.Origin)
		}
	}
}

func TestRESTShapeDecodesLikeCLI(t *testing.T) {
	rest := decodeFile(t, "assignments-rest.json")
	cli := decodeFile(t, "assignments-az.json")
	if len(rest.Assignments) != 1 {
		t.Fatalf("REST listing gave %d assignments", len(rest.Assignments))
	}
	r, c := rest.Assignments[0], cli.Assignments[0]
	c.PrincipalName, c.RoleDefinitionName = "", "" // the REST shape does not carry them
	if r != c {
		t.Errorf("REST %+v\nCLI  %+v", r, c)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "x.json: empty input"},
		{`{"foo":1}`, `no "value" array`},
		{"[\n{\"principalId\": \"a\",\n\"roleDefinitionId\": }]", "x.json: line 3, column 21"},
		{`[{"principalId":"a","roleDefinitionId":"b"},{"hello":1}]`, "element 1 is neither"},
		{`[1]`, "element 0:"},
	} {
		_, err := Decode("x.json", strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Decode(%q) error = %v; want %q", tc.in, err, tc.want)
		}
	}
}
