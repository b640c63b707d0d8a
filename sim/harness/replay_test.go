package harness

import (
	"bytes"
	"context"
	"crypto/sha256"
	"path/filepath"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"anpr/engine/hotlist"
	"anpr/sim/scenario"
)

func openTestReplay(t *testing.T) *Replay {
	t.Helper()
	sc, err := scenario.Parse(filepath.Join("..", "..", "scenarios", "test.yaml"), []byte(`name: replay-test
seed: 3
start: 2026-03-03 09:00
duration: 20m
traffic: {trips_per_day: 100000}
hotlist: {interest_share: 0.1, near_misses: 0}
cameras:
  - {id: north, name: A38 northbound, from: bassetts-pole, to: weeford, width: 640, height: 480, fov_deg: 8, fps: 50}
  - {id: south, from: weeford, to: bassetts-pole, facing: departing, width: 640, height: 480, fov_deg: 8, fps: 50}
render: {share: 0.02, listed: true, max_frames_per_pass: 3}
`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenReplay(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A replay's cameras are the scenario's, with their positions, and each
// shows its passages in the order the camera sees them, the listed
// vehicles' among them; the hotlist it gives lists every one of those.
func TestReplayPassagesInTimeOrderAndListedOnItsHotlist(t *testing.T) {
	r := openTestReplay(t)
	cams := r.Cameras()
	if len(cams) != 2 || cams[0].ID != "north" || cams[0].Name != "A38 northbound" || cams[1].ID != "south" {
		t.Fatalf("cameras %+v, want the scenario's north and south", cams)
	}
	for _, c := range cams {
		if c.Lat < 52 || c.Lat > 53.5 || c.Lon > -1.5 || c.Lon < -2.5 {
			t.Errorf("camera %s at %g, %g: not in Staffordshire", c.ID, c.Lat, c.Lon)
		}
	}
	var listed []ReplayPassage
	for _, c := range cams {
		ps := r.Passages(c.ID)
		if len(ps) == 0 {
			t.Fatalf("camera %s shows no passage", c.ID)
		}
		for i, p := range ps {
			if p.Camera != c.ID || p.Plate == "" || p.Frames == 0 || p.Condition == "" {
				t.Errorf("camera %s passage %d: %+v", c.ID, i, p)
			}
			if i > 0 && p.Seen.Before(ps[i-1].Seen) {
				t.Errorf("camera %s: passage %d seen at %v, before passage %d at %v", c.ID, i, p.Seen, i-1, ps[i-1].Seen)
			}
			if p.Listed {
				listed = append(listed, p)
			}
		}
	}
	if len(listed) == 0 {
		t.Fatal("no listed vehicle's passage shown, though render.listed is set")
	}
	if r.Passages("nowhere") != nil {
		t.Error("passages of a camera the scenario does not have")
	}

	asOf := time.Date(2027, 5, 14, 12, 0, 0, 0, time.UTC) // long after the scenario's window
	var csv bytes.Buffer
	if err := r.WriteHotlist(&csv, asOf); err != nil {
		t.Fatal(err)
	}
	hl, err := hotlist.New(hotlist.Options{Now: func() time.Time { return asOf }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hl.Load(context.Background(), "sim", &csv, hotlist.CSV); err != nil {
		t.Fatal(err)
	}
	for _, p := range listed {
		hit := false
		for _, h := range hl.Match(p.Plate, asOf) {
			hit = hit || h.Entry.VRM == p.Plate
		}
		if !hit {
			t.Errorf("listed vehicle %d (%s) does not hit the replay's hotlist on %s", p.Vehicle, p.Plate, asOf.Format(time.DateOnly))
		}
	}
}

// frameSink keeps a digest of every frame shown, and stops the camera
// after a number of frames.
type frameSink struct {
	frames []string
	limit  int
	stop   func()
}

func (s *frameSink) Show(m gocv.Mat) error {
	sum := sha256.Sum256(m.ToBytes())
	s.frames = append(s.frames, string(sum[:]))
	if len(s.frames) >= s.limit {
		s.stop()
	}
	return nil
}

// A replayed camera shows each passage's frames, then the empty road,
// passage after passage in order, until it is stopped.
func TestReplayCameraShowsPassagesThenTheEmptyRoad(t *testing.T) {
	r := openTestReplay(t)
	want := r.Passages("north")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var shown []ReplayPassage
	const road = 5 // frames of empty road: 100 ms at 50 frames a second
	n := want[0].Frames
	sink := &frameSink{stop: cancel, limit: n + road + want[1].Frames}
	err := r.RunCamera(ctx, "north", sink, ShowOptions{EmptyRoad: 100 * time.Millisecond, Showing: func(p ReplayPassage) { shown = append(shown, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(shown) != 2 || shown[0] != want[0] || shown[1] != want[1] {
		t.Fatalf("shown %+v, want the camera's first two passages %+v", shown, want[:2])
	}
	if len(sink.frames) != sink.limit {
		t.Fatalf("%d frames shown, want %d", len(sink.frames), sink.limit)
	}
	// The vehicle moves through the passage's frames; the empty road after
	// them is one picture, and then the next vehicle comes.
	seen := map[string]bool{}
	for i, f := range sink.frames[:n] {
		if seen[f] {
			t.Errorf("frame %d of the first passage repeats an earlier one", i)
		}
		seen[f] = true
	}
	for i, f := range sink.frames[n : n+road] {
		if seen[f] || f != sink.frames[n] {
			t.Errorf("frame %d after the first passage is not the empty road", n+i)
		}
	}
	if f := sink.frames[n+road]; f == sink.frames[n] {
		t.Error("the second passage's first frame is the empty road")
	}
	if err := r.RunCamera(ctx, "nowhere", sink, ShowOptions{}); err == nil {
		t.Error("a camera the scenario does not have ran")
	}
}
