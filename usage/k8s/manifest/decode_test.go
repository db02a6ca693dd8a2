package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func decodeString(t *testing.T, s string, opts Options) Objects {
	t.Helper()
	out, err := Decode("in.yaml", strings.NewReader(s), opts)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sources(objs Objects) []string {
	var s []string
	for _, o := range objs.Items {
		s = append(s, o.Source)
	}
	return s
}

func problems(objs Objects) []string {
	var s []string
	for _, p := range objs.Problems {
		s = append(s, p.String())
	}
	return s
}

func TestDecodeDocumentLines(t *testing.T) {
	in := strings.Join([]string{
		"%YAML 1.2",                      // 1: a directive before the first document
		"---",                            // 2
		"# a comment before the object",  // 3
		"",                               // 4
		"apiVersion: v1",                 // 5: first document starts here
		"kind: Pod",                      // 6
		"metadata: {name: a}",            // 7
		"--- # separator with a comment", // 8
		"---",                            // 9: an empty document
		"--- {apiVersion: v1, kind: Pod, metadata: {name: b}}", // 10: content on the separator line
		"...",                 // 11: end marker
		"apiVersion: v1\r",    // 12: CRLF line ends
		"kind: Pod\r",         // 13
		"metadata:\r",         // 14
		"  name: c\r",         // 15
		"---",                 // 16
		"apiVersion: v1",      // 17
		"kind: Pod",           // 18
		"metadata:",           // 19
		"  name: d",           // 20
		"  labels: [unclosed", // 21: the error is here
		"---",                 // 22
		"apiVersion: v1",      // 23
		"kind: Pod",           // 24
		"metadata: {name: e}", // 25, no newline at the end
	}, "\n")
	out := decodeString(t, in, Options{})
	if want := []string{"in.yaml:5", "in.yaml:10", "in.yaml:12", "in.yaml:23"}; !reflect.DeepEqual(sources(out), want) {
		t.Errorf("sources = %v, want %v", sources(out), want)
	}
	want := []string{`in.yaml: line 17: yaml: line 21: did not find expected ',' or ']'`}
	if ps := problems(out); !reflect.DeepEqual(ps, want) {
		t.Errorf("problems = %q, want %q", ps, want)
	}
	if out.Documents != 5 {
		t.Errorf("documents = %d, want 5", out.Documents)
	}
}

func TestAbsoluteLines(t *testing.T) {
	got := absoluteLines("error converting YAML to JSON: yaml: line 3: did not find expected key; line x", 40)
	if want := "error converting YAML to JSON: yaml: line 42: did not find expected key; line x"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDecodeLists(t *testing.T) {
	in := `apiVersion: apps/v1
kind: DeploymentList
items:
- metadata:
    name: typed-list-item
  spec:
    template:
      spec:
        containers: [{name: c, image: i}]
- apiVersion: v1
  kind: Pod
  metadata:
    name: a-pod-in-a-deployment-list
- metadata: {}
- 42
- null
---
apiVersion: v1
kind: List
items: []
---
apiVersion: example.com/v1
kind: AllowList
spec: {}
`
	out := decodeString(t, in, Options{Namespace: "team-a"})
	if want := []string{"in.yaml:4", "in.yaml:10"}; !reflect.DeepEqual(sources(out), want) {
		t.Errorf("sources = %v, want %v", sources(out), want)
	}
	d, ok := out.Items[0].Obj.(*appsv1.Deployment)
	if !ok || d.Name != "typed-list-item" || d.Namespace != "team-a" || d.Kind != "Deployment" {
		t.Errorf("item 0 = %#v", out.Items[0].Obj)
	}
	if _, ok := out.Items[1].Obj.(*corev1.Pod); !ok {
		t.Errorf("item 1 = %T, want its own kind", out.Items[1].Obj)
	}
	want := []string{
		"in.yaml: line 14: items[2]: kind Deployment: no metadata.name",
		"in.yaml: line 15: items[3]: not a Kubernetes object: json: cannot unmarshal number into Go value of type v1.TypeMeta",
		// null is no object, even where a typed list would give it a kind.
		"in.yaml: line 16: items[4]: not a Kubernetes object: null",
	}
	if !reflect.DeepEqual(problems(out), want) {
		t.Errorf("problems = %q, want %q", problems(out), want)
	}
	// A kind ending in "List" without items is an object of that kind.
	if out.Skipped["kind AllowList"] != 1 {
		t.Errorf("skipped = %v", out.Skipped)
	}
}

func TestDecodeJSONAndGroups(t *testing.T) {
	in := `{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r", "namespace": "ignored"}}
---
{"apiVersion": "extensions/v1beta1", "kind": "Deployment", "metadata": {"name": "old"}}
---
{"apiVersion": "example.com/v1", "kind": "Deployment", "metadata": {"name": "a-crd"}}
---
{"apiVersion": "v1/x/y", "kind": "Pod", "metadata": {"name": "bad-version"}}
`
	out := decodeString(t, in, Options{})
	if len(out.Items) != 2 {
		t.Fatalf("items = %v", sources(out))
	}
	if cr := out.Items[0].Obj.(*rbacv1.ClusterRole); cr.Namespace != "" {
		t.Errorf("a ClusterRole kept namespace %q", cr.Namespace)
	}
	if d := out.Items[1].Obj.(*appsv1.Deployment); d.Namespace != "default" {
		t.Errorf("namespace = %q, want default", d.Namespace)
	}
	if out.Skipped["kind Deployment"] != 1 {
		t.Errorf("a Deployment of another group was not skipped: %v", out.Skipped)
	}
	if ps := problems(out); len(ps) != 1 || !strings.Contains(ps[0], "line 7: kind Pod: unexpected GroupVersion string") {
		t.Errorf("problems = %v", ps)
	}
}

func TestDecodeLimits(t *testing.T) {
	_, err := Decode("huge.yaml", bytes.NewReader(make([]byte, MaxFileSize+1)), Options{})
	if err == nil || !strings.Contains(err.Error(), "huge.yaml") {
		t.Errorf("error = %v", err)
	}
	out := decodeString(t, "", Options{})
	if len(out.Items)+len(out.Problems)+out.Documents != 0 {
		t.Errorf("empty input gave %+v", out)
	}
	out = decodeString(t, "just a string\n", Options{})
	if ps := problems(out); len(ps) != 1 || !strings.HasPrefix(ps[0], "in.yaml: line 1: not a Kubernetes object") {
		t.Errorf("problems = %v", ps)
	}
}

// FuzzDecode checks Decode never panics and every problem names a line
// of the input.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(testdata, "*.*"))
	more, _ := filepath.Glob(filepath.Join(testdata, "*", "*.yaml"))
	for _, name := range append(files, more...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		// Document by document: the fuzzer minimizes large inputs slowly.
		for _, doc := range bytes.Split(data, []byte("\n---\n")) {
			if len(doc) < 2000 {
				f.Add(doc)
			}
		}
	}
	f.Add([]byte("---\n--- {a: [\n...\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Decode("f.yaml", bytes.NewReader(data), Options{})
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, p := range out.Problems {
			var n int
			if _, err := fmtSscanf(p.Message, &n); err != nil || n < 1 || n > lines {
				t.Errorf("problem %q: line outside 1..%d", p.Message, lines)
			}
		}
		res := Convert(out.Items, nil)
		_ = GrantRecords(res.Grants)
	})
}

func fmtSscanf(msg string, n *int) (int, error) {
	return fmt.Sscanf(msg, "line %d:", n)
}

// TestNewObjectMeta: every kind newObject decodes into has the metadata
// decodeObject reads and sets through metav1.Object.
func TestNewObjectMeta(t *testing.T) {
	kinds := []string{
		"apps/Deployment", "extensions/Deployment", "apps/StatefulSet", "apps/DaemonSet", "extensions/DaemonSet",
		"apps/ReplicaSet", "extensions/ReplicaSet", "batch/Job", "batch/CronJob", "/Pod",
		"rbac.authorization.k8s.io/Role", "rbac.authorization.k8s.io/ClusterRole",
		"rbac.authorization.k8s.io/RoleBinding", "rbac.authorization.k8s.io/ClusterRoleBinding",
	}
	for _, k := range kinds {
		group, kind, _ := strings.Cut(k, "/")
		obj := newObject(schema.GroupVersionKind{Group: group, Version: "v1", Kind: kind})
		if obj == nil {
			t.Errorf("%s: no object", k)
			continue
		}
		if _, ok := obj.(metav1.Object); !ok {
			t.Errorf("%s: %T is not a metav1.Object", k, obj)
		}
	}
}
