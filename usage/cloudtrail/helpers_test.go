package cloudtrail

import (
	"bytes"
	stdjson "encoding/json"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/usage/record"
	"github.com/leastpriv/pare/usage/record/recordtest"
)

// fakeCatalog is a small hand-written Catalog for unit tests.
type fakeCatalog struct{}

var fakeMappings = map[string]catalog.Mapping{
	"s3.amazonaws.com GetObject":                  {Actions: []string{"s3:GetObject"}},
	"s3.amazonaws.com ListObjects":                {Actions: []string{"s3:ListBucket"}},
	"s3.amazonaws.com CopyObject":                 {Actions: []string{"s3:GetObject", "s3:PutObject"}},
	"sts.amazonaws.com GetCallerIdentity":         {NoPermission: true, Reason: "always allowed"},
	"sts.amazonaws.com AssumeRole":                {Actions: []string{"sts:AssumeRole"}},
	"iam.amazonaws.com CreateRole":                {Actions: []string{"iam:CreateRole"}},
	"iam.amazonaws.com CreateUser":                {Actions: []string{"iam:CreateUser"}},
	"ec2.amazonaws.com RunInstances":              {Actions: []string{"ec2:RunInstances"}},
	"ec2.amazonaws.com DescribeInstances":         {Actions: []string{"ec2:DescribeInstances"}},
	"ec2.amazonaws.com StartInstances":            {Actions: []string{"ec2:StartInstances"}},
	"kms.amazonaws.com Decrypt":                   {Actions: []string{"kms:Decrypt"}},
	"lambda.amazonaws.com CreateFunction20150331": {Actions: []string{"lambda:CreateFunction"}},
	"lambda.amazonaws.com Invoke":                 {Actions: []string{"lambda:InvokeFunction"}},
	"secretsmanager.amazonaws.com GetSecretValue": {Actions: []string{"secretsmanager:GetSecretValue"}},
	"cloudformation.amazonaws.com CreateStack":    {Actions: []string{"cloudformation:CreateStack"}},
	"ecs.amazonaws.com RegisterTaskDefinition":    {Actions: []string{"ecs:RegisterTaskDefinition"}},
	"ssm.amazonaws.com GetParameter":              {Actions: []string{"ssm:GetParameter"}},
	"cloudtrail.amazonaws.com UpdateTrail":        {Actions: []string{"cloudtrail:UpdateTrail"}},
	"monitoring.amazonaws.com GetMetricData":      {Actions: []string{"cloudwatch:GetMetricData"}},
	"iam.amazonaws.com AddUserToGroup":            {Actions: []string{"iam:AddUserToGroup"}},
	"ec2.amazonaws.com CreateKeyPair":             {Actions: []string{"ec2:CreateKeyPair"}},
	"ec2.amazonaws.com StopInstances":             {Actions: []string{"ec2:StopInstances"}},
	"cloudformation.amazonaws.com DescribeStacks": {Actions: []string{"cloudformation:DescribeStacks"}},
}

func ref(name string, required bool, formats ...string) catalog.ResourceRef {
	return catalog.ResourceRef{Name: name, Required: required, ARNFormats: formats}
}

var (
	objectRef   = ref("object", true, "arn:${Partition}:s3:::${BucketName}/${ObjectName}")
	bucketRef   = ref("bucket", true, "arn:${Partition}:s3:::${BucketName}")
	functionRef = ref("function", true, "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}")
	roleRef     = ref("role", true, "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}")
	instanceRef = ref("instance", true, "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}")
)

var fakeActions = map[string]catalog.ActionInfo{
	"s3:GetObject":                  {Name: "s3:GetObject", ResourceTypes: []catalog.ResourceRef{objectRef}},
	"s3:PutObject":                  {Name: "s3:PutObject", ResourceTypes: []catalog.ResourceRef{objectRef}},
	"s3:ListBucket":                 {Name: "s3:ListBucket", ResourceTypes: []catalog.ResourceRef{bucketRef}},
	"sts:AssumeRole":                {Name: "sts:AssumeRole", ResourceTypes: []catalog.ResourceRef{roleRef}},
	"iam:CreateRole":                {Name: "iam:CreateRole", ResourceTypes: []catalog.ResourceRef{roleRef}},
	"iam:CreateUser":                {Name: "iam:CreateUser", ResourceTypes: []catalog.ResourceRef{ref("user", true, "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}")}},
	"ec2:RunInstances":              {Name: "ec2:RunInstances", ResourceTypes: []catalog.ResourceRef{ref("image", true, "arn:${Partition}:ec2:${Region}::image/${ImageId}"), instanceRef}},
	"ec2:DescribeInstances":         {Name: "ec2:DescribeInstances"},
	"ec2:StartInstances":            {Name: "ec2:StartInstances", ResourceTypes: []catalog.ResourceRef{instanceRef}},
	"kms:Decrypt":                   {Name: "kms:Decrypt", ResourceTypes: []catalog.ResourceRef{ref("key", true, "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}")}},
	"lambda:CreateFunction":         {Name: "lambda:CreateFunction", ResourceTypes: []catalog.ResourceRef{functionRef}},
	"lambda:InvokeFunction":         {Name: "lambda:InvokeFunction", ResourceTypes: []catalog.ResourceRef{functionRef}},
	"secretsmanager:GetSecretValue": {Name: "secretsmanager:GetSecretValue", ResourceTypes: []catalog.ResourceRef{ref("Secret", true, "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}")}},
	"cloudformation:CreateStack":    {Name: "cloudformation:CreateStack", ResourceTypes: []catalog.ResourceRef{ref("stack", true, "arn:${Partition}:cloudformation:${Region}:${Account}:stack/${StackName}/${Id}")}},
	"ecs:RegisterTaskDefinition":    {Name: "ecs:RegisterTaskDefinition"},
	"ssm:GetParameter":              {Name: "ssm:GetParameter", ResourceTypes: []catalog.ResourceRef{ref("parameter", true, "arn:${Partition}:ssm:${Region}:${Account}:parameter/${ParameterNameWithoutLeadingSlash}")}},
	"cloudtrail:UpdateTrail":        {Name: "cloudtrail:UpdateTrail", ResourceTypes: []catalog.ResourceRef{ref("trail", true, "arn:${Partition}:cloudtrail:${Region}:${Account}:trail/${TrailName}")}},
	"cloudwatch:GetMetricData":      {Name: "cloudwatch:GetMetricData"},
}

func (fakeCatalog) MapEvent(source, name string) catalog.Mapping {
	if m, ok := fakeMappings[source+" "+name]; ok {
		return m
	}
	return catalog.Mapping{Reason: "no rule for " + source + " " + name}
}

func (fakeCatalog) Action(name string) (catalog.ActionInfo, bool) {
	for k, v := range fakeActions {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return catalog.ActionInfo{}, false
}

// read runs a Reader over data and collects its events.
func read(t testing.TB, r *Reader, name string, data []byte) ([]record.Event, record.Stats, error) {
	t.Helper()
	return recordtest.Read(r.Read, name, data)
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// s3File wraps records in the S3 delivery shape.
func s3File(recs ...string) []byte {
	return []byte(`{"Records":[` + strings.Join(recs, ",") + `]}`)
}

// jsonLines writes one record a line.
func jsonLines(recs ...string) []byte {
	return []byte(strings.Join(recs, "\n") + "\n")
}

// lookupFile wraps records as lookup-events output.
func lookupFile(t testing.TB, recs ...string) []byte {
	var b strings.Builder
	b.WriteString(`{"Events":[`)
	for i, r := range recs {
		if i > 0 {
			b.WriteByte(',')
		}
		q, err := marshalString(r)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(`{"EventId":"x","EventName":"y","CloudTrailEvent":` + q + `}`)
	}
	b.WriteString(`],"NextToken":"abc"}`)
	return []byte(b.String())
}

func marshalString(s string) (string, error) {
	b, err := stdjson.Marshal(s)
	return string(b), err
}

const testAccount = "111122223333"

// userAlice is an IAM user identity.
func userAlice() map[string]any {
	return map[string]any{
		"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::" + testAccount + ":user/alice",
		"accountId": testAccount, "accessKeyId": "AKIAEXAMPLE", "userName": "alice",
	}
}

// mk builds a record: an AwsApiCall by alice of s3 GetObject, with fields
// replaced (or removed, with a nil value) by set.
func mk(t testing.TB, set map[string]any) string {
	t.Helper()
	r := map[string]any{
		"eventVersion": "1.08", "userIdentity": userAlice(), "eventTime": "2023-07-10T11:45:00Z",
		"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
		"sourceIPAddress": "192.0.2.1", "userAgent": "test",
		"requestParameters": map[string]any{"bucketName": "b1", "key": "k/1.txt"},
		"responseElements":  nil, "eventID": "id-1", "eventType": "AwsApiCall",
		"recipientAccountId": testAccount, "eventCategory": "Data",
	}
	for k, v := range set {
		if v == nil {
			delete(r, k)
		} else {
			r[k] = v
		}
	}
	b, err := stdjson.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
