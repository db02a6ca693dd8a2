package fetch

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/usage/record"
)

// S3API is the subset of *s3.Client that S3 uses.
type S3API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// level is a position in CloudTrail's S3 layout:
// PREFIX/AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/file.
type level int

const (
	atRoot    level = iota // PREFIX/
	atAWSLogs              // .../AWSLogs/
	atOrg                  // .../AWSLogs/o-ORGID/
	atAccount              // .../ACCOUNT/
	atTrail                // .../ACCOUNT/CloudTrail/
	atRegion               // .../CloudTrail/REGION/
	atDate                 // inside the date folders: list flat and filter by the key's date
)

// S3 lists s3://bucket/prefix and returns one record.Input per CloudTrail log
// object (.json or .json.gz), sorted by key. prefix may stop at any folder of
// the layout PREFIX/AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/.
// CloudTrail-Digest and CloudTrail-Insight folders are skipped and counted in
// the Report.
//
// Only day folders that can hold events of w are read: a day folder holds
// the events of its UTC day, give or take one day of delivery lag. When w is
// bounded at both ends and spans at most 200 days, the day prefixes are
// listed directly; otherwise the year, month and day folders are listed and
// pruned by the bounds there are.
func S3(ctx context.Context, client S3API, bucket, prefix string, w synth.Window) ([]record.Input, Report, error) {
	l := &lister{ctx: ctx, client: client, bucket: bucket, w: w}
	start, lv := startLevel(prefix)
	if err := l.walk(start, lv); err != nil {
		return nil, l.report, err
	}
	sort.Slice(l.inputs, func(i, j int) bool { return l.inputs[i].Name < l.inputs[j].Name })
	return l.inputs, l.report, nil
}

type lister struct {
	ctx    context.Context
	client S3API
	bucket string
	w      synth.Window
	inputs []record.Input
	report Report
}

// startLevel finds where in the layout a user's prefix points. A prefix is
// taken as a folder: "logs" means "logs/".
func startLevel(prefix string) (string, level) {
	prefix = strings.Trim(prefix, "/")
	if prefix == "" {
		return "", atRoot
	}
	segs := strings.Split(prefix, "/")
	i := -1
	for j, s := range segs {
		if s == "AWSLogs" {
			i = j
		}
	}
	p := prefix + "/"
	if i < 0 {
		return p, atRoot
	}
	rest := segs[i+1:]
	lv := atAWSLogs
	for _, s := range rest {
		switch lv {
		case atAWSLogs:
			if strings.HasPrefix(s, "o-") {
				lv = atOrg
			} else {
				lv = atAccount
			}
		case atOrg:
			lv = atAccount
		case atAccount:
			lv = atTrail
		case atTrail:
			lv = atRegion
		default:
			lv = atDate
		}
	}
	return p, lv
}

func (l *lister) walk(prefix string, lv level) error {
	if err := l.ctx.Err(); err != nil {
		return err
	}
	switch lv {
	case atRoot:
		return l.walk(prefix+"AWSLogs/", atAWSLogs)
	case atAWSLogs, atOrg:
		folders, err := l.folders(prefix)
		if err != nil {
			return err
		}
		for _, f := range folders {
			switch {
			case lv == atAWSLogs && strings.HasPrefix(f, "o-"):
				err = l.walk(prefix+f+"/", atOrg)
			case isAccount(f):
				err = l.walk(prefix+f+"/", atAccount)
			default:
				l.report.skip("unexpected folder")
			}
			if err != nil {
				return err
			}
		}
		return nil
	case atAccount:
		folders, err := l.folders(prefix)
		if err != nil {
			return err
		}
		for _, f := range folders {
			switch f {
			case "CloudTrail":
				if err := l.walk(prefix+f+"/", atTrail); err != nil {
					return err
				}
			case "CloudTrail-Digest", "CloudTrail-Insight":
				l.report.skip(f + " folder")
			default:
				l.report.skip("unexpected folder")
			}
		}
		return nil
	case atTrail:
		folders, err := l.folders(prefix)
		if err != nil {
			return err
		}
		for _, f := range folders {
			if err := l.walk(prefix+f+"/", atRegion); err != nil {
				return err
			}
		}
		return nil
	case atRegion:
		if !l.w.From.IsZero() && !l.w.To.IsZero() && len(dayRange(l.w)) <= maxDayLists {
			for _, day := range dayRange(l.w) {
				if err := l.objects(prefix+day.Format("2006/01/02")+"/", false); err != nil {
					return err
				}
			}
			return nil
		}
		if l.w.From.IsZero() && l.w.To.IsZero() {
			return l.objects(prefix, true)
		}
		return l.dates(prefix, 0, nil)
	default:
		return l.objects(prefix, true)
	}
}

// dates descends the year, month and day folders under a region prefix,
// pruning each by the window, then lists the files of the day folders kept.
// depth is 0 for years, 1 for months, 2 for days; parts holds the numbers
// parsed so far.
func (l *lister) dates(prefix string, depth int, parts []int) error {
	folders, err := l.folders(prefix)
	if err != nil {
		return err
	}
	for _, f := range folders {
		n, ok := dateNumber(f, depth)
		if !ok {
			l.report.skip("unexpected folder")
			continue
		}
		p := append(parts[:len(parts):len(parts)], n)
		first, last := span(p)
		if !overlaps(first, last, l.w) {
			l.report.skip("outside window")
			continue
		}
		if depth == 2 {
			err = l.objects(prefix+f+"/", false)
		} else {
			err = l.dates(prefix+f+"/", depth+1, p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// dateNumber parses a year (depth 0: 4 digits), month (1: 01-12) or day
// (2: 01-31) folder name.
func dateNumber(s string, depth int) (int, bool) {
	want := 2
	if depth == 0 {
		want = 4
	}
	if len(s) != want {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	switch depth {
	case 1:
		return n, n >= 1 && n <= 12
	case 2:
		return n, n >= 1 && n <= 31
	}
	return n, true
}

// span gives the first and last UTC day a partial date [year, month, day]
// covers.
func span(p []int) (first, last time.Time) {
	switch len(p) {
	case 1:
		first = time.Date(p[0], 1, 1, 0, 0, 0, 0, time.UTC)
		return first, first.AddDate(1, 0, -1)
	case 2:
		first = time.Date(p[0], time.Month(p[1]), 1, 0, 0, 0, 0, time.UTC)
		return first, first.AddDate(0, 1, -1)
	default:
		first = time.Date(p[0], time.Month(p[1]), p[2], 0, 0, 0, 0, time.UTC)
		return first, first
	}
}

const day = 24 * time.Hour

// maxDayLists is the longest bounded window whose day prefixes are listed
// one by one; past it, listing the year and month folders first costs fewer
// requests.
const maxDayLists = 200

// overlaps reports whether day folders first..last (UTC days) can hold
// events of w: a folder of day D holds events from D-1 (delivery lag) to the
// end of D+1 (slack).
func overlaps(first, last time.Time, w synth.Window) bool {
	if !w.To.IsZero() && first.Add(-day).After(w.To) {
		return false
	}
	if !w.From.IsZero() && !last.Add(2*day).After(w.From) {
		return false
	}
	return true
}

// dayRange lists the UTC days whose folders can hold events of a bounded
// window: one day before its first day to one day after its last.
func dayRange(w synth.Window) []time.Time {
	from := w.From.UTC().Truncate(day).Add(-day)
	to := w.To.UTC().Truncate(day).Add(day)
	var days []time.Time
	for d := from; !d.After(to); d = d.Add(day) {
		days = append(days, d)
	}
	return days
}

// dayOfKey parses the YYYY/MM/DD folders just above a key's file name.
func dayOfKey(key string) (time.Time, bool) {
	segs := strings.Split(key, "/")
	if len(segs) < 4 {
		return time.Time{}, false
	}
	segs = segs[len(segs)-4 : len(segs)-1]
	var p []int
	for depth, s := range segs {
		n, ok := dateNumber(s, depth)
		if !ok {
			return time.Time{}, false
		}
		p = append(p, n)
	}
	d, _ := span(p)
	if d.Day() != p[2] { // e.g. 2024/02/31
		return time.Time{}, false
	}
	return d, true
}

// folders lists the sub-folder names directly under prefix.
func (l *lister) folders(prefix string) ([]string, error) {
	var names []string
	err := l.list(prefix, "/", func(out *s3.ListObjectsV2Output) {
		for _, cp := range out.CommonPrefixes {
			name := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), prefix), "/")
			if name != "" {
				names = append(names, name)
			}
		}
	})
	sort.Strings(names)
	return names, err
}

// objects lists every key under prefix and keeps the log objects. When
// filter is set, keys are also checked against the window by their date
// folders.
func (l *lister) objects(prefix string, filter bool) error {
	return l.list(prefix, "", func(out *s3.ListObjectsV2Output) {
		for _, o := range out.Contents {
			key := aws.ToString(o.Key)
			if strings.Contains(key, "/CloudTrail-Digest/") || strings.Contains(key, "/CloudTrail-Insight/") {
				l.report.skip("not a log object")
				continue
			}
			if !strings.HasSuffix(key, ".json") && !strings.HasSuffix(key, ".json.gz") {
				l.report.skip("not a log object")
				continue
			}
			if filter && (!l.w.From.IsZero() || !l.w.To.IsZero()) {
				d, ok := dayOfKey(key)
				if !ok {
					l.report.skip("not a log object")
					continue
				}
				if !overlaps(d, d, l.w) {
					l.report.skip("outside window")
					continue
				}
			}
			l.inputs = append(l.inputs, l.input(key, o.Size, o.LastModified))
		}
	})
}

func (l *lister) input(key string, size *int64, mod *time.Time) record.Input {
	client, bucket := l.client, l.bucket
	in := record.Input{
		Name: "s3://" + bucket + "/" + key,
		Size: -1,
		Open: func(ctx context.Context) (io.ReadCloser, error) {
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				return nil, fmt.Errorf("getting s3://%s/%s: %w", bucket, key, err)
			}
			return out.Body, nil
		},
	}
	if size != nil {
		in.Size = *size
	}
	if mod != nil {
		in.ModTime = mod.UTC()
	}
	return in
}

// list pages through ListObjectsV2 for prefix and delimiter.
func (l *lister) list(prefix, delimiter string, page func(*s3.ListObjectsV2Output)) error {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(l.bucket), Prefix: aws.String(prefix)}
	if delimiter != "" {
		in.Delimiter = aws.String(delimiter)
	}
	p := s3.NewListObjectsV2Paginator(l.client, in)
	for p.HasMorePages() {
		out, err := p.NextPage(l.ctx)
		if err != nil {
			return fmt.Errorf("listing s3://%s/%s: %w", l.bucket, prefix, err)
		}
		page(out)
	}
	return nil
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
