package planner

import (
	"math"
	"testing"

	"anpr/sim/siting"
	"anpr/sim/traffic"
)

// The heat map of the toy day, worked out by hand. Trips: two stolen cars
// a→b→c (links 0, 2), an uninsured car b→c (2), five ordinary cars a→b
// (0) and a clone d→c→b→e (5, 3, 6).
func TestHeatOfAHandMadeDay(t *testing.T) {
	net, rec, tr := toyDay(t, 1)
	cases := []struct {
		name  string
		sites []traffic.LinkID
		// target and seen target trips a day on links 0 to 7
		target, seen [8]float64
		capture      float64
	}{
		{"no cameras", nil,
			[8]float64{2, 0, 3, 1, 0, 1, 1, 0}, [8]float64{}, 0},
		// A camera on b→c sees both stolen cars and the uninsured one,
		// so a→b's target trips are all seen though a→b has no camera;
		// the clone's route is a gap.
		{"b→c", ids(2),
			[8]float64{2, 0, 3, 1, 0, 1, 1, 0}, [8]float64{2, 0, 3, 0, 0, 0, 0, 0}, 0.75},
		// A camera on a→b misses the uninsured car on b→c.
		{"a→b", ids(0),
			[8]float64{2, 0, 3, 1, 0, 1, 1, 0}, [8]float64{2, 0, 2, 0, 0, 0, 0, 0}, 0.5},
		// One on b→e sees the clone along its whole route.
		{"a→b and b→e", ids(0, 6),
			[8]float64{2, 0, 3, 1, 0, 1, 1, 0}, [8]float64{2, 0, 2, 1, 0, 1, 1, 0}, 0.75},
		// A camera on the other carriageway (c→b) sees the clone only.
		{"c→b", ids(3),
			[8]float64{2, 0, 3, 1, 0, 1, 1, 0}, [8]float64{0, 0, 0, 1, 0, 1, 1, 0}, 0.25},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var sites []siting.Site
			for i, l := range tc.sites {
				sites = append(sites, siting.Site{ID: "S" + string(rune('1'+i)), Link: l})
			}
			h := tr.Heat(sites)
			for i := range 8 {
				id := traffic.LinkID(i)
				if h.Target[i] != tc.target[i] || h.Seen[i] != tc.seen[i] {
					t.Errorf("%s: target %g seen %g; want %g and %g", net.LinkName(id), h.Target[i], h.Seen[i], tc.target[i], tc.seen[i])
				}
				if want := tc.target[i] - tc.seen[i]; h.Unseen(id) != want {
					t.Errorf("%s: unseen %g, want %g", net.LinkName(id), h.Unseen(id), want)
				}
			}
			if h.Max != 3 {
				t.Errorf("max target trips %g, want 3", h.Max)
			}
			if got := tr.Capture(sites); got != tc.capture {
				t.Errorf("capture %g, want %g", got, tc.capture)
			}
			// The map's copy of the traffic agrees with the measures'.
			rep, err := siting.Evaluate([]*siting.Recording{rec}, sites, siting.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if m, _ := rep.Measure("capture.all.one"); len(sites) > 0 && m.Mean != tc.capture {
				t.Errorf("siting's capture.all.one %g, the heat map's %g", m.Mean, tc.capture)
			}
		})
	}
	h := tr.Heat(nil)
	if c := h.Coverage(4); !math.IsNaN(c) {
		t.Errorf("coverage of c→d, which carries no target trip, is %g; want NaN", c)
	}
}

// Figures are a day: over two days the same trips are half as many a day.
func TestHeatIsPerDay(t *testing.T) {
	_, _, tr := toyDay(t, 2)
	h := tr.Heat([]siting.Site{{ID: "S1", Link: 2}})
	if h.Target[2] != 1.5 || h.Seen[0] != 1 || h.Unseen(5) != 0.5 {
		t.Errorf("over two days: b→c target %g, a→b seen %g, d→c unseen %g; want 1.5, 1, 0.5", h.Target[2], h.Seen[0], h.Unseen(5))
	}
	flow := tr.LinkFlow()
	if flow[0] != 3.5 || flow[2] != 1.5 || flow[1] != 0 {
		t.Errorf("flow a→b %g, b→c %g, b→a %g a day; want 3.5, 1.5, 0", flow[0], flow[2], flow[1])
	}
}

// The catchment of a site is where the trips it sees travel.
func TestCatchment(t *testing.T) {
	_, _, tr := toyDay(t, 1)
	all, targets := tr.Catchment(2) // b→c
	if all[0] != 2 || all[2] != 3 || all[6] != 0 || targets[0] != 2 || targets[2] != 3 {
		t.Errorf("catchment of b→c: all %v, targets %v", all, targets)
	}
}

func TestAddTripRefusesBrokenRoutes(t *testing.T) {
	tr := NewTraffic(toyNetwork(t), 1)
	for name, links := range map[string][]traffic.LinkID{
		"no links": nil, "gap": ids(0, 4), "no such link": ids(99),
	} {
		if err := tr.AddTrip(traffic.Stolen, links, 1); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The map's recording of a simulated day is the measures' recording of
// the same day: every figure the two share agrees.
func TestRecordDayRecordsTheSameTrips(t *testing.T) {
	day := recordedDay(t)
	net := day.traffic.Network()
	sites := currentSites(t, net)
	rep, err := siting.Evaluate([]*siting.Recording{day.rec}, sites, siting.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := rep.Measure("capture.all.one")
	if got := day.traffic.Capture(sites); math.Abs(got-m.Mean) > 1e-12 {
		t.Errorf("capture from the map's traffic %g, from siting %g", got, m.Mean)
	}
	flow := day.traffic.LinkFlow()
	h := day.traffic.Heat(sites)
	for i, s := range rep.PerSite {
		reads, _ := s.Measure("reads_per_day")
		target, _ := s.Measure("target_trips_per_day")
		l := sites[i].Link
		if math.Abs(flow[l]-reads.Mean) > 1e-9 || math.Abs(h.Target[l]-target.Mean) > 1e-9 {
			t.Errorf("%s: flow %g and target trips %g on its link; siting counts %g reads and %g target trips",
				s.ID, flow[l], h.Target[l], reads.Mean, target.Mean)
		}
	}
}
