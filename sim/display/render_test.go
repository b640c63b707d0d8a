package display

import (
	"errors"
	"image"
	"math"
	"testing"

	"anpr/sim/plate"
)

func newTestRenderer(t *testing.T) *Renderer {
	t.Helper()
	r, err := NewRenderer(asOf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// A clean plate is drawn one to one at the screen's pitch: a one-line
// plate at 520 mm on a 3 px/mm screen is 1560 x 333 px, characters 79 mm;
// half size is half as many pixels; other layouts keep the scale.
func TestCleanPlateSizes(t *testing.T) {
	r := newTestRenderer(t)
	screen := Screen{Width: 1920, Height: 1080, PxPerMM: 3}
	for _, tc := range []struct {
		plateMM, charMM float64
		oneLine         [2]int
	}{{520, 79, [2]int{1560, 333}}, {260, 39.5, [2]int{780, 167}}} {
		p, err := NewPlan(Config{Count: 40, Seed: 3, PlateMM: tc.plateMM, AsOf: asOf})
		if err != nil {
			t.Fatal(err)
		}
		layouts := map[plate.Layout]int{}
		for i := range p.Items {
			pic, err := r.Render(p, i, screen)
			if err != nil {
				t.Fatal(err)
			}
			s := pic.Shown
			layouts[s.Layout]++
			if pic.Scale != 1 || pic.At.Size() != pic.Image.Bounds().Size() {
				t.Fatalf("item %d: drawn at scale %g in %v: a clean plate is drawn one to one", i, pic.Scale, pic.At)
			}
			if c := pic.At.Min.Add(pic.At.Max); math.Abs(float64(c.X-1920)) > 1 || math.Abs(float64(c.Y-1080)) > 1 {
				t.Errorf("item %d: at %v, not centred", i, pic.At)
			}
			if s.Plate != p.Items[i].Mark.Text || s.Condition != Clean || s.Kind != KindPlate || s.PxPerMM != 3 {
				t.Errorf("item %d: truth %+v", i, s)
			}
			if s.SizePx != s.PlatePx || s.PlatePx != [2]int{pic.Image.Bounds().Dx(), pic.Image.Bounds().Dy()} {
				t.Errorf("item %d: size %v, plate %v, image %v", i, s.SizePx, s.PlatePx, pic.Image.Bounds())
			}
			want := tc.charMM
			if s.Layout == plate.Motorcycle {
				want = tc.charMM * 64 / 79
			}
			if math.Abs(s.CharMM-want) > 0.11 {
				t.Errorf("item %d (%s): characters %g mm, want %g", i, s.Layout, s.CharMM, want)
			}
			if s.Layout == plate.OneLine {
				if s.PlatePx != tc.oneLine {
					t.Errorf("item %d: one-line plate %v px, want %v", i, s.PlatePx, tc.oneLine)
				}
				if math.Abs(s.PlateMM[0]-tc.plateMM) > 0.2 || math.Abs(s.PlateMM[1]-111*tc.plateMM/520) > 0.4 {
					t.Errorf("item %d: one-line plate %v mm at %g mm", i, s.PlateMM, tc.plateMM)
				}
			}
		}
		if layouts[plate.OneLine] < 10 || len(layouts) < 2 {
			t.Errorf("40 plates: layouts %v", layouts)
		}
	}
}

// A plate too big for the screen is made smaller, and the truth says how
// big it was shown.
func TestPlateShrunkToFit(t *testing.T) {
	r := newTestRenderer(t)
	p, _ := NewPlan(Config{Count: 5, Seed: 3, AsOf: asOf})
	screen := Screen{Width: 800, Height: 600, PxPerMM: 3} // 267 mm wide
	for i := range p.Items {
		pic, err := r.Render(p, i, screen)
		if err != nil {
			t.Fatal(err)
		}
		if !pic.At.In(image.Rect(0, 0, 800, 600)) || pic.Shown.SizePx[0] > 760 {
			t.Errorf("item %d: at %v on an 800 x 600 screen", i, pic.At)
		}
		if pic.Shown.Layout == plate.OneLine && (pic.Shown.PlateMM[0] > 254 || pic.Shown.PlateMM[0] < 240) {
			t.Errorf("item %d: shown %v mm wide, want about 253 (95%% of the screen)", i, pic.Shown.PlateMM)
		}
	}
}

// A plate under a camera condition is the camera's patch, scaled so that
// its characters are as high as a clean plate's; a scene fills the
// screen.
func TestCropAndSceneSizes(t *testing.T) {
	r := newTestRenderer(t)
	screen := Screen{Width: 1920, Height: 1080, PxPerMM: 3}
	p, _ := NewPlan(Config{Count: 4, Seed: 5, Condition: "night-ir", AsOf: asOf})
	for i := range p.Items {
		pic, err := r.Render(p, i, screen)
		if err != nil {
			t.Fatal(err)
		}
		s := pic.Shown
		want := 79.0
		if s.Layout == plate.Motorcycle {
			want = 64
		}
		if s.Condition != "night-ir" || math.Abs(s.CharMM-want) > 0.5 {
			t.Errorf("item %d: %s characters %g mm, want %g", i, s.Condition, s.CharMM, want)
		}
		if s.Layout == plate.OneLine && (s.PlateMM[0] < 350 || s.PlateMM[0] > 560) {
			t.Errorf("item %d: a one-line plate seen by a camera is %v mm", i, s.PlateMM)
		}
		if !pic.At.In(image.Rect(0, 0, 1920, 1080)) {
			t.Errorf("item %d: at %v, off the screen", i, pic.At)
		}
	}
	sp, _ := NewPlan(Config{Kind: KindScene, Count: 2, Seed: 5, AsOf: asOf})
	for i := range sp.Items {
		pic, err := r.Render(sp, i, Screen{Width: 1280, Height: 1024, PxPerMM: 3.5})
		if err != nil {
			t.Fatal(err)
		}
		if pic.At != image.Rect(0, 152, 1280, 872) || pic.Shown.SizePx != [2]int{1280, 720} {
			t.Errorf("scene %d: at %v, %v px; want the 16:9 frame across a 1280 x 1024 screen", i, pic.At, pic.Shown.SizePx)
		}
		if pic.Shown.Plate != sp.Items[i].Mark.Text || pic.Shown.PlatePx[0] < 5 {
			t.Errorf("scene %d: truth %+v", i, pic.Shown)
		}
	}
}

func TestBadScreens(t *testing.T) {
	r := newTestRenderer(t)
	p, _ := NewPlan(Config{Count: 1, AsOf: asOf})
	for _, s := range []Screen{{0, 1080, 3}, {1920, 1080, 0}, {1920, 1080, math.NaN()}, {1920, 1080, 500}} {
		if _, err := r.Render(p, 0, s); !errors.Is(err, ErrBadConfig) {
			t.Errorf("%+v: err %v", s, err)
		}
	}
	if s := ScreenOf(1920, 1080, 531); math.Abs(s.PxPerMM-3.616) > 0.001 {
		t.Errorf("ScreenOf: %g px/mm", s.PxPerMM)
	}
}
