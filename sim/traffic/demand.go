package traffic

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Profile is how a day's trips spread over its hours: Profile[h] is the
// weight of departures from h:00 to h:59, local time. Only the ratios
// matter.
type Profile [24]float64

// WeekdayProfile is the time-of-day profile of traffic on a UK weekday, in
// per cent of the day's vehicles by hour: a morning peak at 8, an evening
// peak at 5, a trough from midnight to 5. The figures are rounded from the
// shape of the Department for Transport's hourly traffic distributions
// (table TRA0307, all motor vehicles, weekdays).
func WeekdayProfile() Profile {
	return Profile{
		0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 3.0, 6.4, 7.7, 5.9, 5.2, 5.3,
		5.5, 5.6, 5.9, 6.9, 7.9, 8.0, 6.2, 4.4, 3.2, 2.6, 2.0, 1.3,
	}
}

// Share returns the share of the day's trips departing in hour h.
func (p Profile) Share(h int) float64 {
	var sum float64
	for _, w := range p {
		sum += w
	}
	return p[h] / sum
}

func (p Profile) check() error {
	var sum float64
	for h, w := range p {
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return fmt.Errorf("profile hour %d weight %g is not a non-negative number", h, w)
		}
		sum += w
	}
	if sum == 0 {
		return errors.New("profile has no trips in any hour")
	}
	return nil
}

// Demand is the trips of a day between zones and how they spread over
// the day.
type Demand struct {
	// Zones are the node indices of the zones; matrices are indexed by
	// position in Zones.
	Zones []int
	// Daily[i][j] is the trips a day from Zones[i] to Zones[j]; the
	// diagonal is 0, as trips within a zone use no link.
	Daily   [][]float64
	Profile Profile
}

// Total returns the trips a day.
func (d *Demand) Total() float64 {
	var sum float64
	for _, row := range d.Daily {
		for _, v := range row {
			sum += v
		}
	}
	return sum
}

// Trips returns the trips from zone i to zone j (positions in Zones)
// departing in hour h.
func (d *Demand) Trips(i, j, h int) float64 { return d.Daily[i][j] * d.Profile.Share(h) }

// DefaultDeterrence is the gravity model's deterrence function: a gamma
// curve in travel time (shape 2, mean 24 minutes), so that trips of a few
// minutes (which mostly stay within a zone or are walked) and trips of
// over an hour are both rare.
func DefaultDeterrence(minutes float64) float64 {
	return distuv.Gamma{Alpha: 2, Beta: 1.0 / 12}.Prob(minutes)
}

// GravityConfig configures the gravity model.
type GravityConfig struct {
	// Total is the trips a day to spread between the zones.
	Total float64
	// Deterrence weighs a trip by its least generalised cost in minutes;
	// nil means DefaultDeterrence.
	Deterrence func(minutes float64) float64
	// Profile spreads the trips over the day; zero means WeekdayProfile.
	Profile Profile
	// MaxThroughDetour limits trips between two entry zones to pairs whose
	// route through the network is at most this many times the straight
	// line between them; 0 means DefaultMaxThroughDetour, negative no
	// limit. (Ignored where nodes have no coordinates.)
	MaxThroughDetour float64
}

// DefaultMaxThroughDetour keeps out of the network the trips between entry
// zones that real drivers make on roads outside it: Walsall to Sutton
// Coldfield through Staffordshire is twice the straight line and is driven
// through Birmingham instead, while the M6 from Cheshire to the West
// Midlands is nearly straight and is through traffic.
const DefaultMaxThroughDetour = 1.4

// Gravity returns the demand of the gravity model: the trips from zone i
// to zone j are proportional to the product of their weights times the
// deterrence of the least cost between them, scaled so that all trips sum
// to cfg.Total. Pairs with no route have none.
func Gravity(r *Router, cfg GravityConfig) (*Demand, error) {
	if !(cfg.Total > 0) || math.IsInf(cfg.Total, 0) {
		return nil, fmt.Errorf("gravity: total %g trips is not positive", cfg.Total)
	}
	if cfg.Deterrence == nil {
		cfg.Deterrence = DefaultDeterrence
	}
	if cfg.MaxThroughDetour == 0 {
		cfg.MaxThroughDetour = DefaultMaxThroughDetour
	}
	if cfg.Profile == (Profile{}) {
		cfg.Profile = WeekdayProfile()
	}
	if err := cfg.Profile.check(); err != nil {
		return nil, fmt.Errorf("gravity: %w", err)
	}
	net := r.Network()
	zones := net.Zones()
	d := &Demand{Zones: zones, Daily: make([][]float64, len(zones)), Profile: cfg.Profile}
	var sum float64
	for i, o := range zones {
		d.Daily[i] = make([]float64, len(zones))
		t := r.Tree(o)
		for j, z := range zones {
			if i == j || !t.Reaches(z) || !through(r, o, z, cfg.MaxThroughDetour) {
				continue
			}
			f := cfg.Deterrence(t.Cost[z] / 60)
			if f < 0 || math.IsNaN(f) {
				return nil, fmt.Errorf("gravity: deterrence of %.1f minutes is %g", t.Cost[z]/60, f)
			}
			v := net.nodes[o].Weight * net.nodes[z].Weight * f
			d.Daily[i][j] = v
			sum += v
		}
	}
	if !(sum > 0) {
		return nil, errors.New("gravity: no pair of zones with weights is joined")
	}
	scale(d.Daily, cfg.Total/sum)
	return d, nil
}

// through reports whether trips from o to z belong on the network: any
// trip with an end within the boundary does; a trip between two entry
// zones does only when the network is its direct way.
func through(r *Router, o, z int, maxDetour float64) bool {
	a, b := r.net.nodes[o], r.net.nodes[z]
	if !a.Entry || !b.Entry || maxDetour < 0 || a.Lat == 0 && a.Lon == 0 {
		return true
	}
	rt, ok := r.Route(o, z)
	if !ok {
		return false
	}
	var length float64
	for _, id := range rt.Links {
		length += r.net.links[id].Length
	}
	return length <= maxDetour*GreatCircle(a.Lat, a.Lon, b.Lat, b.Lon)
}

// MatrixDemand returns the demand of the network's own trips matrix (a
// TNTP trips file), scaled to total trips a day; total 0 keeps the
// matrix's own total.
func MatrixDemand(net *Network, total float64, profile Profile) (*Demand, error) {
	m := net.Matrix()
	if m == nil {
		return nil, fmt.Errorf("network %s has no trips matrix", net.Name)
	}
	if profile == (Profile{}) {
		profile = WeekdayProfile()
	}
	if err := profile.check(); err != nil {
		return nil, err
	}
	d := &Demand{Zones: net.Zones(), Daily: make([][]float64, len(m)), Profile: profile}
	var sum float64
	for i, row := range m {
		d.Daily[i] = append([]float64(nil), row...)
		for _, v := range row {
			sum += v
		}
	}
	if !(sum > 0) {
		return nil, fmt.Errorf("network %s: the trips matrix is empty", net.Name)
	}
	if total > 0 {
		scale(d.Daily, total/sum)
	}
	return d, nil
}

func scale(m [][]float64, k float64) {
	for _, row := range m {
		for j := range row {
			row[j] *= k
		}
	}
}
