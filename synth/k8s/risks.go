package k8s

import (
	"slices"
	"strings"

	"github.com/leastpriv/pare/synth/report"
)

// riskRule flags actions: a verb (or verb prefix) on some resources of one
// API group, or on any resource when resources is nil.
type riskRule struct {
	verbs      []string // nil: any verb
	verbPrefix string   // or a verb starting with this
	group      string
	resources  []string // "pods", "pods/exec"; nil: any resource of any group
	risks      []string
	why        string
}

// riskRules is the Kubernetes risk table. Unless said otherwise, each line
// is a section of Kubernetes' "Role Based Access Control Good Practices",
// "Kubernetes RBAC - privilege escalation risks"
// (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks;
// kubernetes/website content/en/docs/concepts/security/rbac-good-practices.md).
// Admin wildcards ("*" verbs on "*" resources) are a grant-level risk that
// Entitlements sets, not an action's.
var riskRules = []riskRule{
	{verbPrefix: "impersonate", risks: []string{report.RiskPrivilegeEscalation},
		why: "Impersonate verb: act as other users, groups and service accounts with their rights (also the constrained impersonate:* and impersonate-on:* verbs)"},
	{verbs: []string{"bind", "escalate"}, risks: []string{report.RiskPrivilegeEscalation},
		why: "Escalate verb, Bind verb: create or bind roles with rights the subject does not hold"},
	{verbs: []string{"create", "patch", "update"}, group: "rbac.authorization.k8s.io", resources: []string{"clusterrolebindings", "rolebindings"}, risks: []string{report.RiskPrivilegeEscalation},
		why: "Bind verb: bindings hand the roles one holds (all of them with bind) to any subject, one's own service accounts included"},
	{verbs: []string{"get", "list", "watch"}, group: "", resources: []string{"secrets"}, risks: []string{report.RiskCredentialsExposure},
		why: "Listing secrets: get reads a Secret, and list and watch return the contents of every Secret listed"},
	{verbs: []string{"create", "patch", "update"}, group: "", resources: []string{"pods", "replicationcontrollers"}, risks: []string{report.RiskPrivilegeEscalation},
		why: "Workload creation: a pod can mount any Secret, ConfigMap or volume of its namespace and run as any of its service accounts; privileged pods reach the node"},
	{verbs: []string{"create", "patch", "update"}, group: "apps", resources: []string{"daemonsets", "deployments", "replicasets", "statefulsets"}, risks: []string{report.RiskPrivilegeEscalation},
		why: "Workload creation: workload resources create pods from their templates"},
	{verbs: []string{"create", "patch", "update"}, group: "batch", resources: []string{"cronjobs", "jobs"}, risks: []string{report.RiskPrivilegeEscalation},
		why: "Workload creation: workload resources create pods from their templates"},
	{group: "", resources: []string{"pods/attach", "pods/exec"}, risks: []string{report.RiskPrivilegeEscalation},
		why: "pare: exec and attach run commands in an existing pod, with its service account token and mounted Secrets: the reach of Workload creation"},
	{verbs: []string{"patch", "update"}, group: "", resources: []string{"pods/ephemeralcontainers"}, risks: []string{report.RiskPrivilegeEscalation},
		why: "pare: an ephemeral container runs in an existing pod, with its service account and volumes: the reach of Workload creation"},
	{group: "", resources: []string{"nodes/proxy"}, risks: []string{report.RiskPrivilegeEscalation},
		why: "Access to proxy subresource of Nodes: the kubelet API runs commands in every pod of the node, bypassing audit and admission; get is enough"},
	{verbs: []string{"create"}, group: "", resources: []string{"persistentvolumes"}, risks: []string{report.RiskPrivilegeEscalation},
		why: "Persistent volume creation: a hostPath volume gives pods the node's file systems"},
	{verbs: []string{"create"}, group: "", resources: []string{"serviceaccounts/token"}, risks: []string{report.RiskCredentialsExposure, report.RiskPrivilegeEscalation},
		why: "Token request: issue tokens for any existing service account of the namespace"},
	{verbs: []string{"patch", "update"}, group: "certificates.k8s.io", resources: []string{"certificatesigningrequests/approval"}, risks: []string{report.RiskPrivilegeEscalation},
		why: "CSRs and certificate issuing: approving kube-apiserver-client CSRs mints client certificates with any name"},
	{verbs: []string{"approve", "sign"}, group: "certificates.k8s.io", resources: []string{"signers"}, risks: []string{report.RiskPrivilegeEscalation},
		why: "CSRs and certificate issuing: approve and sign on a signer are what approving or issuing its certificates takes"},
	{verbs: []string{"create", "patch", "update"}, group: "admissionregistration.k8s.io", resources: []string{"mutatingwebhookconfigurations"}, risks: []string{report.RiskDataExfiltration, report.RiskPrivilegeEscalation},
		why: "Control admission webhooks: a mutating webhook reads and changes every object admitted"},
	{verbs: []string{"create", "patch", "update"}, group: "admissionregistration.k8s.io", resources: []string{"validatingwebhookconfigurations"}, risks: []string{report.RiskDataExfiltration},
		why: "Control admission webhooks: a validating webhook reads every object admitted"},
	{verbs: []string{"patch", "update"}, group: "", resources: []string{"namespaces"}, risks: []string{report.RiskPrivilegeEscalation, report.RiskResourceExposure},
		why: "Namespace modification: labels choose the Pod Security Admission level and NetworkPolicy namespace selectors"},
}

// Risks lists the risk categories of a Kubernetes action (Request.Action's
// form), sorted and distinct; nil when none. See riskRules for the table and
// its sources. Non-resource URLs carry none. A residual action with a "*"
// verb or resource ("* *.*") matches only the rules that name no verb or
// resource: its concrete entitlements carry the rest.
func Risks(action string) []string {
	r, err := Parse(action, "")
	if err != nil || r.Path != "" {
		return nil
	}
	combined := combinedResource(r.Resource, r.Subresource)
	var out []string
	for _, rule := range riskRules {
		if !riskVerbMatches(rule, r.Verb) {
			continue
		}
		if rule.resources != nil && (rule.group != r.Group || !slices.Contains(rule.resources, combined)) {
			continue
		}
		out = append(out, rule.risks...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func riskVerbMatches(rule riskRule, verb string) bool {
	if rule.verbPrefix != "" {
		return strings.HasPrefix(verb, rule.verbPrefix)
	}
	return rule.verbs == nil || slices.Contains(rule.verbs, verb)
}
