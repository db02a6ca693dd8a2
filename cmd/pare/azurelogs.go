package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/leastpriv/pare/usage/azure/loganalytics"
	"github.com/leastpriv/pare/usage/record"
)

// defaultLogsWindow is how far back an azure-logs:// input reads when no
// window is given: the service keeps recent data (90 days by default).
const defaultLogsWindow = 90 * 24 * time.Hour

// logAnalyticsInputs queries the Log Analytics workspace of arg
// (azure-logs://WORKSPACE_ID) over the window, the aggregation pushed down
// to the service, and returns one in-memory input per day slice, named
// azure-logs://WORKSPACE/FROM/TO. The queries run here, before anything is
// loaded, so that a credential or service error stops pare before the store
// changes; the store then loads the slices like files, by name, so a window
// loaded twice adds nothing. What the queries did is printed as notes.
func logAnalyticsInputs(ctx context.Context, env *environment, provider, arg string, wf windowFlags, now time.Time) ([]record.Input, error) {
	if provider != "azure" {
		return nil, usageErrorf("pass --provider azure to read a Log Analytics workspace", "%s: azure-logs:// inputs are Azure Log Analytics workspaces, not %s logs", arg, provider)
	}
	ws, err := loganalytics.ParseURL(arg)
	if err != nil {
		return nil, usageErrorf("write the input as azure-logs://WORKSPACE_ID, the workspace's GUID", "%v", err)
	}
	from, to := logsWindow(wf, now)
	if !from.Before(to) {
		return nil, usageErrorf("", "%s: the window %s to %s is empty", arg, stamp(from), stamp(to))
	}
	client := env.logsClient
	if client == nil {
		cred, err := loganalytics.DefaultCredential()
		if err != nil {
			return nil, withHint(fmt.Errorf("%s: %w", arg, err), credentialHint)
		}
		c, err := loganalytics.NewClient(cred, "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", arg, err)
		}
		client = c
	}
	slices, rep, err := loganalytics.QuerySlices(ctx, client, loganalytics.Options{Workspace: ws, From: from, To: to})
	printLogsReport(env.stderr, arg, rep)
	if err != nil {
		if hint := logsHint(err); hint != "" {
			return nil, withHint(err, hint)
		}
		return nil, err
	}
	inputs := make([]record.Input, 0, len(slices))
	for _, s := range slices {
		in, err := loganalytics.Input(ws, s)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, in)
	}
	return inputs, nil
}

const credentialHint = "pare signs in with azidentity's default chain (environment variables, workload identity, managed identity, Azure CLI: az login)"

// logsHint says what to do about a failed query, or "".
func logsHint(err error) string {
	var re *azcore.ResponseError
	var auth *azidentity.AuthenticationFailedError
	switch {
	case errors.As(err, &re) && (re.StatusCode == http.StatusUnauthorized || re.StatusCode == http.StatusForbidden):
		return "the signed-in identity needs the Log Analytics Reader role (or Microsoft.OperationalInsights/workspaces/query/read) on the workspace"
	case errors.As(err, &re) && re.StatusCode == http.StatusNotFound:
		return "check the workspace id: the GUID shown as Workspace ID in the workspace's overview, not its name or resource id"
	case errors.As(err, &auth) || strings.Contains(err.Error(), "DefaultAzureCredential"):
		return credentialHint
	}
	return ""
}

// logsWindow is the window [from, to) an azure-logs:// input queries:
// --since counts back from now; --from and --to bound it (a missing --from
// is 90 days before the end, a missing --to is now); nothing means the last
// 90 days. A date given as --to ends at the next midnight.
func logsWindow(wf windowFlags, now time.Time) (from, to time.Time) {
	now = now.UTC().Truncate(time.Second)
	switch {
	case wf.since > 0:
		return now.Add(-wf.since), now
	case !wf.from.IsZero() || !wf.to.IsZero():
		from, to = wf.from.UTC(), wf.to.UTC()
		if to.IsZero() {
			to = now
		}
		// --to is inclusive and a date means the last nanosecond of its
		// day; the query's end is exclusive.
		if next := to.Add(time.Nanosecond); next.Equal(next.Truncate(24 * time.Hour)) {
			to = next
		}
		if from.IsZero() {
			from = to.Add(-defaultLogsWindow)
		}
		return from, to
	}
	return now.Add(-defaultLogsWindow), now
}

// printLogsReport prints what the queries of one workspace did as notes.
func printLogsReport(w io.Writer, arg string, rep loganalytics.Report) {
	fmt.Fprintf(w, "pare: note: %s: %d queries for %d slices (%d split, %d throttled and retried), %d rollup rows\n",
		arg, rep.Queries, rep.Slices, rep.Splits, rep.Retries, rep.Rows)
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "pare: note: %s: %s\n", arg, n)
	}
	for _, reason := range rep.Reasons() {
		fmt.Fprintf(w, "pare: note: %s: skipped %d operations (%s)\n", arg, rep.Skipped[reason], reason)
	}
}

// withLogAnalytics returns a ReadFunc that reads Log Analytics slices
// (inputs named azure-logs://...) with rollups and everything else with
// files. Local inputs never have such names: paths are cleaned, which
// turns "//" into "/".
func withLogAnalytics(files, rollups record.ReadFunc) record.ReadFunc {
	return func(ctx context.Context, name string, r io.Reader, emit func(*record.Event) error) (record.Stats, error) {
		if loganalytics.IsURL(name) {
			return rollups(ctx, name, r, emit)
		}
		return files(ctx, name, r, emit)
	}
}
