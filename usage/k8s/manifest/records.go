package manifest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/leastpriv/pare/synth/k8s"
	"github.com/leastpriv/pare/usage/record"
)

// Principal is how a grant's subject is stored: the user name a service
// account authenticates as ("system:serviceaccount:NS:NAME"), "group:NAME"
// for a group, and a user's own name ("user:NAME" when it would otherwise
// read as a group or start with "user:").
func Principal(s k8s.Subject) string {
	switch s.Kind {
	case "ServiceAccount":
		return "system:serviceaccount:" + s.Namespace + ":" + s.Name
	case "Group":
		return "group:" + s.Name
	}
	if strings.HasPrefix(s.Name, "group:") || strings.HasPrefix(s.Name, "user:") {
		return "user:" + s.Name
	}
	return s.Name
}

// subjectOfPrincipal inverts Principal.
func subjectOfPrincipal(p string) k8s.Subject {
	switch {
	case strings.HasPrefix(p, "group:"):
		return k8s.Subject{Kind: "Group", Name: strings.TrimPrefix(p, "group:")}
	case strings.HasPrefix(p, "user:"):
		return k8s.Subject{Kind: "User", Name: strings.TrimPrefix(p, "user:")}
	}
	return k8s.SubjectOf(p)
}

// GrantRecords encodes grants as rows of the store's grants table
// (provider "k8s"): one row per subject, verb, API group and resource (or
// non-resource URL) and resource name, with
//
//   - Principal as Principal gives it;
//   - Action in k8s.Request.Action's form, wildcards kept as written: verb
//     "*" ("* pods"), resource "*" ("get *.apps"), group "*" ("get pods.*"),
//     subresources "pods/exec" and "*/scale"; a non-resource URL as its path
//     ("get /healthz", "get /api/*"), "*" written as "/*", which RBAC
//     matches the same way;
//   - Resource "<namespace>/<name>" for each resource name, "<namespace>/"
//     for a namespaced grant of any name, "/<name>" and "" likewise for a
//     cluster-wide one, "" for URLs;
//   - Scope the grant's namespace ("" cluster-wide), Effect "allow", and
//     the grant's Origin.
//
// Grants must have the forms readers give (see encodable); GrantsFromRecords
// recovers grants that allow exactly the same requests. Rows are sorted.
func GrantRecords(grants []k8s.Grant) []record.Grant {
	var out []record.Grant
	for _, g := range grants {
		row := record.Grant{Provider: "k8s", Principal: Principal(g.Subject), Effect: "allow", Scope: g.Namespace, Origin: g.Origin}
		r := g.Rule
		for _, verb := range r.Verbs {
			for _, u := range r.NonResourceURLs {
				if u == "*" {
					u = "/*"
				}
				row.Action, row.Resource = k8s.Request{Verb: verb, Path: u}.Action(), ""
				out = append(out, row)
			}
			for _, group := range r.APIGroups {
				for _, res := range r.Resources {
					resource, sub, _ := strings.Cut(res, "/")
					row.Action = k8s.Request{Verb: verb, Group: group, Resource: resource, Subresource: sub}.Action()
					if len(r.ResourceNames) == 0 {
						row.Resource = ""
						if g.Namespace != "" {
							row.Resource = g.Namespace + "/"
						}
						out = append(out, row)
						continue
					}
					for _, name := range r.ResourceNames {
						row.Resource = g.Namespace + "/" + name
						out = append(out, row)
					}
				}
			}
		}
	}
	sortRecords(out)
	return slices.Compact(out)
}

// GrantsFromRecords decodes rows GrantRecords wrote (rows of other
// providers are an error) into grants: one per principal, scope, origin,
// API group, resource and name, with the verbs of its rows, and one per
// principal, scope, origin and verb set for non-resource URLs. They allow
// exactly what the encoded grants allowed. The result is sorted.
func GrantsFromRecords(rows []record.Grant) ([]k8s.Grant, error) {
	type key struct {
		principal, scope, origin string
		group, resource, name    string
		named, url               bool
	}
	verbs := make(map[key][]string)
	var order []key
	for i, row := range rows {
		if row.Provider != "k8s" || row.Effect != "allow" {
			return nil, fmt.Errorf("grant row %d: provider %q, effect %q: not a Kubernetes RBAC grant", i, row.Provider, row.Effect)
		}
		req, err := k8s.Parse(row.Action, "")
		if err != nil {
			return nil, fmt.Errorf("grant row %d: %w", i, err)
		}
		k := key{principal: row.Principal, scope: row.Scope, origin: row.Origin}
		if req.Path != "" {
			if row.Resource != "" {
				return nil, fmt.Errorf("grant row %d: a non-resource URL %q with resource %q", i, row.Action, row.Resource)
			}
			k.url, k.resource = true, req.Path
		} else {
			k.group, k.resource = req.Group, req.Resource
			if req.Subresource != "" {
				k.resource += "/" + req.Subresource
			}
			if row.Resource != "" {
				ns, name, ok := strings.Cut(row.Resource, "/")
				if !ok || ns != row.Scope {
					return nil, fmt.Errorf("grant row %d: resource %q outside its scope %q", i, row.Resource, row.Scope)
				}
				k.name, k.named = name, name != ""
			}
		}
		if _, ok := verbs[k]; !ok {
			order = append(order, k)
		}
		verbs[k] = append(verbs[k], req.Verb)
	}
	var out []k8s.Grant
	// Non-resource URLs of one principal, scope, origin and verb set share
	// a rule. The verbs are quoted, so that one verb "get,list" is not
	// taken for the two verbs get and list.
	type urlKey struct{ principal, scope, origin, verbs string }
	urls := make(map[urlKey]int) // index in out
	for _, k := range order {
		g := k8s.Grant{Subject: subjectOfPrincipal(k.principal), Namespace: k.scope, Origin: k.origin}
		vs := distinct(verbs[k])
		if k.url {
			uk := urlKey{k.principal, k.scope, k.origin, fmt.Sprintf("%q", vs)}
			if j, ok := urls[uk]; ok {
				out[j].Rule.NonResourceURLs = append(out[j].Rule.NonResourceURLs, k.resource)
				continue
			}
			g.Rule = k8s.Rule{Verbs: vs, NonResourceURLs: []string{k.resource}}
			urls[uk] = len(out)
			out = append(out, g)
			continue
		}
		g.Rule = k8s.Rule{Verbs: vs, APIGroups: []string{k.group}, Resources: []string{k.resource}}
		if k.named {
			g.Rule.ResourceNames = []string{k.name}
		}
		out = append(out, g)
	}
	for i := range out {
		out[i].Rule.NonResourceURLs = distinct(out[i].Rule.NonResourceURLs)
	}
	sortGrants(out)
	return out, nil
}

func sortRecords(rows []record.Grant) {
	slices.SortFunc(rows, func(a, b record.Grant) int {
		return cmp.Or(
			cmp.Compare(a.Principal, b.Principal),
			cmp.Compare(a.Scope, b.Scope),
			cmp.Compare(a.Action, b.Action),
			cmp.Compare(a.Resource, b.Resource),
			cmp.Compare(a.Origin, b.Origin),
		)
	})
}
