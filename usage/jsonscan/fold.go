package jsonscan

import (
	"encoding/binary"
	"strings"
)

// The readers compare and lower-case names and ids without allocating;
// these are their helpers. The ASCII ones change only the letters A to Z
// and keep every other byte as it is.

// EqualLowerASCII reports whether b with its ASCII letters lower-cased is
// lower.
func EqualLowerASCII(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// IndexLowerASCII returns the index of the first instance of lower in b
// with its ASCII letters lower-cased, or -1.
func IndexLowerASCII(b []byte, lower string) int {
	for i := 0; i+len(lower) <= len(b); i++ {
		if EqualLowerASCII(b[i:i+len(lower)], lower) {
			return i
		}
	}
	return -1
}

// AppendLowerASCII appends b with its ASCII letters lower-cased to dst.
func AppendLowerASCII(dst, b []byte) []byte {
	start := len(dst)
	dst = append(dst, b...)
	low := dst[start:]
	k := 0
	for ; k+8 <= len(low); k += 8 {
		// Eight bytes at a time: a byte gets 0x20 added when it is
		// ASCII (high bit clear), at least 'A' and not above 'Z'. The
		// sums stay within each byte. (loBits and hiBits are every
		// byte's low and high bit.)
		x := binary.LittleEndian.Uint64(low[k:])
		seven := x &^ hiBits
		atLeastA := seven + loBits*(0x80-'A')
		aboveZ := seven + loBits*(0x80-'Z'-1)
		upper := atLeastA &^ aboveZ &^ x & hiBits
		binary.LittleEndian.PutUint64(low[k:], x|upper>>2)
	}
	for ; k < len(low); k++ {
		if c := low[k]; 'A' <= c && c <= 'Z' {
			low[k] = c + 'a' - 'A'
		}
	}
	return dst
}

// AppendLower appends strings.ToLower of b to dst, without allocating
// when b is ASCII.
func AppendLower(dst, b []byte) []byte {
	for _, c := range b {
		if c >= 0x80 {
			return append(dst, strings.ToLower(string(b))...)
		}
	}
	return AppendLowerASCII(dst, b)
}
