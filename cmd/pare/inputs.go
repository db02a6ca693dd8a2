package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/leastpriv/pare/usage/azure/loganalytics"
	"github.com/leastpriv/pare/usage/cloudtrail/fetch"
	"github.com/leastpriv/pare/usage/record"
)

// resolveInputs turns the command line's INPUTs into what the store loads
// for provider. Problems with one INPUT (missing, empty directory,
// unreadable entries) are returned as problems so the others still load; an
// error means pare cannot go on at all (for example, no credentials for
// s3://).
func resolveInputs(ctx context.Context, env *environment, provider string, args []string, wf windowFlags, now time.Time) ([]record.Input, []record.Problem, error) {
	window := wf.listingWindow()
	var inputs []record.Input
	var problems []record.Problem
	note := func(arg string, rep fetch.Report) {
		for _, n := range rep.Notes {
			fmt.Fprintf(env.stderr, "pare: note: %s: %s\n", arg, n)
		}
		for _, reason := range rep.Reasons() {
			fmt.Fprintf(env.stderr, "pare: note: %s: skipped %d (%s)\n", arg, rep.Skipped[reason], reason)
		}
	}
	seen := make(map[string]bool)
	add := func(in record.Input) {
		if !seen[in.Name] {
			seen[in.Name] = true
			inputs = append(inputs, in)
		}
	}
	for _, arg := range args {
		switch {
		case strings.HasPrefix(arg, "s3://"):
			u, err := fetch.ParseURL(arg)
			if err != nil {
				return nil, nil, usageErrorf("write S3 inputs as s3://BUCKET/PREFIX", "%v", err)
			}
			client, err := fetch.NewS3Client(ctx, fetch.ClientOptions{})
			if err != nil {
				return nil, nil, withHint(fmt.Errorf("%s: %w", arg, err), "pare uses the AWS SDK's default credential chain (environment, profile, SSO, instance role)")
			}
			found, rep, err := fetch.S3(ctx, client, u.Bucket, u.Prefix, window)
			note(arg, rep)
			if err != nil {
				return nil, nil, withHint(fmt.Errorf("listing %s: %w", arg, err), "check the bucket name, the prefix and that your credentials may s3:ListBucket on it")
			}
			if len(found) == 0 {
				problems = append(problems, record.Problem{Input: arg, Index: -1, Message: "no CloudTrail log files found in the window"})
			}
			for _, in := range found {
				add(in)
			}
		case strings.HasPrefix(arg, "cloudtrail://"):
			u, err := fetch.ParseURL(arg)
			if err != nil {
				return nil, nil, usageErrorf("write the LookupEvents input as cloudtrail://REGION", "%v", err)
			}
			client, err := fetch.NewCloudTrailClient(ctx, fetch.ClientOptions{Region: u.Region})
			if err != nil {
				return nil, nil, withHint(fmt.Errorf("%s: %w", arg, err), "pare uses the AWS SDK's default credential chain (environment, profile, SSO, instance role)")
			}
			found, rep, err := fetch.LookupEvents(ctx, client, u.Region, window, now)
			note(arg, rep)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", arg, err)
			}
			for _, in := range found {
				add(in)
			}
		case loganalytics.IsURL(arg):
			found, err := logAnalyticsInputs(ctx, env, provider, arg, wf, now)
			if err != nil {
				return nil, nil, err
			}
			for _, in := range found {
				add(in)
			}
		default:
			found, probs := localInputs(arg, provider)
			problems = append(problems, probs...)
			for _, in := range found {
				add(in)
			}
		}
	}
	return inputs, problems, nil
}

// localInputs resolves a path, a directory (recursively) or a glob.
func localInputs(arg, provider string) ([]record.Input, []record.Problem) {
	paths := []string{arg}
	if strings.ContainsAny(arg, "*?[") {
		matches, err := filepath.Glob(arg)
		if err != nil {
			return nil, []record.Problem{{Input: arg, Index: -1, Message: fmt.Sprintf("bad pattern: %v", err)}}
		}
		if len(matches) == 0 {
			return nil, []record.Problem{{Input: arg, Index: -1, Message: "no files match"}}
		}
		paths = matches
	}
	var inputs []record.Input
	var problems []record.Problem
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			problems = append(problems, record.Problem{Input: p, Index: -1, Message: describeFileError(err)})
			continue
		}
		if !info.IsDir() {
			inputs = append(inputs, fileInput(p, info))
			continue
		}
		found, probs := walkDir(p, provider)
		problems = append(problems, probs...)
		if len(found) == 0 && len(probs) == 0 {
			problems = append(problems, record.Problem{Input: p, Index: -1, Message: "no CloudTrail log files (.json, .json.gz, .jsonl) in this directory"})
		}
		inputs = append(inputs, found...)
	}
	return inputs, problems
}

// skippedDirs are CloudTrail folders that hold no API activity.
var skippedDirs = map[string]bool{"CloudTrail-Digest": true, "CloudTrail-Insight": true}

func walkDir(root, provider string) ([]record.Input, []record.Problem) {
	var inputs []record.Input
	var problems []record.Problem
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			problems = append(problems, record.Problem{Input: path, Index: -1, Message: describeFileError(err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if skippedDirs[d.Name()] {
				return fs.SkipDir
			}
			return nil
		}
		if !isLogFile(d.Name(), provider) {
			return nil
		}
		info, err := os.Stat(path) // follows links to files
		if err != nil {
			problems = append(problems, record.Problem{Input: path, Index: -1, Message: describeFileError(err)})
			return nil
		}
		if info.IsDir() {
			return nil
		}
		inputs = append(inputs, fileInput(path, info))
		return nil
	})
	if err != nil {
		problems = append(problems, record.Problem{Input: root, Index: -1, Message: err.Error()})
	}
	sort.Slice(inputs, func(i, j int) bool { return inputs[i].Name < inputs[j].Name })
	return inputs, problems
}

// isLogFile says whether a file found in a directory is read as the
// provider's logs: JSON and JSON Lines, gzipped or not, and for Kubernetes
// also the API server's audit.log and its rotated files
// (audit-2026-01-31T10-00-00.000.log), which are JSON Lines.
func isLogFile(name, provider string) bool {
	name = strings.TrimSuffix(strings.ToLower(name), ".gz")
	if provider == "k8s" && strings.HasSuffix(name, ".log") {
		return true
	}
	return strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".jsonl") || strings.HasSuffix(name, ".ndjson")
}

func fileInput(path string, info fs.FileInfo) record.Input {
	return record.Input{
		Name:    filepath.Clean(path),
		Size:    info.Size(),
		ModTime: info.ModTime(),
		Open: func(context.Context) (io.ReadCloser, error) {
			f, err := os.Open(path)
			if err != nil {
				return nil, errors.New(describeFileError(err))
			}
			return f, nil
		},
	}
}

// describeFileError says what went wrong with a file without repeating its name.
func describeFileError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
