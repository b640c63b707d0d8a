package siting

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"anpr/sim/traffic"
)

// DefaultDuplicationFlag is the share of a site's captures that other
// sites repeat above which the site is flagged as duplicated.
const DefaultDuplicationFlag = 0.9

// DefaultGaps is how many gaps a report lists.
const DefaultGaps = 10

// Options configures an evaluation.
type Options struct {
	// Read turns reads into alerts; zero means DefaultReadModel.
	Read ReadModel
	// DuplicationFlag is the share of a site's captures repeated by other
	// sites at or above which it is flagged; 0 means
	// DefaultDuplicationFlag.
	DuplicationFlag float64
	// Gaps is how many gaps to list, largest first; 0 means DefaultGaps,
	// negative none.
	Gaps int
	// AsOf flags the sites whose end of life is on or before it; zero
	// flags none.
	AsOf time.Time
	// WithLocations puts where each site is (its link and end nodes, its
	// name) and gaps by zone into the report. Without it sites are named
	// by id and district and gaps by district: camera locations are not
	// disclosed, and a report without them can be shared more widely.
	WithLocations bool
}

func (o Options) withDefaults() (Options, error) {
	if o.Read == (ReadModel{}) {
		o.Read = DefaultReadModel()
	}
	if err := o.Read.Check(); err != nil {
		return o, err
	}
	if o.DuplicationFlag == 0 {
		o.DuplicationFlag = DefaultDuplicationFlag
	}
	if !(o.DuplicationFlag > 0 && o.DuplicationFlag <= 1) {
		return o, fmt.Errorf("duplication flag %g is not in (0, 1]", o.DuplicationFlag)
	}
	if o.Gaps == 0 {
		o.Gaps = DefaultGaps
	}
	return o, nil
}

// Report is the measures of a set of sites over recorded traffic: each a
// mean over seeds with its 95% interval.
type Report struct {
	Network string   `json:"network"`
	Seeds   []uint64 `json:"seeds"`
	// Days is the period each seed simulates.
	Days  float64   `json:"days_per_seed"`
	Read  ReadModel `json:"read_model"`
	Sites int       `json:"sites"`
	// Measures of the whole set of sites, in a fixed order (see the
	// package documentation for each).
	Measures []Measure `json:"measures"`
	// PerSite are the measures of each site, in the order given.
	PerSite []SiteReport `json:"per_site"`
	// Duplicated are the sites flagged as duplicated; Due those at end of
	// life by Options.AsOf.
	Duplicated []string `json:"duplicated"`
	Due        []string `json:"due,omitempty"`
	AsOf       string   `json:"as_of,omitempty"`
	// Gaps are the journeys of vehicles of interest that no site sees,
	// by origin and destination, largest first.
	Gaps []Gap `json:"gaps"`
	// Proportionality says what the proportionality figures mean and do
	// not.
	Proportionality string `json:"proportionality"`

	sites []Site
}

// SiteReport is one site's measures.
type SiteReport struct {
	ID       string `json:"id"`
	District string `json:"district"`
	// Name and Location are given only with Options.WithLocations.
	Name      string    `json:"name,omitempty"`
	Location  *Location `json:"location,omitempty"`
	EndOfLife string    `json:"end_of_life,omitempty"`
	Due       bool      `json:"due,omitempty"`
	// Duplicated is set when other sites repeat at least
	// Options.DuplicationFlag of its captures.
	Duplicated bool `json:"duplicated"`
	// RepeatedMostBy is the other site that repeats most of its captures,
	// and RepeatedShare how much; empty when no other site repeats any.
	RepeatedMostBy string    `json:"repeated_most_by,omitempty"`
	RepeatedShare  Estimate  `json:"repeated_share"`
	Measures       []Measure `json:"measures"`
}

// Location is where a site is: given only with Options.WithLocations.
type Location struct {
	Link     int     `json:"link"`
	Road     string  `json:"road"`
	From     string  `json:"from"`
	To       string  `json:"to"`
	FromName string  `json:"from_name"`
	ToName   string  `json:"to_name"`
	Lat      float64 `json:"lat"` // midpoint of the link's end nodes
	Lon      float64 `json:"lon"`
}

func locationOf(net *traffic.Network, id traffic.LinkID) *Location {
	l := net.Link(id)
	a, b := net.Node(l.From), net.Node(l.To)
	return &Location{Link: int(id), Road: l.Road, From: a.ID, To: b.ID, FromName: a.Name, ToName: b.Name,
		Lat: (a.Lat + b.Lat) / 2, Lon: (a.Lon + b.Lon) / 2}
}

// Gap is the trips of vehicles of interest between an origin and a
// destination (zones, or districts without locations) that no site sees.
type Gap struct {
	From              string   `json:"from"`
	To                string   `json:"to"`
	TargetTripsPerDay Estimate `json:"target_trips_per_day"`
	// Kinds is the mean trips a day of each kind of target in the gap.
	Kinds []KindCount `json:"kinds"`
}

// KindCount is a mean count of one kind of target.
type KindCount struct {
	Kind  string  `json:"kind"`
	Count float64 `json:"per_day"`
}

// ProportionalityStatement says what the proportionality figures mean.
const ProportionalityStatement = "Vehicles of interest recorded per 1,000 innocent vehicles recorded, " +
	"counting distinct vehicles a day: how much target capture the intrusion on everyone else buys. " +
	"It is computed on simulated traffic with a simulated share and mix of vehicles of interest, " +
	"so it compares sets of sites on the same traffic; it is not a measured rate on real roads. " +
	"Beside it stands the same ratio for everything on the road, what cameras seeing every vehicle would get: " +
	"sites above it are where vehicles of interest travel more than others, sites below it record innocent vehicles out of proportion to them. " +
	"No figure is proportionate or disproportionate by itself: that is a judgement on the pressing " +
	"need each site serves, which the figures inform and do not make. For a site, the marginal figure " +
	"(vehicles of interest seen only there per 1,000 innocent vehicles seen only there) is what removing it would trade."

// Evaluate measures sites over recorded traffic, one recording per seed,
// all on the same network.
func Evaluate(recs []*Recording, sites []Site, opts Options) (*Report, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, errors.New("evaluate sites: no recorded traffic")
	}
	net := recs[0].net
	for _, r := range recs[1:] {
		if r.net != net || r.Days != recs[0].Days {
			return nil, errors.New("evaluate sites: the recordings are of different networks or periods")
		}
	}
	if err := checkSites(net, sites); err != nil {
		return nil, err
	}
	rep := &Report{Network: net.Name, Days: recs[0].Days, Read: opts.Read, Sites: len(sites), sites: sites,
		Duplicated: []string{}, Gaps: []Gap{}, Proportionality: ProportionalityStatement}
	netSet := newMeasureSet(len(recs))
	siteSets := make([]*measureSet, len(sites))
	for i := range siteSets {
		siteSets[i] = newMeasureSet(len(recs))
	}
	pairs := &pairShares{seeds: len(recs), byPair: map[[2]int32][]float64{}, seen: make([][]bool, len(sites))}
	for i := range pairs.seen {
		pairs.seen[i] = make([]bool, len(recs))
	}
	gaps := map[[2]int32]*gapTally{}
	for k, rec := range recs {
		rep.Seeds = append(rep.Seeds, rec.Seed)
		evaluateSeed(k, rec, sites, opts.Read, netSet, siteSets, pairs, gaps)
	}
	rep.Measures = netSet.measures()
	for i, s := range sites {
		sr := SiteReport{ID: s.ID, District: District(net, s.Link), Measures: siteSets[i].measures()}
		if opts.WithLocations {
			sr.Name, sr.Location = s.Name, locationOf(net, s.Link)
		}
		if !s.EndOfLife.IsZero() {
			sr.EndOfLife = s.EndOfLife.Format(time.DateOnly)
			sr.Due = !opts.AsOf.IsZero() && !s.EndOfLife.After(opts.AsOf)
		}
		if dup := siteSets[i].byKey["duplication"]; dup != nil && dup.N > 0 && dup.Mean >= opts.DuplicationFlag {
			sr.Duplicated = true
			rep.Duplicated = append(rep.Duplicated, s.ID)
		}
		if j, share := pairs.most(i); j >= 0 {
			sr.RepeatedMostBy, sr.RepeatedShare = sites[j].ID, share
		}
		if sr.Due {
			rep.Due = append(rep.Due, s.ID)
		}
		rep.PerSite = append(rep.PerSite, sr)
	}
	if !opts.AsOf.IsZero() {
		rep.AsOf = opts.AsOf.Format(time.DateOnly)
	}
	if opts.Gaps > 0 {
		rep.Gaps = gapList(net, gaps, len(recs), recs[0].Days, opts)
	}
	return rep, nil
}

// checkSites refuses sites on links the network does not have, and
// repeated ids.
func checkSites(net *traffic.Network, sites []Site) error {
	ids := map[string]bool{}
	for i, s := range sites {
		if err := checkID(s.ID); err != nil {
			return fmt.Errorf("site %d: %w", i, err)
		}
		if ids[s.ID] {
			return fmt.Errorf("site %q is given twice", s.ID)
		}
		ids[s.ID] = true
		if s.Link < 0 || int(s.Link) >= len(net.Links()) {
			return fmt.Errorf("site %q: link %d does not exist in network %s", s.ID, s.Link, net.Name)
		}
	}
	return nil
}

// gapTally is one origin-destination pair's uncaptured target trips, per
// seed and by kind.
type gapTally struct {
	perSeed []float64
	kinds   [numKinds]float64
}

// pairShares holds, for pairs of sites i and j, the share of i's captures
// j repeats in each seed, for the pairs that ever share a capture.
type pairShares struct {
	seeds  int
	byPair map[[2]int32][]float64
	seen   [][]bool // by site and seed: whether it captured anything
}

func (p *pairShares) add(i, j int32, seed int, share float64) {
	v := p.byPair[[2]int32{i, j}]
	if v == nil {
		v = make([]float64, p.seeds)
		p.byPair[[2]int32{i, j}] = v
	}
	v[seed] = share
}

// most returns the site that repeats the largest mean share of i's
// captures over the seeds in which i captured anything, and its estimate;
// -1 when none repeats any.
func (p *pairShares) most(i int) (int, Estimate) {
	best, bestEst := -1, Estimate{}
	for key, v := range p.byPair {
		if int(key[0]) != i {
			continue
		}
		vals := slices.Clone(v)
		for k := range vals {
			if !p.seen[i][k] {
				vals[k] = math.NaN()
			}
		}
		e := estimate(vals, unitRange)
		if j := int(key[1]); best < 0 || e.Mean > bestEst.Mean || e.Mean == bestEst.Mean && j < best {
			best, bestEst = j, e
		}
	}
	return best, bestEst
}

// Kinds of target, in report order.
var targetKinds = []traffic.Behaviour{traffic.Uninsured, traffic.TravellingCriminal, traffic.NightRunner, traffic.Stolen, traffic.Clone}

// evaluateSeed adds one seed's measures to the sets.
func evaluateSeed(k int, rec *Recording, sites []Site, model ReadModel, netSet *measureSet, siteSets []*measureSet, pairs *pairShares, gaps map[[2]int32]*gapTally) {
	D := rec.Days
	nS := len(sites)
	siteAt := map[traffic.LinkID][]int32{}
	for i, s := range sites {
		siteAt[s.Link] = append(siteAt[s.Link], int32(i))
	}
	routeSites := make([][]int32, len(rec.routes))
	for r, rt := range rec.routes {
		for _, id := range rt.links {
			if at, ok := siteAt[id]; ok {
				routeSites[r] = append(routeSites[r], at...)
			}
		}
	}

	// What follows from routes alone: trips of each kind seen, reads,
	// necessity, duplication, gaps.
	var trips, seen1, seen2 [numKinds]float64
	var innocentReads, targetReads float64
	siteReads := make([]float64, nS)
	siteTarget := make([]float64, nS)
	sole := make([]float64, nS)
	dupAll := make([]float64, nS)
	pair := make([][]float64, nS)
	for i := range pair {
		pair[i] = make([]float64, nS)
	}
	for r, rt := range rec.routes {
		cnt := rec.routeTrips[r]
		rs := routeSites[r]
		c := len(rs)
		var tgt, all float64
		for b := range numKinds {
			n := float64(cnt[b])
			trips[b] += n
			if c >= 1 {
				seen1[b] += n
			}
			if c >= 2 {
				seen2[b] += n
			}
			if b > 0 {
				tgt += n
			}
			all += n
		}
		innocentReads += float64(cnt[0]) * float64(c)
		targetReads += tgt * float64(c)
		for _, s := range rs {
			siteReads[s] += all
			siteTarget[s] += tgt
			if c == 1 {
				sole[s] += tgt
			} else {
				dupAll[s] += all
				for _, s2 := range rs {
					if s2 != s {
						pair[s][s2] += all
					}
				}
			}
		}
		if c == 0 && tgt > 0 {
			key := [2]int32{rt.from, rt.to}
			g := gaps[key]
			if g == nil {
				g = &gapTally{perSeed: make([]float64, netSet.seeds)}
				gaps[key] = g
			}
			g.perSeed[k] += tgt / D
			for b := 1; b < numKinds; b++ {
				g.kinds[b] += float64(cnt[b]) / D
			}
		}
	}

	// What needs each trip's vehicle: distinct vehicles and alerts.
	nVD := len(rec.vdVehicle)
	seenVD := newBitset(nVD)
	siteVD := make([]bitset, nS)
	for i := range siteVD {
		siteVD[i] = newBitset(nVD)
	}
	soleState := make([]int32, nVD) // -1 unseen, a site, or -2 seen by several
	for i := range soleState {
		soleState[i] = -1
	}
	var targetVDSeen, innocentVDSeen float64
	var alerted [numKinds]float64
	var trueAlerts, twinAlerts, nearAlerts, missed float64
	siteTargetVD := make([]float64, nS)
	siteInnocentVD := make([]float64, nS)
	soleTargetVD := make([]float64, nS)
	soleInnocentVD := make([]float64, nS)
	siteAlerts := make([]float64, nS)
	siteFalse := make([]float64, nS)
	for _, t := range rec.trips {
		rs := routeSites[t.route]
		c := len(rs)
		if c == 0 {
			continue
		}
		v := rec.vehicles[t.vehicle]
		target := v.Behaviour.OfInterest()
		h := model.hit(v)
		if target {
			alerted[v.Behaviour] += 1 - math.Pow(1-h, float64(c))
			trueAlerts += h * float64(c)
			missed += (1 - h) * float64(c)
		} else {
			switch v.Listed {
			case ListedExact:
				twinAlerts += h * float64(c)
			case ListedNear:
				nearAlerts += h * float64(c)
			}
		}
		if !seenVD.has(int(t.vd)) {
			seenVD.set(int(t.vd))
			if target {
				targetVDSeen++
			} else {
				innocentVDSeen++
			}
		}
		st := soleState[t.vd]
		for _, s := range rs {
			siteAlerts[s] += h
			if !target {
				siteFalse[s] += h
			}
			if !siteVD[s].has(int(t.vd)) {
				siteVD[s].set(int(t.vd))
				if target {
					siteTargetVD[s]++
				} else {
					siteInnocentVD[s]++
				}
			}
			switch {
			case st == -1:
				st = s
				if target {
					soleTargetVD[s]++
				} else {
					soleInnocentVD[s]++
				}
			case st >= 0 && st != s:
				if target {
					soleTargetVD[st]--
				} else {
					soleInnocentVD[st]--
				}
				st = -2
			}
		}
		soleState[t.vd] = st
	}

	var tgtTrips, tgtSeen1, tgtSeen2, tgtAlerted float64
	for _, b := range targetKinds {
		tgtTrips += trips[b]
		tgtSeen1 += seen1[b]
		tgtSeen2 += seen2[b]
		tgtAlerted += alerted[b]
	}
	set := func(key, label string, unit Unit, v float64) { netSet.set(k, key, label, unit, v) }
	set("traffic.trips_per_day", "Trips a day (all vehicles)", PerDay, (trips[0]+tgtTrips)/D)
	set("traffic.target_trips_per_day", "Trips a day by vehicles of interest", PerDay, tgtTrips/D)
	var twins, near float64
	for _, v := range rec.vdVehicle {
		if veh := rec.vehicles[v]; !veh.Behaviour.OfInterest() {
			switch veh.Listed {
			case ListedExact:
				twins++
			case ListedNear:
				near++
			}
		}
	}
	set("traffic.twin_vehicles_per_day", "Innocent twins of clones on the road a day (their mark is listed)", PerDay, twins/D)
	set("traffic.near_vehicles_per_day", "Innocent vehicles on the road a day one confusable character from a listed mark", PerDay, near/D)
	kindCapture := func(key, name string, n, one, two, al float64) {
		set("capture."+key+".one", "Share of "+name+" trips seen by at least one camera", Share, ratio(one, n))
		set("capture."+key+".two", "Share of "+name+" trips seen by at least two cameras", Share, ratio(two, n))
		set("capture."+key+".alerted", "Share of "+name+" trips raising at least one alert (expected)", Share, ratio(al, n))
	}
	kindCapture("all", "target", tgtTrips, tgtSeen1, tgtSeen2, tgtAlerted)
	for _, b := range targetKinds {
		kindCapture(b.String(), b.String(), trips[b], seen1[b], seen2[b], alerted[b])
	}
	set("capture.target_vehicles_share", "Share of vehicles of interest on the road seen in a day", Share, ratio(targetVDSeen, float64(rec.targetVD)))
	set("capture.target_vehicles_per_day", "Vehicles of interest seen a day (distinct)", PerDay, targetVDSeen/D)

	set("intrusion.innocent_reads_per_day", "Reads of innocent vehicles a day", PerDay, innocentReads/D)
	set("intrusion.innocent_vehicles_per_day", "Innocent vehicles recorded a day (distinct)", PerDay, innocentVDSeen/D)
	set("intrusion.innocent_share", "Share of innocent vehicles on the road recorded in a day", Share, ratio(innocentVDSeen, float64(rec.innocentVD)))
	set("intrusion.reads_per_target_trip", "Reads of innocent vehicles per target trip seen", Ratio, ratio(innocentReads, tgtSeen1))

	total := trueAlerts + twinAlerts + nearAlerts
	set("alerts.true_per_day", "True alerts a day (expected)", PerDay, trueAlerts/D)
	set("alerts.clone_twin_per_day", "False alerts a day on innocent twins of clones (right mark, wrong vehicle)", PerDay, twinAlerts/D)
	set("alerts.misread_per_day", "False alerts a day on marks one confusable character from a listed one (misread-driven)", PerDay, nearAlerts/D)
	set("alerts.false_per_day", "False alerts a day (expected)", PerDay, (twinAlerts+nearAlerts)/D)
	set("alerts.total_per_day", "Alerts a day (expected)", PerDay, total/D)
	set("alerts.false_share", "Share of alerts that are false", Share, ratio(twinAlerts+nearAlerts, total))
	set("alerts.missed_target_reads_per_day", "Reads of vehicles of interest raising no alert (misread) a day", PerDay, missed/D)
	set("alerts.operator_hours_per_day", "Operator hours a day evaluating alerts", Hours, total*model.MinutesPerAlert/60/D)

	set("proportionality.targets_per_1000_innocent", "Vehicles of interest recorded per 1,000 innocent vehicles recorded", Ratio, 1000*ratio(targetVDSeen, innocentVDSeen))
	set("proportionality.road_per_1000_innocent", "Vehicles of interest on the road per 1,000 innocent vehicles on the road (a camera seeing every vehicle)", Ratio,
		1000*ratio(float64(rec.targetVD), float64(rec.innocentVD)))

	for i := range sites {
		s := siteSets[i]
		sset := func(key, label string, unit Unit, v float64) { s.set(k, key, label, unit, v) }
		sset("reads_per_day", "Reads a day (all vehicles)", PerDay, siteReads[i]/D)
		sset("target_trips_per_day", "Target trips seen a day", PerDay, siteTarget[i]/D)
		sset("target_vehicles_per_day", "Vehicles of interest seen a day (distinct)", PerDay, siteTargetVD[i]/D)
		sset("innocent_vehicles_per_day", "Innocent vehicles recorded a day (distinct)", PerDay, siteInnocentVD[i]/D)
		sset("necessity_per_day", "Target trips a day no other site sees (lost without it)", PerDay, sole[i]/D)
		sset("necessity_share", "Share of the network's target capture lost without it", Share, ratio(sole[i], tgtSeen1))
		sset("duplication", "Share of its captures (all vehicles) another site repeats", Share, ratio(dupAll[i], siteReads[i]))
		sset("sole_targets_per_day", "Vehicles of interest a day seen only here", PerDay, soleTargetVD[i]/D)
		sset("sole_innocent_per_day", "Innocent vehicles a day recorded only here (spared without it)", PerDay, soleInnocentVD[i]/D)
		sset("targets_per_1000_innocent", "Vehicles of interest per 1,000 innocent vehicles recorded here", Ratio, 1000*ratio(siteTargetVD[i], siteInnocentVD[i]))
		sset("marginal_per_1000_innocent", "Vehicles of interest seen only here per 1,000 innocent vehicles recorded only here", Ratio, 1000*ratio(soleTargetVD[i], soleInnocentVD[i]))
		sset("alerts_per_day", "Alerts a day (expected)", PerDay, siteAlerts[i]/D)
		sset("false_alerts_per_day", "False alerts a day (expected)", PerDay, siteFalse[i]/D)
		pairs.seen[i][k] = siteReads[i] > 0
		for j := range sites {
			if j != i && pair[i][j] > 0 {
				pairs.add(int32(i), int32(j), k, pair[i][j]/siteReads[i])
			}
		}
	}
}

// gapList returns the largest gaps, by zone or by district.
func gapList(net *traffic.Network, gaps map[[2]int32]*gapTally, seeds int, days float64, opts Options) []Gap {
	type agg struct {
		from, to string
		perSeed  []float64
		kinds    [numKinds]float64
	}
	byName := map[[2]string]*agg{}
	for key, g := range gaps {
		a, b := net.Node(int(key[0])), net.Node(int(key[1]))
		name := [2]string{a.District, b.District}
		if opts.WithLocations {
			name = [2]string{a.ID, b.ID}
		}
		x := byName[name]
		if x == nil {
			x = &agg{from: name[0], to: name[1], perSeed: make([]float64, seeds)}
			byName[name] = x
		}
		for i, v := range g.perSeed {
			x.perSeed[i] += v
		}
		for b := range x.kinds {
			x.kinds[b] += g.kinds[b]
		}
	}
	list := make([]*agg, 0, len(byName))
	for _, x := range byName {
		list = append(list, x)
	}
	sum := func(xs []float64) (s float64) {
		for _, x := range xs {
			s += x
		}
		return s
	}
	slices.SortFunc(list, func(x, y *agg) int {
		if c := cmp.Compare(sum(y.perSeed), sum(x.perSeed)); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(x.from, y.from), cmp.Compare(x.to, y.to))
	})
	var out []Gap
	for _, x := range list[:min(len(list), opts.Gaps)] {
		g := Gap{From: x.from, To: x.to, TargetTripsPerDay: estimate(x.perSeed, nonNegative)}
		for _, b := range targetKinds {
			if x.kinds[b] > 0 {
				g.Kinds = append(g.Kinds, KindCount{Kind: b.String(), Count: round(x.kinds[b] / float64(seeds))})
			}
		}
		out = append(out, g)
	}
	return out
}

// Measure returns the report's measure with the given key.
func (r *Report) Measure(key string) (Measure, bool) {
	for _, m := range r.Measures {
		if m.Key == key {
			return m, true
		}
	}
	return Measure{}, false
}

// Measure returns the site's measure with the given key.
func (s SiteReport) Measure(key string) (Measure, bool) {
	for _, m := range s.Measures {
		if m.Key == key {
			return m, true
		}
	}
	return Measure{}, false
}
