package planner

import (
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"anpr/sim/siting"
	"anpr/sim/traffic"
)

func toySession(t *testing.T) (*Session, *traffic.Network) {
	t.Helper()
	net, rec, tr := toyDay(t, 1)
	m, err := NewModelFrom([]*siting.Recording{rec}, tr, []siting.Site{{ID: "S1", Link: 0, Cost: 1}}, siting.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(m, SessionConfig{Name: "toy proposal", ExportDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return s, net
}

func click(s *Session, b Button, x, y float64) {
	s.PointerMove(x, y)
	s.PointerDown(b, x, y)
	s.PointerUp(b, x, y)
}

func drag(s *Session, x0, y0, x1, y1 float64) {
	s.PointerMove(x0, y0)
	s.PointerDown(Left, x0, y0)
	for i := 1; i <= 10; i++ {
		f := float64(i) / 10
		s.PointerMove(x0+f*(x1-x0), y0+f*(y1-y0))
	}
	s.PointerUp(Left, x1, y1)
}

func linkMiddle(s *Session, id traffic.LinkID) (float64, float64) {
	return s.Geometry().Segment(id).At(0.3)
}

func markerOf(t *testing.T, s *Session, id string) Marker {
	t.Helper()
	i := slices.IndexFunc(s.Markers(), func(m Marker) bool { return m.Site.ID == id })
	if i < 0 {
		t.Fatalf("no marker for %s", id)
	}
	return s.Markers()[i]
}

func capture(t *testing.T, s *Session) (current, proposed float64) {
	t.Helper()
	d, ok := findDiff(s.Evaluation().Comparison, "capture.all.one")
	if !ok {
		t.Fatal("no capture.all.one")
	}
	return d.Current.Mean, d.Proposed.Mean
}

// Click a road to add a site, drag it to another, right-click to remove
// it; the measures follow each edit.
func TestSessionEditsByPointer(t *testing.T) {
	s, net := toySession(t)
	if cur, prop := capture(t, s); cur != 0.5 || prop != 0.5 {
		t.Fatalf("at the start capture is %g current and %g proposed; want 0.5 (the stolen cars of 4 target trips)", cur, prop)
	}

	x, y := linkMiddle(s, 4) // c→d: no target trips
	click(s, Left, x, y)
	p, ok := s.Editor().Site("P01")
	if !ok || p.Link != 4 || s.Selected() != "P01" {
		t.Fatalf("a click on c→d gave %+v (%v), selected %q", p, ok, s.Selected())
	}
	if _, prop := capture(t, s); prop != 0.5 {
		t.Errorf("a camera on c→d changed capture to %g", prop)
	}

	// Drag it onto b→e: now it sees the clone too.
	m := markerOf(t, s, "P01")
	x1, y1 := linkMiddle(s, 6)
	drag(s, m.X, m.Y, x1, y1)
	if p, _ := s.Editor().Site("P01"); p.Link != 6 {
		t.Fatalf("after the drag P01 is on %s", net.LinkName(p.Link))
	}
	if _, prop := capture(t, s); prop != 0.75 {
		t.Errorf("with P01 on b→e capture is %g, want 0.75", prop)
	}
	if msg, bad := s.Status(); bad || msg == "" {
		t.Errorf("status after the move: %q (failure %v)", msg, bad)
	}

	// Right-click removes it; undo brings it back.
	m = markerOf(t, s, "P01")
	click(s, Right, m.X, m.Y)
	if _, ok := s.Editor().Site("P01"); ok {
		t.Fatal("right-click did not remove P01")
	}
	s.Do(CmdUndo)
	if p, ok := s.Editor().Site("P01"); !ok || p.Link != 6 {
		t.Fatal("undo did not bring P01 back on b→e")
	}

	// Right-click a current site: removed, drawn as removed, and a
	// right-click on that restores it.
	m = markerOf(t, s, "S1")
	click(s, Right, m.X, m.Y)
	if s.Editor().Status("S1") != siting.Removed {
		t.Fatalf("S1 is %s after a right-click", s.Editor().Status("S1"))
	}
	if _, prop := capture(t, s); prop != 0.25 {
		t.Errorf("without S1 capture is %g, want 0.25 (the clone)", prop)
	}
	m = markerOf(t, s, "S1")
	click(s, Right, m.X, m.Y)
	if s.Editor().Status("S1") != siting.Kept {
		t.Errorf("S1 is %s after a second right-click", s.Editor().Status("S1"))
	}

	// Dragging the map pans it; a click off every road adds nothing.
	before := s.Geometry().Segment(0)
	drag(s, 20, 20, 60, 50)
	after := s.Geometry().Segment(0)
	if math.Abs(after.X0-before.X0-40) > 1e-9 || math.Abs(after.Y0-before.Y0-30) > 1e-9 {
		t.Errorf("a drag of (40, 30) moved the map by (%g, %g)", after.X0-before.X0, after.Y0-before.Y0)
	}
	n := len(s.Editor().Proposed())
	click(s, Left, 5, 5)
	if len(s.Editor().Proposed()) != n {
		t.Error("a click off every road added a site")
	}
}

// The map shows each site's marker in its status's colour where the
// geometry puts it, and the panel is drawn.
func TestSessionDrawsMarkersWhereTheyBelong(t *testing.T) {
	s, _ := toySession(t)
	x, y := linkMiddle(s, 4)
	click(s, Left, x, y)
	s.Do(CmdDeselect)
	img, changed := s.MapImage()
	if !changed {
		t.Fatal("the map was not drawn")
	}
	pal := s.Renderer.Palette
	for _, tc := range []struct {
		id   string
		want color.NRGBA
	}{{"S1", pal.Current}, {"P01", pal.Proposed}} {
		m := markerOf(t, s, tc.id)
		if got := img.At(int(m.X), int(m.Y)); !sameColour(got, tc.want, 8) {
			t.Errorf("%s's marker at (%d, %d) is %v; want %v", tc.id, int(m.X), int(m.Y), got, tc.want)
		}
	}
	if got := img.At(3, 3); !sameColour(got, pal.Background, 0) {
		t.Errorf("map corner is %v, want the background %v", got, pal.Background)
	}
	if _, changed := s.MapImage(); changed {
		t.Error("the map was redrawn with nothing changed")
	}
	panel, _ := s.PanelImage()
	if dark := countDark(panel, s.Layout.Panel); dark < 2000 {
		t.Errorf("the panel has %d dark pixels: no text?", dark)
	}
}

func sameColour(c color.Color, want color.NRGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, b uint8) int { return int(math.Abs(float64(int(a>>8) - int(b)))) }
	return d(r, want.R) <= tol && d(g, want.G) <= tol && d(b, want.B) <= tol
}

func countDark(img *image.RGBA, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := img.RGBAAt(x, y)
			if int(c.R)+int(c.G)+int(c.B) < 300 {
				n++
			}
		}
	}
	return n
}

// O adds the site that adds most target capture. On the toy day with a→b
// watched, a camera on b→c (the uninsured car) or on the clone's route
// each add a quarter of the target trips: capture rises to 0.75.
func TestSessionSuggestsASite(t *testing.T) {
	s, _ := toySession(t)
	s.Do(CmdSuggest)
	if len(s.Editor().Proposed()) != 2 {
		t.Fatalf("after a suggestion %d sites", len(s.Editor().Proposed()))
	}
	if _, prop := capture(t, s); prop != 0.75 {
		t.Errorf("capture after the suggestion %g, want 0.75", prop)
	}
	if msg, bad := s.Status(); bad || !strings.Contains(msg, "Suggested P01") {
		t.Errorf("status %q", msg)
	}
}

// Keys change what the map shows, and E exports into a folder of its own.
func TestSessionCommands(t *testing.T) {
	s, _ := toySession(t)
	s.MapImage()
	for _, c := range []Command{CmdHeat, CmdLabels, CmdCandidates, CmdFit} {
		s.Do(c)
		if _, changed := s.MapImage(); !changed {
			t.Errorf("command %d did not redraw the map", c)
		}
	}
	if s.heatMode != HeatCoverage {
		t.Errorf("after H the heat map is %v", s.heatMode)
	}
	s.Do(CmdFlow)
	if dots := s.Dots(0, nil); len(dots) != 0 {
		t.Errorf("with the flow off %d dots", len(dots))
	}
	s.Do(CmdFlow)
	if dots := s.Dots(0, nil); len(dots) == 0 {
		t.Error("with the flow on no dots")
	}
	before := s.Geometry().Proj.Scale
	s.Wheel(2, 300, 300)
	if got := s.Geometry().Proj.Scale; math.Abs(got/before-1.15*1.15) > 1e-9 {
		t.Errorf("two wheel steps zoomed %g times", got/before)
	}
	s.Do(CmdExport)
	msg, bad := s.Status()
	if bad || !strings.Contains(msg, "Exported") {
		t.Fatalf("status after E: %q", msg)
	}
	dir := strings.TrimSpace(msg[strings.LastIndex(msg, " "):])
	if _, err := os.Stat(filepath.Join(dir, PublicSummaryFile)); err != nil {
		t.Errorf("E wrote no public summary: %v", err)
	}
}
