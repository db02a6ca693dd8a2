package manifest

import (
	"github.com/leastpriv/pare/synth/k8s/podsec"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// workloadOf is the Workload a pod template declares.
func workloadOf(kind string, meta metav1.ObjectMeta, spec corev1.PodSpec, source string) podsec.Workload {
	w := podsec.Workload{
		Kind:                         kind,
		Namespace:                    meta.Namespace,
		Name:                         meta.Name,
		ServiceAccount:               spec.ServiceAccountName,
		AutomountServiceAccountToken: copyBool(spec.AutomountServiceAccountToken),
		Pod: podsec.PodSecurity{
			HostNetwork: spec.HostNetwork,
			HostPID:     spec.HostPID,
			HostIPC:     spec.HostIPC,
		},
		Source: source,
	}
	if w.ServiceAccount == "" {
		w.ServiceAccount = spec.DeprecatedServiceAccount
	}
	if sc := spec.SecurityContext; sc != nil {
		w.Pod.RunAsNonRoot = copyBool(sc.RunAsNonRoot)
		w.Pod.RunAsUser = copyInt(sc.RunAsUser)
		w.Pod.RunAsGroup = copyInt(sc.RunAsGroup)
		w.Pod.FSGroup = copyInt(sc.FSGroup)
		w.Pod.SeccompProfile = seccomp(sc.SeccompProfile)
	}
	for _, c := range spec.InitContainers {
		w.Containers = append(w.Containers, containerOf(c, true))
	}
	for _, c := range spec.Containers {
		w.Containers = append(w.Containers, containerOf(c, false))
	}
	for _, v := range spec.Volumes {
		w.Volumes = append(w.Volumes, podsec.Volume{Name: v.Name, Type: volumeType(v.VolumeSource)})
	}
	return w
}

func containerOf(c corev1.Container, init bool) podsec.Container {
	out := podsec.Container{Name: c.Name, Init: init, Image: c.Image}
	if sc := c.SecurityContext; sc != nil {
		out.Privileged = copyBool(sc.Privileged)
		out.AllowPrivilegeEscalation = copyBool(sc.AllowPrivilegeEscalation)
		out.RunAsNonRoot = copyBool(sc.RunAsNonRoot)
		out.RunAsUser = copyInt(sc.RunAsUser)
		out.RunAsGroup = copyInt(sc.RunAsGroup)
		out.ReadOnlyRootFilesystem = copyBool(sc.ReadOnlyRootFilesystem)
		out.SeccompProfile = seccomp(sc.SeccompProfile)
		if caps := sc.Capabilities; caps != nil {
			for _, a := range caps.Add {
				out.CapAdd = append(out.CapAdd, string(a))
			}
			for _, d := range caps.Drop {
				out.CapDrop = append(out.CapDrop, string(d))
			}
		}
	}
	for _, m := range c.VolumeMounts {
		out.Mounts = append(out.Mounts, podsec.Mount{Volume: m.Name, MountPath: m.MountPath, ReadOnly: m.ReadOnly})
	}
	return out
}

// seccomp is the profile as podsec writes it: "RuntimeDefault",
// "Unconfined", "Localhost/<profile>", or "" when unset.
func seccomp(p *corev1.SeccompProfile) string {
	if p == nil {
		return ""
	}
	if p.Type == corev1.SeccompProfileTypeLocalhost && p.LocalhostProfile != nil {
		return "Localhost/" + *p.LocalhostProfile
	}
	return string(p.Type)
}

// volumeType names the volume's source by its field name.
func volumeType(v corev1.VolumeSource) string {
	switch {
	case v.EmptyDir != nil:
		return "emptyDir"
	case v.HostPath != nil:
		return "hostPath"
	case v.ConfigMap != nil:
		return "configMap"
	case v.Secret != nil:
		return "secret"
	case v.PersistentVolumeClaim != nil:
		return "persistentVolumeClaim"
	case v.Projected != nil:
		return "projected"
	case v.DownwardAPI != nil:
		return "downwardAPI"
	case v.CSI != nil:
		return "csi"
	case v.Ephemeral != nil:
		return "ephemeral"
	case v.Image != nil:
		return "image"
	case v.NFS != nil:
		return "nfs"
	case v.ISCSI != nil:
		return "iscsi"
	case v.FC != nil:
		return "fc"
	case v.GitRepo != nil:
		return "gitRepo"
	}
	return "other"
}

func copyBool(p *bool) *bool {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func copyInt(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
