package vrm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalise returns a mark as the engine stores and compares it: upper case,
// without spaces (any Unicode white space) or hyphens. "ab12 cde" becomes
// "AB12CDE". Only ASCII letters change case. Other characters are kept for
// Parse to reject, except that each byte of invalid UTF-8 becomes U+FFFD, so
// that broken bytes cannot join into a new space. Normalise never panics and
// Normalise(Normalise(s)) == Normalise(s).
func Normalise(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c == ' ' || c == '-' || (c >= 'a' && c <= 'z') || (c >= '\t' && c <= '\r') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '-' || unicode.IsSpace(r):
		case r >= 'a' && r <= 'z':
			b.WriteByte(byte(r) - 'a' + 'A')
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
