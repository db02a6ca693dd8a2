package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/leastpriv/pare/emit"
	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/aws"
	"github.com/leastpriv/pare/synth/azure"
	"github.com/leastpriv/pare/synth/k8s"
	"github.com/leastpriv/pare/usage"
)

func generateCommand(env *environment) *cli.Command {
	return &cli.Command{
		Name:      "generate",
		Usage:     "write right-sized policies from the activity the logs show",
		ArgsUsage: "[INPUT...]",
		Description: "Loads the INPUTs (into memory, or into the --db store), computes what each principal used in the\n" +
			"window and writes one least-privilege policy per principal under --out, with its evidence and a\n" +
			"manifest.json. INPUTs are files, directories and globs of the provider's logs, and remote sources:\n" +
			"  aws (default): CloudTrail (.json, .json.gz, JSON Lines, lookup-events output), s3://BUCKET/PREFIX,\n" +
			"                 cloudtrail://REGION; writes IAM policies under DIR/aws\n" +
			"  azure:         Activity Log exports (records, REST value pages, az output), azure-logs://WORKSPACE_ID;\n" +
			"                 writes custom role definitions under DIR/azure",
		OnUsageError: onUsageError,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "db", Usage: "store `FILE`; without it the store lives in memory for this run"},
			memoryLimitFlag,
			providerFlag,
			clusterFlag,
			keepMastersFlag,
			&cli.StringSliceFlag{Name: "principal", Usage: "only principals matching `GLOB` (* matches anything); repeatable"},
			&cli.StringFlag{Name: "since", Usage: "window `DURATION` back from the newest event loaded, e.g. 90d"},
			&cli.StringFlag{Name: "from", Usage: "window start `TIME` (2026-01-31 or RFC 3339)"},
			&cli.StringFlag{Name: "to", Usage: "window end `TIME` (a date means the end of that day)"},
			&cli.StringFlag{Name: "format", Usage: "comma-separated output `FORMATS`: json, terraform (aws, azure; default json); yaml, terraform (k8s; default yaml)"},
			&cli.BoolFlag{Name: "include-denied", Usage: "also grant what was attempted and denied"},
			&cli.StringFlag{Name: "azure-scope", Value: "resource-group", Usage: "assignable scopes of Azure roles at `GRANULARITY`: resource-group, subscription or resource"},
			&cli.IntFlag{Name: "max-resources", Value: aws.DefaultMaxResources, Usage: "past `N` distinct resources of one action, grant a wildcard pattern (reported)"},
			&cli.StringFlag{Name: "verb-expansion", Value: k8s.VerbsExact, Usage: "k8s: `MODE` exact (the verbs seen) or audit2rbac (its verb expansions)"},
			&cli.IntFlag{Name: "cluster-wide-after", Value: k8s.DefaultClusterWideAfter, Usage: "k8s: the same access in more than `N` namespaces becomes cluster-wide (reported)"},
			&cli.IntFlag{Name: "max-resource-names", Value: k8s.DefaultMaxResourceNames, Usage: "k8s: past `N` object names in a rule, grant the rule unnamed (reported)"},
			&cli.StringSliceFlag{Name: "grants", Usage: "what is granted today, subtracted from k8s output: RBAC manifest `FILE`s or directories, or k8s://CONTEXT; Azure role listings as for ingest"},
			&cli.StringSliceFlag{Name: "workloads", Usage: "k8s: workloads whose securityContexts to tighten, from manifest `FILE`s or directories, or k8s://CONTEXT"},
			&cli.StringSliceFlag{Name: "runtime", Usage: "k8s: runtime evidence `FILE`s for securityContexts (Inspektor Gadget trace_capabilities/trace_exec JSON, Falco JSON)"},
			&cli.BoolFlag{Name: "strict", Usage: "fail on any bad record instead of loading the rest"},
			&cli.BoolFlag{Name: "stats", Usage: "print time, throughput and peak memory"},
			profileFlag,
			&cli.StringFlag{Name: "out", Usage: "output `DIR` (created; pare's files in it are replaced)"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return generate(ctx, env, cmd)
		},
	}
}

// generateOptions are generate's validated flags.
type generateOptions struct {
	provider      string
	azureScope    azure.Granularity
	db            string
	principals    []string
	window        windowFlags
	json, tf      bool
	yaml          bool // k8s
	k8s           k8s.Options
	grants        []string
	workloads     []string
	runtime       []string
	includeDenied bool
	maxResources  int
	strict        bool
	out           string
	inputs        []string
}

func parseGenerateFlags(cmd *cli.Command) (generateOptions, error) {
	o := generateOptions{
		db:            cmd.String("db"),
		principals:    cmd.StringSlice("principal"),
		includeDenied: cmd.Bool("include-denied"),
		maxResources:  int(cmd.Int("max-resources")),
		strict:        cmd.Bool("strict"),
		out:           cmd.String("out"),
		inputs:        cmd.Args().Slice(),
	}
	o.provider = cmd.String("provider")
	o.grants = cmd.StringSlice("grants")
	o.workloads = cmd.StringSlice("workloads")
	o.runtime = cmd.StringSlice("runtime")
	if err := checkGrantsProvider(o.provider, o.grants); err != nil {
		return o, err
	}
	if o.provider != "k8s" && (len(o.workloads) > 0 || len(o.runtime) > 0) {
		return o, usageErrorf("--workloads and --runtime tighten Kubernetes securityContexts: add --provider k8s", "--workloads and --runtime need --provider k8s")
	}
	verbs, err := k8s.ParseVerbExpansion(cmd.String("verb-expansion"))
	if err != nil {
		return o, usageErrorf("--verb-expansion is exact or audit2rbac", "%v", err)
	}
	o.k8s = k8s.Options{VerbExpansion: verbs, ClusterWideAfter: int(cmd.Int("cluster-wide-after")), MaxResourceNames: int(cmd.Int("max-resource-names"))}
	if o.k8s.ClusterWideAfter < 1 || o.k8s.MaxResourceNames < 1 {
		return o, usageErrorf("", "--cluster-wide-after and --max-resource-names must be at least 1")
	}
	scope, err := azure.ParseGranularity(cmd.String("azure-scope"))
	if err != nil {
		return o, usageErrorf("--azure-scope is resource-group, subscription or resource", "%v", err)
	}
	o.azureScope = scope
	if o.out == "" {
		return o, usageErrorf("pass --out DIR, the folder to write policies into", "--out is required")
	}
	if len(o.inputs) == 0 && o.db == "" {
		return o, usageErrorf("name log files or directories (CloudTrail; with --provider azure, Activity Log exports), s3://BUCKET/PREFIX, cloudtrail://REGION or azure-logs://WORKSPACE_ID, or a --db store loaded by 'pare ingest'", "no INPUT and no --db: nothing to read")
	}
	format := cmd.String("format")
	if format == "" {
		format = "json"
		if o.provider == "k8s" {
			format = "yaml"
		}
	}
	for _, f := range strings.Split(format, ",") {
		switch f = strings.TrimSpace(f); {
		case f == "json" && o.provider != "k8s":
			o.json = true
		case f == "yaml" && o.provider == "k8s":
			o.yaml = true
		case f == "terraform":
			o.tf = true
		case o.provider == "k8s":
			return o, usageErrorf("formats for k8s are yaml and terraform, e.g. --format yaml,terraform", "unknown format %q", f)
		default:
			return o, usageErrorf("formats are json and terraform, e.g. --format json,terraform", "unknown format %q", f)
		}
	}
	if o.maxResources < 1 {
		return o, usageErrorf("", "--max-resources must be at least 1")
	}
	o.window, err = parseWindowFlags(cmd.String("since"), cmd.String("from"), cmd.String("to"))
	return o, err
}

func generate(ctx context.Context, env *environment, cmd *cli.Command) error {
	o, err := parseGenerateFlags(cmd)
	if err != nil {
		return err
	}
	stats := startStats()
	stopProfile, err := startProfile(cmd)
	if err != nil {
		return err
	}
	defer stopProfile()
	src, err := newSource(o.provider, cmd)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, o.db, cmd.String("memory-limit"))
	if err != nil {
		return err
	}
	defer store.Close()

	if len(o.grants) > 0 {
		if err := loadGrants(ctx, env, store, src, o.grants); err != nil {
			return err
		}
	}
	var l loaded
	if len(o.inputs) > 0 {
		if l, err = loadInputs(ctx, env, store, src, o.inputs, o.window, o.strict); err != nil {
			return err
		}
	}
	stats.mark("load")
	oldest, newest, ok, err := store.Bounds(ctx, o.provider)
	if err != nil {
		return err
	}
	if !ok {
		return withHint(fmt.Errorf("no %s activity was loaded", o.provider), "check that the inputs are "+src.logs+" (see the warnings above)")
	}
	window := o.window.resolve(oldest, newest)
	fmt.Fprintf(env.stderr, "pare: window: %s to %s%s\n", stamp(window.From), stamp(window.To), windowNote(o.window))

	q := usage.Query{Provider: o.provider, Principals: o.principals, Window: window, IncludeDenied: o.includeDenied}
	principals, err := store.Principals(ctx, q)
	if err != nil {
		return storeError(err)
	}
	if len(principals) == 0 {
		return withHint(fmt.Errorf("no principal matches in the window %s to %s", stamp(window.From), stamp(window.To)), "widen --since/--from/--to or check --principal")
	}
	m := newManifest(o.provider, principals, window)
	stats.mark("principals")

	out, err := stageOutput(o.out, o.provider)
	if err != nil {
		return err
	}
	defer out.abort()
	var k8sGranted []k8s.Grant
	if o.provider == "k8s" {
		if k8sGranted, err = storedK8sGrants(ctx, store); err != nil {
			return err
		}
	}
	write, err := newPolicyWriter(src, out, o, window, stemsFor(m), k8sGranted)
	if err != nil {
		return err
	}
	// Usage comes in partitions of whole principals, so memory stays
	// bounded however large the store is.
	var working time.Duration // synthesizing and writing, the rest is querying
	err = store.EachAccesses(ctx, q, func(accesses []synth.Access) error {
		defer func(start time.Time) { working += time.Since(start) }(time.Now())
		return write(m, accesses)
	})
	if err != nil {
		return storeError(err)
	}
	if len(o.workloads) > 0 {
		if err := writeWorkloads(ctx, env, out, m, o, principals); err != nil {
			return err
		}
	}
	if err := out.commit(m); err != nil {
		return err
	}

	stats.markSplit("query usage", "synthesize and write", working)
	policies := 0
	for _, p := range m.Principals {
		for _, w := range p.Warnings {
			fmt.Fprintf(env.stderr, "pare: warning: %s: %s\n", p.Principal, w)
		}
		if len(p.Actions) > 0 {
			policies++
		}
	}
	var events, denied, unmapped int64
	for _, pr := range principals {
		events += pr.Events
		for _, d := range pr.Denied {
			denied += d.Count
		}
		for _, u := range pr.Unmapped {
			unmapped += u.Count
		}
	}
	if len(o.inputs) > 0 {
		fmt.Fprintf(env.stderr, "pare: read %d records from %d files (%d files already in the store)\n", l.result.Records, l.result.Loaded, l.result.Unchanged+l.result.Duplicates)
	}
	fmt.Fprintf(env.stderr, "pare: %d principals with %d events in the window; %d policies written to %s; %d denied attempts; %d unmapped calls\n",
		len(principals), events, policies, o.out, denied, unmapped)
	if len(l.result.Skipped) > 0 {
		fmt.Fprintf(env.stderr, "pare: records skipped: %s\n", skippedSummary(l.result.Skipped))
	}
	if cmd.Bool("stats") {
		stats.print(env.stderr, "generate", l.result.Records, l.result.Events, l.result.Bytes)
	}
	if l.failed > 0 {
		return withHint(fmt.Errorf("%d input(s) could not be loaded, so the policies may miss what they recorded", l.failed),
			"fix or remove them and run again before applying these policies")
	}
	return nil
}

// verify fails loudly when a policy does not allow the usage it came from.
func verify(p aws.Policy, used []synth.Access) error {
	return notAllowedError("policy", p.Principal, aws.Verify(p, used))
}

// notAllowedError is the error for what ("policy", "role") pare generated
// for principal when it does not allow missing, accesses of the usage it
// came from; nil when missing is empty.
func notAllowedError(what, principal string, missing []synth.Access) error {
	if len(missing) == 0 {
		return nil
	}
	var lines []string
	for _, a := range missing {
		lines = append(lines, fmt.Sprintf("%s on %q", a.Action, a.Resource))
	}
	if len(lines) > 10 {
		lines = append(lines[:10], fmt.Sprintf("... and %d more", len(lines)-10))
	}
	return fmt.Errorf("internal error: the %s generated for %s does not allow its observed usage; nothing was written:\n%s", what, principal, strings.Join(lines, "\n"))
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "(open)"
	}
	return t.UTC().Format(time.RFC3339)
}

func windowNote(w windowFlags) string {
	if w.since > 0 {
		return " (--since counts back from the newest event loaded)"
	}
	return ""
}

// renderer writes each principal's policy, Terraform and evidence.
type renderer struct {
	out   *stagedOutput
	o     generateOptions
	stems map[string]string // file name stem per principal
}

// render writes p's files and records them, with p's actions and
// generalizations, in its manifest entry.
func (r renderer) render(entry *manifestPrincipal, p aws.Policy, used []synth.Access) error {
	if len(p.Documents) == 0 {
		return nil
	}
	entry.Actions = p.Actions
	entry.Inferred = p.Inferred
	for _, g := range p.Generalizations {
		entry.Generalizations = append(entry.Generalizations, manifestGeneralization{Action: g.Action, Resource: g.Resource, Reason: g.Reason})
	}
	stem := r.stems[p.Principal]
	base := "aws/" + stem
	write := func(name string, render func(w io.Writer) error) error { return r.out.render(entry, name, render) }
	if r.o.json {
		for i, doc := range p.Documents {
			name := partName(base, i, len(p.Documents)) + ".json"
			if err := write(name, func(w io.Writer) error { return emit.IAMJSON(w, doc) }); err != nil {
				return err
			}
		}
	}
	if r.o.tf {
		tfp := awsTerraformPolicies(stem, p.Principal, p.Documents)
		if err := r.out.renderTerraform(entry, base+".tf", func(w io.Writer) error { return emit.Terraform(w, tfp) }); err != nil {
			return err
		}
	}
	return write(base+".evidence.json", func(w io.Writer) error { return emit.Evidence(w, aws.NewEvidence(p, used)) })
}

// partName names document i of n: stem itself when it is the only one,
// else stem-partN (from 1).
func partName(stem string, i, n int) string {
	if n == 1 {
		return stem
	}
	return fmt.Sprintf("%s-part%d", stem, i+1)
}

// awsTerraformPolicies are the aws_iam_policy resources of a principal's
// documents, named pare-STEM (pare-STEM-partN when there are several).
func awsTerraformPolicies(stem, principal string, docs []aws.Document) []emit.TerraformPolicy {
	tfp := make([]emit.TerraformPolicy, len(docs))
	for i, doc := range docs {
		tfp[i] = emit.TerraformPolicy{
			Name:        "pare-" + partName(stem, i, len(docs)),
			Description: "Least privilege for " + principal + ", generated by pare from observed usage",
			Document:    doc,
		}
	}
	return tfp
}

// storeError adds a hint to the store running out of memory.
func storeError(err error) error {
	var oom *usage.OutOfMemoryError
	if errors.As(err, &oom) {
		return withHint(err, "raise the store's memory with --memory-limit, e.g. --memory-limit 4GB")
	}
	return err
}
