package harness

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"anpr/engine/ocr"
	"anpr/engine/recognise"
)

// slowRecogniser stands in for an engine that cannot keep up: it takes
// delay over every frame and finds the same plate in each.
type slowRecogniser struct{ delay time.Duration }

func (s slowRecogniser) Recognise(gocv.Mat) ([]recognise.Plate, error) {
	time.Sleep(s.delay)
	return []recognise.Plate{{Read: ocr.Read{Text: "AB12CDE", Confidence: 0.9}, Box: [4]int{100, 100, 120, 30}, DetectionScore: 0.9}}, nil
}

func (slowRecogniser) Close() error { return nil }

// smallLoad is a load run small enough for a unit test.
func smallLoad() LoadOptions {
	return LoadOptions{Condition: "day", Seed: 5, Width: 640, Height: 360, AsOf: asOf,
		Passes: 2, FramesPerPass: 3, Gap: 2, Workers: 1}
}

// An engine far slower than its cameras breaks the bound at once: frames
// are dropped, oldest first, and every one is counted (each frame offered
// is either processed or dropped), the run goes on for the steps past the
// bound, every camera is still served, and no read is lost on the way to
// the sink.
func TestLoadCountsDroppedFramesWhenTheEngineFallsBehind(t *testing.T) {
	o := smallLoad()
	o.FPS, o.StepDuration, o.MaxCameras = 40, 600*time.Millisecond, 5
	o.Open = func() (FrameRecogniser, error) { return slowRecogniser{delay: 100 * time.Millisecond}, nil }
	var progress []LoadStep
	o.Progress = func(st LoadStep) { progress = append(progress, st) }
	rep, err := Load(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Steps) != 3 || len(progress) != 3 {
		t.Fatalf("%d steps (%d reported as they ended), want 3: the one that broke the bound and two past it", len(rep.Steps), len(progress))
	}
	for i, st := range rep.Steps {
		t.Log(st)
		if st.Cameras != i+1 {
			t.Errorf("step %d ran %d cameras, want %d", i+1, st.Cameras, i+1)
		}
		if st.Offered != st.Processed+st.Dropped || st.Latency.N != st.Processed {
			t.Errorf("%d cameras: %d frames offered, %d processed, %d dropped, %d latencies: frames unaccounted for",
				st.Cameras, st.Offered, st.Processed, st.Dropped, st.Latency.N)
		}
		if st.Dropped == 0 || st.MetBound || !strings.Contains(st.Broke, "dropped") {
			t.Errorf("%d cameras: %d dropped, met bound %v (%q): an engine this slow must drop frames and break the bound",
				st.Cameras, st.Dropped, st.MetBound, st.Broke)
		}
		if st.ReadsEmitted < st.Cameras {
			t.Errorf("%d cameras gave %d reads: a camera was never served", st.Cameras, st.ReadsEmitted)
		}
		if st.ReadsDelivered != st.ReadsEmitted {
			t.Errorf("%d cameras: %d reads emitted, %d delivered", st.Cameras, st.ReadsEmitted, st.ReadsDelivered)
		}
	}
	if rep.MostCameras != 0 || rep.BrokeAt != 1 || rep.CamerasPerCore != 0 || rep.ReadsLost != 0 {
		t.Errorf("most %d, broke at %d, %g per core, %d reads lost", rep.MostCameras, rep.BrokeAt, rep.CamerasPerCore, rep.ReadsLost)
	}
	if s := rep.Summary(); !strings.Contains(s, "did not sustain") || !strings.Contains(s, "no read lost") {
		t.Errorf("summary %q", s)
	}
}

// The real engine, a few frames a second on two cameras: each step is
// recorded with every frame accounted for and every read delivered.
// (Whether it meets the bound here is a matter of the machine: timings
// belong to `anpr sim load`, not to a unit test.)
func TestLoadRunsTheEngine(t *testing.T) {
	o := smallLoad()
	o.FPS, o.StepDuration, o.MaxCameras = 3, 1500*time.Millisecond, 2
	o.Engine = recognise.Options{DetectorModel: filepath.Join("..", "..", "fixtures", "models", "detector.onnx"),
		ReaderModel: filepath.Join("..", "..", "fixtures", "models", "reader.onnx"), Threshold: 0.3,
		Now: func() time.Time { return asOf }}
	rep, err := Load(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Steps) == 0 || len(rep.Steps) > 2 {
		t.Fatalf("%d steps, want 1 or 2", len(rep.Steps))
	}
	reads := 0
	for _, st := range rep.Steps {
		t.Log(st)
		if st.Offered == 0 || st.Offered != st.Processed+st.Dropped || st.PassesShown < st.Cameras {
			t.Errorf("%d cameras: %d frames offered, %d processed, %d dropped, %d passes shown",
				st.Cameras, st.Offered, st.Processed, st.Dropped, st.PassesShown)
		}
		if st.ReadsDelivered != st.ReadsEmitted {
			t.Errorf("%d cameras: %d reads emitted, %d delivered", st.Cameras, st.ReadsEmitted, st.ReadsDelivered)
		}
		reads += st.ReadsEmitted
	}
	if reads == 0 {
		t.Error("the engine read no plate in any step")
	}
	if rep.Settings.Workers != 1 || rep.Settings.ReaderModel == "" || rep.Cores == 0 {
		t.Errorf("settings %+v, %d cores", rep.Settings, rep.Cores)
	}
	t.Log(rep.Summary())
}

func TestLoadRefusesBadOptions(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*LoadOptions)
	}{
		{"unknown condition", func(o *LoadOptions) { o.Condition = "snow" }},
		{"drop share of one", func(o *LoadOptions) { o.MaxDropShare = 1 }},
		{"negative frame rate", func(o *LoadOptions) { o.FPS = -1 }},
		{"negative workers", func(o *LoadOptions) { o.Workers = -2 }},
		{"frames too small", func(o *LoadOptions) { o.Width, o.Height = 10, 10 }},
	} {
		o := smallLoad()
		o.Open = func() (FrameRecogniser, error) { return slowRecogniser{}, nil }
		c.edit(&o)
		if _, err := Load(context.Background(), o); !errors.Is(err, ErrBadLoad) {
			t.Errorf("%s: %v, want ErrBadLoad", c.name, err)
		}
	}
}
