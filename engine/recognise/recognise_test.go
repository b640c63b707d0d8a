package recognise

import (
	"image"
	"testing"

	"anpr/engine/ocr"

	"gocv.io/x/gocv"
)

func TestLayoutOf(t *testing.T) {
	rect := func(w, h float64) [4][2]float64 { return [4][2]float64{{0, 0}, {w, 0}, {w, h}, {0, h}} }
	for _, c := range []struct {
		name string
		poly [4][2]float64
		want string
	}{
		{"standard plate 520 x 111 mm", rect(520, 111), "one-line"},
		{"square plate 279 x 203 mm", rect(279, 203), "two-line"},
		{"motorcycle plate 229 x 178 mm", rect(229, 178), "two-line"},
		{"short one-line plate", rect(300, 80), "one-line"},
		{"tilted one-line plate", [4][2]float64{{0, 10}, {200, 0}, {201, 40}, {1, 50}}, "one-line"},
	} {
		if got := layoutOf(c.poly); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// A plate's colour is judged from its brighter half: the background, not
// the characters.
func TestPlateColour(t *testing.T) {
	patch := func(b, g, r float64, channels int) gocv.Mat {
		typ := gocv.MatTypeCV8UC3
		if channels == 1 {
			typ = gocv.MatTypeCV8U
		}
		m := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(b, g, r, 0), 30, 120, typ)
		// Dark characters over a third of the plate.
		chars := m.Region(image.Rect(10, 5, 50, 25))
		chars.SetTo(gocv.NewScalar(20, 20, 20, 0))
		chars.Close()
		return m
	}
	for _, c := range []struct {
		name       string
		b, g, r    float64
		channels   int
		wantColour string
	}{
		{"rear plate, yellow", 30, 200, 230, 3, "yellow"},
		{"front plate, white", 225, 228, 230, 3, "white"},
		{"infrared, grey", 200, 200, 200, 1, "unknown"},
		{"blue sign", 200, 80, 20, 3, "unknown"},
	} {
		m := patch(c.b, c.g, c.r, c.channels)
		if got := plateColour(m); got != c.wantColour {
			t.Errorf("%s: %s, want %s", c.name, got, c.wantColour)
		}
		m.Close()
	}
}

func TestCropWindowAddsMargins(t *testing.T) {
	got := CropWindow(image.Rect(100, 200, 200, 230))
	if got != image.Rect(94, 194, 206, 236) {
		t.Errorf("window %v", got)
	}
}

// Words on signs and shop fronts are not plates; every registration mark,
// UK or foreign, has a digit, and the shortest UK marks have two
// characters.
func TestPlausibleMark(t *testing.T) {
	for text, want := range map[string]bool{
		"AB12CDE": true, "A1": true, "1A": true, "725EPB": true, "MGB62": true, "W606KCB": true,
		"GIVEWAY": false, "STAFFORD": false, "TOWAWA": false, "7": false, "L": false, "": false,
	} {
		if got := PlausibleMark(text); got != want {
			t.Errorf("PlausibleMark(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestDoubted(t *testing.T) {
	gate := &Recogniser{minConfidence: DefaultMinConfidence}
	cases := []struct {
		text              string
		valid             bool
		score, confidence float64
		want              bool
	}{
		{"AB12CDE", true, 0.3, 0.2, true},   // neither believes it: dropped
		{"AB12CDE", true, 0.3, 0.9, false},  // a confident read of a faint detection is a plate
		{"AB12CDE", true, 0.8, 0.2, false},  // a doubtful read of a clear plate still records the vehicle
		{"AB12CDE", true, 0.5, 0.49, false}, // at Doubt the detector believes it
		{"A1", true, 0.8, 0.95, false},      // a short mark both models are sure of
		{"A1", true, 0.45, 0.95, true},      // a short mark the detector doubts
		{"4LA", true, 0.8, 0.85, true},      // a short mark read with less than SureShort
		{"BURTON12", false, 0.49, 1, true},  // no UK mark, and the detector doubts it
		{"W123ABC", false, 0.6, 0.7, false}, // no UK mark, but the detector believes it: a foreign plate
	}
	for _, c := range cases {
		if got := gate.doubted(c.score, ocr.Read{Text: c.text, Valid: c.valid, Confidence: c.confidence}); got != c.want {
			t.Errorf("doubted(%s valid %v, score %.2f, confidence %.2f) = %v, want %v", c.text, c.valid, c.score, c.confidence, got, c.want)
		}
	}
	keepAll := &Recogniser{minConfidence: -1}
	if keepAll.doubted(0.1, ocr.Read{Text: "A1", Confidence: 0.1}) {
		t.Error("a negative MinConfidence must keep every detection")
	}
}

func TestSecondLookChoice(t *testing.T) {
	sure := ocr.Read{Text: "AB12CDE", Valid: true, Confidence: 0.95}
	if !sureRead(sure) {
		t.Error("a valid mark read with 0.95 needs no second look")
	}
	for _, doubtful := range []ocr.Read{
		{Text: "AB12CDE", Valid: true, Confidence: 0.6},                  // not confident enough
		{Text: "EG71TM", Confidence: 0.99},                               // no UK mark
		{Text: "71TM", Valid: true, Confidence: 1, Prior: ocr.PriorBand}, // made by dropping "EG"
	} {
		if sureRead(doubtful) {
			t.Errorf("%+v: needs a second look", doubtful)
		}
	}
	cutShort := ocr.Read{Text: "71TM", Valid: true, Confidence: 1, Prior: ocr.PriorBand}
	whole := ocr.Read{Text: "EG71TMR", Valid: true, Confidence: 0.7}
	if !preferred(whole, cutShort) || preferred(cutShort, whole) {
		t.Error("a valid mark read whole must win over a more confident one made by dropping characters")
	}
	invalid := ocr.Read{Text: "EG71TM", Confidence: 0.99}
	if !preferred(whole, invalid) {
		t.Error("a valid mark must win over no mark")
	}
	better := ocr.Read{Text: "EG71TMR", Valid: true, Confidence: 0.8}
	if !preferred(better, whole) || preferred(whole, whole) {
		t.Error("between trusted reads the more confident wins, and a tie keeps the first")
	}
}
