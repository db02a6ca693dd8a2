package azure

import (
	"crypto/sha1"
	"fmt"
)

// namespace returns the UUID namespace of pare's role definition ids: the
// RFC 9562 version 5 UUID of the URL namespace and
// "https://github.com/leastpriv/pare/azure-role-definition"
// (be0a9416-afa1-531a-9f5f-a351de0c99c3). It is fixed
// forever: changing it would give every generated role a new id.
func namespace() [16]byte {
	return [16]byte{
		0xbe, 0x0a, 0x94, 0x16, 0xaf, 0xa1, 0x53, 0x1a,
		0x9f, 0x5f, 0xa3, 0x51, 0xde, 0x0c, 0x99, 0xc3,
	}
}

// uuidV5 is the RFC 9562 version 5 (SHA-1, name-based) UUID of name in
// namespace ns, in its lower-case text form.
func uuidV5(ns [16]byte, name string) string {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	sum := h.Sum(nil)
	var u [16]byte
	copy(u[:], sum[:16])
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // variant 10
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
