// Package gitwork is the git side of `pare pr`: it opens or clones the
// repository where infrastructure is defined, computes what writing pare's
// files onto a base commit would change, commits exactly that change on a
// branch and pushes it. It runs the real git binary (os/exec), so the user's
// configuration, hooks and transports behave as they do on the command line.
//
// # Never touching the user's checkout
//
// A change is built with git's plumbing on a temporary index file
// (GIT_INDEX_FILE in a private temporary directory): read-tree of the base,
// hash-object -w of each new file, update-index and write-tree, then (for
// Commit) commit-tree on top of base and update-ref of the branch; Diff
// compares base with that tree when asked.
// The working tree, the real index, HEAD and the checked-out branch are never
// read or written, so uncommitted work is safe whatever state it is in. A
// separate worktree (git worktree add) would do the same job but checks out
// every file of the base (slow in large repositories), registers itself in
// .git/worktrees (left behind as a stale entry if pare is killed) and runs
// checkout hooks and filters; the plumbing needs none of that. The only
// things written into the repository are git objects (harmless, collected by
// gc when unreferenced) and the branch ref, and Commit refuses to move a
// branch that is checked out in any worktree.
//
// # Credentials
//
// A token (Auth) reaches git through an inline credential helper given with
// -c that prints the token from an environment variable set on the git child
// process only; the helper's text names the variable, never its value. The
// helper list is reset first (credential.helper=), so no configured helper
// such as "store" is asked to save the token. The token is therefore never in
// argv, .git/config, a remote URL, a credential store or a temporary file,
// and every piece of git output put into an error has the token and any
// user:password in URLs redacted.
//
// This package must never print anything (output goes into return values
// and errors), never prompt (GIT_TERMINAL_PROMPT=0), never change the user's
// working tree, index or HEAD, never write a credential anywhere, and never
// know about forges, policies or pare's file layout: it moves bytes into git.
package gitwork
