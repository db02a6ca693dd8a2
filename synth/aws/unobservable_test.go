package aws

import (
	"strings"
	"testing"
)

// unobservableListed are the table's actions outside the services it takes
// whole, as the catalog spells them.
var unobservableListed = []string{
	"s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAcl", "s3:GetObjectVersionAcl",
	"s3:GetObjectAttributes", "s3:GetObjectVersionAttributes",
	"s3:GetObjectTagging", "s3:GetObjectVersionTagging",
	"s3:GetObjectTorrent", "s3:GetObjectVersionTorrent",
	"s3:GetObjectLegalHold", "s3:GetObjectRetention", "s3:GetObjectVersionForReplication",
	"s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectVersionAcl",
	"s3:PutObjectTagging", "s3:PutObjectVersionTagging",
	"s3:PutObjectLegalHold", "s3:PutObjectRetention",
	"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging",
	"s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
	"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads",
	"s3:RestoreObject", "s3:BypassGovernanceRetention",
	"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner",
	"s3express:CreateSession",
	"lambda:InvokeFunction", "lambda:InvokeFunctionUrl", "lambda:InvokeAsync",
	"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
	"dynamodb:BatchWriteItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:ConditionCheckItem",
	"dynamodb:PartiQLSelect", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete",
	"dynamodb:GetRecords", "dynamodb:GetShardIterator",
	"sns:Publish",
	"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
	"kinesis:PutRecord", "kinesis:PutRecords", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:SubscribeToShard",
	"cloudtrail-data:PutAuditEvents",
	"cloudwatch:PutMetricData", "cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics",
	"logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents",
}

// TestUnobservableTable checks every listed action against the catalog (a
// misspelt entry would never match) and that nothing else in the catalog is
// unobservable but the services taken whole.
func TestUnobservableTable(t *testing.T) {
	cat := realCatalog(t)
	listed := map[string]bool{}
	for _, a := range unobservableListed {
		info, ok := cat.Action(a)
		if !ok || info.Name != a {
			t.Errorf("%s: not in the catalog as spelt (found %q)", a, info.Name)
		}
		if !Unobservable(a) || !Unobservable(strings.ToUpper(a)) {
			t.Errorf("Unobservable(%s) = false", a)
		}
		listed[a] = true
	}
	whole := 0
	for _, a := range cat.ExpandPattern("*") {
		if !Unobservable(a) || listed[a] {
			continue
		}
		if strings.HasPrefix(a, "ebs:") || strings.HasPrefix(a, "s3-object-lambda:") {
			whole++
			continue
		}
		t.Errorf("%s is unobservable but not listed", a)
	}
	if whole < 20 {
		t.Errorf("only %d ebs and s3-object-lambda actions", whole)
	}
	for _, a := range []string{"s3:PutBucketPolicy", "s3:ListAllMyBuckets", "lambda:CreateFunction", "dynamodb:CreateTable",
		"iam:CreateUser", "sqs:CreateQueue", "kms:Decrypt", "secretsmanager:GetSecretValue", "ec2:RunInstances", "", "s3", "GetObject"} {
		if Unobservable(a) {
			t.Errorf("Unobservable(%q) = true", a)
		}
	}
}
