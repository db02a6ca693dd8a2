package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/leastpriv/pare/synth/catalog"
)

// AWS IAM authorization details: what `aws iam
// get-account-authorization-details` prints for each of the CloudTrail
// case's accounts, the pages one after another in one file (as `cat` joins
// per-account listings). The first principals are the CloudTrail case's
// users and roles (same account, name and id), so that logs written with
// `benchgen -provider aws -principals N` are the usage of these grants; the
// rest are roles no log mentions.
//
// Each principal attaches a few customer managed policies of its account's
// pool (each listing concrete catalog actions, consecutive in the catalog,
// so mostly of one service) and has an inline policy for what it uses; some
// attach a guardrail of Deny statements, some have a permissions boundary,
// a few AdministratorAccess. Users get two of their policies through their
// team's group.

// IAMOptions say what GenerateIAM writes.
type IAMOptions struct {
	File       string // the JSON file to write
	Seed       uint64
	Principals int // users and roles in all
	// UsagePrincipals is the -principals of the CloudTrail logs: the first
	// min(UsagePrincipals, Principals) principals are theirs.
	UsagePrincipals int
	Actions         int // about this many concrete actions granted to each principal
}

// IAMResult is what GenerateIAM wrote.
type IAMResult struct {
	Users, Roles, Groups, Policies int
	Bytes                          int64
}

// policyPool is the number of customer managed policies per account
// principals choose from.
const policyPool = 100

// adminPolicyARN is the AWS managed policy a few principals attach.
const adminPolicyARN = "arn:aws:iam::aws:policy/AdministratorAccess"

// guardrailDenies are the actions the guardrail policy denies everywhere.
var guardrailDenies = []string{"cloudtrail:DeleteTrail", "cloudtrail:StopLogging", "ec2:DeleteVpc", "iam:CreateAccessKey",
	"iam:CreateLoginProfile", "iam:CreateUser", "iam:Delete*", "kms:ScheduleKeyDeletion", "organizations:LeaveOrganization",
	"rds:DeleteDBCluster", "s3:DeleteBucket"}

// trustedServices is the service that assumes a role, by the role's kind;
// other kinds trust their account.
var trustedServices = map[string]string{"lambda-exec": "lambda.amazonaws.com", "ecs-task": "ecs-tasks.amazonaws.com",
	"batch": "batch.amazonaws.com", "etl": "glue.amazonaws.com"}

// The JSON shapes, with the CLI's field names and order.
type (
	iamPage struct {
		UserDetailList  []iamUser   `json:"UserDetailList"`
		GroupDetailList []iamGroup  `json:"GroupDetailList"`
		RoleDetailList  []iamRole   `json:"RoleDetailList"`
		Policies        []iamPolicy `json:"Policies"`
		IsTruncated     bool        `json:"IsTruncated"`
	}
	iamUser struct {
		Path                    string        `json:"Path"`
		UserName                string        `json:"UserName"`
		UserID                  string        `json:"UserId"`
		Arn                     string        `json:"Arn"`
		CreateDate              string        `json:"CreateDate"`
		UserPolicyList          []iamInline   `json:"UserPolicyList"`
		GroupList               []string      `json:"GroupList"`
		AttachedManagedPolicies []iamAttached `json:"AttachedManagedPolicies"`
		PermissionsBoundary     *iamBoundary  `json:"PermissionsBoundary,omitempty"`
		Tags                    []iamTag      `json:"Tags"`
	}
	iamGroup struct {
		Path                    string        `json:"Path"`
		GroupName               string        `json:"GroupName"`
		GroupID                 string        `json:"GroupId"`
		Arn                     string        `json:"Arn"`
		CreateDate              string        `json:"CreateDate"`
		GroupPolicyList         []iamInline   `json:"GroupPolicyList"`
		AttachedManagedPolicies []iamAttached `json:"AttachedManagedPolicies"`
	}
	iamRole struct {
		Path                     string        `json:"Path"`
		RoleName                 string        `json:"RoleName"`
		RoleID                   string        `json:"RoleId"`
		Arn                      string        `json:"Arn"`
		CreateDate               string        `json:"CreateDate"`
		AssumeRolePolicyDocument iamDoc        `json:"AssumeRolePolicyDocument"`
		InstanceProfileList      []struct{}    `json:"InstanceProfileList"`
		RolePolicyList           []iamInline   `json:"RolePolicyList"`
		AttachedManagedPolicies  []iamAttached `json:"AttachedManagedPolicies"`
		PermissionsBoundary      *iamBoundary  `json:"PermissionsBoundary,omitempty"`
		Tags                     []iamTag      `json:"Tags"`
		RoleLastUsed             iamLastUsed   `json:"RoleLastUsed"`
	}
	iamPolicy struct {
		PolicyName                    string       `json:"PolicyName"`
		PolicyID                      string       `json:"PolicyId"`
		Arn                           string       `json:"Arn"`
		Path                          string       `json:"Path"`
		DefaultVersionID              string       `json:"DefaultVersionId"`
		AttachmentCount               int          `json:"AttachmentCount"`
		PermissionsBoundaryUsageCount int          `json:"PermissionsBoundaryUsageCount"`
		IsAttachable                  bool         `json:"IsAttachable"`
		CreateDate                    string       `json:"CreateDate"`
		UpdateDate                    string       `json:"UpdateDate"`
		PolicyVersionList             []iamVersion `json:"PolicyVersionList"`
	}
	iamVersion struct {
		Document         iamDoc `json:"Document"`
		VersionID        string `json:"VersionId"`
		IsDefaultVersion bool   `json:"IsDefaultVersion"`
		CreateDate       string `json:"CreateDate"`
	}
	iamInline struct {
		PolicyName     string `json:"PolicyName"`
		PolicyDocument iamDoc `json:"PolicyDocument"`
	}
	iamAttached struct {
		PolicyName string `json:"PolicyName"`
		PolicyArn  string `json:"PolicyArn"`
	}
	iamBoundary struct {
		PermissionsBoundaryType string `json:"PermissionsBoundaryType"`
		PermissionsBoundaryArn  string `json:"PermissionsBoundaryArn"`
	}
	iamTag struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	}
	iamLastUsed struct {
		LastUsedDate string `json:"LastUsedDate,omitempty"`
		Region       string `json:"Region,omitempty"`
	}
	iamDoc struct {
		Version   string         `json:"Version"`
		Statement []iamStatement `json:"Statement"`
	}
	iamStatement struct {
		Sid       string                       `json:"Sid,omitempty"`
		Effect    string                       `json:"Effect"`
		Principal map[string]string            `json:"Principal,omitempty"`
		Action    any                          `json:"Action,omitempty"`
		NotAction any                          `json:"NotAction,omitempty"`
		Resource  any                          `json:"Resource"`
		Condition map[string]map[string]string `json:"Condition,omitempty"`
	}
)

// GenerateIAM writes the authorization details. The bytes depend only on o.
func GenerateIAM(o IAMOptions) (IAMResult, error) {
	if o.Principals <= 0 || o.Actions <= 0 || o.UsagePrincipals < 0 {
		return IAMResult{}, fmt.Errorf("need -principals > 0 and -actions > 0, got %d and %d", o.Principals, o.Actions)
	}
	cat, err := catalog.LoadAWS()
	if err != nil {
		return IAMResult{}, err
	}
	pages := newIAMPlan(o, cat)
	f, err := os.Create(o.File)
	if err != nil {
		return IAMResult{}, fmt.Errorf("creating %s: %w", o.File, err)
	}
	cw := &countWriter{w: f}
	bw := bufio.NewWriterSize(cw, 256<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	var res IAMResult
	for i := range pages {
		p := &pages[i]
		if err := enc.Encode(p); err != nil {
			f.Close()
			return IAMResult{}, fmt.Errorf("writing %s: %w", o.File, err)
		}
		res.Users += len(p.UserDetailList)
		res.Roles += len(p.RoleDetailList)
		res.Groups += len(p.GroupDetailList)
		res.Policies += len(p.Policies)
	}
	err = bw.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return IAMResult{}, fmt.Errorf("writing %s: %w", o.File, err)
	}
	res.Bytes = cw.n
	return res, nil
}

// iamAccount is what one account's page is built from.
type iamAccount struct {
	id         string
	pool       []iamPolicy // customer managed policies principals choose from
	guardrail  iamPolicy
	boundary   iamPolicy
	groups     map[string]*iamGroup // by team
	page       iamPage
	attached   map[string]int // attachments by policy ARN
	boundaries int            // principals with the boundary
}

func newIAMPlan(o IAMOptions, cat *catalog.AWS) []iamPage {
	r := rand.New(rand.NewPCG(o.Seed, 0x5851f42d4c957f2d))
	all := cat.ExpandPattern("*")
	// A principal attaches `attach` pool policies of `per` actions each.
	attach := min(max((o.Actions+50)/100, 1), 19)
	per := (o.Actions + attach - 1) / attach

	accts := make([]*iamAccount, len(accounts))
	for a := range accts {
		ac := &iamAccount{id: accounts[a], groups: make(map[string]*iamGroup), attached: make(map[string]int)}
		for k := 0; k < policyPool; k++ {
			ac.pool = append(ac.pool, poolPolicy(r, ac.id, k, all, per))
		}
		ac.guardrail = customerPolicy(r, ac.id, "deny-guardrails", "/guardrails/", []iamStatement{
			{Sid: "DenyDestructive", Effect: "Deny", Action: guardrailDenies, Resource: "*"},
			{Sid: "DenyOutsideRegions", Effect: "Deny", Action: []string{"ec2:RunInstances", "lambda:CreateFunction"}, Resource: "*",
				Condition: map[string]map[string]string{"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}},
		})
		ac.boundary = customerPolicy(r, ac.id, "workload-boundary", "/boundaries/", []iamStatement{
			{Sid: "Workloads", Effect: "Allow", NotAction: []string{"account:*", "iam:*", "organizations:*"}, Resource: "*"},
			{Sid: "OwnRoles", Effect: "Allow", Action: []string{"iam:GetRole", "iam:PassRole"}, Resource: "arn:aws:iam::" + ac.id + ":role/*"},
		})
		for _, team := range teams {
			g := &iamGroup{Path: "/", GroupName: team + "-developers", GroupID: "AGPA" + upperID(r, 17),
				Arn: "arn:aws:iam::" + ac.id + ":group/" + team + "-developers", CreateDate: iamDate(r, 1500),
				GroupPolicyList: []iamInline{{PolicyName: "self-service", PolicyDocument: iamDoc{Version: "2012-10-17", Statement: []iamStatement{
					{Sid: "OwnCredentials", Effect: "Allow", Action: []string{"iam:ChangePassword", "iam:GetUser", "iam:ListMFADevices"},
						Resource: "arn:aws:iam::" + ac.id + ":user/${aws:username}"},
				}}}}}
			for _, k := range pick(r, 2, len(ac.pool)) {
				g.AttachedManagedPolicies = append(g.AttachedManagedPolicies, attachmentOf(&ac.pool[k]))
				ac.attached[ac.pool[k].Arn]++
			}
			ac.groups[team] = g
			ac.page.GroupDetailList = append(ac.page.GroupDetailList, *g)
		}
		accts[a] = ac
	}

	usageN := min(o.UsagePrincipals, o.Principals)
	var used []principal
	if usageN >= len(accounts) {
		used = newPlan(Options{Principals: usageN, Seed: o.Seed}).principals
	}
	for i := 0; i < o.Principals; i++ {
		var pr principal
		if i < len(used) {
			pr = used[i]
		} else {
			pr = principal{team: teams[i%len(teams)], account: accounts[accountOf(i)]}
			pr.name = fmt.Sprintf("%s-%s-%d", pr.team, roleKinds[r.IntN(len(roleKinds))], i)
			pr.id = "AROA" + upperID(r, 17)
		}
		ac := accts[accountOf(i)] // pr.account, as newPlan assigns it
		addPrincipal(r, cat, ac, i, &pr, i < len(used), attach)
	}

	var pages []iamPage
	for _, ac := range accts {
		p := &ac.page
		if n := ac.attached[adminPolicyARN]; n > 0 {
			p.Policies = append(p.Policies, iamPolicy{PolicyName: "AdministratorAccess", PolicyID: "ANPAIWMBCKSKIEE64ZLYK", Arn: adminPolicyARN,
				Path: "/", DefaultVersionID: "v1", AttachmentCount: n, IsAttachable: true,
				CreateDate: "2015-02-06T18:39:46+00:00", UpdateDate: "2015-02-06T18:39:46+00:00",
				PolicyVersionList: []iamVersion{{Document: iamDoc{Version: "2012-10-17", Statement: []iamStatement{{Effect: "Allow", Action: "*", Resource: "*"}}},
					VersionID: "v1", IsDefaultVersion: true, CreateDate: "2015-02-06T18:39:46+00:00"}}})
		}
		for _, pol := range append(append([]iamPolicy(nil), ac.pool...), ac.guardrail, ac.boundary) {
			pol.AttachmentCount = ac.attached[pol.Arn]
			if pol.Arn == ac.boundary.Arn {
				pol.PermissionsBoundaryUsageCount = ac.boundaries
			}
			p.Policies = append(p.Policies, pol)
		}
		if p.UserDetailList == nil {
			p.UserDetailList = []iamUser{}
		}
		if p.RoleDetailList == nil {
			p.RoleDetailList = []iamRole{}
		}
		pages = append(pages, *p)
	}
	return pages
}

// addPrincipal adds principal i (a CloudTrail one when logged) to its
// account's page.
func addPrincipal(r *rand.Rand, cat *catalog.AWS, ac *iamAccount, i int, pr *principal, logged bool, attach int) {
	inline := iamInline{PolicyName: pr.team + "-app", PolicyDocument: iamDoc{Version: "2012-10-17", Statement: appStatements(r, cat, pr, i, logged)}}
	if i%7 == 5 {
		inline.PolicyDocument.Statement = append(inline.PolicyDocument.Statement, iamStatement{Sid: "DenyDeleteWithoutMFA", Effect: "Deny",
			Action: []string{"s3:DeleteBucket", "s3:DeleteObject"}, Resource: "*",
			Condition: map[string]map[string]string{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})
	}
	direct := attach
	if pr.user {
		direct = max(attach-2, 1) // two more through the team's group
	}
	var policies []iamAttached
	for _, k := range pick(r, direct, len(ac.pool)) {
		policies = append(policies, attachmentOf(&ac.pool[k]))
	}
	if i%5 == 2 {
		policies = append(policies, attachmentOf(&ac.guardrail))
	}
	if i%1000 == 1 || i%1000 == 509 {
		policies = append(policies, iamAttached{PolicyName: "AdministratorAccess", PolicyArn: adminPolicyARN})
	}
	for _, p := range policies {
		ac.attached[p.PolicyArn]++
	}
	var boundary *iamBoundary
	if i%20 == 3 || i%20 == 17 {
		boundary = &iamBoundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: ac.boundary.Arn}
		ac.boundaries++
	}
	created := iamDate(r, 1200)
	tags := []iamTag{{Key: "team", Value: pr.team}}
	if pr.user {
		ac.page.UserDetailList = append(ac.page.UserDetailList, iamUser{Path: "/", UserName: pr.name, UserID: pr.id,
			Arn: "arn:aws:iam::" + pr.account + ":user/" + pr.name, CreateDate: created, UserPolicyList: []iamInline{inline},
			GroupList: []string{ac.groups[pr.team].GroupName}, AttachedManagedPolicies: policies, PermissionsBoundary: boundary, Tags: tags})
		return
	}
	kind := roleKind(pr.name)
	trust := iamStatement{Effect: "Allow", Principal: map[string]string{"AWS": "arn:aws:iam::" + pr.account + ":root"}, Action: "sts:AssumeRole"}
	if svc, ok := trustedServices[kind]; ok {
		trust.Principal = map[string]string{"Service": svc}
	}
	role := iamRole{Path: "/", RoleName: pr.name, RoleID: pr.id, Arn: "arn:aws:iam::" + pr.account + ":role/" + pr.name,
		CreateDate: created, AssumeRolePolicyDocument: iamDoc{Version: "2012-10-17", Statement: []iamStatement{trust}},
		InstanceProfileList: []struct{}{}, RolePolicyList: []iamInline{inline}, AttachedManagedPolicies: policies,
		PermissionsBoundary: boundary, Tags: tags}
	if logged {
		role.RoleLastUsed = iamLastUsed{LastUsedDate: End.Add(-time.Duration(1+r.IntN(3600)) * time.Second).Format("2006-01-02T15:04:05+00:00"), Region: regions[0].name}
	}
	ac.page.RoleDetailList = append(ac.page.RoleDetailList, role)
}

// appStatements are a principal's inline grants: the actions its logged
// calls need (one left out for every fifth principal, which then shows as
// used but not granted), S3 ones on its team's buckets; a handful of the
// same kind of actions for principals no log mentions.
func appStatements(r *rand.Rand, cat *catalog.AWS, pr *principal, i int, logged bool) []iamStatement {
	calls := pr.actions
	if !logged {
		for k := 3 + r.IntN(6); k > 0; k-- {
			calls = append(calls, r.IntN(len(actionTable)))
		}
	} else if i%5 == 4 && len(calls) > 1 {
		calls = calls[:len(calls)-1]
	}
	seen := make(map[string]bool)
	var general, s3 []string
	for _, c := range calls {
		act := &actionTable[c]
		for _, name := range cat.MapEvent(act.service+".amazonaws.com", act.name).Actions {
			if seen[name] {
				continue
			}
			seen[name] = true
			if strings.HasPrefix(name, "s3:") {
				s3 = append(s3, name)
			} else {
				general = append(general, name)
			}
		}
	}
	var out []iamStatement
	if len(general) > 0 {
		out = append(out, iamStatement{Sid: "App", Effect: "Allow", Action: oneOrMore(general), Resource: "*"})
	}
	if len(s3) > 0 {
		bucket := "arn:aws:s3:::acme-" + pr.team + "-*"
		out = append(out, iamStatement{Sid: "AppData", Effect: "Allow", Action: oneOrMore(s3), Resource: []string{bucket, bucket + "/*"}})
	}
	if len(out) == 0 {
		out = append(out, iamStatement{Sid: "App", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*"})
	}
	return out
}

// poolPolicy is customer managed policy k of an account's pool: per
// consecutive catalog actions from a random place, on every resource or
// (every fourth policy, for half of them) on the account's resources of
// their service. Every fifth has an older version that is not the default.
func poolPolicy(r *rand.Rand, account string, k int, all []string, per int) iamPolicy {
	start := r.IntN(len(all))
	actions := make([]string, 0, per)
	for j := 0; j < per && j < len(all); j++ {
		actions = append(actions, all[(start+j)%len(all)])
	}
	service, _, _ := strings.Cut(actions[0], ":")
	name := fmt.Sprintf("%s-access-%03d", service, k)
	var stmts []iamStatement
	if k%4 == 0 && len(actions) > 1 {
		half := len(actions) / 2
		stmts = []iamStatement{
			{Sid: "Read", Effect: "Allow", Action: actions[:half], Resource: "*"},
			{Sid: "Own", Effect: "Allow", Action: actions[half:], Resource: "arn:aws:" + service + ":*:" + account + ":*"},
		}
	} else {
		stmts = []iamStatement{{Effect: "Allow", Action: oneOrMore(actions), Resource: "*"}}
	}
	p := customerPolicy(r, account, name, "/", stmts)
	if k%5 == 0 {
		old := iamVersion{Document: iamDoc{Version: "2012-10-17", Statement: []iamStatement{{Effect: "Allow", Action: oneOrMore(actions[:(len(actions)+1)/2]), Resource: "*"}}},
			VersionID: "v1", CreateDate: p.CreateDate}
		p.PolicyVersionList[0].VersionID = "v2"
		p.PolicyVersionList[0].CreateDate = p.UpdateDate
		p.DefaultVersionID = "v2"
		p.PolicyVersionList = append(p.PolicyVersionList, old)
	}
	return p
}

// customerPolicy is a customer managed policy with one version.
func customerPolicy(r *rand.Rand, account, name, path string, stmts []iamStatement) iamPolicy {
	created := iamDate(r, 1500)
	return iamPolicy{PolicyName: name, PolicyID: "ANPA" + upperID(r, 17), Arn: "arn:aws:iam::" + account + ":policy" + path + name,
		Path: path, DefaultVersionID: "v1", IsAttachable: true, CreateDate: created, UpdateDate: created,
		PolicyVersionList: []iamVersion{{Document: iamDoc{Version: "2012-10-17", Statement: stmts}, VersionID: "v1", IsDefaultVersion: true, CreateDate: created}}}
}

func attachmentOf(p *iamPolicy) iamAttached {
	return iamAttached{PolicyName: p.PolicyName, PolicyArn: p.Arn}
}

// pick returns n distinct numbers below m (all of them when n >= m), in
// the order drawn.
func pick(r *rand.Rand, n, m int) []int {
	if n >= m {
		n = m
	}
	seen := make(map[int]bool, n)
	out := make([]int, 0, n)
	for len(out) < n {
		k := r.IntN(m)
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// oneOrMore is a policy element: the string itself when there is one.
func oneOrMore(ss []string) any {
	if len(ss) == 1 {
		return ss[0]
	}
	return ss
}

// iamDate is a creation date up to days before End, as the CLI prints it.
func iamDate(r *rand.Rand, days int) string {
	return End.Add(-time.Duration(1+r.IntN(days*24*3600)) * time.Second).Format("2006-01-02T15:04:05+00:00")
}

// roleKind is the roleKinds entry in a role name "team-kind-N".
func roleKind(name string) string {
	for _, k := range roleKinds {
		if strings.Contains(name, "-"+k+"-") {
			return k
		}
	}
	return ""
}
