package plate

import (
	"bytes"
	"image"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func luma(img *image.NRGBA, x, y int) float64 {
	i := img.PixOffset(x, y)
	p := img.Pix[i : i+4]
	return 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
}

func mustRender(t *testing.T, r *Renderer, s Spec, scale float64, seed uint64) *Plate {
	t.Helper()
	p, err := r.Render(s, scale, rand.New(rand.NewPCG(seed, 99)))
	if err != nil {
		t.Fatalf("Render(%+v, %v): %v", s, scale, err)
	}
	return p
}

// Every glyph draws dark ink, all of it inside its reported box, and the box
// has the legal size: 79 mm high, 50 mm wide except the narrow 1 and I.
func TestGlyphBoxes(t *testing.T) {
	r := testRenderer(t)
	const scale = 2.0
	for _, c := range plateAlphabet {
		t.Run(string(c), func(t *testing.T) {
			p := mustRender(t, r, Spec{Text: string(c), Side: Front}, scale, 1)
			if len(p.Chars) != 1 || p.Chars[0].Char != c {
				t.Fatalf("Chars = %v, want one %q", p.Chars, c)
			}
			box := p.Chars[0].Box
			if h := float64(box.Dy()); math.Abs(h-cellH*scale) > 2 {
				t.Errorf("box height %v px, want %v±2", h, cellH*scale)
			}
			w := float64(box.Dx())
			switch c {
			case '1', 'I':
				if w > 30*scale {
					t.Errorf("narrow %q is %v px wide, want under %v", c, w, 30*scale)
				}
			default:
				if math.Abs(w-cellW*scale) > 2 {
					t.Errorf("box width %v px, want %v±2", w, cellW*scale)
				}
			}
			dark, outside := 0, 0
			b := p.Image.Bounds()
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					if p.Image.NRGBAAt(x, y).A < 255 || luma(p.Image, x, y) > 100 {
						continue
					}
					if image.Pt(x, y).In(box) {
						dark++
					} else {
						outside++
					}
				}
			}
			if dark < int(0.15*float64(box.Dx()*box.Dy())) {
				t.Errorf("only %d dark pixels in a %v box", dark, box)
			}
			if outside > 0 {
				t.Errorf("%d dark pixels outside the box %v", outside, box)
			}
		})
	}
}

// A one-line plate at 1 px/mm is 520x111 with the legal spacing.
func TestOneLineGeometry(t *testing.T) {
	r := testRenderer(t)
	p := mustRender(t, r, Spec{Text: "AB12 CDE", Side: Rear}, 1, 1)
	if b := p.Image.Bounds(); b.Dx() != 520 || b.Dy() != 111 {
		t.Fatalf("image %v, want 520x111", b)
	}
	if got := charsOf(p); got != "AB12CDE" {
		t.Fatalf("chars %q", got)
	}
	for i := 1; i < len(p.Chars); i++ {
		prev, cur := p.Chars[i-1].Box, p.Chars[i].Box
		gap := float64(cur.Min.X - prev.Max.X)
		want := charGapMM
		if i == 4 {
			want = groupGapMM
		}
		if math.Abs(gap-want) > 2 {
			t.Errorf("gap before %q = %v px, want %v±2", p.Chars[i].Char, gap, want)
		}
		if cur.Min.Y != prev.Min.Y || cur.Dy() != prev.Dy() {
			t.Errorf("%q box %v not level with %v", p.Chars[i].Char, cur, prev)
		}
	}
	if w := p.Corners; w[0] != [2]float64{0, 0} || w[2] != [2]float64{520, 111} {
		t.Errorf("corners %v", w)
	}
}

func charsOf(p *Plate) string {
	var sb strings.Builder
	for _, c := range p.Chars {
		sb.WriteRune(c.Char)
	}
	return sb.String()
}

// Two-line plates put one group on each line; motorcycles use 64 mm
// characters.
func TestTwoLineLayouts(t *testing.T) {
	r := testRenderer(t)
	tests := []struct {
		layout      Layout
		w, h, charH int
		topN        int
	}{
		{TwoLine, 279, 203, 79, 4},
		{Motorcycle, 229, 178, 64, 4},
	}
	for _, tc := range tests {
		t.Run(string(tc.layout), func(t *testing.T) {
			p := mustRender(t, r, Spec{Text: "AB12 CDE", Side: Rear, Layout: tc.layout}, 1, 1)
			if b := p.Image.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
				t.Fatalf("image %v, want %dx%d", b, tc.w, tc.h)
			}
			if got := charsOf(p); got != "AB12CDE" {
				t.Fatalf("chars %q", got)
			}
			top, bottom := p.Chars[:tc.topN], p.Chars[tc.topN:]
			for _, c := range p.Chars {
				if math.Abs(float64(c.Box.Dy()-tc.charH)) > 2 {
					t.Errorf("%q is %d px high, want %d", c.Char, c.Box.Dy(), tc.charH)
				}
			}
			for _, c := range bottom {
				if c.Box.Min.Y < top[0].Box.Max.Y+10 {
					t.Errorf("%q at %v is not below the top line %v", c.Char, c.Box, top[0].Box)
				}
			}
			for i := 1; i < len(top); i++ {
				if top[i].Box.Min.X <= top[i-1].Box.Min.X {
					t.Errorf("top line out of order: %v", top)
				}
			}
		})
	}
}

// Front plates are white, rear plates yellow, historic ones black.
func TestBackgroundColour(t *testing.T) {
	r := testRenderer(t)
	for seed := uint64(0); seed < 20; seed++ {
		front := mustRender(t, r, Spec{Text: "AB12 CDE", Side: Front}, 1, seed)
		rear := mustRender(t, r, Spec{Text: "AB12 CDE", Side: Rear}, 1, seed)
		hist := mustRender(t, r, Spec{Text: "ABC 123", Historic: true}, 1, seed)
		f, y, h := front.Image.NRGBAAt(30, 55), rear.Image.NRGBAAt(30, 55), hist.Image.NRGBAAt(30, 55)
		if f.R < 200 || f.G < 200 || f.B < 190 {
			t.Errorf("seed %d: front background %v is not white", seed, f)
		}
		if y.R < 220 || y.G < 170 || y.G > 230 || y.B > 90 {
			t.Errorf("seed %d: rear background %v is not yellow", seed, y)
		}
		if h.R > 60 || h.G > 60 || h.B > 60 {
			t.Errorf("seed %d: historic background %v is not black", seed, h)
		}
	}
}

// Outside the rounded corners the image is transparent; inside it opaque.
func TestCornersTransparent(t *testing.T) {
	r := testRenderer(t)
	p := mustRender(t, r, Spec{Text: "AB12 CDE"}, 1, 3)
	b := p.Image.Bounds()
	for _, pt := range []image.Point{{0, 0}, {b.Max.X - 1, 0}, {0, b.Max.Y - 1}, {b.Max.X - 1, b.Max.Y - 1}} {
		if a := p.Image.NRGBAAt(pt.X, pt.Y).A; a != 0 {
			t.Errorf("corner pixel %v alpha %d, want 0", pt, a)
		}
	}
	for y := 12; y < b.Max.Y-12; y++ {
		for x := 12; x < b.Max.X-12; x++ {
			if a := p.Image.NRGBAAt(x, y).A; a != 255 {
				t.Fatalf("pixel (%d,%d) alpha %d, want 255", x, y, a)
			}
		}
	}
}

// Same spec, scale and seed give the same pixels; another seed gives other
// dirt.
func TestDeterministic(t *testing.T) {
	r := testRenderer(t)
	s := Spec{Text: "AB12 CDE", Side: Rear, Band: BandEUGB, Dealer: "KINGSWAY MOTORS", Border: true,
		Wear: Wear{Dirt: 0.6, Fade: 0.3, Reflection: 0.5, StickOn: true, Screws: true, Raised3D: true}}
	for _, scale := range []float64{0.5, 1, 2} {
		a := mustRender(t, r, s, scale, 7)
		b := mustRender(t, r, s, scale, 7)
		c := mustRender(t, r, s, scale, 8)
		if !bytes.Equal(a.Image.Pix, b.Image.Pix) {
			t.Errorf("scale %v: same seed, different pixels", scale)
		}
		if bytes.Equal(a.Image.Pix, c.Image.Pix) {
			t.Errorf("scale %v: different seeds, same pixels", scale)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	r := testRenderer(t)
	ok := Spec{Text: "AB12 CDE"}
	with := func(f func(*Spec)) Spec { s := ok; f(&s); return s }
	tests := []struct {
		name  string
		spec  Spec
		scale float64
	}{
		{"empty text", with(func(s *Spec) { s.Text = "" }), 1},
		{"only spaces", with(func(s *Spec) { s.Text = "   " }), 1},
		{"lower case", with(func(s *Spec) { s.Text = "ab12 cde" }), 1},
		{"punctuation", with(func(s *Spec) { s.Text = "AB12-CDE" }), 1},
		{"accent", with(func(s *Spec) { s.Text = "AB12 CDÉ" }), 1},
		{"too long one-line", with(func(s *Spec) { s.Text = "ABCDE 12345" }), 1},
		{"too many groups", with(func(s *Spec) { s.Text = "A B C D" }), 1},
		{"three groups two-line", with(func(s *Spec) { s.Text = "AB 12 CD"; s.Layout = TwoLine }), 1},
		{"long line two-line", with(func(s *Spec) { s.Text = "ABCDEF 12"; s.Layout = TwoLine }), 1},
		{"long line motorcycle", with(func(s *Spec) { s.Text = "ABCDEF 12"; s.Layout = Motorcycle }), 1},
		{"zero scale", ok, 0},
		{"negative scale", ok, -1},
		{"absurd scale", ok, 25},
		{"NaN scale", ok, math.NaN()},
		{"infinite scale", ok, math.Inf(1)},
		{"unknown font", with(func(s *Spec) { s.Font = "comic-sans" }), 1},
		{"unknown layout", with(func(s *Spec) { s.Layout = "three-line" }), 1},
		{"unknown side", with(func(s *Spec) { s.Side = "roof" }), 1},
		{"unknown band", with(func(s *Spec) { s.Band = "mars" }), 1},
		{"NaN wear", with(func(s *Spec) { s.Wear.StrokeScale = math.NaN() }), 1},
		{"infinite stroke", with(func(s *Spec) { s.Wear.StrokeScale = math.Inf(1) }), 1},
		{"negative spacing", with(func(s *Spec) { s.Wear.SpacingScale = -1 }), 1},
		{"huge group gap", with(func(s *Spec) { s.Wear.GroupGapMM = 1e9 }), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := r.Render(tc.spec, tc.scale, rand.New(rand.NewPCG(1, 1)))
			if err == nil {
				t.Fatalf("no error, got a %v plate", p.Image.Bounds())
			}
		})
	}
}

// Every installed font renders every plate character at about the cap
// height.
func TestFonts(t *testing.T) {
	r := testRenderer(t)
	fonts := r.Fonts()
	if len(fonts) == 0 || fonts[0] != Mandatory {
		t.Fatalf("Fonts() = %v, want Mandatory first", fonts)
	}
	t.Logf("fonts: %v", fonts)
	for _, f := range fonts {
		for _, text := range []string{"ABCD EFG", "HIJK LMN", "OPQR STU", "VWXY Z01", "2345 678", "9"} {
			p := mustRender(t, r, Spec{Text: text, Font: f}, 1, 1)
			for _, c := range p.Chars {
				if h := c.Box.Dy(); h < 76 || h > 84 {
					t.Errorf("font %s: %q is %d px high at 1 px/mm", f, c.Char, h)
				}
			}
		}
	}
}

// RandomSpec draws the intended mix, and every draw renders.
func TestRandomSpecShares(t *testing.T) {
	r := testRenderer(t)
	rng := rand.New(rand.NewPCG(2024, 1))
	const n = 5000
	count := map[string]int{}
	for i := 0; i < n; i++ {
		s := RandomSpec(rng, randomMark(rng), r.Fonts())
		if s.Layout == Motorcycle && s.Side != Rear {
			t.Fatalf("front motorcycle plate: %+v", s)
		}
		count["rear"] += b2i(s.Side == Rear)
		count[string(s.Layout)]++
		count["band"] += b2i(s.Band != NoBand)
		count["flash"] += b2i(s.GreenFlash)
		count["dealer"] += b2i(s.Dealer != "")
		count["border"] += b2i(s.Border)
		count["mandatory"] += b2i(s.Font == Mandatory)
		count["heavy"] += b2i(s.Wear.Dirt > 0.45 || s.Wear.Fade > 0.4)
		if _, err := r.Render(s, 0.25+rng.Float64()*0.75, rng); err != nil {
			t.Fatalf("Render(%+v): %v", s, err)
		}
	}
	twoLineOK := 0.9 // share of randomMark texts that can go on two lines
	tests := []struct {
		key  string
		want float64
		tol  float64
	}{
		{"rear", 0.5, 0.03},
		{string(OneLine), 1 - 0.12*twoLineOK, 0.03},
		{string(TwoLine), 0.09 * twoLineOK, 0.02},
		{string(Motorcycle), 0.03 * twoLineOK, 0.01},
		{"band", 0.45 * 0.97, 0.04},
		{"flash", 0.04 * 0.97, 0.01},
		{"dealer", 0.40 * 0.97, 0.03},
		{"border", 0.16, 0.03},
		{"mandatory", 0.80, 0.03},
		{"heavy", 0.15, 0.06},
	}
	for _, tc := range tests {
		got := float64(count[tc.key]) / n
		if math.Abs(got-tc.want) > tc.tol {
			t.Errorf("%s: share %.3f, want %.3f±%.2f", tc.key, got, tc.want, tc.tol)
		}
	}
}

// RoadMix draws the very plates RandomSpec does; HardMix draws the hard kinds
// about three times as often, and every draw renders.
func TestMixes(t *testing.T) {
	r := testRenderer(t)
	const n = 3000
	count := map[Mix]map[string]int{}
	for _, m := range []Mix{RoadMix, HardMix} {
		count[m] = map[string]int{}
		rng, same, look := rand.New(rand.NewPCG(7, 1)), rand.New(rand.NewPCG(7, 1)), rand.New(rand.NewPCG(8, 1))
		for i := 0; i < n; i++ {
			mark := randomMark(rng)
			s := m.RandomSpec(rng, mark, r.Fonts())
			if m == RoadMix {
				if want := RandomSpec(same, randomMark(same), r.Fonts()); !reflect.DeepEqual(s, want) {
					t.Fatalf("draw %d: RoadMix drew %+v, RandomSpec %+v", i, s, want)
				}
			}
			count[m][string(s.Layout)]++
			count[m]["historic"] += b2i(s.Historic)
			if _, err := r.Render(s, 0.25+look.Float64()*0.75, look); err != nil {
				t.Fatalf("Render(%+v): %v", s, err)
			}
		}
	}
	for _, key := range []string{string(TwoLine), string(Motorcycle), "historic"} {
		road, hard := count[RoadMix][key], count[HardMix][key]
		if ratio := float64(hard) / float64(max(road, 1)); ratio < 2 || ratio > 5 {
			t.Errorf("%s: %d in the road mix, %d in the hard mix (%.1f times), want 2 to 5 times", key, road, hard, ratio)
		}
	}
	if one := float64(count[HardMix][string(OneLine)]) / n; one < 0.55 {
		t.Errorf("hard mix: one-line share %.2f, want most plates still one-line", one)
	}
}

// The pressed-metal typeface draws a 1 that is a plain bar, the very shape
// of its I (the mandatory 1 has a flag), with a thinner pen than the
// mandatory typeface, at the same cap height.
func TestPressedMetal(t *testing.T) {
	r := testRenderer(t)
	ink := func(f Font, text string) (*Plate, int) {
		p := mustRender(t, r, Spec{Text: text, Font: f, Side: Front}, 2, 1)
		dark := 0
		b := p.Image.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if p.Image.NRGBAAt(x, y).A == 255 && luma(p.Image, x, y) < 100 {
					dark++
				}
			}
		}
		return p, dark
	}
	p1, one := ink(PressedMetal, "1")
	pI, eye := ink(PressedMetal, "I")
	if one != eye || p1.Chars[0].Box.Dx() != pI.Chars[0].Box.Dx() {
		t.Errorf("pressed-metal 1: %d dark px in a %v box, its I %d in %v: want the same plain bar", one, p1.Chars[0].Box, eye, pI.Chars[0].Box)
	}
	if _, m1 := ink(Mandatory, "1"); m1 <= one {
		t.Errorf("mandatory 1 has %d dark px, pressed-metal %d: want the flag to add ink", m1, one)
	}
	_, pressedH := ink(PressedMetal, "H")
	_, mandatoryH := ink(Mandatory, "H")
	if ratio := float64(pressedH) / float64(mandatoryH); ratio < 0.7 || ratio > 0.9 {
		t.Errorf("pressed-metal H has %.2f times the mandatory H's ink, want the thinner pen's 0.7 to 0.9", ratio)
	}
	for _, text := range []string{"ABCD EFG", "HIJK LMN", "OPQR STU", "VWXY Z01", "2345 678", "9"} {
		p := mustRender(t, r, Spec{Text: text, Font: PressedMetal}, 1, 1)
		for _, c := range p.Chars {
			if h := c.Box.Dy(); h < 76 || h > 84 {
				t.Errorf("pressed-metal %q is %d px high at 1 px/mm", c.Char, h)
			}
		}
	}
}

// OldTypeMix draws about half the marks from before 2001 in the
// pressed-metal typeface and never a current mark; the road and hard mixes
// never draw it, so the sets they render stay as they were.
func TestOldTypeMix(t *testing.T) {
	r := testRenderer(t)
	const n = 3000
	for _, m := range []Mix{RoadMix, HardMix, OldTypeMix} {
		rng := rand.New(rand.NewPCG(11, 1))
		old, pressed := 0, 0
		for i := 0; i < n; i++ {
			mark := randomMark(rng)
			s := m.RandomSpec(rng, mark, r.Fonts())
			current := isCurrentFormat(strings.Fields(mark))
			old += b2i(!current)
			if s.Font != PressedMetal {
				continue
			}
			pressed++
			if current || m.OldTypeface == 0 {
				t.Fatalf("mix %+v drew %q (current format %v) in the pressed-metal typeface", m, mark, current)
			}
		}
		if m.OldTypeface == 0 {
			continue
		}
		if share := float64(pressed) / float64(max(old, 1)); math.Abs(share-m.OldTypeface) > 0.06 {
			t.Errorf("%d of %d old marks in the pressed-metal typeface (%.2f), want about %.2f", pressed, old, share, m.OldTypeface)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The Renderer is used from many goroutines at once.
func TestConcurrentRender(t *testing.T) {
	r := testRenderer(t)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 5))
			for i := 0; i < 50; i++ {
				s := RandomSpec(rng, randomMark(rng), r.Fonts())
				s.Wear.StrokeScale = 0.8 + 0.01*float64(i) // new glyph weights, built concurrently
				if _, err := r.Render(s, 0.5, rng); err != nil {
					t.Error(err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

// Extreme but valid inputs render without trouble.
func TestRenderExtremes(t *testing.T) {
	r := testRenderer(t)
	tests := []struct {
		name  string
		spec  Spec
		scale float64
	}{
		{"tiny scale", Spec{Text: "AB12 CDE"}, 1e-4},
		{"largest scale", Spec{Text: "A1", Layout: Motorcycle}, MaxPxPerMM},
		{"one character", Spec{Text: "1"}, 1},
		{"eight characters", Spec{Text: "ABCD 1234", Band: BandEUGB, GreenFlash: true}, 1},
		{"everything at once", Spec{Text: "AB12 CDE", Layout: TwoLine, Band: BandUnion, GreenFlash: true, Border: true,
			Dealer: "A very long dealer legend that does not fit on the plate at all, really",
			Wear: Wear{SpacingScale: 10, GroupGapMM: 300, StrokeScale: 3, StickOn: true, Fade: 5, Dirt: 5, Reflection: 5,
				Screws: true, Raised3D: true}}, 2},
		{"thinnest", Spec{Text: "WM88 MWW", Wear: Wear{StrokeScale: 0.01}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustRender(t, r, tc.spec, tc.scale, 1)
			if p.Image.Bounds().Empty() {
				t.Fatal("empty image")
			}
		})
	}
}

// Without any system font the renderer still works: Mandatory only, and
// the dealer legend drawn with the plate strokes.
func TestNoSystemFonts(t *testing.T) {
	r, err := newRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Fonts(); len(f) != 1 || f[0] != Mandatory {
		t.Fatalf("Fonts() = %v, want only Mandatory", f)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for i := 0; i < 50; i++ {
		s := RandomSpec(rng, randomMark(rng), r.Fonts())
		s.Dealer = "Riverside Motors  BS AU 145e"
		if _, err := r.Render(s, 2, rng); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Render(Spec{Text: "AB12 CDE", Font: FontBebasNeue}, 1, rng); err == nil {
		t.Error("a font that is not installed rendered")
	}
}
