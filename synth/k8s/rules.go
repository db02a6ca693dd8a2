package k8s

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/leastpriv/pare/synth"
)

// merged is one rule being assembled from tuples.
type merged struct {
	group     string
	verbs     map[string]bool
	resources map[string]bool // "pods", "pods/exec"
	paths     map[string]bool
	names     []string // sorted; nil for any name
	from      map[int]bool
}

func newMerged(group string, names []string) *merged {
	return &merged{
		group:     group,
		verbs:     make(map[string]bool),
		resources: make(map[string]bool),
		paths:     make(map[string]bool),
		names:     names,
		from:      make(map[int]bool),
	}
}

// rules turns the tuples into sorted rules per namespace ("" for the
// ClusterRole) without widening anything: first the tuples for the same
// group, resource (or URL) and names take the union of their verbs, then
// the rules with the same group, verbs and names the union of their
// resources (or URLs). Both merges are exact, since a rule allows every
// combination of its verbs, resources and names. accesses are the
// principal's, which the tuples point into, for the evidence.
func (b *builder) rules(accesses []synth.Access) map[string][]Rule {
	type thing struct{ ns, group, resource, path, names string }
	byThing := make(map[thing]*merged)
	for k, t := range b.tuples {
		var names []string
		if !t.unnamed {
			names = slices.Sorted(maps.Keys(t.names))
		}
		key := thing{ns: k.ns, group: k.group, resource: combinedResource(k.resource, k.subresource), path: k.path, names: setKey(names)}
		m := byThing[key]
		if m == nil {
			m = newMerged(k.group, names)
			byThing[key] = m
		}
		m.verbs[k.verb] = true
		for i := range t.from {
			m.from[i] = true
		}
	}

	type verbsKey struct {
		ns, group, verbs, names string
		nonResource             bool
	}
	byVerbs := make(map[verbsKey]*merged)
	for key, m := range byThing {
		k := verbsKey{ns: key.ns, group: key.group, verbs: setKey(slices.Sorted(maps.Keys(m.verbs))), names: key.names, nonResource: key.path != ""}
		n := byVerbs[k]
		if n == nil {
			n = newMerged(m.group, m.names)
			n.verbs = m.verbs
			byVerbs[k] = n
		}
		if key.path != "" {
			n.paths[key.path] = true
		} else {
			n.resources[key.resource] = true
		}
		for i := range m.from {
			n.from[i] = true
		}
	}

	out := make(map[string][]Rule)
	for k, m := range byVerbs {
		r := Rule{Verbs: slices.Sorted(maps.Keys(m.verbs))}
		if k.nonResource {
			r.NonResourceURLs = slices.Sorted(maps.Keys(m.paths))
		} else {
			r.APIGroups = []string{m.group}
			r.Resources = slices.Sorted(maps.Keys(m.resources))
			r.ResourceNames = m.names
		}
		r.Evidence = evidenceOf(accesses, m.from)
		out[k.ns] = append(out[k.ns], r)
	}
	for ns := range out {
		slices.SortFunc(out[ns], CompareRules)
	}
	return out
}

// evidenceOf adds up the accesses at the indexes in from, per observed
// action. The indexes are sorted: CollectEvidence keeps the first of equal
// First (or Last) instants it meets, whose location may differ, so the
// order of from's keys must not leak into the output.
func evidenceOf(accesses []synth.Access, from map[int]bool) []synth.ActionEvidence {
	idx := make([]int, 0, len(from))
	for i := range from {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	sub := make([]synth.Access, len(idx))
	for j, i := range idx {
		sub[j] = accesses[i]
	}
	return synth.CollectEvidence(sub, func(a synth.Access) (string, bool) { return a.Action, true })
}

func combinedResource(resource, subresource string) string {
	if subresource == "" {
		return resource
	}
	return resource + "/" + subresource
}

// setKey encodes a sorted list as a map key, one-to-one whatever bytes the
// strings hold.
func setKey(ss []string) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	return b.String()
}

// CompareRules orders resource rules by group, resources, verbs and names,
// then non-resource rules by URLs and verbs. Evidence is ignored: it is 0
// exactly when the rules have the same verbs, groups, resources, names and
// URLs.
func CompareRules(a, b Rule) int {
	return cmp.Or(
		compareBool(len(a.NonResourceURLs) > 0, len(b.NonResourceURLs) > 0),
		slices.Compare(a.APIGroups, b.APIGroups),
		slices.Compare(a.Resources, b.Resources),
		slices.Compare(a.NonResourceURLs, b.NonResourceURLs),
		slices.Compare(a.Verbs, b.Verbs),
		slices.Compare(a.ResourceNames, b.ResourceNames),
	)
}
