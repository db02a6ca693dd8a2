package azure

import (
	"sort"
	"strings"

	"github.com/leastpriv/pare/synth"
)

// InferReads returns accesses and, for every allowed write, delete or action
// (every operation not ending in /read), an access of the /read of the same
// resource type, marked Inferred and carrying the same evidence: the
// Activity Log never records reads, yet whoever writes a resource needs to
// read it. readOf gives an operation's read operation, false when its type
// has none. Denied attempts imply nothing. The result is sorted by
// principal, action and resource; accesses is not modified.
func InferReads(accesses []synth.Access, readOf func(operation string) (string, bool)) []synth.Access {
	out := append([]synth.Access(nil), accesses...)
	for _, a := range accesses {
		if a.Denied || strings.HasSuffix(strings.ToLower(a.Action), "/read") {
			continue
		}
		read, ok := readOf(a.Action)
		if !ok {
			continue
		}
		inferred := a
		inferred.Action = read
		inferred.Inferred = true
		out = append(out, inferred)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		if a.Action != b.Action {
			return a.Action < b.Action
		}
		return a.Resource < b.Resource
	})
	return out
}
