package awsiam

import (
	"fmt"
	"reflect"
)

// merger joins pages, keeping each entity once.
type merger struct {
	users    []User
	groups   []Group
	roles    []Role
	policies []ManagedPolicy
	seen     map[string]seenAt // by kind and ARN (or name when there is no ARN)
}

type seenAt struct {
	page  int
	index int // in the merged list of its kind
}

// add appends the page's entities. An entity seen on an earlier page must
// be identical, or the pages disagree and add fails.
func (m *merger) add(p *pageJSON, page int) error {
	if m.seen == nil {
		m.seen = make(map[string]seenAt)
	}
	if p.UserDetailList != nil {
		for _, u := range *p.UserDetailList {
			v := User{Name: u.UserName, ID: u.UserID, ARN: u.Arn, Path: u.Path, Groups: u.GroupList,
				Inline: inlines(u.UserPolicyList), Attached: attached(u.AttachedManagedPolicies), Boundary: boundaryARN(u.PermissionsBoundary)}
			if i, dup, err := m.check("user", v.ARN, v.Name, page, len(m.users)); err != nil {
				return err
			} else if dup {
				if !reflect.DeepEqual(m.users[i], v) {
					return m.conflict("user", v.ARN, v.Name, page, i)
				}
				continue
			}
			m.users = append(m.users, v)
		}
	}
	if p.GroupDetailList != nil {
		for _, g := range *p.GroupDetailList {
			v := Group{Name: g.GroupName, ID: g.GroupID, ARN: g.Arn, Path: g.Path, Inline: inlines(g.GroupPolicyList), Attached: attached(g.AttachedManagedPolicies)}
			if i, dup, err := m.check("group", v.ARN, v.Name, page, len(m.groups)); err != nil {
				return err
			} else if dup {
				if !reflect.DeepEqual(m.groups[i], v) {
					return m.conflict("group", v.ARN, v.Name, page, i)
				}
				continue
			}
			m.groups = append(m.groups, v)
		}
	}
	if p.RoleDetailList != nil {
		for _, r := range *p.RoleDetailList {
			v := Role{Name: r.RoleName, ID: r.RoleID, ARN: r.Arn, Path: r.Path, Inline: inlines(r.RolePolicyList),
				Attached: attached(r.AttachedManagedPolicies), Boundary: boundaryARN(r.PermissionsBoundary)}
			if i, dup, err := m.check("role", v.ARN, v.Name, page, len(m.roles)); err != nil {
				return err
			} else if dup {
				if !reflect.DeepEqual(m.roles[i], v) {
					return m.conflict("role", v.ARN, v.Name, page, i)
				}
				continue
			}
			m.roles = append(m.roles, v)
		}
	}
	if p.Policies != nil {
		for _, q := range *p.Policies {
			v := ManagedPolicy{Name: q.PolicyName, ID: q.PolicyID, ARN: q.Arn, Path: q.Path, DefaultVersion: q.DefaultVersionID}
			for _, ver := range q.PolicyVersionList {
				v.Versions = append(v.Versions, PolicyVersion{ID: ver.VersionID, Default: ver.IsDefaultVersion, Document: string(ver.Document)})
			}
			if i, dup, err := m.check("policy", v.ARN, v.Name, page, len(m.policies)); err != nil {
				return err
			} else if dup {
				if !reflect.DeepEqual(m.policies[i], v) {
					return m.conflict("policy", v.ARN, v.Name, page, i)
				}
				continue
			}
			m.policies = append(m.policies, v)
		}
	}
	return nil
}

// check records an entity and reports whether (and where) it was seen
// before. Entities without an ARN cannot be resolved and are an error.
func (m *merger) check(kind, arn, name string, page, next int) (int, bool, error) {
	if arn == "" {
		return 0, false, fmt.Errorf("page %d: %s %q has no Arn", page, kind, name)
	}
	key := kind + "\x00" + arn
	if s, ok := m.seen[key]; ok {
		return s.index, true, nil
	}
	m.seen[key] = seenAt{page: page, index: next}
	return 0, false, nil
}

func (m *merger) conflict(kind, arn, name string, page, index int) error {
	first := m.seen[kind+"\x00"+arn].page
	return fmt.Errorf("%s %s (%s) is listed on page %d and again, differently, on page %d: pages of different listings?", kind, arn, name, first, page)
}

func inlines(in []inlineJSON) []InlinePolicy {
	var out []InlinePolicy
	for _, p := range in {
		out = append(out, InlinePolicy{Name: p.PolicyName, Document: string(p.PolicyDocument)})
	}
	return out
}

func attached(in []attachedJSON) []AttachedPolicy {
	var out []AttachedPolicy
	for _, p := range in {
		out = append(out, AttachedPolicy{Name: p.PolicyName, ARN: p.PolicyArn})
	}
	return out
}

func boundaryARN(b *boundaryJSON) string {
	if b == nil {
		return ""
	}
	return b.PermissionsBoundaryArn
}
