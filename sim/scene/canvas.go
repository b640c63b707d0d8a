package scene

import (
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"
)

// subpixelShift is the fixed-point precision OpenCV draws with: coordinates
// are multiplied by 2^shift, so small, distant objects keep their shape.
const subpixelShift = 3

// canvas is a window onto the camera's full frame. A scene renders the whole
// frame; a crop renders only a window around the plate, which is what makes
// crops cheap. All drawing takes frame coordinates.
//
// Colours are given as they are in daylight; the canvas's light tones each
// one as it is drawn, which costs nothing per pixel.
type canvas struct {
	img    gocv.Mat // BGR (or BGRA for a layer), 8 bits per channel, continuous
	origin image.Point
	size   image.Point
	light  grade
}

func newCanvas(window image.Rectangle, channels int, light grade) *canvas {
	t := gocv.MatTypeCV8UC3
	if channels == 4 {
		t = gocv.MatTypeCV8UC4
	}
	c := &canvas{
		img:    gocv.NewMatWithSize(window.Dy(), window.Dx(), t),
		origin: window.Min,
		size:   window.Size(),
		light:  light,
	}
	c.img.SetTo(gocv.NewScalar(0, 0, 0, 0))
	return c
}

// fill paints the whole canvas one colour.
func (c *canvas) fill(col color.RGBA) {
	t := c.light.colour(col)
	c.img.SetTo(gocv.NewScalar(float64(t.B), float64(t.G), float64(t.R), float64(t.A)))
}

func (c *canvas) Close() { c.img.Close() }

// fixed converts frame coordinates to the canvas's fixed-point pixels.
func (c *canvas) fixed(u, v float64) image.Point {
	k := float64(int(1) << subpixelShift)
	return image.Point{int(math.Round((u - float64(c.origin.X)) * k)), int(math.Round((v - float64(c.origin.Y)) * k))}
}

// local converts frame coordinates to whole canvas pixels.
func (c *canvas) local(u, v float64) image.Point {
	return image.Point{int(math.Round(u)) - c.origin.X, int(math.Round(v)) - c.origin.Y}
}

// bounds is the canvas rectangle in frame coordinates.
func (c *canvas) bounds() image.Rectangle { return image.Rectangle{c.origin, c.origin.Add(c.size)} }

// fillPoly fills a polygon given in frame coordinates, antialiased.
func fillPoly(m *gocv.Mat, c *canvas, pts [][2]float64, col color.RGBA) {
	if len(pts) < 3 || !polyBounds(pts, 1).Overlaps(c.bounds()) {
		return // nothing to draw here; crops skip most of the road this way
	}
	poly := make([]image.Point, len(pts))
	for i, p := range pts {
		poly[i] = c.fixed(p[0], p[1])
	}
	pv := gocv.NewPointsVectorFromPoints([][]image.Point{poly})
	defer pv.Close()
	gocv.FillPolyWithParams(m, pv, c.light.colour(col), gocv.LineAA, subpixelShift, image.Point{})
}

// line draws an antialiased line in frame coordinates.
func line(m *gocv.Mat, c *canvas, a, b [2]float64, col color.RGBA, thickness int) {
	if thickness < 1 {
		thickness = 1
	}
	gocv.Line(m, c.local(a[0], a[1]), c.local(b[0], b[1]), c.light.colour(col), thickness)
}

// rgb makes an opaque drawing colour; gocv hands OpenCV its fields in B, G,
// R, A order, and the alpha matters on the vehicle's BGRA layer.
func rgb(r, g, b float64) color.RGBA {
	return color.RGBA{clamp8(r), clamp8(g), clamp8(b), 255}
}

func clamp8(x float64) uint8 {
	switch {
	case x <= 0:
		return 0
	case x >= 255:
		return 255
	}
	return uint8(x + 0.5)
}

// shade scales a colour's brightness.
func shade(c color.RGBA, k float64) color.RGBA {
	return color.RGBA{clamp8(float64(c.R) * k), clamp8(float64(c.G) * k), clamp8(float64(c.B) * k), c.A}
}

// polyBounds is the bounding box of points, grown by pad pixels.
func polyBounds(pts [][2]float64, pad float64) image.Rectangle {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
		minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
	}
	return image.Rect(int(math.Floor(minX-pad)), int(math.Floor(minY-pad)), int(math.Ceil(maxX+pad)), int(math.Ceil(maxY+pad)))
}
