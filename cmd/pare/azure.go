package main

import (
	"fmt"
	"io"

	"github.com/leastpriv/pare/emit"
	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/azure"
)

// verifyRole fails loudly when a role does not allow the usage it came from.
// Operations the synthesizer rejected (not Azure operation names) are
// reported as warnings instead: they were never going to be granted.
func verifyRole(r azure.Role, used []synth.Access) error {
	rejected := make(map[string]bool, len(r.Rejected))
	for _, a := range r.Rejected {
		rejected[a] = true
	}
	var missing []synth.Access
	for _, a := range azure.Verify(r, used) {
		if !rejected[a.Action] {
			missing = append(missing, a)
		}
	}
	return notAllowedError("role", r.Principal, missing)
}

// renderRole writes a principal's role definition, Terraform and evidence
// under azure/, and records them in its manifest entry.
func renderRole(out *stagedOutput, stem string, entry *manifestPrincipal, r azure.Role, used []synth.Access) error {
	if len(r.Actions) == 0 {
		return nil
	}
	entry.Actions = r.Actions
	entry.Inferred = r.Inferred
	entry.Notes = []string{emit.AzureUnobservable}
	for _, g := range r.Generalizations {
		entry.Generalizations = append(entry.Generalizations, manifestGeneralization{Resource: g.Scope, Reason: g.Reason})
	}
	for _, a := range r.Rejected {
		entry.Warnings = append(entry.Warnings, fmt.Sprintf("not granted, not an Azure operation name: %q", a))
	}
	for _, s := range r.Unscoped {
		entry.Warnings = append(entry.Warnings, fmt.Sprintf("assignable scope %q is not under a subscription; Azure may refuse it", s))
	}
	base := "azure/" + stem
	write := func(name string, render func(w io.Writer) error) error { return out.render(entry, name, render) }
	if err := write(base+".json", func(w io.Writer) error { return emit.AzureRoleJSON(w, r) }); err != nil {
		return err
	}
	if err := out.renderTerraform(entry, base+".tf", func(w io.Writer) error { return emit.AzureTerraform(w, []azure.Role{r}) }); err != nil {
		return err
	}
	return write(base+".evidence.json", func(w io.Writer) error { return emit.AzureEvidence(w, azure.NewEvidence(r, used)) })
}
