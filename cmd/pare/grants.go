package main

import (
	"context"
	"fmt"
	"os"

	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/usage"
	"github.com/leastpriv/pare/usage/azure/rbac"
)

// checkGrantsProvider refuses --grants for AWS in generate and ingest,
// which subtract only Azure and Kubernetes grants (report reads AWS's).
func checkGrantsProvider(provider string, grants []string) error {
	if len(grants) > 0 && provider == "aws" {
		return usageErrorf("--grants reads Azure role assignments (--provider azure) or Kubernetes RBAC (--provider k8s)", "--grants needs --provider azure or k8s")
	}
	return nil
}

// loadGrants loads --grants for src's provider, azure or k8s, into the
// store.
func loadGrants(ctx context.Context, env *environment, store *usage.Store, src *source, specs []string) error {
	switch src.provider {
	case "azure":
		_, err := loadAzureGrants(ctx, env, store, src.azureCatalog, specs)
		return err
	case "k8s":
		_, err := loadK8sGrants(ctx, env, store, specs)
		return err
	}
	return fmt.Errorf("internal error: no --grants reader for provider %q", src.provider)
}

// azureGrantsSource names the store's snapshot of what Azure grants today:
// each load of --grants replaces the previous one.
const azureGrantsSource = "azure-rbac"

// loadAzureGrants reads role assignment and definition listings, resolves
// every assignment through its role (custom roles from the listings,
// built-in roles from cat) and stores the result as the current grants
// snapshot. It returns how many grants were stored.
func loadAzureGrants(ctx context.Context, env *environment, store *usage.Store, cat *catalog.Azure, files []string) (int, error) {
	var assignments []rbac.Assignment
	var definitions []rbac.Definition
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return 0, withHint(fmt.Errorf("%s: %s", name, describeFileError(err)), "--grants takes `az role assignment list --all` and `az role definition list` output")
		}
		got, err := rbac.Decode(name, f)
		f.Close()
		if err != nil {
			return 0, withHint(err, "--grants takes `az role assignment list --all` and `az role definition list` output")
		}
		assignments = append(assignments, got.Assignments...)
		definitions = append(definitions, got.Definitions...)
	}
	builtin := func(nameOrID string) (rbac.Definition, bool) {
		role, ok := cat.BuiltinRole(nameOrID)
		if !ok {
			return rbac.Definition{}, false
		}
		d := rbac.Definition{ID: role.ID, RoleName: role.Name, RoleType: "BuiltInRole"}
		for _, p := range role.Permissions {
			d.Permissions = append(d.Permissions, rbac.Permission{Actions: p.Actions, NotActions: p.NotActions,
				DataActions: p.DataActions, NotDataActions: p.NotDataActions, Condition: p.Condition})
		}
		return d, true
	}
	grants, unresolved := rbac.Grants(assignments, definitions, builtin)
	for _, u := range unresolved {
		fmt.Fprintf(env.stderr, "pare: warning: %s\n", u)
	}
	if err := store.ReplaceGrants(ctx, "azure", azureGrantsSource, grants); err != nil {
		return 0, err
	}
	fmt.Fprintf(env.stderr, "pare: grants: %d role assignments and %d role definitions read; %d grants stored, %d assignments unresolved\n",
		len(assignments), len(definitions), len(grants), len(unresolved))
	return len(grants), nil
}
