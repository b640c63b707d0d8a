package planner

import (
	"errors"
	"fmt"
	"image"
	"math"

	"anpr/sim/traffic"
)

// Projection maps a network's plane coordinates (metres east and north, or
// a TNTP file's as given) to pixels in an area of the window, north up,
// with one scale on both axes so that the map is not distorted. The
// network's extreme nodes lie on the area's edges less the margin along
// the axis that limits the scale, and the map is centred along the other.
type Projection struct {
	// Scale is pixels per unit of the network's coordinates.
	Scale float64
	// X0, Y0 is the network point drawn at pixel (PX0, PY0).
	X0, Y0   float64
	PX0, PY0 float64
}

// Fit returns the projection of net's nodes into area, margin pixels in
// from each edge.
func Fit(net *traffic.Network, area image.Rectangle, margin float64) (Projection, error) {
	nodes := net.Nodes()
	if len(nodes) == 0 {
		return Projection{}, errors.New("fit map: the network has no nodes")
	}
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, n := range nodes {
		minX, maxX = math.Min(minX, n.X), math.Max(maxX, n.X)
		minY, maxY = math.Min(minY, n.Y), math.Max(maxY, n.Y)
	}
	w, h := float64(area.Dx())-2*margin, float64(area.Dy())-2*margin
	if w <= 0 || h <= 0 {
		return Projection{}, fmt.Errorf("fit map: area %v is too small for margins of %g pixels", area, margin)
	}
	spanX, spanY := maxX-minX, maxY-minY
	if spanX == 0 && spanY == 0 {
		return Projection{}, fmt.Errorf("fit map: network %s has no coordinates (every node at %g, %g)", net.Name, minX, minY)
	}
	scale := math.Inf(1)
	if spanX > 0 {
		scale = w / spanX
	}
	if spanY > 0 {
		scale = math.Min(scale, h/spanY)
	}
	// Centre the network's middle in the area.
	return Projection{
		Scale: scale,
		X0:    (minX + maxX) / 2, Y0: (minY + maxY) / 2,
		PX0: float64(area.Min.X) + float64(area.Dx())/2, PY0: float64(area.Min.Y) + float64(area.Dy())/2,
	}, nil
}

// Pixel returns where the network point x, y is drawn.
func (p Projection) Pixel(x, y float64) (px, py float64) {
	return p.PX0 + (x-p.X0)*p.Scale, p.PY0 - (y-p.Y0)*p.Scale
}

// Point returns the network point drawn at pixel px, py.
func (p Projection) Point(px, py float64) (x, y float64) {
	return p.X0 + (px-p.PX0)/p.Scale, p.Y0 - (py-p.PY0)/p.Scale
}

// Zoom returns the projection magnified by factor about pixel px, py,
// which stays where it is.
func (p Projection) Zoom(factor, px, py float64) Projection {
	x, y := p.Point(px, py)
	return Projection{Scale: p.Scale * factor, X0: x, Y0: y, PX0: px, PY0: py}
}

// Pan returns the projection with the map moved by dx, dy pixels.
func (p Projection) Pan(dx, dy float64) Projection {
	p.PX0 += dx
	p.PY0 += dy
	return p
}
