package main

import (
	"math/rand/v2"
	"time"
)

// kind says which request parameters and resources an action carries.
type kind int

const (
	kNone kind = iota
	kS3Obj
	kS3List
	kS3Bucket
	kEC2Describe
	kEC2Run
	kEC2Inst
	kEC2Tags
	kIAMRole
	kIAMUser
	kIAMCreateRole
	kIAMPolicy
	kSTSAssume
	kSTSToken
	kKMS
	kLambdaInvoke
	kLambda
	kLambdaCreate
	kDDB
	kSQS
	kSQSName
	kSNS
	kSNSSub
	kLogs
	kLogsStream
	kLogsPrefix
	kSSMParam
	kSSMParams
	kSSMPath
	kSecret
)

// action is a real CloudTrail eventSource/eventName pair.
type action struct {
	service  string // eventSource prefix: "s3" for s3.amazonaws.com
	name     string
	readOnly bool
	data     bool // a data event rather than a management event
	kind     kind
	otherErr string // a plausible non-permission error code
}

// actionTable lists the pairs, most common first (Zipf picks from the top).
var actionTable = [...]action{
	{"s3", "GetObject", true, true, kS3Obj, "NoSuchKey"},
	{"kms", "Decrypt", true, false, kKMS, "InvalidCiphertextException"},
	{"sts", "AssumeRole", true, false, kSTSAssume, "RegionDisabledException"},
	{"s3", "PutObject", false, true, kS3Obj, "SlowDown"},
	{"dynamodb", "GetItem", true, true, kDDB, "ResourceNotFoundException"},
	{"sqs", "ReceiveMessage", true, true, kSQS, "AWS.SimpleQueueService.NonExistentQueue"},
	{"sts", "GetCallerIdentity", true, false, kNone, "ExpiredToken"},
	{"lambda", "Invoke", false, true, kLambdaInvoke, "ResourceNotFoundException"},
	{"logs", "CreateLogStream", false, false, kLogsStream, "ResourceAlreadyExistsException"},
	{"ec2", "DescribeInstances", true, false, kEC2Describe, "Client.RequestLimitExceeded"},
	{"ssm", "GetParameter", true, false, kSSMParam, "ParameterNotFound"},
	{"secretsmanager", "GetSecretValue", true, false, kSecret, "ResourceNotFoundException"},
	{"s3", "HeadObject", true, true, kS3Obj, "NoSuchKey"},
	{"s3", "ListObjects", true, true, kS3List, "NoSuchBucket"},
	{"dynamodb", "Query", true, true, kDDB, "ValidationException"},
	{"sqs", "SendMessage", false, true, kSQS, "AWS.SimpleQueueService.NonExistentQueue"},
	{"sqs", "DeleteMessage", false, true, kSQS, "ReceiptHandleIsInvalid"},
	{"kms", "GenerateDataKey", true, false, kKMS, "KMSInvalidStateException"},
	{"dynamodb", "PutItem", false, true, kDDB, "ConditionalCheckFailedException"},
	{"sns", "Publish", false, true, kSNS, "NotFound"},
	{"lambda", "GetFunction20150331v2", true, false, kLambda, "ResourceNotFoundException"},
	{"ec2", "DescribeSecurityGroups", true, false, kEC2Describe, "Client.InvalidGroup.NotFound"},
	{"iam", "GetRole", true, false, kIAMRole, "NoSuchEntityException"},
	{"s3", "ListBuckets", true, false, kNone, "InternalError"},
	{"s3", "GetBucketLocation", true, false, kS3Bucket, "NoSuchBucket"},
	{"kms", "Encrypt", true, false, kKMS, "DisabledException"},
	{"kms", "DescribeKey", true, false, kKMS, "NotFoundException"},
	{"dynamodb", "UpdateItem", false, true, kDDB, "ConditionalCheckFailedException"},
	{"dynamodb", "DescribeTable", true, false, kDDB, "ResourceNotFoundException"},
	{"sqs", "GetQueueAttributes", true, false, kSQS, "AWS.SimpleQueueService.NonExistentQueue"},
	{"sqs", "GetQueueUrl", true, false, kSQSName, "AWS.SimpleQueueService.NonExistentQueue"},
	{"logs", "DescribeLogGroups", true, false, kLogsPrefix, "ThrottlingException"},
	{"logs", "FilterLogEvents", true, false, kLogs, "ResourceNotFoundException"},
	{"logs", "GetLogEvents", true, false, kLogsStream, "ResourceNotFoundException"},
	{"logs", "CreateLogGroup", false, false, kLogs, "ResourceAlreadyExistsException"},
	{"ssm", "GetParameters", true, false, kSSMParams, "ValidationException"},
	{"ssm", "GetParametersByPath", true, false, kSSMPath, "ValidationException"},
	{"ssm", "DescribeInstanceInformation", true, false, kNone, "ThrottlingException"},
	{"secretsmanager", "DescribeSecret", true, false, kSecret, "ResourceNotFoundException"},
	{"secretsmanager", "ListSecrets", true, false, kNone, "InternalServiceError"},
	{"ec2", "DescribeVpcs", true, false, kEC2Describe, "Client.InvalidVpcID.NotFound"},
	{"ec2", "DescribeSubnets", true, false, kEC2Describe, "Client.InvalidSubnetID.NotFound"},
	{"ec2", "CreateTags", false, false, kEC2Tags, "Client.InvalidInstanceID.NotFound"},
	{"ec2", "RunInstances", false, false, kEC2Run, "Client.InsufficientInstanceCapacity"},
	{"ec2", "StopInstances", false, false, kEC2Inst, "Client.IncorrectInstanceState"},
	{"ec2", "TerminateInstances", false, false, kEC2Inst, "Client.InvalidInstanceID.NotFound"},
	{"s3", "DeleteObject", false, true, kS3Obj, "NoSuchBucket"},
	{"s3", "GetBucketAcl", true, false, kS3Bucket, "NoSuchBucket"},
	{"s3", "GetBucketPolicy", true, false, kS3Bucket, "NoSuchBucketPolicy"},
	{"lambda", "ListFunctions20150331", true, false, kNone, "TooManyRequestsException"},
	{"lambda", "UpdateFunctionCode20150331v2", false, false, kLambda, "ResourceConflictException"},
	{"lambda", "CreateFunction20150331", false, false, kLambdaCreate, "InvalidParameterValueException"},
	{"sts", "GetSessionToken", true, false, kSTSToken, "ExpiredToken"},
	{"iam", "ListRoles", true, false, kNone, "ServiceFailure"},
	{"iam", "GetUser", true, false, kIAMUser, "NoSuchEntityException"},
	{"iam", "ListAttachedRolePolicies", true, false, kIAMRole, "NoSuchEntityException"},
	{"iam", "GetPolicy", true, false, kIAMPolicy, "NoSuchEntityException"},
	{"iam", "ListPolicies", true, false, kNone, "ServiceFailure"},
	{"iam", "CreateRole", false, false, kIAMCreateRole, "EntityAlreadyExistsException"},
	{"sns", "ListTopics", true, false, kNone, "InternalError"},
	{"sns", "Subscribe", false, false, kSNSSub, "InvalidParameter"},
}

var (
	bucketKinds = [...]string{"data", "logs", "assets"}
	fnKinds     = [...]string{"api", "worker", "cron"}
	tableKinds  = [...]string{"orders", "sessions", "events"}
	queueKinds  = [...]string{"jobs", "events", "dlq"}
	secretKinds = [...]string{"db-password", "api-key", "oauth-token"}
	paramKinds  = [...]string{"db/host", "api/url", "feature/flags"}
	agents      = [...]string{"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5", "Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10 lang/python#3.12.4",
		"aws-cli/2.17.13 md/awscrt#0.20.11 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.9", "aws-sdk-java/2.26.20 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.11",
		"Terraform/1.9.2 (+https://www.terraform.io) terraform-provider-aws/5.58.0"}
	sessionKinds = [...]string{"botocore-session-", "aws-go-sdk-", "GitHubActions-", "i-0a1b2c3d4e5f"}
)

// gen writes the records of one file.
type gen struct {
	r             *rand.Rand
	p             *plan
	account       string
	region        string
	ts            time.Time // the file's delivery time
	zipfPrincipal *rand.Zipf
	zipfAction    [21]*rand.Zipf // by the size of a principal's action set
}

// record appends one record, picked from the account's principals.
func (g *gen) record(b []byte, idx []int) []byte {
	r := g.r
	t := g.ts.Add(-time.Duration(1+r.IntN(300)) * time.Second)
	switch roll := r.IntN(1000); {
	case roll < 3:
		return g.serviceCall(b, t)
	case roll < 5:
		return g.serviceEvent(b, t)
	}
	pr := &g.p.principals[idx[g.zipfPrincipal.Uint64()]]
	act := &actionTable[pr.actions[g.zipfAction[len(pr.actions)].Uint64()]]
	k := r.IntN(3)
	viaS3 := act.service == "kms" && act.name != "DescribeKey" && r.IntN(3) == 0

	b = append(b, `{"eventVersion":"1.08","userIdentity":`...)
	b = g.identity(b, pr, t, viaS3)
	b = append(b, `,"eventTime":"`...)
	b = t.AppendFormat(b, "2006-01-02T15:04:05Z")
	b = append(b, `","eventSource":"`...)
	b = append(b, act.service...)
	b = append(b, `.amazonaws.com","eventName":"`...)
	b = append(b, act.name...)
	b = append(b, `","awsRegion":"`...)
	b = append(b, g.region...)
	if viaS3 {
		b = append(b, `","sourceIPAddress":"s3.amazonaws.com","userAgent":"s3.amazonaws.com"`...)
	} else {
		b = append(b, `","sourceIPAddress":"10.`...)
		b = appendInt(b, r.IntN(256))
		b = append(b, '.')
		b = appendInt(b, r.IntN(256))
		b = append(b, '.')
		b = appendInt(b, 1+r.IntN(254))
		b = append(b, `","userAgent":`...)
		b = appendStr(b, agents[r.IntN(len(agents))])
	}
	switch e := r.IntN(1000); {
	case e < 30:
		code := "AccessDenied"
		if act.service == "ec2" {
			code = "Client.UnauthorizedOperation"
		}
		b = append(b, `,"errorCode":"`...)
		b = append(b, code...)
		b = append(b, `","errorMessage":"User: `...)
		b = g.principalARN(b, pr)
		b = append(b, ` is not authorized to perform: `...)
		b = append(b, iamPrefix(act.service)...)
		b = append(b, ':')
		b = append(b, act.name...)
		b = append(b, ` because no identity-based policy allows the action"`...)
	case e < 40:
		b = append(b, `,"errorCode":"`...)
		b = append(b, act.otherErr...)
		b = append(b, `","errorMessage":"The request failed."`...)
	}
	b = append(b, `,"requestParameters":`...)
	b, res := g.params(b, act, pr, k)
	b = append(b, `,"responseElements":null,"requestID":"`...)
	b = appendUUID(b, r)
	b = append(b, `","eventID":"`...)
	b = appendUUID(b, r)
	b = append(b, `","readOnly":`...)
	if act.readOnly {
		b = append(b, "true"...)
	} else {
		b = append(b, "false"...)
	}
	if res != nil {
		b = append(b, `,"resources":`...)
		b = res(b)
	}
	b = append(b, `,"eventType":"AwsApiCall","managementEvent":`...)
	if act.data {
		b = append(b, `false,"recipientAccountId":"`...)
		b = append(b, g.account...)
		b = append(b, `","eventCategory":"Data"}`...)
	} else {
		b = append(b, `true,"recipientAccountId":"`...)
		b = append(b, g.account...)
		b = append(b, `","eventCategory":"Management"}`...)
	}
	return b
}

func iamPrefix(service string) string {
	if service == "logs" {
		return "logs"
	}
	return service
}

func (g *gen) principalARN(b []byte, pr *principal) []byte {
	b = append(b, "arn:aws:iam::"...)
	b = append(b, pr.account...)
	if pr.user {
		b = append(b, ":user/"...)
	} else {
		b = append(b, ":role/"...)
	}
	return append(b, pr.name...)
}

func (g *gen) identity(b []byte, pr *principal, t time.Time, viaS3 bool) []byte {
	r := g.r
	if pr.user {
		b = append(b, `{"type":"IAMUser","principalId":"`...)
		b = append(b, pr.id...)
		b = append(b, `","arn":"arn:aws:iam::`...)
		b = append(b, pr.account...)
		b = append(b, `:user/`...)
		b = append(b, pr.name...)
		b = append(b, `","accountId":"`...)
		b = append(b, pr.account...)
		b = append(b, `","accessKeyId":"`...)
		b = append(b, pr.accessID...)
		b = append(b, `","userName":"`...)
		b = append(b, pr.name...)
		b = append(b, '"')
		if viaS3 {
			b = append(b, `,"invokedBy":"s3.amazonaws.com"`...)
		}
		return append(b, '}')
	}
	session := make([]byte, 0, 32)
	session = append(session, sessionKinds[r.IntN(len(sessionKinds))]...)
	session = appendInt(session, r.IntN(100000))
	b = append(b, `{"type":"AssumedRole","principalId":"`...)
	b = append(b, pr.id...)
	b = append(b, ':')
	b = append(b, session...)
	b = append(b, `","arn":"arn:aws:sts::`...)
	b = append(b, pr.account...)
	b = append(b, `:assumed-role/`...)
	b = append(b, pr.name...)
	b = append(b, '/')
	b = append(b, session...)
	b = append(b, `","accountId":"`...)
	b = append(b, pr.account...)
	b = append(b, `","accessKeyId":"ASIA`...)
	for i := 0; i < 16; i++ {
		b = append(b, upper[r.IntN(len(upper))])
	}
	b = append(b, `","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"`...)
	b = append(b, pr.id...)
	b = append(b, `","arn":"arn:aws:iam::`...)
	b = append(b, pr.account...)
	b = append(b, `:role/`...)
	b = append(b, pr.name...)
	b = append(b, `","accountId":"`...)
	b = append(b, pr.account...)
	b = append(b, `","userName":"`...)
	b = append(b, pr.name...)
	b = append(b, `"},"webIdFederationData":{},"attributes":{"creationDate":"`...)
	b = t.Add(-time.Duration(r.IntN(3600))*time.Second).AppendFormat(b, "2006-01-02T15:04:05Z")
	b = append(b, `","mfaAuthenticated":"false"}}`...)
	if viaS3 {
		b = append(b, `,"invokedBy":"s3.amazonaws.com"`...)
	}
	return append(b, '}')
}

// params appends requestParameters and returns a writer for resources[],
// or nil when the record has none.
func (g *gen) params(b []byte, act *action, pr *principal, k int) ([]byte, func([]byte) []byte) {
	r, acct, region, team := g.r, g.account, g.region, pr.team
	switch act.kind {
	case kS3Obj, kS3List, kS3Bucket:
		bucket := "acme-" + team + "-" + bucketKinds[k]
		b = append(b, `{"bucketName":"`...)
		b = append(b, bucket...)
		var key []byte
		switch act.kind {
		case kS3Obj:
			b = append(b, `","key":"`...)
			start := len(b)
			b = append(b, "data/"...)
			b = g.ts.AppendFormat(b, "2006/01/")
			b = append(b, "part-"...)
			b = appendInt(b, r.IntN(500))
			b = append(b, ".parquet"...)
			key = b[start:]
		case kS3List:
			b = append(b, `","list-type":"2","prefix":"data/`...)
		}
		b = append(b, `","Host":"`...)
		b = append(b, bucket...)
		b = append(b, `.s3.`...)
		b = append(b, region...)
		b = append(b, `.amazonaws.com"}`...)
		key = append([]byte(nil), key...)
		return b, func(b []byte) []byte {
			b = append(b, '[')
			if act.kind == kS3Obj {
				b = append(b, `{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::`...)
				b = append(b, bucket...)
				b = append(b, '/')
				b = append(b, key...)
				b = append(b, `"},`...)
			}
			b = append(b, `{"accountId":"`...)
			b = append(b, acct...)
			b = append(b, `","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::`...)
			b = append(b, bucket...)
			return append(b, `"}]`...)
		}
	case kEC2Describe:
		return append(b, `{"maxResults":1000,"filterSet":{}}`...), nil
	case kEC2Run:
		b = append(b, `{"instancesSet":{"items":[{"imageId":"ami-0abcdef1234567890","minCount":1,"maxCount":1}]},"instanceType":"t3.micro","iamInstanceProfile":{"name":"`...)
		b = append(b, team...)
		return append(b, `-ec2-profile"},"disableApiTermination":false}`...), nil
	case kEC2Inst:
		b = append(b, `{"instancesSet":{"items":[{"instanceId":"`...)
		b = appendInstance(b, r)
		return append(b, `"}]},"force":false}`...), nil
	case kEC2Tags:
		b = append(b, `{"resourcesSet":{"items":[{"resourceId":"`...)
		b = appendInstance(b, r)
		b = append(b, `"}]},"tagSet":{"items":[{"key":"team","value":"`...)
		b = append(b, team...)
		return append(b, `"}]}}`...), nil
	case kIAMRole:
		b = append(b, `{"roleName":"`...)
		b = append(b, team...)
		return append(b, `-lambda-exec"}`...), nil
	case kIAMUser:
		b = append(b, `{"userName":"`...)
		b = append(b, team...)
		return append(b, `.dev0"}`...), nil
	case kIAMCreateRole:
		b = append(b, `{"roleName":"`...)
		b = append(b, team...)
		b = append(b, `-`...)
		b = append(b, fnKinds[k]...)
		return append(b, `-role","assumeRolePolicyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"}`...), nil
	case kIAMPolicy:
		b = append(b, `{"policyArn":"arn:aws:iam::`...)
		b = append(b, acct...)
		b = append(b, `:policy/`...)
		b = append(b, team...)
		return append(b, `-read"}`...), nil
	case kSTSAssume:
		role := "arn:aws:iam::" + acct + ":role/" + team + "-" + fnKinds[k] + "-role"
		b = append(b, `{"roleArn":"`...)
		b = append(b, role...)
		b = append(b, `","roleSessionName":"`...)
		b = append(b, team...)
		b = append(b, `-session","durationSeconds":3600}`...)
		return b, func(b []byte) []byte {
			b = append(b, `[{"accountId":"`...)
			b = append(b, acct...)
			b = append(b, `","type":"AWS::IAM::Role","ARN":"`...)
			b = append(b, role...)
			return append(b, `"}]`...)
		}
	case kSTSToken:
		return append(b, `{"durationSeconds":43200}`...), nil
	case kKMS:
		keyARN := kmsKey(acct, region, pr.team, k)
		b = append(b, `{"keyId":"`...)
		b = append(b, keyARN...)
		b = append(b, `","encryptionAlgorithm":"SYMMETRIC_DEFAULT"}`...)
		return b, func(b []byte) []byte {
			b = append(b, `[{"accountId":"`...)
			b = append(b, acct...)
			b = append(b, `","type":"AWS::KMS::Key","ARN":"`...)
			b = append(b, keyARN...)
			return append(b, `"}]`...)
		}
	case kLambdaInvoke:
		b = append(b, `{"functionName":"arn:aws:lambda:`...)
		b = append(b, region...)
		b = append(b, ':')
		b = append(b, acct...)
		b = append(b, `:function:`...)
		b = append(b, team...)
		b = append(b, '-')
		b = append(b, fnKinds[k]...)
		b = append(b, `","invocationType":"RequestResponse"}`...)
		return b, nil
	case kLambda:
		b = append(b, `{"functionName":"`...)
		b = append(b, team...)
		b = append(b, '-')
		b = append(b, fnKinds[k]...)
		return append(b, `"}`...), nil
	case kLambdaCreate:
		b = append(b, `{"functionName":"`...)
		b = append(b, team...)
		b = append(b, '-')
		b = append(b, fnKinds[k]...)
		b = append(b, `","runtime":"python3.12","role":"arn:aws:iam::`...)
		b = append(b, acct...)
		b = append(b, `:role/`...)
		b = append(b, team...)
		b = append(b, `-lambda-exec","handler":"app.handler","publish":true}`...)
		return b, nil
	case kDDB:
		b = append(b, `{"tableName":"`...)
		b = append(b, team...)
		b = append(b, '-')
		b = append(b, tableKinds[k]...)
		b = append(b, `","key":{"pk":"HIDDEN_DUE_TO_SECURITY_REASONS"}}`...)
		return b, nil
	case kSQS:
		b = append(b, `{"queueUrl":"https://sqs.`...)
		b = append(b, region...)
		b = append(b, `.amazonaws.com/`...)
		b = append(b, acct...)
		b = append(b, '/')
		b = append(b, team...)
		b = append(b, '-')
		b = append(b, queueKinds[k]...)
		return append(b, `"}`...), nil
	case kSQSName:
		b = append(b, `{"queueName":"`...)
		b = append(b, team...)
		b = append(b, '-')
		b = append(b, queueKinds[k]...)
		return append(b, `"}`...), nil
	case kSNS, kSNSSub:
		b = append(b, `{"topicArn":"arn:aws:sns:`...)
		b = append(b, region...)
		b = append(b, ':')
		b = append(b, acct...)
		b = append(b, ':')
		b = append(b, team...)
		b = append(b, `-alerts"`...)
		if act.kind == kSNSSub {
			b = append(b, `,"protocol":"sqs","endpoint":"arn:aws:sqs:`...)
			b = append(b, region...)
			b = append(b, ':')
			b = append(b, acct...)
			b = append(b, ':')
			b = append(b, team...)
			b = append(b, `-events"`...)
		}
		return append(b, '}'), nil
	case kLogs, kLogsStream:
		b = append(b, `{"logGroupName":"/aws/lambda/`...)
		b = append(b, team...)
		b = append(b, '-')
		b = append(b, fnKinds[k]...)
		if act.kind == kLogsStream {
			b = append(b, `","logStreamName":"`...)
			b = g.ts.AppendFormat(b, "2006/01/02")
			b = append(b, `/[$LATEST]`...)
			b = appendHex(b, r.Uint64(), r.Uint64())
		}
		return append(b, `"}`...), nil
	case kLogsPrefix:
		return append(b, `{"logGroupNamePrefix":"/aws/lambda/"}`...), nil
	case kSSMParam:
		b = append(b, `{"name":"/`...)
		b = append(b, team...)
		b = append(b, '/')
		b = append(b, paramKinds[k]...)
		return append(b, `","withDecryption":true}`...), nil
	case kSSMParams:
		b = append(b, `{"names":["/`...)
		b = append(b, team...)
		b = append(b, `/db/host","/`...)
		b = append(b, team...)
		return append(b, `/api/url"],"withDecryption":false}`...), nil
	case kSSMPath:
		b = append(b, `{"path":"/`...)
		b = append(b, team...)
		return append(b, `/","recursive":true,"withDecryption":true}`...), nil
	case kSecret:
		b = append(b, `{"secretId":"arn:aws:secretsmanager:`...)
		b = append(b, region...)
		b = append(b, ':')
		b = append(b, acct...)
		b = append(b, `:secret:`...)
		b = append(b, team...)
		b = append(b, '/')
		b = append(b, secretKinds[k]...)
		return append(b, `-Ab12Cd"}`...), nil
	}
	return append(b, "null"...), nil
}

// appendHex appends x and y as 32 hex digits.
func appendHex(b []byte, x, y uint64) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < 16; i++ {
		b = append(b, hex[x>>(4*uint(i))&0xf])
	}
	for i := 0; i < 16; i++ {
		b = append(b, hex[y>>(4*uint(i))&0xf])
	}
	return b
}

func appendInstance(b []byte, r *rand.Rand) []byte {
	const hex = "0123456789abcdef"
	b = append(b, "i-0"...)
	x := r.Uint64()
	for i := 0; i < 16; i++ {
		b = append(b, hex[x>>(4*uint(i))&0xf])
	}
	return b
}

// kmsKey gives a stable key ARN per team and slot.
func kmsKey(acct, region, team string, k int) string {
	h := uint64(14695981039346656037)
	for i := 0; i < len(team); i++ {
		h = (h ^ uint64(team[i])) * 1099511628211
	}
	h = (h ^ uint64(k)) * 1099511628211
	b := make([]byte, 0, 96)
	b = append(b, "arn:aws:kms:"...)
	b = append(b, region...)
	b = append(b, ':')
	b = append(b, acct...)
	b = append(b, ":key/"...)
	return string(appendUUID(b, rand.New(rand.NewPCG(h, h))))
}

// serviceCall is a call an AWS service makes itself (userIdentity type
// AWSService): Lambda assuming a function's execution role.
func (g *gen) serviceCall(b []byte, t time.Time) []byte {
	team := teams[g.r.IntN(len(teams))]
	role := "arn:aws:iam::" + g.account + ":role/" + team + "-lambda-exec"
	b = append(b, `{"eventVersion":"1.08","userIdentity":{"type":"AWSService","invokedBy":"lambda.amazonaws.com"},"eventTime":"`...)
	b = t.AppendFormat(b, "2006-01-02T15:04:05Z")
	b = append(b, `","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"`...)
	b = append(b, g.region...)
	b = append(b, `","sourceIPAddress":"lambda.amazonaws.com","userAgent":"lambda.amazonaws.com","requestParameters":{"roleArn":"`...)
	b = append(b, role...)
	b = append(b, `","roleSessionName":"`...)
	b = append(b, team...)
	b = append(b, `-api"},"responseElements":null,"requestID":"`...)
	b = appendUUID(b, g.r)
	b = append(b, `","eventID":"`...)
	b = appendUUID(b, g.r)
	b = append(b, `","readOnly":true,"resources":[{"accountId":"`...)
	b = append(b, g.account...)
	b = append(b, `","type":"AWS::IAM::Role","ARN":"`...)
	b = append(b, role...)
	b = append(b, `"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"`...)
	b = append(b, g.account...)
	b = append(b, `","sharedEventID":"`...)
	b = appendUUID(b, g.r)
	return append(b, `","eventCategory":"Management"}`...)
}

// serviceEvent is an AwsServiceEvent: KMS rotating a key on its own.
func (g *gen) serviceEvent(b []byte, t time.Time) []byte {
	key := kmsKey(g.account, g.region, teams[g.r.IntN(len(teams))], g.r.IntN(3))
	b = append(b, `{"eventVersion":"1.08","userIdentity":{"accountId":"`...)
	b = append(b, g.account...)
	b = append(b, `","invokedBy":"kms.amazonaws.com"},"eventTime":"`...)
	b = t.AppendFormat(b, "2006-01-02T15:04:05Z")
	b = append(b, `","eventSource":"kms.amazonaws.com","eventName":"RotateKey","awsRegion":"`...)
	b = append(b, g.region...)
	b = append(b, `","sourceIPAddress":"kms.amazonaws.com","userAgent":"kms.amazonaws.com","requestParameters":null,"responseElements":null,"eventID":"`...)
	b = appendUUID(b, g.r)
	b = append(b, `","readOnly":false,"resources":[{"accountId":"`...)
	b = append(b, g.account...)
	b = append(b, `","type":"AWS::KMS::Key","ARN":"`...)
	b = append(b, key...)
	b = append(b, `"}],"eventType":"AwsServiceEvent","managementEvent":true,"recipientAccountId":"`...)
	b = append(b, g.account...)
	return append(b, `","eventCategory":"Management"}`...)
}
