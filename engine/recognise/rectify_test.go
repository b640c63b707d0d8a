package recognise

import (
	"image"
	"image/color"
	"math"
	"testing"

	"gocv.io/x/gocv"
)

// A plate leaning 20 degrees in the frame comes out upright: the patch is
// the plate's own size with the margins, its middle is the plate and its
// margins are the background.
func TestRectifyTurnsALeaningPlateUpright(t *testing.T) {
	frame := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), 400, 600, gocv.MatTypeCV8UC3)
	defer frame.Close()
	a := 20 * math.Pi / 180
	cx, cy, w, h := 300.0, 200.0, 200.0, 44.0
	var poly [4][2]float64
	pts := make([]image.Point, 4)
	for i, c := range [4][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		x, y := c[0]*w/2, c[1]*h/2
		poly[i] = [2]float64{cx + x*math.Cos(a) - y*math.Sin(a), cy + x*math.Sin(a) + y*math.Cos(a)}
		pts[i] = image.Pt(int(math.Round(poly[i][0])), int(math.Round(poly[i][1])))
	}
	pv := gocv.NewPointsVectorFromPoints([][]image.Point{pts})
	defer pv.Close()
	gocv.FillPoly(&frame, pv, color.RGBA{255, 255, 255, 0})

	patch, ok := Rectify(frame, poly)
	if !ok {
		t.Fatal("a leaning plate was not rectified")
	}
	defer patch.Close()
	wantW, wantH := int(math.Round(w*(1+2*rectifyMarginX))), int(math.Round(h*(1+2*rectifyMarginY)))
	if patch.Cols() != wantW || patch.Rows() != wantH {
		t.Fatalf("patch %dx%d, want %dx%d", patch.Cols(), patch.Rows(), wantW, wantH)
	}
	grey := gocv.NewMat()
	defer grey.Close()
	gocv.CvtColor(patch, &grey, gocv.ColorBGRToGray)
	mean := func(r image.Rectangle) float64 {
		reg := grey.Region(r)
		defer reg.Close()
		return reg.Mean().Val1
	}
	mx, my := int(w*rectifyMarginX), int(h*rectifyMarginY)
	plate := image.Rect(mx+4, my+3, wantW-mx-4, wantH-my-3)
	if m := mean(plate); m < 250 {
		t.Errorf("the plate's area has mean %.0f, want white (the plate is not upright)", m)
	}
	for _, band := range []image.Rectangle{image.Rect(0, 0, wantW, my-3), image.Rect(0, wantH-my+3, wantW, wantH)} {
		if m := mean(band); m > 5 {
			t.Errorf("margin %v has mean %.0f, want the black background", band, m)
		}
	}
}

// Polygons that are no plate's outline are left to the axis-aligned window.
func TestRectifyRefusesOddPolygons(t *testing.T) {
	frame := gocv.NewMatWithSize(100, 200, gocv.MatTypeCV8UC3)
	defer frame.Close()
	for name, p := range map[string][4][2]float64{
		"a point":          {{50, 50}, {50, 50}, {50, 50}, {50, 50}},
		"tiny":             {{50, 50}, {55, 50}, {55, 52}, {50, 52}},
		"mirrored":         {{150, 20}, {50, 20}, {50, 40}, {150, 40}},
		"upside down":      {{50, 40}, {150, 40}, {150, 20}, {50, 20}},
		"standing on end":  {{50, 20}, {55, 120}, {35, 121}, {30, 21}},
		"far out of frame": {{0, 0}, {1e9, 0}, {1e9, 30}, {0, 30}},
		"not a number":     {{math.NaN(), 0}, {100, 0}, {100, 30}, {0, 30}},
	} {
		if patch, ok := Rectify(frame, p); ok {
			patch.Close()
			t.Errorf("%s: rectified", name)
		}
	}
}

// go test -run '^$' -bench Rectify ./engine/recognise: the cost of turning a
// plate upright, beside the reader's few milliseconds.
func BenchmarkRectify(b *testing.B) {
	frame := gocv.NewMatWithSize(1080, 1920, gocv.MatTypeCV8UC3)
	defer frame.Close()
	poly := [4][2]float64{{900, 500}, {1080, 440}, {1085, 485}, {905, 545}} // 190 x 47 px, leaning 18 degrees
	for b.Loop() {
		patch, ok := Rectify(frame, poly)
		if !ok {
			b.Fatal("not rectified")
		}
		patch.Close()
	}
}
