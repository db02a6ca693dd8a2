package awsiam

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/aws"
	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/usage/record"
)

const sampleDir = "../../testdata/aws-iam/cloudsplaining"

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(sampleDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func decodeBytes(t testing.TB, name string, data []byte) Details {
	t.Helper()
	d, err := Decode(name, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return d
}

var loadCatalog = sync.OnceValues(catalog.LoadAWS)

func realCatalog(t testing.TB) *catalog.AWS {
	t.Helper()
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDecodeSamples(t *testing.T) {
	cases := []struct {
		file                             string
		users, groups, roles, policies   int
		statements, problems, principals int
	}{
		{"example-authz-details.json", 3, 2, 3, 32, -1, 0, 6},
		{"example.json", 44, 5, 78, 84, -1, 0, 118}, // 4 principals have no policy
	}
	for _, tc := range cases {
		d := decodeBytes(t, tc.file, readSample(t, tc.file))
		if len(d.Users) != tc.users || len(d.Groups) != tc.groups || len(d.Roles) != tc.roles || len(d.Policies) != tc.policies {
			t.Errorf("%s: %d users, %d groups, %d roles, %d policies; want %d, %d, %d, %d", tc.file,
				len(d.Users), len(d.Groups), len(d.Roles), len(d.Policies), tc.users, tc.groups, tc.roles, tc.policies)
		}
		stmts, problems := Statements(d)
		if len(problems) != tc.problems {
			t.Errorf("%s: problems %v", tc.file, problems)
		}
		seen := map[string]bool{}
		for _, st := range stmts {
			seen[st.Principal] = true
			if st.Account == "" || len(st.Actions) == 0 || len(st.Resources) == 0 || st.Origin == "" {
				t.Errorf("%s: incomplete statement %+v", tc.file, st)
			}
		}
		if len(seen) != tc.principals {
			t.Errorf("%s: statements for %d principals, want %d", tc.file, len(seen), tc.principals)
		}
	}
}

// TestCloudsplainingHandChecked checks grants of the small sample worked
// out by hand from its JSON.
func TestCloudsplainingHandChecked(t *testing.T) {
	d := decodeBytes(t, "example-authz-details.json", readSample(t, "example-authz-details.json"))
	rows, problems := GrantRecords(d)
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	const obama = "arn:aws:iam::012345678901:user/obama"
	const lots = "arn:aws:iam::012345678901:user/userwithlotsofpermissions"
	const biden = "arn:aws:iam::012345678901:user/biden"
	has := func(want record.Grant) {
		t.Helper()
		if !slices.Contains(rows, want) {
			t.Errorf("no row %+v", want)
		}
	}
	// obama: AdministratorAccess attached directly and through group admin.
	has(record.Grant{Provider: "aws", Principal: obama, Effect: "allow", Action: "*", Resource: "*", Scope: "012345678901",
		Origin: "arn:aws:iam::aws:policy/AdministratorAccess (v1) statement #0"})
	has(record.Grant{Provider: "aws", Principal: obama, Effect: "allow", Action: "*", Resource: "*", Scope: "012345678901",
		Origin: "arn:aws:iam::aws:policy/AdministratorAccess (v1) statement #0 via group arn:aws:iam::012345678901:group/admin"})
	// userwithlotsofpermissions: its inline policy, one row for the
	// statement with its actions one per line.
	has(record.Grant{Provider: "aws", Principal: lots, Effect: "allow", Action: "s3:GetObject\ns3:PutObject\ns3:PutObjectAcl", Resource: "*", Scope: "012345678901",
		Origin: `inline policy InsecureUserPolicy statement #0 "VisualEditor0"`})
	// biden: the inline policy of group biden.
	has(record.Grant{Provider: "aws", Principal: biden, Effect: "allow", Action: "s3:GetObject\ns3:PutObjectAcl", Resource: "*", Scope: "012345678901",
		Origin: `inline policy InlinePolicyForBidenGroup statement #0 "VisualEditor0" via group arn:aws:iam::012345678901:group/biden`})
	// Roles hold only their own policies; groups are no principals.
	for _, row := range rows {
		if strings.Contains(row.Principal, ":group/") {
			t.Errorf("a group as principal: %+v", row)
		}
	}

	stmts, err := StatementsFromRecords(rows)
	if err != nil {
		t.Fatal(err)
	}
	cat := realCatalog(t)
	byKey := map[string]synth.Entitlement{}
	for _, e := range aws.Entitlements(stmts, cat) {
		byKey[e.Principal+" "+e.Action+" "+e.Resource] = e
	}
	e, ok := byKey[obama+" iam:CreateUser *"]
	if !ok || !slices.Equal(e.Risks, []string{aws.RiskAdmin}) || len(e.Origins) != 2 {
		t.Errorf("obama iam:CreateUser: %+v", e)
	}
	e, ok = byKey[lots+" s3:PutObjectAcl *"]
	if !ok || !slices.Contains(cat.Risks(e.Action), catalog.RiskResourceExposure) {
		t.Errorf("userwithlotsofpermissions s3:PutObjectAcl: %+v, risks %q", e, cat.Risks(e.Action))
	}
	// It is in group admin too: admin risk on everything on "*".
	if e := byKey[lots+" s3:PutObjectAcl *"]; !slices.Equal(e.Risks, []string{aws.RiskAdmin}) {
		t.Errorf("userwithlotsofpermissions is in group admin: %+v", e)
	}
	// biden is not an admin: no admin risk, no iam:CreateUser.
	if _, ok := byKey[biden+" iam:CreateUser *"]; ok {
		t.Error("biden holds iam:CreateUser")
	}
	bidenGet := []string{
		"arn:aws:iam::aws:policy/AWSLambdaFullAccess (v8) statement #0",
		`inline policy InlinePolicyForBidenGroup statement #0 "VisualEditor0" via group arn:aws:iam::012345678901:group/biden`,
		`inline policy InsecureUserPolicy statement #0 "VisualEditor0"`,
	}
	if e, ok := byKey[biden+" s3:GetObject *"]; !ok || len(e.Risks) != 0 || !slices.Equal(e.Origins, bidenGet) {
		t.Errorf("biden s3:GetObject: %+v", e)
	}
}

// rfc3986 percent-encodes everything but unreserved characters, as IAM
// encodes policy documents.
func rfc3986(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
	}
	return b.String()
}

// encodeDocuments rewrites every PolicyDocument and Document object of
// CLI output as the API gives it: a URL-encoded string.
func encodeDocuments(t testing.TB, data []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, val := range x {
				if (k == "PolicyDocument" || k == "Document") && val != nil {
					if _, isObj := val.(map[string]any); isObj {
						text, err := json.Marshal(val)
						if err != nil {
							t.Fatal(err)
						}
						x[k] = rfc3986(string(text))
						continue
					}
				}
				walk(val)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestURLEncodedDocumentsGiveSameGrants(t *testing.T) {
	for _, file := range []string{"example-authz-details.json", "example.json"} {
		data := readSample(t, file)
		encoded := encodeDocuments(t, data)
		if !bytes.Contains(encoded, []byte(`"PolicyDocument":"%7B%22`)) {
			t.Fatalf("%s: documents were not encoded", file)
		}
		plain, p1 := GrantRecords(decodeBytes(t, file, data))
		enc, p2 := GrantRecords(decodeBytes(t, file, encoded))
		if len(plain) == 0 || !reflect.DeepEqual(plain, enc) || len(p1) != 0 || len(p2) != 0 {
			t.Errorf("%s: %d rows from JSON documents, %d from URL-encoded ones, equal %v; problems %v %v",
				file, len(plain), len(enc), reflect.DeepEqual(plain, enc), p1, p2)
		}
	}
	// The API's encoding as it comes: '+' stays '+', "%2B" is '+'.
	doc := "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGet%2A%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aa+b%2Fc%2Bd%2F%2A%22%7D%5D%7D"
	stmts, err := parseDocument(doc)
	if err != nil || len(stmts) != 1 || !slices.Equal(stmts[0].Actions, []string{"s3:Get*"}) || !slices.Equal(stmts[0].Resources, []string{"arn:aws:s3:::a+b/c+d/*"}) {
		t.Errorf("parseDocument(encoded) = %+v, %v", stmts, err)
	}
}

// splitPages cuts the sample into two pages: users and groups on the
// first (truncated, with a Marker), roles and policies on the second.
func splitPages(t testing.TB, data []byte) (first, second []byte) {
	t.Helper()
	var v map[string]json.RawMessage
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	p1 := map[string]any{"UserDetailList": v["UserDetailList"], "GroupDetailList": v["GroupDetailList"], "IsTruncated": true, "Marker": "AAA"}
	p2 := map[string]any{"RoleDetailList": v["RoleDetailList"], "Policies": v["Policies"], "IsTruncated": false}
	a, err := json.MarshalIndent(p1, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(p2, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func TestDecodePages(t *testing.T) {
	data := readSample(t, "example-authz-details.json")
	whole := decodeBytes(t, "x", data)
	p1, p2 := splitPages(t, data)
	inputs := map[string][]byte{
		"concatenated":       append(append(append([]byte(nil), p1...), '\n'), p2...),
		"array":              []byte("[" + string(p1) + ",\n" + string(p2) + "]"),
		"reversed":           append(append(append([]byte(nil), p2...), ' '), p1...),
		"overlapping":        append(append(append(append([]byte(nil), data...), p1...), '\n'), p2...),
		"concatenated twice": append(append([]byte(nil), data...), data...),
	}
	for name, in := range inputs {
		d, err := Decode("x", bytes.NewReader(in))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(d, whole) {
			t.Errorf("%s: pages give other details than the whole listing", name)
		}
	}

	// Only truncated pages: incomplete.
	_, err := Decode("pages.json", bytes.NewReader(p1))
	if err == nil || !strings.Contains(err.Error(), "pages.json: the listing is incomplete") {
		t.Errorf("a lone truncated page: %v", err)
	}
	// The same user differently on two pages.
	other := bytes.Replace(p1, []byte(`"obama"`), []byte(`"obama2"`), 1)
	_, err = Decode("pages.json", bytes.NewReader(append(append(append([]byte(nil), data...), other...), p2...)))
	if err == nil || !strings.Contains(err.Error(), "user arn:aws:iam::012345678901:user/obama (obama2) is listed on page 1 and again, differently, on page 2") {
		t.Errorf("conflicting pages: %v", err)
	}
}

func TestDecodeMalformed(t *testing.T) {
	good := `{"UserDetailList": [], "RoleDetailList": [], "GroupDetailList": [], "Policies": []}`
	cases := []struct {
		name, in, want string
	}{
		{"empty", "  \n", "bad.json: empty input"},
		{"truncated", "{\"UserDetailList\": [\n  {\"UserName\": \"a\"", "bad.json: page 1: line 2, column 19: unexpected end of input"},
		{"trailing comma", "{\"UserDetailList\": [],\n \"Policies\": [],}", "bad.json: page 1: line 2, column 17: invalid character '}'"},
		{"wrong type", "{\"UserDetailList\": [{\"UserName\": \"a\", \"Arn\": \"arn:aws:iam::1:user/a\",\n  \"GroupList\": 5}]}", "bad.json: page 1: line 2, column 16: UserDetailList.GroupList: a JSON number where an array was expected"},
		{"not details", `{"Records": []}`, "bad.json: page 1 (line 1, column 1) is not get-account-authorization-details output"},
		{"a list", `[1, 2]`, "bad.json: page 1: line 1, column 2: value: a JSON number where an object was expected"},
		{"empty array", `[]`, "bad.json: an empty array: no pages"},
		{"junk after", good + " x", "bad.json: page 2: line 1, column 85: invalid character 'x'"},
		{"junk after array", "[" + good + "] x", "bad.json: line 1, column 87: unexpected data after the array of pages"},
		{"no arn", `{"UserDetailList": [{"UserName": "a"}]}`, `bad.json: page 1: user "a" has no Arn`},
		{"not json", "UserName: a", "bad.json: page 1: line 1, column 1: invalid character 'U'"},
	}
	for _, tc := range cases {
		d, err := Decode("bad.json", strings.NewReader(tc.in))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to start with %q", tc.name, err, tc.want)
		}
		if len(d.Users)+len(d.Groups)+len(d.Roles)+len(d.Policies) != 0 {
			t.Errorf("%s: partial details %+v", tc.name, d)
		}
	}
	if _, err := Decode("good.json", strings.NewReader(good)); err != nil {
		t.Errorf("an empty account: %v", err)
	}
}

// custom is an account with the shapes the samples lack: a boundary,
// NotAction, NotResource, conditions, denies, bad documents, missing
// policies and groups.
const custom = `{
  "UserDetailList": [
    {"UserName": "ann", "Arn": "arn:aws:iam::111122223333:user/ann", "GroupList": ["dev", "ghost", "dev"],
     "UserPolicyList": [
       {"PolicyName": "notaction", "PolicyDocument": {"Version": "2012-10-17", "Statement": {
         "Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}}}},
       {"PolicyName": "broken", "PolicyDocument": "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22allow%22%7D%5D%7D"}
     ],
     "AttachedManagedPolicies": [{"PolicyName": "Gone", "PolicyArn": "arn:aws:iam::111122223333:policy/Gone"}],
     "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/Boundary"}},
    {"UserName": "bob", "Arn": "arn:aws:iam::111122223333:user/bob",
     "AttachedManagedPolicies": [{"PolicyName": "Gone", "PolicyArn": "arn:aws:iam::111122223333:policy/Gone"}]}
  ],
  "GroupDetailList": [
    {"GroupName": "dev", "Arn": "arn:aws:iam::111122223333:group/dev",
     "GroupPolicyList": [{"PolicyName": "nobucket", "PolicyDocument": {"Statement": [
       {"Sid": "DenySecret", "Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::public/*"]}]}}],
     "AttachedManagedPolicies": [{"PolicyName": "S3Read", "PolicyArn": "arn:aws:iam::111122223333:policy/S3Read"}]}
  ],
  "RoleDetailList": [
    {"RoleName": "app", "Arn": "arn:aws:iam::111122223333:role/app",
     "AttachedManagedPolicies": [{"PolicyName": "S3Read", "PolicyArn": "arn:aws:iam::111122223333:policy/S3Read"}],
     "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/Boundary"}}
  ],
  "Policies": [
    {"PolicyName": "S3Read", "Arn": "arn:aws:iam::111122223333:policy/S3Read", "DefaultVersionId": "v2",
     "PolicyVersionList": [
       {"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
       {"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17", "Statement": [
         {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]}]}}]},
    {"PolicyName": "Boundary", "Arn": "arn:aws:iam::111122223333:policy/Boundary", "DefaultVersionId": "v1",
     "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Statement": [
       {"Effect": "Allow", "Action": ["s3:GetObject", "ec2:Describe*"], "Resource": "*"}]}}]}
  ]
}`

func TestCustomResolution(t *testing.T) {
	d := decodeBytes(t, "custom.json", []byte(custom))
	stmts, problems := Statements(d)
	const ann, bob, app = "arn:aws:iam::111122223333:user/ann", "arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:role/app"
	want := []aws.GrantStatement{
		{Principal: app, Account: "111122223333", Boundary: true, Effect: "Allow", Actions: []string{"ec2:Describe*", "s3:GetObject"}, Resources: []string{"*"},
			Origin: "arn:aws:iam::111122223333:policy/Boundary (v1) statement #0 as permissions boundary"},
		{Principal: app, Account: "111122223333", Effect: "Allow", Actions: []string{"s3:Get*", "s3:List*"}, Resources: []string{"arn:aws:s3:::data", "arn:aws:s3:::data/*"},
			Origin: "arn:aws:iam::111122223333:policy/S3Read (v2) statement #0"},
		{Principal: ann, Account: "111122223333", Boundary: true, Effect: "Allow", Actions: []string{"ec2:Describe*", "s3:GetObject"}, Resources: []string{"*"},
			Origin: "arn:aws:iam::111122223333:policy/Boundary (v1) statement #0 as permissions boundary"},
		{Principal: ann, Account: "111122223333", Effect: "Allow", Actions: []string{"s3:Get*", "s3:List*"}, Resources: []string{"arn:aws:s3:::data", "arn:aws:s3:::data/*"},
			Origin: "arn:aws:iam::111122223333:policy/S3Read (v2) statement #0 via group arn:aws:iam::111122223333:group/dev"},
		{Principal: ann, Account: "111122223333", Effect: "Deny", Actions: []string{"s3:*"}, NotResource: true, Resources: []string{"arn:aws:s3:::public/*"},
			Origin: `inline policy nobucket statement #0 "DenySecret" via group arn:aws:iam::111122223333:group/dev`},
		{Principal: ann, Account: "111122223333", Effect: "Allow", NotAction: true, Actions: []string{"iam:*", "organizations:*"}, Resources: []string{"*"}, Conditional: true,
			Origin: "inline policy notaction statement #0 with condition aws:MultiFactorAuthPresent, aws:SourceIp"},
	}
	if !reflect.DeepEqual(stmts, want) {
		t.Errorf("statements:\n%s\nwant:\n%s", dump(stmts), dump(want))
	}
	wantProblems := []string{
		`custom.json: arn:aws:iam::111122223333:user/ann: group "ghost" is not in the input: its policies are missing`,
		`custom.json: arn:aws:iam::111122223333:user/ann: inline policy "broken": statement #0: Effect "allow" is neither Allow nor Deny: it grants nothing`,
		"custom.json: managed policy arn:aws:iam::111122223333:policy/Gone: not in the input (get-account-authorization-details lists it unless --filter leaves out LocalManagedPolicy or AWSManagedPolicy); it grants nothing to 2 principals (arn:aws:iam::111122223333:user/ann, ...)",
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	slices.Sort(got)
	if !slices.Equal(got, wantProblems) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantProblems, "\n"))
	}

	rows := Records(stmts)
	effects := map[string]bool{}
	for _, r := range rows {
		effects[r.Effect] = true
	}
	for _, e := range []string{"allow", "boundary-allow", "deny-not-resource", "allow-not-action-conditional"} {
		if !effects[e] {
			t.Errorf("no row with effect %q; have %v", e, effects)
		}
	}
	back, err := StatementsFromRecords(rows)
	if err != nil || !reflect.DeepEqual(back, stmts) {
		t.Errorf("round trip: %v\n%s", err, dump(back))
	}

	// The boundary limits ann and app to s3:GetObject and ec2:Describe*.
	cat := realCatalog(t)
	es := aws.Entitlements(stmts, cat)
	byKey := map[string]synth.Entitlement{}
	for _, e := range es {
		byKey[e.Principal+" "+e.Action+" "+e.Resource] = e
		if e.Principal != bob && !(e.Action == "s3:GetObject" || strings.HasPrefix(e.Action, "ec2:Describe")) {
			t.Errorf("beyond the boundary: %+v", e)
		}
	}
	if _, ok := byKey[app+" s3:GetObject arn:aws:s3:::data/*"]; !ok {
		t.Error("app lost s3:GetObject on data/*")
	}
	if _, ok := byKey[app+" s3:ListBucket arn:aws:s3:::data"]; ok {
		t.Error("app kept s3:ListBucket beyond its boundary")
	}
	// ann's NotAction grant is conditional and meets the S3 deny outside public/*.
	e := byKey[ann+" s3:GetObject *"]
	if !slices.Contains(e.Origins, "inline policy notaction statement #0 with condition aws:MultiFactorAuthPresent, aws:SourceIp") ||
		!slices.Contains(e.Origins, `partly denied by inline policy nobucket statement #0 "DenySecret" via group arn:aws:iam::111122223333:group/dev`) {
		t.Errorf("ann s3:GetObject *: %+v", e)
	}
	// ann's grant on data/* is outside public/*: the NotResource deny removes it.
	if e, ok := byKey[ann+" s3:GetObject arn:aws:s3:::data/*"]; ok {
		t.Errorf("ann keeps s3:GetObject on data/* despite the deny: %+v", e)
	}
	if _, ok := byKey[ann+" iam:CreateUser *"]; ok {
		t.Error("ann holds iam:CreateUser")
	}
}

func dump(stmts []aws.GrantStatement) string {
	var b strings.Builder
	for _, st := range stmts {
		j, _ := json.Marshal(st)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestRoundTripSamples(t *testing.T) {
	for _, file := range []string{"example-authz-details.json", "example.json"} {
		d := decodeBytes(t, file, readSample(t, file))
		stmts, _ := Statements(d)
		rows := Records(stmts)
		back, err := StatementsFromRecords(rows)
		if err != nil || !reflect.DeepEqual(back, stmts) {
			t.Errorf("%s: round trip differs (%v)", file, err)
		}
		// Rows in any order decode the same.
		rev := slices.Clone(rows)
		slices.Reverse(rev)
		if back, err := StatementsFromRecords(rev); err != nil || !reflect.DeepEqual(back, stmts) {
			t.Errorf("%s: reversed rows differ (%v)", file, err)
		}
		// Entitlements from rows equal entitlements from statements.
		cat := realCatalog(t)
		if !reflect.DeepEqual(aws.Entitlements(back, cat), aws.Entitlements(stmts, cat)) {
			t.Errorf("%s: entitlements differ after the round trip", file)
		}
	}
}

func TestStatementsFromRecordsErrors(t *testing.T) {
	row := record.Grant{Provider: "aws", Principal: "arn:aws:iam::1:user/a", Effect: "allow", Action: "s3:*", Resource: "*", Scope: "1", Origin: "o"}
	cases := []struct {
		name string
		edit func(*record.Grant)
		want string
	}{
		{"provider", func(g *record.Grant) { g.Provider = "azure" }, `grant row 1: provider "azure": not an AWS grant`},
		{"effect", func(g *record.Grant) { g.Effect = "not" }, `grant row 1: effect "not" is not an AWS grant effect`},
		{"effect suffix", func(g *record.Grant) { g.Effect = "allow-conditional-not-action" }, `grant row 1: effect "allow-conditional-not-action" is not an AWS grant effect`},
		{"mixed effects", func(g *record.Grant) { g.Origin = "o"; g.Effect = "deny" }, `grant row 1: arn:aws:iam::1:user/a "o": effect "deny" and scope "1" differ`},
		{"empty action", func(g *record.Grant) { g.Action = "" }, "grant row 1: empty principal, action or resource"},
	}
	for _, tc := range cases {
		bad := row
		bad.Origin = "p"
		tc.edit(&bad)
		_, err := StatementsFromRecords([]record.Grant{row, bad})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	for _, e := range []string{"allow", "deny", "allow-not-action", "deny-not-resource", "boundary-allow-not-action-not-resource-conditional"} {
		st, err := parseEffect(e)
		if err != nil || Effect(st) != e {
			t.Errorf("parseEffect(%q) = %+v, %v", e, st, err)
		}
	}
}

func TestBadDocuments(t *testing.T) {
	cases := []struct{ doc, want string }{
		{``, "no policy document"},
		{`%zz`, "neither JSON nor URL-encoded JSON"},
		{`{"Statement": [`, "not valid JSON"},
		{`{"Statement": []} {}`, "data after its JSON object"},
		{`{"Version": "2012-10-17"}`, "no Statement"},
		{`{"Statement": [{"Effect": "Allow", "Resource": "*"}]}`, "statement #0: has neither Action nor NotAction"},
		{`{"Statement": [{"Effect": "Allow", "Action": "*"}]}`, "statement #0: has neither Resource nor NotResource"},
		{`{"Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}`, "statement #0: lists no action"},
		{`{"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"}]}`, "has both Action and NotAction"},
		{`{"Statement": [{"Effect": "Allow", "Action": 5, "Resource": "*"}]}`, "want a string or an array of strings"},
		{`{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}`, "has a Principal"},
		{`{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": "x"}]}`, "Condition is not an object"},
		{`{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny"}]}`, "statement #1: has neither Action"},
	}
	for _, tc := range cases {
		_, err := parseDocument(tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseDocument(%q) = %v, want %q", tc.doc, err, tc.want)
		}
	}
	// An empty Condition holds always: not conditional.
	stmts, err := parseDocument(`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}}}`)
	if err != nil || len(stmts) != 1 || len(stmts[0].Conditions) != 0 {
		t.Errorf("empty Condition: %+v, %v", stmts, err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(custom))
	f.Add(readSample(f, "example-authz-details.json"))
	f.Add(encodeDocuments(f, []byte(custom)))
	f.Add([]byte(`[{"UserDetailList": []}, {"Policies": [], "IsTruncated": true}]`))
	f.Add([]byte(`{"UserDetailList": [{"UserName": "a", "Arn": "arn:aws:iam::1:user/a", "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": "%7B%22Statement%22%3A%7B%7D%7D"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Decode("fuzz.json", bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.json: ") {
				t.Fatalf("error without the input's name: %v", err)
			}
			return
		}
		stmts, _ := Statements(d)
		rows := Records(stmts)
		back, err := StatementsFromRecords(rows)
		if err != nil {
			t.Fatalf("rows do not decode: %v", err)
		}
		if !reflect.DeepEqual(back, stmts) && len(stmts) > 0 {
			t.Fatalf("round trip differs:\n%s\n%s", dump(stmts), dump(back))
		}
	})
}

func TestAccount(t *testing.T) {
	if got := Account(decodeBytes(t, "x", readSample(t, "example-authz-details.json"))); got != "012345678901" {
		t.Errorf("Account = %q", got)
	}
	d := decodeBytes(t, "x", []byte(custom))
	d.Roles = append(d.Roles, Role{ARN: "arn:aws:iam::999999999999:role/other"})
	if got := Account(d); got != "" {
		t.Errorf("Account of two accounts = %q", got)
	}
	if got := Account(Details{}); got != "" {
		t.Errorf("Account of nothing = %q", got)
	}
}

// BenchmarkGrantRecords decodes and resolves the larger cloudsplaining
// sample (122 principals, 84 policies, 824 KB).
func BenchmarkGrantRecords(b *testing.B) {
	data := readSample(b, "example.json")
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		d, err := Decode("example.json", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		rows, _ := GrantRecords(d)
		if len(rows) == 0 {
			b.Fatal("no rows")
		}
	}
}
