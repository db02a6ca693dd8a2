package runtime

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func decode(t *testing.T, in string) Result {
	t.Helper()
	res, err := Decode("in.json", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSplitter(t *testing.T) {
	in := strings.Join([]string{
		`{"a": 1}`, // 1
		``,         // 2
		`{`,        // 3: pretty-printed
		`  "s": "}{[",`,
		`  "b": {"c": [1, 2]}`,
		`}`,                  // 6
		"{\"crlf\": true}\r", // 7
		`[{"x": 1},`,         // 8: a pretty-printed array
		` {"x": 2}]`,
		`{"unclosed": "`, // 10: a line that does not open a value is a record whole
		`[`,              // 11: the input ends inside this one
		`  {"y": 1},`,
	}, "\n")
	s, err := open(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		r, ok := s.next()
		if !ok {
			break
		}
		got = append(got, fmt.Sprintf("%d:%s%s", r.line, r.data, r.err))
	}
	want := []string{
		`1:{"a": 1}`,
		`3:{  "s": "}{[",  "b": {"c": [1, 2]}}`,
		`7:{"crlf": true}`,
		`8:[{"x": 1}, {"x": 2}]`,
		`10:{"unclosed": "`,
		`11:the input ends inside this record`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSplitterLimits(t *testing.T) {
	long := `{"k": "` + strings.Repeat("x", MaxRecord) + `"}`
	in := long + "\n" + `{"after": 1}` + "\n{\n" + strings.Repeat(`"k": "`+strings.Repeat("y", 1000)+`",`+"\n", MaxRecord/1000) + "}\n" + `{"end": 1}`
	s, err := open(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		r, ok := s.next()
		if !ok {
			break
		}
		if len(r.data) > 100 {
			r.data = r.data[:100]
		}
		got = append(got, fmt.Sprintf("%d:%s%s", r.line, r.data, r.err))
	}
	n := MaxRecord/1000 + 4
	want := []string{
		fmt.Sprintf("1:a line longer than %d bytes", MaxRecord),
		`2:{"after": 1}`,
		fmt.Sprintf("3:a record longer than %d bytes", MaxRecord),
	}
	// What follows the oversized record's cut is read as records again;
	// the last line must still come out whole.
	if len(got) < 4 || !reflect.DeepEqual(got[:3], want) || got[len(got)-1] != fmt.Sprintf(`%d:{"end": 1}`, n+1) {
		t.Errorf("records: %q", got)
	}
}

func TestDecodeGzipAndArrays(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	fmt.Fprintln(zw, `[{"k8s":{"namespace":"ns","podName":"p","containerName":"c"},"proc":{"creds":{"uid":7}},"args":"/bin/true"}, 5]`)
	zw.Close()
	res, err := Decode("in.json.gz", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := summaries(res); len(got) != 1 || got[0] != "ns / p/c caps=[] uids=[7] paths=[] n=1" {
		t.Errorf("observations = %v", got)
	}
	if len(res.Problems) != 1 || res.Problems[0].String() != "in.json.gz: line 1: element 1: not a JSON object" {
		t.Errorf("problems = %v", res.Problems)
	}
	if _, err := Decode("bad.gz", bytes.NewReader([]byte{0x1f, 0x8b, 0, 0})); err == nil || !strings.Contains(err.Error(), "bad.gz") {
		t.Errorf("corrupt gzip: error = %v", err)
	}
}

func TestGadgetLayouts(t *testing.T) {
	in := strings.Join([]string{
		// v0.2x trace_open: path, flags as names, err, uid 0 omitted.
		`{"namespace":"ns","pod":"p","container":"c","type":"normal","timestamp":1,"pid":1,"comm":"sh","fd":3,"flags":["O_WRONLY","O_CREAT"],"flagsRaw":65,"mode":"-rw-r--r--","path":"/data/../tmp/./x"}`,
		`{"namespace":"ns","pod":"p","container":"c","type":"normal","uid":33,"flagsRaw":578,"fullPath":"/var/log/app.log","path":"app.log"}`,
		`{"namespace":"ns","pod":"p","container":"c","type":"normal","uid":33,"err":2,"flags":["O_RDWR"],"path":"/nope"}`,
		`{"namespace":"ns","pod":"p","container":"c","type":"normal","uid":33,"flagsRaw":0,"path":"/etc/hosts"}`,
		`{"namespace":"ns","pod":"p","container":"c","type":"normal","uid":33,"flags":["O_WRONLY"],"path":"relative/file"}`,
		// v0.2x capability by number only; an unknown one; no verdict.
		`{"namespace":"ns","pod":"p","container":"c","uid":0,"cap":13,"audit":1,"verdict":"Allow"}`,
		`{"namespace":"ns","pod":"p","container":"c","uid":0,"cap":"CAP_FUTURE","audit":1,"capable":true}`,
		`{"namespace":"ns","pod":"p","container":"c","uid":0,"capName":"KILL","audit":1}`,
		// v0.2x exec: args as a list; uid (uid_t)-1 is no uid.
		`{"k8s":{"namespace":"ns","pod":"p","container":"c"},"uid":4294967295,"args":["/bin/sh","-c","true"],"ret":0}`,
		// Records of other gadgets and bad field types.
		`{"k8s":{"namespace":"ns","podName":"p","containerName":"c"},"proc":{"creds":{"uid":0}},"src":{"addr":"10.0.0.1"}}`,
		`{"namespace":"ns","pod":"p","container":"c","cap":{"x":1},"verdict":"Allow"}`,
		`{"namespace":"ns","pod":"p","container":"c","cap":"CAP_KILL","capable":true,"audit":"yes"}`,
		`{"namespace":"ns","pod":"p","container":"c","path":"/x","flags":{"w":1}}`,
		`{"namespace":"ns","pod":"p","container":"c","fname":"/x","flags":"O_WRONLY","error":["E"]}`,
		`{"namespace":"ns","pod":"p","container":"c","fname":"/x","flags":"O_WRONLY","timestamp":true}`,
	}, "\n")
	res := decode(t, in)
	check(t, res,
		[]string{"ns / p/c caps=[NET_RAW] uids=[0 33] paths=[/tmp/x /var/log/app.log] n=9"},
		[]string{
			"in.json: line 11: cap {\"x\":1}: not a capability name or number",
			`in.json: line 12: audit "yes": not a number`,
			`in.json: line 13: flags {"w":1}: not names or a number`,
			`in.json: line 14: error ["E"]: not a string or number`,
			"in.json: line 15: timestamp true: not nanoseconds or RFC 3339",
		},
		map[string]int{
			"capability not kept: no verdict":          1,
			"capability not kept: unknown capability":  1,
			"gadget record of another kind":            1,
			"open not kept: failed":                    1,
			"open not kept: opened for reading":        1,
			"open not kept: written path not absolute": 1,
		}, 15, 9)
}

func TestFalcoWrites(t *testing.T) {
	line := func(evtType, rule, extra string) string {
		return `{"rule":"` + rule + `","source":"syscall","time":"2024-01-01T00:00:00Z","output_fields":{"k8s.ns.name":"ns","k8s.pod.name":"p","container.name":"c","evt.type":"` + evtType + `"` + extra + `}}`
	}
	in := strings.Join([]string{
		line("openat", "Write below binary dir", `,"fd.name":"/usr/bin/x"`),                                            // no flags: the rule says write
		line("openat", "Custom", `,"fd.name":"/var/lib/a","evt.is_open_write":true`),                                   // Falco says write
		line("open", "Custom", `,"fd.name":"/var/lib/b","evt.is_open_write":"true"`),                                   // as a string
		line("openat", "Custom", `,"fd.name":"/etc/shadow","evt.arg.flags":"O_RDONLY"`),                                // a read
		line("openat2", "Custom", `,"fd.name":"data/c (/srv/data/c)","evt.arg.flags":"577(O_WRONLY|O_CREAT|O_TRUNC)"`), // resolved form
		line("renameat2", "Custom", `,"evt.arg.oldpath":"/srv/tmp1","evt.arg.newpath":"/srv/final"`),
		line("unlinkat", "Custom", `,"evt.arg.name":"<NA>","fd.name":"/proc/1/fd/3"`),
		line("connect", "Custom", `,"fd.name":"10.0.0.1:5432"`),
		`{"rule":"x","output_fields":{"k8s.ns.name":"ns","k8s.pod.name":"p","container.name":"c","evt.time":1704067200000000000,"user.uid":-1}}`,
		`{"rule":"x","output_fields":{"k8s.ns.name":"<NA>","k8s.pod.name":"<NA>"}}`,
		`{"rule":"x","output_fields":{"k8s.ns.name":5}}`,
		`{"rule":"x","time":"noon","output_fields":{"k8s.ns.name":"ns"}}`,
		`{"rule":"x","output_fields":{"k8s.ns.name":"ns","evt.time":"soon"}}`,
	}, "\n")
	res := decode(t, in)
	check(t, res,
		[]string{"ns / p/c caps=[] uids=[] paths=[/srv/data/c /srv/final /srv/tmp1 /usr/bin/x /var/lib/a /var/lib/b] n=9"},
		[]string{
			"in.json: line 11: output_fields.k8s.ns.name: 5 is not a string",
			`in.json: line 12: time "noon": parsing time "noon" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "noon" as "2006"`,
			`in.json: line 13: output_fields.evt.time: "soon" is not an integer`,
		},
		map[string]int{"no Kubernetes pod": 1}, 13, 9)
}

func TestHelpers(t *testing.T) {
	for in, want := range map[string]string{"cap_sys_admin": "SYS_ADMIN", "NET_RAW": "NET_RAW", "CAP_NOPE": "", " bpf ": "BPF"} {
		if got := capability(in); got != want {
			t.Errorf("capability(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"k8s_nginx_web-1_shop_uid_0": "nginx", "k8s__p_n_u_0": "k8s__p_n_u_0", "nginx": "nginx", "k8s_a_b": "k8s_a_b"} {
		if got := dockerContainer(in); got != want {
			t.Errorf("dockerContainer(%q) = %q, want %q", in, got, want)
		}
	}
	for flags, want := range map[int64]bool{0: false, 1: true, 2: true, 0o100: true, 0o1000: true, 0o2000: true, 0o2000000: false, 0o20200000: true} {
		if rawWriteFlags(flags) != want {
			t.Errorf("rawWriteFlags(%o) != %v", flags, want)
		}
	}
	for flags, want := range map[string]bool{"O_RDONLY|O_CLOEXEC": false, "O_RDONLY|O_CREAT": true, "O_WRONLY_X": false, "": false, "2(O_RDWR)": true} {
		if writeFlags(flags) != want {
			t.Errorf("writeFlags(%q) != %v", flags, want)
		}
	}
}

// FuzzDecode checks Decode never panics and every problem names a line of
// the input.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(testdata, "*.jsonl"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		// Line by line: the fuzzer minimizes large inputs slowly.
		for _, line := range bytes.Split(data, []byte("\n")) {
			f.Add(line)
		}
	}
	f.Add([]byte("{\n  \"k8s\": {\"namespace\": \"ns\", \"podName\": \"p\"},\n  \"cap\": \"CAP_KILL\", \"capable\": true, \"audit\": 1\n}\n[\n\"\\\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Decode("f.json", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, p := range res.Problems {
			var n int
			if _, err := fmt.Sscanf(p.Message, "line %d:", &n); err != nil || n < 1 || n > lines {
				t.Errorf("problem %q: line outside 1..%d", p.Message, lines)
			}
		}
		if res.Used > res.Records || len(res.Problems) > res.Records {
			t.Errorf("used %d, problems %d of %d records", res.Used, len(res.Problems), res.Records)
		}
	})
}
