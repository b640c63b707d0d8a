package planner

import (
	"math"

	"anpr/sim/traffic"
)

// Flow animates traffic: dots travel along each link so that the number
// passing a point each second is the link's vehicles a day times one
// constant, the same for every link. A link holds a whole number of dots
// spaced evenly; its dots' speed is what makes the rate exact, near a
// speed in proportion to the link's speed limit.
type Flow struct {
	links []flowLink
	// PerSecond is dots a second per vehicle a day.
	PerSecond float64
}

type flowLink struct {
	seg   Segment
	dots  int
	speed float64 // pixels a second
	phase float64 // 0 to 1, so that links do not move in step
}

// Dot is one dot at a moment: its position in pixels.
type Dot struct{ X, Y float32 }

// pixelsPerMPH sets the dots' nominal speed: 70 mph is 42 pixels a second.
const pixelsPerMPH = 0.6

// NewFlow lays out about budget dots over the links of g carrying flow
// (vehicles a day on each link, as Traffic.LinkFlow gives).
func NewFlow(g *Geometry, flow []float64, budget int) *Flow {
	links := g.Net.Links()
	// Dots on a link: flow x c x (seconds to cross it at the nominal
	// speed), so that the dots passing a point each second are flow x c.
	var total float64
	for i, l := range links {
		if flow[i] > 0 {
			total += flow[i] * g.segs[i].Len() / nominalSpeed(l)
		}
	}
	f := &Flow{}
	if total == 0 || budget <= 0 {
		return f
	}
	f.PerSecond = float64(budget) / total
	for i, l := range links {
		seg := g.segs[i]
		if flow[i] <= 0 || seg.Len() < 1 {
			continue
		}
		rate := f.PerSecond * flow[i] // dots a second passing a point
		n := max(1, int(math.Round(rate*seg.Len()/nominalSpeed(l))))
		f.links = append(f.links, flowLink{seg: seg, dots: n, speed: rate * seg.Len() / float64(n),
			phase: math.Mod(float64(i)*0.618034, 1)})
	}
	return f
}

func nominalSpeed(l traffic.Link) float64 {
	mph := l.SpeedMPH
	if mph <= 0 {
		mph = 30
	}
	return mph * pixelsPerMPH
}

// rate returns the dots a second that pass a point of the i-th link
// carrying flow (in link order, links without flow left out), for tests.
func (f *Flow) rate(i int) float64 {
	l := f.links[i]
	return float64(l.dots) * l.speed / l.seg.Len()
}

// Dots appends to dst the dots at t seconds.
func (f *Flow) Dots(t float64, dst []Dot) []Dot {
	for _, l := range f.links {
		length := l.seg.Len()
		base := l.phase + t*l.speed/length
		for k := range l.dots {
			u := base + float64(k)/float64(l.dots)
			u -= math.Floor(u)
			x, y := l.seg.At(u)
			dst = append(dst, Dot{X: float32(x), Y: float32(y)})
		}
	}
	return dst
}

// Len returns the number of dots.
func (f *Flow) Len() int {
	n := 0
	for _, l := range f.links {
		n += l.dots
	}
	return n
}
