package k8s

import (
	"slices"
	"testing"

	"github.com/leastpriv/pare/synth/report"
)

func TestRisks(t *testing.T) {
	const (
		pe = report.RiskPrivilegeEscalation
		ce = report.RiskCredentialsExposure
		re = report.RiskResourceExposure
		de = report.RiskDataExfiltration
	)
	for _, c := range []struct {
		action string
		want   []string
	}{
		{"get secrets", []string{ce}},
		{"list secrets", []string{ce}},
		{"watch secrets", []string{ce}},
		{"create secrets", nil},
		{"get secrets.example.com", nil}, // not the core group's
		{"impersonate users", []string{pe}},
		{"impersonate serviceaccounts", []string{pe}},
		{"impersonate:user-info users", []string{pe}},
		{"impersonate-on:serviceaccount:list pods", []string{pe}},
		{"bind clusterroles.rbac.authorization.k8s.io", []string{pe}},
		{"escalate roles.rbac.authorization.k8s.io", []string{pe}},
		{"create rolebindings.rbac.authorization.k8s.io", []string{pe}},
		{"patch clusterrolebindings.rbac.authorization.k8s.io", []string{pe}},
		{"get rolebindings.rbac.authorization.k8s.io", nil},
		{"create pods", []string{pe}},
		{"patch pods", []string{pe}},
		{"get pods", nil},
		{"delete pods", nil},
		{"create deployments.apps", []string{pe}},
		{"update cronjobs.batch", []string{pe}},
		{"create pods/exec", []string{pe}},
		{"get pods/exec", []string{pe}}, // websocket exec authorizes get
		{"create pods/attach", []string{pe}},
		{"patch pods/ephemeralcontainers", []string{pe}},
		{"get pods/log", nil},
		{"get nodes/proxy", []string{pe}},
		{"get nodes", nil},
		{"create persistentvolumes", []string{pe}},
		{"create serviceaccounts/token", []string{ce, pe}},
		{"update certificatesigningrequests.certificates.k8s.io/approval", []string{pe}},
		{"approve signers.certificates.k8s.io", []string{pe}},
		{"create certificatesigningrequests.certificates.k8s.io", nil},
		{"create mutatingwebhookconfigurations.admissionregistration.k8s.io", []string{de, pe}},
		{"patch validatingwebhookconfigurations.admissionregistration.k8s.io", []string{de}},
		{"patch namespaces", []string{pe, re}},
		{"get namespaces", nil},
		{"* *.*", nil}, // the residual: its risky parts are concrete entitlements
		{"get /healthz", nil},
		{"nonsense", nil},
	} {
		if got := Risks(c.action); !slices.Equal(got, c.want) {
			t.Errorf("Risks(%q) = %v, want %v", c.action, got, c.want)
		}
	}
}

// TestRiskRulesNameCatalogResources keeps the table honest: every resource
// it names is one the catalog knows, with the verbs the rule names.
func TestRiskRulesNameCatalogResources(t *testing.T) {
	cat := newResourceCatalog()
	known := []string{report.RiskPrivilegeEscalation, report.RiskCredentialsExposure, report.RiskResourceExposure, report.RiskDataExfiltration}
	for i, rule := range riskRules {
		if rule.why == "" || len(rule.risks) == 0 {
			t.Errorf("rule %d: no reason or no risk", i)
		}
		for _, k := range rule.risks {
			if !slices.Contains(known, k) {
				t.Errorf("rule %d: unknown risk %q", i, k)
			}
		}
		for _, res := range rule.resources {
			info, ok := cat.lookup(rule.group, res)
			if !ok {
				t.Errorf("rule %d: %s in group %q is not in the catalog", i, res, rule.group)
				continue
			}
			for _, v := range rule.verbs {
				if !info.supports(v) {
					t.Errorf("rule %d: %s does not serve %s (serves %v)", i, res, v, info.verbs)
				}
			}
		}
	}
}
