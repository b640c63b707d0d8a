package siting

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"anpr/sim/traffic"
)

// BenchmarkCountyDay is the first speed aim: evaluating a camera
// set over one county day (600,000 trips on the default network) in at
// most 10 s. "record" simulates the day and records every trip's route
// (once per seed, whatever is then evaluated); "evaluate" measures the 16
// sample sites on the recording.
//
//	go test -run '^$' -bench CountyDay -benchtime 3x ./sim/siting/
func BenchmarkCountyDay(b *testing.B) {
	net := staffordshire(b)
	sites, err := LoadSites(defaultSitesPath, net)
	if err != nil {
		b.Fatal(err)
	}
	day := traffic.DefaultEpoch()
	var rec *Recording
	b.Run("record", func(b *testing.B) {
		for b.Loop() {
			sim, err := traffic.New(net, traffic.Config{Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			if rec, err = Record(context.Background(), sim, day, day.Add(24*time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(rec.Trips()), "trips/op")
	})
	if rec == nil {
		rec = record(b, net, 1, 0)
	}
	b.Run("evaluate", func(b *testing.B) {
		for b.Loop() {
			if _, err := Evaluate([]*Recording{rec}, sites, Options{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(sites)), "sites")
	})
}

// BenchmarkOptimise is the second speed aim: optimising over 1,000
// candidate sites in at most 60 s, on one simulated day of 600,000 trips.
// The default network has only 268 candidate links (the sample candidates
// file), so the 1,000 are on a synthetic grid of 16 x 17 towns
// (gridNetwork). Each run chooses 20 sites, with no constraint, under an
// intrusion limit (which adds the non-lazy ranking by gain per innocent
// vehicle) and under a budget; the time includes building the sets from
// the recording.
//
//	go test -run '^$' -bench Optimise -benchtime 3x ./sim/siting/
func BenchmarkOptimise(b *testing.B) {
	staffs := staffordshire(b)
	cands, err := LoadSites(candidatesPath, staffs)
	if err != nil {
		b.Fatal(err)
	}
	grid, err := traffic.ParseNetwork("grid.json", []byte(gridNetwork(16, 17)))
	if err != nil {
		b.Fatal(err)
	}
	gridCands := EveryLink(grid)[:1000]
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range gridCands {
		gridCands[i].Cost = float64(1 + rng.IntN(3))
	}
	for _, nc := range []struct {
		name  string
		net   *traffic.Network
		cands []Site
	}{{"staffordshire-268", staffs, cands}, {"grid-1000", grid, gridCands}} {
		rec := record(b, nc.net, 1, traffic.DefaultTripsPerDay)
		for _, oc := range []struct {
			name string
			opts OptimiseOptions
		}{
			{"k20", OptimiseOptions{K: 20}},
			{"k20-intrusion", OptimiseOptions{K: 20, MaxIntrusion: 0.5 * float64(rec.innocentVD)}},
			{"k20-budget30", OptimiseOptions{K: 20, Budget: 30}},
		} {
			b.Run(nc.name+"/"+oc.name, func(b *testing.B) {
				var plan *Plan
				for b.Loop() {
					if plan, err = Optimise([]*Recording{rec}, nc.cands, oc.opts); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(nc.cands)), "candidates")
				b.ReportMetric(float64(plan.Evaluations), "evaluations")
				b.ReportMetric(100*plan.Capture, "capture%")
			})
		}
	}
}

// gridNetwork is a network of rows x cols towns on a grid about 2 km apart,
// joined by A-roads along every row and column, in four districts.
func gridNetwork(rows, cols int) string {
	var b strings.Builder
	b.WriteString(`{"format": "anpr-road-network/1", "name": "grid", "nodes": [`)
	id := func(r, c int) string { return fmt.Sprintf("n%d-%d", r, c) }
	rng := rand.New(rand.NewPCG(7, 7))
	for r := range rows {
		for c := range cols {
			if r+c > 0 {
				b.WriteString(",")
			}
			district := fmt.Sprintf("D%d", 2*(2*r/rows)+2*c/cols)
			fmt.Fprintf(&b, "\n{\"id\": %q, \"name\": %q, \"lat\": %g, \"lon\": %g, \"district\": %q, \"population\": %d}",
				id(r, c), id(r, c), 52+0.018*float64(r), -2+0.03*float64(c), district, 2000+rng.IntN(40000))
		}
	}
	b.WriteString("\n], \"roads\": [")
	road := func(first bool, ref string, route []string) {
		if !first {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n{\"ref\": %q, \"class\": \"a-road\", \"route\": [\"%s\"]}", ref, strings.Join(route, `", "`))
	}
	for r := range rows {
		var route []string
		for c := range cols {
			route = append(route, id(r, c))
		}
		road(r == 0, fmt.Sprintf("R%d", r), route)
	}
	for c := range cols {
		var route []string
		for r := range rows {
			route = append(route, id(r, c))
		}
		road(false, fmt.Sprintf("C%d", c), route)
	}
	b.WriteString("\n]}")
	return b.String()
}
