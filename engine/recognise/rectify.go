package recognise

import (
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"
)

// Margins kept around a rectified plate, as shares of the plate's own
// width and height: about what the reader's training crops hold.
const (
	rectifyMarginX = 0.08
	rectifyMarginY = 0.3
)

// Margins are the shares of a plate's width (X) and height (Y) kept on
// each side of it when it is cut out along its polygon.
type Margins struct{ X, Y float64 }

// Cuts are the margins the engine cuts a detected plate with, in the
// order it reads them: Rectify's, then the second look's tighter and
// looser cuts (see readDetection). Training sets that are to teach the
// reader what the engine hands it cut plates the same ways.
var Cuts = []Margins{{rectifyMarginX, rectifyMarginY}, {0.04, 0.25}, {0.15, 0.3}}

// Rectify cuts the plate out of the frame along the detector's polygon
// (corners clockwise from top-left) and turns it upright, with margins.
// A plate seen from beside the lane and from above leans and shears in
// the frame; its axis-aligned box holds it as a diagonal band, and the
// reader then loses characters at the ends. On 200 development frames a
// condition (seed 9701, installed models) reading the rectified patch
// rather than the box gave 183 -> 192 exact reads in day light, 165 -> 169
// in motion blur, 171 -> 177 night colour, 173 -> 179 dusk, 169 -> 178 rain.
// ok is false for a polygon too small or too odd to rectify; the caller
// then reads CropWindow.
func Rectify(frame gocv.Mat, p [4][2]float64) (patch gocv.Mat, ok bool) {
	return RectifyWith(frame, p, Cuts[0])
}

// RectifyWith is Rectify with other margins.
func RectifyWith(frame gocv.Mat, p [4][2]float64, margins Margins) (patch gocv.Mat, ok bool) {
	mx, my := margins.X, margins.Y
	tl, tr, br, bl := p[0], p[1], p[2], p[3]
	// The plate's axes: the mean of its top and bottom edges, and of its
	// left and right ones.
	ux, uy := ((tr[0]-tl[0])+(br[0]-bl[0]))/2, ((tr[1]-tl[1])+(br[1]-bl[1]))/2
	vx, vy := ((bl[0]-tl[0])+(br[0]-tr[0]))/2, ((bl[1]-tl[1])+(br[1]-tr[1]))/2
	w, h := math.Hypot(ux, uy), math.Hypot(vx, vy)
	limit := 2 * math.Hypot(float64(frame.Cols()), float64(frame.Rows()))
	// A plate is wider than high and stands roughly upright; anything else
	// is a detection the box reads better (or no worse).
	if !(w >= 8 && h >= 4 && w <= limit && h <= limit) || ux <= 0 || vy <= 0 || math.Abs(uy) > ux || math.Abs(vx) > vy {
		return gocv.Mat{}, false
	}
	W := math.Round(w * (1 + 2*mx))
	H := math.Round(h * (1 + 2*my))
	at := func(q [2]float64, su, sv float64) gocv.Point2f {
		return gocv.Point2f{X: float32(q[0] + su*ux + sv*vx), Y: float32(q[1] + su*uy + sv*vy)}
	}
	src := gocv.NewPoint2fVectorFromPoints([]gocv.Point2f{at(tl, -mx, -my), at(tr, mx, -my), at(br, mx, my), at(bl, -mx, my)})
	defer src.Close()
	dst := gocv.NewPoint2fVectorFromPoints([]gocv.Point2f{{X: 0, Y: 0}, {X: float32(W), Y: 0}, {X: float32(W), Y: float32(H)}, {X: 0, Y: float32(H)}})
	defer dst.Close()
	m := gocv.GetPerspectiveTransform2f(src, dst)
	defer m.Close()
	patch = gocv.NewMat()
	// Replicate the frame's edge where the margins run off it, rather
	// than paint a black band the reader could take for a stroke.
	gocv.WarpPerspectiveWithParams(frame, &patch, m, image.Pt(int(W), int(H)), gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
	return patch, true
}
