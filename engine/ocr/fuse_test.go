package ocr

import (
	"testing"
	"time"

	"anpr/engine/vrm"
)

// Two frames that read the last character as E outvote one frame that
// leans to F, and the fused read keeps the runner-up as an alternative.
func TestFuseOutvotesOneMisreadFrame(t *testing.T) {
	r := &Reader{opts: Options{Now: func() time.Time { return asOf }, MaxPriorPenalty: 30, Confusions: vrm.DefaultConfusions()}}
	frame := func(last map[string]float64) *Evidence {
		slots := sure("AB12CD")
		slots = append(slots, last)
		return decode(scoresFor(slots...), r.decodeOptions()).Evidence
	}
	e1 := frame(map[string]float64{"E": 0.7, "F": 0.25})
	e2 := frame(map[string]float64{"E": 0.6, "F": 0.35})
	e3 := frame(map[string]float64{"F": 0.6, "E": 0.35})
	got := r.Fuse([]*Evidence{e1, e2, e3}, nil)
	if got.Text != "AB12CDE" {
		t.Fatalf("fused text %q, want AB12CDE", got.Text)
	}
	if alt := got.Chars[6].Alternatives; len(alt) == 0 || alt[0].Char != "F" {
		t.Errorf("fused last character's runners-up %+v, want F first", alt)
	}
	// Weighting the third frame (say, the largest, sharpest view) enough
	// turns the vote.
	if got := r.Fuse([]*Evidence{e1, e2, e3}, []float64{1, 1, 6}); got.Text != "AB12CDF" {
		t.Errorf("with the third frame weighted 6, fused text %q, want AB12CDF", got.Text)
	}
	if got := r.Fuse(nil, nil); got.Text != "" {
		t.Errorf("fusing nothing gave %q", got.Text)
	}
}
