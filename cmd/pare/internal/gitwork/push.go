package gitwork

import (
	"context"
	"fmt"
)

// Push pushes the local branch to refs/heads/<branch> on remote. Without
// force the push must fast-forward (or create the branch). With force it
// replaces the remote branch, with a lease on the value the remote reports
// just before: a branch that moves in between is not overwritten. Use
// PushLease to lease on a value seen earlier.
func (r *Repo) Push(ctx context.Context, remote, branch string, force bool, auth Auth) error {
	if !force {
		return r.push(ctx, remote, branch, nil, auth)
	}
	sha, _, err := r.RemoteBranch(ctx, remote, branch, auth)
	if err != nil {
		return fmt.Errorf("pushing %s to %s: %w", branch, RedactURL(remote), err)
	}
	return r.push(ctx, remote, branch, &sha, auth)
}

// PushLease force-pushes the local branch to remote only if the remote
// branch is still at expect ("" = the branch must not exist yet).
func (r *Repo) PushLease(ctx context.Context, remote, branch, expect string, auth Auth) error {
	return r.push(ctx, remote, branch, &expect, auth)
}

// push pushes branch; lease nil means a plain push.
func (r *Repo) push(ctx context.Context, remote, branch string, lease *string, auth Auth) error {
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
	args := []string{"push", "--recurse-submodules=no"}
	if lease != nil {
		args = append(args, "--force-with-lease="+ref+":"+*lease)
	}
	args = append(args, remote, ref+":"+ref)
	if _, err := r.run(ctx, call{args: args, auth: auth, secrets: r.remoteSecrets(remote)}); err != nil {
		return fmt.Errorf("pushing %s to %s: %w", branch, RedactURL(remote), err)
	}
	return nil
}
