package report

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// ConditionKind is what a --fail-on condition tests.
type ConditionKind int

// The kinds of --fail-on conditions.
const (
	// ScoreAtLeast ("score>=N") holds when some principal scores N or more.
	ScoreAtLeast ConditionKind = iota + 1
	// NewRiskyGrant ("new-risky-grant") holds when, since the earlier
	// snapshot, a principal gained an entitlement with a risk or a new
	// principal appeared holding one. It never holds on a first report
	// (no Changes).
	NewRiskyGrant
)

// Condition is a parsed --fail-on condition.
type Condition struct {
	Kind  ConditionKind
	Score int // the N of score>=N
}

// listed is how many principals (and entitlements of one principal) a
// condition's message names before it says how many more there are.
const listed = 10

// ParseFailOn parses a --fail-on condition: "score>=N" with N from 0 to
// 100, or "new-risky-grant". Spaces around the parts are allowed.
func ParseFailOn(s string) (Condition, error) {
	t := strings.TrimSpace(s)
	if t == "new-risky-grant" {
		return Condition{Kind: NewRiskyGrant}, nil
	}
	rest, ok := strings.CutPrefix(t, "score")
	if ok {
		rest, ok = strings.CutPrefix(strings.TrimSpace(rest), ">=")
	}
	if !ok {
		return Condition{}, fmt.Errorf("fail-on condition %q: want score>=N (N from 0 to 100) or new-risky-grant", s)
	}
	n, err := strconv.Atoi(strings.TrimSpace(rest))
	if err != nil || n < 0 || n > 100 {
		return Condition{}, fmt.Errorf("fail-on condition %q: the score must be a whole number from 0 to 100", s)
	}
	return Condition{Kind: ScoreAtLeast, Score: n}, nil
}

// String writes the condition as ParseFailOn reads it.
func (c Condition) String() string {
	switch c.Kind {
	case ScoreAtLeast:
		return fmt.Sprintf("score>=%d", c.Score)
	case NewRiskyGrant:
		return "new-risky-grant"
	}
	return fmt.Sprintf("ConditionKind(%d)", int(c.Kind))
}

// Holds reports whether the condition holds for the report, and if so a
// message naming the principals that make it hold (the first ten, then how
// many more), in report order.
func (c Condition) Holds(r Report) (bool, string) {
	switch c.Kind {
	case ScoreAtLeast:
		return c.scoreHolds(r)
	case NewRiskyGrant:
		return newRiskyGrant(r)
	}
	return false, ""
}

func (c Condition) scoreHolds(r Report) (bool, string) {
	var names []string
	for _, p := range r.Principals {
		if p.Score >= c.Score {
			names = append(names, fmt.Sprintf("%s (%d)", principalName(p.Provider, p.Principal), p.Score))
		}
	}
	if len(names) == 0 {
		return false, ""
	}
	return true, fmt.Sprintf("%s score %d or more: %s", plural(len(names), "principal"), c.Score, list(names, ", "))
}

func newRiskyGrant(r Report) (bool, string) {
	if r.Changes == nil {
		return false, ""
	}
	fresh := make(map[string]bool, len(r.Changes.New))
	for _, n := range r.Changes.New {
		fresh[n] = true
	}
	gained := make(map[string][]string)
	for _, pc := range r.Changes.Principals {
		if len(pc.RiskyGained) > 0 {
			gained[pc.Provider+" "+pc.Principal] = pc.RiskyGained
		}
	}
	var names []string
	for _, p := range r.Principals {
		key := p.Provider + " " + p.Principal
		risky := gained[key]
		if fresh[key] {
			risky = nil
			for _, it := range p.Items {
				if (it.Status == Used || it.Status == Unused || it.Status == Unobservable) && len(it.Risks) > 0 {
					risky = append(risky, EntitlementName(it.Action, it.Resource))
				}
			}
		}
		if len(risky) == 0 {
			continue
		}
		what := "gained"
		if fresh[key] {
			what = "new, holds"
		}
		quoted := make([]string, len(risky))
		for i, e := range risky {
			quoted[i] = printable(e)
		}
		names = append(names, fmt.Sprintf("%s (%s %s)", principalName(p.Provider, p.Principal), what, list(quoted, ", ")))
	}
	if len(names) == 0 {
		return false, ""
	}
	return true, fmt.Sprintf("%s gained risky entitlements since snapshot %d: %s",
		plural(len(names), "principal"), r.Changes.Since, list(names, "; "))
}

func principalName(provider, principal string) string {
	return provider + " " + printable(principal)
}

// printable quotes s when it holds characters a terminal should not be
// handed as they are (names come from logs and policies).
func printable(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// list joins the first ten names with sep and says how many more there
// are.
func list(names []string, sep string) string {
	if len(names) <= listed {
		return strings.Join(names, sep)
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:listed], sep), len(names)-listed)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
