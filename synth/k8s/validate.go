package k8s

import (
	"fmt"
	"strings"

	"github.com/leastpriv/pare/synth"
)

// requestOf is the request an access stands for, or why no rule may be made
// for it: another provider, an action or resource that does not parse, or a
// value RBAC would read as a wildcard. Granting "*" because a log said "*"
// would allow far more than was used.
func requestOf(a synth.Access) (Request, error) {
	if a.Provider != "" && a.Provider != "k8s" {
		return Request{}, fmt.Errorf("provider %q is not k8s", a.Provider)
	}
	r, err := ParseAccess(a)
	if err != nil {
		return Request{}, err
	}
	if strings.Contains(r.Verb, "*") {
		return Request{}, fmt.Errorf("verb %q contains '*', an RBAC wildcard", r.Verb)
	}
	if r.Path != "" {
		if strings.HasSuffix(r.Path, "*") {
			return Request{}, fmt.Errorf("non-resource URL %q ends in '*', an RBAC prefix wildcard", r.Path)
		}
		return r, nil
	}
	for _, f := range [...]struct{ what, v string }{
		{"API group", r.Group},
		{"resource", r.Resource},
		{"subresource", r.Subresource},
	} {
		if strings.Contains(f.v, "*") {
			return Request{}, fmt.Errorf("%s %q contains '*', an RBAC wildcard", f.what, f.v)
		}
	}
	return r, nil
}
