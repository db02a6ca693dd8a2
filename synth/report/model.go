package report

import (
	"time"

	"github.com/leastpriv/pare/synth"
)

// Status is what a report says about one entitlement or access.
type Status string

// The statuses of a report item.
const (
	Used         Status = "used"             // granted and used in the window
	Unused       Status = "unused"           // granted, never used in the window
	Unobservable Status = "unobservable"     // granted, but the logs cannot show its use (AWS data events, Azure reads and data actions)
	Denied       Status = "denied"           // attempted and refused in the window
	NotGranted   Status = "used-not-granted" // used in the window but no stored grant allows it (grants incomplete, or changed since)
)

// The risk categories an item can carry: synth's.
const (
	RiskPrivilegeEscalation = synth.RiskPrivilegeEscalation
	RiskCredentialsExposure = synth.RiskCredentialsExposure
	RiskResourceExposure    = synth.RiskResourceExposure
	RiskDataExfiltration    = synth.RiskDataExfiltration
	RiskAdmin               = synth.RiskAdmin
)

// Item is one entitlement (or, for Denied and NotGranted, one access) of a
// principal, with what the window shows about it.
type Item struct {
	Action   string    `json:"action"`
	Resource string    `json:"resource"` // the entitlement's resource pattern; the access's resource for Denied and NotGranted
	Status   Status    `json:"status"`
	Origins  []string  `json:"origins,omitempty"`  // what grants it; empty for Denied and NotGranted
	Risks    []string  `json:"risks,omitempty"`    // risk categories, sorted; set for every status
	Inferred bool      `json:"inferred,omitempty"` // used only through an inferred access (iam:PassRole, Azure reads)
	Count    int64     `json:"count,omitzero"`     // uses (or attempts) in the window
	First    time.Time `json:"first,omitzero"`
	Last     time.Time `json:"last,omitzero"`
	Samples  []string  `json:"samples,omitempty"` // a few event ids, sorted
}

// Principal is the granted-versus-used picture of one principal.
type Principal struct {
	Provider  string `json:"provider"`
	Principal string `json:"principal"`
	Kind      string `json:"kind"`
	// Container is the account, subscription or cluster the principal
	// belongs to: what roll-ups group by.
	Container string `json:"container"`
	// Items are sorted by status (in the order of the constants above),
	// then risky first, then action and resource.
	Items []Item `json:"items,omitempty"`
	// Counts of Items by status.
	Granted      int `json:"granted"`
	Used         int `json:"used"`
	Unused       int `json:"unused"`
	Unobservable int `json:"unobservable"`
	Denied       int `json:"denied"`
	NotGranted   int `json:"notGranted"`
	// RiskyUnused counts unused or unobservable items with a risk.
	RiskyUnused int `json:"riskyUnused"`
	// Score is 0 (every entitlement used, nothing risky idle) to 100; see
	// Score for the formula.
	Score int `json:"score"`
	// Policy is the right-sized policy pare would generate for the
	// principal, rendered in PolicyFormat ("json", "yaml"); set by the
	// command, "" when none.
	Policy       string `json:"policy,omitempty"`
	PolicyFormat string `json:"policyFormat,omitempty"`
}

// Rollup sums the principals of one account, subscription or cluster.
type Rollup struct {
	Provider    string  `json:"provider"`
	Container   string  `json:"container"`
	Principals  int     `json:"principals"`
	Granted     int     `json:"granted"`
	Used        int     `json:"used"`
	Unused      int     `json:"unused"`
	RiskyUnused int     `json:"riskyUnused"`
	MeanScore   float64 `json:"meanScore"`
	MaxScore    int     `json:"maxScore"`
}

// Report is one run of `pare report`.
type Report struct {
	Window     synth.Window `json:"window"`
	Taken      time.Time    `json:"taken"`    // when the report was made (injected, never read from the clock here)
	Snapshot   int64        `json:"snapshot"` // the id it is stored under; 0 before it is stored
	Principals []Principal  `json:"principals,omitempty"`
	Rollups    []Rollup     `json:"rollups,omitempty"`
	Changes    *Changes     `json:"changes,omitempty"` // what changed since an earlier snapshot; nil for the first
	// Trend has one point per stored snapshot, oldest first, this report
	// last: what the trend chart draws.
	Trend []TrendPoint `json:"trend,omitempty"`
}

// TrendPoint sums one snapshot.
type TrendPoint struct {
	Snapshot    int64     `json:"snapshot"`
	Taken       time.Time `json:"taken"`
	Principals  int       `json:"principals"`
	Granted     int       `json:"granted"`
	Unused      int       `json:"unused"`
	RiskyUnused int       `json:"riskyUnused"`
	MeanScore   float64   `json:"meanScore"`
}

// Changes is what changed between an earlier snapshot and this report.
type Changes struct {
	Since      int64     `json:"since"` // the earlier snapshot's id
	SinceTaken time.Time `json:"sinceTaken"`
	// New and Gone list principals present in only one of the two, as
	// "provider principal", sorted.
	New        []string          `json:"new,omitempty"`
	Gone       []string          `json:"gone,omitempty"`
	Principals []PrincipalChange `json:"principals,omitempty"` // principals present in both with a change, sorted
}

// PrincipalChange is what changed for one principal. Entitlements are
// written "action on resource".
type PrincipalChange struct {
	Provider    string   `json:"provider"`
	Principal   string   `json:"principal"`
	Gained      []string `json:"gained,omitempty"`      // newly granted
	Lost        []string `json:"lost,omitempty"`        // no longer granted
	NewlyUsed   []string `json:"newlyUsed,omitempty"`   // used now, not in the earlier window
	NewlyUnused []string `json:"newlyUnused,omitempty"` // used in the earlier window, not now
	RiskyGained []string `json:"riskyGained,omitempty"` // gained items with a risk
	ScoreFrom   int      `json:"scoreFrom"`
	ScoreTo     int      `json:"scoreTo"`
}
