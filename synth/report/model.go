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

// The risk categories an item can carry.
const (
	RiskPrivilegeEscalation = "privilege-escalation"
	RiskCredentialsExposure = "credentials-exposure"
	RiskResourceExposure    = "resource-exposure"
	RiskDataExfiltration    = "data-exfiltration"
	RiskAdmin               = "admin" // admin wildcards, Owner, cluster-admin-like
)

// Item is one entitlement (or, for Denied and NotGranted, one access) of a
// principal, with what the window shows about it.
type Item struct {
	Action   string
	Resource string // the entitlement's resource pattern; the access's resource for Denied and NotGranted
	Status   Status
	Origins  []string // what grants it; empty for Denied and NotGranted
	Risks    []string // risk categories, sorted; set for every status
	Inferred bool     // used only through an inferred access (iam:PassRole, Azure reads)
	Count    int64    // uses (or attempts) in the window
	First    time.Time
	Last     time.Time
	Samples  []string // a few event ids, sorted
}

// Principal is the granted-versus-used picture of one principal.
type Principal struct {
	Provider  string
	Principal string
	Kind      string
	// Container is the account, subscription or cluster the principal
	// belongs to: what roll-ups group by.
	Container string
	// Items are sorted by status (in the order of the constants above),
	// then risky first, then action and resource.
	Items []Item
	// Counts of Items by status.
	Granted, Used, Unused, Unobservable, Denied, NotGranted int
	// RiskyUnused counts unused or unobservable items with a risk.
	RiskyUnused int
	// Score is 0 (every entitlement used, nothing risky idle) to 100; see
	// Score for the formula.
	Score int
	// Policy is the right-sized policy pare would generate for the
	// principal, rendered in PolicyFormat ("json", "yaml"); set by the
	// command, "" when none.
	Policy       string
	PolicyFormat string
}

// Rollup sums the principals of one account, subscription or cluster.
type Rollup struct {
	Provider    string
	Container   string
	Principals  int
	Granted     int
	Used        int
	Unused      int
	RiskyUnused int
	MeanScore   float64
	MaxScore    int
}

// Report is one run of `pare report`.
type Report struct {
	Window     synth.Window
	Taken      time.Time // when the report was made (injected, never read from the clock here)
	Snapshot   int64     // the id it is stored under; 0 before it is stored
	Principals []Principal
	Rollups    []Rollup
	Changes    *Changes // what changed since an earlier snapshot; nil for the first
	// Trend has one point per stored snapshot, oldest first, this report
	// last: what the trend chart draws.
	Trend []TrendPoint
}

// TrendPoint sums one snapshot.
type TrendPoint struct {
	Snapshot    int64
	Taken       time.Time
	Principals  int
	Granted     int
	Unused      int
	RiskyUnused int
	MeanScore   float64
}

// Changes is what changed between an earlier snapshot and this report.
type Changes struct {
	Since      int64 // the earlier snapshot's id
	SinceTaken time.Time
	// New and Gone list principals present in only one of the two, as
	// "provider principal", sorted.
	New, Gone  []string
	Principals []PrincipalChange // principals present in both with a change, sorted
}

// PrincipalChange is what changed for one principal. Entitlements are
// written "action on resource".
type PrincipalChange struct {
	Provider    string
	Principal   string
	Gained      []string // newly granted
	Lost        []string // no longer granted
	NewlyUsed   []string // used now, not in the earlier window
	NewlyUnused []string // used in the earlier window, not now
	RiskyGained []string // gained items with a risk
	ScoreFrom   int
	ScoreTo     int
}
