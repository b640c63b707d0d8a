package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"testing"

	"anpr/sim/scenario"
)

// The plan of a run: every passage at a camera in the window logged,
// rendered or not; a sample of the traffic and every listed vehicle's
// passage rendered, thinned evenly through the window to keep within
// max_passes; each pass weighted by the passages it stands for; frames in
// order and unique at each camera.
func TestPlanThinsEvenlyAndLogsEveryPassage(t *testing.T) {
	sc, err := scenario.Parse(filepath.Join("..", "..", "scenarios", "test.yaml"), []byte(`name: test
seed: 5
start: 2026-03-03 09:00
duration: 30m
traffic: {trips_per_day: 100000}
hotlist: {interest_share: 0.05}
cameras:
  - {id: north, from: bassetts-pole, to: weeford}
  - {id: south, from: weeford, to: bassetts-pole, facing: departing, lanes: [1]}
render: {share: 0.05, listed: true, max_passes: 30, max_frames_per_pass: 5}
`))
	if err != nil {
		t.Fatal(err)
	}
	sim, err := sc.NewTraffic()
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	pl, err := makePlan(context.Background(), sc, sim, &log)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pl.passes); n == 0 || n > 30 {
		t.Fatalf("%d passes rendered, want 1 to 30", n)
	}
	lines, rendered, passages := 0, 0, 0
	sc2 := bufio.NewScanner(&log)
	for sc2.Scan() {
		var r passageRecord
		if err := json.Unmarshal(sc2.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		lines++
		if r.Rendered {
			rendered++
		}
		if r.Trigger.Before(sc.From) || !r.Trigger.Before(sc.To) {
			t.Errorf("passage logged outside the window: %v", r.Trigger)
		}
		if r.Camera == "south" && r.Lane != 1 && r.Skipped != skipLane {
			t.Errorf("a one-lane camera: lane %d passage %q", r.Lane, r.Skipped)
		}
	}
	for _, c := range pl.counts {
		passages += c.Passages
	}
	if lines != passages || rendered != len(pl.passes) {
		t.Errorf("log: %d lines, %d rendered; plan: %d passages, %d rendered", lines, rendered, passages, len(pl.passes))
	}
	// Spread through the window, not the earliest 30.
	third := sc.To.Sub(sc.From) / 3
	var early, late int
	weights := map[bool]float64{}
	for i, pp := range pl.passes {
		switch {
		case pp.capture.Trigger.Before(sc.From.Add(third)):
			early++
		case pp.capture.Trigger.After(sc.To.Add(-third)):
			late++
		}
		forced := pl.listed[pp.capture.Vehicle] || pl.nearMiss[pp.capture.Vehicle]
		weights[forced] = pp.weight
		if len(pp.capture.Frames) == 0 || len(pp.capture.Frames) > 5 || pp.condition != "day" {
			t.Errorf("pass %d: %d frames, condition %s", i, len(pp.capture.Frames), pp.condition)
		}
		if i > 0 && pp.capture.Frames[0].Captured.Before(pl.passes[i-1].capture.Frames[0].Captured) {
			t.Errorf("pass %d starts before pass %d", i, i-1)
		}
	}
	if early == 0 || late == 0 {
		t.Errorf("%d passes in the first third of the window, %d in the last", early, late)
	}
	if weights[true] < 1 || math.Abs(weights[false]/weights[true]-20) > 1e-6 {
		t.Errorf("weights: %v; a sampled pass should stand for 1/share = 20 times a listed one", weights)
	}
	for site := range sc.Sites {
		seen := map[int64]bool{}
		var last *plannedPass
		for _, pp := range pl.passes {
			if pp.site != site {
				continue
			}
			if last != nil && !last.nextStart.Equal(pp.capture.Frames[0].Captured) {
				t.Errorf("camera %d: pass %d's next start %v, the next pass starts %v", site, last.idx, last.nextStart, pp.capture.Frames[0].Captured)
			}
			for _, f := range pp.capture.Frames {
				if seen[f.Captured.UnixNano()] {
					t.Errorf("camera %d: two frames captured at %v", site, f.Captured)
				}
				seen[f.Captured.UnixNano()] = true
			}
			last = pp
		}
		if last != nil && !last.nextStart.IsZero() {
			t.Errorf("camera %d: the last pass has a next start", site)
		}
	}
}
