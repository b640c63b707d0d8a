package planner

import (
	"math"

	"anpr/sim/siting"
	"anpr/sim/traffic"
)

// Heat is what a set of sites sees of the trips of vehicles of interest,
// link by link: a link's target trips are seen when a camera is anywhere
// on their route, so a link with no camera may be well covered and a gap
// is a link whose target trips pass no camera at all.
type Heat struct {
	// Target is the trips a day of vehicles of interest on each link.
	Target []float64
	// Seen is how many of them pass at least one site.
	Seen []float64
	// Max is the largest Target and MaxUnseen the largest Unseen, for
	// scales.
	Max, MaxUnseen float64
}

// Unseen returns the target trips a day on link id that no site sees.
func (h Heat) Unseen(id traffic.LinkID) float64 { return h.Target[id] - h.Seen[id] }

// Coverage returns the share of link id's target trips seen; NaN where it
// carries none.
func (h Heat) Coverage(id traffic.LinkID) float64 {
	if h.Target[id] == 0 {
		return math.NaN()
	}
	return h.Seen[id] / h.Target[id]
}

// Heat works out the heat map of sites over the traffic.
func (t *Traffic) Heat(sites []siting.Site) Heat {
	n := len(t.net.Links())
	watched := make([]bool, n)
	for _, s := range sites {
		if s.Link >= 0 && int(s.Link) < n {
			watched[s.Link] = true
		}
	}
	h := Heat{Target: make([]float64, n), Seen: make([]float64, n)}
	for i := range t.routes {
		r := &t.routes[i]
		k := r.targets()
		if k == 0 {
			continue
		}
		seen := false
		for _, id := range r.links {
			if watched[id] {
				seen = true
				break
			}
		}
		for _, id := range r.links {
			h.Target[id] += k
			if seen {
				h.Seen[id] += k
			}
		}
	}
	for i := range h.Target {
		if t.Days > 0 {
			h.Target[i] /= t.Days
			h.Seen[i] /= t.Days
		}
		h.Max = math.Max(h.Max, h.Target[i])
		h.MaxUnseen = math.Max(h.MaxUnseen, h.Target[i]-h.Seen[i])
	}
	return h
}

// Capture returns the share of target trips that pass at least one of
// sites: siting's capture.all.one, from the map's copy of the traffic.
func (t *Traffic) Capture(sites []siting.Site) float64 {
	watched := map[traffic.LinkID]bool{}
	for _, s := range sites {
		watched[s.Link] = true
	}
	var all, seen float64
	for i := range t.routes {
		r := &t.routes[i]
		k := r.targets()
		all += k
		for _, id := range r.links {
			if watched[id] {
				seen += k
				break
			}
		}
	}
	if all == 0 {
		return math.NaN()
	}
	return seen / all
}

// Catchment returns, for each link, the trips a day (all vehicles, and of
// vehicles of interest) that also pass link id: where the traffic a camera
// there sees comes from and goes to.
func (t *Traffic) Catchment(id traffic.LinkID) (all, targets []float64) {
	n := len(t.net.Links())
	all, targets = make([]float64, n), make([]float64, n)
	for i := range t.routes {
		r := &t.routes[i]
		on := false
		for _, l := range r.links {
			if l == id {
				on = true
				break
			}
		}
		if !on {
			continue
		}
		var k float64
		for _, c := range r.trips {
			k += c
		}
		tk := r.targets()
		for _, l := range r.links {
			all[l] += k / math.Max(t.Days, 1e-9)
			targets[l] += tk / math.Max(t.Days, 1e-9)
		}
	}
	return all, targets
}
