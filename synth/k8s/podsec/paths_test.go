package podsec

import (
	"path"
	"regexp"
	"strings"
	"testing"
)

// dnsLabelRE is Kubernetes' rule for volume names (RFC 1123 labels).
var dnsLabelRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func TestMountDir(t *testing.T) {
	mounts := []string{"/data", "/etc/config/", ""}
	for _, tc := range []struct {
		written string
		dir     string
		place   placement
	}{
		{"/tmp", "/tmp", placeMount},
		{"/tmp/a/b/c", "/tmp", placeMount},
		{"/var/tmp/x", "/var/tmp", placeMount},
		{"/run/nginx.pid", "/run", placeMount},
		{"/var/run/secrets/x", "/var/run", placeMount},
		{"/var/cache/nginx", "/var/cache/nginx", placeMount},
		{"/var/cache/nginx/client_temp/1", "/var/cache/nginx", placeMount},
		{"/var/log/app.log", "/var/log", placeMount},
		{"/var/log/app.d/", "/var/log/app.d", placeMount},
		{"/var/lib/postgresql/data/base/1", "/var/lib/postgresql", placeMount},
		{"/var/cache", "/var/cache", placeMount},
		{"/home/app/.npm/_cacache/x", "/home/app/.npm/_cacache", placeMount},
		{"/app/cache/x.bin", "/app/cache", placeMount},
		{"/srv/www/", "/srv/www", placeMount},
		{"/tmp/../app/cache/x", "/app/cache", placeMount},
		{"/app/x.log", "/app", placeRootDir},
		{"/data2/", "/data2", placeRootDir},
		{"/data/file", "", placeIgnore},
		{"/data", "", placeIgnore},
		{"/etc/config/x", "", placeIgnore},
		{"/dev/null", "", placeIgnore},
		{"/proc/self/fd/1", "", placeIgnore},
		{"/sys/fs/cgroup/x", "", placeIgnore},
		{"/devices/x", "/devices", placeRootDir},
		{"/etc/passwd", "/etc", placeRootDir},
		{"/etc/nginx/conf.d/default.conf", "/etc/nginx/conf.d", placeRootDir},
		{"/usr/share/nginx/html/index.html", "/usr/share/nginx/html", placeRootDir},
		{"/lib64/x.so", "/lib64", placeRootDir},
		{"/root/.bash_history", "/root", placeRootDir},
		{"/root/.cache/pip/x", "/root/.cache/pip", placeMount},
		{"/x.pid", "/", placeRootDir},
		{"/home", "/", placeRootDir},
		{"/", "/", placeRootDir},
		{"relative/x", "", placeInvalid},
		{"", "", placeInvalid},
		{"/tmp/\x00", "", placeInvalid},
		{"/tmp/\u202ex", "", placeInvalid},
		{"/tmp/\xff", "", placeInvalid},
	} {
		dir, place := mountDir(tc.written, mounts)
		if dir != tc.dir || place != tc.place {
			t.Errorf("mountDir(%q) = %q, %d; want %q, %d", tc.written, dir, place, tc.dir, tc.place)
		}
	}
}

func TestVolumeName(t *testing.T) {
	taken := map[string]bool{"pare-app-tmp": true}
	for _, tc := range []struct {
		container, dir, want string
	}{
		{"nginx", "/var/cache/nginx", "pare-nginx-var-cache-nginx"},
		{"app", "/tmp", "pare-app-tmp-"}, // taken: hashed
		{"App", "/tmp", "pare-app-tmp-"}, // upper case: hashed
		{"a_b", "/x", "pare-a-b-x-"},
		{"", "/", "pare-x-"},
		{strings.Repeat("c", 80), "/tmp", "pare-" + strings.Repeat("c", 49) + "-"},
		{"evil\n${x}", "/tmp/\u202e", "pare-evil-x-tmp-"},
	} {
		got := volumeName(tc.container, tc.dir, taken)
		if !dnsLabelRE.MatchString(got) || len(got) > 63 {
			t.Errorf("volumeName(%q, %q) = %q: not a DNS label of at most 63 bytes", tc.container, tc.dir, got)
		}
		if strings.HasSuffix(tc.want, "-") {
			if !strings.HasPrefix(got, tc.want) || len(got) != len(tc.want)+8 {
				t.Errorf("volumeName(%q, %q) = %q, want %q and 8 hex digits", tc.container, tc.dir, got, tc.want)
			}
		} else if got != tc.want {
			t.Errorf("volumeName(%q, %q) = %q, want %q", tc.container, tc.dir, got, tc.want)
		}
		if taken[got] {
			t.Errorf("volumeName(%q, %q) = %q is taken", tc.container, tc.dir, got)
		}
		taken[got] = true
	}
}

// FuzzMountDir: a mount directory is clean, absolute and holds the
// written path; volume names are DNS labels distinct from those taken.
func FuzzMountDir(f *testing.F) {
	for _, s := range []string{"/tmp/x", "/var/cache/nginx/a", "/etc/passwd", "/a/b/", "x", "/var/log/a.b", "//tmp//x/../y"} {
		f.Add(s, "nginx")
	}
	f.Fuzz(func(t *testing.T, written, container string) {
		dir, place := mountDir(written, []string{"/data"})
		switch place {
		case placeMount:
			if dir != path.Clean(dir) || !strings.HasPrefix(dir, "/") || !within(path.Clean(written), dir) {
				t.Fatalf("mountDir(%q) = %q", written, dir)
			}
			if systemDirs[dir] || path.Dir(dir) == "/" && !isScratch(dir) {
				t.Fatalf("mountDir(%q) mounts over system directory %q", written, dir)
			}
			taken := map[string]bool{"pare-" + container: true}
			name := volumeName(container, dir, taken)
			if !dnsLabelRE.MatchString(name) || len(name) > 63 || taken[name] {
				t.Fatalf("volumeName(%q, %q) = %q", container, dir, name)
			}
		case placeIgnore, placeRootDir, placeInvalid:
		default:
			t.Fatalf("placement %d", place)
		}
	})
}
