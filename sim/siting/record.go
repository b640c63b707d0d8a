package siting

import (
	"context"
	"errors"
	"fmt"
	"time"

	"anpr/engine/vrm"
	"anpr/sim/traffic"
)

// Listed says how a correct read of a vehicle's mark hits the hotlist with
// the engine's default matching (exact, or one character the confusion
// model holds confusable: engine/hotlist's DefaultMaxConfusions).
type Listed uint8

const (
	// NotListed: a correct read hits nothing.
	NotListed Listed = iota
	// ListedExact: the mark is listed. For a vehicle of interest that is a
	// true alert; for an innocent vehicle it is the twin of a clone, whose
	// every read is an alert on the wrong vehicle.
	ListedExact
	// ListedNear: the mark is one confusable character away from a listed
	// mark, so a correct read hits it as a confusion match: a false alert
	// the matcher makes to catch misreads.
	ListedNear
)

// Vehicle is what the measures know of a vehicle.
type Vehicle struct {
	Behaviour traffic.Behaviour
	Listed    Listed
	// MarkLen is the length of its mark, for the share of misreads that
	// land on the one character where a near mark differs.
	MarkLen int
}

// Recording is the traffic of a simulated period as the measures need it:
// every trip, the vehicle that made it and the route it drove. Which sites
// see a trip is then arithmetic on its route, with no simulation: a site
// on a link sees every trip whose route holds the link. It is built once
// per seed by Record (or by hand with NewRecording and AddTrip) and is
// read-only once built, so any number of evaluations may share it.
type Recording struct {
	net  *traffic.Network
	Seed uint64
	// Days is the length of the period in days; per-day figures divide by
	// it.
	Days float64

	routes   []route
	byLinks  map[string]int32
	trips    []trip
	vehicles []Vehicle
	// Vehicle-days: a vehicle on one day of the period, the unit that
	// "distinct vehicles a day" counts. vdDay and vdIndex are a vehicle's
	// latest day and its vehicle-day there, while trips are added.
	vdVehicle      []int32
	vdDay, vdIndex []int32
	// targetVD and innocentVD count the vehicle-days of vehicles of
	// interest and of innocent vehicles that made a trip.
	targetVD, innocentVD int
	// routeTrips[r][b] counts the trips on route r by vehicles of
	// behaviour b.
	routeTrips [][numKinds]int32
}

// numKinds is the number of behaviours, Ordinary included.
const numKinds = int(traffic.Clone) + 1

type route struct {
	links    []traffic.LinkID
	from, to int32 // nodes
}

type trip struct {
	route, vehicle, vd int32
}

// NewRecording returns an empty recording of days days of traffic on net,
// for trips added by hand.
func NewRecording(net *traffic.Network, days int) *Recording {
	return &Recording{net: net, Days: float64(days), byLinks: map[string]int32{}}
}

// Network returns the network the traffic drove on.
func (r *Recording) Network() *traffic.Network { return r.net }

// Trips returns the number of trips.
func (r *Recording) Trips() int { return len(r.trips) }

// AddVehicle adds a vehicle and returns its number for AddTrip.
func (r *Recording) AddVehicle(v Vehicle) int {
	r.vehicles = append(r.vehicles, v)
	r.vdDay = append(r.vdDay, -1)
	r.vdIndex = append(r.vdIndex, -1)
	return len(r.vehicles) - 1
}

// AddTrip adds a trip of vehicle on day (0 is the period's first) along
// links, which must join end to end. Trips are added in time order, so
// days never go back.
func (r *Recording) AddTrip(vehicle, day int, links []traffic.LinkID) error {
	if vehicle < 0 || vehicle >= len(r.vehicles) {
		return fmt.Errorf("trip of vehicle %d: there are %d vehicles", vehicle, len(r.vehicles))
	}
	if day < 0 || float64(day) >= r.Days {
		return fmt.Errorf("trip on day %d: the period has %g days", day, r.Days)
	}
	if len(links) == 0 {
		return errors.New("trip with no links")
	}
	key := linksKey(links)
	ri, ok := r.byLinks[key]
	if !ok {
		for i, id := range links {
			if id < 0 || int(id) >= len(r.net.Links()) {
				return fmt.Errorf("trip: link %d does not exist in network %s", id, r.net.Name)
			}
			if i > 0 && r.net.Link(links[i-1]).To != r.net.Link(id).From {
				return fmt.Errorf("trip: link %d does not start where link %d ends", id, links[i-1])
			}
		}
		ri = r.addRoute(links)
		r.byLinks[key] = ri
	}
	return r.addTrip(ri, int32(vehicle), int32(day))
}

func linksKey(links []traffic.LinkID) string {
	b := make([]byte, 0, 4*len(links))
	for _, id := range links {
		b = append(b, byte(id), byte(id>>8), byte(id>>16), byte(id>>24))
	}
	return string(b)
}

func (r *Recording) addRoute(links []traffic.LinkID) int32 {
	r.routes = append(r.routes, route{links: links, from: int32(r.net.Link(links[0]).From), to: int32(r.net.Link(links[len(links)-1]).To)})
	r.routeTrips = append(r.routeTrips, [numKinds]int32{})
	return int32(len(r.routes) - 1)
}

func (r *Recording) addTrip(ri, v, day int32) error {
	switch {
	case r.vdDay[v] > day:
		return fmt.Errorf("trip of vehicle %d on day %d after one on day %d: add trips in time order", v, day, r.vdDay[v])
	case r.vdDay[v] < day:
		r.vdDay[v], r.vdIndex[v] = day, int32(len(r.vdVehicle))
		r.vdVehicle = append(r.vdVehicle, v)
		if r.vehicles[v].Behaviour.OfInterest() {
			r.targetVD++
		} else {
			r.innocentVD++
		}
	}
	r.trips = append(r.trips, trip{route: ri, vehicle: v, vd: r.vdIndex[v]})
	b := r.vehicles[v].Behaviour
	if int(b) >= numKinds {
		return fmt.Errorf("vehicle %d has behaviour %v", v, b)
	}
	r.routeTrips[ri][b]++
	return nil
}

// Record runs sim over the window [from, to) and records every trip that
// departs in it, with how each vehicle's mark stands against the
// simulation's hotlist (entries live at from). It asks the simulation for
// trips only, not passages, which is what makes it fast: a county day
// records in about the time the simulator takes to plan it.
//
// A trip counts as passing every link of its route, also a trip still
// under way when the window ends: with whole days from midnight that is
// a few trips in the small hours.
func Record(ctx context.Context, sim *traffic.Sim, from, to time.Time) (*Recording, error) {
	if !from.Before(to) {
		return nil, fmt.Errorf("record traffic: window %v to %v is empty", from, to)
	}
	net := sim.Network()
	r := &Recording{net: net, Seed: sim.Config().Seed, Days: to.Sub(from).Hours() / 24}
	listed := newListing(sim, from)
	routeOf := map[*traffic.Route]int32{}
	// Room for the fleet and the trips expected, so that the slices do
	// not grow (and copy) trip by trip.
	n := len(sim.Fleet())
	r.vehicles, r.vdDay, r.vdIndex = make([]Vehicle, n, n+n/16), make([]int32, n, n+n/16), make([]int32, n, n+n/16)
	for i := range n {
		r.vdDay[i], r.vdIndex[i] = -1, -1
	}
	r.trips = make([]trip, 0, int(float64(sim.Config().TripsPerDay)*max(r.Days, 1)*1.02)+1024)
	_, err := sim.RunWith(ctx, from, to, traffic.RunOptions{
		Links: []traffic.LinkID{}, // no passages: the trips say it all
		Trip: func(t traffic.Trip) error {
			v := int(t.Vehicle.ID)
			for v >= len(r.vehicles) {
				r.AddVehicle(Vehicle{}) // MarkLen 0: not yet seen
			}
			if r.vehicles[v].MarkLen == 0 {
				r.vehicles[v] = listed.vehicle(t.Vehicle)
			}
			ri, ok := routeOf[t.Route]
			if !ok {
				ri = r.addRoute(t.Route.Links)
				routeOf[t.Route] = ri
			}
			return r.addTrip(ri, int32(v), int32(t.Depart.Sub(from)/(24*time.Hour)))
		},
	})
	if err != nil {
		return nil, fmt.Errorf("record traffic (seed %d): %w", r.Seed, err)
	}
	return r, nil
}

// listing answers how a correct read of a mark hits the simulation's
// hotlist: the marks listed and, for matching by confusion, every mark
// one confusable character from a listed one.
type listing struct {
	exact map[string]bool
	near  map[string]bool
}

func newListing(sim *traffic.Sim, at time.Time) *listing {
	conf := vrm.DefaultConfusions()
	l := &listing{exact: map[string]bool{}, near: map[string]bool{}}
	for _, e := range sim.Listings() {
		if !e.Entry.Expires.IsZero() && !e.Entry.Expires.After(at) {
			continue
		}
		l.exact[e.Entry.VRM] = true
	}
	const symbols = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for mark := range l.exact {
		b := []byte(mark)
		for i, orig := range b {
			for _, c := range []byte(symbols) {
				if c != orig && conf.Confusable(rune(orig), rune(c)) {
					b[i] = c
					l.near[string(b)] = true
				}
			}
			b[i] = orig
		}
	}
	return l
}

func (l *listing) vehicle(v *traffic.Vehicle) Vehicle {
	out := Vehicle{Behaviour: v.Behaviour, MarkLen: max(1, len(v.Rear.Text))}
	switch {
	case l.exact[v.Rear.Text]:
		out.Listed = ListedExact
	case l.near[v.Rear.Text]:
		out.Listed = ListedNear
	}
	return out
}
