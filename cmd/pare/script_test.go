package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the script tests run pare in-process as a command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"pare": func() {
			os.Exit(exitStatus(os.Stderr, run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)))
		},
	})
}

// TestScripts runs the CLI scripts in testdata/script: each is a txtar file
// with commands, expected output and exit status. $TESTDATA is the
// repository's testdata folder.
func TestScripts(t *testing.T) {
	testdata, err := filepath.Abs("../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join(testdata, "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("TESTDATA", testdata)
			env.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			return nil
		},
		UpdateScripts: *update,
	})
}
