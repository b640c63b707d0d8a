package planner

import (
	"math"
	"slices"
	"strings"

	"anpr/sim/siting"
	"anpr/sim/traffic"
)

// Geometry is where each link of a network is drawn under a projection:
// a segment on the link's own side of the road (the left of its direction
// of travel) when the road has a link each way, on the road's line when it
// is one-way.
type Geometry struct {
	Net  *traffic.Network
	Proj Projection
	segs []Segment
}

// Segment is a link as drawn: from (X0, Y0) to (X1, Y1), in pixels.
type Segment struct {
	X0, Y0, X1, Y1 float64
	// NX, NY is the unit normal to the left of the direction of travel,
	// towards the verge the link's site markers stand on.
	NX, NY float64
	// Width is the carriageway's width in pixels.
	Width float64
}

// Len returns the segment's length in pixels.
func (s Segment) Len() float64 { return math.Hypot(s.X1-s.X0, s.Y1-s.Y0) }

// At returns the point a fraction t of the way along the segment.
func (s Segment) At(t float64) (x, y float64) {
	return s.X0 + t*(s.X1-s.X0), s.Y0 + t*(s.Y1-s.Y0)
}

// Dir returns the unit vector of the direction of travel.
func (s Segment) Dir() (dx, dy float64) {
	l := s.Len()
	if l == 0 {
		return 1, 0
	}
	return (s.X1 - s.X0) / l, (s.Y1 - s.Y0) / l
}

// Distance returns the distance in pixels from x, y to the segment.
func (s Segment) Distance(x, y float64) float64 {
	vx, vy := s.X1-s.X0, s.Y1-s.Y0
	l2 := vx*vx + vy*vy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((x-s.X0)*vx+(y-s.Y0)*vy)/l2))
	}
	px, py := s.X0+t*vx, s.Y0+t*vy
	return math.Hypot(x-px, y-py)
}

// ClassWidth is the width in pixels a carriageway of each class is drawn.
func ClassWidth(c traffic.RoadClass) float64 {
	switch c {
	case traffic.Motorway:
		return 3.5
	case traffic.Trunk:
		return 3
	case traffic.ARoad:
		return 2.5
	}
	return 1.5
}

// NewGeometry lays out net's links under proj.
func NewGeometry(net *traffic.Network, proj Projection) *Geometry {
	g := &Geometry{Net: net, Proj: proj, segs: make([]Segment, len(net.Links()))}
	twoWay := map[[2]int]bool{}
	for _, l := range net.Links() {
		twoWay[[2]int{l.From, l.To}] = true
	}
	for i, l := range net.Links() {
		a, b := net.Node(l.From), net.Node(l.To)
		x0, y0 := proj.Pixel(a.X, a.Y)
		x1, y1 := proj.Pixel(b.X, b.Y)
		s := Segment{X0: x0, Y0: y0, X1: x1, Y1: y1, Width: ClassWidth(l.Class)}
		dx, dy := s.Dir()
		// Left of the direction of travel, with y down the screen.
		s.NX, s.NY = dy, -dx
		if twoWay[[2]int{l.To, l.From}] {
			off := s.Width/2 + 0.5
			s.X0, s.Y0, s.X1, s.Y1 = s.X0+off*s.NX, s.Y0+off*s.NY, s.X1+off*s.NX, s.Y1+off*s.NY
		}
		g.segs[i] = s
	}
	return g
}

// Segment returns where link id is drawn.
func (g *Geometry) Segment(id traffic.LinkID) Segment { return g.segs[id] }

// NodePixel returns where node i is drawn.
func (g *Geometry) NodePixel(i int) (x, y float64) {
	n := g.Net.Node(i)
	return g.Proj.Pixel(n.X, n.Y)
}

// DefaultPickTolerance is how far in pixels from a link a click still
// picks it.
const DefaultPickTolerance = 7

// LinkAt returns the link drawn nearest to x, y, if one is within tol
// pixels. Of the two directions of a road, the one on the side of the
// road's line the point is on is nearer.
func (g *Geometry) LinkAt(x, y, tol float64) (traffic.LinkID, bool) {
	best, bestD := traffic.LinkID(-1), tol
	for i, s := range g.segs {
		if d := s.Distance(x, y); d <= bestD {
			best, bestD = traffic.LinkID(i), d
		}
	}
	return best, best >= 0
}

// Marker radius and arrow size, in pixels.
const (
	MarkerRadius = 6.0
	arrowLength  = 13.0
	arrowWidth   = 5.5
)

// Marker is where a site is drawn: a disc on the verge beside its
// carriageway and an arrow on the carriageway in the direction the
// camera watches.
type Marker struct {
	Site siting.Site
	// X, Y is the disc's centre; AX, AY the arrow's middle.
	X, Y, AX, AY float64
	// DX, DY is the direction of travel.
	DX, DY float64
}

// Markers places sites: on each link, along it in the order of their ids,
// evenly spaced.
func (g *Geometry) Markers(sites []siting.Site) []Marker {
	byLink := map[traffic.LinkID][]siting.Site{}
	for _, s := range sites {
		byLink[s.Link] = append(byLink[s.Link], s)
	}
	out := make([]Marker, 0, len(sites))
	for _, s := range sites {
		on := byLink[s.Link]
		slices.SortFunc(on, func(a, b siting.Site) int { return strings.Compare(a.ID, b.ID) })
		k := slices.IndexFunc(on, func(o siting.Site) bool { return o.ID == s.ID })
		seg := g.segs[s.Link]
		t := float64(k+1) / float64(len(on)+1)
		ax, ay := seg.At(t)
		dx, dy := seg.Dir()
		off := seg.Width/2 + MarkerRadius + 1.5
		out = append(out, Marker{Site: s, AX: ax, AY: ay, X: ax + off*seg.NX, Y: ay + off*seg.NY, DX: dx, DY: dy})
	}
	return out
}

// MarkerAt returns the marker whose disc or arrow is within tol pixels of
// x, y, the nearest if several.
func MarkerAt(markers []Marker, x, y, tol float64) (Marker, bool) {
	best, bestD := -1, math.Inf(1)
	for i, m := range markers {
		d := math.Min(math.Hypot(x-m.X, y-m.Y), math.Hypot(x-m.AX, y-m.AY))
		if d <= MarkerRadius+tol && d < bestD {
			best, bestD = i, d
		}
	}
	if best < 0 {
		return Marker{}, false
	}
	return markers[best], true
}
