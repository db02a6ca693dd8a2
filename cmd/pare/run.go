package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/urfave/cli/v3"

	"github.com/leastpriv/pare/usage/azure/loganalytics"
)

// run is pare: args without the program name, and the three streams. It never
// exits the process and never lets a panic escape as a stack trace.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return runIn(ctx, &environment{stdin: stdin, stdout: stdout, stderr: stderr}, args)
}

// runIn is run in a given environment; tests use it to swap in fakes.
func runIn(ctx context.Context, env *environment, args []string) (err error) {
	stdin, stdout, stderr := env.stdin, env.stdout, env.stderr
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v (please report this with the command you ran)", r)
			if debugStack() {
				fmt.Fprintf(stderr, "%s\n", debug.Stack())
			}
		}
	}()
	root := &cli.Command{
		Name:                      "pare",
		Usage:                     "give every cloud identity exactly the access it uses",
		Writer:                    stdout,
		ErrWriter:                 stderr,
		Reader:                    stdin,
		HideVersion:               true,
		DisableSliceFlagSeparator: true,
		ExitErrHandler:            func(context.Context, *cli.Command, error) {}, // exitStatus() maps errors to exit codes
		OnUsageError:              onUsageError,
		Commands: []*cli.Command{
			generateCommand(env),
			reportCommand(env),
			prCommand(env),
			ingestCommand(env),
			versionCommand(env),
		},
		CommandNotFound: func(ctx context.Context, cmd *cli.Command, name string) {
			fmt.Fprintf(stderr, "pare: error: unknown command %q\npare: hint: run 'pare help' for the list of commands\n", name)
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() > 0 {
				return usageErrorf("run 'pare help' for the list of commands", "unknown command %q", cmd.Args().First())
			}
			return cli.ShowAppHelp(cmd)
		},
	}
	return root.Run(ctx, append([]string{"pare"}, args...))
}

func onUsageError(ctx context.Context, cmd *cli.Command, err error, isSubcommand bool) error {
	return usageErrorf(fmt.Sprintf("run 'pare %s --help' for usage", cmd.Name), "%v", err)
}

// environment is what subcommands may touch of the outside world.
type environment struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// logsClient, when set, answers azure-logs:// queries instead of a
	// client built from Azure credentials (tests set it to azlogs' fake).
	logsClient loganalytics.LogsAPI
}
