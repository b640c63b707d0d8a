package planner

import (
	"context"
	"sync"
	"testing"
	"time"

	"anpr/sim/siting"
	"anpr/sim/traffic"
	"anpr/sim/traffic/traffictest"
)

// The committed fixtures, from this package.
const (
	defaultNetworkPath = "../../fixtures/networks/staffordshire.json"
	currentSitesPath   = "../../fixtures/sites/staffordshire-current.json"
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

// smallDay is a small simulated day on the default network (5,000 trips),
// recorded once for the tests that need real traffic.
var smallDay = sync.OnceValues(func() (*smallDayData, error) {
	net, err := defaultNet()
	if err != nil {
		return nil, err
	}
	sim, err := traffic.New(net, traffic.Config{Seed: 7, TripsPerDay: 5000})
	if err != nil {
		return nil, err
	}
	day := traffic.DefaultEpoch()
	rec, tr, err := RecordDay(context.Background(), sim, day, day.Add(24*time.Hour))
	if err != nil {
		return nil, err
	}
	return &smallDayData{rec: rec, traffic: tr}, nil
})

type smallDayData struct {
	rec     *siting.Recording
	traffic *Traffic
}

func recordedDay(t testing.TB) *smallDayData {
	t.Helper()
	d, err := smallDay()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func currentSites(t testing.TB, net *traffic.Network) []siting.Site {
	t.Helper()
	sites, err := siting.LoadSites(currentSitesPath, net)
	if err != nil {
		t.Fatal(err)
	}
	return sites
}

// toyNetwork is traffictest.Toy: a line a-b-c-d with a branch b-e, links
// 0 a→b, 1 b→a, 2 b→c, 3 c→b, 4 c→d, 5 d→c, 6 b→e, 7 e→b.
func toyNetwork(t testing.TB) *traffic.Network { return traffictest.Toy(t) }

// handTrip is n trips of one kind along links, for a hand-made day.
type handTrip struct {
	kind  traffic.Behaviour
	n     int
	links []traffic.LinkID
}

// handDay records trips by hand twice, as the measures and as the map
// keep them: each trip by a vehicle of its own.
func handDay(t testing.TB, net *traffic.Network, days int, trips []handTrip) (*siting.Recording, *Traffic) {
	t.Helper()
	rec := siting.NewRecording(net, days)
	tr := NewTraffic(net, float64(days))
	for _, ht := range trips {
		for range ht.n {
			listed := siting.NotListed
			if ht.kind.OfInterest() {
				listed = siting.ListedExact
			}
			v := rec.AddVehicle(siting.Vehicle{Behaviour: ht.kind, Listed: listed, MarkLen: 7})
			if err := rec.AddTrip(v, 0, ht.links); err != nil {
				t.Fatal(err)
			}
		}
		if err := tr.AddTrip(ht.kind, ht.links, float64(ht.n)); err != nil {
			t.Fatal(err)
		}
	}
	return rec, tr
}

func ids(ids ...int) []traffic.LinkID {
	out := make([]traffic.LinkID, len(ids))
	for i, id := range ids {
		out[i] = traffic.LinkID(id)
	}
	return out
}

// toyDay is the hand-made day of the toy network: two stolen cars a→b→c,
// an uninsured one b→c, five ordinary cars a→b and a clone d→c→b→e.
func toyDay(t testing.TB, days int) (*traffic.Network, *siting.Recording, *Traffic) {
	t.Helper()
	net := toyNetwork(t)
	rec, tr := handDay(t, net, days, []handTrip{
		{traffic.Stolen, 2, ids(0, 2)},
		{traffic.Uninsured, 1, ids(2)},
		{traffic.Ordinary, 5, ids(0)},
		{traffic.Clone, 1, ids(5, 3, 6)},
	})
	return net, rec, tr
}

func mustFit(t testing.TB, net *traffic.Network) Projection {
	t.Helper()
	l := DefaultLayout()
	p, err := Fit(net, l.Map, l.Margin)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
