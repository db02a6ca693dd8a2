// Package prconfig reads pare.hcl, the file that tells `pare pr` what to
// read, which principals and workloads to manage, where in the
// infrastructure-as-code repository their policies go, and which forge
// (GitHub or GitLab) to open pull requests on.
//
// A complete file:
//
//	sources    = ["../logs"]      # inputs as for `pare generate`, relative to this file
//	window     = "90d"            # observation window
//	min_window = "30d"            # refuse to remove anything with less evidence than this
//	db         = "pare.duckdb"    # optional store file, relative to this file
//
//	branch         = "per-principal"  # default: one branch pare/<provider>/<name> per principal
//	                                  # or "batch": one branch for everything (branch_name)
//	branch_name    = "pare/least-privilege"  # only with branch = "batch"; this is its default
//	reopen_closed  = false            # open a new pull request where one was closed unmerged
//	include_denied = false            # count denied attempts as use
//	commit_author  = "pare <pare@localhost>"
//
//	forge "github" {              # or forge "gitlab"
//	  repository = "acme/infra"   # GitLab: group/project, or the project's numeric id
//	  base       = "main"         # default "main"
//	  url        = "https://github.example.com/api/v3/"   # optional: GitHub Enterprise / self-managed GitLab
//	  labels     = ["least-privilege"]
//	}
//
//	manage "aws" {                # one block per provider and path pattern
//	  principals = ["arn:aws:iam::*:role/app-*", "arn:aws:iam::*:user/*"]
//	  path       = "iam/${name}.tf"
//	  format     = "terraform"    # aws and azure: "json" or "terraform"; k8s: "yaml" or "terraform"
//	}
//
//	manage "k8s" {
//	  principals     = ["system:serviceaccount:shop:*"]
//	  path           = "k8s/rbac/${name}.yaml"
//	  format         = "yaml"
//	  workloads      = ["shop/*"]                       # NAMESPACE/NAME globs
//	  workloads_path = "k8s/patches/${name}.patch.yaml" # securityContext patches
//	}
//
// Paths (path, workloads_path) are relative to the root of the repository,
// written with '/'. They are templates with two variables and nothing else:
// ${name}, the file-safe stem of one principal or workload (every path must
// contain it, so each gets its own file), and ${provider}, the block's
// label. ${provider} is replaced when the file is read; ${name} stays in
// Manage.Path for Manage.PathFor. Any other variable, a function call or a
// template directive is an error at its position; so are absolute paths,
// "..", ".git" and two patterns that could name the same file.
//
// Principal and workload globs use pare's --principal syntax: '*' matches
// any run of characters (including '/' and ':'), '?' one character.
//
// Durations are a whole number of days or weeks ("90d", "2w") or a Go
// duration ("36h", "1h30m"), the --since syntax of `pare generate`
// (cmd/pare/window.go; package main cannot be imported, so ParseDuration
// repeats it here).
//
// Values are literals: quoted strings, numbers, true, false and lists of
// them. Nothing in the file is evaluated: a variable, function call,
// operator or interpolation outside a path is an error at its position.
// Files over 256 KiB, nested more than 32 deep or chaining more than 32
// operators are refused before HCL parses them, since its parser would
// exhaust the stack on crafted input.
//
// Every problem with the file is reported with its file, line and column;
// Load and Parse return an *Error listing them all in file order (after a
// syntax error, only that one). Flags override the file in the command:
// Config holds plain fields for that.
//
// This package only reads and checks configuration. It must never touch
// git, the network, the store, environment variables (tokens in particular:
// a token never belongs in pare.hcl, and a url with credentials in it is
// refused) or the clock, and never evaluates anything but ${name} and
// ${provider} in a file that may come from a pull request.
package prconfig
