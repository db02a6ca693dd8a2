package catalog

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

// azureOperationsGz and azureRolesGz are the generated Azure catalog; see
// internal/genazure for their format and `make azure-catalog` to regenerate
// them.
//
//go:embed data/azure_operations.tsv.gz
var azureOperationsGz []byte

//go:embed data/azure_roles.tsv.gz
var azureRolesGz []byte

// decodeAzure decodes the gzipped operations and roles files.
func decodeAzure(opsGz, rolesGz []byte) (*Azure, error) {
	opsText, err := gunzipText(opsGz)
	if err != nil {
		return nil, fmt.Errorf("decompressing operations: %w", err)
	}
	c, err := parseAzureOperations(opsText)
	if err != nil {
		return nil, fmt.Errorf("operations: %w", err)
	}
	rolesText, err := gunzipText(rolesGz)
	if err != nil {
		return nil, fmt.Errorf("decompressing roles: %w", err)
	}
	if err := c.parseRoles(rolesText); err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	return c, nil
}

// parseAzureOperations parses the operations text. Names it keeps are
// substrings of text and of its lower-cased copy.
func parseAzureOperations(text string) (*Azure, error) {
	lowerText := lowerASCII(text) // same byte offsets as text
	n := strings.Count(text, "\nO\t")
	c := &Azure{
		ops:   make([]AzureOperation, 0, n),
		lower: make([]string, 0, n),
		index: make(map[string]int32, n),
	}
	var (
		provider      string
		providerLower string
		left          int // operations the current provider still announces
		fields        []string
	)
	for lineNo, pos := 1, 0; pos < len(text); lineNo++ {
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text) - pos
		}
		line := text[pos : pos+end]
		linePos := pos
		pos += end + 1
		fields = splitTabs(fields[:0], line)
		switch fields[0] {
		case "#":
			continue
		case "D":
			if len(fields) != 3 || c.date != "" {
				return nil, fmt.Errorf("line %d: bad date record", lineNo)
			}
			c.date, c.source = fields[1], fields[2]
		case "P":
			if len(fields) != 3 || fields[1] == "" || strings.Contains(fields[1], "/") {
				return nil, fmt.Errorf("line %d: bad provider record", lineNo)
			}
			if left != 0 {
				return nil, fmt.Errorf("line %d: provider %q has %d operations fewer than announced", lineNo, provider, left)
			}
			count, err := strconv.Atoi(fields[2])
			if err != nil || count <= 0 || count > n-len(c.ops) {
				return nil, fmt.Errorf("line %d: bad operation count %q", lineNo, fields[2])
			}
			provider, providerLower, left = fields[1], lowerASCII(fields[1])+"/", count
		case "O":
			if provider == "" || len(fields) < 3 || len(fields) > 4 || (len(fields) == 4 && fields[3] != "old") {
				return nil, fmt.Errorf("line %d: bad operation record", lineNo)
			}
			if left == 0 {
				return nil, fmt.Errorf("line %d: provider %q has more operations than announced", lineNo, provider)
			}
			left--
			name := fields[1]
			lower := lowerText[linePos+2 : linePos+2+len(name)]
			if !strings.HasPrefix(lower, providerLower) || len(lower) == len(providerLower) || strings.Contains(name, "*") {
				return nil, fmt.Errorf("line %d: operation %q is not of provider %q", lineNo, name, provider)
			}
			op := AzureOperation{Name: name, Provider: provider, Current: len(fields) == 3}
			switch fields[2] {
			case "c":
				op.DataActionKnown = true
			case "d":
				op.DataActionKnown, op.DataAction = true, true
			case "u":
			default:
				return nil, fmt.Errorf("line %d: unknown plane %q", lineNo, fields[2])
			}
			if k := len(c.lower); k > 0 && c.lower[k-1] >= lower {
				return nil, fmt.Errorf("line %d: operation %q is out of order or listed twice", lineNo, name)
			}
			c.index[lower] = int32(len(c.ops))
			c.ops = append(c.ops, op)
			c.lower = append(c.lower, lower)
			c.maxLen = max(c.maxLen, len(name))
		default:
			return nil, fmt.Errorf("line %d: unknown record type %q", lineNo, fields[0])
		}
	}
	if left != 0 {
		return nil, fmt.Errorf("provider %q has %d operations fewer than announced", provider, left)
	}
	if c.date == "" {
		return nil, fmt.Errorf("no date")
	}
	if len(c.ops) == 0 {
		return nil, fmt.Errorf("no operations")
	}
	return c, nil
}

// parseRoles parses the roles text into c.
func (c *Azure) parseRoles(text string) error {
	n := strings.Count(text, "\nR\t")
	c.roles = make([]AzureRole, 0, n)
	c.roleIndex = make(map[string]int, 2*n)
	var (
		role   *AzureRole
		perm   *AzurePermission
		date   string
		fields []string
	)
	finish := func(lineNo int) error {
		if role != nil && len(role.Permissions) == 0 {
			return fmt.Errorf("line %d: role %q has no permissions", lineNo, role.Name)
		}
		return nil
	}
	lineNo := 1
	for pos := 0; pos < len(text); lineNo++ {
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text) - pos
		}
		line := text[pos : pos+end]
		pos += end + 1
		fields = splitTabs(fields[:0], line)
		switch fields[0] {
		case "#":
			continue
		case "D":
			if len(fields) != 3 || date != "" {
				return fmt.Errorf("line %d: bad date record", lineNo)
			}
			if fields[1] != c.date {
				return fmt.Errorf("line %d: roles dated %s, operations %s", lineNo, fields[1], c.date)
			}
			date = fields[1]
		case "R":
			if len(fields) != 3 || fields[1] == "" || fields[2] == "" {
				return fmt.Errorf("line %d: bad role record", lineNo)
			}
			if err := finish(lineNo); err != nil {
				return err
			}
			name, id := lowerASCII(fields[2]), lowerASCII(fields[1])
			if k := len(c.roles); k > 0 && lowerASCII(c.roles[k-1].Name) >= name {
				return fmt.Errorf("line %d: role %q is out of order or listed twice", lineNo, fields[2])
			}
			if _, dup := c.roleIndex[id]; dup {
				return fmt.Errorf("line %d: role id %s listed twice", lineNo, fields[1])
			}
			if _, dup := c.roleIndex[name]; dup {
				return fmt.Errorf("line %d: role name %q is another role's id", lineNo, fields[2])
			}
			c.roleIndex[name] = len(c.roles)
			c.roleIndex[id] = len(c.roles)
			c.roles = append(c.roles, AzureRole{ID: fields[1], Name: fields[2]})
			role, perm = &c.roles[len(c.roles)-1], nil
		case "P":
			if role == nil || (len(fields) != 1 && len(fields) != 3) {
				return fmt.Errorf("line %d: bad permission record", lineNo)
			}
			role.Permissions = append(role.Permissions, AzurePermission{})
			perm = &role.Permissions[len(role.Permissions)-1]
			if len(fields) == 3 {
				perm.ConditionVersion, perm.Condition = fields[1], fields[2]
			}
		case "actions", "notActions", "dataActions", "notDataActions":
			if perm == nil || len(fields) < 2 {
				return fmt.Errorf("line %d: bad %s record", lineNo, fields[0])
			}
			var list *[]string
			switch fields[0] {
			case "actions":
				list = &perm.Actions
			case "notActions":
				list = &perm.NotActions
			case "dataActions":
				list = &perm.DataActions
			default:
				list = &perm.NotDataActions
			}
			if *list != nil {
				return fmt.Errorf("line %d: %s listed twice", lineNo, fields[0])
			}
			*list = append(make([]string, 0, len(fields)-1), fields[1:]...)
		default:
			return fmt.Errorf("line %d: unknown record type %q", lineNo, fields[0])
		}
	}
	if err := finish(lineNo); err != nil {
		return err
	}
	if date == "" {
		return fmt.Errorf("no date")
	}
	if len(c.roles) == 0 {
		return fmt.Errorf("no roles")
	}
	return nil
}
