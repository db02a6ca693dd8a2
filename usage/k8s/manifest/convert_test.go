package manifest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/leastpriv/pare/synth/k8s"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func newClusterRole(name string, labels map[string]string, agg []map[string]string, rules ...rbacv1.PolicyRule) Object {
	cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Rules: rules}
	if agg != nil {
		cr.AggregationRule = &rbacv1.AggregationRule{}
		for _, m := range agg {
			cr.AggregationRule.ClusterRoleSelectors = append(cr.AggregationRule.ClusterRoleSelectors, metav1.LabelSelector{MatchLabels: m})
		}
	}
	return Object{Source: "cr/" + name, Obj: cr}
}

func crb(name, role string, subjects ...rbacv1.Subject) Object {
	return Object{Source: "crb/" + name, Obj: &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: subjects,
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
	}}
}

func rule(verbs, groups, resources string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: strings.Split(verbs, ","), APIGroups: strings.Split(groups, ","), Resources: strings.Split(resources, ",")}
}

var alice = rbacv1.Subject{Kind: "User", Name: "alice"}

// ruleKey shows a rule in tests: groups|resources|names|URLs|verbs, each
// list joined with ",".
func ruleKey(r k8s.Rule) string {
	return strings.Join([]string{
		strings.Join(r.APIGroups, ","), strings.Join(r.Resources, ","), strings.Join(r.ResourceNames, ","),
		strings.Join(r.NonResourceURLs, ","), strings.Join(r.Verbs, ","),
	}, "|")
}

func grantKeys(res Result) []string {
	var out []string
	for _, g := range res.Grants {
		out = append(out, Principal(g.Subject)+" "+g.Namespace+" "+ruleKey(g.Rule))
	}
	return out
}

func TestAggregation(t *testing.T) {
	objs := []Object{
		// view-ish <- pods reader; edit-ish aggregates view-ish and a
		// writer; admin-ish aggregates edit-ish. Own rules of aggregated
		// roles are replaced, as the controller does.
		newClusterRole("admin-ish", nil, []map[string]string{{"to": "admin"}}, rule("delete", "", "namespaces")),
		newClusterRole("edit-ish", map[string]string{"to": "admin"}, []map[string]string{{"to": "edit"}}),
		newClusterRole("view-ish", map[string]string{"to": "edit"}, []map[string]string{{"to": "view"}}),
		newClusterRole("pods-reader", map[string]string{"to": "view"}, nil, rule("get,list", "", "pods")),
		newClusterRole("writer", map[string]string{"to": "edit"}, nil, rule("create", "apps", "deployments")),
		// A cycle: a <-> b, each also with a plain role.
		newClusterRole("a", map[string]string{"ring": "b"}, []map[string]string{{"ring": "a"}}),
		newClusterRole("b", map[string]string{"ring": "a"}, []map[string]string{{"ring": "b"}}),
		newClusterRole("plain", map[string]string{"ring": "a"}, nil, rule("get", "", "secrets")),
		// An empty selector matches nothing.
		newClusterRole("empty", nil, []map[string]string{{}}),
		crb("admins", "admin-ish", alice),
		crb("ring", "b", rbacv1.Subject{Kind: "Group", Name: "ring"}),
		crb("empty", "empty", alice),
	}
	res := Convert(objs, nil)
	want := []string{
		"group:ring  |secrets|||get",
		"alice  |pods|||get,list",
		"alice  apps|deployments|||create",
	}
	if got := grantKeys(res); !reflect.DeepEqual(got, want) {
		t.Errorf("grants:\n%q\nwant\n%q", got, want)
	}
	if len(res.Problems) != 0 {
		t.Errorf("problems: %v", res.Problems)
	}
}

func TestBindingRules(t *testing.T) {
	ns := func(o Object, n string) Object {
		switch v := o.Obj.(type) {
		case *rbacv1.RoleBinding:
			v.Namespace = n
		case *rbacv1.Role:
			v.Namespace = n
		}
		return o
	}
	rb := func(name, kind, role string, subjects ...rbacv1.Subject) Object {
		return ns(Object{Source: "rb/" + name, Obj: &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: subjects,
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: kind, Name: role},
		}}, "dev")
	}
	urls := rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}
	objs := []Object{
		newClusterRole("mixed", nil, nil, rule("get", "", "pods"), urls, rbacv1.PolicyRule{Verbs: []string{"get"}}, rule("list", "", "pods,pods")),
		ns(Object{Source: "role/r", Obj: &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r"}, Rules: []rbacv1.PolicyRule{rule("get", "", "pods")}}}, "dev"),
		ns(Object{Source: "role/r-again", Obj: &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r"}}}, "dev"),
		rb("to-cluster-role", "ClusterRole", "mixed", rbacv1.Subject{Kind: "ServiceAccount", Name: "app"}),
		rb("to-role", "Role", "r", alice, rbacv1.Subject{Kind: "Robot", Name: "r2"}, rbacv1.Subject{Kind: "User"}),
		rb("missing-role", "Role", "nope", alice),
		rb("bad-kind", "Secret", "x", alice),
		crb("bad-sa", "mixed", rbacv1.Subject{Kind: "ServiceAccount", Name: "no-ns"}),
		{Source: "crb/to-role", Obj: &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "to-role"},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "r"}}},
		{Source: "crb/bad-group", Obj: &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "bad-group"},
			RoleRef: rbacv1.RoleRef{APIGroup: "example.com", Kind: "ClusterRole", Name: "mixed"}}},
	}
	res := Convert(objs, nil)
	want := []string{
		"system:serviceaccount:dev:app dev |pods|||get",
		"system:serviceaccount:dev:app dev |pods|||list",
		"alice dev |pods|||get",
	}
	if got := grantKeys(res); !reflect.DeepEqual(got, want) {
		t.Errorf("grants:\n%q\nwant\n%q", got, want)
	}
	var problems []string
	for _, p := range res.Problems {
		problems = append(problems, p.String())
	}
	wantProblems := []string{
		"role/r-again: Role dev/r defined again (first at role/r); this one is ignored",
		`rb/to-role: RoleBinding/dev/to-role: subjects[1]: kind "Robot", want User, Group or ServiceAccount`,
		"rb/to-role: RoleBinding/dev/to-role: subjects[2]: User without a name",
		"rb/missing-role: RoleBinding/dev/missing-role: Role dev/nope not found; it grants nothing here",
		`rb/bad-kind: RoleBinding/dev/bad-kind: roleRef kind "Secret", want Role or ClusterRole`,
		"crb/bad-sa: ClusterRoleBinding/bad-sa: subjects[0]: ServiceAccount no-ns without a namespace",
		`crb/to-role: ClusterRoleBinding/to-role: roleRef kind "Role": a ClusterRoleBinding binds only a ClusterRole`,
		`crb/bad-group: ClusterRoleBinding/bad-group: roleRef apiGroup "example.com", want "rbac.authorization.k8s.io"`,
	}
	if !reflect.DeepEqual(problems, wantProblems) {
		t.Errorf("problems:\n%s\nwant\n%s", strings.Join(problems, "\n"), strings.Join(wantProblems, "\n"))
	}
	wantSkipped := map[string]int{
		"RBAC rule that allows nothing":                             1,
		"non-resource rule bound by a RoleBinding (grants nothing)": 1,
	}
	if !reflect.DeepEqual(res.Skipped, wantSkipped) {
		t.Errorf("skipped = %v, want %v", res.Skipped, wantSkipped)
	}
}

func TestEncodable(t *testing.T) {
	for _, c := range []struct {
		rule rbacv1.PolicyRule
		want string
	}{
		{rule("get", "", "pods.apps"), `resources: "pods.apps" has one of "."`},
		{rule("get", "a/b", "pods"), `apiGroups: "a/b" has one of "/"`},
		{rule("", "", "pods"), "verbs: an empty value"},
		{rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}, ResourceNames: []string{""}}, "resourceNames: an empty value"},
		{rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"healthz"}}, `"healthz" does not start with "/"`},
		{rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/a b"}}, "has a blank"},
		{rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}, NonResourceURLs: []string{"/x"}}, "both nonResourceURLs and resources"},
	} {
		res := Convert([]Object{newClusterRole("r", nil, nil, c.rule), crb("b", "r", alice)}, nil)
		if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, c.want) || len(res.Grants) != 0 {
			t.Errorf("%+v: problems %v, grants %v; want one problem with %q", c.rule, res.Problems, res.Grants, c.want)
		}
	}
}

func TestPodStandIns(t *testing.T) {
	yes := true
	pod := func(name, ownerKind, owner string) Object {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "dev"}}
		if ownerKind != "" {
			p.OwnerReferences = []metav1.OwnerReference{
				{Kind: "Other", Name: "not-the-controller"},
				{Kind: ownerKind, Name: owner, Controller: &yes},
			}
		}
		return Object{Source: "pod/" + name, Obj: p}
	}
	objs := []Object{
		pod("job-1-a", "Job", "job-1"), pod("job-1-b", "Job", "job-1"), // one Job, not given
		pod("ds-x", "DaemonSet", "ds"), // its DaemonSet given below
		pod("crd-owned", "Rollout", "r"),
		{Source: "ds", Obj: &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "ds", Namespace: "dev"}}},
		{Source: "cj", Obj: &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: "cj", Namespace: "other"}}},
		// A Job whose CronJob has that name in another namespace is not folded.
		{Source: "job-2", Obj: &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "job-2", Namespace: "dev",
			OwnerReferences: []metav1.OwnerReference{{Kind: "CronJob", Name: "cj", Controller: &yes}}}}},
		{Source: "cm", Obj: &corev1.ConfigMap{}},
	}
	res := Convert(objs, nil)
	var got []string
	for _, w := range res.Workloads {
		got = append(got, w.Kind+" "+w.Namespace+"/"+w.Name+" "+w.Source)
	}
	want := []string{
		"DaemonSet dev/ds ds",
		"Job dev/job-1 pod/job-1-a",
		"Job dev/job-2 job-2",
		"Pod dev/crd-owned pod/crd-owned",
		"CronJob other/cj cj",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("workloads:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantSkipped := map[string]int{
		"Pod folded into its DaemonSet":       1,
		"Pod of a Job another Pod stands for": 1,
		"type *v1.ConfigMap":                  1,
	}
	if !reflect.DeepEqual(res.Skipped, wantSkipped) {
		t.Errorf("skipped = %v, want %v", res.Skipped, wantSkipped)
	}
}

func TestDuplicateWorkloads(t *testing.T) {
	d := func(src string) Object {
		return Object{Source: src, Obj: &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "dev"}}}
	}
	res := Convert([]Object{d("b.yaml:1"), d("a.yaml:3")}, nil)
	if len(res.Workloads) != 1 || res.Workloads[0].Source != "a.yaml:3" {
		t.Errorf("workloads = %+v", res.Workloads)
	}
	if len(res.Problems) != 1 || res.Problems[0].String() != "b.yaml:1: Deployment dev/web declared again (first at a.yaml:3); this one is ignored" {
		t.Errorf("problems = %v", res.Problems)
	}
}

// TestCommaRules: a rule whose one verb holds a comma is not the same rule
// as one with the verbs it would split into, and neither is dropped as a
// repeat of the other.
func TestCommaRules(t *testing.T) {
	one := rbacv1.PolicyRule{Verbs: []string{"get,list"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	two := rbacv1.PolicyRule{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	res := Convert([]Object{newClusterRole("r", nil, nil, one, two, one), crb("b", "r", alice)}, nil)
	var got [][]string
	for _, g := range res.Grants {
		got = append(got, g.Rule.Verbs)
	}
	want := [][]string{{"get", "list"}, {"get,list"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("verbs of the grants = %q, want %q", got, want)
	}
}
