package azure

import (
	"regexp"
	"testing"
)

func TestUUIDv5KnownAnswer(t *testing.T) {
	// RFC 9562, appendix A.4: namespace DNS and "www.example.com".
	dns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	if got, want := uuidV5(dns, "www.example.com"), "2ed6657d-e927-568b-95e1-2665a8aea6a2"; got != want {
		t.Errorf("uuidV5(DNS, www.example.com) = %s, want %s", got, want)
	}
}

func TestNamespace(t *testing.T) {
	url := [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	ns := namespace()
	want := uuidV5(url, "https://github.com/leastpriv/pare/azure-role-definition")
	if got := formatUUID(ns); got != want {
		t.Errorf("namespace = %s, want %s", got, want)
	}
}

func formatUUID(u [16]byte) string {
	const hex = "0123456789abcdef"
	var b []byte
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hex[c>>4], hex[c&15])
	}
	return string(b)
}

var uuidV5RE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRoleIDStable(t *testing.T) {
	scopes := []string{"/subscriptions/s/resourceGroups/a", "/subscriptions/s/resourceGroups/b"}
	id := roleID("p", scopes)
	if !uuidV5RE.MatchString(id) {
		t.Fatalf("role id %q is not a version 5 UUID", id)
	}
	// Pinned: a change here renames every role pare ever generated.
	if want := roleID("p", []string{"/SUBSCRIPTIONS/S/resourcegroups/B", "/subscriptions/s/resourceGroups/a"}); id != want {
		t.Errorf("scope casing or order changed the id: %s vs %s", id, want)
	}
	for _, other := range []string{
		roleID("q", scopes),
		roleID("p", scopes[:1]),
		roleID("p", []string{"/subscriptions/s/resourceGroups/a", "/subscriptions/s/resourceGroups/c"}),
		roleID("p\n/subscriptions/s/resourceGroups/a", scopes[1:]),
	} {
		if other == id {
			t.Errorf("different principal or scopes gave the same id %s", id)
		}
	}
}
