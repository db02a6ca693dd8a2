package podsec

import "strings"

// maxGeneratedPrefix is how much of a generateName Kubernetes keeps: the
// API server cuts the prefix to 58 bytes before appending 5 random
// characters, so a generated name stays within 63.
const maxGeneratedPrefix = 58

// kindRank orders workload kinds when a pod name fits more than one: a
// bare Pod of exactly that name first, then the controllers that own other
// controllers (a Deployment its ReplicaSets, a CronJob its Jobs), then the
// rest.
var kindRank = map[string]int{
	"Pod":         0,
	"Deployment":  1,
	"CronJob":     2,
	"StatefulSet": 3,
	"DaemonSet":   4,
	"Job":         5,
	"ReplicaSet":  6,
}

// ResolveOwner finds the workload a pod belongs to by Kubernetes' naming:
//
//	Pod          NAME (a bare pod)
//	Deployment   NAME-<pod-template-hash>-<5 random>
//	CronJob      NAME-<scheduled time>-<5 random>
//	StatefulSet  NAME-<ordinal>
//	DaemonSet    NAME-<5 random>
//	Job          NAME-<5 random>, or NAME-<index>-<5 random> when indexed
//	ReplicaSet   NAME-<5 random>
//
// where generated names keep only the first 58 bytes before the random
// suffix. Only workloads in namespace count. When several fit, the kind
// earlier in the table wins (a Deployment over its ReplicaSet), then the
// longer name, then the smaller; ok is false when none fits.
func ResolveOwner(namespace, pod string, workloads []Workload) (kind, name string, ok bool) {
	best := -1
	for i, w := range workloads {
		rank, known := kindRank[w.Kind]
		if !known || w.Namespace != namespace || w.Name == "" || !ownsByName(w.Kind, w.Name, pod) {
			continue
		}
		if best < 0 || better(rank, w.Name, workloads[best]) {
			best = i
		}
	}
	if best < 0 {
		return "", "", false
	}
	return workloads[best].Kind, workloads[best].Name, true
}

// better reports whether a candidate of rank and name beats w.
func better(rank int, name string, w Workload) bool {
	if r := kindRank[w.Kind]; rank != r {
		return rank < r
	}
	if len(name) != len(w.Name) {
		return len(name) > len(w.Name)
	}
	return name < w.Name
}

// ownsByName reports whether a workload of kind and name would give a pod
// that name.
func ownsByName(kind, name, pod string) bool {
	switch kind {
	case "Pod":
		return pod == name
	case "StatefulSet":
		rest, ok := strings.CutPrefix(pod, name+"-")
		return ok && isOrdinal(rest)
	case "DaemonSet", "ReplicaSet":
		return generated(pod, name+"-", nil)
	case "Job":
		return generated(pod, name+"-", nil) || generated(pod, name+"-", isDigits)
	case "Deployment":
		return generated(pod, name+"-", isHash)
	case "CronJob":
		return generated(pod, name+"-", isDigits)
	}
	return false
}

// generated reports whether pod is a name the API server generates from
// the prefix base, followed, when middle is not nil, by a segment middle
// accepts and '-': the whole prefix cut to 58 bytes, then 5 random
// characters.
func generated(pod, base string, middle func(string) bool) bool {
	if len(pod) <= 5 || !isRandom(pod[len(pod)-5:]) {
		return false
	}
	prefix := pod[:len(pod)-5]
	if len(prefix) == maxGeneratedPrefix {
		// Perhaps cut: the full prefix started with these 58 bytes.
		if strings.HasPrefix(base, prefix) {
			return true
		}
		rest, ok := strings.CutPrefix(prefix, base)
		return ok && (middle == nil && rest == "" || middle != nil && cutMiddle(rest, middle))
	}
	rest, ok := strings.CutPrefix(prefix, base)
	if !ok {
		return false
	}
	if middle == nil {
		return rest == ""
	}
	seg, ok := strings.CutSuffix(rest, "-")
	return ok && middle(seg)
}

// cutMiddle reports whether rest is the start of a segment middle accepts
// followed by '-', as left by cutting a generated prefix.
func cutMiddle(rest string, middle func(string) bool) bool {
	if seg, ok := strings.CutSuffix(rest, "-"); ok && middle(seg) {
		return true
	}
	return rest == "" || middle(rest)
}

// isRandom: the API server's random suffixes are lower-case letters and
// digits.
func isRandom(s string) bool {
	return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789") == ""
}

// isHash accepts a pod-template-hash: up to 10 lower-case letters and
// digits (older clusters wrote decimal numbers).
func isHash(s string) bool { return len(s) <= 10 && isRandom(s) }

func isDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

func isOrdinal(s string) bool { return isDigits(s) && (s == "0" || s[0] != '0') }

// ownerOf resolves an observation to its workload: from the owner the
// source recorded when there is one (a ReplicaSet to the Deployment whose
// name and a pod-template-hash make it, a Job to the CronJob whose name
// and a scheduled time make it), else by the pod's name. reason says why
// nothing matched.
func ownerOf(o Observation, workloads []Workload) (kind, name string, ok bool, reason string) {
	if o.OwnerKind == "" || o.OwnerKind == "Node" {
		if kind, name, ok := ResolveOwner(o.Namespace, o.Pod, workloads); ok {
			return kind, name, true, ""
		}
		return "", "", false, "no workload in the namespace fits the pod's name"
	}
	parent, middle := "", isHash
	switch o.OwnerKind {
	case "ReplicaSet":
		parent, middle = "Deployment", isHash
	case "Job":
		parent, middle = "CronJob", isDigits
	}
	for _, w := range workloads {
		if parent == "" || w.Namespace != o.Namespace || w.Kind != parent {
			continue
		}
		if rest, ok := strings.CutPrefix(o.OwnerName, w.Name+"-"); ok && middle(rest) {
			return w.Kind, w.Name, true, ""
		}
	}
	for _, w := range workloads {
		if w.Namespace == o.Namespace && w.Kind == o.OwnerKind && w.Name == o.OwnerName {
			return w.Kind, w.Name, true, ""
		}
	}
	return "", "", false, "its owner " + o.OwnerKind + " " + o.OwnerName + " is not among the workloads"
}
