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
			if err := addOnce(m, &m.users, v, "user", v.ARN, v.Name, page); err != nil {
				return err
			}
		}
	}
	if p.GroupDetailList != nil {
		for _, g := range *p.GroupDetailList {
			v := Group{Name: g.GroupName, ID: g.GroupID, ARN: g.Arn, Path: g.Path, Inline: inlines(g.GroupPolicyList), Attached: attached(g.AttachedManagedPolicies)}
			if err := addOnce(m, &m.groups, v, "group", v.ARN, v.Name, page); err != nil {
				return err
			}
		}
	}
	if p.RoleDetailList != nil {
		for _, r := range *p.RoleDetailList {
			v := Role{Name: r.RoleName, ID: r.RoleID, ARN: r.Arn, Path: r.Path, Inline: inlines(r.RolePolicyList),
				Attached: attached(r.AttachedManagedPolicies), Boundary: boundaryARN(r.PermissionsBoundary)}
			if err := addOnce(m, &m.roles, v, "role", v.ARN, v.Name, page); err != nil {
				return err
			}
		}
	}
	if p.Policies != nil {
		for _, q := range *p.Policies {
			v := ManagedPolicy{Name: q.PolicyName, ID: q.PolicyID, ARN: q.Arn, Path: q.Path, DefaultVersion: q.DefaultVersionID}
			for _, ver := range q.PolicyVersionList {
				v.Versions = append(v.Versions, PolicyVersion{ID: ver.VersionID, Default: ver.IsDefaultVersion, Document: string(ver.Document)})
			}
			if err := addOnce(m, &m.policies, v, "policy", v.ARN, v.Name, page); err != nil {
				return err
			}
		}
	}
	return nil
}

// addOnce appends v, an entity of kind from page, to *list unless one of
// its kind and ARN was seen before: then v must be identical to it, or the
// pages disagree and addOnce fails. An entity without an ARN cannot be
// resolved and is an error.
func addOnce[T any](m *merger, list *[]T, v T, kind, arn, name string, page int) error {
	if arn == "" {
		return fmt.Errorf("page %d: %s %q has no Arn", page, kind, name)
	}
	key := kind + "\x00" + arn
	if s, ok := m.seen[key]; ok {
		if !reflect.DeepEqual((*list)[s.index], v) {
			return fmt.Errorf("%s %s (%s) is listed on page %d and again, differently, on page %d: pages of different listings?", kind, arn, name, s.page, page)
		}
		return nil
	}
	m.seen[key] = seenAt{page: page, index: len(*list)}
	*list = append(*list, v)
	return nil
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
