package runtime

import (
	"bytes"
	"fmt"
	"testing"
)

func BenchmarkDecode(b *testing.B) {
	var data bytes.Buffer
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&data, `{"timestamp":"2024-08-01T12:19:02.%09dZ","k8s":{"node":"w","namespace":"ns-%d","podName":"p-%d","containerName":"c","owner":{"kind":"Deployment","name":"d-%d"}},"proc":{"comm":"x","pid":%d,"creds":{"uid":%d,"gid":0}},"cap":"CAP_NET_BIND_SERVICE","audit":1,"syscall":"SYS_BIND","capable":true}`+"\n", i, i%20, i%200, i%200, i, i%3)
		fmt.Fprintf(&data, `{"rule":"Write below root","source":"syscall","time":"2024-08-01T12:30:00Z","output_fields":{"container.name":"c","evt.type":"openat","evt.arg.flags":"O_WRONLY|O_CREAT","fd.name":"/var/cache/%d","k8s.ns.name":"ns-%d","k8s.pod.name":"p-%d","user.uid":%d}}`+"\n", i%50, i%20, i%200, i%3)
	}
	b.SetBytes(int64(data.Len()))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		res, err := Decode("bench.jsonl", bytes.NewReader(data.Bytes()))
		if err != nil || res.Used != 40000 {
			b.Fatal(err, res.Used, res.Problems)
		}
	}
	b.ReportMetric(float64(40000*b.N)/b.Elapsed().Seconds(), "records/s")
}
