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
	fs.IntVar(&o.Principals, "principals", 2000, "number of distinct principals")
	fs.IntVar(&o.Days, "days", 90, "days the event times spread over")
	fs.IntVar(&o.Workers, "workers", runtime.GOMAXPROCS(0), "files written in parallel")
	provider := fs.String("provider", "aws", "logs to write: aws (CloudTrail), azure (Activity Log exports) or k8s (Kubernetes audit logs)")
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
	case "aws":
	case "azure":
		generate = GenerateAzure
	case "k8s":
		generate = GenerateK8s
	default:
		return fmt.Errorf("-provider must be aws, azure or k8s, not %q", *provider)
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
