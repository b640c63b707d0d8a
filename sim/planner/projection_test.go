package planner

import (
	"image"
	"math"
	"testing"

	"anpr/sim/traffic"
)

// The network's extreme nodes land on the map's edges less the margin
// along the axis that limits the scale, and the map is centred along the
// other, with no node outside the margins.
func TestFitPutsExtremeNodesOnTheEdges(t *testing.T) {
	cases := []struct {
		name   string
		net    *traffic.Network
		area   image.Rectangle
		margin float64
		// limitedByWidth: the network is wider than the area for its
		// height.
		limitedByWidth bool
	}{
		{"staffordshire in the window", staffordshire(t), DefaultLayout().Map, DefaultMargin, false},
		{"staffordshire in a wide strip", staffordshire(t), image.Rect(0, 0, 2000, 300), 10, false},
		{"staffordshire in a tall strip", staffordshire(t), image.Rect(0, 0, 300, 2000), 10, true},
		{"toy network, offset area", toyNetwork(t), image.Rect(100, 50, 900, 850), 30, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Fit(tc.net, tc.area, tc.margin)
			if err != nil {
				t.Fatal(err)
			}
			west, east, north, south := extremes(tc.net)
			px := func(i int) (float64, float64) { n := tc.net.Node(i); return p.Pixel(n.X, n.Y) }
			wx, _ := px(west)
			ex, _ := px(east)
			_, ny := px(north)
			_, sy := px(south)
			left, right := float64(tc.area.Min.X)+tc.margin, float64(tc.area.Max.X)-tc.margin
			top, bottom := float64(tc.area.Min.Y)+tc.margin, float64(tc.area.Max.Y)-tc.margin
			const eps = 1e-6
			if tc.limitedByWidth {
				if math.Abs(wx-left) > eps || math.Abs(ex-right) > eps {
					t.Errorf("west and east nodes at x %g and %g; want the edges less the margin, %g and %g", wx, ex, left, right)
				}
				if ny < top-eps || sy > bottom+eps || math.Abs((ny+sy)/2-float64(tc.area.Min.Y+tc.area.Max.Y)/2) > eps {
					t.Errorf("north and south nodes at y %g and %g: not centred within %g to %g", ny, sy, top, bottom)
				}
			} else {
				if math.Abs(ny-top) > eps || math.Abs(sy-bottom) > eps {
					t.Errorf("north and south nodes at y %g and %g; want the edges less the margin, %g and %g", ny, sy, top, bottom)
				}
				if wx < left-eps || ex > right+eps || math.Abs((wx+ex)/2-float64(tc.area.Min.X+tc.area.Max.X)/2) > eps {
					t.Errorf("west and east nodes at x %g and %g: not centred within %g to %g", wx, ex, left, right)
				}
			}
			// North is up, east is right.
			if !(wx < ex && ny < sy) {
				t.Errorf("west %g east %g north %g south %g: map is flipped", wx, ex, ny, sy)
			}
			// Pixel and Point are inverses.
			n := tc.net.Node(east)
			x, y := p.Point(p.Pixel(n.X, n.Y))
			if math.Abs(x-n.X) > 1e-6 || math.Abs(y-n.Y) > 1e-6 {
				t.Errorf("Point(Pixel(%g, %g)) = %g, %g", n.X, n.Y, x, y)
			}
		})
	}
}

func extremes(net *traffic.Network) (west, east, north, south int) {
	for i, n := range net.Nodes() {
		if n.X < net.Node(west).X {
			west = i
		}
		if n.X > net.Node(east).X {
			east = i
		}
		if n.Y > net.Node(north).Y {
			north = i
		}
		if n.Y < net.Node(south).Y {
			south = i
		}
	}
	return
}

func TestFitRefusesAnAreaTooSmall(t *testing.T) {
	if _, err := Fit(toyNetwork(t), image.Rect(0, 0, 30, 30), 20); err == nil {
		t.Error("an area smaller than its margins was accepted")
	}
}

// Zooming keeps the point under the pointer where it is.
func TestZoomKeepsThePointerPoint(t *testing.T) {
	p, err := Fit(staffordshire(t), DefaultLayout().Map, DefaultMargin)
	if err != nil {
		t.Fatal(err)
	}
	x, y := p.Point(300, 200)
	z := p.Zoom(2, 300, 200)
	px, py := z.Pixel(x, y)
	if math.Abs(px-300) > 1e-9 || math.Abs(py-200) > 1e-9 || z.Scale != 2*p.Scale {
		t.Errorf("after zooming about (300, 200) the point there is at (%g, %g), scale %g", px, py, z.Scale/p.Scale)
	}
}
