package podsec

import (
	"fmt"
	"math/rand"
	"path"
	"slices"
	"testing"
)

// TestNeverRemovesWhatWasUsed generates workloads and observations and
// checks that the recommendation keeps everything the evidence shows was
// used: every observed capability is added back, every written path
// stays writable (a declared volume, an added emptyDir, another file
// system, or a writable root file system), a container seen as root may
// run as root, and volume names are DNS labels unique in the pod.
func TestNeverRemovesWhatWasUsed(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	caps := []string{"NET_BIND_SERVICE", "CHOWN", "SETUID", "SYS_ADMIN", "cap_net_raw", "ALL", "bogus", "KILL"}
	paths := []string{"/tmp/a", "/var/cache/app/x", "/var/log/app.log", "/etc/passwd", "/data/db", "/srv/www/",
		"/app/cache/y", "/app/cache/z/w", "/dev/null", "rel/x", "/x.pid", "/home/u/.cache/q", "/run/app.sock", "/usr/lib/x"}
	for i := 0; i < 500; i++ {
		w := Workload{Kind: "Deployment", Namespace: "n", Name: "d", Volumes: []Volume{{Name: "data", Type: "persistentVolumeClaim"}}}
		if rng.Intn(4) == 0 {
			w.Volumes = append(w.Volumes, Volume{Name: "pare-c0-tmp", Type: "configMap"})
		}
		nc := 1 + rng.Intn(3)
		for c := 0; c < nc; c++ {
			ctr := Container{Name: fmt.Sprintf("c%d", c), Init: c == 0 && rng.Intn(2) == 0}
			if rng.Intn(2) == 0 {
				ctr.Mounts = []Mount{{Volume: "data", MountPath: "/data"}}
			}
			if rng.Intn(3) == 0 {
				ctr.CapAdd = []string{caps[rng.Intn(len(caps))]}
			}
			if rng.Intn(4) == 0 {
				ctr.RunAsUser = ptr(int64(rng.Intn(2) * 1000))
			}
			w.Containers = append(w.Containers, ctr)
		}
		var obs []Observation
		for o := rng.Intn(6); o > 0; o-- {
			ob := Observation{Namespace: "n", Container: fmt.Sprintf("c%d", rng.Intn(nc+1)), Count: int64(rng.Intn(3))}
			for k := rng.Intn(3); k > 0; k-- {
				ob.Capabilities = append(ob.Capabilities, caps[rng.Intn(len(caps))])
			}
			for k := rng.Intn(3); k > 0; k-- {
				ob.UIDs = append(ob.UIDs, int64(rng.Intn(3)*50))
			}
			for k := rng.Intn(4); k > 0; k-- {
				ob.WrittenPaths = append(ob.WrittenPaths, paths[rng.Intn(len(paths))])
			}
			obs = append(obs, ob)
		}
		rec := Recommend(w, obs, rng.Intn(2) == 0, Options{})
		checkProvenance(t, rec)
		checkKeepsUsed(t, i, w, obs, rec)
	}
}

func checkKeepsUsed(t *testing.T, i int, w Workload, obs []Observation, rec Recommendation) {
	t.Helper()
	names := make(map[string]bool)
	for _, v := range w.Volumes {
		names[v.Name] = true
	}
	for _, v := range rec.Volumes {
		if names[v.Name] || !dnsLabelRE.MatchString(v.Name) || len(v.Name) > 63 {
			t.Errorf("case %d: volume name %q is not a new DNS label", i, v.Name)
		}
		names[v.Name] = true
	}
	byName := make(map[string]ContainerRecommendation)
	for _, c := range rec.Containers {
		byName[c.Name] = c
	}
	declared := make(map[string]Container)
	for _, c := range w.Containers {
		declared[c.Name] = c
	}
	for _, o := range obs {
		c, ok := byName[o.Container]
		if !ok {
			continue
		}
		for _, name := range o.Capabilities {
			n, valid := normalizeCapability(name)
			if valid && (c.CapabilitiesAdd == nil || !slices.Contains(c.CapabilitiesAdd.Value, n)) {
				t.Errorf("case %d: %s used %s, recommendation adds %+v", i, o.Container, n, c.CapabilitiesAdd)
			}
		}
		for _, u := range o.UIDs {
			if u == 0 && (c.RunAsNonRoot == nil || c.RunAsNonRoot.Value) {
				t.Errorf("case %d: %s ran as root, runAsNonRoot %+v", i, o.Container, c.RunAsNonRoot)
			}
			if c.RunAsUser != nil && c.RunAsUser.Provenance == Observed && c.RunAsUser.Value != u {
				t.Errorf("case %d: %s ran as %d, pinned to %d", i, o.Container, u, c.RunAsUser.Value)
			}
		}
		if c.ReadOnlyRootFilesystem == nil || !c.ReadOnlyRootFilesystem.Value {
			continue
		}
		for _, p := range o.WrittenPaths {
			if !writable(p, declared[o.Container], c) {
				t.Errorf("case %d: %s wrote %s, which is read-only in %+v", i, o.Container, p, c.Mounts)
			}
		}
	}
}

// writable reports whether p stays writable with a read-only root file
// system.
func writable(p string, declared Container, c ContainerRecommendation) bool {
	clean := path.Clean(p)
	for _, fs := range otherFilesystems {
		if within(clean, fs) {
			return true
		}
	}
	for _, m := range declared.Mounts {
		if within(clean, m.MountPath) {
			return true
		}
	}
	for _, m := range c.Mounts {
		if within(clean, m.MountPath) {
			return true
		}
	}
	return false
}
