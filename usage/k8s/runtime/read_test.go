package runtime

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/synth/k8s/podsec"
)

const testdata = "../../../testdata/k8s/runtime"

func readFiles(t *testing.T, names ...string) Result {
	t.Helper()
	var paths []string
	for _, n := range names {
		paths = append(paths, filepath.Join(testdata, n))
	}
	res, err := Read(paths)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// summary is an observation without its times and source, for comparing.
func summary(o podsec.Observation) string {
	return fmt.Sprintf("%s %s/%s %s/%s caps=%v uids=%v paths=%v n=%d", o.Namespace, o.OwnerKind, o.OwnerName, o.Pod, o.Container, o.Capabilities, o.UIDs, o.WrittenPaths, o.Count)
}

func summaries(res Result) []string {
	var out []string
	for _, o := range res.Observations {
		out = append(out, summary(o))
	}
	return out
}

func problemStrings(res Result) []string {
	var out []string
	for _, p := range res.Problems {
		out = append(out, strings.TrimPrefix(p.String(), testdata+"/"))
	}
	return out
}

func check(t *testing.T, res Result, obs, problems []string, skipped map[string]int, records, used int) {
	t.Helper()
	if got := summaries(res); !reflect.DeepEqual(got, obs) {
		t.Errorf("observations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(obs, "\n"))
	}
	if got := problemStrings(res); !reflect.DeepEqual(got, problems) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(problems, "\n"))
	}
	if !reflect.DeepEqual(res.Skipped, skipped) {
		t.Errorf("skipped = %v, want %v", res.Skipped, skipped)
	}
	if res.Records != records || res.Used != used {
		t.Errorf("records %d, used %d; want %d, %d", res.Records, res.Used, records, used)
	}
}

func TestGadgetV02x(t *testing.T) {
	res := readFiles(t, "ig-capabilities-v0.2x.jsonl")
	check(t, res,
		[]string{
			"shop / postgres-0/init-permissions caps=[CHOWN] uids=[0] paths=[] n=1",
			"shop / postgres-0/postgres caps=[CHOWN] uids=[999] paths=[] n=1",
			// DAC_OVERRIDE was denied and SYS_RESOURCE checked without
			// audit: only their uid 101 is kept.
			"shop / web-7c9d8f-a1/nginx caps=[NET_BIND_SERVICE SETGID SETUID] uids=[0 101] paths=[] n=5",
		},
		[]string{
			"ig-capabilities-v0.2x.jsonl: line 10: unexpected end of JSON input",
			"ig-capabilities-v0.2x.jsonl: line 11: invalid character 'W' looking for beginning of value",
		},
		map[string]int{
			"capability not kept: checked without audit": 1,
			"capability not kept: denied":                1,
			"gadget message (err)":                       1,
			"no Kubernetes pod":                          1,
		}, 11, 7)
	o := res.Observations[2]
	if want := time.Unix(0, 1722514742100348762).UTC(); !o.First.Equal(want) || !o.Last.Equal(time.Unix(0, 1722514742105230101).UTC()) {
		t.Errorf("first %v, last %v", o.First, o.Last)
	}
	if o.Source != filepath.Join(testdata, "ig-capabilities-v0.2x.jsonl") {
		t.Errorf("source = %q", o.Source)
	}
}

func TestGadgetV03x(t *testing.T) {
	res := readFiles(t, "ig-trace-v0.3x.jsonl")
	check(t, res,
		[]string{
			"shop Deployment/web web-7c9d8f-a1/exporter caps=[] uids=[65534] paths=[] n=1",
			"shop Deployment/web web-7c9d8f-a1/nginx caps=[NET_BIND_SERVICE SETUID] uids=[0 101] paths=[/run/nginx.pid /var/cache/nginx/client_temp/0000000001] n=10",
			"shop Deployment/web web-7c9d8f-b2/nginx caps=[CHOWN] uids=[0] paths=[] n=1", // the pretty-printed record
		},
		[]string{
			"ig-trace-v0.3x.jsonl: line 37: invalid character ' ' in literal true (expecting 'e')",
			`ig-trace-v0.3x.jsonl: line 38: timestamp "yesterday": parsing time "yesterday" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "yesterday" as "2006"`,
		},
		map[string]int{
			"capability not kept: checked without audit": 1,
			"capability not kept: denied":                1,
			"open not kept: failed":                      1,
			"open not kept: opened for reading":          1,
			"open not kept: written path on /dev":        1,
		}, 14, 12)
	if o := res.Observations[1]; !o.First.Equal(time.Date(2024, 8, 1, 12, 19, 1, 900000000, time.UTC)) {
		t.Errorf("first = %v", o.First)
	}
}

func TestFalco(t *testing.T) {
	res := readFiles(t, "falco-events.jsonl")
	check(t, res,
		[]string{
			// The mkdir event's dockershim container name is resolved, and
			// its uid is a string; the read of /etc/passwd gives only a uid.
			"shop / postgres-0/postgres caps=[] uids=[999] paths=[/tmp/pg_stat_tmp /var/lib/postgresql/data/pgdata/pg_wal/000000010000000000000001] n=3",
			"shop / web-7c9d8f-a1/nginx caps=[] uids=[0] paths=[/etc/nginx/conf.d/upstream.conf] n=2",
		},
		[]string{
			"falco-events.jsonl: line 8: unexpected end of JSON input",
			`falco-events.jsonl: line 9: output_fields.user.uid: "root" is not an integer`,
		},
		map[string]int{"Falco source k8s_audit": 1, "no Kubernetes pod": 1}, 9, 5)
}

func TestReadMerges(t *testing.T) {
	res := readFiles(t, "falco-events.jsonl", "ig-capabilities-v0.2x.jsonl")
	var web podsec.Observation
	for _, o := range res.Observations {
		if o.Pod == "web-7c9d8f-a1" && o.Container == "nginx" {
			web = o
		}
	}
	want := "shop / web-7c9d8f-a1/nginx caps=[NET_BIND_SERVICE SETGID SETUID] uids=[0 101] paths=[/etc/nginx/conf.d/upstream.conf] n=7"
	if summary(web) != want {
		t.Errorf("merged = %s, want %s", summary(web), want)
	}
	if want := filepath.Join(testdata, "falco-events.jsonl") + ", " + filepath.Join(testdata, "ig-capabilities-v0.2x.jsonl"); web.Source != want {
		t.Errorf("source = %q, want %q", web.Source, want)
	}
	if !web.First.Equal(time.Unix(0, 1722514742100348762).UTC()) || !web.Last.Equal(time.Date(2024, 8, 1, 12, 31, 10, 1, time.UTC)) {
		t.Errorf("first %v, last %v", web.First, web.Last)
	}
	if pg := res.Observations[1]; summary(pg) != "shop / postgres-0/postgres caps=[CHOWN] uids=[999] paths=[/tmp/pg_stat_tmp /var/lib/postgresql/data/pgdata/pg_wal/000000010000000000000001] n=4" {
		t.Errorf("merged postgres = %s", summary(pg))
	}
	if len(res.Observations) != 3 || res.Records != 20 || len(res.Problems) != 4 {
		t.Errorf("%d observations, %d records, %d problems", len(res.Observations), res.Records, len(res.Problems))
	}
	if _, err := Read([]string{filepath.Join(testdata, "missing.jsonl")}); err == nil || !strings.Contains(err.Error(), "missing.jsonl") {
		t.Errorf("missing file: %v", err)
	}
}
