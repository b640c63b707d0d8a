package ocr

import (
	"math"
	"testing"
	"time"

	"anpr/engine/vrm"
)

var asOf = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// scoresFor builds slot scores (log-probabilities) where each slot's
// distribution is given as character -> probability; the rest is spread
// thinly. An empty map means "no character" with certainty.
func scoresFor(slots ...map[string]float64) []float32 {
	out := make([]float32, Slots*Classes)
	for s := 0; s < Slots; s++ {
		probs := map[int]float64{0: 1}
		if s < len(slots) && len(slots[s]) > 0 {
			probs = map[int]float64{}
			for ch, p := range slots[s] {
				c := 0
				if ch != "" {
					c = charClass(ch[0])
				}
				probs[c] = p
			}
		}
		total := 0.0
		for _, p := range probs {
			total += p
		}
		rest := (1 - math.Min(total, 0.999)) / float64(Classes)
		for c := 0; c < Classes; c++ {
			p := rest
			if q, ok := probs[c]; ok {
				p += q
			}
			out[s*Classes+c] = float32(math.Log(p))
		}
	}
	return out
}

func sure(text string) []map[string]float64 {
	var slots []map[string]float64
	for _, r := range text {
		slots = append(slots, map[string]float64{string(r): 0.98})
	}
	return slots
}

var opts = decodeOptions{asOf: asOf, maxPenalty: math.Log(30), confusions: vrm.DefaultConfusions()}

func TestConfidentValidReadStands(t *testing.T) {
	r := decode(scoresFor(sure("AB12CDE")...), opts)
	if r.Text != "AB12CDE" || !r.Valid || r.Format != vrm.Current || r.Display != "AB12 CDE" || r.Prior != "" {
		t.Fatalf("got %+v", r)
	}
	if r.Confidence < 0.8 || r.Confidence > 1 {
		t.Errorf("confidence %.3f for seven characters at 0.98 each", r.Confidence)
	}
	if len(r.Chars) != 7 || r.Chars[2].Char != "1" {
		t.Errorf("chars %+v", r.Chars)
	}
}

// The model slightly prefers a digit where the format needs a letter: the
// format rules turn 0U13RXF into OU13RXF and say so.
func TestFormatPriorFixesALikelyConfusion(t *testing.T) {
	slots := sure("0U13RXF")
	slots[0] = map[string]float64{"0": 0.6, "O": 0.35}
	r := decode(scoresFor(slots...), opts)
	if r.Text != "OU13RXF" || !r.Valid || r.Raw != "0U13RXF" || r.Prior == "" {
		t.Fatalf("got %+v", r)
	}
	if r.Chars[0].Confidence > 0.4 || len(r.Chars[0].Alternatives) == 0 || r.Chars[0].Alternatives[0].Char != "0" {
		t.Errorf("first character should carry its doubt and the runner-up 0: %+v", r.Chars[0])
	}
}

// A confident read of a plate that fits no UK format (a foreign or
// personalised one) is reported as it is, marked unknown, not forced into
// an unlikely UK mark.
func TestConfidentForeignReadIsKept(t *testing.T) {
	r := decode(scoresFor(sure("WX123AB")...), opts)
	if r.Text != "WX123AB" || r.Valid || r.Format != vrm.Unknown || r.Prior != "" {
		t.Fatalf("got %+v", r)
	}
}

// A valid mark far less likely than the model's own reading is not chosen.
func TestPriorDoesNotOverruleAConfidentModel(t *testing.T) {
	slots := sure("0U13RXF")
	slots[0] = map[string]float64{"0": 0.97, "O": 0.005}
	r := decode(scoresFor(slots...), opts)
	if r.Text != "0U13RXF" || r.Valid {
		t.Fatalf("got %+v", r)
	}
}

func TestReadWithNoCharactersIsEmpty(t *testing.T) {
	r := decode(scoresFor(), opts)
	if r.Text != "" || r.Valid || len(r.Chars) != 0 {
		t.Fatalf("got %+v", r)
	}
}

// An older plate's plain-bar 1 is read as an I: DWV99IG is no mark, and
// the model gives the 1 too little to make DWV991G of it. With plainBarOne
// (plate patches) the I counts for the 1, and the valid mark is chosen;
// without it (detections in frames) the read stays as the model made it.
func TestPlainBarOne(t *testing.T) {
	slots := sure("DWV99")
	slots = append(slots, map[string]float64{"I": 0.97, "1": 0.001}, map[string]float64{"G": 1})
	p := softmax(scoresFor(slots...))
	if r := decodeProbs(&p, opts); r.Text != "DWV99IG" || r.Valid {
		t.Errorf("without plainBarOne: %s (valid %v), want DWV99IG as read", r.Text, r.Valid)
	}
	withBar := opts
	withBar.plainBarOne = true
	r := decodeProbs(&p, withBar)
	if r.Text != "DWV991G" || !r.Valid || r.Prior != "confusion" || r.Raw != "DWV99IG" {
		t.Errorf("with plainBarOne: %s (valid %v, prior %q, raw %q), want DWV991G from DWV99IG by confusion", r.Text, r.Valid, r.Prior, r.Raw)
	}
	// An I where the format wants a letter stays an I.
	p = softmax(scoresFor(sure("AB12CDI")...))
	if r := decodeProbs(&p, withBar); r.Text != "AB12CDI" {
		t.Errorf("AB12CDI read %s", r.Text)
	}
}
