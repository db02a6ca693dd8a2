package gitwork

import (
	"context"
	"fmt"
)

// Push pushes the local branch to refs/heads/<branch> on remote with
// --force: it replaces whatever the remote branch holds, commits someone
// else pushed onto it included. It takes no lease, since nothing here has
// seen an earlier value of the remote branch to lease on, and a lease on a
// value read just before the push would only be --force with a shorter
// window. pare's branches are rebuilt on every run as one commit on top of
// the base, so there is nothing on them to build upon.
func (r *Repo) Push(ctx context.Context, remote, branch string, auth Auth) error {
	if err := checkName("remote", remote); err != nil {
		return err
	}
	if err := r.checkBranch(ctx, branch); err != nil {
		return err
	}
	if err := auth.validate(); err != nil {
		return fmt.Errorf("pushing %s to %s: %w", branch, RedactURL(remote), err)
	}
	ref := "refs/heads/" + branch
	if _, err := r.resolve(ctx, ref); err != nil {
		return fmt.Errorf("pushing %s: %w", branch, err)
	}
	args := []string{"push", "--recurse-submodules=no", "--force", remote, ref + ":" + ref}
	if _, err := r.run(ctx, call{args: args, auth: auth, secrets: r.remoteSecrets(remote)}); err != nil {
		return fmt.Errorf("pushing %s to %s: %w", branch, RedactURL(remote), err)
	}
	return nil
}
