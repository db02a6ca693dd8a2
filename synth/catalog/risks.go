package catalog

import (
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/leastpriv/pare/synth"
)

// riskLists are the per-action risk lists: policy_sentry's audit lists
// (privilege-escalation, credentials-exposure, resource-exposure) and
// cloudsplaining's data-exfiltration actions. Each file's base name is its
// category. See the SOURCE file beside each list.
//
//go:embed data/risks/policy_sentry/*.txt data/risks/cloudsplaining/*.txt
var riskLists embed.FS

// The risk categories the lists give: synth's risk constants.
const (
	RiskPrivilegeEscalation = synth.RiskPrivilegeEscalation
	RiskCredentialsExposure = synth.RiskCredentialsExposure
	RiskResourceExposure    = synth.RiskResourceExposure
	RiskDataExfiltration    = synth.RiskDataExfiltration
)

// riskFiles maps each embedded list to its category.
var riskFiles = map[string]string{
	"data/risks/policy_sentry/privilege-escalation.txt": RiskPrivilegeEscalation,
	"data/risks/policy_sentry/credentials-exposure.txt": RiskCredentialsExposure,
	"data/risks/policy_sentry/resource-exposure.txt":    RiskResourceExposure,
	"data/risks/cloudsplaining/data-exfiltration.txt":   RiskDataExfiltration,
}

// loadRisks reads the embedded risk lists into c.risks, keyed by lower-cased
// action name. Every embedded list must be in riskFiles, so a new list gets
// a category on purpose.
func (c *AWS) loadRisks() error {
	c.risks = make(map[string][]string)
	for _, dir := range []string{"data/risks/policy_sentry", "data/risks/cloudsplaining"} {
		entries, err := riskLists.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("reading %s: %w", dir, err)
		}
		for _, e := range entries {
			name := path.Join(dir, e.Name())
			category, ok := riskFiles[name]
			if !ok {
				return fmt.Errorf("risk list %s has no category", name)
			}
			data, err := riskLists.ReadFile(name)
			if err != nil {
				return fmt.Errorf("reading %s: %w", name, err)
			}
			for i, line := range strings.Split(string(data), "\n") {
				action := strings.ToLower(strings.TrimSpace(line))
				if action == "" {
					continue
				}
				if prefix, rest, ok := strings.Cut(action, ":"); !ok || prefix == "" || rest == "" || strings.ContainsAny(action, "*? \t") {
					return fmt.Errorf("%s: line %d: %q is not an IAM action", name, i+1, line)
				}
				c.risks[action] = appendDistinct(c.risks[action], category)
			}
		}
	}
	for action := range c.risks {
		sort.Strings(c.risks[action])
	}
	return nil
}

func appendDistinct(ss []string, s string) []string {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

// Risks returns the risk categories the embedded lists give action
// (matched case-insensitively), sorted; nil when none. The slice is shared
// with the catalog: do not modify it.
func (c *AWS) Risks(action string) []string {
	return c.risks[strings.ToLower(action)]
}

// RiskActions returns every action the risk lists name for category, in the
// lists' lower-case spelling, sorted. Some are absent from the action
// catalog (renamed or retired actions): callers expanding them should
// look each up with Action.
func (c *AWS) RiskActions(category string) []string {
	var out []string
	for action, cats := range c.risks {
		for _, cat := range cats {
			if cat == category {
				out = append(out, action)
			}
		}
	}
	sort.Strings(out)
	return out
}
