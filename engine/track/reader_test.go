package track

import (
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"anpr/engine/ocr"
	"anpr/sim/scene"
)

func TestMain(m *testing.M) {
	ocr.ServeModelCheck() // this test binary doubles as the reader model's checker
	os.Exit(m.Run())
}

var asOf = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// The committed reader, fed through the tracker five noisy views of each of
// a set of plates as a car approaches (the plate growing from 15 to 27
// pixels high), reads more plates exactly from the fused evidence than from
// the typical single view.
func TestReaderFusionAcrossFramesReadsPlates(t *testing.T) {
	if testing.Short() {
		t.Skip("renders plates and runs the reader model")
	}
	rd, err := ocr.Open(filepath.Join("..", "..", "fixtures", "models", "reader.onnx"), ocr.Options{Now: func() time.Time { return asOf }})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	sc, err := scene.NewRenderer(scene.Options{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()

	const plates, views = 16, 5
	fusedExact, viewExact := 0, 0
	for i := 0; i < plates; i++ {
		s, err := sc.Render(scene.KindCrop, "day", scene.ImageSeed(7301, i))
		if err != nil {
			t.Fatal(err)
		}
		truth := s.Label.Plate
		rng := rand.New(rand.NewPCG(uint64(i), 7301))
		tk := newTracker(t, Config{Camera: "test"}, rd)
		var perView []string
		for k := 0; k < views; k++ {
			plateH := 15 + 3*k
			crop, box := degrade(s.Image, s.Label.Box, float64(plateH), 18, rng)
			r, err := rd.Read(crop)
			crop.Close()
			if err != nil {
				t.Fatal(err)
			}
			if r.Text == truth {
				viewExact++
			}
			perView = append(perView, r.Text)
			// Where the plate is in the frame: moving down it as it nears.
			c := centre(box)
			box = box.Add(image.Pt(640-int(c[0]), 300+10*k-int(c[1])))
			step(t, tk, at(k), Observation{Box: box, Read: r, Score: 0.9})
		}
		s.Image.Close()
		passes := tk.Flush()
		if len(passes) != 1 {
			t.Fatalf("plate %s: %d passes, want 1", truth, len(passes))
		}
		got := passes[0].Read.Text
		if got == truth {
			fusedExact++
		}
		t.Logf("%-8s views %v fused %-8s %v", truth, perView, got, got == truth)
	}
	meanView := float64(viewExact) / views
	t.Logf("fused exact %d/%d; single views exact %.1f/%d on average", fusedExact, plates, meanView, plates)
	if float64(fusedExact) <= meanView {
		t.Errorf("fused reads exact for %d of %d plates, no better than a single view's %.1f", fusedExact, plates, meanView)
	}
}

// degrade makes one video frame's view of a rendered crop: scaled so the
// plate (box, x y w h in the crop) is plateH pixels high, with sensor noise
// of standard deviation sd. It returns the view and the plate's box in it.
func degrade(crop gocv.Mat, box [4]int, plateH, sd float64, rng *rand.Rand) (gocv.Mat, image.Rectangle) {
	k := plateH / float64(box[3])
	size := image.Pt(max(2, int(math.Round(float64(crop.Cols())*k))), max(2, int(math.Round(float64(crop.Rows())*k))))
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(crop, &small, size, 0, 0, gocv.InterpolationArea)
	b := small.ToBytes()
	for i := range b {
		b[i] = uint8(math.Max(0, math.Min(255, float64(b[i])+rng.NormFloat64()*sd)))
	}
	out, _ := gocv.NewMatFromBytes(small.Rows(), small.Cols(), small.Type(), b)
	scaled := image.Rect(int(float64(box[0])*k), int(float64(box[1])*k), int(float64(box[0]+box[2])*k), int(float64(box[1]+box[3])*k))
	return out, scaled
}

// On whole rendered camera frames, under every condition, the pass's images
// keep to the national sizes: a plate patch within 120 x 60 pixels and
// about 3 KB, an overview about 25 KB.
func TestImagesOfRenderedFramesKeepToTheirBudgets(t *testing.T) {
	if testing.Short() {
		t.Skip("renders camera frames")
	}
	sc, err := scene.NewRenderer(scene.Options{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	tk := newTracker(t, Config{Camera: "test"}, nil)
	for i, cond := range scene.ConditionNames() {
		s, err := sc.Render(scene.KindScene, cond, scene.ImageSeed(7302, i))
		if err != nil {
			t.Fatal(err)
		}
		b := s.Label.Box
		box := image.Rect(b[0], b[1], b[0]+b[2], b[1]+b[3])
		tk.Update(s.Image, at(0), []Observation{{Box: box, Read: ocr.Read{Text: s.Label.Plate}, Score: 1}})
		s.Image.Close()
		p := tk.Flush()[0]
		patch, view := decode(t, "patch", p.Patch), decode(t, "overview", p.Overview)
		t.Logf("%-12s plate %3dx%-3d patch %v %4d bytes, overview %v %5d bytes", cond, b[2], b[3], patch, len(p.Patch), view, len(p.Overview))
		if patch.X > 120 || patch.Y > 60 || len(p.Patch) > 3072 {
			t.Errorf("%s: patch %v of %d bytes, want within 120x60 and 3 KB", cond, patch, len(p.Patch))
		}
		if view.X != 640 || len(p.Overview) > 25600 {
			t.Errorf("%s: overview %v of %d bytes, want 640 wide within 25 KB", cond, view, len(p.Overview))
		}
	}
}
