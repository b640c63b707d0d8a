package detect

import (
	"image"
	"math"
	"testing"
)

// gridWith builds a detector output with the given centre logits at cells,
// each with corners making a w x h input-pixel box around the cell's centre.
func gridWith(w, h float64, peaks map[[2]int]float32) []float32 {
	const cells = GridWidth * GridHeight
	g := make([]float32, Channels*cells)
	for i := 0; i < cells; i++ {
		g[i] = -10
	}
	corners := [4][2]float64{{-w / 2, -h / 2}, {w / 2, -h / 2}, {w / 2, h / 2}, {-w / 2, h / 2}}
	for cell, logit := range peaks {
		x, y := cell[0], cell[1]
		g[y*GridWidth+x] = logit
		for k, c := range corners {
			g[(1+2*k)*cells+y*GridWidth+x] = float32(c[0] / CornerUnit)
			g[(2+2*k)*cells+y*GridWidth+x] = float32(c[1] / CornerUnit)
		}
	}
	return g
}

func TestDecodeGridMapsPeaksBackToFramePixels(t *testing.T) {
	// A 1920x1080 frame is shrunk by 1/3; cell (10, 20) has its centre at
	// input (84, 164), frame (252, 492).
	g := gridWith(60, 12, map[[2]int]float32{{10, 20}: 2, {11, 20}: 1, {60, 5}: -3})
	got := decodeGrid(g, 1.0/3, 1920, 1080, 0.3, 16)
	if len(got) != 1 {
		t.Fatalf("got %d plates, want 1 (the neighbour is no peak; the faint cell is below threshold): %+v", len(got), got)
	}
	p := got[0]
	want := [4][2]float64{{162, 474}, {342, 474}, {342, 510}, {162, 510}}
	for k := range want {
		if math.Abs(p.Polygon[k][0]-want[k][0]) > 0.01 || math.Abs(p.Polygon[k][1]-want[k][1]) > 0.01 {
			t.Errorf("corner %d at %v, want %v", k, p.Polygon[k], want[k])
		}
	}
	if p.Box != image.Rect(162, 474, 342, 510) {
		t.Errorf("box %v", p.Box)
	}
	if math.Abs(p.Score-1/(1+math.Exp(-2))) > 1e-6 {
		t.Errorf("score %g", p.Score)
	}
}

func TestDecodeGridKeepsSeparatePlatesAndDropsDuplicates(t *testing.T) {
	// Two plates far apart, and a second peak two cells from the first
	// whose box overlaps it: one plate with two peaks.
	g := gridWith(60, 12, map[[2]int]float32{{10, 20}: 3, {12, 20}: 1, {50, 30}: 2})
	got := decodeGrid(g, 1, 640, 360, 0.3, 16)
	if len(got) != 2 {
		t.Fatalf("got %d plates, want 2: %+v", len(got), got)
	}
	if got[0].Score < got[1].Score {
		t.Errorf("plates not best first")
	}
	if got := decodeGrid(g, 1, 640, 360, 0.3, 1); len(got) != 1 {
		t.Errorf("MaxPlates 1 gave %d", len(got))
	}
}
