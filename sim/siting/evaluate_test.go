package siting

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"anpr/sim/traffic"
)

// The toy day, worked out by hand below. Links: 0 a→b, 1 b→a, 2 b→c,
// 3 c→b, 4 c→d, 5 d→c, 6 b→e, 7 e→b.
var (
	toyVehicles = []Vehicle{
		{Behaviour: traffic.Ordinary, MarkLen: 7},                                // 0
		{Behaviour: traffic.Ordinary, MarkLen: 7},                                // 1
		{Behaviour: traffic.Stolen, Listed: ListedExact, MarkLen: 7},             // 2
		{Behaviour: traffic.TravellingCriminal, Listed: ListedExact, MarkLen: 7}, // 3
		{Behaviour: traffic.Ordinary, Listed: ListedNear, MarkLen: 7},            // 4: one confusion from a listed mark
		{Behaviour: traffic.Ordinary, Listed: ListedExact, MarkLen: 7},           // 5: a clone's twin
	}
	toyTrips = []toyTrip{
		{0, 0, links(0, 2, 4)}, // t1 a→d
		{0, 0, links(5, 3, 1)}, // t2 d→a
		{1, 0, links(0)},       // t3 a→b
		{2, 0, links(0, 2)},    // t4 a→c, stolen
		{2, 0, links(3, 6)},    // t5 c→e, stolen
		{3, 0, links(7, 2, 4)}, // t6 e→d, travelling criminal
		{4, 0, links(2)},       // t7 b→c
		{5, 0, links(5)},       // t8 d→c
	}
	// S1 on b→c, S2 on c→d, S3 on a→b. Cameras per trip: t1 3, t2 0,
	// t3 1 (S3), t4 2 (S3, S1), t5 0, t6 2 (S1, S2), t7 1 (S1), t8 0.
	toySites = []Site{{ID: "S1", Link: 2, Cost: 1}, {ID: "S2", Link: 4, Cost: 1}, {ID: "S3", Link: 0, Cost: 1}}
	toyModel = ReadModel{Accuracy: 0.8, SingleConfusion: 0.5, MinutesPerAlert: 3}
)

func TestEvaluateByHand(t *testing.T) {
	net := toyNetwork(t)
	rec := toyRecording(t, net, 1, 1, toyVehicles, toyTrips)
	rep, err := Evaluate([]*Recording{rec}, toySites, Options{Read: toyModel})
	if err != nil {
		t.Fatal(err)
	}
	hitListed := 0.8 + 0.2*0.5      // 0.9
	hitNear := 0.8 + 0.2*0.5/7      // a correct read, or a misread at the one character
	alerted := 1 - math.Pow(0.1, 2) // t4 and t6 each pass two cameras
	want := map[string]float64{
		"traffic.trips_per_day":         8,
		"traffic.target_trips_per_day":  3,
		"traffic.twin_vehicles_per_day": 1,
		"traffic.near_vehicles_per_day": 1,
		// Target trips t4, t5, t6: t4 and t6 seen, both by two cameras.
		"capture.all.one":                     2.0 / 3,
		"capture.all.two":                     2.0 / 3,
		"capture.all.alerted":                 2 * alerted / 3,
		"capture.stolen.one":                  0.5,
		"capture.stolen.two":                  0.5,
		"capture.stolen.alerted":              alerted / 2,
		"capture.travelling-criminal.one":     1,
		"capture.travelling-criminal.alerted": alerted,
		"capture.target_vehicles_share":       1,
		"capture.target_vehicles_per_day":     2,
		// Innocent reads: t1 3, t3 1, t7 1. Innocent vehicles recorded:
		// 0, 1 and 4 of the four on the road (5 passes no camera).
		"intrusion.innocent_reads_per_day":    5,
		"intrusion.innocent_vehicles_per_day": 3,
		"intrusion.innocent_share":            0.75,
		"intrusion.reads_per_target_trip":     2.5,
		// Four reads of targets; one of the near vehicle; none of the twin.
		"alerts.true_per_day":                       4 * hitListed,
		"alerts.clone_twin_per_day":                 0,
		"alerts.misread_per_day":                    hitNear,
		"alerts.false_per_day":                      hitNear,
		"alerts.total_per_day":                      4*hitListed + hitNear,
		"alerts.false_share":                        hitNear / (4*hitListed + hitNear),
		"alerts.missed_target_reads_per_day":        4 * 0.1,
		"alerts.operator_hours_per_day":             (4*hitListed + hitNear) * 3 / 60,
		"proportionality.targets_per_1000_innocent": 1000 * 2.0 / 3,
		"proportionality.road_per_1000_innocent":    1000 * 2.0 / 4,
	}
	for key, w := range want {
		if got := value(t, rep, key); !near(got, w) {
			t.Errorf("%s = %g, want %g", key, got, w)
		}
	}
	if m, _ := rep.Measure("capture.night-runner.one"); m.N != 0 {
		t.Errorf("capture of night runners, of whom there are none, is defined: %+v", m)
	}

	type siteWant struct {
		reads, targetTrips, innocent, targets, necessity, duplication, soleInnocent, alerts, falseAlerts float64
		repeatedBy                                                                                       string
		repeated                                                                                         float64
	}
	sites := map[string]siteWant{
		// S1 sees t1, t4, t6, t7; only t7 (vehicle 4) sees no other camera.
		"S1": {4, 2, 2, 2, 0, 0.75, 1, 2*hitListed + hitNear, hitNear, "S2", 0.5},
		// S2 sees t1 and t6, both also seen by S1: a redundant camera.
		"S2": {2, 1, 1, 1, 0, 1, 0, hitListed, 0, "S1", 1},
		// S3 sees t1, t3, t4; vehicle 1 (t3) is recorded only here.
		"S3": {3, 1, 2, 1, 0, 2.0 / 3, 1, hitListed, 0, "S1", 2.0 / 3},
	}
	for _, s := range rep.PerSite {
		w := sites[s.ID]
		for key, v := range map[string]float64{
			"reads_per_day": w.reads, "target_trips_per_day": w.targetTrips, "innocent_vehicles_per_day": w.innocent,
			"target_vehicles_per_day": w.targets, "necessity_per_day": w.necessity, "duplication": w.duplication,
			"sole_innocent_per_day": w.soleInnocent, "alerts_per_day": w.alerts, "false_alerts_per_day": w.falseAlerts,
		} {
			if got := siteValue(t, s, key); !near(got, v) {
				t.Errorf("%s %s = %g, want %g", s.ID, key, got, v)
			}
		}
		if s.RepeatedMostBy != w.repeatedBy || !near(s.RepeatedShare.Mean, w.repeated) {
			t.Errorf("%s repeated most by %s (%g), want %s (%g)", s.ID, s.RepeatedMostBy, s.RepeatedShare.Mean, w.repeatedBy, w.repeated)
		}
		if s.District == "" || s.Location != nil || s.Name != "" {
			t.Errorf("%s: district %q, location %v, name %q: want a district and no location without WithLocations", s.ID, s.District, s.Location, s.Name)
		}
	}
	if strings.Join(rep.Duplicated, ",") != "S2" {
		t.Errorf("duplicated %v, want [S2]", rep.Duplicated)
	}
	// The only gap: t5, stolen, c→e, both in South.
	if len(rep.Gaps) != 1 || rep.Gaps[0].From != "South" || rep.Gaps[0].To != "South" || rep.Gaps[0].TargetTripsPerDay.Mean != 1 ||
		len(rep.Gaps[0].Kinds) != 1 || rep.Gaps[0].Kinds[0].Kind != "stolen" {
		t.Errorf("gaps %+v, want one stolen trip South to South", rep.Gaps)
	}
}

// Without the redundant camera S2 nothing is lost, and S1 becomes the only
// camera travelling criminal t6 passes: necessary.
func TestNecessityWithoutRedundantCamera(t *testing.T) {
	net := toyNetwork(t)
	rec := toyRecording(t, net, 1, 1, toyVehicles, toyTrips)
	all, err := Evaluate([]*Recording{rec}, toySites, Options{Read: toyModel})
	if err != nil {
		t.Fatal(err)
	}
	two, err := Evaluate([]*Recording{rec}, []Site{toySites[0], toySites[2]}, Options{Read: toyModel})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := value(t, all, "capture.all.one"), value(t, two, "capture.all.one"); a != b {
		t.Errorf("capture %g with S2, %g without: a redundant camera's removal should lose nothing", a, b)
	}
	if got := value(t, two, "capture.all.two"); !near(got, 1.0/3) {
		t.Errorf("seen by two cameras without S2: %g, want 1/3 (t4 only)", got)
	}
	s1 := two.PerSite[0]
	if got := siteValue(t, s1, "necessity_per_day"); got != 1 {
		t.Errorf("S1 necessity without S2: %g target trips a day, want 1 (t6)", got)
	}
	if got := siteValue(t, s1, "necessity_share"); got != 0.5 {
		t.Errorf("S1 necessity share without S2: %g, want 0.5 (t6 of t4, t6)", got)
	}
	if got := siteValue(t, s1, "sole_targets_per_day"); got != 1 {
		t.Errorf("S1 sole targets: %g, want 1 (vehicle 3)", got)
	}
	if len(two.Duplicated) != 0 {
		t.Errorf("duplicated without S2: %v, want none", two.Duplicated)
	}
}

func TestEvaluateWithLocations(t *testing.T) {
	net := toyNetwork(t)
	rec := toyRecording(t, net, 1, 1, toyVehicles, toyTrips)
	sites := []Site{{ID: "S1", Name: "B to C", Link: 2, Cost: 1}}
	hidden, err := Evaluate([]*Recording{rec}, sites, Options{})
	if err != nil {
		t.Fatal(err)
	}
	shown, err := Evaluate([]*Recording{rec}, sites, Options{WithLocations: true})
	if err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	json.NewEncoder(&js).Encode(hidden)
	for _, leak := range []string{"B to C", `"b"`, `"c"`, "location", `"link"`} {
		if strings.Contains(js.String(), leak) {
			t.Errorf("report without locations holds %s: %s", leak, js.String())
		}
	}
	if loc := shown.PerSite[0].Location; loc == nil || loc.From != "b" || loc.To != "c" || shown.PerSite[0].Name != "B to C" {
		t.Errorf("with locations: %+v", shown.PerSite[0])
	}
	// Gaps by zone with locations: the trips no camera on b→c sees.
	for _, g := range shown.Gaps {
		if _, ok := net.NodeIndex(g.From); !ok {
			t.Errorf("gap from %q: want a zone id with locations", g.From)
		}
	}
}

// Two days: distinct vehicles count once a day, per-day figures halve.
func TestEvaluateTwoDays(t *testing.T) {
	net := toyNetwork(t)
	vehicles := []Vehicle{{Behaviour: traffic.Ordinary, MarkLen: 7}, {Behaviour: traffic.Stolen, Listed: ListedExact, MarkLen: 7}}
	rec := toyRecording(t, net, 1, 2, vehicles, []toyTrip{
		{0, 0, links(0, 2)}, {0, 0, links(3, 1)}, {1, 0, links(0)},
		{0, 1, links(0, 2)},
	})
	rep, err := Evaluate([]*Recording{rec}, []Site{{ID: "S", Link: 0}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Vehicle 0 recorded on both days (twice the first), vehicle 1 once.
	for key, w := range map[string]float64{
		"intrusion.innocent_vehicles_per_day": 1, "intrusion.innocent_reads_per_day": 1,
		"capture.target_vehicles_per_day": 0.5, "traffic.trips_per_day": 2,
	} {
		if got := value(t, rep, key); !near(got, w) {
			t.Errorf("%s = %g, want %g", key, got, w)
		}
	}
}

func TestEvaluateRefuses(t *testing.T) {
	net := toyNetwork(t)
	rec := toyRecording(t, net, 1, 1, toyVehicles, toyTrips)
	for name, sites := range map[string][]Site{
		"link that does not exist": {{ID: "S1", Link: 99}},
		"id given twice":           {{ID: "S1", Link: 0}, {ID: "S1", Link: 2}},
		"empty id":                 {{Link: 0}},
	} {
		if _, err := Evaluate([]*Recording{rec}, sites, Options{}); err == nil {
			t.Errorf("%s: evaluated", name)
		}
	}
	if _, err := Evaluate(nil, toySites, Options{}); err == nil {
		t.Error("no recordings: evaluated")
	}
	if _, err := Evaluate([]*Recording{rec}, toySites, Options{Read: ReadModel{Accuracy: 1.5}}); err == nil {
		t.Error("accuracy 1.5: evaluated")
	}
}

func TestAddTripRefuses(t *testing.T) {
	net := toyNetwork(t)
	rec := NewRecording(net, 1)
	v := rec.AddVehicle(Vehicle{MarkLen: 7})
	for name, tr := range map[string]toyTrip{
		"links that do not join": {v, 0, links(0, 4)},
		"link that is not there": {v, 0, links(0, 99)},
		"no links":               {v, 0, nil},
		"vehicle not there":      {v + 1, 0, links(0)},
		"day beyond the period":  {v, 1, links(0)},
	} {
		if err := rec.AddTrip(tr.vehicle, tr.day, tr.links); err == nil {
			t.Errorf("%s: added", name)
		}
	}
}

func TestEstimate(t *testing.T) {
	// Mean 2, sd 1, n 3: t(0.975, 2) = 4.302653, half-width 4.302653/sqrt(3).
	e := estimate([]float64{1, 2, 3}, unbounded)
	half := 4.302652729911275 / math.Sqrt(3)
	if !near(e.Mean, 2) || !near(e.Low, 2-half) || !near(e.High, 2+half) || e.N != 3 {
		t.Errorf("estimate of 1, 2, 3: %+v, want 2 ± %g", e, half)
	}
	if e := estimate([]float64{0.9, 1, 1}, unitRange); e.High != 1 {
		t.Errorf("share interval above 1: %+v", e)
	}
	if e := estimate([]float64{0, 10}, nonNegative); e.Low != 0 {
		t.Errorf("count interval below 0: %+v", e)
	}
	if e := estimate([]float64{math.NaN(), 4}, unbounded); e.N != 1 || e.Mean != 4 || e.HasInterval() {
		t.Errorf("one defined seed: %+v", e)
	}
	b, _ := json.Marshal(estimate([]float64{5}, unbounded))
	if string(b) != `{"mean":5,"seeds":1}` {
		t.Errorf("one seed as JSON: %s", b)
	}
}

// A seed in which no other site repeats a site's captures counts as 0, not
// as missing.
func TestRepeatedShareOverSeeds(t *testing.T) {
	net := toyNetwork(t)
	v := []Vehicle{{MarkLen: 7}}
	both := toyRecording(t, net, 1, 1, v, []toyTrip{{0, 0, links(0, 2)}})
	one := toyRecording(t, net, 2, 1, v, []toyTrip{{0, 0, links(0)}})
	rep, err := Evaluate([]*Recording{both, one}, []Site{{ID: "S1", Link: 0}, {ID: "S2", Link: 2}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := rep.PerSite[0], rep.PerSite[1]
	if s1.RepeatedMostBy != "S2" || s1.RepeatedShare.Mean != 0.5 || s1.RepeatedShare.N != 2 {
		t.Errorf("S1 repeated by %s, %+v: want S2, 0.5 over two seeds", s1.RepeatedMostBy, s1.RepeatedShare)
	}
	// S2 captures nothing in the second seed: its share is defined by the first alone.
	if s2.RepeatedMostBy != "S1" || s2.RepeatedShare.Mean != 1 || s2.RepeatedShare.N != 1 {
		t.Errorf("S2 repeated by %s, %+v: want S1, 1 over one seed", s2.RepeatedMostBy, s2.RepeatedShare)
	}
}
