package remediate

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/azure"
)

// AzureInput is what PlanAzure compares.
type AzureInput struct {
	// Existing is the role definition in the principal's file as it
	// stands; nil for a new file.
	Existing *azure.Role
	// New is the role synthesized from the window.
	New azure.Role
	// Used is the usage in the window; accesses of other principals are
	// ignored.
	Used []synth.Access
}

// azureRoleFile is the role definition file emit.AzureRoleJSON writes. Keys
// match ignoring case, as the az CLI writes them lower-cased.
type azureRoleFile struct {
	Name             string   `json:"Name"`
	ID               string   `json:"Id"`
	IsCustom         bool     `json:"IsCustom"`
	Description      string   `json:"Description"`
	Actions          []string `json:"Actions"`
	NotActions       []string `json:"NotActions"`
	DataActions      []string `json:"DataActions"`
	NotDataActions   []string `json:"NotDataActions"`
	AssignableScopes []string `json:"AssignableScopes"`
}

const azureKeysHint = "pare reads the role definition form it writes: Name, Id, IsCustom, Description, Actions, NotActions, DataActions, NotDataActions, AssignableScopes"

// unknownKey finds the first key of the top-level object of data that is
// not a key of azureRoleFile (ignoring case, as encoding/json matches), and
// its offset.
func unknownKey(data []byte) (string, int, bool) {
	known := map[string]bool{}
	for _, k := range []string{"name", "id", "iscustom", "description", "actions", "notactions", "dataactions", "notdataactions", "assignablescopes"} {
		known[k] = true
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if expectDelim(dec, '{') != nil {
		return "", 0, false
	}
	for dec.More() {
		off := listElementStart(data, int(dec.InputOffset()))
		tok, err := dec.Token()
		if err != nil {
			return "", 0, false
		}
		key, _ := tok.(string)
		if !known[strings.ToLower(key)] {
			return key, off, true
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return "", 0, false
		}
	}
	return "", 0, false
}

// ParseAzureRoleJSON decodes a role definition file in the form
// emit.AzureRoleJSON writes (keys in any case). Other keys are an error, so
// a definition in another form (ARM's "permissions" list) is never read as
// granting nothing. The role's Principal is left empty: the file does not
// name it. name is used in errors, which give the line and column.
func ParseAzureRoleJSON(name string, data []byte) (azure.Role, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f azureRoleFile
	if err := dec.Decode(&f); err != nil {
		if key, off, ok := unknownKey(data); ok {
			return azure.Role{}, atOffset(name, data, off, fmt.Sprintf("unknown key %q (%s)", key, azureKeysHint))
		}
		return azure.Role{}, positionError(name, data, dec, err, azureKeysHint)
	}
	if off, ok := trailing(dec, data); ok {
		return azure.Role{}, atOffset(name, data, off, "data after the role definition")
	}
	return azure.Role{
		ID:               f.ID,
		Name:             f.Name,
		Description:      f.Description,
		Actions:          nonNil(f.Actions),
		NotActions:       nonNil(f.NotActions),
		DataActions:      nonNil(f.DataActions),
		NotDataActions:   nonNil(f.NotDataActions),
		AssignableScopes: nonNil(f.AssignableScopes),
	}, nil
}

// AzureKept reports whether role r opts out: its Description holds Marker
// outside the text of the principal's own id, so a principal named after
// the marker cannot keep its role by itself.
func AzureKept(r azure.Role, principal string) bool {
	d := strings.ToLower(r.Description)
	if principal != "" {
		d = strings.ReplaceAll(d, strings.ToLower(principal), "")
	}
	return HasMarker(d)
}

// MergeKeptAzure returns the role to write: the new role, or, when the
// existing role opts out (AzureKept), the existing role with nothing
// taken away: its name, id, description, NotActions, DataActions and
// NotDataActions as they are, and the new role's actions and assignable
// scopes added to its own.
func MergeKeptAzure(newRole azure.Role, existing *azure.Role) azure.Role {
	if existing == nil || !AzureKept(*existing, newRole.Principal) {
		return newRole
	}
	r := *existing
	r.Principal = newRole.Principal
	r.Kind = newRole.Kind
	r.Actions = unionFold(existing.Actions, newRole.Actions)
	r.AssignableScopes = unionFold(existing.AssignableScopes, newRole.AssignableScopes)
	r.NotActions = nonNil(slices.Clone(existing.NotActions))
	r.DataActions = nonNil(slices.Clone(existing.DataActions))
	r.NotDataActions = nonNil(slices.Clone(existing.NotDataActions))
	r.Generalizations = newRole.Generalizations
	r.Inferred = newRole.Inferred
	r.Rejected = newRole.Rejected
	r.Unscoped = newRole.Unscoped
	return r
}

// PlanAzure compares the existing role with the role MergeKeptAzure gives.
func PlanAzure(in AzureInput) (Plan, error) {
	p := Plan{Principal: in.New.Principal, Provider: "azure", NewFile: in.Existing == nil}
	final := MergeKeptAzure(in.New, in.Existing)
	used := ofProvider(in.Used, p.Principal, "azure")
	byAction := groupBy(used, func(a synth.Access) string { return strings.ToLower(a.Action) })
	// usageOf is the usage an action may cover: its own, or all of it for
	// a pattern.
	usageOf := func(action string) []synth.Access {
		if strings.Contains(action, "*") {
			return used
		}
		return byAction[strings.ToLower(action)]
	}
	covers := func(action, scope string) func(a synth.Access) bool {
		one := azure.Compile(azure.Role{Actions: []string{action}, AssignableScopes: []string{scope}})
		return func(a synth.Access) bool { return one.Allows(a.Action, a.Resource) }
	}

	var removed entrySet
	if in.Existing != nil {
		old := *in.Existing
		finalRole := azure.Compile(final)
		for _, action := range old.Actions {
			for _, scope := range old.AssignableScopes {
				if finalRole.Allows(action, scope) {
					continue
				}
				count, last, _ := evidence(usageOf(action), covers(action, scope))
				removed.add(Entry{Action: action, Resource: scope, Count: count, Last: last, Risks: azure.Risks(action)})
			}
		}
		for _, action := range old.DataActions {
			if slices.ContainsFunc(final.DataActions, func(d string) bool { return strings.EqualFold(d, action) }) {
				continue
			}
			for _, scope := range old.AssignableScopes {
				removed.add(Entry{Action: action, Resource: scope, Risks: azure.Risks(action)})
			}
		}
		if AzureKept(old, p.Principal) {
			p.KeptByOptOut = append(p.KeptByOptOut, fmt.Sprintf("role %q (its Description has %s): nothing it grants is removed, pare only adds to it", old.Name, Marker))
		}
	}
	p.Removed, p.Risky = riskyFirst(removed.sorted())

	inferred := make(map[string]bool)
	for _, a := range in.New.Inferred {
		inferred[strings.ToLower(a)] = true
	}
	var existingRole *azure.Evaluator
	if in.Existing != nil {
		existingRole = azure.Compile(*in.Existing)
	}
	var kept, added, inf entrySet
	for _, action := range in.New.Actions {
		for _, scope := range in.New.AssignableScopes {
			count, last, _ := evidence(usageOf(action), covers(action, scope))
			e := Entry{Action: action, Resource: scope, Count: count, Last: last, Risks: azure.Risks(action)}
			switch {
			case inferred[strings.ToLower(action)]:
				inf.add(e)
			case existingRole != nil && existingRole.Allows(action, scope):
				kept.add(e)
			default:
				added.add(e)
			}
		}
	}
	p.Kept, p.Added, p.Inferred = kept.sorted(), added.sorted(), inf.sorted()
	if len(final.Actions) == 0 && len(final.DataActions) == 0 && !p.NewFile {
		p.Notes = append(p.Notes, "nothing is left to grant: no usage in the window and nothing kept, so the file is removed")
	}
	p.missing = func(used []synth.Access) []synth.Access { return azure.Verify(final, used) }
	return p, nil
}

// unionFold merges two lists, distinct ignoring case (the first spelling
// wins, a's before b's), sorted.
func unionFold(a, b []string) []string {
	seen := make(map[string]bool)
	out := []string{}
	for _, s := range append(slices.Clone(a), b...) {
		k := strings.ToLower(s)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, s)
	}
	slices.SortFunc(out, func(x, y string) int {
		return cmp.Or(cmp.Compare(strings.ToLower(x), strings.ToLower(y)), cmp.Compare(x, y))
	})
	return out
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}
