package hotlist

import "anpr/engine/vrm"

// confusedWith is a character the model says a reader may read for c, or 0.
func confusedWith(m *vrm.ConfusionModel, c byte) byte {
	for _, alt := range []byte("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		if alt != c && m.Confusable(rune(c), rune(alt)) {
			return alt
		}
	}
	return 0
}
