package traffic

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"anpr/engine/hotlist"
	"anpr/engine/vrm"
)

// DefaultTripsPerDay is the trips a weekday on a network without its own
// trips matrix unless configured: county traffic on the strategic roads of
// the default network.
const DefaultTripsPerDay = 600_000

// DefaultTollShare is the share of drivers who take a toll road whenever
// it is quicker unless configured: judgement, giving the M6 Toll roughly
// its real share of the traffic between the M6 and the A38.
const DefaultTollShare = 0.4

// DefaultEpoch returns the day the fleet's marks and the hotlist are made
// as of unless configured: Monday 2 March 2026, so that runs from it are
// weekdays.
func DefaultEpoch() time.Time { return time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) }

// Config configures a simulation. The zero value is usable: every field
// has a default.
type Config struct {
	// Seed makes the simulation: the same network, Config and Seed give
	// the same fleet, hotlist and passages.
	Seed uint64
	// Epoch is the day the fleet's marks are issued by and the hotlist is
	// made on; zero means DefaultEpoch. Runs are meant for the days after
	// it.
	Epoch time.Time
	// Location is the clock the time-of-day profile is in; nil means UTC.
	// (Europe/London needs the system's or time/tzdata's zone database.)
	Location *time.Location
	// TripsPerDay is the trips a day; 0 means the network's trips matrix
	// total where it has one, else DefaultTripsPerDay.
	TripsPerDay int
	// Vehicles is the fleet's size; 0 means half TripsPerDay. A zone that
	// runs out of parked vehicles during a run gets new ones (see
	// Stats.AddedVehicles).
	Vehicles int
	// Profile spreads the day's trips over its hours; zero means
	// WeekdayProfile.
	Profile Profile
	// Deterrence is the gravity model's; nil means DefaultDeterrence.
	Deterrence func(minutes float64) float64
	// TollCostPerKm is what toll roads cost, as time, the drivers who
	// avoid them (see RouterOptions).
	TollCostPerKm time.Duration
	// TollShare is the share of trips whose drivers pay tolls without a
	// thought, routing by free-flow time alone; the rest weigh the toll
	// by TollCostPerKm. Two kinds of driver split the traffic between a
	// toll road and the road beside it, where one kind would send all of
	// it one way. 0 means DefaultTollShare, negative none.
	TollShare float64
	// PlateMix weighs the formats of the fleet's marks; nil means
	// DefaultPlateMix.
	PlateMix map[vrm.Format]float64
	// Interest configures vehicles of interest and the hotlist.
	Interest InterestConfig
}

// Sim is a traffic simulation on a road network: a fleet of vehicles, the
// demand they travel by, the vehicles of interest among them and their
// hotlist. It is immutable once made; Run may be called any number of
// times, also concurrently, and a run depends only on the Sim and its
// window.
type Sim struct {
	net    *Network
	cfg    Config
	router *Router // drivers who avoid tolls
	payer  *Router // drivers who pay them; router when none do
	demand *Demand

	od             alias // over cells
	odFrom, odTo   []int32
	hours          alias
	county, entry  []int // node indices of zones within and beyond the boundary
	countyW        alias
	entryW         alias
	plates         *plateMaker
	fleet          []Vehicle
	scripted       []VehicleID
	listings       []Listing
	interestCounts [numBehaviours]int
}

// Random streams: each thing drawn has its own, so that changing how many
// of one are drawn leaves the others as they were.
const (
	streamFleet uint64 = iota + 1
	streamInterest
	streamDay
	streamScript
	streamRun
)

// New makes a simulation on net: the demand (the network's trips matrix
// or the gravity model), the fleet and its plates, the vehicles of
// interest and the hotlist. It refuses a configuration it cannot honour,
// such as more clones than there are innocent vehicles to copy.
func New(net *Network, cfg Config) (*Sim, error) {
	if net == nil {
		return nil, errors.New("traffic: no network")
	}
	if cfg.Epoch.IsZero() {
		cfg.Epoch = DefaultEpoch()
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Profile == (Profile{}) {
		cfg.Profile = WeekdayProfile()
	}
	if err := cfg.Profile.check(); err != nil {
		return nil, fmt.Errorf("traffic: %w", err)
	}
	if cfg.TripsPerDay < 0 || cfg.Vehicles < 0 {
		return nil, fmt.Errorf("traffic: TripsPerDay %d and Vehicles %d may not be negative", cfg.TripsPerDay, cfg.Vehicles)
	}
	if cfg.PlateMix == nil {
		cfg.PlateMix = DefaultPlateMix()
	}
	if cfg.Interest.Mix == nil {
		cfg.Interest.Mix = DefaultInterestMix()
	}
	if cfg.Interest.Share == 0 {
		cfg.Interest.Share = DefaultInterestShare
	}
	if cfg.Interest.Share > 0.5 || math.IsNaN(cfg.Interest.Share) {
		return nil, fmt.Errorf("traffic: interest share %g is above one half", cfg.Interest.Share)
	}
	if cfg.TollShare == 0 {
		cfg.TollShare = DefaultTollShare
	}
	if cfg.TollShare > 1 || math.IsNaN(cfg.TollShare) {
		return nil, fmt.Errorf("traffic: toll share %g is above 1", cfg.TollShare)
	}
	s := &Sim{net: net, router: NewRouter(net, RouterOptions{TollCostPerKm: cfg.TollCostPerKm})}
	s.payer = s.router
	if cfg.TollShare > 0 && slices.ContainsFunc(net.links, func(l Link) bool { return l.Toll }) {
		s.payer = NewRouter(net, RouterOptions{TollCostPerKm: -1})
	}
	var err error
	if net.Matrix() != nil {
		s.demand, err = MatrixDemand(net, float64(cfg.TripsPerDay), cfg.Profile)
		if cfg.TripsPerDay == 0 && err == nil {
			cfg.TripsPerDay = int(math.Round(s.demand.Total()))
		}
	} else {
		if cfg.TripsPerDay == 0 {
			cfg.TripsPerDay = DefaultTripsPerDay
		}
		s.demand, err = Gravity(s.router, GravityConfig{Total: float64(cfg.TripsPerDay), Deterrence: cfg.Deterrence, Profile: cfg.Profile})
	}
	if err != nil {
		return nil, fmt.Errorf("traffic: %w", err)
	}
	if cfg.Vehicles == 0 {
		cfg.Vehicles = max(1, cfg.TripsPerDay/2)
	}
	s.cfg = cfg

	var cells []float64
	rows := make([]float64, len(s.demand.Zones))
	for i, row := range s.demand.Daily {
		t := s.router.Tree(s.demand.Zones[i])
		for j, v := range row {
			// A pair the router cannot join gets no trips.
			if v > 0 && i != j && t.Reaches(s.demand.Zones[j]) {
				cells = append(cells, v)
				s.odFrom = append(s.odFrom, int32(s.demand.Zones[i]))
				s.odTo = append(s.odTo, int32(s.demand.Zones[j]))
				rows[i] += v
			}
		}
	}
	if len(cells) == 0 {
		return nil, errors.New("traffic: the demand has no trips between joined zones")
	}
	s.od = newAlias(cells)
	s.hours = newAlias(cfg.Profile[:])

	var countyW, entryW []float64
	for _, z := range net.Zones() {
		w := net.nodes[z].Weight
		if net.nodes[z].Entry {
			s.entry, entryW = append(s.entry, z), append(entryW, max(w, 1))
		} else {
			s.county, countyW = append(s.county, z), append(countyW, max(w, 1))
		}
	}
	if len(s.county) == 0 { // a network that is all entry zones
		s.county, countyW = s.entry, entryW
	}
	if len(s.entry) == 0 { // no boundary: criminals come from anywhere
		s.entry, entryW = s.county, countyW
	}
	s.countyW, s.entryW = newAlias(countyW), newAlias(entryW)

	if s.plates, err = newPlateMaker(cfg.PlateMix, cfg.Epoch, cfg.Vehicles*11/10); err != nil {
		return nil, fmt.Errorf("traffic: %w", err)
	}
	s.makeFleet(rows)
	if err := s.makeInterest(); err != nil {
		return nil, fmt.Errorf("traffic: %w", err)
	}
	return s, nil
}

// makeFleet draws the vehicles, parked at home in proportion to the trips
// each zone sends.
func (s *Sim) makeFleet(rows []float64) {
	rng := rand.New(rand.NewPCG(s.cfg.Seed, streamFleet))
	homes := newAlias(rows)
	s.fleet = make([]Vehicle, s.cfg.Vehicles)
	for i := range s.fleet {
		m := s.plates.make(rng)
		s.fleet[i] = Vehicle{ID: VehicleID(i), Front: m, Rear: m, Home: s.demand.Zones[homes.draw(rng)], Twin: NoVehicle}
	}
}

// makeInterest picks the vehicles of interest, gives them their
// behaviours and bases, and makes the hotlist.
func (s *Sim) makeInterest() error {
	cfg := s.cfg.Interest
	rng := rand.New(rand.NewPCG(s.cfg.Seed, streamInterest))
	n := 0
	if cfg.Share > 0 {
		n = int(math.Round(cfg.Share * float64(len(s.fleet))))
	}
	counts, err := interestCounts(n, cfg.Mix)
	if err != nil {
		return err
	}
	s.interestCounts = counts
	// Every clone copies an innocent vehicle, which must stay innocent.
	if n+counts[Clone] > len(s.fleet) {
		return fmt.Errorf("%d vehicles of interest and %d innocent twins for the clones need more than the fleet of %d", n, counts[Clone], len(s.fleet))
	}
	perm := rng.Perm(len(s.fleet))
	chosen, innocent := perm[:n], perm[n:]
	next := 0
	for b := Uninsured; b < numBehaviours; b++ {
		for range counts[b] {
			v := &s.fleet[chosen[next]]
			next++
			v.Behaviour = b
			switch b {
			case TravellingCriminal:
				v.Home = s.entry[s.entryW.draw(rng)]
			case NightRunner, Stolen:
				v.Home = s.county[s.countyW.draw(rng)]
			case Clone:
				twin := &s.fleet[innocent[0]]
				innocent = innocent[1:]
				v.Front, v.Rear, v.Twin, twin.Twin = twin.Front, twin.Front, twin.ID, v.ID
				v.Home = s.cloneBase(rng, twin.Home)
			}
			if b.scripted() {
				s.scripted = append(s.scripted, v.ID)
			}
			e := pickKind(rng, interestKinds(b)).entry(rng, v.Front.Text, s.cfg.Epoch)
			s.listings = append(s.listings, Listing{Entry: e, Kind: OfInterest, Vehicle: v.ID})
		}
	}
	liveFrom := s.cfg.Epoch.UTC().Truncate(24*time.Hour).AddDate(0, 0, 30)
	ghosts := cfg.Ghosts
	if ghosts == 0 {
		ghosts = n
	}
	for range ghosts {
		e := hotlist.SyntheticEntry(rng, s.cfg.Epoch)
		for !s.plates.take(e.VRM) {
			e.VRM = vrm.GenerateMix(rng, s.cfg.Epoch).Text
		}
		if !e.Expires.IsZero() && e.Expires.Before(liveFrom) {
			e.Expires = liveFrom.AddDate(0, 0, rng.IntN(150))
		}
		s.listings = append(s.listings, Listing{Entry: e, Kind: Ghost, Vehicle: NoVehicle})
	}
	near := cfg.NearMisses
	if near == 0 {
		near = n / 2
	}
	conf := vrm.DefaultConfusions()
	for _, i := range innocent {
		if near <= 0 {
			break
		}
		v := &s.fleet[i]
		if v.Behaviour != Ordinary || v.Twin != NoVehicle {
			continue
		}
		mark, pos, ok := nearMiss(rng, v.Front, conf, s.plates)
		if !ok {
			continue
		}
		s.plates.take(mark)
		e := hotlist.SyntheticEntry(rng, s.cfg.Epoch)
		e.VRM = mark
		if !e.Expires.IsZero() && e.Expires.Before(liveFrom) {
			e.Expires = liveFrom.AddDate(0, 0, rng.IntN(150))
		}
		s.listings = append(s.listings, Listing{Entry: e, Kind: NearMiss, Vehicle: v.ID, Position: pos})
		near--
	}
	if near > 0 && cfg.NearMisses > 0 {
		return fmt.Errorf("only %d of %d near-miss marks could be made from the innocent fleet", cfg.NearMisses-near, cfg.NearMisses)
	}
	return nil
}

// cloneBase picks a county zone for a clone at least 20 minutes from its
// twin's home, where it can be, so that the two are seen far apart.
func (s *Sim) cloneBase(rng *rand.Rand, twinHome int) int {
	t := s.router.Tree(twinHome)
	base := s.county[s.countyW.draw(rng)]
	for range 20 {
		if base != twinHome && t.Cost[base] >= 20*60 {
			break
		}
		base = s.county[s.countyW.draw(rng)]
	}
	return base
}

// Network returns the simulation's network.
func (s *Sim) Network() *Network { return s.net }

// Router returns the router of the drivers who weigh tolls, which the
// gravity model and the scripted vehicles use.
func (s *Sim) Router() *Router { return s.router }

// TollRouter returns the router of the drivers who pay tolls without a
// thought (see Config.TollShare); it is Router when there are none.
func (s *Sim) TollRouter() *Router { return s.payer }

// Demand returns the simulation's demand.
func (s *Sim) Demand() *Demand { return s.demand }

// Config returns the configuration with its defaults filled in.
func (s *Sim) Config() Config { return s.cfg }

// Fleet returns the vehicles; the slice must not be changed.
func (s *Sim) Fleet() []Vehicle { return s.fleet }

// InterestCounts returns how many vehicles of each behaviour are of
// interest (Ordinary: 0).
func (s *Sim) InterestCounts() map[Behaviour]int {
	m := map[Behaviour]int{}
	for b := Uninsured; b < numBehaviours; b++ {
		m[b] = s.interestCounts[b]
	}
	return m
}
