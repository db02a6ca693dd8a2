package aws

import "strings"

// Unobservable reports whether CloudTrail cannot show a use of action in a
// default trail: the calls that need it are data events, which trails and
// event data stores log only when data events of that resource type are
// selected (at extra cost), or calls CloudTrail does not record as
// management events. An unused entitlement of such an action may well be in
// use; the report says "unobservable" rather than "unused". The match is
// case-insensitive.
//
// The table covers the data event resource types of the CloudTrail User
// Guide, "Logging data events"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html),
// for the services whose permissions policies grant most often, with the
// IAM actions their data-plane APIs need:
//
//   - AWS::S3::Object (object-level API activity, "Amazon S3 CloudTrail
//     events", https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html):
//     the object reads, writes, ACL/tagging/retention/legal-hold calls,
//     multipart uploads, object listings (ListObjects needs s3:ListBucket)
//     and replication; AWS::S3ObjectLambda::AccessPoint (every
//     s3-object-lambda action) and AWS::S3Express::Object (s3express:CreateSession);
//   - AWS::Lambda::Function: the Invoke API (lambda:InvokeFunction,
//     lambda:InvokeFunctionUrl, the retired lambda:InvokeAsync);
//   - AWS::DynamoDB::Table and AWS::DynamoDB::Stream: item-level calls
//     (GetItem, PutItem, UpdateItem, DeleteItem, the Batch, Transact and
//     PartiQL calls, Query, Scan, ConditionCheckItem) and stream record
//     reads (GetRecords, GetShardIterator);
//   - AWS::SNS::Topic: Publish and PublishBatch (sns:Publish);
//   - AWS::SQS::Queue: message calls ("Logging Amazon SQS API calls using
//     AWS CloudTrail"): SendMessage, ReceiveMessage, DeleteMessage,
//     ChangeMessageVisibility and their batch forms;
//   - AWS::Kinesis::Stream and AWS::Kinesis::StreamConsumer: record reads
//     and writes;
//   - AWS::EC2::Snapshot: the EBS direct APIs (every ebs action);
//   - AWS::CloudTrail::Channel: cloudtrail-data:PutAuditEvents;
//   - AWS::CloudWatch::Metric and CloudWatch Logs' log event calls
//     (PutMetricData, GetMetricData, GetMetricStatistics, PutLogEvents,
//     GetLogEvents, FilterLogEvents), which management events do not
//     record.
//
// Other data event types (Bedrock agents, SageMaker feature stores, Q
// Business, ...) are not in the table: their actions count as observable,
// so their unused grants are reported as unused.
//
// What was checked against the documentation when the table was written:
// the S3 object, Lambda function and DynamoDB table types (the basic event
// selectors), SNS topics, SQS queues, CloudTrail channels and that EBS
// direct APIs are data events. The per-action lists of Kinesis, DynamoDB
// streams and S3 objects, and the CloudWatch metric and log event rows,
// were written from knowledge of those APIs and still need checking
// against the User Guide's full table of data event resource types.
func Unobservable(action string) bool {
	prefix, name, ok := strings.Cut(strings.ToLower(action), ":")
	if !ok {
		return false
	}
	switch prefix {
	case "s3-object-lambda", "ebs":
		return true
	case "s3express":
		return name == "createsession"
	case "s3":
		switch name {
		case "getobject", "getobjectversion", "getobjectacl", "getobjectversionacl",
			"getobjectattributes", "getobjectversionattributes",
			"getobjecttagging", "getobjectversiontagging",
			"getobjecttorrent", "getobjectversiontorrent",
			"getobjectlegalhold", "getobjectretention",
			"getobjectversionforreplication",
			"putobject", "putobjectacl", "putobjectversionacl",
			"putobjecttagging", "putobjectversiontagging",
			"putobjectlegalhold", "putobjectretention",
			"deleteobject", "deleteobjectversion",
			"deleteobjecttagging", "deleteobjectversiontagging",
			"abortmultipartupload", "listmultipartuploadparts",
			"listbucket", "listbucketversions", "listbucketmultipartuploads",
			"restoreobject", "bypassgovernanceretention",
			"replicateobject", "replicatedelete", "replicatetags",
			"objectowneroverridetobucketowner":
			return true
		}
	case "lambda":
		return name == "invokefunction" || name == "invokefunctionurl" || name == "invokeasync"
	case "dynamodb":
		switch name {
		case "getitem", "batchgetitem", "putitem", "updateitem", "deleteitem", "batchwriteitem",
			"query", "scan", "conditioncheckitem",
			"partiqlselect", "partiqlinsert", "partiqlupdate", "partiqldelete",
			"getrecords", "getsharditerator":
			return true
		}
	case "sns":
		return name == "publish"
	case "sqs":
		switch name {
		case "sendmessage", "receivemessage", "deletemessage", "changemessagevisibility":
			return true
		}
	case "kinesis":
		switch name {
		case "putrecord", "putrecords", "getrecords", "getsharditerator", "subscribetoshard":
			return true
		}
	case "cloudtrail-data":
		return name == "putauditevents"
	case "cloudwatch":
		switch name {
		case "putmetricdata", "getmetricdata", "getmetricstatistics":
			return true
		}
	case "logs":
		switch name {
		case "putlogevents", "getlogevents", "filterlogevents":
			return true
		}
	}
	return false
}
