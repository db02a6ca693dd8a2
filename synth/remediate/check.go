package remediate

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/leastpriv/pare/synth"
)

// maxListed is how many accesses an UnsafeError names.
const maxListed = 5

// Check refuses a plan that is not safe to propose:
//
//   - a *WindowError when minWindow > 0 and the observed window is shorter
//     than minWindow, or has no start or end. window must be what the logs
//     cover (the later of the configured start and the first event loaded,
//     to the end), not only what was asked for;
//   - an *UnsafeError when the final content does not allow an access of
//     the principal in used (denied attempts aside: they were never
//     permissions), as the provider's evaluator decides. This is the rule
//     that pare never removes a used permission: an action the catalog does
//     not know, and so cannot be written, fails here too.
//
// The plan must come from PlanAWS, PlanAzure or PlanK8s. Both errors have
// a Hint for the user.
func Check(p Plan, used []synth.Access, window synth.Window, minWindow time.Duration) error {
	if minWindow > 0 {
		if window.From.IsZero() || window.To.IsZero() {
			return &WindowError{Window: window, Min: minWindow}
		}
		if d := window.To.Sub(window.From); d < minWindow {
			return &WindowError{Window: window, Observed: d, Min: minWindow}
		}
	}
	if p.missing == nil {
		return errors.New("remediate: the plan was not made by PlanAWS, PlanAzure or PlanK8s, so there is no final content to check")
	}
	missing := p.missing(ofProvider(used, p.Principal, p.Provider))
	if len(missing) == 0 {
		return nil
	}
	missing = slices.Clone(missing)
	slices.SortFunc(missing, func(a, b synth.Access) int {
		return cmp.Or(cmp.Compare(a.Action, b.Action), cmp.Compare(a.Resource, b.Resource), a.Last.Compare(b.Last))
	})
	return &UnsafeError{Principal: p.Principal, Provider: p.Provider, Missing: missing}
}

// WindowError is a window too short to remove anything on.
type WindowError struct {
	Window   synth.Window
	Observed time.Duration // 0 when the window has no start or end
	Min      time.Duration
}

func (e *WindowError) Error() string {
	if e.Window.From.IsZero() || e.Window.To.IsZero() {
		return fmt.Sprintf("the observation window has no start or end, so it cannot be shown to cover min_window %s", Days(e.Min))
	}
	return fmt.Sprintf("the observation window (%s to %s) covers %s, less than min_window %s: pare removes nothing on so little evidence",
		e.Window.From.UTC().Format(time.RFC3339), e.Window.To.UTC().Format(time.RFC3339), Days(e.Observed), Days(e.Min))
}

// Hint says how to get past the error.
func (e *WindowError) Hint() string {
	return fmt.Sprintf("add older logs to sources so they cover %s, wait until they do, or lower min_window in pare.hcl", Days(e.Min))
}

// UnsafeError is a final content that would take away permissions used in
// the window.
type UnsafeError struct {
	Principal string
	Provider  string
	Missing   []synth.Access // sorted by action, resource, last seen
}

func (e *UnsafeError) Error() string {
	var parts []string
	for i, a := range e.Missing {
		if i == maxListed {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Missing)-maxListed))
			break
		}
		s := fmt.Sprintf("%q", a.Action)
		if a.Resource != "" {
			s += fmt.Sprintf(" on %q", a.Resource)
		}
		s += fmt.Sprintf(" (%d times", a.Count)
		if !a.Last.IsZero() {
			s += ", last " + a.Last.UTC().Format(time.RFC3339)
		}
		parts = append(parts, s+")")
	}
	return fmt.Sprintf("%s %q: the new content would remove %d permission(s) used in the window: %s",
		e.Provider, e.Principal, len(e.Missing), strings.Join(parts, ", "))
}

// Hint says how to get past the error.
func (e *UnsafeError) Hint() string {
	switch e.Provider {
	case "aws":
		return "pare could not grant these (an action its catalog does not know, or a kept Deny that blocks it): keep a statement for them with a Sid containing PareKeep"
	case "azure":
		return "pare could not grant these (an operation it rejects, or a NotActions of a kept role): write them into a role pare does not manage, or mark the role's Description pare:keep"
	case "k8s":
		return "pare could not grant these (a request it rejects, or a kept object that replaces pare's): annotate a Role or ClusterRole granting them with pare.dev/keep: \"true\""
	}
	return "keep the content that grants them with a pare:keep marker"
}

// Days writes a duration in days and hours: "30d", "12d 3h", or Go's form
// under a day.
func Days(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d < day:
		return d.String()
	case d%day == 0:
		return fmt.Sprintf("%dd", d/day)
	}
	return fmt.Sprintf("%dd %dh", d/day, (d%day)/time.Hour)
}
