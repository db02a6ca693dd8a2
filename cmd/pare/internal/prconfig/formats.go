package prconfig

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// maxDays bounds "Nd" and "Nw" durations (about 100 years) so they cannot
// overflow time.Duration.
const maxDays = 36500

// ParseDuration reads a positive duration as `pare generate --since` does:
// a whole number of days or weeks ("90d", "2w") or a Go duration ("36h",
// "1h30m").
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	day := 24 * time.Hour
	if unit := s[len(s)-1]; unit == 'd' || unit == 'w' {
		digits := s[:len(s)-1]
		n, err := strconv.Atoi(digits)
		if err != nil || n <= 0 || strings.TrimLeft(digits, "0123456789") != "" {
			return 0, errors.New("not a positive whole number of days or weeks")
		}
		if unit == 'w' {
			if n > maxDays/7 {
				return 0, fmt.Errorf("longer than %d weeks", maxDays/7)
			}
			n *= 7
		}
		if n > maxDays {
			return 0, fmt.Errorf("longer than %d days", maxDays)
		}
		return time.Duration(n) * day, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.New("not a positive duration")
	}
	return d, nil
}

// FormatDuration writes d as ParseDuration reads it: whole days as "90d",
// anything else as a Go duration without its trailing zero minutes and
// seconds ("36h", "1h30m"), so that a message shows a duration the way the
// user could have written it.
func FormatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d > 0 && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// ParseAuthor splits a commit author written "Name <email>". Neither part
// may be empty or hold '<' or '>', the address no space, and nothing a
// control character or line break, so nothing can be smuggled into a
// commit's headers.
func ParseAuthor(s string) (name, email string, err error) {
	if hasControl(s) {
		return "", "", errors.New("it holds a control character or a line break")
	}
	open := strings.IndexByte(s, '<')
	if open < 0 || !strings.HasSuffix(s, ">") {
		return "", "", errors.New(`not "Name <email>"`)
	}
	name = strings.TrimSpace(s[:open])
	email = s[open+1 : len(s)-1]
	switch {
	case name == "":
		return "", "", errors.New("the name is empty")
	case strings.ContainsAny(name, "<>"):
		return "", "", errors.New("the name holds '<' or '>'")
	case email == "":
		return "", "", errors.New("the address is empty")
	case strings.ContainsAny(email, "<> "):
		return "", "", errors.New("the address holds '<', '>' or a space")
	}
	return name, email, nil
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// checkBranchName applies git check-ref-format's rules to a branch name,
// and refuses names git branch would take for an option.
func checkBranchName(s string) error {
	switch {
	case s == "":
		return errors.New("empty")
	case s == "@":
		return errors.New(`"@" is not a branch name`)
	case strings.HasPrefix(s, "-"):
		return errors.New("starts with '-'")
	case strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.Contains(s, "//"):
		return errors.New("starts or ends with '/' or has an empty component")
	case strings.HasSuffix(s, "."):
		return errors.New("ends with '.'")
	case strings.Contains(s, ".."):
		return errors.New(`contains ".."`)
	case strings.Contains(s, "@{"):
		return errors.New(`contains "@{"`)
	case strings.ContainsAny(s, " ~^:?*[\\") || hasControl(s):
		return errors.New(`contains a space, a control character or one of ~^:?*[\`)
	}
	for _, c := range strings.Split(s, "/") {
		if strings.HasPrefix(c, ".") || strings.HasSuffix(c, ".lock") {
			return fmt.Errorf("component %q starts with '.' or ends with \".lock\"", c)
		}
	}
	return nil
}

// remoteSchemes are sources that name no local file; they are kept as
// written.
var remoteSchemes = []string{"s3://", "cloudtrail://", "azure-logs://", "k8s://", "iam://"}

// resolveSource makes a local source relative to dir; remote sources are
// returned unchanged. An error means a URL of a kind pare does not read.
func resolveSource(dir, s string) (string, error) {
	for _, scheme := range remoteSchemes {
		if strings.HasPrefix(s, scheme) {
			return s, nil
		}
	}
	if scheme, _, ok := strings.Cut(s, "://"); ok && !strings.ContainsAny(scheme, `/\`) {
		return "", fmt.Errorf("pare does not read %s:// sources (it reads files, directories, globs, %s)", scheme, strings.Join(remoteSchemes, ", "))
	}
	return localPath(dir, s), nil
}

// localPath joins a relative path to dir and cleans an absolute one.
func localPath(dir, s string) string {
	if filepath.IsAbs(s) {
		return filepath.Clean(s)
	}
	return filepath.Join(dir, s)
}
