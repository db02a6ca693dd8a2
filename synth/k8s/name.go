package k8s

import "strings"

// RoleName is the name of every Role, ClusterRole and binding Synthesize
// makes for principal: "pare:" and the principal, with the characters RBAC
// object names reject ('/' and '%', ValidateRBACName in kubernetes
// pkg/apis/rbac/validation) escaped with '~': "~s" for '/', "~p" for '%',
// and "~~" for '~' itself. The escaping is one-to-one, so two principals
// never share a name, and leaves ordinary names as they are:
//
//	system:serviceaccount:ns:app  ->  pare:system:serviceaccount:ns:app
//	https://idp/alice             ->  pare:https:~s~sidp~salice
//
// The "pare:" prefix also keeps the name from being "." or "..", which RBAC
// rejects too. The name depends on the principal alone, so regenerating
// updates the same objects.
func RoleName(principal string) string {
	var b strings.Builder
	b.WriteString("pare:")
	for i := 0; i < len(principal); i++ {
		switch c := principal[i]; c {
		case '/':
			b.WriteString("~s")
		case '%':
			b.WriteString("~p")
		case '~':
			b.WriteString("~~")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
