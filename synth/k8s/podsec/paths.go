package podsec

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// scratchDirs are directories that hold only what processes write at run
// time: a write anywhere below one gets an emptyDir on the directory itself.
var scratchDirs = []string{"/run", "/tmp", "/var/run", "/var/tmp"}

// scratchParents hold one directory of run-time data per program
// (/var/cache/nginx, /var/log/nginx): a write below one gets an emptyDir on
// the program's directory.
var scratchParents = []string{"/var/cache", "/var/lib", "/var/log"}

// otherFilesystems are not on the container's root file system, so
// readOnlyRootFilesystem does not affect writes there.
var otherFilesystems = []string{"/dev", "/proc", "/sys"}

// systemDirs must never be hidden by an emptyDir: the image's programs,
// libraries and configuration live there. A write that would need one of
// them, a directory below /bin, /etc, /lib*, /sbin or /usr, or any other
// top-level directory (/app, where images keep their program) as mount
// point keeps the root file system writable instead.
var systemDirs = map[string]bool{
	"/": true, "/bin": true, "/boot": true, "/etc": true, "/home": true, "/lib": true,
	"/lib32": true, "/lib64": true, "/libx32": true, "/media": true, "/mnt": true,
	"/opt": true, "/root": true, "/sbin": true, "/srv": true, "/usr": true, "/var": true,
}

// systemTrees are directory trees holding binaries, libraries and
// configuration.
var systemTrees = []string{"/bin", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/sbin", "/usr"}

// placement is where one written path goes.
type placement int

const (
	placeMount   placement = iota // an emptyDir at dir
	placeIgnore                   // already writable (a volume, /dev, /proc, /sys)
	placeRootDir                  // cannot be mounted: needs a writable root file system
	placeInvalid                  // not a usable absolute path
)

// mountDir decides where a written path gets its emptyDir. Inside a
// scratch directory the scratch directory is mounted, and below a scratch
// parent the program's directory; otherwise a path ending in '/' is a
// directory and mounted itself, and any other path is taken to be a file
// and its parent directory is mounted. mounts are the container's declared
// mount paths.
func mountDir(written string, mounts []string) (string, placement) {
	if !cleanText(written) || !strings.HasPrefix(written, "/") {
		return "", placeInvalid
	}
	p := path.Clean(written)
	for _, fs := range otherFilesystems {
		if within(p, fs) {
			return "", placeIgnore
		}
	}
	for _, m := range mounts {
		if m != "" && within(p, path.Clean(m)) {
			return "", placeIgnore
		}
	}
	dir := ""
	for _, s := range scratchDirs {
		if within(p, s) {
			dir = s
		}
	}
	for _, s := range scratchParents {
		if dir != "" || !within(p, s) {
			continue
		}
		dir = p
		if p == s {
			continue
		}
		for path.Dir(dir) != s {
			dir = path.Dir(dir)
		}
		// Directly below the scratch parent, a name with a dot
		// ("app.log") is taken to be a file, anything else ("nginx") the
		// program's directory.
		if dir == p && !strings.HasSuffix(written, "/") && strings.Contains(path.Base(p), ".") {
			dir = s
		}
	}
	if dir == "" && strings.HasSuffix(written, "/") {
		dir = p
	}
	if dir == "" {
		dir = path.Dir(p)
	}
	if systemDirs[dir] || path.Dir(dir) == "/" && !isScratch(dir) {
		return dir, placeRootDir
	}
	for _, t := range systemTrees {
		if within(dir, t) {
			return dir, placeRootDir
		}
	}
	return dir, placeMount
}

// isScratch reports whether dir is a scratch directory or a program's
// directory below a scratch parent: mounting an emptyDir there hides
// nothing the image is expected to ship.
func isScratch(dir string) bool {
	for _, s := range scratchDirs {
		if dir == s {
			return true
		}
	}
	for _, s := range scratchParents {
		if path.Dir(dir) == s {
			return true
		}
	}
	return false
}

// within reports whether p is dir or below it; both are clean.
func within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// cleanText reports whether s is valid UTF-8 without control or invisible
// characters: such a path or name from a log is not something to mount.
func cleanText(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// volumeName names the emptyDir for container's mount at dir: "pare-",
// the container name and the directory in DNS-label form, e.g.
// "pare-nginx-var-cache-nginx". A name that would be longer than 63 bytes,
// lost characters, or is taken gets 8 hex digits of a SHA-256 of container
// and directory instead of its tail.
func volumeName(container, dir string, taken map[string]bool) string {
	base, lossy := dnsLabel(container + "-" + strings.TrimPrefix(dir, "/"))
	name := "pare-" + base
	if !lossy && len(name) <= 63 && !taken[name] {
		return name
	}
	sum := sha256.Sum256([]byte(container + "\x00" + dir))
	h := hex.EncodeToString(sum[:4])
	stem := name
	if len(stem) > 63-len(h)-1 {
		stem = strings.TrimRight(stem[:63-len(h)-1], "-")
	}
	name = stem + "-" + h
	for n := 2; taken[name]; n++ {
		// Only two equal 32-bit hashes get here: fall back to a counter.
		name = stem[:min(len(stem), 50)] + "-" + h + "-" + strconv.Itoa(n)
	}
	return name
}

// dnsLabel lower-cases s and turns every run of characters outside
// [a-z0-9] into one '-', trimming '-' at both ends. lossy reports whether
// anything but '/' and '-' had to change.
func dnsLabel(s string) (string, bool) {
	var b strings.Builder
	lossy := false
	dash := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
			continue
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
			dash = false
			lossy = true
			continue
		case r != '/' && r != '-':
			lossy = true
		}
		if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		return "x", true
	}
	return out, lossy
}
