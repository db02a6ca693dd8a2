package podsec

import (
	"fmt"
	"sort"
)

// Matched is one workload and the runtime observations of its containers.
type Matched struct {
	Workload Workload
	// Containers has one entry per declared container with observations,
	// in the workload's order.
	Containers []ContainerObservations
}

// ContainerObservations are the observations of one container, sorted by
// pod, source, first and last seen and count (ties keep their input order).
type ContainerObservations struct {
	Container    string
	Observations []Observation
}

// Unmatched is an observation no workload claims, and why.
type Unmatched struct {
	Observation Observation
	Reason      string
}

// Observations is every observation of the workload, container by
// container: what Recommend takes.
func (m Matched) Observations() []Observation {
	var out []Observation
	for _, c := range m.Containers {
		out = append(out, c.Observations...)
	}
	return out
}

// Match groups observations by workload and container. Each observation
// goes to the workload its owner names (Observation.OwnerKind and
// OwnerName, a ReplicaSet resolved to its Deployment and a Job to its
// CronJob), else to the one ResolveOwner finds from the pod's name; one
// whose workload does not declare its container, or that no workload
// claims, is returned in unmatched with the reason. matched has every
// workload, observed or not, sorted by namespace, kind and name; of
// workloads with the same kind, namespace and name only the first counts.
// unmatched is sorted by namespace, pod, container and source.
func Match(workloads []Workload, obs []Observation) (matched []Matched, unmatched []Unmatched) {
	type key struct{ kind, namespace, name string }
	index := make(map[key]int)
	for _, w := range workloads {
		k := key{w.Kind, w.Namespace, w.Name}
		if _, dup := index[k]; dup {
			continue
		}
		index[k] = len(matched)
		matched = append(matched, Matched{Workload: w})
	}
	byContainer := make([]map[string][]Observation, len(matched))
	for _, o := range obs {
		kind, name, ok, reason := ownerOf(o, workloads)
		if !ok {
			unmatched = append(unmatched, Unmatched{o, reason})
			continue
		}
		i := index[key{kind, o.Namespace, name}]
		if !declares(matched[i].Workload, o.Container) {
			unmatched = append(unmatched, Unmatched{o, fmt.Sprintf("%s %s/%s declares no container %q", kind, o.Namespace, name, o.Container)})
			continue
		}
		if byContainer[i] == nil {
			byContainer[i] = make(map[string][]Observation)
		}
		byContainer[i][o.Container] = append(byContainer[i][o.Container], o)
	}
	for i := range matched {
		seen := make(map[string]bool)
		for _, c := range matched[i].Workload.Containers {
			list := byContainer[i][c.Name]
			if len(list) == 0 || seen[c.Name] {
				continue
			}
			seen[c.Name] = true
			sort.SliceStable(list, func(a, b int) bool {
				x, y := list[a], list[b]
				if x.Pod != y.Pod {
					return x.Pod < y.Pod
				}
				if x.Source != y.Source {
					return x.Source < y.Source
				}
				if !x.First.Equal(y.First) {
					return x.First.Before(y.First)
				}
				if !x.Last.Equal(y.Last) {
					return x.Last.Before(y.Last)
				}
				return x.Count < y.Count
			})
			matched[i].Containers = append(matched[i].Containers, ContainerObservations{c.Name, list})
		}
	}
	sort.SliceStable(matched, func(a, b int) bool {
		x, y := matched[a].Workload, matched[b].Workload
		if x.Namespace != y.Namespace {
			return x.Namespace < y.Namespace
		}
		if x.Kind != y.Kind {
			return x.Kind < y.Kind
		}
		return x.Name < y.Name
	})
	sort.SliceStable(unmatched, func(a, b int) bool {
		x, y := unmatched[a].Observation, unmatched[b].Observation
		if x.Namespace != y.Namespace {
			return x.Namespace < y.Namespace
		}
		if x.Pod != y.Pod {
			return x.Pod < y.Pod
		}
		if x.Container != y.Container {
			return x.Container < y.Container
		}
		return x.Source < y.Source
	})
	return matched, unmatched
}

func declares(w Workload, container string) bool {
	for _, c := range w.Containers {
		if c.Name == container {
			return true
		}
	}
	return false
}
