package planner

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// canvas draws antialiased shapes and text onto an RGBA image, with no
// display: the map on screen and the map in a decision record are the
// same pixels.
type canvas struct {
	dst *image.RGBA
	z   vector.Rasterizer
	pts []float64
}

func newCanvas(dst *image.RGBA) *canvas { return &canvas{dst: dst} }

func (c *canvas) fill(col color.Color) {
	draw.Draw(c.dst, c.dst.Bounds(), image.NewUniform(col), image.Point{}, draw.Src)
}

func (c *canvas) rect(r image.Rectangle, col color.Color) {
	draw.Draw(c.dst, r.Intersect(c.dst.Bounds()), image.NewUniform(col), image.Point{}, draw.Over)
}

// polygon fills the polygons in pts (x, y pairs; a NaN pair starts a new
// polygon), rasterising only their bounding box.
func (c *canvas) polygon(pts []float64, col color.Color) {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := 0; i+1 < len(pts); i += 2 {
		if math.IsNaN(pts[i]) {
			continue
		}
		minX, maxX = math.Min(minX, pts[i]), math.Max(maxX, pts[i])
		minY, maxY = math.Min(minY, pts[i+1]), math.Max(maxY, pts[i+1])
	}
	r := image.Rect(int(math.Floor(minX))-1, int(math.Floor(minY))-1, int(math.Ceil(maxX))+1, int(math.Ceil(maxY))+1)
	clip := r.Intersect(c.dst.Bounds())
	if clip.Empty() {
		return
	}
	// The rasteriser takes points outside its area, so it needs only the
	// part of the box on the image.
	c.z.Reset(clip.Dx(), clip.Dy())
	c.z.DrawOp = draw.Over
	ox, oy := float64(clip.Min.X), float64(clip.Min.Y)
	start := true
	for i := 0; i+1 < len(pts); i += 2 {
		if math.IsNaN(pts[i]) {
			c.z.ClosePath()
			start = true
			continue
		}
		x, y := float32(pts[i]-ox), float32(pts[i+1]-oy)
		if start {
			c.z.MoveTo(x, y)
			start = false
		} else {
			c.z.LineTo(x, y)
		}
	}
	c.z.ClosePath()
	c.z.Draw(c.dst, clip, image.NewUniform(col), image.Point{})
}

// line strokes a segment width pixels wide with square ends.
func (c *canvas) line(x0, y0, x1, y1, width float64, col color.Color) {
	dx, dy := x1-x0, y1-y0
	l := math.Hypot(dx, dy)
	if l == 0 {
		return
	}
	nx, ny := -dy/l*width/2, dx/l*width/2
	c.pts = append(c.pts[:0], x0+nx, y0+ny, x1+nx, y1+ny, x1-nx, y1-ny, x0-nx, y0-ny)
	c.polygon(c.pts, col)
}

// circle fills a disc.
func (c *canvas) circle(cx, cy, r float64, col color.Color) {
	c.pts = appendCircle(c.pts[:0], cx, cy, r, false)
	c.polygon(c.pts, col)
}

// ring fills the annulus between radii r0 < r1.
func (c *canvas) ring(cx, cy, r0, r1 float64, col color.Color) {
	c.pts = appendCircle(c.pts[:0], cx, cy, r1, false)
	c.pts = append(c.pts, math.NaN(), math.NaN())
	c.pts = appendCircle(c.pts, cx, cy, r0, true)
	c.polygon(c.pts, col)
}

func appendCircle(pts []float64, cx, cy, r float64, reverse bool) []float64 {
	const n = 28
	for i := range n {
		a := 2 * math.Pi * float64(i) / n
		if reverse {
			a = -a
		}
		pts = append(pts, cx+r*math.Cos(a), cy+r*math.Sin(a))
	}
	return pts
}

// triangle fills a triangle.
func (c *canvas) triangle(x0, y0, x1, y1, x2, y2 float64, col color.Color) {
	c.pts = append(c.pts[:0], x0, y0, x1, y1, x2, y2)
	c.polygon(c.pts, col)
}

// text draws s with its baseline's left end at x, y and returns the x
// after it.
func (c *canvas) text(face font.Face, x, y float64, col color.Color, s string) float64 {
	d := font.Drawer{Dst: c.dst, Src: image.NewUniform(col), Face: face,
		Dot: fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6(y * 64)}}
	d.DrawString(s)
	return float64(d.Dot.X) / 64
}

// textRight draws s ending at x.
func (c *canvas) textRight(face font.Face, x, y float64, col color.Color, s string) {
	c.text(face, x-textWidth(face, s), y, col, s)
}

func textWidth(face font.Face, s string) float64 {
	return float64(font.MeasureString(face, s)) / 64
}

// clipText shortens s with an ellipsis to fit width pixels.
func clipText(face font.Face, s string, width float64) string {
	if textWidth(face, s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && textWidth(face, string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func lerp(a, b color.NRGBA, t float64) color.NRGBA {
	t = math.Max(0, math.Min(1, t))
	m := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + t*(float64(y)-float64(x)))) }
	return color.NRGBA{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B), m(a.A, b.A)}
}
