package hotlist

import (
	"testing"

	"anpr/engine/vrm"
)

// packMark packs what vrm.Normalise then packKey pack, or hands the mark
// back for the long way; it never packs a mark differently.
func TestPackMarkAgreesWithNormalise(t *testing.T) {
	for _, read := range []string{
		"AB12CDE", "ab12 cde", "AB12-CDE", " AB12CDE\t", "A", "ABCDEFGH", "ABCDEFGHJ", "", " ", "--",
		"AB12CD£", "AB12\u00a0CDE", "ÀB12CDE", "AB_12", "ab12cdé", "12345678", "a b c d e f g h", "a b c d e f g h i",
	} {
		want, wantOK := packKey(vrm.Normalise(read))
		got, clean, ok := packMark(read)
		if ok && (!wantOK || got != want) {
			t.Errorf("%q: packMark %v, %v; want %v, %v", read, got, ok, want, wantOK)
		}
		if ok && clean != (vrm.Normalise(read) == read) {
			t.Errorf("%q: clean %v", read, clean)
		}
		if !ok && wantOK && isPlainASCII(read) {
			t.Errorf("%q: plain ASCII mark left to the long way", read)
		}
		if gotB, _, okB := packMark([]byte(read)); gotB != got || okB != ok {
			t.Errorf("%q: packMark of bytes %v, %v; of the string %v, %v", read, gotB, okB, got, ok)
		}
	}
}

func isPlainASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
