package main

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Options say what to generate.
type Options struct {
	Events     int    // records in all
	Files      int    // log files; records are spread evenly
	Dir        string // output root; AWSLogs/ goes under it
	Seed       uint64
	Principals int // distinct IAM users and roles
	Days       int // days the event times spread over, ending at End
	Workers    int // files written in parallel
}

// Result is what Generate wrote.
type Result struct {
	Events   int
	Files    int
	Bytes    int64 // gzip bytes on disk
	RawBytes int64 // JSON bytes before compression
}

// End is the fixed end of the generated time range, so output never
// depends on the clock.
var End = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

var accounts = [...]string{"111122223333", "444455556666", "777788889999"}

// accountOf is the index in accounts of principal i, and of CloudTrail
// file i: six in ten are the first account's, three the second's, one the
// third's.
func accountOf(i int) int {
	switch a := i % 10; {
	case a < 6:
		return 0
	case a < 9:
		return 1
	}
	return 2
}

// regions and their share of the files, in tenths.
var regions = [...]struct {
	name   string
	weight int
}{{"us-east-1", 6}, {"eu-west-1", 3}, {"us-west-2", 1}}

var teams = [...]string{"billing", "checkout", "search", "catalog", "payments", "identity", "analytics", "ml",
	"platform", "data", "mobile", "web", "ops", "security", "reporting", "notify", "orders", "inventory", "media", "support"}

var roleKinds = [...]string{"app", "ci-deploy", "lambda-exec", "ecs-task", "admin", "readonly", "etl", "batch"}

// principal is one synthetic IAM user or role.
type principal struct {
	account  string
	team     string
	user     bool
	name     string
	id       string // AIDA... or AROA...
	actions  []int  // indexes into actionTable this principal uses, most used first
	accessID string // AKIA... for users
}

type plan struct {
	o          Options
	principals []principal
	byAccount  [len(accounts)][]int // principal indexes per account
	perFile    []int                // records per file
}

// Generate writes the files. It is deterministic for o.Seed.
func Generate(o Options) (Result, error) {
	if o.Events < 0 || o.Files <= 0 {
		return Result{}, fmt.Errorf("need -events >= 0 and -files > 0, got %d and %d", o.Events, o.Files)
	}
	if o.Principals < len(accounts) {
		return Result{}, fmt.Errorf("need at least %d principals, got %d", len(accounts), o.Principals)
	}
	if o.Days <= 0 {
		return Result{}, fmt.Errorf("need -days > 0, got %d", o.Days)
	}
	p := newPlan(o)
	return generateFiles(o, func(fw *fileWriter, f int) (int64, int64, error) { return fw.write(p, f) })
}

// generateFiles writes files 0..o.Files-1 with write on o.Workers
// goroutines, each with its own fileWriter, and adds up what they wrote.
func generateFiles(o Options, write func(fw *fileWriter, f int) (int64, int64, error)) (Result, error) {
	var (
		mu    sync.Mutex
		res   = Result{Files: o.Files, Events: o.Events}
		errs  []error
		wg    sync.WaitGroup
		files = make(chan int)
	)
	for w := 0; w < max(o.Workers, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fw := newFileWriter()
			for f := range files {
				n, raw, err := write(fw, f)
				mu.Lock()
				res.Bytes += n
				res.RawBytes += raw
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		}()
	}
	for f := 0; f < o.Files; f++ {
		files <- f
	}
	close(files)
	wg.Wait()
	return res, errors.Join(errs...)
}

func newPlan(o Options) *plan {
	p := &plan{o: o}
	r := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
	// Actions every principal draws from: popular ones are common to many.
	popular := rand.NewZipf(r, 1.3, 2, uint64(len(actionTable)-1))
	for i := 0; i < o.Principals; i++ {
		a := accountOf(i)
		pr := principal{account: accounts[a], team: teams[i%len(teams)], user: i%3 == 0}
		if pr.user {
			pr.name = fmt.Sprintf("%s.dev%d", pr.team, i)
			pr.id = "AIDA" + upperID(r, 17)
			pr.accessID = "AKIA" + upperID(r, 16)
		} else {
			pr.name = fmt.Sprintf("%s-%s-%d", pr.team, roleKinds[r.IntN(len(roleKinds))], i)
			pr.id = "AROA" + upperID(r, 17)
		}
		k := 3 + r.IntN(18)
		seen := make(map[int]bool)
		for tries := 0; len(pr.actions) < k && tries < 200; tries++ {
			x := int(popular.Uint64())
			if !seen[x] {
				seen[x] = true
				pr.actions = append(pr.actions, x)
			}
		}
		p.principals = append(p.principals, pr)
		p.byAccount[a] = append(p.byAccount[a], i)
	}
	// Most-active principals should not all be the first of each account.
	for a := range p.byAccount {
		idx := p.byAccount[a]
		r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	p.perFile = spread(o.Events, o.Files)
	return p
}

// spread is the number of records of each of files files for events in
// all: the same for every file, the first ones taking one more for the
// remainder.
func spread(events, files int) []int {
	out := make([]int, files)
	for f := range out {
		out[f] = events / files
		if f < events%files {
			out[f]++
		}
	}
	return out
}

const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func upperID(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = upper[r.IntN(len(upper))]
	}
	return string(b)
}

// fileWriter holds one worker's reusable buffers.
type fileWriter struct {
	buf  []byte
	bw   *bufio.Writer
	gz   *gzip.Writer
	dirs map[string]bool
}

func newFileWriter() *fileWriter {
	gz, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return &fileWriter{buf: make([]byte, 0, 1<<20), bw: bufio.NewWriterSize(nil, 256<<10), gz: gz, dirs: make(map[string]bool)}
}

// write generates file f and returns the gzip and JSON byte counts.
func (fw *fileWriter) write(p *plan, f int) (int64, int64, error) {
	r := rand.New(rand.NewPCG(p.o.Seed, uint64(f)+1))
	a := accountOf(f)
	acct := accounts[a]
	region := regions[0].name
	if x := r.IntN(10); x >= regions[0].weight+regions[1].weight {
		region = regions[2].name
	} else if x >= regions[0].weight {
		region = regions[1].name
	}
	span := time.Duration(p.o.Days) * 24 * time.Hour
	start := End.Add(-span)
	// Delivery time: files spread evenly over the span, on the minute.
	ts := start.Add(time.Duration(float64(span) * (float64(f) + r.Float64()) / float64(p.o.Files))).Truncate(time.Minute)
	if ts.Before(start.Add(5 * time.Minute)) {
		ts = start.Add(5 * time.Minute)
	}
	name := fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", acct, region, ts.Format("20060102T1504Z"), randomTag(r))
	dir := filepath.Join(p.o.Dir, "AWSLogs", acct, "CloudTrail", region, ts.Format("2006"), ts.Format("01"), ts.Format("02"))
	g := gen{r: r, p: p, account: acct, region: region, ts: ts}
	g.zipfPrincipal = rand.NewZipf(r, 1.1, 4, uint64(len(p.byAccount[a])-1))
	for k := 3; k <= 20; k++ {
		g.zipfAction[k] = rand.NewZipf(r, 1.4, 1, uint64(k-1))
	}
	return fw.writeFile(filepath.Join(dir, name), `{"Records":[`, ",", p.perFile[f], func(b []byte) []byte {
		return g.record(b, p.byAccount[a])
	})
}

// writeFile writes path as one gzipped JSON object: open, then n records
// appended by record and separated by sep, then "]}\n". It returns the gzip
// and JSON byte counts.
func (fw *fileWriter) writeFile(path, open, sep string, n int, record func(b []byte) []byte) (int64, int64, error) {
	return fw.writeFileClose(path, open, sep, "]}\n", n, record)
}

// writeFileClose is writeFile ending with close instead of "]}\n".
func (fw *fileWriter) writeFileClose(path, open, sep, close string, n int, record func(b []byte) []byte) (int64, int64, error) {
	if dir := filepath.Dir(path); !fw.dirs[dir] {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return 0, 0, fmt.Errorf("creating %s: %w", dir, err)
		}
		fw.dirs[dir] = true
	}
	out, err := os.Create(path)
	if err != nil {
		return 0, 0, fmt.Errorf("creating %s: %w", path, err)
	}
	cw := &countWriter{w: out}
	fw.bw.Reset(cw)
	fw.gz.Reset(fw.bw)
	var raw int64
	b := append(fw.buf[:0], open...)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, sep...)
		}
		b = record(b)
		if len(b) > 512<<10 {
			raw += int64(len(b))
			if _, err := fw.gz.Write(b); err != nil {
				out.Close()
				return 0, 0, fmt.Errorf("writing %s: %w", path, err)
			}
			b = b[:0]
		}
	}
	b = append(b, close...)
	raw += int64(len(b))
	fw.buf = b[:0]
	if _, err := fw.gz.Write(b); err != nil {
		out.Close()
		return 0, 0, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := fw.gz.Close(); err != nil {
		out.Close()
		return 0, 0, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := fw.bw.Flush(); err != nil {
		out.Close()
		return 0, 0, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := out.Close(); err != nil {
		return 0, 0, fmt.Errorf("closing %s: %w", path, err)
	}
	return cw.n, raw, nil
}

type countWriter struct {
	w interface{ Write([]byte) (int, error) }
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomTag(r *rand.Rand) string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return string(b)
}

// appendStr appends s as a JSON string.
func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// appendUUID appends a random UUID-shaped string, unquoted.
func appendUUID(b []byte, r *rand.Rand) []byte {
	const hex = "0123456789abcdef"
	x, y := r.Uint64(), r.Uint64()
	for i := 0; i < 32; i++ {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b = append(b, '-')
		}
		var n uint64
		if i < 16 {
			n = x >> (4 * uint(i)) & 0xf
		} else {
			n = y >> (4 * uint(i-16)) & 0xf
		}
		b = append(b, hex[n])
	}
	return b
}

func appendInt(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }
