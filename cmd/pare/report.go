package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/leastpriv/pare/emit"
	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/report"
	"github.com/leastpriv/pare/usage"
)

// snapshotKind names report snapshots in the store.
const snapshotKind = "report"

func reportCommand(env *environment) *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "write a privilege report: what is granted against what is used, risk, and what changed",
		ArgsUsage: "[INPUT...]",
		Description: "Loads the INPUTs and --grants (into memory, or into the --db store), compares what each principal\n" +
			"is granted with what it used in the window, and writes the report to --out as HTML, Markdown or\n" +
			"JSON. Each run is stored as a snapshot in the store; the report says what changed since the last\n" +
			"one (or --since-snapshot ID). --fail-on makes the run exit with status 3 when a condition holds.\n" +
			"Without --provider the report covers every provider the store has activity or grants for.",
		OnUsageError: onUsageError,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "db", Usage: "store `FILE`; without it the store lives in memory for this run (and no snapshot outlives it)"},
			memoryLimitFlag,
			&cli.StringFlag{Name: "provider", Usage: "only this `PROVIDER` (" + strings.Join(providers, ", ") + "); INPUTs and --grants are read as its (default aws)"},
			clusterFlag,
			keepMastersFlag,
			&cli.StringSliceFlag{Name: "grants", Usage: "what is granted today: aws: `FILE`s of `aws iam get-account-authorization-details` output or iam://; azure: role assignment and definition listings; k8s: RBAC manifests or k8s://CONTEXT"},
			&cli.StringFlag{Name: "since", Value: "90d", Usage: "window `DURATION` back from the newest event loaded"},
			&cli.StringFlag{Name: "from", Usage: "window start `TIME` (2026-01-31 or RFC 3339); replaces --since"},
			&cli.StringFlag{Name: "to", Usage: "window end `TIME` (a date means the end of that day)"},
			&cli.StringFlag{Name: "format", Usage: "`FORMAT` html, markdown or json (default: from --out's extension, else html)"},
			&cli.StringFlag{Name: "out", Usage: "report `FILE` (- for standard output)"},
			&cli.Int64Flag{Name: "since-snapshot", Usage: "compare with snapshot `ID` instead of the latest"},
			&cli.StringSliceFlag{Name: "fail-on", Usage: "exit 3 when `CONDITION` holds: score>=N, new-risky-grant; repeatable"},
			&cli.BoolFlag{Name: "strict", Usage: "fail on any bad record instead of loading the rest"},
			&cli.BoolFlag{Name: "stats", Usage: "print time, throughput and peak memory"},
			profileFlag,
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return runReport(ctx, env, cmd)
		},
	}
}

// reportOptions are report's validated flags.
type reportOptions struct {
	db            string
	provider      string // "" for every provider in the store
	grants        []string
	window        windowFlags
	format        string
	out           string
	sinceSnapshot int64
	failOn        []report.Condition
	strict        bool
	inputs        []string
}

func parseReportFlags(cmd *cli.Command) (reportOptions, error) {
	o := reportOptions{
		db:            cmd.String("db"),
		provider:      cmd.String("provider"),
		grants:        cmd.StringSlice("grants"),
		out:           cmd.String("out"),
		sinceSnapshot: cmd.Int64("since-snapshot"),
		strict:        cmd.Bool("strict"),
		inputs:        cmd.Args().Slice(),
	}
	if o.provider != "" && !slices.Contains(providers, o.provider) {
		return o, usageErrorf("providers are "+strings.Join(providers, ", "), "unknown provider %q", o.provider)
	}
	if o.out == "" {
		return o, usageErrorf("pass --out FILE (report.html, report.md, report.json, or - for standard output)", "--out is required")
	}
	if len(o.inputs) == 0 && len(o.grants) == 0 && o.db == "" {
		return o, usageErrorf("name log files and --grants, or a --db store loaded by 'pare ingest'", "no INPUT, no --grants and no --db: nothing to report on")
	}
	o.format = cmd.String("format")
	if o.format == "" {
		switch strings.ToLower(filepath.Ext(o.out)) {
		case ".md", ".markdown":
			o.format = "markdown"
		case ".json":
			o.format = "json"
		default:
			o.format = "html"
		}
	}
	if o.format != "html" && o.format != "markdown" && o.format != "json" {
		return o, usageErrorf("formats are html, markdown and json", "unknown format %q", o.format)
	}
	for _, s := range cmd.StringSlice("fail-on") {
		c, err := report.ParseFailOn(s)
		if err != nil {
			return o, usageErrorf("--fail-on takes score>=N (0 to 100) or new-risky-grant", "%v", err)
		}
		o.failOn = append(o.failOn, c)
	}
	since := cmd.String("since")
	if cmd.IsSet("from") && !cmd.IsSet("since") {
		since = ""
	}
	var err error
	o.window, err = parseWindowFlags(since, cmd.String("from"), cmd.String("to"))
	return o, err
}

func runReport(ctx context.Context, env *environment, cmd *cli.Command) error {
	o, err := parseReportFlags(cmd)
	if err != nil {
		return err
	}
	stats := startStats()
	stopProfile, err := startProfile(cmd)
	if err != nil {
		return err
	}
	defer stopProfile()
	store, err := openStore(ctx, o.db, cmd.String("memory-limit"))
	if err != nil {
		return err
	}
	defer store.Close()

	readAs := o.provider
	if readAs == "" {
		readAs = "aws"
	}
	// The source INPUTs and --grants are read as; the report reuses it
	// for its provider.
	var read *source
	if len(o.inputs) > 0 || len(o.grants) > 0 {
		if read, err = newSource(readAs, cmd); err != nil {
			return err
		}
	}
	// AWS grants read for this run are stored, and used as read rather
	// than read back.
	var awsRead *awsGrants
	if len(o.grants) > 0 && readAs == "aws" {
		g, err := loadAWSGrants(ctx, env, store, o.grants)
		if err != nil {
			return err
		}
		awsRead = &g
	} else if len(o.grants) > 0 {
		if err := loadGrants(ctx, env, store, read, o.grants); err != nil {
			return err
		}
	}
	var l loaded
	if len(o.inputs) > 0 {
		if l, err = loadInputs(ctx, env, store, read, o.inputs, o.window, o.strict); err != nil {
			return err
		}
	}
	stats.mark("load")

	covered, err := reportProviders(ctx, store, o.provider, awsRead != nil)
	if err != nil {
		return err
	}
	if len(covered) == 0 {
		return withHint(fmt.Errorf("the store has no activity and no grants to report on"), "load logs with INPUTs or 'pare ingest', and what is granted with --grants")
	}
	taken, err := reportTime()
	if err != nil {
		return err
	}
	rep := report.Report{Taken: taken}
	for _, c := range covered {
		src := read
		if src == nil || src.provider != c.provider {
			if src, err = newSource(c.provider, cmd); err != nil {
				return err
			}
		}
		ps, window, err := reportProvider(ctx, env, store, src, c, o, awsRead)
		if err != nil {
			return err
		}
		rep.Principals = append(rep.Principals, ps...)
		rep.Window = widen(rep.Window, window)
	}
	slices.SortFunc(rep.Principals, func(a, b report.Principal) int {
		if c := strings.Compare(a.Provider, b.Provider); c != 0 {
			return c
		}
		return strings.Compare(a.Principal, b.Principal)
	})
	rep.Rollups = report.Rollups(rep.Principals)
	stats.mark("compare")

	if err := compareWithSnapshot(ctx, store, &rep, o.sinceSnapshot); err != nil {
		return err
	}
	body, err := encodeSnapshot(rep)
	if err != nil {
		return err
	}
	if rep.Snapshot, err = store.SaveSnapshot(ctx, snapshotKind, rep.Taken, body); err != nil {
		return err
	}
	rep.Trend = report.Trend(rep.Trend, rep)

	if err := writeReport(env, o, rep); err != nil {
		return err
	}
	stats.mark("write")
	printReportSummary(env, o, rep, l)
	if cmd.Bool("stats") {
		stats.print(env.stderr, "report", l.result.Records, l.result.Events, l.result.Bytes)
	}
	if l.failed > 0 {
		return withHint(fmt.Errorf("%d input(s) could not be loaded, so the report may miss what they recorded", l.failed),
			"fix or remove them and run again")
	}
	var held []string
	for _, c := range o.failOn {
		if ok, msg := c.Holds(rep); ok {
			held = append(held, fmt.Sprintf("--fail-on %s: %s", c, msg))
		}
	}
	if len(held) > 0 {
		return &userError{err: fmt.Errorf("%s", strings.Join(held, "\n")), code: exitFindings}
	}
	return nil
}

// reportTime is when the report is taken: now, or SOURCE_DATE_EPOCH (Unix
// seconds) when set, the convention for reproducible output.
func reportTime() (time.Time, error) {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, usageErrorf("SOURCE_DATE_EPOCH is a number of seconds since 1970", "SOURCE_DATE_EPOCH=%q is not a number", s)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Now().UTC().Truncate(time.Second), nil
}

// coverage is one provider a report covers, with the span of its stored
// activity.
type coverage struct {
	provider       string
	oldest, newest time.Time
	events         bool // false: no activity stored, only grants
}

// reportProviders lists the providers a report covers: the one asked
// for, else every provider with activity or grants in the store.
func reportProviders(ctx context.Context, store *usage.Store, only string, awsRead bool) ([]coverage, error) {
	var out []coverage
	for _, p := range providers {
		if only != "" && p != only {
			continue
		}
		oldest, newest, events, err := store.Bounds(ctx, p)
		if err != nil {
			return nil, err
		}
		grants := p == "aws" && awsRead
		if !grants {
			if grants, err = store.HasGrants(ctx, p); err != nil {
				return nil, err
			}
		}
		if events || grants || only != "" {
			out = append(out, coverage{provider: p, oldest: oldest, newest: newest, events: events})
		}
	}
	return out, nil
}

// reportProvider compares the grants of src's provider with its usage in
// the window, and adds the right-sized policy pare would generate.
func reportProvider(ctx context.Context, env *environment, store *usage.Store, src *source, c coverage, o reportOptions, awsRead *awsGrants) ([]report.Principal, synth.Window, error) {
	provider := src.provider
	var window synth.Window
	if c.events {
		window = o.window.resolve(c.oldest, c.newest)
	}
	var used []synth.Access
	if c.events {
		q := usage.Query{Provider: provider, Window: window, IncludeDenied: true}
		err := store.EachAccesses(ctx, q, func(accesses []synth.Access) error {
			used = append(used, accesses...)
			return nil
		})
		if err != nil {
			return nil, window, storeError(err)
		}
	}
	if provider != "aws" {
		awsRead = nil
	}
	side, err := newGrantSide(ctx, store, src, used, awsRead)
	if err != nil {
		return nil, window, err
	}
	ps := report.Compare(report.Input{
		Provider:     provider,
		Entitlements: side.entitlements,
		Used:         used,
		Covers:       side.covers,
		Risks:        side.risks,
		Unobservable: side.unobservable,
		Container:    side.container,
		Kind:         side.kind,
	})
	policies, format, err := rightSized(src, used, side)
	if err != nil {
		return nil, window, err
	}
	for i := range ps {
		if text, ok := policies[ps[i].Principal]; ok {
			ps[i].Policy, ps[i].PolicyFormat = text, format
		}
	}
	if len(side.entitlements) == 0 {
		fmt.Fprintf(env.stderr, "pare: warning: %s: no grants loaded, so every use shows as used-not-granted; load them with --grants\n", provider)
	}
	return ps, window, nil
}

// compareWithSnapshot fills rep's Changes and Trend from the snapshot asked
// for (or the latest one).
func compareWithSnapshot(ctx context.Context, store *usage.Store, rep *report.Report, id int64) error {
	var info usage.SnapshotInfo
	var body []byte
	if id > 0 {
		var err error
		if info, body, err = store.Snapshot(ctx, id); err != nil {
			return withHint(err, "snapshot ids are in every report (and in its JSON as \"snapshot\")")
		}
	} else {
		var ok bool
		var err error
		if info, body, ok, err = store.LatestSnapshot(ctx, snapshotKind); err != nil || !ok {
			return err
		}
	}
	old, err := decodeSnapshot(body)
	if err != nil {
		return fmt.Errorf("snapshot %d: %w", info.ID, err)
	}
	// A snapshot is stored before its id is known: it gets it here.
	old.Snapshot = info.ID
	rep.Changes = report.Diff(old, *rep)
	rep.Trend = report.Trend(old.Trend, old)
	return nil
}

// widen returns the smallest window holding a and b; a zero window is empty.
func widen(a, b synth.Window) synth.Window {
	if a.From.IsZero() && a.To.IsZero() {
		return b
	}
	if b.From.IsZero() && b.To.IsZero() {
		return a
	}
	if b.From.Before(a.From) {
		a.From = b.From
	}
	if b.To.After(a.To) {
		a.To = b.To
	}
	return a
}

// writeReport renders the report to --out whole: into a temporary file
// beside it, renamed into place once complete (a JSON report of 10,000
// principals is gigabytes: it is streamed, never held in memory).
func writeReport(env *environment, o reportOptions, rep report.Report) error {
	render := func(w io.Writer) error {
		switch o.format {
		case "html":
			return emit.ReportHTML(w, rep)
		case "markdown":
			return emit.ReportMarkdown(w, rep)
		}
		return emit.ReportJSON(w, rep)
	}
	if o.out == "-" {
		bw := bufio.NewWriterSize(env.stdout, 1<<20)
		if err := render(bw); err != nil {
			return fmt.Errorf("rendering the report: %w", err)
		}
		return bw.Flush()
	}
	dir := filepath.Dir(o.out)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".pare-report-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", o.out, err)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := render(bw); err != nil {
		tmp.Close()
		return fmt.Errorf("rendering the report: %w", err)
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", o.out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", o.out, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", o.out, err)
	}
	if err := os.Rename(tmp.Name(), o.out); err != nil {
		return fmt.Errorf("writing %s: %w", o.out, err)
	}
	return nil
}

func printReportSummary(env *environment, o reportOptions, rep report.Report, l loaded) {
	p := report.PointOf(rep)
	if len(o.inputs) > 0 {
		fmt.Fprintf(env.stderr, "pare: read %d records from %d files (%d files already in the store)\n", l.result.Records, l.result.Loaded, l.result.Unchanged+l.result.Duplicates)
	}
	fmt.Fprintf(env.stderr, "pare: report: %d principals, %d entitlements granted, %d unused, %d risky unused, mean score %s; snapshot %d",
		p.Principals, p.Granted, p.Unused, p.RiskyUnused, strconv.FormatFloat(p.MeanScore, 'f', 1, 64), rep.Snapshot)
	if rep.Changes != nil {
		fmt.Fprintf(env.stderr, " (compared with snapshot %d: %d principals changed, %d new, %d gone)",
			rep.Changes.Since, len(rep.Changes.Principals), len(rep.Changes.New), len(rep.Changes.Gone))
	}
	where := o.out
	if where == "-" {
		where = "standard output"
	}
	fmt.Fprintf(env.stderr, "; %s written to %s\n", o.format, where)
}
