package emit

import (
	"io"
	"time"

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
		f.Actions = append(f.Actions, evidenceAction{
			Action:    a.Action,
			Count:     a.Count,
			First:     rfc3339(a.First),
			Last:      rfc3339(a.Last),
			Regions:   nonNil(a.Regions),
			Samples:   nonNil(a.Samples),
			Via:       a.Via,
			Resources: nonNil(a.Resources),
			Inferred:  a.Inferred,
			Denied:    a.Denied,
		})
	}
	for _, g := range ev.Generalizations {
		f.Generalizations = append(f.Generalizations, evidenceGeneralize{Action: g.Action, Resource: g.Resource, Reason: g.Reason, Recorded: nonNil(g.Recorded)})
	}
	return writeJSON(w, f)
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
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
