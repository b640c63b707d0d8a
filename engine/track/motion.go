package track

import (
	"image"
	"math"
)

// motion fits straight lines, over time, to the log of a plate's height and
// to its centre's image row, by running sums so that it costs the same for
// a track of any length.
type motion struct {
	n, st, stt    float64
	sLogH, stLogH float64
	sY, stY, sumH float64
	tMin, tMax    float64
}

func (m *motion) add(t float64, box image.Rectangle) {
	h := math.Max(float64(box.Dy()), 1)
	y := float64(box.Min.Y+box.Max.Y) / 2
	if m.n == 0 || t < m.tMin {
		m.tMin = t
	}
	if m.n == 0 || t > m.tMax {
		m.tMax = t
	}
	m.n++
	m.st += t
	m.stt += t * t
	m.sLogH += math.Log(h)
	m.stLogH += t * math.Log(h)
	m.sY += y
	m.stY += t * y
	m.sumH += h
}

// Thresholds for calling a direction: the plate's size must change by a
// tenth over the track, or failing that its centre move half a plate
// height up or down the image.
const (
	minGrowth = 0.0953 // ln 1.1
	minRise   = 0.5
)

// direction is towards when the plate grew over the track (the vehicle
// came closer) and away when it shrank. When its size barely changed, the
// image row decides: on a camera mounted above the road, as ANPR cameras
// are, a plate that comes closer moves down the image. Empty when neither
// changed enough, or the track is one instant.
func (m *motion) direction(towards, away string) string {
	if m.n < 2 {
		return ""
	}
	den := m.n*m.stt - m.st*m.st
	if den <= 1e-12 {
		return ""
	}
	span := m.tMax - m.tMin
	growth := (m.n*m.stLogH - m.st*m.sLogH) / den * span
	switch {
	case growth >= minGrowth:
		return towards
	case growth <= -minGrowth:
		return away
	}
	fall := (m.n*m.stY - m.st*m.sY) / den * span / (m.sumH / m.n)
	switch {
	case fall >= minRise:
		return towards
	case fall <= -minRise:
		return away
	}
	return ""
}

// laneOf is the first lane whose region holds p, or "".
func laneOf(lanes []Lane, p [2]float64) string {
	for _, l := range lanes {
		if inPolygon(l.Region, p) {
			return l.Name
		}
	}
	return ""
}

// inPolygon is the even-odd rule: a ray from p crosses the edges an odd
// number of times when p is inside.
func inPolygon(poly [][2]float64, p [2]float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}
