package traffic_test

import (
	"context"
	"fmt"
	"time"

	"anpr/sim/traffic"
)

func ExampleRouter_Route() {
	net, err := traffic.LoadNetworkFile("../../fixtures/networks/staffordshire.json")
	if err != nil {
		panic(err)
	}
	r := traffic.NewRouter(net, traffic.RouterOptions{})
	from, _ := net.NodeIndex("stafford")
	to, _ := net.NodeIndex("stoke-hanley")
	route, _ := r.Route(from, to)
	for _, id := range route.Links {
		fmt.Println(net.LinkName(id))
	}
	fmt.Println(route.Duration().Round(time.Minute))
	// Output:
	// A34 Stafford → M6 J14 (Stafford north, A34/A5013)
	// M6 M6 J14 (Stafford north, A34/A5013) → M6 J15 (Hanford, A500/A519)
	// A500 M6 J15 (Hanford, A500/A519) → Trentham and Hanford (A34/A500)
	// A500 Trentham and Hanford (A34/A500) → Stoke (A500/A50 Queensway)
	// A500 Stoke (A500/A50 Queensway) → Etruria (A500/A53)
	// A53 Etruria (A500/A53) → Hanley (Stoke-on-Trent)
	// 19m0s
}

// Count the vehicles a camera on the A5 at Norton Canes would see in the
// morning peak, and how many of them are of interest.
func ExampleSim_RunWith() {
	net, err := traffic.LoadNetworkFile("../../fixtures/networks/staffordshire.json")
	if err != nil {
		panic(err)
	}
	sim, err := traffic.New(net, traffic.Config{Seed: 1, TripsPerDay: 100000})
	if err != nil {
		panic(err)
	}
	camera, _ := net.FindLink("norton-canes", "ext-brownhills")
	from := traffic.DefaultEpoch().Add(7 * time.Hour)
	seen, ofInterest := 0, 0
	_, err = sim.RunWith(context.Background(), from, from.Add(2*time.Hour), traffic.RunOptions{
		Links: []traffic.LinkID{camera},
		Passage: func(p traffic.Passage) error {
			seen++
			if p.Vehicle.Behaviour.OfInterest() {
				ofInterest++
			}
			return nil
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(seen > 0, ofInterest <= seen)
	// Output: true true
}
