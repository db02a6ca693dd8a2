package loganalytics

import (
	"context"
	"errors"
	"strings"
	"testing"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azlogs/fake"
)

func TestNewClientEndpoint(t *testing.T) {
	cred := &azfake.TokenCredential{}
	for _, ok := range []string{"", "https://api.loganalytics.us", "https://api.loganalytics.azure.cn/"} {
		if _, err := NewClient(cred, ok); err != nil {
			t.Errorf("NewClient(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"http://api.loganalytics.io", "api.loganalytics.io", "https://", "https://h/v1", "https://u:p@h", "https://h?x=1", ":"} {
		_, err := NewClient(cred, bad)
		if err == nil || !strings.Contains(err.Error(), "want an https URL") {
			t.Errorf("NewClient(%q): err = %v", bad, err)
		}
	}
}

// A failing credential surfaces as Query's error, naming the slice; no
// query reaches the service.
func TestQueryCredentialError(t *testing.T) {
	called := false
	srv := (&fakeLogs{t: t, answer: func(call) reply { called = true; return reply{} }}).server()
	cred := &azfake.TokenCredential{}
	cred.SetError(errors.New("no credential in the chain"))
	c, err := newClient(cred, "", fake.NewServerTransport(srv))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = query(context.Background(), c, Options{Workspace: testWS, From: day(1), To: day(2)}, testPacing(&noSleep{}))
	if err == nil || !strings.Contains(err.Error(), "no credential in the chain") || !strings.Contains(err.Error(), "slice 2025-04-01T00:00:00Z/2025-04-02T00:00:00Z") {
		t.Errorf("err = %v", err)
	}
	if called {
		t.Error("the service was queried without a token")
	}
}
