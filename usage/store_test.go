package usage

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/usage/record"
)

// lineReader is a ReadFunc for a tiny test format, one event per line:
// "id time principal action resource region outcome". A line "FAIL" makes the
// whole input fail after the events before it were emitted; a line "BAD" is a
// bad record.
func lineReader(ctx context.Context, name string, r io.Reader, emit func(*record.Event) error) (record.Stats, error) {
	var st record.Stats
	sc := bufio.NewScanner(r)
	for i := 0; sc.Scan(); i++ {
		st.Records++
		line := sc.Text()
		switch line {
		case "FAIL":
			return st, errors.New("truncated input")
		case "BAD":
			st.Problems = append(st.Problems, record.Problem{Input: name, Index: i, Message: "bad record"})
			continue
		case "SKIP":
			st.Skip("service event")
			continue
		}
		f := strings.Fields(line)
		t, err := time.Parse(time.RFC3339, f[1])
		if err != nil {
			return st, err
		}
		e := record.Event{Provider: "aws", EventID: f[0], Time: t, Principal: f[2], PrincipalKind: "role",
			Action: f[3], Resource: f[4], Region: f[5], Outcome: record.Outcome(f[6]), Index: i}
		if e.Resource == "-" {
			e.Resource = ""
		}
		if err := emit(&e); err != nil {
			return st, err
		}
		st.Events++
	}
	return st, sc.Err()
}

func input(name, content string) record.Input {
	return record.Input{Name: name, Size: int64(len(content)), Open: func(context.Context) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(content)), nil
	}}
}

func openMem(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

const (
	roleA = "arn:aws:iam::111122223333:role/a"
	roleB = "arn:aws:iam::111122223333:role/b"
)

var fileOne = strings.Join([]string{
	"e1 2026-01-01T00:00:00Z " + roleA + " s3:GetObject arn:aws:s3:::b/k us-east-1 allowed",
	"e2 2026-01-03T00:00:00Z " + roleA + " s3:GetObject arn:aws:s3:::b/k eu-west-1 error",
	"SKIP",
	"e3 2026-01-02T00:00:00Z " + roleA + " s3:PutObject arn:aws:s3:::b/k us-east-1 denied",
	"e4 2026-01-02T00:00:00Z " + roleB + " sts:GetSessionToken - us-east-1 allowed",
}, "\n")

// fileTwo repeats e1 (the same event delivered twice) and adds one.
var fileTwo = strings.Join([]string{
	"e1 2026-01-01T00:00:00Z " + roleA + " s3:GetObject arn:aws:s3:::b/k us-east-1 allowed",
	"e5 2026-02-01T00:00:00Z " + roleB + " sts:GetSessionToken - us-west-2 allowed",
}, "\n")

func TestLoadAndQuery(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	res, err := s.Load(ctx, []record.Input{input("one", fileOne), input("two", fileTwo)}, lineReader, LoadOptions{Provider: "aws"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Loaded != 2 || res.Events != 6 || res.Skipped["service event"] != 1 {
		t.Fatalf("load result = %+v", res)
	}

	acc, err := s.Accesses(ctx, Query{Provider: "aws"})
	if err != nil {
		t.Fatal(err)
	}
	if len(acc) != 2 {
		t.Fatalf("got %d accesses, want 2 (denied excluded): %+v", len(acc), acc)
	}
	get := acc[0]
	if get.Principal != roleA || get.Action != "s3:GetObject" || get.Count != 2 {
		t.Errorf("access[0] = %+v; want roleA s3:GetObject counted twice (e1 delivered twice counts once)", get)
	}
	if !get.First.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || !get.Last.Equal(time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("first/last = %v/%v", get.First, get.Last)
	}
	if strings.Join(get.Regions, ",") != "eu-west-1,us-east-1" || strings.Join(get.Samples, ",") != "e1,e2" {
		t.Errorf("regions %v samples %v", get.Regions, get.Samples)
	}
	if acc[1].Principal != roleB || acc[1].Resource != "" || acc[1].Count != 2 {
		t.Errorf("access[1] = %+v", acc[1])
	}

	withDenied, err := s.Accesses(ctx, Query{Provider: "aws", IncludeDenied: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(withDenied) != 3 || !withDenied[1].Denied || withDenied[1].Action != "s3:PutObject" {
		t.Errorf("with denied = %+v", withDenied)
	}

	only, err := s.Accesses(ctx, Query{Provider: "aws", Principals: []string{"arn:aws:iam::*:role/b"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(only) != 1 || only[0].Principal != roleB {
		t.Errorf("glob filter = %+v", only)
	}
	window, err := s.Accesses(ctx, Query{Provider: "aws", Window: synth.Window{From: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(window) != 1 || window[0].Count != 1 || window[0].Regions[0] != "us-west-2" {
		t.Errorf("window = %+v", window)
	}

	ps, err := s.Principals(ctx, Query{Provider: "aws"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Events != 3 || len(ps[0].Denied) != 1 || ps[0].Denied[0].Name != "s3:PutObject" {
		t.Errorf("principals = %+v", ps)
	}
	oldest, newest, ok, err := s.Bounds(ctx, "aws")
	if err != nil || !ok || oldest.Day() != 1 || newest.Month() != 2 {
		t.Errorf("bounds = %v %v %v %v", oldest, newest, ok, err)
	}
}

func countEvents(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLoadIsIdempotent(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	in := []record.Input{input("one", fileOne)}
	if _, err := s.Load(ctx, in, lineReader, LoadOptions{Provider: "aws"}); err != nil {
		t.Fatal(err)
	}
	before := countEvents(t, s)
	res, err := s.Load(ctx, append(in, input("copy-of-one", fileOne)), lineReader, LoadOptions{Provider: "aws"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Unchanged != 1 || res.Duplicates != 1 || res.Loaded != 0 {
		t.Errorf("second load = %+v; want one unchanged, one duplicate", res)
	}
	if after := countEvents(t, s); after != before {
		t.Errorf("events grew from %d to %d on reload", before, after)
	}
}

func TestFailedInputLeavesNothingAndOthersLoad(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	broken := fileOne + "\nFAIL\n"
	res, err := s.Load(ctx, []record.Input{input("broken", broken), input("two", fileTwo)}, lineReader, LoadOptions{Provider: "aws", Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 1 || res.Loaded != 1 {
		t.Fatalf("result = %+v", res)
	}
	if len(res.Problems) != 1 || res.Problems[0].Input != "broken" || !strings.Contains(res.Problems[0].String(), "broken: truncated input") {
		t.Errorf("problems = %v", res.Problems)
	}
	if n := countEvents(t, s); n != 2 {
		t.Errorf("events = %d; want only the 2 of the good input (the broken one rolled back)", n)
	}
	// Fixed, the input loads on the next run.
	res, err = s.Load(ctx, []record.Input{input("broken", fileOne), input("two", fileTwo)}, lineReader, LoadOptions{Provider: "aws"})
	if err != nil || res.Loaded != 1 || res.Unchanged != 1 {
		t.Errorf("resume = %+v, %v", res, err)
	}
}

func TestBadRecordsLoadTheRestOrFailWithStrict(t *testing.T) {
	ctx := context.Background()
	withBad := "BAD\n" + fileTwo
	s := openMem(t)
	res, err := s.Load(ctx, []record.Input{input("f", withBad)}, lineReader, LoadOptions{Provider: "aws"})
	if err != nil || res.Loaded != 1 || res.Events != 2 || len(res.Problems) != 1 || res.Problems[0].Index != 0 {
		t.Fatalf("lenient load = %+v, %v", res, err)
	}
	stored, err := s.Problems(ctx)
	if err != nil || len(stored) != 1 || stored[0].String() != "f: record 0: bad record" {
		t.Errorf("stored problems = %v, %v", stored, err)
	}

	strict := openMem(t)
	res, err = strict.Load(ctx, []record.Input{input("f", withBad)}, lineReader, LoadOptions{Provider: "aws", Strict: true})
	if !errors.Is(err, ErrStrict) {
		t.Fatalf("strict load error = %v; want ErrStrict", err)
	}
	if n := countEvents(t, strict); n != 0 {
		t.Errorf("strict load stored %d events of a bad input", n)
	}
}

func TestCancelledLoadResumes(t *testing.T) {
	s := openMem(t)
	ctx, cancel := context.WithCancel(context.Background())
	stopping := func(ctx context.Context, name string, r io.Reader, emit func(*record.Event) error) (record.Stats, error) {
		st, err := lineReader(ctx, name, r, func(e *record.Event) error {
			if err := emit(e); err != nil {
				return err
			}
			cancel() // interrupted in the middle of the input
			return nil
		})
		return st, err
	}
	if _, err := s.Load(ctx, []record.Input{input("one", fileOne)}, stopping, LoadOptions{Provider: "aws"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	if n := countEvents(t, s); n != 0 {
		t.Fatalf("interrupted load left %d events", n)
	}
	res, err := s.Load(context.Background(), []record.Input{input("one", fileOne)}, lineReader, LoadOptions{Provider: "aws"})
	if err != nil || res.Loaded != 1 || countEvents(t, s) != 4 {
		t.Errorf("resumed load = %+v, %v", res, err)
	}
}

func TestFileStorePersists(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pare.duckdb")
	s, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, []record.Input{input("one", fileOne)}, lineReader, LoadOptions{Provider: "aws"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Load(ctx, []record.Input{input("one", fileOne)}, lineReader, LoadOptions{Provider: "aws"})
	if err != nil || res.Unchanged != 1 || countEvents(t, s) != 4 {
		t.Errorf("reopened store: %+v, %v, %d events", res, err, countEvents(t, s))
	}
}

// TestStoreInUse holds a store open in a child process and checks that a
// second Open gets an InUseError naming the holder.
func TestStoreInUse(t *testing.T) {
	if path := os.Getenv("PARE_TEST_HOLD_STORE"); path != "" {
		s, err := Open(context.Background(), Options{Path: path})
		if err != nil {
			fmt.Println("open failed:", err)
			os.Exit(1)
		}
		defer s.Close()
		fmt.Println("holding")
		io.Copy(io.Discard, os.Stdin) // until the parent closes stdin
		return
	}
	path := filepath.Join(t.TempDir(), "held.duckdb")
	cmd := exec.Command(os.Args[0], "-test.run=^TestStoreInUse$")
	cmd.Env = append(os.Environ(), "PARE_TEST_HOLD_STORE="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "holding\n" {
		t.Fatalf("child said %q, %v", line, err)
	}
	_, err = Open(context.Background(), Options{Path: path})
	var inUse *InUseError
	if !errors.As(err, &inUse) {
		t.Fatalf("second open error = %v; want InUseError", err)
	}
	if inUse.PID != fmt.Sprint(cmd.Process.Pid) {
		t.Errorf("in-use error names PID %q; the holder is %d (%v)", inUse.PID, cmd.Process.Pid, err)
	}
}

func TestGlobToLike(t *testing.T) {
	for glob, want := range map[string]string{
		"arn:aws:iam::*:role/app-*": "arn:aws:iam::%:role/app-%",
		"a_b%c?":                    `a\_b\%c_`,
		`back\slash`:                `back\\slash`,
	} {
		if got := globToLike(glob); got != want {
			t.Errorf("globToLike(%q) = %q; want %q", glob, got, want)
		}
	}
}

// TestEachAccessesPartitionsByPrincipal splits a store into many partitions:
// together they hold exactly what one query returns, and no principal is
// split between two calls.
func TestEachAccessesPartitionsByPrincipal(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	if _, err := s.Load(ctx, []record.Input{input("one", fileOne), input("two", fileTwo)}, lineReader, LoadOptions{Provider: "aws"}); err != nil {
		t.Fatal(err)
	}
	q := Query{Provider: "aws", IncludeDenied: true}
	all, err := s.Accesses(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	s.eventsPerPartition = 1 // six events: six partitions
	var got []synth.Access
	calls := 0
	seenIn := make(map[string]int)
	err = s.EachAccesses(ctx, q, func(part []synth.Access) error {
		calls++
		for _, a := range part {
			if c, ok := seenIn[a.Principal]; ok && c != calls {
				t.Errorf("%s appears in calls %d and %d", a.Principal, c, calls)
			}
			seenIn[a.Principal] = calls
		}
		got = append(got, part...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Errorf("%d calls; want one per principal that has usage (2), empty partitions skipped", calls)
	}
	sort.Slice(got, func(i, j int) bool {
		a, b := got[i], got[j]
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		if a.Action != b.Action {
			return a.Action < b.Action
		}
		return a.Resource < b.Resource
	})
	if fmt.Sprint(got) != fmt.Sprint(all) {
		t.Errorf("partitions hold\n%v\nwant\n%v", got, all)
	}
}

func TestReplaceGrants(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	first := []record.Grant{
		{Provider: "azure", Principal: "oid-1", Effect: "allow", Action: "Microsoft.Compute/*", Scope: "/subscriptions/s", Origin: "a1"},
		{Provider: "azure", Principal: "oid-1", Effect: "not", Action: "Microsoft.Compute/virtualMachines/delete", Scope: "/subscriptions/s", Origin: "a1"},
	}
	if err := s.ReplaceGrants(ctx, "azure", "assignments.json", first); err != nil {
		t.Fatal(err)
	}
	second := []record.Grant{{Provider: "azure", Principal: "oid-2", Effect: "allow", Action: "*/read", Scope: "/subscriptions/s", Origin: "a2"}}
	if err := s.ReplaceGrants(ctx, "azure", "assignments.json", second); err != nil {
		t.Fatal(err)
	}
	other := []record.Grant{{Provider: "azure", Principal: "oid-3", Effect: "allow", Action: "Microsoft.Storage/*/read", Data: true, Scope: "/subscriptions/s", Origin: "a3"}}
	if err := s.ReplaceGrants(ctx, "azure", "other.json", other); err != nil {
		t.Fatal(err)
	}
	got, err := s.Grants(ctx, "azure")
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]record.Grant{}, second...), other...)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("grants = %v\nwant the second snapshot of assignments.json and other.json: %v", got, want)
	}
	unsorted, err := s.GrantsUnsorted(ctx, "azure")
	if err != nil || len(unsorted) != len(want) {
		t.Errorf("GrantsUnsorted: %d grants (%v), want %d", len(unsorted), err, len(want))
	}
	for provider, want := range map[string]bool{"azure": true, "aws": false} {
		if has, err := s.HasGrants(ctx, provider); err != nil || has != want {
			t.Errorf("HasGrants(%s) = %v, %v; want %v", provider, has, err, want)
		}
	}
	var sources int
	if err := s.db.QueryRow(`SELECT count(*) FROM sources WHERE name = 'assignments.json'`).Scan(&sources); err != nil || sources != 1 {
		t.Errorf("%d sources rows for one replaced snapshot (%v)", sources, err)
	}
}
