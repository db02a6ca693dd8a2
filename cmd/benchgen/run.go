package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"time"
)

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("benchgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o Options
	fs.IntVar(&o.Events, "events", 1_000_000, "number of records to write")
	fs.IntVar(&o.Files, "files", 1000, "number of log files")
	fs.StringVar(&o.Dir, "out", "", "output directory (required)")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed; the same seed gives the same bytes")
	fs.IntVar(&o.Principals, "principals", 2000, "number of distinct principals; aws-iam takes 10000 unless given")
	fs.IntVar(&o.Days, "days", 90, "days the event times spread over")
	fs.IntVar(&o.Workers, "workers", runtime.GOMAXPROCS(0), "files written in parallel")
	provider := fs.String("provider", "aws", "what to write: aws (CloudTrail), azure (Activity Log exports), k8s (Kubernetes audit logs) or aws-iam (authorization details into the file -out)")
	actions := fs.Int("actions", 1000, "aws-iam: about this many concrete actions granted to each principal")
	usagePrincipals := fs.Int("usage-principals", 2000, "aws-iam: the first principals are those of CloudTrail logs written with -principals N")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.Dir == "" {
		return errors.New("-out DIR is required")
	}
	start := time.Now()
	generate := Generate
	switch *provider {
	case "aws-iam":
		set := false
		fs.Visit(func(f *flag.Flag) { set = set || f.Name == "principals" })
		iopts := IAMOptions{File: o.Dir, Seed: o.Seed, Principals: 10_000, UsagePrincipals: *usagePrincipals, Actions: *actions}
		if set {
			iopts.Principals = o.Principals
		}
		res, err := GenerateIAM(iopts)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %d users and %d roles (%d groups, %d managed policies) to %s: %d bytes in %.1fs\n",
			res.Users, res.Roles, res.Groups, res.Policies, o.Dir, res.Bytes, time.Since(start).Seconds())
		return nil
	case "aws":
	case "azure":
		generate = GenerateAzure
	case "k8s":
		generate = GenerateK8s
	default:
		return fmt.Errorf("-provider must be aws, azure, k8s or aws-iam, not %q", *provider)
	}
	res, err := generate(o)
	if err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Fprintf(stdout, "wrote %d events in %d files under %s: %d bytes gzip (%d bytes JSON) in %.1fs, %.0f events/s\n",
		res.Events, res.Files, o.Dir, res.Bytes, res.RawBytes, el.Seconds(), float64(res.Events)/el.Seconds())
	return nil
}
