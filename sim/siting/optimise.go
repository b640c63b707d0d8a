package siting

import (
	"container/heap"
	"errors"
	"fmt"
	"math"
	"slices"

	"anpr/sim/traffic"
)

// OptimiseOptions configures Optimise.
type OptimiseOptions struct {
	// K is the most sites to choose.
	K int
	// Budget is the most the chosen sites may cost in all (Site.Cost); 0
	// means no budget.
	Budget float64
	// MaxIntrusion is the most innocent vehicles a day (distinct, mean over
	// seeds) the fixed and chosen sites together may record; 0 means no
	// limit.
	MaxIntrusion float64
	// Fixed are sites already in place, which the choice adds to; they
	// count towards the intrusion limit but not the budget.
	Fixed []Site
	// Weights weighs each kind of target's trips in the objective; nil
	// weighs every kind 1. A kind missing from a non-nil map weighs 0.
	Weights map[traffic.Behaviour]float64
}

// Choice is one chosen site and what it adds, given the sites chosen
// before it.
type Choice struct {
	Site Site
	// Gain is the (weighted) target trips a day it newly sees, mean over
	// seeds; GainShare the same as a share of all target trips.
	Gain, GainShare float64
	// Capture is the share of target trips seen once it is added.
	Capture float64
	// Intrusion is the innocent vehicles a day it newly records.
	Intrusion float64
}

// Plan is the optimiser's choice.
type Plan struct {
	// Rule is how the sites were ranked: "gain", "gain per cost" or "gain
	// per innocent vehicle" (see Optimise).
	Rule   string
	Chosen []Choice
	// TargetTripsPerDay is the (weighted) target trips a day, the whole
	// the shares are of.
	TargetTripsPerDay float64
	// BaseCapture is the share the fixed sites see; Capture the share with
	// the chosen ones too.
	BaseCapture, Capture float64
	// BaseIntrusion and Intrusion are the innocent vehicles a day
	// recorded by the fixed sites, and by them and the chosen ones.
	BaseIntrusion, Intrusion float64
	Cost                     float64
	// Stopped says why the choice ended.
	Stopped string
	// Candidates is how many were considered; Evaluations how many
	// marginal gains were worked out in all Rankings (one per rule tried),
	// against Candidates times len(Chosen) a ranking for a plain greedy
	// search.
	Candidates, Evaluations, Rankings int
}

// Optimise chooses up to K of the candidate sites to add to opts.Fixed,
// maximising the share of target trips seen by at least one camera, within
// a budget or a limit on innocent vehicles recorded.
//
// Target capture is a weighted coverage function: a trip counts once
// whichever sites see it, so adding a site gains less the more sites there
// already are (it is submodular) and never loses (monotone). For such a
// function the greedy choice (add the site with the largest marginal gain,
// repeat) is within 1-1/e (63%) of the best possible set of K (Nemhauser,
// Wolsey and Fisher 1978), and no polynomial method does better in general.
// Lazy greedy (Minoux 1978) finds the same sites with far fewer
// evaluations: a site's gain found in an earlier round is an upper bound
// on its gain now, so sites wait in a priority queue under stale gains, and
// only the one at the top is brought up to date; when it stays at the top
// it is chosen without looking at the rest.
//
// With a budget, sites are ranked both by gain and by gain per cost, and
// the better of the two choices is kept (the cost-effective lazy forward
// selection of Leskovec et al. 2007, within (1-1/e)/2 of the best). With
// an intrusion limit, a site that would break it now would break it later
// too (recorded vehicles only grow), so it is dropped for good; sites are
// ranked both by gain and by gain per innocent vehicle newly recorded (not
// lazily: that ratio can grow as sites are added), and the better choice
// is kept. Sites that add no capture are never chosen.
//
// Every figure is worked out from the recordings' routes, with no new
// simulation: the cost of a choice is in sets of trips and vehicles.
func Optimise(recs []*Recording, candidates []Site, opts OptimiseOptions) (*Plan, error) {
	if opts.K < 1 {
		return nil, fmt.Errorf("optimise: K %d: choose at least one site", opts.K)
	}
	if opts.Budget < 0 || math.IsNaN(opts.Budget) || opts.MaxIntrusion < 0 || math.IsNaN(opts.MaxIntrusion) {
		return nil, errors.New("optimise: budget and intrusion limit may not be negative")
	}
	if len(recs) == 0 {
		return nil, errors.New("optimise: no recorded traffic")
	}
	net := recs[0].net
	for _, r := range recs[1:] {
		if r.net != net {
			return nil, errors.New("optimise: the recordings are of different networks")
		}
	}
	if err := checkSites(net, candidates); err != nil {
		return nil, fmt.Errorf("optimise: candidates: %w", err)
	}
	if err := checkSites(net, opts.Fixed); err != nil {
		return nil, fmt.Errorf("optimise: fixed sites: %w", err)
	}
	p := newCoverage(recs, candidates, opts.Fixed, opts.Weights)
	rules := []rule{byGain}
	if opts.Budget > 0 && slices.ContainsFunc(candidates, func(s Site) bool { return s.Cost != candidates[0].Cost }) {
		rules = append(rules, byGainPerCost)
	}
	if opts.MaxIntrusion > 0 {
		rules = append(rules, byGainPerIntrusion)
	}
	var best *Plan
	defer func() {
		if best != nil {
			best.Rankings = len(rules)
		}
	}()
	for _, r := range rules {
		plan := p.greedy(r, opts)
		if best == nil || plan.Capture > best.Capture+1e-12 || math.Abs(plan.Capture-best.Capture) <= 1e-12 && plan.Intrusion < best.Intrusion {
			if best != nil {
				plan.Evaluations += best.Evaluations
			}
			best = plan
		} else {
			best.Evaluations += plan.Evaluations
		}
	}
	return best, nil
}

type rule int

const (
	byGain rule = iota
	byGainPerCost
	byGainPerIntrusion
)

func (r rule) String() string {
	return [...]string{"gain", "gain per cost", "gain per innocent vehicle"}[r]
}

// coverage is the optimisation problem as sets: each candidate sees some
// units (a route of one seed, weighted by its target trips a day) and
// records some innocent vehicle-days.
type coverage struct {
	candidates []Site
	units      [][]int32 // by candidate, then the fixed sites after them
	vds        [][]int32 // innocent vehicle-days, likewise
	weight     []float64 // by unit: target trips a day, mean over seeds
	total      float64
	vdWeight   float64 // one vehicle-day as vehicles a day, mean over seeds
	nVD        int
}

func newCoverage(recs []*Recording, candidates, fixed []Site, weights map[traffic.Behaviour]float64) *coverage {
	all := append(slices.Clone(candidates), fixed...)
	p := &coverage{candidates: candidates, units: make([][]int32, len(all)), vds: make([][]int32, len(all))}
	at := map[traffic.LinkID][]int32{}
	for i, s := range all {
		at[s.Link] = append(at[s.Link], int32(i))
	}
	seeds := float64(len(recs))
	p.vdWeight = 1 / (seeds * recs[0].Days)
	base := 0
	for _, rec := range recs {
		routeCands := make([][]int32, len(rec.routes))
		for r, rt := range rec.routes {
			for _, id := range rt.links {
				routeCands[r] = append(routeCands[r], at[id]...)
			}
			var w float64
			for _, b := range targetKinds {
				kw := 1.0
				if weights != nil {
					kw = weights[b]
				}
				w += kw * float64(rec.routeTrips[r][b])
			}
			if w <= 0 || len(routeCands[r]) == 0 {
				if w > 0 {
					p.total += w / (seeds * rec.Days)
				}
				continue
			}
			u := int32(len(p.weight))
			p.weight = append(p.weight, w/(seeds*rec.Days))
			p.total += p.weight[u]
			for _, c := range routeCands[r] {
				p.units[c] = append(p.units[c], u)
			}
		}
		// Innocent vehicle-days by candidate, each once: the trips taken
		// vehicle-day by vehicle-day (a counting sort), so that each list
		// comes out in order and a stamp per candidate drops repeats.
		nVD := len(rec.vdVehicle)
		first := make([]int32, nVD+1)
		for _, t := range rec.trips {
			first[t.vd+1]++
		}
		for i := range nVD {
			first[i+1] += first[i]
		}
		order := make([]int32, len(rec.trips))
		fill := slices.Clone(first[:nVD])
		for i, t := range rec.trips {
			order[fill[t.vd]] = int32(i)
			fill[t.vd]++
		}
		for vd := range nVD {
			if rec.vehicles[rec.vdVehicle[vd]].Behaviour.OfInterest() {
				continue
			}
			x := int32(base + vd)
			for _, ti := range order[first[vd]:first[vd+1]] {
				for _, c := range routeCands[rec.trips[ti].route] {
					if last := p.vds[c]; len(last) == 0 || last[len(last)-1] != x {
						p.vds[c] = append(p.vds[c], x)
					}
				}
			}
		}
		base += nVD
	}
	p.nVD = base
	for c := range p.units {
		// A route that passed a link twice would list its unit twice.
		p.units[c] = slices.Compact(p.units[c])
	}
	return p
}

// state is a choice in progress.
type state struct {
	covered  bitset // units
	recorded bitset // innocent vehicle-days
	capture  float64
	intruded float64
}

func (p *coverage) newState() *state {
	return &state{covered: newBitset(len(p.weight)), recorded: newBitset(p.nVD)}
}

func (p *coverage) gain(s *state, c int) float64 {
	var g float64
	for _, u := range p.units[c] {
		if !s.covered.has(int(u)) {
			g += p.weight[u]
		}
	}
	return g
}

func (p *coverage) intrusion(s *state, c int) float64 {
	n := 0
	for _, x := range p.vds[c] {
		if !s.recorded.has(int(x)) {
			n++
		}
	}
	return float64(n) * p.vdWeight
}

func (p *coverage) add(s *state, c int) {
	for _, u := range p.units[c] {
		if !s.covered.has(int(u)) {
			s.covered.set(int(u))
			s.capture += p.weight[u]
		}
	}
	for _, x := range p.vds[c] {
		if !s.recorded.has(int(x)) {
			s.recorded.set(int(x))
			s.intruded += p.vdWeight
		}
	}
}

func (p *coverage) share(x float64) float64 {
	if p.total == 0 {
		return 0
	}
	return x / p.total
}

// greedy chooses sites by one rule.
func (p *coverage) greedy(r rule, opts OptimiseOptions) *Plan {
	s := p.newState()
	for i := range opts.Fixed {
		p.add(s, len(p.candidates)+i)
	}
	plan := &Plan{Rule: r.String(), TargetTripsPerDay: p.total, BaseCapture: p.share(s.capture), BaseIntrusion: s.intruded,
		Candidates: len(p.candidates), Stopped: fmt.Sprintf("%d sites chosen", opts.K)}
	if opts.MaxIntrusion > 0 && s.intruded > opts.MaxIntrusion {
		plan.Capture, plan.Intrusion = plan.BaseCapture, s.intruded
		plan.Stopped = "the fixed sites alone record more innocent vehicles than the limit"
		return plan
	}
	feasible := func(c int, intr float64) bool {
		if opts.Budget > 0 && plan.Cost+p.candidates[c].Cost > opts.Budget+1e-9 {
			return false
		}
		return opts.MaxIntrusion <= 0 || s.intruded+intr <= opts.MaxIntrusion+1e-9
	}
	value := func(c int, g, intr float64) float64 {
		switch r {
		case byGainPerCost:
			return g / max(p.candidates[c].Cost, 1e-9)
		case byGainPerIntrusion:
			return g / (intr + p.vdWeight)
		}
		return g
	}
	choose := func(c int, g, intr float64) {
		p.add(s, c)
		plan.Cost += p.candidates[c].Cost
		plan.Chosen = append(plan.Chosen, Choice{Site: p.candidates[c], Gain: g, GainShare: p.share(g), Capture: p.share(s.capture), Intrusion: intr})
	}
	done := make([]bool, len(p.candidates))
	if r == byGainPerIntrusion {
		// Not lazy: the ratio's denominator shrinks as sites are added.
		for len(plan.Chosen) < opts.K {
			bestC, bestV, bestG, bestI := -1, 0.0, 0.0, 0.0
			for c := range p.candidates {
				if done[c] {
					continue
				}
				plan.Evaluations++
				g, intr := p.gain(s, c), p.intrusion(s, c)
				if g <= 0 || !feasible(c, intr) {
					done[c] = true // no gain now means none later; infeasible stays so
					continue
				}
				if v := value(c, g, intr); bestC < 0 || v > bestV {
					bestC, bestV, bestG, bestI = c, v, g, intr
				}
			}
			if bestC < 0 {
				plan.Stopped = stopReason(opts)
				break
			}
			done[bestC] = true
			choose(bestC, bestG, bestI)
		}
	} else {
		q := make(lazyQueue, 0, len(p.candidates))
		for c := range p.candidates {
			plan.Evaluations++
			g := p.gain(s, c)
			if g > 0 {
				q = append(q, lazyItem{c: c, bound: value(c, g, 0), round: 1})
			}
		}
		heap.Init(&q)
		round := 1
		for len(plan.Chosen) < opts.K {
			var picked bool
			for q.Len() > 0 {
				top := &q[0]
				if top.round == round {
					c := top.c
					heap.Pop(&q)
					g, intr := p.gain(s, c), 0.0
					if opts.MaxIntrusion > 0 {
						intr = p.intrusion(s, c)
					}
					if !feasible(c, intr) {
						continue // dropped for good
					}
					if opts.MaxIntrusion <= 0 {
						intr = p.intrusion(s, c)
					}
					choose(c, g, intr)
					picked = true
					break
				}
				plan.Evaluations++
				g := p.gain(s, top.c)
				if g <= 0 {
					heap.Pop(&q)
					continue
				}
				top.bound, top.round = value(top.c, g, 0), round
				heap.Fix(&q, 0)
			}
			if !picked {
				plan.Stopped = stopReason(opts)
				break
			}
			round++
		}
	}
	plan.Capture, plan.Intrusion = p.share(s.capture), s.intruded
	return plan
}

func stopReason(opts OptimiseOptions) string {
	switch {
	case opts.Budget > 0 && opts.MaxIntrusion > 0:
		return "no candidate left adds capture within the budget and the intrusion limit"
	case opts.Budget > 0:
		return "no candidate left adds capture within the budget"
	case opts.MaxIntrusion > 0:
		return "no candidate left adds capture within the intrusion limit"
	}
	return "no candidate left adds capture"
}

// lazyItem is a candidate under the bound of the round its gain was last
// worked out in.
type lazyItem struct {
	c     int
	bound float64
	round int
}

// lazyQueue is a max-heap on bound, ties to the earlier candidate so that
// the choice does not depend on the heap's order.
type lazyQueue []lazyItem

func (q lazyQueue) Len() int { return len(q) }
func (q lazyQueue) Less(i, j int) bool {
	if q[i].bound != q[j].bound {
		return q[i].bound > q[j].bound
	}
	return q[i].c < q[j].c
}
func (q lazyQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *lazyQueue) Push(x any)   { *q = append(*q, x.(lazyItem)) }
func (q *lazyQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// PlanSummary is a plan as a program reads it: sites by id and district,
// and by place only when asked for.
type PlanSummary struct {
	Rule              string          `json:"rule"`
	Candidates        int             `json:"candidates"`
	Evaluations       int             `json:"evaluations"`
	Rankings          int             `json:"rankings"`
	TargetTripsPerDay float64         `json:"target_trips_per_day"`
	BaseCapture       float64         `json:"base_capture"`
	Capture           float64         `json:"capture"`
	BaseIntrusion     float64         `json:"base_innocent_vehicles_per_day"`
	Intrusion         float64         `json:"innocent_vehicles_per_day"`
	Cost              float64         `json:"cost"`
	Stopped           string          `json:"stopped"`
	Chosen            []ChoiceSummary `json:"chosen"`
}

// ChoiceSummary is one chosen site in a PlanSummary.
type ChoiceSummary struct {
	ID        string    `json:"id"`
	District  string    `json:"district"`
	Name      string    `json:"name,omitempty"`
	Location  *Location `json:"location,omitempty"`
	Gain      float64   `json:"gain_trips_per_day"`
	GainShare float64   `json:"gain_share"`
	Capture   float64   `json:"capture"`
	Intrusion float64   `json:"innocent_vehicles_added_per_day"`
	Cost      float64   `json:"cost"`
}

// Summary returns the plan for output; withLocations adds each site's
// name and place.
func (p *Plan) Summary(net *traffic.Network, withLocations bool) PlanSummary {
	s := PlanSummary{Rule: p.Rule, Candidates: p.Candidates, Evaluations: p.Evaluations, Rankings: p.Rankings, TargetTripsPerDay: round(p.TargetTripsPerDay),
		BaseCapture: round(p.BaseCapture), Capture: round(p.Capture), BaseIntrusion: round(p.BaseIntrusion), Intrusion: round(p.Intrusion),
		Cost: p.Cost, Stopped: p.Stopped, Chosen: []ChoiceSummary{}}
	for _, c := range p.Chosen {
		cs := ChoiceSummary{ID: c.Site.ID, District: District(net, c.Site.Link), Gain: round(c.Gain), GainShare: round(c.GainShare),
			Capture: round(c.Capture), Intrusion: round(c.Intrusion), Cost: c.Site.Cost}
		if withLocations {
			cs.Name, cs.Location = c.Site.Name, locationOf(net, c.Site.Link)
		}
		s.Chosen = append(s.Chosen, cs)
	}
	return s
}
