package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v3"
)

func ingestCommand(env *environment) *cli.Command {
	return &cli.Command{
		Name:      "ingest",
		Usage:     "load activity logs into a store file, incrementally",
		ArgsUsage: "INPUT...",
		Description: "Loads the provider's logs into the DuckDB store at --db: files, directories and globs of CloudTrail\n" +
			"(or, with --provider azure, Activity Log exports), s3://BUCKET/PREFIX, cloudtrail://REGION and\n" +
			"azure-logs://WORKSPACE_ID. Inputs already loaded are skipped, so running it again adds only what is new.",
		OnUsageError: onUsageError,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "db", Usage: "store `FILE` (created if missing)"},
			providerFlag,
			clusterFlag,
			keepMastersFlag,
			memoryLimitFlag,
			&cli.BoolFlag{Name: "strict", Usage: "fail on any bad record instead of loading the rest"},
			&cli.StringSliceFlag{Name: "grants", Usage: "what is granted today, replacing the stored snapshot: with --provider azure, `FILE`s of `az role assignment list --all` and `az role definition list` output; with --provider k8s, RBAC manifests or k8s://CONTEXT"},
			&cli.BoolFlag{Name: "stats", Usage: "print time, throughput and peak memory"},
			profileFlag,
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.String("db") == "" {
				return usageErrorf("pass --db FILE: ingest keeps what it loads there for later generate runs", "--db is required")
			}
			grants := cmd.StringSlice("grants")
			if err := checkGrantsProvider(cmd.String("provider"), grants); err != nil {
				return err
			}
			if cmd.Args().Len() == 0 && len(grants) == 0 {
				return usageErrorf("name log files, directories or globs, s3://BUCKET/PREFIX, cloudtrail://REGION or azure-logs://WORKSPACE_ID", "no INPUT given")
			}
			stats := startStats()
			stopProfile, err := startProfile(cmd)
			if err != nil {
				return err
			}
			defer stopProfile()
			src, err := newSource(cmd.String("provider"), cmd)
			if err != nil {
				return err
			}
			store, err := openStore(ctx, cmd.String("db"), cmd.String("memory-limit"))
			if err != nil {
				return err
			}
			defer store.Close()
			if len(grants) > 0 {
				if err := loadGrants(ctx, env, store, src, grants); err != nil {
					return err
				}
				if cmd.Args().Len() == 0 {
					return nil
				}
			}
			l, err := loadInputs(ctx, env, store, src, cmd.Args().Slice(), windowFlags{}, cmd.Bool("strict"))
			if err != nil {
				return err
			}
			r := l.result
			fmt.Fprintf(env.stderr, "pare: ingest: %d inputs: %d loaded, %d already loaded, %d duplicate content, %d failed; %d records, %d events stored",
				l.inputs, r.Loaded, r.Unchanged, r.Duplicates, l.failed, r.Records, r.Events)
			if len(r.Skipped) > 0 {
				fmt.Fprintf(env.stderr, "; skipped: %s", skippedSummary(r.Skipped))
			}
			fmt.Fprintln(env.stderr)
			if cmd.Bool("stats") {
				stats.print(env.stderr, "ingest", r.Records, r.Events, r.Bytes)
			}
			if l.failed > 0 {
				return withHint(fmt.Errorf("%d input(s) could not be loaded (see the warnings above)", l.failed), "fix or remove them and run again; what loaded is kept")
			}
			return nil
		},
	}
}
