package siting

import (
	"fmt"

	"anpr/sim/traffic"
	"anpr/sim/traffic/traffictest"
)

// Measure two cameras on a hand-made day: a stolen car drives a→b→c and
// an innocent one a→b; cameras watch a→b and b→c.
func ExampleEvaluate() {
	net, err := traffic.ParseNetwork("toy.json", []byte(traffictest.ToyNetworkJSON))
	if err != nil {
		panic(err)
	}
	rec := NewRecording(net, 1)
	stolen := rec.AddVehicle(Vehicle{Behaviour: traffic.Stolen, Listed: ListedExact, MarkLen: 7})
	innocent := rec.AddVehicle(Vehicle{Behaviour: traffic.Ordinary, MarkLen: 7})
	a2b, _ := net.FindLink("a", "b")
	b2c, _ := net.FindLink("b", "c")
	rec.AddTrip(stolen, 0, []traffic.LinkID{a2b, b2c})
	rec.AddTrip(innocent, 0, []traffic.LinkID{a2b})
	sites := []Site{{ID: "S1", Link: a2b}, {ID: "S2", Link: b2c}}
	rep, err := Evaluate([]*Recording{rec}, sites, Options{})
	if err != nil {
		panic(err)
	}
	for _, key := range []string{"capture.all.one", "capture.all.two", "intrusion.innocent_vehicles_per_day"} {
		m, _ := rep.Measure(key)
		fmt.Printf("%s: %g\n", m.Label, m.Mean)
	}
	for _, s := range rep.PerSite {
		lost, _ := s.Measure("necessity_per_day")
		dup, _ := s.Measure("duplication")
		fmt.Printf("%s (%s): lost without it %g, duplication %g\n", s.ID, s.District, lost.Mean, dup.Mean)
	}
	// Output:
	// Share of target trips seen by at least one camera: 1
	// Share of target trips seen by at least two cameras: 1
	// Innocent vehicles recorded a day (distinct): 1
	// S1 (North): lost without it 0, duplication 0.5
	// S2 (North): lost without it 0, duplication 1
}

// Choose one camera for the same day: b→c sees the stolen car and no
// innocent vehicle.
func ExampleOptimise() {
	net, err := traffic.ParseNetwork("toy.json", []byte(traffictest.ToyNetworkJSON))
	if err != nil {
		panic(err)
	}
	rec := NewRecording(net, 1)
	stolen := rec.AddVehicle(Vehicle{Behaviour: traffic.Stolen, Listed: ListedExact, MarkLen: 7})
	innocent := rec.AddVehicle(Vehicle{Behaviour: traffic.Ordinary, MarkLen: 7})
	a2b, _ := net.FindLink("a", "b")
	b2c, _ := net.FindLink("b", "c")
	rec.AddTrip(stolen, 0, []traffic.LinkID{a2b, b2c})
	rec.AddTrip(innocent, 0, []traffic.LinkID{a2b})
	plan, err := Optimise([]*Recording{rec}, EveryLink(net), OptimiseOptions{K: 1, MaxIntrusion: 0.5})
	if err != nil {
		panic(err)
	}
	for _, c := range plan.Chosen {
		fmt.Printf("%s on %s: gain %g trips a day, capture %g, innocent vehicles %g\n", c.Site.ID, net.LinkName(c.Site.Link), c.Gain, c.Capture, c.Intrusion)
	}
	// Output:
	// C0003 on R1 Barton → Colton: gain 1 trips a day, capture 1, innocent vehicles 0
}
