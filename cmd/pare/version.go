package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/urfave/cli/v3"

	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/usage"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"; it
// falls back to the module version the binary was built from.
var version = ""

func pareVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// debugStack says whether internal errors print their stack (PARE_DEBUG=1).
func debugStack() bool { return os.Getenv("PARE_DEBUG") == "1" }

func versionCommand(env *environment) *cli.Command {
	return &cli.Command{
		Name:         "version",
		Usage:        "print pare's version and the date of its embedded catalogs",
		OnUsageError: onUsageError,
		Action: func(ctx context.Context, cmd *cli.Command) error {
			cat, err := catalog.LoadAWS()
			if err != nil {
				return fmt.Errorf("loading the AWS catalog: %w", err)
			}
			fmt.Fprintf(env.stdout, "pare %s\nAWS catalog: %s\nstore loader: %s\n", pareVersion(), cat.Date(), usage.Loader)
			return nil
		},
	}
}
