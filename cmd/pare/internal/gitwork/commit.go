package gitwork

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Signature is the author (and committer) of a commit.
type Signature struct {
	Name  string
	Email string
	When  time.Time // zero = the time of the commit
}

func (s Signature) validate() error {
	if strings.TrimSpace(s.Name) == "" || strings.TrimSpace(s.Email) == "" {
		return errors.New("author needs a name and an email")
	}
	if strings.ContainsAny(s.Name+s.Email, "<>\n\r\x00") {
		return fmt.Errorf("author %q <%s> contains <, > or a line break", s.Name, s.Email)
	}
	return nil
}

// env is the environment that makes git record s as author and committer.
func (s Signature) env() []string {
	env := []string{
		"GIT_AUTHOR_NAME=" + s.Name,
		"GIT_AUTHOR_EMAIL=" + s.Email,
		"GIT_COMMITTER_NAME=" + s.Name,
		"GIT_COMMITTER_EMAIL=" + s.Email,
	}
	if !s.When.IsZero() {
		date := fmt.Sprintf("@%d %s", s.When.Unix(), s.When.Format("-0700"))
		env = append(env, "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	}
	return env
}

// Commit records the change as one commit whose only parent is the base,
// and creates refs/heads/<branch> at it or resets the branch to it
// (whatever the branch held before is replaced, not built upon). It
// returns the commit id. It refuses an empty change (ErrNoChange) and a
// branch checked out in any worktree, since moving that would leave the
// user's files out of step with their branch.
func (c Change) Commit(ctx context.Context, branch, message string, author Signature) (string, error) {
	if c.repo == nil {
		return "", errors.New("commit: the change was not made by Repo.Change")
	}
	if c.Empty() {
		return "", ErrNoChange
	}
	r := c.repo
	if err := r.checkBranch(ctx, branch); err != nil {
		return "", err
	}
	if err := author.validate(); err != nil {
		return "", err
	}
	if strings.TrimSpace(message) == "" {
		return "", errors.New("commit: empty message")
	}
	if !strings.HasSuffix(message, "\n") {
		message += "\n"
	}
	busy, err := r.checkedOut(ctx, branch)
	if err != nil {
		return "", err
	}
	if busy != "" {
		return "", fmt.Errorf("branch %s is checked out in %s; pare will not move a checked-out branch", branch, busy)
	}
	out, err := r.run(ctx, call{
		args:  []string{"commit-tree", c.tree, "-p", c.Base, "-F", "-"},
		stdin: strings.NewReader(message),
		env:   author.env(),
	})
	if err != nil {
		return "", fmt.Errorf("committing on %s: %w", branch, err)
	}
	sha := firstLine(out)
	ref := "refs/heads/" + branch
	if _, err := r.run(ctx, call{args: []string{"update-ref", "--no-deref", "-m", "pare: " + branch, ref, sha}}); err != nil {
		return "", fmt.Errorf("setting %s: %w", branch, err)
	}
	return sha, nil
}

// checkedOut returns the worktree that has branch checked out, or "".
func (r *Repo) checkedOut(ctx context.Context, branch string) (string, error) {
	out, err := r.run(ctx, call{args: []string{"worktree", "list", "--porcelain"}})
	if err != nil {
		return "", fmt.Errorf("listing worktrees: %w", err)
	}
	var tree string
	for _, line := range strings.Split(string(out), "\n") {
		if p, ok := strings.CutPrefix(line, "worktree "); ok {
			tree = p
		}
		if line == "branch refs/heads/"+branch {
			return tree, nil
		}
	}
	return "", nil
}
