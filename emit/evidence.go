package emit

import (
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/aws"
)

// evidenceFile is the JSON shape of <principal>.evidence.json.
type evidenceFile struct {
	Principal       string               `json:"principal"`
	Kind            string               `json:"kind"`
	Actions         []evidenceAction     `json:"actions"`
	Generalizations []evidenceGeneralize `json:"generalizations"`
	Rejected        []string             `json:"rejected"`
}

type evidenceAction struct {
	Action    string   `json:"action"`
	Count     int64    `json:"count"`
	First     string   `json:"firstSeen"`
	Last      string   `json:"lastSeen"`
	Regions   []string `json:"regions"`
	Samples   []string `json:"sampleEventIds"`
	Via       []string `json:"via,omitempty"`
	Resources []string `json:"resources"`
	Inferred  bool     `json:"inferred,omitempty"`
	Denied    bool     `json:"deniedAttempts,omitempty"`
}

type evidenceGeneralize struct {
	Action   string   `json:"action"`
	Resource string   `json:"resource"`
	Reason   string   `json:"reason"`
	Recorded []string `json:"recorded"`
}

// Evidence writes why every permission of a policy is there: per action the
// count, first and last seen (RFC 3339, UTC), regions, sample event ids,
// services that called on the principal's behalf, recorded resources, and
// whether it was inferred; then every generalization and rejected action.
func Evidence(w io.Writer, ev aws.Evidence) error {
	f := evidenceFile{
		Principal:       ev.Principal,
		Kind:            ev.Kind,
		Actions:         []evidenceAction{},
		Generalizations: []evidenceGeneralize{},
		Rejected:        nonNil(ev.Rejected),
	}
	for _, a := range ev.Actions {
		f.Actions = append(f.Actions, newEvidenceAction(a))
	}
	for _, g := range ev.Generalizations {
		f.Generalizations = append(f.Generalizations, evidenceGeneralize{Action: g.Action, Resource: g.Resource, Reason: g.Reason, Recorded: nonNil(g.Recorded)})
	}
	if err := checkEvidenceUTF8(f); err != nil {
		return err
	}
	return WriteJSON(w, f)
}

// newEvidenceAction is one action's evidence as every evidence file writes
// it: times in RFC 3339 UTC ("" when unknown) and empty lists as [].
func newEvidenceAction(a synth.ActionEvidence) evidenceAction {
	return evidenceAction{
		Action:    a.Action,
		Count:     a.Count,
		First:     rfc3339(a.First, ""),
		Last:      rfc3339(a.Last, ""),
		Regions:   nonNil(a.Regions),
		Samples:   nonNil(a.Samples),
		Via:       a.Via,
		Resources: nonNil(a.Resources),
		Inferred:  a.Inferred,
		Denied:    a.Denied,
	}
}

// checkEvidenceUTF8 reports the first string of f that is not valid UTF-8:
// like IAMJSON, Evidence never silently replaces bytes.
func checkEvidenceUTF8(f evidenceFile) error {
	check := checkEvidenceStrings
	if err := check("principal", f.Principal, f.Kind); err != nil {
		return err
	}
	for _, a := range f.Actions {
		if err := checkEvidenceAction(a); err != nil {
			return err
		}
	}
	for _, g := range f.Generalizations {
		for _, err := range []error{
			check("generalization", g.Action, g.Resource, g.Reason),
			check("generalization resource", g.Recorded...),
		} {
			if err != nil {
				return err
			}
		}
	}
	return check("rejected action", f.Rejected...)
}

// checkEvidenceAction reports the first string of a that is not valid UTF-8.
func checkEvidenceAction(a evidenceAction) error {
	for _, err := range []error{
		checkEvidenceStrings("action", a.Action),
		checkEvidenceStrings("region", a.Regions...),
		checkEvidenceStrings("event id", a.Samples...),
		checkEvidenceStrings("via", a.Via...),
		checkEvidenceStrings("resource", a.Resources...),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkEvidenceStrings reports the first of ss that is not valid UTF-8.
func checkEvidenceStrings(field string, ss ...string) error {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return fmt.Errorf("evidence %s %q is not valid UTF-8", field, s)
		}
	}
	return nil
}

// rfc3339 formats t as every emit file writes a time: RFC 3339 in UTC, or
// unset for the zero time.
func rfc3339(t time.Time, unset string) string {
	if t.IsZero() {
		return unset
	}
	return t.UTC().Format(time.RFC3339)
}

// nonNil makes empty lists render as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
