package siting

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"anpr/engine/vrm"
	"anpr/sim/traffic"
)

// A site's reads worked out from recorded routes are the passages the
// simulator reports on its link, but for trips still under way when the
// day ends.
func TestRecordMatchesPassages(t *testing.T) {
	net := staffordshire(t)
	sim, err := traffic.New(net, traffic.Config{Seed: 3, TripsPerDay: 40000})
	if err != nil {
		t.Fatal(err)
	}
	from := traffic.DefaultEpoch()
	to := from.Add(24 * time.Hour)
	rec, err := Record(context.Background(), sim, from, to)
	if err != nil {
		t.Fatal(err)
	}
	sites, err := LoadSites(defaultSitesPath, net)
	if err != nil {
		t.Fatal(err)
	}
	var watch []traffic.LinkID
	passages := map[traffic.LinkID]int{}
	for _, s := range sites {
		watch = append(watch, s.Link)
	}
	stats, err := sim.RunWith(context.Background(), from, to, traffic.RunOptions{Links: watch, Passage: func(p traffic.Passage) error {
		passages[p.Link]++
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Trips() != stats.Trips {
		t.Errorf("recorded %d trips, the run made %d", rec.Trips(), stats.Trips)
	}
	rep, err := Evaluate([]*Recording{rec}, sites, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range rep.PerSite {
		reads := siteValue(t, s, "reads_per_day")
		got := float64(passages[sites[i].Link])
		if reads < got || reads > got*1.01+2 {
			t.Errorf("site %s: %g reads from routes, %g passages simulated", s.ID, reads, got)
		}
	}
}

// Each vehicle's standing against the hotlist is the simulation's truth:
// vehicles of interest and clone twins listed, near-miss vehicles one
// confusion away.
func TestRecordListings(t *testing.T) {
	net := staffordshire(t)
	sim, err := traffic.New(net, traffic.Config{Seed: 5, TripsPerDay: 40000})
	if err != nil {
		t.Fatal(err)
	}
	from := traffic.DefaultEpoch()
	rec, err := Record(context.Background(), sim, from, from.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	travelled := func(id traffic.VehicleID) (Vehicle, bool) {
		if id < 0 || int(id) >= len(rec.vehicles) || rec.vdDay[id] < 0 {
			return Vehicle{}, false
		}
		return rec.vehicles[id], true
	}
	counts := map[string]int{}
	for _, l := range sim.Listings() {
		v, ok := travelled(l.Vehicle)
		if !ok {
			continue
		}
		switch {
		case l.Kind == traffic.OfInterest:
			counts["of interest"]++
			if v.Listed != ListedExact || !v.Behaviour.OfInterest() {
				t.Errorf("vehicle of interest %d recorded as %+v", l.Vehicle, v)
			}
			if twin := sim.Fleet()[l.Vehicle].Twin; twin != traffic.NoVehicle {
				if tv, ok := travelled(twin); ok {
					counts["twin"]++
					if tv.Listed != ListedExact || tv.Behaviour.OfInterest() {
						t.Errorf("clone twin %d recorded as %+v", twin, tv)
					}
				}
			}
		case l.Kind == traffic.NearMiss:
			counts["near miss"]++
			if v.Listed != ListedNear || v.Behaviour.OfInterest() {
				t.Errorf("near-miss vehicle %d recorded as %+v", l.Vehicle, v)
			}
		}
	}
	for _, k := range []string{"of interest", "twin", "near miss"} {
		if counts[k] == 0 {
			t.Errorf("no %s vehicle travelled: the test proves nothing", k)
		}
	}
}

// The same seed gives the same measures; another seed other ones.
func TestDeterminism(t *testing.T) {
	net := staffordshire(t)
	sites, err := LoadSites(defaultSitesPath, net)
	if err != nil {
		t.Fatal(err)
	}
	report := func(seeds ...uint64) []byte {
		var recs []*Recording
		for _, s := range seeds {
			recs = append(recs, record(t, net, s, 30000))
		}
		rep, err := Evaluate(recs, sites, Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b, c := report(1, 2), report(1, 2), report(2, 3)
	if !bytes.Equal(a, b) {
		t.Error("the same seeds gave different reports")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same report")
	}
}

// The default read model is what the committed engine evaluation says.
func TestReadModelFromEvaluation(t *testing.T) {
	f, err := os.Open("../../fixtures/models/engine.evaluation.json")
	if err != nil {
		t.Skipf("no engine evaluation: %v", err)
	}
	defer f.Close()
	m, err := ReadModelFromEvaluation(f, vrm.DefaultConfusions())
	if err != nil {
		t.Fatal(err)
	}
	if m != DefaultReadModel() {
		t.Errorf("from the evaluation: %+v; the defaults are %+v", m, DefaultReadModel())
	}
	conf := vrm.DefaultConfusions()
	for _, c := range []struct {
		truth, read string
		want        bool
	}{{"AB12CDE", "A812CDE", true}, {"AB12CDE", "AB12CDE", false}, {"AB12CDE", "AB12CDX", false}, {"AB12CDE", "A812CD", false}, {"AB12CDE", "A812CDF", false}} {
		if got := oneConfusion(c.truth, c.read, conf); got != c.want {
			t.Errorf("oneConfusion(%s, %s) = %v", c.truth, c.read, got)
		}
	}
}
