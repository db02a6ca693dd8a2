package jsonscan

import "errors"

// What the readers' slow paths, which decode with goccy what the fast
// path declines, share.

// ErrNotObject is a slow path's error for a record that is not a JSON
// object.
var ErrNotObject = errors.New("not a JSON object")

// FirstByte returns the first byte of b that is not JSON white space, or 0
// when there is none: it tells what kind of value b holds.
func FirstByte(b []byte) byte {
	if i := SkipSpace(b, 0); i < len(b) {
		return b[i]
	}
	return 0
}

// ShortError returns err's message cut to 200 bytes, for a problem report:
// a decoder's message may quote the input, which is attacker-controlled.
func ShortError(err error) string {
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	return msg
}
