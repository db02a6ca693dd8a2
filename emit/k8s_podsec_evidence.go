package emit

import (
	"fmt"
	"io"

	"github.com/leastpriv/pare/synth/k8s/podsec"
)

// podsecEvidenceFile is the JSON shape of a workload's
// <stem>.evidence.json next to its patch.
type podsecEvidenceFile struct {
	Kind           string                   `json:"kind"`
	Namespace      string                   `json:"namespace"`
	Name           string                   `json:"name"`
	ServiceAccount string                   `json:"serviceAccount"`
	Source         string                   `json:"source"`
	Pod            []podsecEvidenceField    `json:"pod"`
	Containers     []podsecEvidenceCtr      `json:"containers"`
	Volumes        []podsecEvidenceEmptyDir `json:"volumes"`
	Notes          []string                 `json:"notes"`
	Findings       []podsecEvidenceFinding  `json:"findings"`
}

// podsecEvidenceField is one recommended value: the field as the patch
// names it, the value, its provenance and the evidence.
type podsecEvidenceField struct {
	Field      string `json:"field"`
	Value      any    `json:"value"`
	Provenance string `json:"provenance"`
	Evidence   string `json:"evidence"`
}

type podsecEvidenceCtr struct {
	Name    string                   `json:"name"`
	Init    bool                     `json:"init,omitempty"`
	Runtime *podsecRuntime           `json:"runtimeEvidence"`
	Fields  []podsecEvidenceField    `json:"fields"`
	Mounts  []podsecEvidenceEmptyDir `json:"mounts"`
}

type podsecRuntime struct {
	Count        int64    `json:"count"`
	First        string   `json:"firstSeen"`
	Last         string   `json:"lastSeen"`
	Pods         []string `json:"pods"`
	Sources      []string `json:"sources"`
	Capabilities []string `json:"capabilities"`
	UIDs         []int64  `json:"uids"`
	WrittenPaths []string `json:"writtenPaths"`
}

type podsecEvidenceEmptyDir struct {
	Name       string   `json:"name"`
	Container  string   `json:"container"`
	MountPath  string   `json:"mountPath"`
	Written    []string `json:"written"`
	Provenance string   `json:"provenance"`
	Evidence   string   `json:"evidence"`
}

type podsecEvidenceFinding struct {
	Container  string `json:"container"`
	Field      string `json:"field"`
	Value      string `json:"value"`
	Severity   string `json:"severity"`
	Provenance string `json:"provenance"`
	Message    string `json:"message"`
}

// PodSecEvidence writes why every value of rec's patch is there: for the
// pod (securityContext fields and automountServiceAccountToken, as
// "securityContext.runAsNonRoot" and so on) and each container, the value,
// its provenance ("observed at runtime", "from audit log", "from declared
// spec", "default hardening") and the evidence text; each container's
// summed runtime evidence (null without any; times RFC 3339 in UTC); the
// emptyDir volumes added and the written paths behind them; the notes and
// the findings, in rec's order. Lists are [] when empty; fields rec leaves
// nil are absent. Invisible runes are escaped as in every JSON emit
// writes; a string that is not valid UTF-8 is an error and nothing is
// written.
func PodSecEvidence(w io.Writer, rec podsec.Recommendation) error {
	wl := rec.Workload
	f := podsecEvidenceFile{
		Kind:           wl.Kind,
		Namespace:      wl.Namespace,
		Name:           wl.Name,
		ServiceAccount: wl.ServiceAccount,
		Source:         wl.Source,
		Pod:            []podsecEvidenceField{},
		Containers:     []podsecEvidenceCtr{},
		Volumes:        podsecEmptyDirs(rec.Volumes),
		Notes:          nonNil(rec.Notes),
		Findings:       []podsecEvidenceFinding{},
	}
	p := rec.Pod
	f.Pod = appendField(f.Pod, "securityContext.runAsNonRoot", p.RunAsNonRoot)
	f.Pod = appendField(f.Pod, "securityContext.runAsUser", p.RunAsUser)
	f.Pod = appendField(f.Pod, "securityContext.runAsGroup", p.RunAsGroup)
	f.Pod = appendField(f.Pod, "securityContext.fsGroup", p.FSGroup)
	f.Pod = appendField(f.Pod, "securityContext.seccompProfile", p.SeccompProfile)
	f.Pod = appendField(f.Pod, "automountServiceAccountToken", rec.AutomountServiceAccountToken)
	for _, c := range rec.Containers {
		ec := podsecEvidenceCtr{Name: c.Name, Init: c.Init, Fields: []podsecEvidenceField{}, Mounts: podsecEmptyDirs(c.Mounts)}
		if ev := c.Evidence; ev != nil {
			ec.Runtime = &podsecRuntime{
				Count: ev.Count, First: rfc3339(ev.First, ""), Last: rfc3339(ev.Last, ""),
				Pods: nonNil(ev.Pods), Sources: nonNil(ev.Sources), Capabilities: nonNil(ev.Capabilities),
				UIDs: append([]int64{}, ev.UIDs...), WrittenPaths: nonNil(ev.WrittenPaths),
			}
		}
		ec.Fields = appendField(ec.Fields, "securityContext.privileged", c.Privileged)
		ec.Fields = appendField(ec.Fields, "securityContext.allowPrivilegeEscalation", c.AllowPrivilegeEscalation)
		ec.Fields = appendField(ec.Fields, "securityContext.runAsNonRoot", c.RunAsNonRoot)
		ec.Fields = appendField(ec.Fields, "securityContext.runAsUser", c.RunAsUser)
		ec.Fields = appendField(ec.Fields, "securityContext.runAsGroup", c.RunAsGroup)
		ec.Fields = appendField(ec.Fields, "securityContext.readOnlyRootFilesystem", c.ReadOnlyRootFilesystem)
		ec.Fields = appendField(ec.Fields, "securityContext.capabilities.add", nonNilField(c.CapabilitiesAdd))
		ec.Fields = appendField(ec.Fields, "securityContext.capabilities.drop", nonNilField(c.CapabilitiesDrop))
		ec.Fields = appendField(ec.Fields, "securityContext.seccompProfile", c.SeccompProfile)
		f.Containers = append(f.Containers, ec)
	}
	for _, x := range rec.Findings {
		f.Findings = append(f.Findings, podsecEvidenceFinding{
			Container: x.Container, Field: x.Field, Value: x.Value, Severity: x.Severity, Provenance: string(x.Provenance), Message: x.Message,
		})
	}
	// WriteJSON refuses strings that are not valid UTF-8.
	if err := WriteJSON(w, f); err != nil {
		return fmt.Errorf("evidence of %s: %w", podsecWhat(rec), err)
	}
	return nil
}

// appendField adds field to fields when rec set it.
func appendField[T any](fields []podsecEvidenceField, name string, field *podsec.Field[T]) []podsecEvidenceField {
	if field == nil {
		return fields
	}
	return append(fields, podsecEvidenceField{Field: name, Value: field.Value, Provenance: string(field.Provenance), Evidence: field.Evidence})
}

// nonNilField makes a list-valued field render its empty list as [].
func nonNilField(f *podsec.Field[[]string]) *podsec.Field[[]string] {
	if f == nil {
		return nil
	}
	out := *f
	out.Value = nonNil(f.Value)
	return &out
}

func podsecEmptyDirs(dirs []podsec.EmptyDir) []podsecEvidenceEmptyDir {
	out := []podsecEvidenceEmptyDir{}
	for _, d := range dirs {
		out = append(out, podsecEvidenceEmptyDir{
			Name: d.Name, Container: d.Container, MountPath: d.MountPath, Written: nonNil(d.Written),
			Provenance: string(d.Provenance), Evidence: d.Evidence,
		})
	}
	return out
}
