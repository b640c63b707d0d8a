package siting

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"anpr/sim/traffic"
	"anpr/sim/traffic/traffictest"
)

// defaultNetworkPath and defaultSitesPath are the committed fixtures, from
// this package.
const (
	defaultNetworkPath = "../../fixtures/networks/staffordshire.json"
	defaultSitesPath   = "../../fixtures/sites/staffordshire-current.json"
	candidatesPath     = "../../fixtures/sites/staffordshire-candidates.json"
	proposalPath       = "../../fixtures/sites/staffordshire-proposal.json"
)

var defaultNet = sync.OnceValues(func() (*traffic.Network, error) { return traffic.LoadNetworkFile(defaultNetworkPath) })

func staffordshire(t testing.TB) *traffic.Network {
	t.Helper()
	net, err := defaultNet()
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// record simulates one day of traffic on net with seed and records it.
func record(t testing.TB, net *traffic.Network, seed uint64, tripsPerDay int) *Recording {
	t.Helper()
	sim, err := traffic.New(net, traffic.Config{Seed: seed, TripsPerDay: tripsPerDay})
	if err != nil {
		t.Fatal(err)
	}
	day := traffic.DefaultEpoch()
	rec, err := Record(context.Background(), sim, day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// toyNetwork is traffictest.Toy: a line a-b-c-d with a branch b-e, links
// 0 a→b, 1 b→a, 2 b→c, 3 c→b, 4 c→d, 5 d→c, 6 b→e, 7 e→b.
func toyNetwork(t testing.TB) *traffic.Network { return traffictest.Toy(t) }

// toyTrip is a trip for a hand-made recording.
type toyTrip struct {
	vehicle, day int
	links        []traffic.LinkID
}

// toyRecording builds a recording by hand.
func toyRecording(t testing.TB, net *traffic.Network, seed uint64, days int, vehicles []Vehicle, trips []toyTrip) *Recording {
	t.Helper()
	rec := NewRecording(net, days)
	rec.Seed = seed
	for _, v := range vehicles {
		rec.AddVehicle(v)
	}
	for _, tr := range trips {
		if err := rec.AddTrip(tr.vehicle, tr.day, tr.links); err != nil {
			t.Fatal(err)
		}
	}
	return rec
}

func links(ids ...int) []traffic.LinkID {
	out := make([]traffic.LinkID, len(ids))
	for i, id := range ids {
		out[i] = traffic.LinkID(id)
	}
	return out
}

// value returns the mean of a report's measure, failing if it is missing.
func value(t testing.TB, r *Report, key string) float64 {
	t.Helper()
	m, ok := r.Measure(key)
	if !ok {
		t.Fatalf("no measure %q", key)
	}
	return m.Mean
}

func siteValue(t testing.TB, s SiteReport, key string) float64 {
	t.Helper()
	m, ok := s.Measure(key)
	if !ok {
		t.Fatalf("site %s: no measure %q", s.ID, key)
	}
	return m.Mean
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b)) }
