package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/leastpriv/pare/usage"
	"github.com/leastpriv/pare/usage/record"
)

// providerFlag picks the cloud whose logs are read.
var providerFlag = &cli.StringFlag{Name: "provider", Value: "aws", Usage: "cloud `PROVIDER` whose logs are read (" + strings.Join(providers, ", ") + ")"}

// clusterFlag and keepMastersFlag tune the Kubernetes audit log reader.
var (
	clusterFlag     = &cli.StringFlag{Name: "cluster", Usage: "k8s: the cluster's `NAME`, kept with its events (default: from AKS and EKS log wrappers)"}
	keepMastersFlag = &cli.BoolFlag{Name: "keep-masters", Usage: "k8s: keep the requests of system:masters members, which RBAC never limits (to build a replacement for such a user)"}
)

// memoryLimitFlag caps the store's memory when it is a file.
var memoryLimitFlag = &cli.StringFlag{Name: "memory-limit", Value: usage.DefaultMemoryLimit, Usage: "cap the --db store's memory at `SIZE` (e.g. 512MB, 4GB); it spills to disk past it"}

// openStore opens the store at path ("" for memory), turning the store's
// errors into what a user can act on.
func openStore(ctx context.Context, path, memoryLimit string) (*usage.Store, error) {
	s, err := usage.Open(ctx, usage.Options{Path: path, MemoryLimit: memoryLimit})
	var inUse *usage.InUseError
	if errors.As(err, &inUse) {
		return nil, withHint(err, "wait for the other run to finish, or use another --db file")
	}
	return s, err
}

// loaded is what loading the command line's inputs did.
type loaded struct {
	result usage.LoadResult
	inputs int // inputs resolved
	failed int // inputs that could not be read at all, including unresolvable ones
}

// loadInputs resolves args, loads them into s and prints every problem on
// stderr with its file and record. It fails only when pare cannot go on.
func loadInputs(ctx context.Context, env *environment, s *usage.Store, src *source, args []string, wf windowFlags, strict bool) (loaded, error) {
	var l loaded
	inputs, unresolved, err := resolveInputs(ctx, env, src.provider, args, wf, time.Now().UTC())
	if err != nil {
		return l, err
	}
	l.inputs = len(inputs)
	l.failed = len(unresolved)

	bar := newProgressBar(env.stderr)
	res, err := s.Load(ctx, inputs, src.read, usage.LoadOptions{Provider: src.provider, Strict: strict, Progress: bar.update})
	bar.finish()
	l.result = res
	l.failed += res.Failed
	problems := append(unresolved, res.Problems...)
	printProblems(env, problems)
	if errors.Is(err, usage.ErrStrict) {
		return l, withHint(fmt.Errorf("%d bad record(s) or input(s); nothing from them was loaded", len(problems)), "run without --strict to load the good records and report the bad ones")
	}
	if err != nil {
		return l, err
	}
	if strict && len(unresolved) > 0 {
		return l, withHint(fmt.Errorf("%d input(s) could not be read", len(unresolved)), "run without --strict to load the rest")
	}
	return l, nil
}

// maxProblemsShown bounds the problem lines printed; the rest are counted.
const maxProblemsShown = 50

func printProblems(env *environment, problems []record.Problem) {
	for i, p := range problems {
		if i == maxProblemsShown {
			fmt.Fprintf(env.stderr, "pare: warning: ... and %d more problems\n", len(problems)-maxProblemsShown)
			break
		}
		fmt.Fprintf(env.stderr, "pare: warning: %s\n", p)
	}
}

// skippedSummary renders skip counts sorted by reason: "AwsServiceEvent 42, ...".
func skippedSummary(skipped map[string]int) string {
	var reasons []string
	for r := range skipped {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	var parts []string
	for _, r := range reasons {
		parts = append(parts, fmt.Sprintf("%s %d", r, skipped[r]))
	}
	return strings.Join(parts, ", ")
}
