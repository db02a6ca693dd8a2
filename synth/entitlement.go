package synth

// Entitlement is one concrete permission a principal holds today: an action
// the provider's catalog knows (wildcards expanded, NotActions and denies
// applied), where it applies, and what grants it. The granted-side
// expanders of synth/aws, synth/azure and synth/k8s produce them from the
// stored grants; synth/report compares them with what was used.
type Entitlement struct {
	Provider  string
	Principal string // canonical id, as in Access.Principal
	Action    string // concrete and canonical, as in Access.Action
	// Resource is where the action is granted, as a pattern in the
	// provider's form: an AWS resource ARN pattern ("*" for everything), an
	// Azure scope (the action applies there and below), a Kubernetes
	// "<namespace>/<name>" pattern ("*" for any part, "" for cluster-scoped
	// and non-resource access granted cluster-wide).
	Resource string
	// Data marks an Azure data action (DataActions); false elsewhere.
	Data bool
	// Risks are risk categories (the Risk constants) that come from how it
	// is granted (an admin wildcard: Action "*" on Resource "*", Azure
	// Owner); per-action risks are added by the report. Sorted, distinct.
	Risks []string
	// Origins say what grants it: the policy and statement, the role
	// assignment and definition, the binding and role. Sorted, distinct.
	Origins []string
}

// The risk categories an entitlement or a report item can carry. Every
// package that names a risk uses these.
const (
	RiskPrivilegeEscalation = "privilege-escalation"
	RiskCredentialsExposure = "credentials-exposure"
	RiskResourceExposure    = "resource-exposure"
	RiskDataExfiltration    = "data-exfiltration"
	RiskAdmin               = "admin" // admin wildcards, Owner, cluster-admin-like
)
