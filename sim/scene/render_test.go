package scene

import (
	"bytes"
	"encoding/json"
	"errors"
	"image"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

var asOf = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func newTestRenderer(t testing.TB) *Renderer {
	t.Helper()
	r, err := NewRenderer(Options{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

func TestSameSeedGivesSameImageAndLabel(t *testing.T) {
	r := newTestRenderer(t)
	for _, kind := range []Kind{KindCrop, KindScene} {
		a, err := r.Render(kind, Mixed, 42)
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.Render(kind, Mixed, 42)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Image.ToBytes(), b.Image.ToBytes()) {
			t.Errorf("%s: same seed gave different pixels", kind)
		}
		la, _ := json.Marshal(a.Label)
		lb, _ := json.Marshal(b.Label)
		if !bytes.Equal(la, lb) {
			t.Errorf("%s: same seed gave different labels:\n%s\n%s", kind, la, lb)
		}
		c, err := r.Render(kind, Mixed, 43)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(a.Image.ToBytes(), c.Image.ToBytes()) {
			t.Errorf("%s: different seeds gave the same pixels", kind)
		}
		a.Image.Close()
		b.Image.Close()
		c.Image.Close()
	}
}

// Every condition renders in both kinds, and the label puts the plate and
// its characters inside the image where a reader would look for them.
func TestEveryConditionRendersWithConsistentLabels(t *testing.T) {
	r := newTestRenderer(t)
	for _, cond := range append(ConditionNames(), Mixed) {
		for _, kind := range []Kind{KindScene, KindCrop} {
			for seed := uint64(0); seed < 6; seed++ {
				s, err := r.Render(kind, cond, seed)
				if err != nil {
					t.Fatalf("%s %s seed %d: %v", cond, kind, seed, err)
				}
				l := s.Label
				if s.Image.Cols() != l.Width || s.Image.Rows() != l.Height {
					t.Errorf("%s %s: image %dx%d, label says %dx%d", cond, kind, s.Image.Cols(), s.Image.Rows(), l.Width, l.Height)
				}
				if kind == KindScene && (l.Width != 1920 || l.Height != 1080) {
					t.Errorf("%s scene is %dx%d, want 1920x1080", cond, l.Width, l.Height)
				}
				if cond != Mixed && l.Condition.Name != cond {
					t.Errorf("asked for %s, label says %s", cond, l.Condition.Name)
				}
				img := image.Rect(0, 0, l.Width, l.Height)
				box := image.Rect(l.Box[0], l.Box[1], l.Box[0]+l.Box[2], l.Box[1]+l.Box[3])
				if kind == KindCrop {
					// Crops may be cut a little inside the plate's edge
					// (at most 2% of its width, 4% of its height a side).
					img = img.Inset(-(box.Dx()*3/100 + 1))
				}
				if !box.In(img) {
					t.Errorf("%s %s seed %d: plate box %v not inside image %v", cond, kind, seed, box, img)
				}
				if len(l.Chars) != len(l.Plate) {
					t.Errorf("%s %s: %d character boxes for %q", cond, kind, len(l.Chars), l.Plate)
				}
				for _, c := range l.Chars {
					cb := image.Rect(c.Box[0], c.Box[1], c.Box[0]+c.Box[2], c.Box[1]+c.Box[3])
					if !cb.In(box.Inset(-2)) {
						t.Errorf("%s %s: character %s box %v outside plate box %v", cond, kind, c.Char, cb, box)
					}
				}
				wantCh := 3
				if l.Condition.Light == NightIR {
					wantCh = 1 // infrared cameras are monochrome
				}
				if s.Image.Channels() != wantCh {
					t.Errorf("%s: %d channels, want %d", cond, s.Image.Channels(), wantCh)
				}
				s.Image.Close()
			}
		}
	}
}

// The camera model must give the character heights it promises: legal
// 79 mm characters imaged at 12 to 90 px.
func TestCharacterHeightsSpanTheRequestedRange(t *testing.T) {
	r := newTestRenderer(t)
	minSeen, maxSeen := 1e9, 0.0
	for seed := uint64(0); seed < 120; seed++ {
		s, err := r.Render(KindCrop, "day", seed)
		if err != nil {
			t.Fatal(err)
		}
		s.Image.Close()
		l := s.Label
		want := l.Camera.CharHeightPx
		minSeen, maxSeen = min(minSeen, want), max(maxSeen, want)
		if l.Layout != "one-line" {
			continue
		}
		// The tallest character box, measured in the image, against the
		// height the camera was set up for; tilt and roll add a little.
		got := 0
		for _, c := range l.Chars {
			got = max(got, c.Box[3])
		}
		if float64(got) < want*0.8 || float64(got) > want*1.5+3 {
			t.Errorf("seed %d: characters %d px tall, camera set for %.1f px", seed, got, want)
		}
	}
	if minSeen > 16 || maxSeen < 60 {
		t.Errorf("character heights only spanned %.0f..%.0f px", minSeen, maxSeen)
	}
}

// At night under infrared the retroreflective plate is the brightest thing
// in the frame; in daylight it is not singled out.
func TestInfraredPlateOutshinesTheScene(t *testing.T) {
	r := newTestRenderer(t)
	brighter := 0
	const n = 20
	for seed := uint64(0); seed < n; seed++ {
		s, err := r.Render(KindScene, "night-ir", seed)
		if err != nil {
			t.Fatal(err)
		}
		l := s.Label
		roi := s.Image.Region(image.Rect(l.Box[0], l.Box[1], l.Box[0]+l.Box[2], l.Box[1]+l.Box[3]))
		plateMean := roi.Mean().Val1
		frameMean := s.Image.Mean().Val1
		roi.Close()
		s.Image.Close()
		if plateMean > 2*frameMean {
			brighter++
		}
	}
	if brighter < n*9/10 {
		t.Errorf("plate at least twice as bright as the frame in only %d of %d infrared frames", brighter, n)
	}
}

// 70 mph at 1/500 s smears the plate by several pixels; the label says how
// far, and the default daytime shutter mostly freezes it.
func TestMotionBlurFollowsSpeedAndShutter(t *testing.T) {
	r := newTestRenderer(t)
	var fast, normal float64
	const n = 40
	for seed := uint64(0); seed < n; seed++ {
		for _, c := range []string{"motion", "day"} {
			s, err := r.Render(KindCrop, c, seed)
			if err != nil {
				t.Fatal(err)
			}
			s.Image.Close()
			l := s.Label.Condition
			if c == "motion" {
				if l.SpeedMPH != 70 || l.Shutter != "1/500" {
					t.Fatalf("motion condition drew %v mph at %s", l.SpeedMPH, l.Shutter)
				}
				fast += l.BlurPx
			} else {
				normal += l.BlurPx
			}
		}
	}
	if fast/n < 1 || fast <= normal {
		t.Errorf("mean blur %.2f px at 70 mph 1/500 s against %.2f px by day", fast/n, normal/n)
	}
}

func TestUnknownConditionAndKindAreRefused(t *testing.T) {
	r := newTestRenderer(t)
	if _, err := r.Render(KindCrop, "blizzard", 1); err == nil {
		t.Error("unknown condition rendered")
	}
	if _, err := r.Render("poster", "day", 1); err == nil {
		t.Error("unknown kind rendered")
	}
}

// Options.Occluded puts a tow bar or bike rack in front of its share of the
// plates (both kinds of it), leaves the rest of each image's draw as it was
// (the same mark and condition), and a share outside 0 to 1 is refused.
func TestOccludedShare(t *testing.T) {
	plain := newTestRenderer(t)
	for _, share := range []float64{-0.1, 1.5} {
		if _, err := NewRenderer(Options{AsOf: asOf, Occluded: share}); !errors.Is(err, ErrBadOptions) {
			t.Errorf("Occluded %v: err %v, want ErrBadOptions", share, err)
		}
	}
	for _, share := range []float64{1, 0.5} {
		r, err := NewRenderer(Options{AsOf: asOf, Occluded: share})
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		const n = 100
		for seed := uint64(0); seed < n; seed++ {
			s, err := r.Render(KindCrop, Mixed, seed)
			if err != nil {
				t.Fatal(err)
			}
			s.Image.Close()
			p, err := plain.Render(KindCrop, Mixed, seed)
			if err != nil {
				t.Fatal(err)
			}
			p.Image.Close()
			if s.Label.Plate != p.Label.Plate || s.Label.Condition.Name != p.Label.Condition.Name {
				t.Errorf("seed %d: %s in %s, without the share %s in %s", seed, s.Label.Plate, s.Label.Condition.Name, p.Label.Plate, p.Label.Condition.Name)
			}
			kinds[s.Label.Condition.Occlusion]++
		}
		r.Close()
		if got := 1 - float64(kinds[""])/n; got < share-0.15 || got > share+0.15 {
			t.Errorf("Occluded %v: %v of %d plates occluded (%v)", share, got, n, kinds)
		}
		if kinds["tow-bar"] == 0 || kinds["bike-rack"] == 0 {
			t.Errorf("Occluded %v: want tow bars and bike racks, got %v", share, kinds)
		}
	}
}

// Options.LetteringCut cuts its share of crops to the lettering: every
// character inside the cut or within a few pixels of its edge (a person
// cutting to the characters clips one now and then), no more than a
// fifth of a character's height of plate around them, and the label
// moved into the cut; the rest of each crop's draw is as it was (the same
// mark, condition and pixels where the cut lies). Frames are never cut,
// and a share outside 0 to 1 is refused.
func TestLetteringCut(t *testing.T) {
	plain := newTestRenderer(t)
	for _, share := range []float64{-0.1, 1.5} {
		if _, err := NewRenderer(Options{AsOf: asOf, LetteringCut: share}); !errors.Is(err, ErrBadOptions) {
			t.Errorf("LetteringCut %v: err %v, want ErrBadOptions", share, err)
		}
	}
	for _, share := range []float64{1, 0.5} {
		r, err := NewRenderer(Options{AsOf: asOf, LetteringCut: share})
		if err != nil {
			t.Fatal(err)
		}
		cut := 0
		const n = 60
		for seed := uint64(0); seed < n; seed++ {
			s, err := r.Render(KindCrop, Mixed, seed)
			if err != nil {
				t.Fatal(err)
			}
			p, err := plain.Render(KindCrop, Mixed, seed)
			if err != nil {
				t.Fatal(err)
			}
			l, pl := s.Label, p.Label
			if l.Plate != pl.Plate || l.Condition.Name != pl.Condition.Name {
				t.Errorf("seed %d: %s in %s, without the cut %s in %s", seed, l.Plate, l.Condition.Name, pl.Plate, pl.Condition.Name)
			}
			if l.Width != s.Image.Cols() || l.Height != s.Image.Rows() {
				t.Errorf("seed %d: label says %dx%d, image is %dx%d", seed, l.Width, l.Height, s.Image.Cols(), s.Image.Rows())
			}
			if l.Cut == CutLettering {
				cut++
				checkLetteringCut(t, seed, s, p)
			} else if l.Width != pl.Width || l.Height != pl.Height {
				t.Errorf("seed %d: not cut, yet %dx%d against %dx%d", seed, l.Width, l.Height, pl.Width, pl.Height)
			}
			s.Image.Close()
			p.Image.Close()
		}
		r.Close()
		if got := float64(cut) / n; got < share-0.2 || got > share+0.2 {
			t.Errorf("LetteringCut %v: %d of %d crops cut", share, cut, n)
		}
	}
	r, err := NewRenderer(Options{AsOf: asOf, LetteringCut: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s, err := r.Render(KindScene, "day", 3)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Image.Close()
	if s.Label.Cut != "" || s.Image.Cols() != 1920 {
		t.Errorf("a frame was cut: %q, %d wide", s.Label.Cut, s.Image.Cols())
	}
}

// checkLetteringCut checks one crop cut to its lettering (s) against the
// same seed's crop uncut (p).
func checkLetteringCut(t *testing.T, seed uint64, s, p Sample) {
	t.Helper()
	l := s.Label
	lo, hi := image.Pt(1<<30, 1<<30), image.Pt(-1<<30, -1<<30)
	charH := 0
	for _, c := range l.Chars {
		lo = image.Pt(min(lo.X, c.Box[0]), min(lo.Y, c.Box[1]))
		hi = image.Pt(max(hi.X, c.Box[0]+c.Box[2]), max(hi.Y, c.Box[1]+c.Box[3]))
		charH = max(charH, c.Box[3])
	}
	in, out := float64(charH)*0.06+1, float64(charH)*0.2+1 // the cut's margins, and rounding
	for _, m := range []float64{float64(lo.X), float64(lo.Y), float64(l.Width - hi.X), float64(l.Height - hi.Y)} {
		if m < -in || m > out {
			t.Errorf("seed %d: margin %.0f px round %d px characters, want %.0f to %.0f (lettering %v-%v in %dx%d)",
				seed, m, charH, -in, out, lo, hi, l.Width, l.Height)
		}
	}
	// The cut is the uncut crop's pixels where it lies.
	o := image.Pt(p.Label.Chars[0].Box[0]-l.Chars[0].Box[0], p.Label.Chars[0].Box[1]-l.Chars[0].Box[1])
	region := p.Image.Region(image.Rect(o.X, o.Y, o.X+l.Width, o.Y+l.Height))
	defer region.Close()
	diff := gocv.NewMat()
	defer diff.Close()
	gocv.AbsDiff(region, s.Image, &diff)
	if diff.Channels() > 1 {
		gocv.CvtColor(diff, &diff, gocv.ColorBGRToGray)
	}
	if n := gocv.CountNonZero(diff); n != 0 {
		t.Errorf("seed %d: %d pixels differ from the uncut crop", seed, n)
	}
}

func TestConditionMixCoversEveryCondition(t *testing.T) {
	r := newTestRenderer(t)
	seen := map[string]int{}
	for seed := uint64(0); seed < 300; seed++ {
		s, err := r.Render(KindCrop, Mixed, seed)
		if err != nil {
			t.Fatal(err)
		}
		s.Image.Close()
		seen[s.Label.Condition.Name]++
	}
	for _, c := range ConditionNames() {
		if seen[c] == 0 {
			t.Errorf("mixed never drew %s in 300 images: %v", c, seen)
		}
	}
}

// Rendering never fails or panics on anything the generator can draw: a
// large mixed batch, as a training run would ask for.
func TestLargeMixedBatchRenders(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 1,500 crops")
	}
	r := newTestRenderer(t)
	for seed := uint64(0); seed < 1500; seed++ {
		s, err := r.Render(KindCrop, Mixed, ImageSeed(77, int(seed)))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		s.Image.Close()
	}
}
