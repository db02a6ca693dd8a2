package k8s

import (
	"fmt"
	"strings"

	"github.com/leastpriv/pare/synth"
)

// Request is what one Kubernetes API request asked for: the attributes RBAC
// authorizes on. Exactly one of Resource and Path is set.
type Request struct {
	Verb        string // get, list, watch, create, update, patch, delete, deletecollection, impersonate, ...
	Group       string // API group, "" for the core group
	Resource    string // plural resource, e.g. "pods"
	Subresource string // e.g. "exec", "log", "status"; "" for none
	Namespace   string // "" for cluster-scoped resources and requests across all namespaces
	Name        string // object name; "" for list, watch, create and collection requests
	Path        string // non-resource URL without its query string, e.g. "/healthz"
}

// Action is the canonical action string pare stores for a request:
//
//	"<verb> <resource>[.<group>][/<subresource>]"   e.g. "get deployments.apps/scale", "create pods/exec"
//	"<verb> <path>"                                   e.g. "get /healthz"
//
// It is the form `kubectl auth can-i` takes. Resource names never contain a
// dot, so the first dot separates the resource from its group.
func (r Request) Action() string {
	if r.Path != "" {
		return r.Verb + " " + r.Path
	}
	s := r.Verb + " " + r.Resource
	if r.Group != "" {
		s += "." + r.Group
	}
	if r.Subresource != "" {
		s += "/" + r.Subresource
	}
	return s
}

// ResourceRef is the canonical resource string pare stores for a request:
// "<namespace>/<name>", with either part empty ("default/", "/node-1"), or
// "" when the request names neither. Namespaces and object names never
// contain a slash.
func (r Request) ResourceRef() string {
	if r.Path != "" || (r.Namespace == "" && r.Name == "") {
		return ""
	}
	return r.Namespace + "/" + r.Name
}

// ParseAccess recovers the request an access stands for from its Action and
// Resource (the forms Request.Action and Request.ResourceRef give).
func ParseAccess(a synth.Access) (Request, error) {
	return Parse(a.Action, a.Resource)
}

// Parse recovers a request from its canonical action and resource strings.
func Parse(action, resource string) (Request, error) {
	verb, target, ok := strings.Cut(action, " ")
	if !ok || verb == "" || target == "" {
		return Request{}, fmt.Errorf("kubernetes action %q: want \"<verb> <resource>\" or \"<verb> /<path>\"", action)
	}
	r := Request{Verb: verb}
	if strings.HasPrefix(target, "/") {
		if resource != "" {
			return Request{}, fmt.Errorf("kubernetes action %q: a non-resource URL has no object, got %q", action, resource)
		}
		r.Path = target
		return r, nil
	}
	res, sub, _ := strings.Cut(target, "/")
	r.Resource, r.Group, _ = strings.Cut(res, ".")
	r.Subresource = sub
	if r.Resource == "" {
		return Request{}, fmt.Errorf("kubernetes action %q: empty resource", action)
	}
	if resource != "" {
		ns, name, ok := strings.Cut(resource, "/")
		if !ok {
			return Request{}, fmt.Errorf("kubernetes resource %q: want \"<namespace>/<name>\"", resource)
		}
		r.Namespace, r.Name = ns, name
	}
	return r, nil
}
