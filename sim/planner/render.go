package planner

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"

	"anpr/sim/siting"
	"anpr/sim/traffic"
)

// Palette is the planner's colours. Site markers have colours nothing
// else on the map uses, so that a screenshot shows where each one is.
type Palette struct {
	Background, Panel, Text, Muted, Rule color.NRGBA
	Motorway, Trunk, ARoad, Minor        color.NRGBA
	Node                                 color.NRGBA
	// Current sites kept as they are; Proposed sites added, moved or
	// replaced; Removed current sites the proposal takes away (a white
	// disc); Outline around markers.
	Current, Proposed, Removed, Outline color.NRGBA
	Candidate                           color.NRGBA
	// Heat of the gaps runs from GapLow to GapHigh; coverage from
	// CoverNone through CoverHalf to CoverAll.
	GapLow, GapHigh                color.NRGBA
	CoverNone, CoverHalf, CoverAll color.NRGBA
	Catchment                      color.NRGBA
	Dot, Hover                     color.NRGBA
	Better, Worse                  color.NRGBA
}

// DefaultPalette returns the planner's colours.
func DefaultPalette() Palette {
	return Palette{
		Background: rgb(0xF4F1EA), Panel: rgb(0xFFFFFF), Text: rgb(0x212121), Muted: rgb(0x757575), Rule: rgb(0xD0D0D0),
		Motorway: rgb(0x1F5FBF), Trunk: rgb(0x1E7B34), ARoad: rgb(0x6D4C41), Minor: rgb(0x9E9E9E),
		Node:    rgb(0x263238),
		Current: rgb(0x00B8D4), Proposed: rgb(0xE040FB), Removed: rgb(0xFFFFFF), Outline: rgb(0x212121),
		Candidate: rgba(0x616161, 0xA0),
		GapLow:    rgba(0xFFC107, 0xB0), GapHigh: rgba(0xD50000, 0xC8),
		CoverNone: rgba(0xD50000, 0xB0), CoverHalf: rgba(0xFFC107, 0xB0), CoverAll: rgba(0x43A047, 0xB0),
		Catchment: rgba(0x7E57C2, 0xA0),
		Dot:       rgba(0xFFFFFF, 0xF0), Hover: rgba(0xFF6D00, 0xE0),
		Better: rgb(0x2E7D32), Worse: rgb(0xC62828),
	}
}

func rgb(v uint32) color.NRGBA { return rgba(v, 0xFF) }

func rgba(v uint32, a uint8) color.NRGBA {
	return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), a}
}

// Road returns the colour of a road class.
func (p Palette) Road(c traffic.RoadClass) color.NRGBA {
	switch c {
	case traffic.Motorway:
		return p.Motorway
	case traffic.Trunk:
		return p.Trunk
	case traffic.ARoad:
		return p.ARoad
	}
	return p.Minor
}

// Marker returns the colour of a site's marker by its status in the
// proposal (siting.Kept, Added, ...).
func (p Palette) Marker(status string) color.NRGBA {
	switch status {
	case siting.Kept:
		return p.Current
	case siting.Removed:
		return p.Removed
	}
	return p.Proposed
}

// Renderer draws the map and the panel. It holds the fonts, so it is not
// safe for concurrent use.
type Renderer struct {
	Palette                   Palette
	regular, bold, small, big font.Face
}

// NewRenderer loads the fonts (the Go fonts, built in).
func NewRenderer() (*Renderer, error) {
	face := func(data []byte, size float64) (font.Face, error) {
		f, err := opentype.Parse(data)
		if err != nil {
			return nil, err
		}
		return opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	}
	r := &Renderer{Palette: DefaultPalette()}
	var err error
	if r.regular, err = face(goregular.TTF, 12.5); err != nil {
		return nil, fmt.Errorf("load fonts: %w", err)
	}
	if r.small, err = face(goregular.TTF, 10.5); err != nil {
		return nil, fmt.Errorf("load fonts: %w", err)
	}
	if r.bold, err = face(gobold.TTF, 12.5); err != nil {
		return nil, fmt.Errorf("load fonts: %w", err)
	}
	if r.big, err = face(gobold.TTF, 16); err != nil {
		return nil, fmt.Errorf("load fonts: %w", err)
	}
	return r, nil
}

// HeatMode is what the heat map under the roads shows.
type HeatMode int

const (
	// HeatGaps shows the target trips a day on each link that no camera
	// sees anywhere on their route: the gaps.
	HeatGaps HeatMode = iota
	// HeatCoverage shows the share of each link's target trips seen,
	// wider where there are more.
	HeatCoverage
	// HeatOff shows none.
	HeatOff
	numHeatModes
)

func (m HeatMode) String() string {
	switch m {
	case HeatGaps:
		return "gaps (target trips no camera sees)"
	case HeatCoverage:
		return "coverage (share of target trips seen)"
	}
	return "off"
}

// SiteMark is a site to draw and its status in the proposal.
type SiteMark struct {
	Site   siting.Site
	Status string
	// Was, for a site moved, is where it was: drawn as a removed site
	// joined to the new place.
	Was    traffic.LinkID
	HasWas bool
}

// MapView is what DrawMap draws.
type MapView struct {
	Geometry *Geometry
	Heat     *Heat
	HeatMode HeatMode
	// Catchment, when set, is drawn instead of the heat map: vehicles a
	// day on each link that pass the selected site.
	Catchment []float64
	Sites     []SiteMark
	// Candidates are drawn as small dots on their verges.
	Candidates []siting.Site
	Selected   string
	// Labels names the towns.
	Labels bool
}

// DrawMap draws v onto dst, in the area of dst its geometry's projection
// was fitted to; the rest of dst is not touched.
func (r *Renderer) DrawMap(dst *image.RGBA, area image.Rectangle, v MapView) {
	c := newCanvas(dst.SubImage(area).(*image.RGBA))
	p := r.Palette
	g := v.Geometry
	net := g.Net
	c.fill(p.Background)

	// Heat (or the selected site's catchment) under the roads.
	switch {
	case v.Catchment != nil:
		maxC := slices.Max(append([]float64{0}, v.Catchment...))
		for i, n := range v.Catchment {
			if n > 0 && maxC > 0 {
				s := g.segs[i]
				c.line(s.X0, s.Y0, s.X1, s.Y1, s.Width+3+12*math.Sqrt(n/maxC), p.Catchment)
			}
		}
	case v.Heat != nil && v.HeatMode == HeatGaps && v.Heat.MaxUnseen > 0:
		for _, i := range order(v.Heat.Target, func(i int) float64 { return v.Heat.Unseen(traffic.LinkID(i)) }) {
			u := v.Heat.Unseen(traffic.LinkID(i))
			if u <= 1e-9 {
				continue
			}
			f := math.Sqrt(u / v.Heat.MaxUnseen)
			s := g.segs[i]
			c.line(s.X0, s.Y0, s.X1, s.Y1, s.Width+3+10*f, lerp(p.GapLow, p.GapHigh, f))
		}
	case v.Heat != nil && v.HeatMode == HeatCoverage && v.Heat.Max > 0:
		for _, i := range order(v.Heat.Target, func(i int) float64 { return v.Heat.Target[i] }) {
			t := v.Heat.Target[i]
			if t <= 1e-9 {
				continue
			}
			cov := v.Heat.Coverage(traffic.LinkID(i))
			col := lerp(p.CoverNone, p.CoverHalf, 2*cov)
			if cov > 0.5 {
				col = lerp(p.CoverHalf, p.CoverAll, 2*cov-1)
			}
			s := g.segs[i]
			c.line(s.X0, s.Y0, s.X1, s.Y1, s.Width+3+10*math.Sqrt(t/v.Heat.Max), col)
		}
	}

	// Town names under the roads, so that no road is hidden.
	if v.Labels {
		for i, n := range net.Nodes() {
			if n.IsZone() && !n.Entry && n.Name != "" {
				x, y := g.NodePixel(i)
				c.text(r.small, x+5, y-4, p.Muted, n.Name)
			}
		}
	}

	// Roads, the minor ones first.
	links := net.Links()
	for _, cls := range []traffic.RoadClass{traffic.Minor, traffic.ARoad, traffic.Trunk, traffic.Motorway} {
		for i, l := range links {
			if l.Class == cls || cls == traffic.Minor && l.Class == 0 {
				s := g.segs[i]
				c.line(s.X0, s.Y0, s.X1, s.Y1, s.Width, p.Road(l.Class))
			}
		}
	}
	for i, n := range net.Nodes() {
		if n.IsZone() && !n.Entry {
			x, y := g.NodePixel(i)
			c.circle(x, y, 3, p.Node)
		}
	}

	for _, s := range v.Candidates {
		seg := g.segs[s.Link]
		x, y := seg.At(0.5)
		off := seg.Width/2 + 3
		c.circle(x+off*seg.NX, y+off*seg.NY, 1.8, p.Candidate)
	}

	// Sites: what each sees (its link, in its colour), then removed and
	// former places, then the rest on top.
	sites := make([]siting.Site, len(v.Sites))
	for i, m := range v.Sites {
		sites[i] = m.Site
	}
	markers := g.Markers(sites)
	for _, m := range v.Sites {
		if m.Status != siting.Removed {
			s := g.segs[m.Site.Link]
			c.line(s.X0, s.Y0, s.X1, s.Y1, s.Width+1, p.Marker(m.Status))
		}
	}
	for i, m := range v.Sites {
		if m.HasWas {
			was := g.Markers([]siting.Site{{ID: m.Site.ID, Link: m.Was}})[0]
			c.line(was.X, was.Y, markers[i].X, markers[i].Y, 1.2, p.Outline)
			r.drawMarker(c, was, siting.Removed, false)
		}
	}
	for i, m := range v.Sites {
		if m.Status == siting.Removed {
			r.drawMarker(c, markers[i], m.Status, m.Site.ID == v.Selected)
		}
	}
	for i, m := range v.Sites {
		if m.Status != siting.Removed {
			r.drawMarker(c, markers[i], m.Status, m.Site.ID == v.Selected)
		}
	}
}

// order returns the indices of values with a positive value, smallest key
// first, so that the strongest heat is drawn on top.
func order(values []float64, key func(int) float64) []int {
	idx := make([]int, 0, len(values))
	for i := range values {
		if values[i] > 0 {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ka, kb := key(a), key(b)
		switch {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
	return idx
}

// drawMarker draws a site: an arrow on its carriageway pointing the way
// the camera watches (not for a removed site) and a disc on the verge.
func (r *Renderer) drawMarker(c *canvas, m Marker, status string, selected bool) {
	p := r.Palette
	col := p.Marker(status)
	if status != siting.Removed {
		tipX, tipY := m.AX+m.DX*arrowLength/2, m.AY+m.DY*arrowLength/2
		bx, by := m.AX-m.DX*arrowLength/2, m.AY-m.DY*arrowLength/2
		nx, ny := -m.DY, m.DX
		o := 1.3
		c.triangle(tipX+m.DX*o*1.6, tipY+m.DY*o*1.6, bx+nx*(arrowWidth+o)-m.DX*o, by+ny*(arrowWidth+o)-m.DY*o,
			bx-nx*(arrowWidth+o)-m.DX*o, by-ny*(arrowWidth+o)-m.DY*o, p.Outline)
		c.triangle(tipX, tipY, bx+nx*arrowWidth, by+ny*arrowWidth, bx-nx*arrowWidth, by-ny*arrowWidth, col)
	}
	if selected {
		c.ring(m.X, m.Y, MarkerRadius+2.5, MarkerRadius+4.5, p.Outline)
	}
	c.circle(m.X, m.Y, MarkerRadius+1.3, p.Outline)
	c.circle(m.X, m.Y, MarkerRadius, col)
}
