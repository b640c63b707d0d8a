package planner

import (
	"anpr/sim/traffic"
	"math"
	"testing"
)

// Dots pass each link at a rate in proportion to its flow, and move.
func TestFlowRateIsInProportionToTraffic(t *testing.T) {
	day := recordedDay(t)
	net := day.traffic.Network()
	g := NewGeometry(net, mustFit(t, net))
	flow := day.traffic.LinkFlow()
	f := NewFlow(g, flow, 2000)
	if n := f.Len(); n < 1500 || n > 2500 {
		t.Errorf("%d dots for a budget of 2000", n)
	}
	k := 0
	for i := range net.Links() {
		if flow[i] <= 0 || g.Segment(traffic.LinkID(i)).Len() < 1 {
			continue
		}
		if r := f.rate(k); math.Abs(r/flow[i]-f.PerSecond) > 1e-9*f.PerSecond {
			t.Errorf("%s: %g dots a second for %g vehicles a day; want %g a vehicle", net.LinkName(traffic.LinkID(i)), r, flow[i], f.PerSecond)
		}
		k++
	}
	a, b := f.Dots(0, nil), f.Dots(0.5, nil)
	if len(a) != len(b) || len(a) != f.Len() {
		t.Fatalf("%d and %d dots, want %d", len(a), len(b), f.Len())
	}
	moved := 0
	for i := range a {
		if a[i] != b[i] {
			moved++
		}
	}
	if moved < len(a)*9/10 {
		t.Errorf("only %d of %d dots moved in half a second", moved, len(a))
	}
	// Every dot is on its link.
	k = 0
	for _, l := range f.links {
		for range l.dots {
			if d := l.seg.Distance(float64(a[k].X), float64(a[k].Y)); d > 0.01 {
				t.Fatalf("a dot %g px off its link", d)
			}
			k++
		}
	}
}
