package traffic

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Passage is one vehicle driving one link: what a camera site on the link
// sees. Enter and Exit are when it reaches the link's start and end.
type Passage struct {
	// Vehicle is shared with the simulation and must not be changed.
	Vehicle     *Vehicle
	Link        LinkID
	Enter, Exit time.Time
}

// Trip is one journey of one vehicle, reported when it departs.
type Trip struct {
	// Vehicle and Route are shared with the simulation and must not be
	// changed.
	Vehicle        *Vehicle
	Route          *Route
	Depart, Arrive time.Time
}

// RunOptions says what a run reports.
type RunOptions struct {
	// Links are the links whose passages are reported; nil means every
	// link. Cameras sit on few links, and a run that follows only those
	// is much faster than one that reports every passage.
	Links []LinkID
	// Passage, if set, is called with every passage on Links whose Enter
	// is in the window, in order of Enter (ties in a fixed order).
	Passage func(Passage) error
	// Trip, if set, is called with every trip departing in the window, in
	// order of departure, interleaved with the passages in time order.
	Trip func(Trip) error
	// Clock, if set, is moved to the time of each passage and trip before
	// it is reported: a simulated clock for components that read the time.
	Clock *Clock
}

// Stats counts what a run did within its window.
type Stats struct {
	Days     int // days simulated, whole or in part
	Trips    int // trips departing in the window
	Passages int // passages reported
	Vehicles int // vehicles that made a trip in the window
	// InterestTrips counts the trips of vehicles of interest.
	InterestTrips int
	// AddedVehicles counts vehicles added because a zone had none parked
	// when a trip was due to leave it; they are ordinary and not in Fleet.
	AddedVehicles int
}

// Run simulates the window [from, to) and reports every passage on every
// link to visit (nil: none). See RunWith.
func (s *Sim) Run(ctx context.Context, from, to time.Time, visit func(Passage) error) (Stats, error) {
	return s.RunWith(ctx, from, to, RunOptions{Passage: visit})
}

// RunWith simulates the window [from, to) and reports what opts asks for.
// Each run starts at the midnight (in Config.Location) before from with
// the fleet parked at home, and simulates every trip from then on, so
// that a run depends only on the Sim and its window. The day's trips
// depart at times drawn from the profile, each on its least-cost route at
// free-flow speed times a factor of its own (drivers differ); a trip takes
// a vehicle parked at its origin, which stays parked at its destination
// until a later trip takes it. Vehicles of interest other than the
// uninsured make their own trips (see Behaviour).
//
// An error from a callback, or the end of ctx, stops the run; its Stats
// count what was done until then.
func (s *Sim) RunWith(ctx context.Context, from, to time.Time, opts RunOptions) (Stats, error) {
	if !from.Before(to) {
		return Stats{}, fmt.Errorf("traffic run: window %v to %v is empty", from, to)
	}
	r := &runner{s: s, opts: opts, from: from.UnixNano(), to: to.UnixNano(), ctx: ctx, busy: map[VehicleID]int64{}, near: map[int]nearZones{}}
	if opts.Links != nil {
		r.watch = make([]bool, len(s.net.links))
		for _, id := range opts.Links {
			if id < 0 || int(id) >= len(s.net.links) {
				return Stats{}, fmt.Errorf("traffic run: link %d does not exist (the network has %d)", id, len(s.net.links))
			}
			r.watch[id] = true
		}
	}
	loc := s.cfg.Location
	day := from.In(loc)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	r.rng = rand.New(rand.NewPCG(s.cfg.Seed^streamRun<<56, dayKey(day)))
	r.pools = make([][]VehicleID, len(s.net.nodes))
	for i := range s.fleet {
		if v := &s.fleet[i]; !v.Behaviour.scripted() {
			r.pools[v.Home] = append(r.pools[v.Home], v.ID)
		}
	}
	r.seen = make([]uint64, (len(s.fleet)+63)/64)
	r.extraTaken = map[string]struct{}{}
	err := r.run(day, to)
	return r.stats, err
}

// dayKey numbers a day by its date.
func dayKey(day time.Time) uint64 {
	return uint64(day.Year())*10000 + uint64(day.Month())*100 + uint64(day.Day())
}

// plannedTrip is a trip of a day before it leaves.
type plannedTrip struct {
	depart   int64 // Unix nanoseconds
	from, to int32 // nodes
	veh      VehicleID
	factor   float32
	payer    bool // pays tolls without a thought
}

// active is a trip under way.
type active struct {
	veh    *Vehicle
	route  *Route
	depart int64
	factor float64
	// next is the index in route.Links, or in watched when it is not
	// nil, of the next passage to report.
	next    int32
	watched []int32
	pooled  bool // parks at its destination for later trips
}

func (a *active) at(k int32) int64 {
	return a.depart + int64(float64(a.route.At[k])*a.factor)
}

// event is a passage to report or an arrival.
type event struct {
	t      int64
	seq    uint64
	slot   int32
	arrive bool
}

type runner struct {
	s        *Sim
	opts     RunOptions
	ctx      context.Context
	from, to int64
	rng      *rand.Rand

	pools      [][]VehicleID
	extras     []*Vehicle
	extraTaken map[string]struct{}
	busy       map[VehicleID]int64 // when each scripted vehicle is free again
	near       map[int]nearZones

	watch []bool // by link; nil watches every link
	// watched holds, by router and route id, the indices of a route's
	// watched links; nil until asked.
	watched [2][][]int32

	events []event
	seq    uint64
	slots  []active
	free   []int32

	seen  []uint64 // vehicles that made a trip in the window
	stats Stats
	steps int
}

func (r *runner) run(day time.Time, to time.Time) error {
	loc := r.s.cfg.Location
	for ; day.Before(to); day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc) {
		r.stats.Days++
		for _, tr := range r.s.dayTrips(day, r) {
			if tr.depart >= r.to {
				return r.advance(r.to - 1)
			}
			if err := r.advance(tr.depart); err != nil {
				return err
			}
			if err := r.start(tr); err != nil {
				return err
			}
		}
	}
	return r.advance(r.to - 1)
}

// advance handles every event up to and including time t.
func (r *runner) advance(t int64) error {
	for len(r.events) > 0 && r.events[0].t <= t {
		ev := r.pop()
		if err := r.handle(ev); err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) check() error {
	r.steps++
	if r.steps&4095 == 0 {
		return r.ctx.Err()
	}
	return nil
}

func (r *runner) vehicle(id VehicleID) *Vehicle {
	if int(id) < len(r.s.fleet) {
		return &r.s.fleet[id]
	}
	return r.extras[int(id)-len(r.s.fleet)]
}

// addVehicle makes an ordinary vehicle at home for a trip that found none
// parked there.
func (r *runner) addVehicle(home int) *Vehicle {
	m := r.s.plates.makeFree(r.rng, r.extraTaken)
	v := &Vehicle{ID: VehicleID(len(r.s.fleet) + len(r.extras)), Front: m, Rear: m, Home: home, Twin: NoVehicle}
	r.extras = append(r.extras, v)
	r.stats.AddedVehicles++
	return v
}

func (r *runner) start(tr plannedTrip) error {
	if err := r.check(); err != nil {
		return err
	}
	router, kind := r.s.router, 0
	if tr.payer {
		router, kind = r.s.payer, 1
	}
	route, ok := router.Route(int(tr.from), int(tr.to))
	if !ok {
		return nil // the demand and the scripts draw only joined pairs
	}
	var v *Vehicle
	pooled := tr.veh == NoVehicle
	if pooled {
		pool := r.pools[tr.from]
		if len(pool) == 0 {
			v = r.addVehicle(int(tr.from))
		} else {
			i := r.rng.IntN(len(pool))
			v = r.vehicle(pool[i])
			pool[i] = pool[len(pool)-1]
			r.pools[tr.from] = pool[:len(pool)-1]
		}
	} else {
		v = &r.s.fleet[tr.veh]
	}
	a := active{veh: v, route: route, depart: tr.depart, factor: float64(tr.factor), pooled: pooled}
	if r.watch != nil {
		a.watched = r.watchedOf(kind, route)
	}
	arrive := a.at(int32(len(route.Links)))
	if tr.depart >= r.from {
		r.stats.Trips++
		if v.Behaviour.OfInterest() {
			r.stats.InterestTrips++
		}
		if w := int(v.ID) / 64; w >= len(r.seen) {
			r.seen = append(r.seen, make([]uint64, w+1-len(r.seen))...)
		}
		if r.seen[v.ID/64]&(1<<(v.ID%64)) == 0 {
			r.seen[v.ID/64] |= 1 << (v.ID % 64)
			r.stats.Vehicles++
		}
		if r.opts.Trip != nil {
			r.tick(tr.depart)
			loc := r.s.cfg.Location
			if err := r.opts.Trip(Trip{Vehicle: v, Route: route, Depart: time.Unix(0, tr.depart).In(loc), Arrive: time.Unix(0, arrive).In(loc)}); err != nil {
				return err
			}
		}
	}
	slot := r.alloc(a)
	if r.hasNext(&r.slots[slot]) {
		r.push(r.slots[slot].at(r.linkIndex(&r.slots[slot])), slot, false)
	} else {
		r.push(arrive, slot, true)
	}
	return nil
}

func (r *runner) handle(ev event) error {
	if err := r.check(); err != nil {
		return err
	}
	a := &r.slots[ev.slot]
	if ev.arrive {
		if a.pooled {
			r.pools[a.route.To] = append(r.pools[a.route.To], a.veh.ID)
		}
		*a = active{}
		r.free = append(r.free, ev.slot)
		return nil
	}
	k := r.linkIndex(a)
	if ev.t >= r.from {
		r.stats.Passages++
		if r.opts.Passage != nil {
			r.tick(ev.t)
			loc := r.s.cfg.Location
			p := Passage{Vehicle: a.veh, Link: a.route.Links[k], Enter: time.Unix(0, ev.t).In(loc), Exit: time.Unix(0, a.at(k+1)).In(loc)}
			if err := r.opts.Passage(p); err != nil {
				return err
			}
		}
	}
	a.next++
	if r.hasNext(a) {
		r.push(a.at(r.linkIndex(a)), ev.slot, false)
	} else {
		r.push(a.at(int32(len(a.route.Links))), ev.slot, true)
	}
	return nil
}

func (r *runner) tick(t int64) {
	if r.opts.Clock != nil {
		r.opts.Clock.set(t)
	}
}

func (r *runner) hasNext(a *active) bool {
	if a.watched != nil {
		return int(a.next) < len(a.watched)
	}
	return int(a.next) < len(a.route.Links)
}

func (r *runner) linkIndex(a *active) int32 {
	if a.watched != nil {
		return a.watched[a.next]
	}
	return a.next
}

// watchedOf returns the indices of the watched links of a route, worked
// out once a run.
func (r *runner) watchedOf(kind int, rt *Route) []int32 {
	cache := r.watched[kind]
	if int(rt.id) >= len(cache) {
		cache = append(cache, make([][]int32, int(rt.id)+1-len(cache))...)
		r.watched[kind] = cache
	}
	if w := cache[rt.id]; w != nil {
		return w
	}
	w := []int32{}
	for k, id := range rt.Links {
		if r.watch[id] {
			w = append(w, int32(k))
		}
	}
	cache[rt.id] = w
	return w
}

func (r *runner) alloc(a active) int32 {
	if n := len(r.free); n > 0 {
		slot := r.free[n-1]
		r.free = r.free[:n-1]
		r.slots[slot] = a
		return slot
	}
	r.slots = append(r.slots, a)
	return int32(len(r.slots) - 1)
}

// The event queue is a binary min-heap on time, then on the order events
// were made, so that runs are deterministic.
func less(a, b event) bool { return a.t < b.t || a.t == b.t && a.seq < b.seq }

func (r *runner) push(t int64, slot int32, arrive bool) {
	r.seq++
	h := append(r.events, event{t: t, seq: r.seq, slot: slot, arrive: arrive})
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !less(h[i], h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	r.events = h
}

func (r *runner) pop() event {
	h := r.events
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(h) {
			break
		}
		m := l
		if rr := l + 1; rr < len(h) && less(h[rr], h[l]) {
			m = rr
		}
		if !less(h[m], h[i]) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	r.events = h
	return top
}

// speedFactor draws how much slower than free flow a trip drives: about
// 1, from 0.85 (a little over the limit) to 1.3 (held up).
func speedFactor(rng *rand.Rand) float32 {
	return float32(min(max(1+0.07*rng.NormFloat64(), 0.85), 1.3))
}

// dayTrips returns the day's trips in order of departure: the demand's,
// drawn afresh for each date, and the scripted vehicles'.
func (s *Sim) dayTrips(day time.Time, r *runner) []plannedTrip {
	rng := rand.New(rand.NewPCG(s.cfg.Seed^streamDay<<56, dayKey(day)))
	base := day.UnixNano()
	trips := make([]plannedTrip, 0, s.cfg.TripsPerDay+4*len(s.scripted))
	for range s.cfg.TripsPerDay {
		c := s.od.draw(rng)
		sec := float64(s.hours.draw(rng))*3600 + rng.Float64()*3600
		trips = append(trips, plannedTrip{
			depart: base + int64(sec*1e9), from: s.odFrom[c], to: s.odTo[c], veh: NoVehicle, factor: speedFactor(rng),
			payer: rng.Float64() < s.cfg.TollShare,
		})
	}
	for _, id := range s.scripted {
		vrng := rand.New(rand.NewPCG(s.cfg.Seed^streamScript<<56, dayKey(day)<<24|uint64(id)))
		trips = append(trips, s.script(&s.fleet[id], base, vrng, r)...)
	}
	slices.SortStableFunc(trips, func(a, b plannedTrip) int { return cmp.Compare(a.depart, b.depart) })
	return trips
}

// Night is when night runners travel: from midnight to NightEnd.
const NightEnd = 5 * time.Hour

// criminalHours weighs the hours travelling criminals set out in, from
// 10:00 to 21:00: more in the afternoon and evening.
func criminalHours() []float64 {
	return []float64{1, 1, 1, 1, 1.2, 1.5, 1.8, 2, 2.2, 2.2, 2, 1.6}
}

// script returns a scripted vehicle's trips of one day: a round from its
// base and back, starting no sooner than it is free.
func (s *Sim) script(v *Vehicle, base int64, rng *rand.Rand, r *runner) []plannedTrip {
	minute := int64(time.Minute)
	uniform := func(lo, hi time.Duration) int64 { return int64(lo) + rng.Int64N(int64(hi-lo)) }
	var (
		first     int64
		stops     int
		dwell     func() int64
		nextStop  func(from int) (int, bool)
		latest    = base + int64(24*time.Hour)
		anyCounty = func(from int) (int, bool) {
			for range 10 {
				if z := s.county[s.countyW.draw(rng)]; z != from {
					return z, true
				}
			}
			return 0, false
		}
	)
	switch v.Behaviour {
	case TravellingCriminal:
		if rng.Float64() >= 0.6 {
			return nil
		}
		hours := criminalHours()
		first = base + int64(10+newAlias(hours).draw(rng))*int64(time.Hour) + rng.Int64N(int64(time.Hour))
		stops, nextStop = 1+rng.IntN(2), anyCounty
		dwell = func() int64 { return uniform(20*time.Minute, 150*time.Minute) }
	case NightRunner:
		if rng.Float64() >= 0.7 {
			return nil
		}
		first = base + uniform(15*time.Minute, 150*time.Minute)
		stops = 1
		if first < base+int64(90*time.Minute) && rng.IntN(2) == 0 {
			stops = 2
		}
		nextStop = func(from int) (int, bool) { return r.nearZone(rng, from) }
		dwell = func() int64 { return uniform(10*time.Minute, 40*time.Minute) }
		latest = base + int64(NightEnd) - 1
	case Stolen:
		if rng.Float64() >= 0.9 {
			return nil
		}
		if rng.IntN(2) == 0 {
			first = base + uniform(30*time.Minute, 210*time.Minute)
		} else {
			first = base + uniform(7*time.Hour, 20*time.Hour)
		}
		stops, nextStop = 1+rng.IntN(2), anyCounty
		dwell = func() int64 { return uniform(15*time.Minute, 240*time.Minute) }
	case Clone:
		if rng.Float64() >= 0.8 {
			return nil
		}
		first = base + uniform(7*time.Hour, 17*time.Hour)
		stops, nextStop = 1+rng.IntN(2), anyCounty
		dwell = func() int64 { return uniform(30*time.Minute, 300*time.Minute) }
	default:
		return nil
	}
	if first < r.busy[v.ID]+10*minute {
		return nil // still out from the day before
	}
	// The round: home, the stops, home.
	round := []int{v.Home}
	for range stops {
		next, ok := nextStop(round[len(round)-1])
		if !ok {
			break
		}
		round = append(round, next)
	}
	round = append(round, v.Home)
	var trips []plannedTrip
	t := first
	for i := 1; i < len(round); i++ {
		from, to := round[i-1], round[i]
		if from == to {
			continue
		}
		route, ok := s.router.Route(from, to)
		if !ok || t > latest {
			return nil // a round that cannot be made in time is not made
		}
		f := speedFactor(rng)
		trips = append(trips, plannedTrip{depart: t, from: int32(from), to: int32(to), veh: v.ID, factor: f})
		t += int64(float64(route.Duration())*float64(f)) + dwell()
	}
	r.busy[v.ID] = t
	return trips
}

// nearZones are the county zones within reach of a node for a night
// runner's round, with their weights.
type nearZones struct {
	zones []int
	pick  alias
}

// nightRadius is how far a night runner goes from each stop: its rounds
// stay within the night.
const nightRadius = 40 * time.Minute

func (r *runner) nearZone(rng *rand.Rand, from int) (int, bool) {
	nz, ok := r.near[from]
	if !ok {
		t := r.s.router.Tree(from)
		var w []float64
		for _, z := range r.s.county {
			if z != from && t.Cost[z] <= nightRadius.Seconds() {
				nz.zones = append(nz.zones, z)
				w = append(w, max(r.s.net.nodes[z].Weight, 1))
			}
		}
		if len(w) > 0 {
			nz.pick = newAlias(w)
		}
		r.near[from] = nz
	}
	if len(nz.zones) == 0 {
		return 0, false
	}
	return nz.zones[nz.pick.draw(rng)], true
}
