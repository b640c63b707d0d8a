package planner

import (
	"testing"

	"anpr/sim/siting"
	"anpr/sim/traffic"
)

// A click near a link picks it; of a road's two directions, the one on
// the side clicked; far from every road, none. Tried on every link whose
// middle no other road passes within 12 pixels of (where roads cross, the
// nearer is picked, which is right but not this test).
func TestLinkAtPicksTheLinkNearTheClick(t *testing.T) {
	net := staffordshire(t)
	g := NewGeometry(net, mustFit(t, net))
	tried := 0
	for i, l := range net.Links() {
		fwd := traffic.LinkID(i)
		back, twoWay := net.FindLink(net.Node(l.To).ID, net.Node(l.From).ID)
		s := g.Segment(fwd)
		mx, my := s.At(0.5)
		if s.Len() < 30 || !isolated(g, mx, my, 12, fwd, back) {
			continue
		}
		tried++
		cases := []struct {
			name  string
			out   float64 // pixels along the normal to the link's own side
			along float64
			want  traffic.LinkID
		}{
			{"on it", 0, 0.5, fwd},
			{"3 px out on its side", 3, 0.5, fwd},
			{"a third of the way, 2 px out", 2, 0.4, fwd},
		}
		if twoWay {
			cases = append(cases, struct {
				name  string
				out   float64
				along float64
				want  traffic.LinkID
			}{"on the other carriageway", -2*(s.Width/2+0.5) - 1, 0.5, back})
		}
		for _, tc := range cases {
			x, y := s.At(tc.along)
			x, y = x+tc.out*s.NX, y+tc.out*s.NY
			got, ok := g.LinkAt(x, y, DefaultPickTolerance)
			if !ok || got != tc.want {
				t.Errorf("%s, %s: picked %d (%v), want %d", net.LinkName(fwd), tc.name, got, ok, tc.want)
			}
		}
		far := DefaultPickTolerance + 2.0
		if got, ok := g.LinkAt(mx+far*s.NX, my+far*s.NY, DefaultPickTolerance); ok && (got == fwd || got == back) {
			t.Errorf("%s: a click %g px to its side picked it", net.LinkName(fwd), far)
		}
	}
	if tried < 50 {
		t.Errorf("only %d links tried", tried)
	}
	if got, ok := g.LinkAt(2, 2, DefaultPickTolerance); ok {
		t.Errorf("a click in the map's corner picked %s", net.LinkName(got))
	}
}

// isolated reports whether no link but a and b passes within r of x, y.
func isolated(g *Geometry, x, y, r float64, a, b traffic.LinkID) bool {
	for i := range g.Net.Links() {
		id := traffic.LinkID(i)
		if id != a && id != b && g.Segment(id).Distance(x, y) < r {
			return false
		}
	}
	return true
}

// Each site's marker stands beside its own carriageway, so the two
// directions' markers do not overlap, and MarkerAt finds each.
func TestMarkersStandApartAndAreFound(t *testing.T) {
	net := staffordshire(t)
	g := NewGeometry(net, mustFit(t, net))
	sites := currentSites(t, net)
	markers := g.Markers(sites)
	for i, m := range markers {
		got, ok := MarkerAt(markers, m.X, m.Y, 2)
		if !ok || got.Site.ID != sites[i].ID {
			t.Errorf("MarkerAt the centre of %s's marker found %q", sites[i].ID, got.Site.ID)
		}
		for j := range i {
			o := markers[j]
			if d := (m.X-o.X)*(m.X-o.X) + (m.Y-o.Y)*(m.Y-o.Y); d < (2*MarkerRadius)*(2*MarkerRadius) {
				t.Errorf("markers of %s and %s overlap", sites[i].ID, sites[j].ID)
			}
		}
	}
	// Two sites on one link are spread along it.
	two := g.Markers([]siting.Site{{ID: "X1", Link: 0}, {ID: "X2", Link: 0}})
	if two[0].X == two[1].X && two[0].Y == two[1].Y {
		t.Error("two sites on one link are drawn in one place")
	}
}
