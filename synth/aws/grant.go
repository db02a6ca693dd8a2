package aws

// GrantStatement is one IAM policy statement as it applies to one
// principal: a statement of an inline or managed policy of the user or role,
// of a group the user is in, or of the principal's permissions boundary.
// usage/awsiam resolves account authorization details into them and stores
// them as grant rows; Entitlements expands them against the catalog.
type GrantStatement struct {
	Principal string // the user or role ARN
	Account   string // the principal's account id
	// Boundary marks a statement of the principal's permissions boundary:
	// it limits what the identity policies grant and grants nothing itself.
	Boundary bool
	Effect   string // "Allow" or "Deny"
	// NotAction: the statement applies to every action except those
	// Actions match (the policy's NotAction element).
	NotAction bool
	Actions   []string // action patterns as written ("s3:Get*", "*")
	// NotResource: the statement applies to every resource except those
	// Resources match (the policy's NotResource element).
	NotResource bool
	Resources   []string // resource patterns as written ("*", "arn:aws:s3:::b/*")
	// Conditional marks a statement with a Condition element: it applies
	// only to requests the condition holds for. Entitlements still counts a
	// conditional Allow as granted (reviewers must see it; Origin says
	// which condition keys) but never removes anything for a conditional
	// Deny.
	Conditional bool
	// Origin says where the statement comes from: the policy (and version),
	// the statement, the group it is inherited through and the condition
	// keys, e.g. "arn:aws:iam::aws:policy/ReadOnlyAccess (v3) statement #0
	// via group arn:aws:iam::123456789012:group/dev". Statements of one
	// principal have distinct Origins.
	Origin string
}

// Effects of a GrantStatement.
const (
	Allow = "Allow"
	Deny  = "Deny"
)
