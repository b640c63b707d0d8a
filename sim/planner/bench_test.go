package planner

import (
	"context"
	"image"
	"testing"
	"time"

	"anpr/sim/siting"
	"anpr/sim/traffic"
)

// The planner's hot paths: what one edit costs (measuring the proposal
// and its heat map, and redrawing the map and the panel), and one frame's
// moving traffic. On the small day by default; BenchmarkEditCountyDay on
// a whole county day (recording it takes some seconds first):
//
//	go test -run '^$' -bench . -benchtime 10x ./sim/planner/

func benchSession(b *testing.B, rec *siting.Recording, tr *Traffic) *Session {
	b.Helper()
	net := tr.Network()
	m, err := NewModelFrom([]*siting.Recording{rec}, tr, currentSites(b, net), siting.Options{})
	if err != nil {
		b.Fatal(err)
	}
	s, err := NewSession(m, SessionConfig{})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// benchEdit adds a site and takes it away again: two edits, each measured
// and drawn.
func benchEdit(b *testing.B, s *Session) {
	link, _ := s.Model.Net.FindLink("stafford", "m6-j13")
	x, y := s.Geometry().Segment(link).At(0.3)
	b.ResetTimer()
	for range b.N {
		click(s, Left, x, y)
		s.MapImage()
		s.PanelImage()
		s.Do(CmdUndo)
		s.MapImage()
		s.PanelImage()
	}
}

func BenchmarkEdit(b *testing.B) {
	day := recordedDay(b)
	benchEdit(b, benchSession(b, day.rec, day.traffic))
}

func BenchmarkEditCountyDay(b *testing.B) {
	net := staffordshire(b)
	sim, err := traffic.New(net, traffic.Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	from := traffic.DefaultEpoch()
	rec, tr, err := RecordDay(context.Background(), sim, from, from.Add(24*time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	benchEdit(b, benchSession(b, rec, tr))
}

func BenchmarkHeat(b *testing.B) {
	day := recordedDay(b)
	sites := currentSites(b, day.traffic.Network())
	b.ResetTimer()
	for range b.N {
		day.traffic.Heat(sites)
	}
}

func BenchmarkDrawMap(b *testing.B) {
	day := recordedDay(b)
	s := benchSession(b, day.rec, day.traffic)
	img := image.NewRGBA(image.Rect(0, 0, s.Layout.Width, s.Layout.Height))
	v := MapView{Geometry: s.Geometry(), Heat: &s.Evaluation().Heat, Sites: s.Marks(), Labels: true}
	b.ResetTimer()
	for range b.N {
		s.Renderer.DrawMap(img, s.Layout.Map, v)
	}
}

func BenchmarkDots(b *testing.B) {
	day := recordedDay(b)
	s := benchSession(b, day.rec, day.traffic)
	var dots []Dot
	b.ResetTimer()
	for i := range b.N {
		dots = s.Dots(float64(i)/60, dots[:0])
	}
}
