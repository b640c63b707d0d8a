package harness

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"anpr/engine/detect"
	"anpr/engine/recognise"
	"anpr/sim/dataset"
	"anpr/sim/scene"

	"gocv.io/x/gocv"
)

// The committed detector and reader together, on a fixed set of frames
// from seeds training never used: what a camera frame gives, found and
// read, must not fall below what the models measured when they were made,
// less a margin for the smaller sample (full figures in the README).
func TestCommittedEngineOnFrames(t *testing.T) {
	r := frameRenderer(t)
	rep, err := EvaluateRecogniser(context.Background(), r, openCommittedEngine,
		RecogniserRequest{Condition: EachCondition, Count: 20, EmptyFrames: 200, Seed: 9202})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.PerCondition {
		t.Logf("%-13s %3d/%3d plate-exact (%.1f%%), characters %.1f%%", s.Condition, s.Exact, s.Reads, 100*s.Rate, 100*s.CharAccuracy)
	}
	d := rep.Detection
	t.Logf("detection: %d of %d plates found; %d false plates on %d empty frames, %d on plate frames",
		d.Found, d.Plates, d.FalseOnEmpty, d.EmptyFrames, d.FalseOnPlateFrames)
	if rep.Overall.Reads != 20*len(scene.ConditionNames()) || d.EmptyFrames != 200 {
		t.Fatalf("%d frames with plates and %d without", rep.Overall.Reads, d.EmptyFrames)
	}
	// Every frame's result is listed, those with a plate first, and they
	// add up to the report (models evaluate --per-image writes them).
	if len(rep.Images) != rep.Overall.Reads+d.EmptyFrames {
		t.Fatalf("%d image results for %d frames", len(rep.Images), rep.Overall.Reads+d.EmptyFrames)
	}
	exact, falseOnEmpty := 0, 0
	for i, im := range rep.Images {
		if im.Empty != (i >= rep.Overall.Reads) {
			t.Fatalf("image result %d: empty %v, out of order", i, im.Empty)
		}
		if !im.Empty && im.Read == im.Truth {
			exact++
		}
		if im.Empty {
			falseOnEmpty += len(im.FalsePlates)
		}
	}
	if exact != rep.Overall.Exact || falseOnEmpty != d.FalseOnEmpty {
		t.Errorf("image results: %d exact, %d false on empty frames; the report says %d and %d", exact, falseOnEmpty, rep.Overall.Exact, d.FalseOnEmpty)
	}
	if d.Recall < minFrameRecall {
		t.Errorf("detection recall %.1f%%, below %.0f%%", 100*d.Recall, 100*minFrameRecall)
	}
	if d.FalseOnEmpty > maxFalseOnEmpty {
		t.Errorf("%d false plates on %d empty frames, more than %d", d.FalseOnEmpty, d.EmptyFrames, maxFalseOnEmpty)
	}
	if rep.Overall.Rate < minFrameExact {
		t.Errorf("plate-exact %.1f%% of frames, below %.0f%%", 100*rep.Overall.Rate, 100*minFrameExact)
	}
}

// Floors for TestCommittedEngineOnFrames: a little under what the committed
// models score on this fixed set (198 of 200 plates found, no false plate
// on 200 empty frames nor on plate frames, 192 of 200 read exactly, with
// session 14's detector; with session 15's reader 196 found, 192 exact,
// no false plate; session 9's: 197 found, 1 and 0 false plates, 192
// exact; with the axis-aligned box: 193 found, 183 exact). Set and models are fixed, so the
// floors catch regressions; the margin covers the rare run-to-run
// differences of a read or two (README, Recognition).
const (
	minFrameRecall  = 0.97
	maxFalseOnEmpty = 3
	minFrameExact   = 0.93
)

// A plate the detector outlines a character short (development frames of
// seed 9701; with session 13's detector the one such frame whose second
// look saves it, its outline's right edge 51 px short of a 296 px plate;
// session 14's still outlines it short):
// read from the outline alone it gives WC53JO; the engine's second look,
// cut looser, reads it whole. (The detector before it outlined XR24XRL
// and VO74CSV short, which this test held until then.)
func TestCutShortPlatesAreReadWhole(t *testing.T) {
	r := frameRenderer(t)
	rec, err := openCommittedEngine()
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	for _, c := range []struct {
		condition string
		seed      uint64
		want      string
	}{{"low-sun", 7327222621017195498, "WC53JOA"}} {
		frame, label, err := dataset.RenderWritten(r, scene.KindScene, c.condition, c.seed)
		if err != nil {
			t.Fatal(err)
		}
		plates, err := rec.Recognise(frame)
		first := firstLooks(t, rec, frame, label)
		frame.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(first) == 0 || slices.Contains(first, c.want) {
			t.Fatalf("%s seed %d: the first look reads %v: no longer a plate outlined short, pick other frames", c.condition, c.seed, first)
		}
		if label.Plate != c.want {
			t.Fatalf("%s seed %d renders %s, want %s: the renderer changed, pick other frames", c.condition, c.seed, label.Plate, c.want)
		}
		var read []string
		for _, p := range plates {
			read = append(read, p.Text)
		}
		if len(read) == 0 || read[0] != c.want {
			t.Errorf("%s seed %d: read %v, want %s first", c.condition, c.seed, read, c.want)
		}
	}
}

// firstLooks reads each detection over the labelled plate from its
// outline alone (Rectify's cut), as the engine does before a second look.
func firstLooks(t *testing.T, rec *recognise.Recogniser, frame gocv.Mat, label scene.Label) []string {
	t.Helper()
	found, err := rec.Detect(frame)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, f := range found {
		if detect.IoU(f.Box, label.PlateRect()) < 0.3 {
			continue
		}
		patch, ok := recognise.Rectify(frame, f.Polygon)
		if !ok {
			continue
		}
		read, err := rec.Reader().Read(patch)
		patch.Close()
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, read.Text)
	}
	return texts
}

// frameRenderer renders camera frames as models evaluate --frames does.
func frameRenderer(t *testing.T) *scene.Renderer {
	t.Helper()
	r, err := scene.NewRenderer(scene.Options{AsOf: asOf, MinCharPx: 16})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// openCommittedEngine opens the committed detector and reader.
func openCommittedEngine() (*recognise.Recogniser, error) {
	models := filepath.Join("..", "..", "fixtures", "models")
	return recognise.Open(recognise.Options{DetectorModel: filepath.Join(models, "detector.onnx"),
		ReaderModel: filepath.Join(models, "reader.onnx"), Now: func() time.Time { return asOf }})
}
