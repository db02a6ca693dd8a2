package loganalytics

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azlogs"
)

// LogsAPI is the subset of *azlogs.Client that Query uses.
type LogsAPI interface {
	QueryWorkspace(ctx context.Context, workspaceID string, body azlogs.QueryBody, options *azlogs.QueryWorkspaceOptions) (azlogs.QueryWorkspaceResponse, error)
}

var _ LogsAPI = (*azlogs.Client)(nil)

// DefaultCredential returns azidentity's default credential chain
// (environment, workload identity, managed identity, Azure CLI, Azure
// Developer CLI).
func DefaultCredential() (azcore.TokenCredential, error) {
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, fmt.Errorf("loading Azure credentials: %w", err)
	}
	return cred, nil
}

// NewClient builds a Log Analytics query client. An empty endpoint means the
// public cloud (https://api.loganalytics.io); otherwise it is the service's
// https URL, e.g. https://api.loganalytics.us for US Government or
// https://api.loganalytics.azure.cn for China, and is also the token
// audience.
//
// The SDK retries transient failures (408, 500, 502, 503) itself, but not
// throttling (429) nor gateway timeouts (504): Query backs off on the first
// and splits the slice on the second.
func NewClient(cred azcore.TokenCredential, endpoint string) (*azlogs.Client, error) {
	return newClient(cred, endpoint, nil)
}

// newClient is NewClient with a transport to swap in, for tests.
func newClient(cred azcore.TokenCredential, endpoint string, transport policy.Transporter) (*azlogs.Client, error) {
	opts := &azlogs.ClientOptions{}
	opts.Transport = transport
	opts.Retry.StatusCodes = []int{http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
			return nil, fmt.Errorf("log analytics endpoint %q: want an https URL with a host only, e.g. https://api.loganalytics.io", endpoint)
		}
		base := "https://" + u.Host
		opts.Cloud = cloud.Configuration{
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				azlogs.ServiceName: {Audience: base, Endpoint: base},
			},
		}
	}
	c, err := azlogs.NewClient(cred, opts)
	if err != nil {
		return nil, fmt.Errorf("creating Log Analytics client: %w", err)
	}
	return c, nil
}
