package siting

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"anpr/sim/traffic"
)

// everyToyLink is a candidate on each of the toy network's eight links,
// named by link.
func everyToyLink(net *traffic.Network) []Site {
	var c []Site
	for _, l := range net.Links() {
		c = append(c, Site{ID: "L" + string(rune('0'+l.ID)), Link: l.ID, Cost: 1})
	}
	return c
}

func chosenIDs(p *Plan) []string {
	var ids []string
	for _, c := range p.Chosen {
		ids = append(ids, c.Site.ID)
	}
	return ids
}

// On the toy day the target trips are t4 (a→b, b→c), t5 (c→b, b→e) and t6
// (e→b, b→c, c→d): b→c sees two of them, and with c→b or b→e the third.
func TestOptimiseFindsTheObviousSites(t *testing.T) {
	net := toyNetwork(t)
	rec := toyRecording(t, net, 1, 1, toyVehicles, toyTrips)
	plan, err := Optimise([]*Recording{rec}, everyToyLink(net), OptimiseOptions{K: 3})
	if err != nil {
		t.Fatal(err)
	}
	if ids := chosenIDs(plan); !slices.Equal(ids, []string{"L2", "L3"}) {
		t.Fatalf("chose %v, want [L2 L3] (b→c, then c→b; nothing more adds capture)", ids)
	}
	if g := plan.Chosen[0]; g.Gain != 2 || !near(g.GainShare, 2.0/3) || !near(g.Capture, 2.0/3) {
		t.Errorf("first choice %+v, want a gain of 2 trips a day, 2/3 of the target trips", g)
	}
	if g := plan.Chosen[1]; g.Gain != 1 || plan.Capture != 1 {
		t.Errorf("second choice %+v, capture %g: want a gain of 1 and all target trips seen", g, plan.Capture)
	}
	if plan.Stopped != "no candidate left adds capture" {
		t.Errorf("stopped: %s", plan.Stopped)
	}
	// b→c records vehicles 0 and 4 and c→b vehicle 0 again: 2 innocent
	// vehicles a day in all.
	if plan.Chosen[0].Intrusion != 2 || plan.Chosen[1].Intrusion != 0 || plan.Intrusion != 2 {
		t.Errorf("intrusion %g then %g, %g in all: want 2, 0, 2", plan.Chosen[0].Intrusion, plan.Chosen[1].Intrusion, plan.Intrusion)
	}
}

// With sites in place, the choice adds to them; with an intrusion limit it
// keeps within it, and the evaluator agrees on what the sites record.
func TestOptimiseFixedAndIntrusionLimit(t *testing.T) {
	net := toyNetwork(t)
	rec := toyRecording(t, net, 1, 1, toyVehicles, toyTrips)
	fixed := []Site{{ID: "F", Link: 2, Cost: 1}} // b→c
	plan, err := Optimise([]*Recording{rec}, everyToyLink(net), OptimiseOptions{K: 2, Fixed: fixed})
	if err != nil {
		t.Fatal(err)
	}
	if !near(plan.BaseCapture, 2.0/3) || len(plan.Chosen) != 1 || plan.Chosen[0].Gain != 1 || plan.Capture != 1 {
		t.Errorf("with b→c in place: base %g, chose %v (%+v), capture %g", plan.BaseCapture, chosenIDs(plan), plan.Chosen, plan.Capture)
	}
	// With b→c in place (vehicles 0 and 4) and a limit of 2, only sites
	// recording no one new may be added: c→b sees stolen t5 and records
	// only vehicle 0 again.
	plan, err = Optimise([]*Recording{rec}, everyToyLink(net), OptimiseOptions{K: 2, Fixed: fixed, MaxIntrusion: 2})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Capture != 1 || plan.Intrusion != 2 {
		t.Errorf("within 2 innocent vehicles a day, b→c in place: chose %v, capture %g, recording %g", chosenIDs(plan), plan.Capture, plan.Intrusion)
	}
	// With nothing in place and a limit of 1, b→c and a→b (two innocent
	// vehicles each) are out. By gain alone c→b (vehicle 0) then c→d
	// (vehicle 0 again) see t5 and t6 recording one vehicle; by gain per
	// innocent vehicle b→e and e→b see them recording none: the better
	// choice.
	plan, err = Optimise([]*Recording{rec}, everyToyLink(net), OptimiseOptions{K: 3, MaxIntrusion: 1})
	if err != nil {
		t.Fatal(err)
	}
	if ids := chosenIDs(plan); !slices.Equal(ids, []string{"L6", "L7"}) || !near(plan.Capture, 2.0/3) || plan.Intrusion != 0 || plan.Rule != "gain per innocent vehicle" {
		t.Errorf("within 1 innocent vehicle a day: chose %v by %s, capture %g, recording %g", ids, plan.Rule, plan.Capture, plan.Intrusion)
	}
	var sites []Site
	for _, c := range plan.Chosen {
		sites = append(sites, c.Site)
	}
	rep, err := Evaluate([]*Recording{rec}, sites, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := value(t, rep, "intrusion.innocent_vehicles_per_day"); got != plan.Intrusion {
		t.Errorf("the optimiser says %g innocent vehicles a day, the evaluator %g", plan.Intrusion, got)
	}
	if got := value(t, rep, "capture.all.one"); !near(got, plan.Capture) {
		t.Errorf("the optimiser says capture %g, the evaluator %g", plan.Capture, got)
	}
	// Sites in place that break the limit alone leave nothing to choose.
	plan, err = Optimise([]*Recording{rec}, everyToyLink(net), OptimiseOptions{K: 2, Fixed: fixed, MaxIntrusion: 1})
	if err != nil || len(plan.Chosen) != 0 {
		t.Errorf("limit below the fixed sites' intrusion: %v, %v", plan, err)
	}
}

func TestOptimiseBudget(t *testing.T) {
	net := toyNetwork(t)
	rec := toyRecording(t, net, 1, 1, toyVehicles, toyTrips)
	cands := everyToyLink(net)
	cands[2].Cost = 5 // b→c, the best single site, is dear
	plan, err := Optimise([]*Recording{rec}, cands, OptimiseOptions{K: 5, Budget: 3})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Cost > 3 {
		t.Errorf("cost %g over a budget of 3", plan.Cost)
	}
	if slices.Contains(chosenIDs(plan), "L2") {
		t.Errorf("chose b→c, costing 5, within a budget of 3: %v", chosenIDs(plan))
	}
	// Every target trip can still be seen: a→b or b→c for t4, c→b or
	// b→e for t5, e→b, b→c or c→d for t6.
	if plan.Capture != 1 || len(plan.Chosen) != 3 {
		t.Errorf("within the budget: chose %v, capture %g; want three sites seeing every target trip", chosenIDs(plan), plan.Capture)
	}
}

// randomRecording makes a day of random trips on the toy network's routes.
func randomRecording(t testing.TB, net *traffic.Network, seed uint64, n int) *Recording {
	rng := rand.New(rand.NewPCG(seed, 7))
	routes := [][]traffic.LinkID{links(0), links(0, 2), links(0, 2, 4), links(0, 6), links(1), links(3, 1), links(5, 3, 1),
		links(7, 1), links(2), links(2, 4), links(3), links(5, 3), links(4), links(5), links(6), links(7), links(7, 2), links(7, 2, 4), links(3, 6), links(5, 3, 6)}
	var vehicles []Vehicle
	var trips []toyTrip
	for i := range n {
		b := traffic.Ordinary
		if rng.IntN(3) == 0 {
			b = traffic.Behaviour(1 + rng.IntN(5))
		}
		vehicles = append(vehicles, Vehicle{Behaviour: b, MarkLen: 7})
		for range 1 + rng.IntN(2) {
			trips = append(trips, toyTrip{i, 0, routes[rng.IntN(len(routes))]})
		}
	}
	return toyRecording(t, net, seed, 1, vehicles, trips)
}

// exhaustive is the best capture of any k candidates, by trying them all.
func exhaustive(p *coverage, n, k int) float64 {
	best := 0.0
	var pick func(from int, chosen []int)
	pick = func(from int, chosen []int) {
		if len(chosen) == k {
			s := p.newState()
			for _, c := range chosen {
				p.add(s, c)
			}
			best = max(best, p.share(s.capture))
			return
		}
		for c := from; c < n; c++ {
			pick(c+1, append(chosen, c))
		}
	}
	pick(0, nil)
	return best
}

// plainGreedy is greedy without laziness: every candidate's gain worked
// out every round.
func plainGreedy(p *coverage, n, k int) []int {
	s := p.newState()
	var chosen []int
	for range k {
		best, bestGain := -1, 0.0
		for c := range n {
			if g := p.gain(s, c); g > bestGain {
				best, bestGain = c, g
			}
		}
		if best < 0 {
			break
		}
		p.add(s, best)
		chosen = append(chosen, best)
	}
	return chosen
}

// Lazy greedy chooses as plain greedy does, with fewer evaluations, and
// its choice is within 1-1/e of the best, found by trying every set of k.
// On the toy day it is the best.
func TestGreedyAgainstExhaustiveSearch(t *testing.T) {
	net := toyNetwork(t)
	cands := everyToyLink(net)
	toy := toyRecording(t, net, 1, 1, toyVehicles, toyTrips)
	toyProblem := newCoverage([]*Recording{toy}, cands, nil, nil)
	for k := 1; k <= 3; k++ {
		plan, err := Optimise([]*Recording{toy}, cands, OptimiseOptions{K: k})
		if err != nil {
			t.Fatal(err)
		}
		if best := exhaustive(toyProblem, len(cands), k); !near(plan.Capture, best) {
			t.Errorf("toy day, k %d: greedy %g, best %g", k, plan.Capture, best)
		}
	}
	matched, cases := 0, 0
	for seed := uint64(1); seed <= 30; seed++ {
		rec := randomRecording(t, net, seed, 40)
		p := newCoverage([]*Recording{rec}, cands, nil, nil)
		for k := 1; k <= 4; k++ {
			plan, err := Optimise([]*Recording{rec}, cands, OptimiseOptions{K: k})
			if err != nil {
				t.Fatal(err)
			}
			var lazy []int
			for _, c := range plan.Chosen {
				lazy = append(lazy, int(c.Site.Link))
			}
			if plain := plainGreedy(p, len(cands), k); !slices.Equal(lazy, plain) {
				t.Errorf("seed %d, k %d: lazy greedy chose %v, plain greedy %v", seed, k, lazy, plain)
			}
			if plan.Rankings != 1 || plan.Evaluations > len(cands)*max(1, len(plan.Chosen)) {
				t.Errorf("seed %d, k %d: %d evaluations, more than plain greedy's %d", seed, k, plan.Evaluations, len(cands)*len(plan.Chosen))
			}
			best := exhaustive(p, len(cands), k)
			if plan.Capture < (1-1/math.E)*best-1e-12 {
				t.Errorf("seed %d, k %d: greedy %g below (1-1/e) of the best %g", seed, k, plan.Capture, best)
			}
			cases++
			if near(plan.Capture, best) {
				matched++
			}
		}
	}
	t.Logf("greedy found the best set in %d of %d random cases", matched, cases)
}

func TestOptimiseRefuses(t *testing.T) {
	net := toyNetwork(t)
	rec := toyRecording(t, net, 1, 1, toyVehicles, toyTrips)
	for name, o := range map[string]OptimiseOptions{
		"k of 0":          {K: 0},
		"negative budget": {K: 1, Budget: -1},
		"bad fixed site":  {K: 1, Fixed: []Site{{ID: "F", Link: 42}}},
		"NaN intrusion":   {K: 1, MaxIntrusion: math.NaN()},
	} {
		if _, err := Optimise([]*Recording{rec}, everyToyLink(net), o); err == nil {
			t.Errorf("%s: optimised", name)
		}
	}
	if _, err := Optimise([]*Recording{rec}, []Site{{ID: "C", Link: -1}}, OptimiseOptions{K: 1}); err == nil {
		t.Error("candidate on link -1: optimised")
	}
}

// Weights put one kind of target first.
func TestOptimiseWeights(t *testing.T) {
	net := toyNetwork(t)
	rec := toyRecording(t, net, 1, 1, toyVehicles, toyTrips)
	// Only travelling criminals count: t6 (e→b, b→c, c→d). Each of its
	// links sees it; the tie goes to the first candidate, b→c.
	plan, err := Optimise([]*Recording{rec}, everyToyLink(net), OptimiseOptions{K: 3, Weights: map[traffic.Behaviour]float64{traffic.TravellingCriminal: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if ids := chosenIDs(plan); !slices.Equal(ids, []string{"L2"}) || plan.Capture != 1 || plan.TargetTripsPerDay != 1 {
		t.Errorf("travelling criminals only: chose %v, capture %g of %g trips", ids, plan.Capture, plan.TargetTripsPerDay)
	}
}
