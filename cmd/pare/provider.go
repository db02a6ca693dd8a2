package main

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/urfave/cli/v3"
	"golang.org/x/sync/errgroup"

	"github.com/leastpriv/pare/emit"
	"github.com/leastpriv/pare/synth"
	"github.com/leastpriv/pare/synth/aws"
	"github.com/leastpriv/pare/synth/azure"
	"github.com/leastpriv/pare/synth/catalog"
	"github.com/leastpriv/pare/synth/k8s"
	azurelog "github.com/leastpriv/pare/usage/azure"
	"github.com/leastpriv/pare/usage/azure/loganalytics"
	"github.com/leastpriv/pare/usage/cloudtrail"
	k8saudit "github.com/leastpriv/pare/usage/k8s"
	"github.com/leastpriv/pare/usage/record"
)

// providers are the clouds pare reads, by --provider name.
var providers = []string{"aws", "azure", "k8s"}

// source is how one provider's logs are read, with the catalog its reader
// and its synthesizer share. A run makes one source per provider, so each
// catalog is loaded once (the AWS one takes about 17 ms and 9.5 MB).
type source struct {
	provider     string // "aws"
	logs         string // what its inputs are, for messages: "CloudTrail logs"
	read         record.ReadFunc
	awsCatalog   *catalog.AWS   // provider aws only
	azureCatalog *catalog.Azure // provider azure only
}

// newSource loads the catalog a provider's reader needs; cmd's flags tune
// the reader.
func newSource(provider string, cmd *cli.Command) (*source, error) {
	switch provider {
	case "aws":
		cat, err := catalog.LoadAWS()
		if err != nil {
			return nil, fmt.Errorf("loading the AWS catalog: %w", err)
		}
		return &source{provider: "aws", logs: "CloudTrail logs", read: cloudtrail.NewReader(cat, cloudtrail.Options{}).Read, awsCatalog: cat}, nil
	case "azure":
		cat, err := catalog.LoadAzure()
		if err != nil {
			return nil, fmt.Errorf("loading the Azure catalog: %w", err)
		}
		files := azurelog.NewReader(cat, azurelog.Options{}).Read
		return &source{provider: "azure", logs: "Azure Activity Log exports", read: withLogAnalytics(files, loganalytics.NewReader(cat).Read), azureCatalog: cat}, nil
	case "k8s":
		return &source{provider: "k8s", logs: "Kubernetes audit logs", read: k8saudit.NewReader(k8saudit.Options{Cluster: cmd.String("cluster"), KeepMasters: cmd.Bool("keep-masters")}).Read}, nil
	}
	return nil, usageErrorf("providers are "+strings.Join(providers, ", "), "unknown provider %q", provider)
}

// policyWriter synthesizes, checks and writes the policies of one partition
// of principals, recording what it wrote in the manifest.
type policyWriter func(m *manifest, accesses []synth.Access) error

// newPolicyWriter returns the policy writer of src's provider. k8sGranted
// is the RBAC a cluster already has, which Kubernetes output leaves out.
func newPolicyWriter(src *source, out *stagedOutput, o generateOptions, window synth.Window, stems map[string]string, k8sGranted []k8s.Grant) (policyWriter, error) {
	switch src.provider {
	case "aws":
		cat := src.awsCatalog
		r := renderer{out: out, o: o, stems: stems}
		return func(m *manifest, accesses []synth.Access) error {
			usedBy := byPrincipal(accesses)
			policies := aws.Synthesize(accesses, cat, aws.Options{MaxResources: o.maxResources})
			return eachInParallel(len(policies), func(i int) string { return policies[i].Principal }, m, func(i int, entry *manifestPrincipal) error {
				p := policies[i]
				if err := verify(p, usedBy[p.Principal]); err != nil {
					return err
				}
				return r.render(entry, p, usedBy[p.Principal])
			})
		}, nil
	case "azure":
		cat := src.azureCatalog
		opts := azure.Options{Scope: o.azureScope, Window: window}
		return func(m *manifest, accesses []synth.Access) error {
			accesses = inferAzureReads(cat, accesses)
			usedBy := byPrincipal(accesses)
			roles := azure.Synthesize(accesses, opts)
			return eachInParallel(len(roles), func(i int) string { return roles[i].Principal }, m, func(i int, entry *manifestPrincipal) error {
				r := roles[i]
				if err := verifyRole(r, usedBy[r.Principal]); err != nil {
					return err
				}
				return renderRole(out, stems[r.Principal], entry, r, usedBy[r.Principal])
			})
		}, nil
	case "k8s":
		return k8sPolicyWriter(out, o, window, stems, k8sGranted), nil
	}
	return nil, usageErrorf("providers are "+strings.Join(providers, ", "), "unknown provider %q", src.provider)
}

// inferAzureReads adds the /read of every resource type the accesses
// write, marked inferred: the Activity Log never records reads.
func inferAzureReads(cat *catalog.Azure, accesses []synth.Access) []synth.Access {
	return azure.InferReads(accesses, func(op string) (string, bool) { return cat.ReadOperation(cat.ResourceType(op)) })
}

// allowedOf is the usage a policy is made from: the allowed accesses, and
// the denied attempts too when includeDenied.
func allowedOf(used []synth.Access, includeDenied bool) []synth.Access {
	out := make([]synth.Access, 0, len(used))
	for _, a := range used {
		if !a.Denied || includeDenied {
			out = append(out, a)
		}
	}
	return out
}

// stemsOf names the file of each principal of xs (emit.FileNames).
func stemsOf[T any](xs []T, principal func(T) string) map[string]string {
	ids := make([]string, len(xs))
	for i, x := range xs {
		ids[i] = principal(x)
	}
	return emit.FileNames(ids)
}

// byPrincipal groups accesses by principal.
func byPrincipal(accesses []synth.Access) map[string][]synth.Access {
	usedBy := make(map[string][]synth.Access)
	for _, a := range accesses {
		usedBy[a.Principal] = append(usedBy[a.Principal], a)
	}
	return usedBy
}

// eachInParallel runs work for items 0..n-1 on every CPU, giving each the
// manifest entry of its principal. Checking and rendering one principal's
// policy touches nothing of another's; the entries are looked up first,
// since the manifest is not safe for concurrent use.
func eachInParallel(n int, principal func(int) string, m *manifest, work func(i int, entry *manifestPrincipal) error) error {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := 0; i < n; i++ {
		entry := m.entry(principal(i))
		g.Go(func() error { return work(i, entry) })
	}
	return g.Wait()
}

// stemsFor gives each principal its file name stem; emit guarantees they
// are distinct.
func stemsFor(m *manifest) map[string]string { return emit.FileNames(m.ids()) }
