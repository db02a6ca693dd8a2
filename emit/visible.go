package emit

import (
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// escapeInvisible returns b with every rune that is not printable (DEL,
// C0 and C1 controls, bidirectional overrides, zero-width and format
// characters) written as a \uXXXX escape, so a reviewer sees every
// character a log put in a name: "\u202e" cannot reorder the text around
// it. '\n' is kept when keepNewlines is set, and escaped otherwise. It
// returns b itself when no rune needs escaping, and checks printable
// ASCII, the common case, a byte at a time.
//
// Every renderer shows strings through it: the JSON and YAML writers on
// their encoded output (with keepNewlines; the JSON value is unchanged, as
// encoding/json escapes everything below U+0020 inside strings, so such
// runes only occur inside strings, while the structural '\n' stays), the
// reports through visible and visibleText.
func escapeInvisible(b []byte, keepNewlines bool) []byte {
	if allVisible(b, keepNewlines) {
		return b
	}
	out := make([]byte, 0, len(b)+64)
	for _, r := range string(b) {
		if unicode.IsPrint(r) || keepNewlines && r == '\n' {
			out = utf8.AppendRune(out, r)
			continue
		}
		out = append(out, runeEscape(r)...)
	}
	return out
}

// allVisible reports whether escapeInvisible leaves b as it is: every rune
// printable, or '\n' when keepNewlines is set.
func allVisible(b []byte, keepNewlines bool) bool {
	for i, c := range b {
		if c >= utf8.RuneSelf {
			for _, r := range string(b[i:]) {
				if !unicode.IsPrint(r) && !(keepNewlines && r == '\n') {
					return false
				}
			}
			return true
		}
		if (c < 0x20 || c == 0x7f) && !(keepNewlines && c == '\n') {
			return false
		}
	}
	return true
}

// visible is escapeInvisible for a string: every rune that is not printable,
// newlines included, is written as \uXXXX.
func visible(s string) string {
	return visibleString(s, false)
}

// visibleText is visible but keeps newlines: for policies shown as blocks.
func visibleText(s string) string {
	return visibleString(s, true)
}

func visibleString(s string, keepNewlines bool) string {
	b := []byte(s)
	if allVisible(b, keepNewlines) {
		return s
	}
	return string(escapeInvisible(b, keepNewlines))
}

// runeEscape is r as \uXXXX, or as a UTF-16 surrogate pair of such escapes
// above U+FFFF, as JSON writes it.
func runeEscape(r rune) string {
	if r > 0xffff {
		hi, lo := utf16.EncodeRune(r)
		return fmt.Sprintf("\\u%04x\\u%04x", hi, lo)
	}
	return fmt.Sprintf("\\u%04x", r)
}
