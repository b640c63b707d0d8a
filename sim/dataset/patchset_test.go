package dataset

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"anpr/engine/detect"
	"anpr/engine/ocr"
	"anpr/engine/recognise"
	"anpr/sim/scene"
)

var detectorModel = filepath.Join("..", "..", "fixtures", "models", "detector.onnx")

func openDetector() (*detect.Detector, error) { return detect.Open(detectorModel, detect.Options{}) }

// Engine patches are the plate cut from a rendered frame exactly as the
// engine cuts it for its reader, once for each of its cuts, labelled with
// the frame's plate.
func TestEnginePatchSetCutsPlatesAsTheEngineDoes(t *testing.T) {
	r := newRenderer(t)
	dir := t.TempDir()
	q := Request{Condition: "day", Count: 8, Seed: 77, Dir: dir, SplitLines: true, Workers: 2}
	if err := WriteEnginePatchSet(context.Background(), r, q, openDetector); err != nil {
		t.Fatal(err)
	}
	var meta ReaderMetaInfo
	raw, err := os.ReadFile(filepath.Join(dir, ReaderMeta))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		t.Fatal(err)
	}
	images, err := os.ReadFile(filepath.Join(dir, ReaderImages))
	if err != nil {
		t.Fatal(err)
	}
	labels := readLines(t, filepath.Join(dir, ReaderLabels))
	size := ocr.InputWidth * ocr.InputHeight
	if !meta.EnginePatches || meta.Frames != 8 || meta.Count != len(labels) || len(images) != meta.Count*size {
		t.Fatalf("meta %+v, %d labels, %d image bytes", meta, len(labels), len(images))
	}
	// Day-light plates of 12 px and up: the detector finds nearly all.
	if meta.Count < 6*len(recognise.Cuts) || meta.Count > 8*len(recognise.Cuts) {
		t.Errorf("%d patches from 8 frames, want 18 to 24", meta.Count)
	}

	// The first frame, cut here the engine's way, gives the first patches.
	frame, label, err := RenderWritten(r, scene.KindScene, "day", scene.ImageSeed(77, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer frame.Close()
	d, err := openDetector()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	found, err := d.Detect(frame)
	if err != nil {
		t.Fatal(err)
	}
	plate := plateDetection(found, label)
	if plate < 0 {
		t.Fatalf("frame 0: the detector missed %s; pick another seed", label.Plate)
	}
	for i, m := range recognise.Cuts {
		patch, ok := recognise.RectifyWith(frame, found[plate].Polygon, m)
		if !ok {
			t.Fatalf("cut %d: not rectified", i)
		}
		want, err := readerInput(patch, true)
		patch.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(images[i*size:(i+1)*size], want) || labels[i] != label.Plate {
			t.Errorf("patch %d (%s) is not frame 0's plate cut with margins %+v", i, labels[i], m)
		}
	}
}

// A detector that cannot be opened stops the set before anything is
// written as complete.
func TestEnginePatchSetNeedsADetector(t *testing.T) {
	dir := t.TempDir()
	broken := func() (*detect.Detector, error) { return nil, errors.New("no detector here") }
	err := WriteEnginePatchSet(context.Background(), newRenderer(t), Request{Condition: "day", Count: 2, Seed: 1, Dir: dir}, broken)
	if err == nil || !strings.Contains(err.Error(), "no detector here") {
		t.Fatalf("err %v, want the detector's error", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ReaderMeta)); !os.IsNotExist(err) {
		t.Errorf("meta.json written for a set that was never made (%v)", err)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(raw))
}
