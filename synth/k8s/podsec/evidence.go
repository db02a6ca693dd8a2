package podsec

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxListed is how many pods or source files evidence text names before
// it says "and N more".
const maxListed = 3

// merge adds up the observations of one container. Capability names are
// normalized; names that are not Linux capabilities are returned in
// rejected, sorted and distinct, and left out.
func merge(obs []Observation) (ev RuntimeEvidence, rejected []string) {
	pods := make(map[string]bool)
	sources := make(map[string]bool)
	caps := make(map[string]bool)
	bad := make(map[string]bool)
	uids := make(map[int64]bool)
	paths := make(map[string]bool)
	for _, o := range obs {
		ev.Count += max(o.Count, 1)
		if !o.First.IsZero() && (ev.First.IsZero() || o.First.Before(ev.First)) {
			ev.First = o.First
		}
		if o.Last.After(ev.Last) {
			ev.Last = o.Last
		}
		if o.Pod != "" {
			pods[o.Pod] = true
		}
		if o.Source != "" {
			sources[o.Source] = true
		}
		for _, c := range o.Capabilities {
			if n, ok := normalizeCapability(c); ok {
				caps[n] = true
			} else {
				bad[c] = true
			}
		}
		for _, u := range o.UIDs {
			uids[u] = true
		}
		for _, p := range o.WrittenPaths {
			paths[p] = true
		}
	}
	ev.Pods = slices.Sorted(maps.Keys(pods))
	ev.Sources = slices.Sorted(maps.Keys(sources))
	ev.Capabilities = slices.Sorted(maps.Keys(caps))
	ev.WrittenPaths = slices.Sorted(maps.Keys(paths))
	ev.UIDs = slices.Sorted(maps.Keys(uids))
	return ev, slices.Sorted(maps.Keys(bad))
}

// String is the evidence in a line: "12 events, 2024-05-01T10:00:00Z to
// 2024-05-02T09:30:00Z, pods web-7d9f-x2x4z, in ig-caps.json".
func (ev RuntimeEvidence) String() string {
	var b strings.Builder
	b.WriteString(plural(ev.Count, "event"))
	if !ev.First.IsZero() {
		fmt.Fprintf(&b, ", %s to %s", stamp(ev.First), stamp(ev.Last))
	}
	if len(ev.Pods) > 0 {
		b.WriteString(", pod")
		if len(ev.Pods) > 1 {
			b.WriteString("s")
		}
		b.WriteString(" " + listed(ev.Pods))
	}
	if len(ev.Sources) > 0 {
		b.WriteString(", in " + listed(ev.Sources))
	}
	return b.String()
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format(time.RFC3339)
}

// listed joins up to maxListed items and counts the rest.
func listed(items []string) string {
	if len(items) <= maxListed {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:maxListed], ", ") + " and " + strconv.Itoa(len(items)-maxListed) + " more"
}

func plural(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.FormatInt(n, 10) + " " + what + "s"
}

func joinInts(xs []int64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.FormatInt(x, 10)
	}
	return strings.Join(s, ", ")
}
