package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/leastpriv/pare/usage/record"
	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	sigsyaml "sigs.k8s.io/yaml"
)

// MaxFileSize is the largest manifest file Decode reads.
const MaxFileSize = 64 << 20

// Options are how manifests are read.
type Options struct {
	// Namespace is given to namespaced objects that name none, as
	// `kubectl apply -n` would; "" means "default".
	Namespace string
}

// Object is one typed object and where it was read.
type Object struct {
	Source string         // "manifests/app.yaml:12", "k8s://prod"
	Obj    runtime.Object // *appsv1.Deployment, *corev1.Pod, *rbacv1.Role, ... (see Convert)
}

// Objects is what decoding one input found.
type Objects struct {
	Items     []Object
	Documents int            // documents and list items seen, good or bad
	Skipped   map[string]int // objects of other kinds, by "kind <Kind>"
	Problems  []record.Problem
}

func (o *Objects) skip(reason string) {
	if o.Skipped == nil {
		o.Skipped = make(map[string]int)
	}
	o.Skipped[reason]++
}

// Decode reads one file's manifests: a YAML stream of documents separated
// by "---" lines, or JSON, each document an object or a List of objects.
// A bad document is a Problem naming its start line; the error is only for
// an unreadable or oversized input.
func Decode(name string, r io.Reader, opts Options) (Objects, error) {
	var out Objects
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return out, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return out, fmt.Errorf("%s: larger than %d bytes", name, MaxFileSize)
	}
	ns := opts.Namespace
	if ns == "" {
		ns = "default"
	}
	for _, doc := range splitDocuments(data) {
		decodeDocument(&out, name, ns, doc)
	}
	return out, nil
}

// document is one YAML document: its first line with content (1-based)
// and its text from that line on.
type document struct {
	line int
	data []byte
}

// splitDocuments splits a YAML stream on "---" lines (a "---" followed by
// nothing, blanks or a comment; content after "--- " starts the next
// document) and "..." end markers, dropping documents with no content.
func splitDocuments(data []byte) []document {
	var docs []document
	var cur []byte
	start := 0 // line where cur's content starts; 0 while it has none
	flush := func() {
		if start > 0 {
			docs = append(docs, document{line: start, data: cur})
		}
		cur, start = nil, 0
	}
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		text := strings.TrimRight(string(line), "\r\n")
		if text == "---" || strings.HasPrefix(text, "--- ") || strings.HasPrefix(text, "---\t") || text == "..." || strings.HasPrefix(text, "... ") {
			flush()
			rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(text, "---"), "..."))
			if rest == "" || strings.HasPrefix(rest, "#") || strings.HasPrefix(text, "...") {
				continue
			}
			line = []byte(rest + "\n")
			text = rest
		}
		if start == 0 {
			t := strings.TrimSpace(text)
			if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "%") {
				continue
			}
			start = lineNo
		}
		cur = append(cur, line...)
	}
	flush()
	return docs
}

// decodeDocument decodes one document: an object or a List.
func decodeDocument(out *Objects, name, ns string, doc document) {
	out.Documents++
	problem := func(line int, format string, args ...any) {
		out.Problems = append(out.Problems, record.Problem{Input: name, Index: -1, Message: fmt.Sprintf("line %d: ", line) + fmt.Sprintf(format, args...)})
	}
	js, err := sigsyaml.YAMLToJSON(doc.data)
	if err != nil {
		problem(doc.line, "%s", absoluteLines(err.Error(), doc.line))
		return
	}
	var head metav1.TypeMeta
	if err := json.Unmarshal(js, &head); err != nil {
		problem(doc.line, "not a Kubernetes object: %v", err)
		return
	}
	if head.Kind == "" || head.APIVersion == "" {
		problem(doc.line, "not a Kubernetes object: no apiVersion or kind")
		return
	}
	// A List, or a typed list ("PodList") with items; other kinds ending
	// in "List" are objects of their own.
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	switch {
	case head.Kind == "List":
		if err := json.Unmarshal(js, &list); err != nil {
			problem(doc.line, "kind %s: %v", head.Kind, err)
			return
		}
	case strings.HasSuffix(head.Kind, "List") && json.Unmarshal(js, &list) == nil && list.Items != nil:
		// A typed list: list holds its items.
	default:
		decodeObject(out, name, ns, doc.line, js, head, problem)
		return
	}
	// A List: items may omit apiVersion and kind in a typed list
	// (DeploymentList), where the list's own give them.
	out.Documents-- // count the items instead
	itemKind := strings.TrimSuffix(head.Kind, "List")
	lines := itemLines(doc, len(list.Items))
	for i, raw := range list.Items {
		out.Documents++
		if string(bytes.TrimSpace(raw)) == "null" {
			// It would decode as an empty TypeMeta the list fills in, and
			// has no fields setTypeMeta could set.
			problem(lines[i], "items[%d]: not a Kubernetes object: null", i)
			continue
		}
		var tm metav1.TypeMeta
		if err := json.Unmarshal(raw, &tm); err != nil {
			problem(lines[i], "items[%d]: not a Kubernetes object: %v", i, err)
			continue
		}
		if tm.Kind == "" && itemKind != "" {
			tm.Kind = itemKind
		}
		if tm.APIVersion == "" && itemKind != "" {
			tm.APIVersion = head.APIVersion
		}
		if tm.Kind == "" || tm.APIVersion == "" {
			problem(lines[i], "items[%d]: not a Kubernetes object: no apiVersion or kind", i)
			continue
		}
		item := raw
		if withType, err := setTypeMeta(raw, tm); err == nil {
			item = withType
		}
		decodeObject(out, name, ns, lines[i], item, tm, func(line int, format string, args ...any) {
			problem(line, "items[%d]: "+format, append([]any{i}, args...)...)
		})
	}
}

// setTypeMeta returns the item with apiVersion and kind set.
func setTypeMeta(raw []byte, tm metav1.TypeMeta) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	m["apiVersion"], _ = json.Marshal(tm.APIVersion)
	m["kind"], _ = json.Marshal(tm.Kind)
	return json.Marshal(m)
}

// itemLines finds the line each of a List's n items starts on, falling
// back to the list's own line.
func itemLines(doc document, n int) []int {
	lines := make([]int, n)
	for i := range lines {
		lines[i] = doc.line
	}
	var root yaml.Node
	if err := yaml.Unmarshal(doc.data, &root); err != nil || len(root.Content) == 0 {
		return lines
	}
	m := root.Content[0]
	if m.Kind != yaml.MappingNode {
		return lines
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "items" || m.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		for j, item := range m.Content[i+1].Content {
			if j < n {
				lines[j] = doc.line + item.Line - 1
			}
		}
	}
	return lines
}

// absoluteLines rewrites the YAML parser's "line N" (relative to the
// document) to the file's line numbers.
func absoluteLines(msg string, start int) string {
	const key = "line "
	var b strings.Builder
	for {
		i := strings.Index(msg, key)
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		j := i + len(key)
		k := j
		for k < len(msg) && msg[k] >= '0' && msg[k] <= '9' {
			k++
		}
		b.WriteString(msg[:j])
		if n, err := strconv.Atoi(msg[j:k]); err == nil && k > j {
			b.WriteString(strconv.Itoa(start + n - 1))
		} else {
			b.WriteString(msg[j:k])
		}
		msg = msg[k:]
	}
}

// newObject returns a new typed object for a kind Convert uses, or nil.
// Older API versions of a kind decode into its v1 type, whose fields they
// share.
func newObject(gvk schema.GroupVersionKind) runtime.Object {
	switch gvk.Group + "/" + gvk.Kind {
	case "apps/Deployment", "extensions/Deployment":
		return &appsv1.Deployment{}
	case "apps/StatefulSet":
		return &appsv1.StatefulSet{}
	case "apps/DaemonSet", "extensions/DaemonSet":
		return &appsv1.DaemonSet{}
	case "apps/ReplicaSet", "extensions/ReplicaSet":
		return &appsv1.ReplicaSet{}
	case "batch/Job":
		return &batchv1.Job{}
	case "batch/CronJob":
		return &batchv1.CronJob{}
	case "/Pod":
		return &corev1.Pod{}
	case "rbac.authorization.k8s.io/Role":
		return &rbacv1.Role{}
	case "rbac.authorization.k8s.io/ClusterRole":
		return &rbacv1.ClusterRole{}
	case "rbac.authorization.k8s.io/RoleBinding":
		return &rbacv1.RoleBinding{}
	case "rbac.authorization.k8s.io/ClusterRoleBinding":
		return &rbacv1.ClusterRoleBinding{}
	}
	return nil
}

// decodeObject decodes one object's JSON, whose apiVersion and kind are
// tm, into its typed form.
func decodeObject(out *Objects, name, ns string, line int, js []byte, tm metav1.TypeMeta, problem func(line int, format string, args ...any)) {
	gv, err := schema.ParseGroupVersion(tm.APIVersion)
	if err != nil {
		problem(line, "kind %s: %v", tm.Kind, err)
		return
	}
	obj := newObject(gv.WithKind(tm.Kind))
	if obj == nil {
		out.skip("kind " + tm.Kind)
		return
	}
	if err := json.Unmarshal(js, obj); err != nil {
		problem(line, "kind %s: %v", tm.Kind, err)
		return
	}
	meta, ok := obj.(metav1.Object) // every kind newObject returns has ObjectMeta
	if !ok || meta.GetName() == "" {
		problem(line, "kind %s: no metadata.name", tm.Kind)
		return
	}
	switch obj.(type) {
	case *rbacv1.ClusterRole, *rbacv1.ClusterRoleBinding:
		meta.SetNamespace("")
	default:
		if meta.GetNamespace() == "" {
			meta.SetNamespace(ns)
		}
	}
	out.Items = append(out.Items, Object{Source: fmt.Sprintf("%s:%d", name, line), Obj: obj})
}
