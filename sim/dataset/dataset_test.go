package dataset

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"anpr/sim/scene"
)

func newRenderer(t *testing.T) *scene.Renderer {
	t.Helper()
	r, err := scene.NewRenderer(scene.Options{AsOf: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

func readLabels(t *testing.T, dir string) []scene.Label {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, LabelsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []scene.Label
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l scene.Label
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("label line %d: %v", len(out)+1, err)
		}
		out = append(out, l)
	}
	return out
}

func TestWriteGivesOneLabelPerImageInOrder(t *testing.T) {
	r := newRenderer(t)
	dir := t.TempDir()
	if err := Write(context.Background(), r, Request{Kind: scene.KindCrop, Condition: "mixed", Count: 25, Seed: 9, Dir: dir, Workers: 3}); err != nil {
		t.Fatal(err)
	}
	labels := readLabels(t, dir)
	if len(labels) != 25 {
		t.Fatalf("%d labels for 25 images", len(labels))
	}
	for i, l := range labels {
		if l.File != FileName(scene.KindCrop, i) {
			t.Errorf("line %d names %s", i, l.File)
		}
		if l.Plate == "" || l.Format == "" || l.Box[2] <= 0 || len(l.Chars) == 0 {
			t.Errorf("line %d is missing truth: %+v", i, l)
		}
		if st, err := os.Stat(filepath.Join(dir, l.File)); err != nil || st.Size() == 0 {
			t.Errorf("image %s missing or empty", l.File)
		}
	}
	// The same request gives the same set, whatever the number of workers.
	dir2 := t.TempDir()
	if err := Write(context.Background(), r, Request{Kind: scene.KindCrop, Condition: "mixed", Count: 25, Seed: 9, Dir: dir2, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(dir, LabelsFile))
	b, _ := os.ReadFile(filepath.Join(dir2, LabelsFile))
	if string(a) != string(b) {
		t.Error("labels differ between 3 workers and 1")
	}
}

func TestBadRequestsAreRefusedBeforeAnythingIsWritten(t *testing.T) {
	r := newRenderer(t)
	dir := t.TempDir()
	blocker := filepath.Join(dir, "a-file")
	os.WriteFile(blocker, []byte("x"), 0o644)
	for name, q := range map[string]Request{
		"zero count":        {Kind: scene.KindCrop, Condition: "day", Count: 0, Dir: filepath.Join(dir, "z")},
		"negative count":    {Kind: scene.KindCrop, Condition: "day", Count: -3, Dir: filepath.Join(dir, "n")},
		"unknown condition": {Kind: scene.KindCrop, Condition: "snow", Count: 1, Dir: filepath.Join(dir, "u")},
		"unknown kind":      {Kind: "poster", Condition: "day", Count: 1, Dir: filepath.Join(dir, "k")},
		"unwritable dir":    {Kind: scene.KindCrop, Condition: "day", Count: 1, Dir: filepath.Join(blocker, "sub")},
	} {
		err := Write(context.Background(), r, q)
		if !errors.Is(err, ErrBadRequest) {
			t.Errorf("%s: got %v, want a bad-request error", name, err)
		}
		if _, err := os.Stat(filepath.Join(q.Dir, LabelsFile)); err == nil {
			t.Errorf("%s: labels written", name)
		}
	}
}

// An interrupted run leaves no labels file, not even an old one, so it
// cannot be mistaken for a complete set.
func TestInterruptedRunLeavesNoLabels(t *testing.T) {
	r := newRenderer(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, LabelsFile), []byte("{}\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	q := Request{Kind: scene.KindCrop, Condition: "day", Count: 500, Seed: 1, Dir: dir,
		Progress: func(done int) {
			if done == 5 {
				cancel()
			}
		}}
	if err := Write(ctx, r, q); err == nil {
		t.Fatal("interrupted run reported success")
	}
	for _, name := range []string{LabelsFile, LabelsFile + ".partial"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s left behind", name)
		}
	}
}

func TestContactSheetIsWritten(t *testing.T) {
	r := newRenderer(t)
	path, err := ContactSheet(r, "night-ir", 1, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() < 10000 {
		t.Errorf("contact sheet %s missing or tiny", path)
	}
}
