package planner

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"anpr/sim/siting"
	"anpr/sim/traffic"
)

// numKinds is the number of behaviours, Ordinary included.
const numKinds = int(traffic.Clone) + 1

// Traffic is simulated trips as a map draws them: each route driven and
// how many trips drove it, by behaviour, over Days days. Several seeds'
// days merge into one Traffic, so that its figures a day are means over
// them.
type Traffic struct {
	net  *traffic.Network
	Days float64

	routes []flowRoute
	byKey  map[string]int
}

type flowRoute struct {
	links []traffic.LinkID
	trips [numKinds]float64
}

// NewTraffic returns an empty Traffic of days days on net, for trips added
// with AddTrip.
func NewTraffic(net *traffic.Network, days float64) *Traffic {
	return &Traffic{net: net, Days: days, byKey: map[string]int{}}
}

// Network returns the network the traffic drove on.
func (t *Traffic) Network() *traffic.Network { return t.net }

// AddTrip adds n trips by vehicles of behaviour b along links, which must
// join end to end.
func (t *Traffic) AddTrip(b traffic.Behaviour, links []traffic.LinkID, n float64) error {
	if int(b) >= numKinds {
		return fmt.Errorf("trip by a vehicle of behaviour %v", b)
	}
	if len(links) == 0 {
		return errors.New("trip with no links")
	}
	key := linksKey(links)
	ri, ok := t.byKey[key]
	if !ok {
		for i, id := range links {
			if id < 0 || int(id) >= len(t.net.Links()) {
				return fmt.Errorf("trip: link %d does not exist in network %s", id, t.net.Name)
			}
			if i > 0 && t.net.Link(links[i-1]).To != t.net.Link(id).From {
				return fmt.Errorf("trip: link %d does not start where link %d ends", id, links[i-1])
			}
		}
		t.routes = append(t.routes, flowRoute{links: links})
		ri = len(t.routes) - 1
		t.byKey[key] = ri
	}
	t.routes[ri].trips[b] += n
	return nil
}

func linksKey(links []traffic.LinkID) string {
	b := make([]byte, 0, 4*len(links))
	for _, id := range links {
		b = append(b, byte(id), byte(id>>8), byte(id>>16), byte(id>>24))
	}
	return string(b)
}

// Merge adds o's trips and days to t; both must be on the same network.
func (t *Traffic) Merge(o *Traffic) error {
	if o.net != t.net {
		return fmt.Errorf("merge traffic: %s and %s are different networks", o.net.Name, t.net.Name)
	}
	for _, r := range o.routes {
		for b, n := range r.trips {
			if n != 0 {
				if err := t.AddTrip(traffic.Behaviour(b), r.links, n); err != nil {
					return err
				}
			}
		}
	}
	t.Days += o.Days
	return nil
}

// LinkFlow returns the trips a day (all vehicles) on each link.
func (t *Traffic) LinkFlow() []float64 {
	flow := make([]float64, len(t.net.Links()))
	for _, r := range t.routes {
		var n float64
		for _, k := range r.trips {
			n += k
		}
		for _, id := range r.links {
			flow[id] += n
		}
	}
	if t.Days > 0 {
		for i := range flow {
			flow[i] /= t.Days
		}
	}
	return flow
}

// targets returns the trips on route r of vehicles of interest.
func (r *flowRoute) targets() float64 {
	var n float64
	for b, k := range r.trips {
		if traffic.Behaviour(b).OfInterest() {
			n += k
		}
	}
	return n
}

// RecordTraffic runs sim over [from, to) and keeps every trip departing in
// it, as siting.Record does: a trip counts on every link of its route.
func RecordTraffic(ctx context.Context, sim *traffic.Sim, from, to time.Time) (*Traffic, error) {
	if !from.Before(to) {
		return nil, fmt.Errorf("record traffic: window %v to %v is empty", from, to)
	}
	t := NewTraffic(sim.Network(), to.Sub(from).Hours()/24)
	routeOf := map[*traffic.Route]int{}
	_, err := sim.RunWith(ctx, from, to, traffic.RunOptions{
		Links: []traffic.LinkID{}, // no passages: the trips say it all
		Trip: func(tr traffic.Trip) error {
			ri, ok := routeOf[tr.Route]
			if !ok {
				ri = len(t.routes)
				t.routes = append(t.routes, flowRoute{links: tr.Route.Links})
				routeOf[tr.Route] = ri
			}
			t.routes[ri].trips[tr.Vehicle.Behaviour]++
			return nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("record traffic (seed %d): %w", sim.Config().Seed, err)
	}
	// Routes that the router built twice would be two entries; key them
	// now so that AddTrip and Merge find them.
	merged := NewTraffic(t.net, t.Days)
	for _, r := range t.routes {
		for b, n := range r.trips {
			if n != 0 {
				if err := merged.AddTrip(traffic.Behaviour(b), r.links, n); err != nil {
					return nil, fmt.Errorf("record traffic (seed %d): %w", sim.Config().Seed, err)
				}
			}
		}
	}
	return merged, nil
}

// RecordDay simulates one window of sim twice at once, for the measures
// (siting.Record) and for the map (RecordTraffic). A run depends only on
// the Sim and its window, so both are of the same trips.
func RecordDay(ctx context.Context, sim *traffic.Sim, from, to time.Time) (*siting.Recording, *Traffic, error) {
	var (
		wg   sync.WaitGroup
		rec  *siting.Recording
		errR error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		rec, errR = siting.Record(ctx, sim, from, to)
	}()
	tr, errT := RecordTraffic(ctx, sim, from, to)
	wg.Wait()
	if err := errors.Join(errR, errT); err != nil {
		return nil, nil, err
	}
	return rec, tr, nil
}
