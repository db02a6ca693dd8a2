package catalog

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// catalogGz is the generated AWS action catalog; see internal/gen for its
// format and `make catalog` to regenerate it.
//
//go:embed data/aws_actions.tsv.gz
var catalogGz []byte

var accessLevels = map[string]string{
	"L": "List",
	"R": "Read",
	"W": "Write",
	"P": "Permissions management",
	"T": "Tagging",
}

// decodeCatalog decodes a gzipped catalog in the format internal/gen writes.
func decodeCatalog(gz []byte) (*AWS, error) {
	text, err := gunzipText(gz)
	if err != nil {
		return nil, fmt.Errorf("decompressing catalog: %w", err)
	}
	return parseCatalog(text)
}

// gunzipText decompresses gz into one string. A gzip stream ends with its
// uncompressed size (mod 2³²): the buffer is sized once from it, and
// strings.Builder hands the text over without a copy.
func gunzipText(gz []byte) (string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if len(gz) >= 4 {
		if size := binary.LittleEndian.Uint32(gz[len(gz)-4:]); size <= 64<<20 {
			b.Grow(int(size))
		}
	}
	if _, err := io.Copy(&b, zr); err != nil {
		return "", err
	}
	return b.String(), nil
}

// parseCatalog parses the catalog text. Names it keeps are substrings of
// text (and of its lower-cased copy), and actions are allocated in blocks, so
// decoding allocates little besides the maps.
func parseCatalog(text string) (*AWS, error) {
	c := &AWS{services: map[string]*service{}}
	// Lower-casing ASCII keeps every byte offset: lower-cased names are then
	// substrings of one lower-cased copy.
	ascii := isASCII(text)
	lowerText := text
	if ascii {
		lowerText = strings.ToLower(text)
	}
	n := strings.Count(text, "\nA\t") + 1
	var (
		actions   = make([]action, 0, n)
		mapped    = make([]string, n)
		refs      []ResourceRef
		svc       *service
		resources map[string][]string // resource type -> ARN formats, of svc
		fields    []string
	)
	c.names = make([]string, 0, n)
	c.lower = make([]string, 0, n)
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
		case "V", "D":
			if len(fields) != 2 {
				return nil, fmt.Errorf("line %d: want 2 fields, got %d", lineNo, len(fields))
			}
			if fields[0] == "V" {
				c.version = fields[1]
			} else {
				c.date = fields[1]
			}
		case "S":
			if len(fields) != 3 || fields[1] == "" {
				return nil, fmt.Errorf("line %d: bad service record", lineNo)
			}
			if c.services[fields[1]] != nil {
				return nil, fmt.Errorf("line %d: service %q listed twice", lineNo, fields[1])
			}
			size, err := strconv.Atoi(fields[2])
			if err != nil || size < 0 || size > n {
				return nil, fmt.Errorf("line %d: bad action count %q", lineNo, fields[2])
			}
			svc = &service{prefix: fields[1], actions: make(map[string]*action, size), lower: make(map[string]*action, size)}
			c.services[svc.prefix] = svc
			resources = map[string][]string{}
		case "R":
			if svc == nil || len(fields) < 3 {
				return nil, fmt.Errorf("line %d: bad resource type record", lineNo)
			}
			resources[fields[1]] = slices.Clone(fields[2:])
		case "A":
			if svc == nil || len(fields) < 3 {
				return nil, fmt.Errorf("line %d: bad action record", lineNo)
			}
			name := fields[1]
			short, ok := strings.CutPrefix(name, svc.prefix+":")
			if !ok || short == "" {
				return nil, fmt.Errorf("line %d: action %q is not of service %q", lineNo, name, svc.prefix)
			}
			var lowerName string
			if ascii {
				lowerName = lowerText[linePos+2 : linePos+2+len(name)]
			} else {
				lowerName = strings.ToLower(name)
			}
			level, ok := accessLevels[fields[2]]
			if !ok {
				return nil, fmt.Errorf("line %d: unknown access level %q", lineNo, fields[2])
			}
			if len(actions) == cap(actions) || len(c.names) == len(mapped) {
				return nil, fmt.Errorf("line %d: more actions than counted", lineNo)
			}
			actions = append(actions, action{info: ActionInfo{Name: name, AccessLevel: level}})
			a := &actions[len(actions)-1]
			i := len(c.names)
			mapped[i] = name
			a.mapped = mapped[i : i+1 : i+1]
			if nr := len(fields) - 3; nr > 0 {
				if cap(refs)-len(refs) < nr {
					refs = make([]ResourceRef, 0, max(nr, 4096))
				}
				start := len(refs)
				for _, ref := range fields[3:] {
					rn, required := strings.CutPrefix(ref, "!")
					formats, ok := resources[rn]
					if !ok {
						return nil, fmt.Errorf("line %d: %s: unknown resource type %q", lineNo, name, rn)
					}
					refs = append(refs, ResourceRef{Name: rn, Required: required, ARNFormats: formats})
				}
				a.info.ResourceTypes = refs[start:len(refs):len(refs)]
			}
			lowerShort := lowerName[len(svc.prefix)+1:]
			if svc.lower[lowerShort] != nil {
				return nil, fmt.Errorf("line %d: action %q listed twice", lineNo, name)
			}
			if i > 0 && c.lower[i-1] >= lowerName {
				return nil, fmt.Errorf("line %d: action %q is out of order", lineNo, name)
			}
			svc.actions[short] = a
			svc.lower[lowerShort] = a
			c.names = append(c.names, name)
			c.lower = append(c.lower, lowerName)
		default:
			return nil, fmt.Errorf("line %d: unknown record type %q", lineNo, fields[0])
		}
	}
	if c.version == "" || c.date == "" {
		return nil, fmt.Errorf("catalog has no version or date")
	}
	if len(c.names) == 0 {
		return nil, fmt.Errorf("catalog has no actions")
	}
	return c, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// splitTabs appends the tab-separated fields of line to dst.
func splitTabs(dst []string, line string) []string {
	for {
		f, rest, ok := strings.Cut(line, "\t")
		dst = append(dst, f)
		if !ok {
			return dst
		}
		line = rest
	}
}
