package cloudtrail

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leastpriv/pare/usage/record"
)

func shapeRecords(t testing.TB) []string {
	return []string{
		mk(t, map[string]any{"eventID": "a"}),
		mk(t, map[string]any{"eventID": nil, "eventVersion": "1.0", "eventType": nil}), // no id: content hash
		mk(t, map[string]any{"eventID": "c", "eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances",
			"requestParameters": nil, "errorCode": "Client.UnauthorizedOperation"}),
		mk(t, map[string]any{"eventID": "d", "eventType": "AwsConsoleSignIn", "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin"}),
	}
}

func TestShapesGiveSameEvents(t *testing.T) {
	recs := shapeRecords(t)
	// Pretty-print the records the way `jq .` would, to prove whitespace
	// does not change the content hash of records without eventID.
	var pretty []string
	for _, r := range recs {
		var b bytes.Buffer
		if err := stdjson.Indent(&b, []byte(r), "", "  "); err != nil {
			t.Fatal(err)
		}
		pretty = append(pretty, b.String())
	}
	shapes := map[string][]byte{
		"s3":              s3File(recs...),
		"s3 pretty":       []byte("{\n  \"Records\": [\n" + strings.Join(pretty, ",\n") + "\n  ]\n}\n"),
		"s3 other keys":   []byte(`{"foo":{"Records":1,"eventVersion":"x"},"Records":[` + strings.Join(recs, ",") + `],"bar":[1,2]}`),
		"bare array":      []byte("[" + strings.Join(recs, ",") + "]"),
		"json lines":      jsonLines(recs...),
		"json lines crlf": []byte(strings.Join(recs, "\r\n") + "\r\n\r\n"),
		"concatenated":    []byte(strings.Join(pretty, "\n")),
		"lookup-events":   lookupFile(t, recs...),
	}
	r := NewReader(fakeCatalog{}, Options{})
	want, wantSt, err := read(t, r, "x", shapes["s3"])
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 3 || wantSt.Records != 4 || wantSt.Skipped[SkipSignIn] != 1 {
		t.Fatalf("s3: %d events, stats %+v; want 3 events of 4 records, 1 sign-in skipped", len(want), wantSt)
	}
	for name, data := range shapes {
		for _, zip := range []bool{false, true} {
			if zip {
				data = gz(t, data)
				name += " gzip"
			}
			got, st, err := read(t, r, "x", data)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: events differ:\n got %+v\nwant %+v", name, got, want)
			}
			if !reflect.DeepEqual(st, wantSt) {
				t.Errorf("%s: stats %+v, want %+v", name, st, wantSt)
			}
		}
	}
}

func TestEmitErrorStops(t *testing.T) {
	r := NewReader(fakeCatalog{}, Options{})
	stop := errors.New("stop")
	n := 0
	_, err := r.Read(context.Background(), "x", bytes.NewReader(s3File(mk(t, nil), mk(t, nil))), func(*record.Event) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err %v after %d emits, want stop after 1", err, n)
	}
}

func TestContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := NewReader(fakeCatalog{}, Options{})
	_, err := r.Read(ctx, "x", bytes.NewReader(s3File(mk(t, nil))), func(*record.Event) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

// one reads a single record and returns its events.
func one(t *testing.T, rec string) ([]record.Event, record.Stats) {
	t.Helper()
	evs, st, err := read(t, NewReader(fakeCatalog{}, Options{}), "x", s3File(rec))
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		checkEvent(t, ev)
	}
	return evs, st
}

func TestPrincipal(t *testing.T) {
	issuer := "arn:aws:iam::" + testAccount + ":role/path/deployer"
	cases := []struct {
		name                     string
		identity                 map[string]any
		principal, kind, session string
		scope                    string
	}{
		{"iam user", userAlice(), "arn:aws:iam::" + testAccount + ":user/alice", "user", "AKIAEXAMPLE", testAccount},
		{"assumed role", map[string]any{
			"type": "AssumedRole", "principalId": "AROA:sess", "accountId": testAccount,
			"arn":            "arn:aws:sts::" + testAccount + ":assumed-role/deployer/sess-1",
			"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "arn": issuer}},
		}, issuer, "role", "sess-1", testAccount},
		{"assumed role without issuer", map[string]any{
			"type": "AssumedRole", "accountId": testAccount,
			"arn": "arn:aws:sts::" + testAccount + ":assumed-role/deployer/sess-1",
		}, "arn:aws:iam::" + testAccount + ":role/deployer", "role", "sess-1", testAccount},
		{"root", map[string]any{"type": "Root", "principalId": testAccount, "arn": "arn:aws:iam::" + testAccount + ":root", "accountId": testAccount},
			"arn:aws:iam::" + testAccount + ":root", "root", "", testAccount},
		{"federated", map[string]any{
			"type": "FederatedUser", "accountId": testAccount, "arn": "arn:aws:sts::" + testAccount + ":federated-user/bob",
			"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::" + testAccount + ":user/broker"}},
		}, "arn:aws:iam::" + testAccount + ":user/broker", "federated", "bob", testAccount},
		{"saml", map[string]any{"type": "SAMLUser", "principalId": "SAMLExample:carol", "userName": "carol", "identityProvider": "ExampleIdP"},
			"ExampleIdP:carol", "saml", "carol", testAccount},
		{"web identity", map[string]any{"type": "WebIdentityUser", "principalId": "accounts.google.com:dave", "userName": "dave", "identityProvider": "accounts.google.com"},
			"accounts.google.com:dave", "web-identity", "dave", testAccount},
		{"cross-account", map[string]any{"type": "AWSAccount", "principalId": "AIDAOTHER", "accountId": "444455556666"},
			"arn:aws:iam::444455556666:root", "account", "AIDAOTHER", "444455556666"},
		{"identity center", map[string]any{"type": "IdentityCenterUser", "accountId": testAccount,
			"onBehalfOf": map[string]any{"userId": "u-1", "identityStoreArn": "arn:aws:identitystore::" + testAccount + ":identitystore/d-1"}},
			"arn:aws:identitystore::" + testAccount + ":identitystore/d-1/u-1", "identitycenteruser", "", testAccount},
		{"unknown type", map[string]any{"type": "SomethingNew", "principalId": "P1"}, "P1", "somethingnew", "", testAccount},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs, _ := one(t, mk(t, map[string]any{"userIdentity": c.identity}))
			if len(evs) != 1 {
				t.Fatalf("got %d events, want 1", len(evs))
			}
			ev := evs[0]
			if ev.Principal != c.principal || ev.PrincipalKind != c.kind || ev.Session != c.session || ev.Scope != c.scope {
				t.Errorf("got principal %q kind %q session %q scope %q, want %q %q %q %q",
					ev.Principal, ev.PrincipalKind, ev.Session, ev.Scope, c.principal, c.kind, c.session, c.scope)
			}
		})
	}
}

func TestSkipsAndProblems(t *testing.T) {
	cases := []struct {
		name    string
		set     map[string]any
		skip    string
		problem string
	}{
		{"sign-in", map[string]any{"eventType": "AwsConsoleSignIn"}, SkipSignIn, ""},
		{"service event", map[string]any{"eventType": "AwsServiceEvent", "userIdentity": map[string]any{"accountId": testAccount, "invokedBy": "ec2.amazonaws.com"}}, SkipServiceEvent, ""},
		{"insight", map[string]any{"eventType": "AwsCloudTrailInsight", "eventCategory": "Insight", "userIdentity": nil, "eventSource": nil}, SkipInsight, ""},
		{"insight details only", map[string]any{"eventType": nil, "insightDetails": map[string]any{"state": "Start"}}, SkipInsight, ""},
		{"AWS service caller", map[string]any{"userIdentity": map[string]any{"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}}, SkipService, ""},
		{"no permission", map[string]any{"eventSource": "sts.amazonaws.com", "eventName": "GetCallerIdentity"}, SkipNoPermission, ""},
		{"other event type", map[string]any{"eventType": "AwsVpceEvent"}, SkipOtherType, ""},
		{"no userIdentity", map[string]any{"userIdentity": nil}, "", "without userIdentity"},
		{"empty userIdentity", map[string]any{"userIdentity": map[string]any{"type": "Unknown"}}, "", "names no principal"},
		{"no eventName", map[string]any{"eventName": nil}, "", "without eventSource or eventName"},
		{"bad time", map[string]any{"eventTime": "yesterday"}, "", "bad eventTime"},
		{"zero time", map[string]any{"eventTime": "0001-01-01T00:00:00Z"}, "", "bad eventTime"},
		{"wrong field type", map[string]any{"eventTime": 5}, "", "invalid record"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs, st := one(t, mk(t, c.set))
			if len(evs) != 0 || st.Records != 1 {
				t.Fatalf("got %d events of %d records, want none of 1", len(evs), st.Records)
			}
			if c.skip != "" && (st.Skipped[c.skip] != 1 || len(st.Problems) != 0) {
				t.Errorf("skipped %v problems %v, want one %q skip", st.Skipped, st.Problems, c.skip)
			}
			if c.problem != "" && (len(st.Problems) != 1 || !strings.Contains(st.Problems[0].Message, c.problem) || st.Problems[0].Index != 0) {
				t.Errorf("problems %v, want one at index 0 with %q", st.Problems, c.problem)
			}
		})
	}
}

func TestViaOutcomeAndTime(t *testing.T) {
	cases := []struct {
		name    string
		set     map[string]any
		via     string
		outcome record.Outcome
	}{
		{"plain", nil, "", record.Allowed},
		{"invoked by service", map[string]any{"userIdentity": withField(userAlice(), "invokedBy", "cloudformation.amazonaws.com")}, "cloudformation.amazonaws.com", record.Allowed},
		{"AWS Internal", map[string]any{"userIdentity": withField(userAlice(), "invokedBy", "AWS Internal")}, "AWS Internal", record.Allowed},
		{"invoked by console", map[string]any{"userIdentity": withField(userAlice(), "invokedBy", "signin.aws.amazon.com")}, "", record.Allowed},
		{"source is service", map[string]any{"sourceIPAddress": "kms.amazonaws.com"}, "kms.amazonaws.com", record.Allowed},
		{"AccessDenied", map[string]any{"errorCode": "AccessDenied"}, "", record.Denied},
		{"Client.UnauthorizedOperation", map[string]any{"errorCode": "Client.UnauthorizedOperation"}, "", record.Denied},
		{"AccessDeniedException", map[string]any{"errorCode": "AccessDeniedException"}, "", record.Denied},
		{"other error", map[string]any{"errorCode": "NoSuchKey"}, "", record.Failed},
		{"throttled", map[string]any{"errorCode": "ThrottlingException"}, "", record.Failed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs, _ := one(t, mk(t, c.set))
			if len(evs) != 1 {
				t.Fatalf("got %d events", len(evs))
			}
			ev := evs[0]
			if ev.Via != c.via || ev.Outcome != c.outcome {
				t.Errorf("via %q outcome %q, want %q %q", ev.Via, ev.Outcome, c.via, c.outcome)
			}
			if code, _ := c.set["errorCode"].(string); ev.ErrorCode != code {
				t.Errorf("error code %q, want %q", ev.ErrorCode, code)
			}
			if ev.Principal != "arn:aws:iam::"+testAccount+":user/alice" {
				t.Errorf("principal %q: calls via a service stay the caller's", ev.Principal)
			}
		})
	}
	evs, _ := one(t, mk(t, map[string]any{"eventTime": "2023-07-10T13:45:00+02:00"}))
	if want := time.Date(2023, 7, 10, 11, 45, 0, 0, time.UTC); !evs[0].Time.Equal(want) || evs[0].Time.Location() != time.UTC {
		t.Errorf("time %v, want %v in UTC", evs[0].Time, want)
	}
}

func withField(m map[string]any, k string, v any) map[string]any {
	m[k] = v
	return m
}

// actionResource is one event's action, resource and inferred flag.
type actionResource struct {
	Action, Resource string
	Inferred         bool
}

func actionsOf(evs []record.Event) []actionResource {
	var out []actionResource
	for _, ev := range evs {
		out = append(out, actionResource{ev.Action, ev.Resource, ev.Inferred})
	}
	return out
}

func TestActionsAndResources(t *testing.T) {
	acct := testAccount
	role := "arn:aws:iam::" + acct + ":role/service-role/fn-role"
	cases := []struct {
		name string
		set  map[string]any
		want []actionResource
	}{
		{"object filled", nil, []actionResource{{"s3:GetObject", "arn:aws:s3:::b1/k/1.txt", false}}},
		{"from resources[]", map[string]any{"resources": []any{
			map[string]any{"ARN": "arn:aws:s3:::b1", "type": "AWS::S3::Bucket"},
			map[string]any{"ARN": "arn:aws:s3:::b1/other", "type": "AWS::S3::Object"}}},
			[]actionResource{{"s3:GetObject", "arn:aws:s3:::b1/other", false}}},
		{"bucket", map[string]any{"eventName": "ListObjects", "requestParameters": map[string]any{"bucketName": "b1", "prefix": "p/"},
			"resources": []any{map[string]any{"ARN": "arn:aws:s3:::b1/p/x"}}},
			[]actionResource{{"s3:ListBucket", "arn:aws:s3:::b1", false}}},
		{"two actions", map[string]any{"eventName": "CopyObject"},
			[]actionResource{{"s3:GetObject", "arn:aws:s3:::b1/k/1.txt", false}, {"s3:PutObject", "arn:aws:s3:::b1/k/1.txt", false}}},
		{"china partition", map[string]any{"awsRegion": "cn-north-1"}, []actionResource{{"s3:GetObject", "arn:aws-cn:s3:::b1/k/1.txt", false}}},
		{"no resource type", map[string]any{"eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances"},
			[]actionResource{{"ec2:DescribeInstances", "", false}}},
		{"missing parameter", map[string]any{"requestParameters": map[string]any{"bucketName": "b1"}},
			[]actionResource{{"s3:GetObject", "", false}}},
		{"one required type unknown", map[string]any{"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances",
			"requestParameters": map[string]any{"imageId": "ami-1"}},
			[]actionResource{{"ec2:RunInstances", "", false}}},
		{"instance id", map[string]any{"eventSource": "ec2.amazonaws.com", "eventName": "StartInstances",
			"requestParameters": map[string]any{"instanceId": "i-1"}},
			[]actionResource{{"ec2:StartInstances", "arn:aws:ec2:us-east-1:" + acct + ":instance/i-1", false}}},
		{"role with path", map[string]any{"eventSource": "iam.amazonaws.com", "eventName": "CreateRole",
			"requestParameters": map[string]any{"roleName": "r1", "path": "/a/b/", "assumeRolePolicyDocument": `{"x":"arn:aws:iam::` + acct + `:role/other"}`}},
			[]actionResource{{"iam:CreateRole", "arn:aws:iam::" + acct + ":role/a/b/r1", false}}},
		{"assume role: no PassRole", map[string]any{"eventSource": "sts.amazonaws.com", "eventName": "AssumeRole",
			"requestParameters": map[string]any{"roleArn": role, "roleSessionName": "s"}},
			[]actionResource{{"sts:AssumeRole", role, false}}},
		{"lambda function ARN with qualifier", map[string]any{"eventSource": "lambda.amazonaws.com", "eventName": "Invoke",
			"requestParameters": map[string]any{"functionName": "arn:aws:lambda:us-east-1:" + acct + ":function:f1:prod"}},
			[]actionResource{{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:" + acct + ":function:f1:prod", false}}},
		{"lambda PassRole", map[string]any{"eventSource": "lambda.amazonaws.com", "eventName": "CreateFunction20150331",
			"requestParameters": map[string]any{"functionName": "f1", "role": role, "runtime": "go1.x"}},
			[]actionResource{{"lambda:CreateFunction", "arn:aws:lambda:us-east-1:" + acct + ":function:f1", false}, {"iam:PassRole", role, true}}},
		{"ecs task roles", map[string]any{"eventSource": "ecs.amazonaws.com", "eventName": "RegisterTaskDefinition",
			"requestParameters": map[string]any{"family": "f", "taskRoleArn": role, "executionRoleArn": "arn:aws:iam::" + acct + ":role/exec",
				"containerDefinitions": []any{map[string]any{"image": "x"}}}},
			[]actionResource{{"ecs:RegisterTaskDefinition", "", false}, {"iam:PassRole", "arn:aws:iam::" + acct + ":role/exec", true}, {"iam:PassRole", role, true}}},
		{"cloudformation nested role", map[string]any{"eventSource": "cloudformation.amazonaws.com", "eventName": "CreateStack",
			"requestParameters": map[string]any{"stackName": "s", "roleARN": role, "parameters": []any{map[string]any{"parameterValue": role}}}},
			[]actionResource{{"cloudformation:CreateStack", "", false}, {"iam:PassRole", role, true}}},
		{"instance profile is not a role", map[string]any{"eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances",
			"requestParameters": map[string]any{"iamInstanceProfile": map[string]any{"arn": "arn:aws:iam::" + acct + ":instance-profile/p"}}},
			[]actionResource{{"ec2:DescribeInstances", "", false}}},
		{"secret name", map[string]any{"eventSource": "secretsmanager.amazonaws.com", "eventName": "GetSecretValue",
			"requestParameters": map[string]any{"secretId": "prod/db"}},
			[]actionResource{{"secretsmanager:GetSecretValue", "", false}}},
		{"secret ARN", map[string]any{"eventSource": "secretsmanager.amazonaws.com", "eventName": "GetSecretValue",
			"requestParameters": map[string]any{"secretId": "arn:aws:secretsmanager:us-east-1:" + acct + ":secret:prod/db-AbCdEf"}},
			[]actionResource{{"secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:" + acct + ":secret:prod/db-AbCdEf", false}}},
		{"ssm parameter", map[string]any{"eventSource": "ssm.amazonaws.com", "eventName": "GetParameter",
			"requestParameters": map[string]any{"name": "/app/db/password", "withDecryption": true}},
			[]actionResource{{"ssm:GetParameter", "arn:aws:ssm:us-east-1:" + acct + ":parameter/app/db/password", false}}},
		{"attacker strings stored as-is", map[string]any{"requestParameters": map[string]any{"bucketName": "b${x}", "key": "%{y}/../z"}},
			[]actionResource{{"s3:GetObject", "arn:aws:s3:::b${x}/%{y}/../z", false}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs, _ := one(t, mk(t, c.set))
			if got := actionsOf(evs); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
			for _, ev := range evs {
				if ev.EventID != evs[0].EventID {
					t.Errorf("events of one record have different ids")
				}
			}
		})
	}
}

func TestUnmapped(t *testing.T) {
	evs, _ := one(t, mk(t, map[string]any{"eventSource": "example.amazonaws.com", "eventName": "DoThing",
		"requestParameters": map[string]any{"role": "arn:aws:iam::" + testAccount + ":role/r"}}))
	if len(evs) != 2 || evs[0].Action != "" || !strings.Contains(evs[0].Unmapped, "DoThing") ||
		evs[0].Service != "example.amazonaws.com" || evs[0].Operation != "DoThing" {
		t.Fatalf("got %+v, want an unmapped event naming the call", evs)
	}
	if evs[1].Action != "iam:PassRole" || !evs[1].Inferred {
		t.Errorf("second event %+v, want an inferred iam:PassRole", evs[1])
	}
}

func TestMatchARN(t *testing.T) {
	cases := []struct {
		format, arn string
		want        bool
	}{
		{"arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::b", true},
		{"arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::b/k", false},
		{"arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::b/k/l", true},
		{"arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::b", false},
		{"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:aws:iam::1:role/a/b", true},
		{"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:aws:iam::1:user/a", false},
		{"arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}", "arn:aws:lambda:r:1:function:f:1", true},
		{"arn:${Partition}:ec2:${Region}::image/${ImageId}", "arn:aws:ec2:r::image/ami-1", true},
		{"arn:${Partition}:ec2:${Region}::image/${ImageId}", "arn:aws:ec2:r:1:image/ami-1", false},
		{"arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::" + strings.Repeat("a", 3000), false},
	}
	for _, c := range cases {
		if got := matchARN(c.format, c.arn); got != c.want {
			t.Errorf("matchARN(%q, %q) = %v, want %v", c.format, c.arn, got, c.want)
		}
	}
}

// TestConcurrentReads runs several reads on one Reader at once; run with
// -race to check that they share nothing mutable.
func TestConcurrentReads(t *testing.T) {
	r := NewReader(fakeCatalog{}, Options{})
	data := s3File(shapeRecords(t)...)
	want, _, err := read(t, r, "x", data)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			got, _, err := read(t, r, "x", data)
			if err == nil && !reflect.DeepEqual(got, want) {
				err = errors.New("concurrent read gave different events")
			}
			errs <- err
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
