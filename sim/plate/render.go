package plate

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"strings"
)

// MaxPxPerMM is the largest scale Render accepts (a one-line plate 10,400
// pixels wide); anything above is taken for a unit mistake.
const MaxPxPerMM = 20.0

// Render draws plate s at pxPerMM pixels per millimetre.
//
// The image is exactly the plate's rectangle (520x111 mm at 1 px/mm gives
// 520x111 pixels), opaque inside the plate's rounded outline and
// transparent (alpha 0, anti-aliased) in the four small corner cut-outs.
// Corners are the rectangle's corners. Chars are the ink boxes of the
// characters (before dirt, shadows and screws), in reading order, rounded
// outwards to whole pixels; a stick-on character's box is that of its
// rotated ink rectangle. The image is round(mm*pxPerMM) pixels each way, so
// the exact scale per axis is the image size over the plate size in mm.
//
// rng drives everything random: slight colour variation between plates,
// corner radius, and the random parts of Wear (dirt, stick-on jitter, screw
// style and position, reflection). The same Spec, scale and rng state give
// the same pixels. A nil rng uses a fixed seed. An empty Side is taken as
// Front, an empty Layout as OneLine.
func (r *Renderer) Render(s Spec, pxPerMM float64, rng *rand.Rand) (*Plate, error) {
	if !(pxPerMM > 0) || pxPerMM > MaxPxPerMM || math.IsInf(pxPerMM, 0) {
		return nil, fmt.Errorf("render plate %q: scale %v px/mm is outside (0, %v]", s.Text, pxPerMM, MaxPxPerMM)
	}
	font := s.Font
	if font == "" {
		font = Mandatory
	}
	if !r.hasFont(font) {
		return nil, fmt.Errorf("render plate %q: unknown font %q (have %v)", s.Text, s.Font, append(r.Fonts(), PressedMetal))
	}
	switch s.Side {
	case Front, Rear, "":
	default:
		return nil, fmt.Errorf("render plate %q: unknown side %q", s.Text, s.Side)
	}
	switch s.Band {
	case NoBand, BandUK, BandGB, BandEUGB, BandUnion, BandEngland, BandScotland, BandWales:
	default:
		return nil, fmt.Errorf("render plate %q: unknown band %q", s.Text, s.Band)
	}
	if err := checkWear(s.Wear); err != nil {
		return nil, fmt.Errorf("render plate %q: %w", s.Text, err)
	}
	groups, err := parseText(s.Text)
	if err != nil {
		return nil, fmt.Errorf("render plate: %w", err)
	}
	geo, err := geometry(s, groups)
	if err != nil {
		return nil, fmt.Errorf("render plate: %w", err)
	}
	if rng == nil {
		rng = rand.New(rand.NewPCG(1, 2))
	}

	W := max(1, int(math.Round(geo.w*pxPerMM)))
	H := max(1, int(math.Round(geo.h*pxPerMM)))
	img := image.NewNRGBA(image.Rect(0, 0, W, H))
	cv := r.pool.Get().(*canvas)
	defer func() {
		cv.img = nil // do not keep the caller's image alive in the pool
		r.pool.Put(cv)
	}()
	job := &renderJob{
		r: r, s: s, geo: geo, font: font, rng: rng, cv: cv,
		px: pxPerMM, sx: float64(W) / geo.w, sy: float64(H) / geo.h,
		lod: lodFor(pxPerMM),
	}
	job.toPx = scaleXY(job.sx, job.sy)
	job.pickLook()
	cv.startImage(img, job.pal.bg, 4) // 16-pixel painted-blocks

	job.drawBands()
	job.drawRim()
	job.drawBorder()
	job.drawLegend()
	chars, err := job.drawChars()
	if err != nil {
		return nil, fmt.Errorf("render plate %q: %w", s.Text, err)
	}
	job.drawScrews()
	job.drawGrit()
	job.finish()

	return &Plate{
		Image:   img,
		PxPerMM: pxPerMM,
		Chars:   chars,
		Corners: [4][2]float64{{0, 0}, {float64(W), 0}, {float64(W), float64(H)}, {0, float64(H)}},
	}, nil
}

// checkWear rejects values no plate could have. Fade, Dirt and Reflection
// are clamped to 0..1 when drawing.
func checkWear(w Wear) error {
	for _, f := range []struct {
		name string
		v    float64
		max  float64
	}{
		{"SpacingScale", w.SpacingScale, 10},
		{"GroupGapMM", w.GroupGapMM, 300},
		{"StrokeScale", w.StrokeScale, 3},
		{"Fade", w.Fade, math.MaxFloat64},
		{"Dirt", w.Dirt, math.MaxFloat64},
		{"Reflection", w.Reflection, math.MaxFloat64},
	} {
		if math.IsNaN(f.v) || f.v < 0 || f.v > f.max {
			return fmt.Errorf("wear %s = %v is outside [0, %v]", f.name, f.v, f.max)
		}
	}
	return nil
}

// renderJob is one Render call's state.
type renderJob struct {
	r      *Renderer
	s      Spec
	geo    plateGeom
	font   Font
	rng    *rand.Rand
	cv     *canvas
	px     float64 // nominal px/mm
	lod    lod
	sx, sy float64 // exact px/mm along each axis
	toPx   affine
	pal    palette
	look   look
}

// palette is the plate's colours after fading.
type palette struct {
	bg, ink, bleach, dirt rgb
	flash, band, bandInk  rgb
}

// look holds the random, per-plate choices that are not colours.
type look struct {
	cornerMM float64
	rimMM    float64 // darker rim along the edge (acrylic edge, holder); 0 for none
	rimDark  float64
}

func jitter(rng *rand.Rand, v uint8, d float64) uint8 {
	return uint8(math.Max(0, math.Min(255, float64(v)+(rng.Float64()*2-1)*d)))
}

// pickLook chooses the plate's colours: reflective white or yellow within
// the range real sheeting shows, near-black characters going grey with age,
// then fade (sun-bleached background, greyish characters).
func (j *renderJob) pickLook() {
	rng, w := j.rng, j.s.Wear
	var p palette
	switch {
	case j.s.Historic:
		p.bg = rgb{jitter(rng, 22, 8), jitter(rng, 22, 8), jitter(rng, 24, 8)}
		v := jitter(rng, 215, 25)
		p.ink = rgb{v, v, jitter(rng, v, 6)}
		p.bleach = rgb{90, 90, 88}
	case j.s.Side == Rear:
		// From deep (orange-ish, older sheeting) to lemon yellow.
		p.bg = rgb{jitter(rng, 252, 4), uint8(186 + rng.IntN(32)), uint8(rng.IntN(50))}
		p.bleach = rgb{246, 232, 160}
		p.ink = darkInk(rng)
	default:
		v := 236 + rng.Float64()*16
		tint := rng.Float64()*8 - 2 // a little cream on some
		p.bg = rgb{uint8(v), uint8(v - tint*0.3), uint8(math.Max(0, v-tint))}
		p.bleach = rgb{212, 212, 204}
		p.ink = darkInk(rng)
	}
	fade := clamp01(w.Fade)
	p.bg = p.bg.lerp(p.bleach, fade*0.55)
	p.ink = p.ink.lerp(p.bg, fade*0.5)
	p.dirt = rgb{jitter(rng, 92, 14), jitter(rng, 82, 12), jitter(rng, 66, 10)}
	p.flash = rgb{jitter(rng, 0, 10), jitter(rng, 160, 18), jitter(rng, 80, 16)}.lerp(p.bleach, fade*0.4)
	p.band = rgb{0, jitter(rng, 48, 10), jitter(rng, 150, 20)}.lerp(p.bleach, fade*0.4)
	p.bandInk = rgb{250, 250, 250}
	j.pal = p
	j.look.cornerMM = 2.5 + rng.Float64()*6
	if rng.Float64() < 0.55 {
		j.look.rimMM = 0.8 + rng.Float64()*2
		j.look.rimDark = 0.08 + rng.Float64()*0.25
	}
}

// drawRim darkens a thin band along the plate's edge, as the edge of an
// acrylic plate or the lip of a holder shows.
func (j *renderJob) drawRim() {
	if j.look.rimMM == 0 {
		return
	}
	w, h := j.geo.w, j.geo.h
	r := j.look.rimMM
	c := j.pal.bg.scale(0.55)
	for _, b := range []rect{{0, 0, w, r}, {0, h - r, w, h}, {0, r, r, h - r}, {w - r, r, w, h - r}} {
		x0, y0, x1, y1 := j.mmRect(b)
		j.cv.fillRect(x0, y0, x1, y1, c, j.look.rimDark)
	}
}

func darkInk(rng *rand.Rand) rgb {
	v := 10 + rng.Float64()*rng.Float64()*50 // mostly near-black, some dark grey
	return rgb{uint8(v), uint8(v), uint8(v + rng.Float64()*4)}
}

// mmRect converts a plate rectangle in mm to pixels (floating).
func (j *renderJob) mmRect(r rect) (x0, y0, x1, y1 float64) {
	return r.x0 * j.sx, r.y0 * j.sy, r.x1 * j.sx, r.y1 * j.sy
}

// fillPolys rasterises polygons (plate mm, mapped by m) and blends c.
func (j *renderJob) fillPolys(ps []poly, m affine, c rgb, alpha float64) {
	m = m.then(j.toPx)
	if !j.cv.begin(pxBounds(ps, m)) {
		return
	}
	for _, p := range ps {
		j.cv.polyMap(p, m)
	}
	j.cv.fill(c, alpha)
}

// drawChars lays out and draws the characters, with raised-3D edges when
// asked, and returns their pixel boxes in reading order.
func (j *renderJob) drawChars() ([]CharBox, error) {
	geo, w, rng := j.geo, j.s.Wear, j.rng
	type placed struct {
		c rune
		g *glyphShape
		m affine // cell mm -> pixels
	}
	var all []placed
	// Glyphs first, to know the line widths.
	type lineChars struct {
		gs     []*glyphShape
		runes  []rune
		breaks []bool // group break before this char
		width  float64
	}
	fx := geo.charW / cellW
	fy := geo.charH / cellH
	lines := make([]lineChars, len(geo.lines))
	maxW := 0.0
	for li, groups := range geo.lines {
		lc := &lines[li]
		for gi, gr := range groups {
			for ci, c := range gr {
				g, err := j.r.glyph(j.font, c, geo.weight, j.lod)
				if err != nil {
					return nil, err
				}
				brk := gi > 0 && ci == 0
				if len(lc.gs) > 0 {
					if brk {
						lc.width += geo.groupGap
					} else {
						lc.width += geo.charGap
					}
				}
				lc.gs = append(lc.gs, g)
				lc.runes = append(lc.runes, c)
				lc.breaks = append(lc.breaks, brk)
				lc.width += g.w * fx
			}
		}
		maxW = math.Max(maxW, lc.width)
	}
	squeeze := 1.0
	if maxW > geo.text.w() {
		squeeze = geo.text.w() / maxW
	}
	nl := float64(len(lines))
	total := nl*geo.charH + (nl-1)*geo.lineGap
	y := (geo.h - total) / 2
	stick := w.StickOn
	for _, lc := range lines {
		x := geo.text.x0 + (geo.text.w()-lc.width*squeeze)/2
		for i, g := range lc.gs {
			if i > 0 {
				if lc.breaks[i] {
					x += geo.groupGap * squeeze
				} else {
					x += geo.charGap * squeeze
				}
			}
			cw := g.w * fx * squeeze
			m := scaleXY(fx*squeeze, fy).then(translate(x, y))
			if stick {
				cx, cy := x+cw/2, y+geo.charH/2
				rot := (rng.Float64()*2 - 1) * 3.5 * math.Pi / 180
				k := 1 + (rng.Float64()*2-1)*0.03
				dx := (rng.Float64()*2 - 1) * 2.5
				dy := (rng.Float64()*2 - 1) * 3
				m = m.then(translate(-cx, -cy)).then(scaleXY(k, k)).then(rotate(rot)).then(translate(cx+dx, cy+dy))
			}
			all = append(all, placed{c: lc.runes[i], g: g, m: m.then(j.toPx)})
			x += cw
		}
		y += geo.charH + geo.lineGap
	}

	boxes := make([]CharBox, len(all))
	var union image.Rectangle
	bounds := image.Rect(0, 0, j.cv.w, j.cv.h)
	for i, p := range all {
		b := inkBoundsPx(p.g, p.m)
		union = union.Union(b)
		boxes[i] = CharBox{Char: p.c, Box: b.Intersect(bounds)}
	}
	shift := 0
	if w.Raised3D {
		shift = max(1, int(math.Round(1.3*j.px)))
	}
	if !j.cv.begin(union.Inset(-shift - 1)) {
		return boxes, nil
	}
	for _, p := range all {
		for _, q := range p.g.polys {
			j.cv.polyMap(q, p.m)
		}
	}
	if !w.Raised3D {
		j.cv.fill(j.pal.ink, 1)
		return boxes, nil
	}
	// Raised characters: a lit rim up-left, a shadowed side down-right.
	j.cv.rasterize()
	j.cv.blend(j.pal.ink.lerp(rgb{255, 255, 255}, 0.45), 0.7, -max(1, shift/2), -max(1, shift/2))
	j.cv.blend(j.pal.bg.scale(0.45), 0.8, shift, shift)
	j.cv.blend(j.pal.ink, 1, 0, 0)
	return boxes, nil
}

// drawBorder draws the thin black line inset from the plate edge.
func (j *renderJob) drawBorder() {
	if !j.s.Border {
		return
	}
	inset := 2.5 + j.rng.Float64()*2
	th := 1.2 + j.rng.Float64()*1.6
	rad := math.Max(j.look.cornerMM-inset, 0) + 1.5
	outer := roundRect(rect{inset, inset, j.geo.w - inset, j.geo.h - inset}, rad)
	inner := roundRect(rect{inset + th, inset + th, j.geo.w - inset - th, j.geo.h - inset - th}, math.Max(rad-th, 0.5))
	c := j.pal.ink
	if j.s.Historic {
		c = j.pal.ink.scale(0.95)
	}
	// Four strips keep the masks small: a mask over the whole plate would
	// cost as much as the plate itself.
	ps := []poly{outer.orient(true), inner.orient(false)}
	m := j.toPx
	bx := (inset + th + rad + 1) * j.sx
	by := (inset + th + rad + 1) * j.sy
	W, H := j.cv.w, j.cv.h
	strips := []image.Rectangle{
		image.Rect(0, 0, W, int(math.Ceil(by))),
		image.Rect(0, H-int(math.Ceil(by)), W, H),
		image.Rect(0, int(math.Ceil(by)), int(math.Ceil(bx)), H-int(math.Ceil(by))),
		image.Rect(W-int(math.Ceil(bx)), int(math.Ceil(by)), W, H-int(math.Ceil(by))),
	}
	for _, st := range strips {
		if !j.cv.begin(st) {
			continue
		}
		for _, p := range ps {
			j.cv.polyMap(p, m)
		}
		j.cv.fill(c, 1)
	}
}

// roundRect is a rectangle with circular corners of radius rad, flattened.
func roundRect(r rect, rad float64) poly {
	rad = math.Min(rad, math.Min(r.w(), r.h())/2)
	var p poly
	const n = 6
	corner := func(cx, cy, a0 float64) {
		for i := 0; i <= n; i++ {
			a := a0 + float64(i)/n*math.Pi/2
			p = append(p, pt{cx + rad*math.Cos(a), cy + rad*math.Sin(a)})
		}
	}
	corner(r.x1-rad, r.y0+rad, -math.Pi/2)
	corner(r.x1-rad, r.y1-rad, 0)
	corner(r.x0+rad, r.y1-rad, math.Pi/2)
	corner(r.x0+rad, r.y0+rad, math.Pi)
	return p
}

// legendSmudge stands in for a legend too small to read: each word becomes
// a faint bar of about the ink its letters would leave.
func (j *renderJob) legendSmudge(text string, capMM, base float64, c rgb) {
	charW := capMM * 0.62
	words := strings.Fields(text)
	var width float64
	for i, w := range words {
		if i > 0 {
			width += charW
		}
		width += float64(len(w)) * charW
	}
	k := math.Min(1, j.geo.text.w()/width)
	x := j.geo.text.x0 + (j.geo.text.w()-width*k)/2
	for _, w := range words {
		ww := float64(len(w)) * charW * k
		x0, y0, x1, y1 := j.mmRect(rect{x, base - capMM, x + ww, base})
		j.cv.fillRect(x0, y0, x1, y1, c, 0.4)
		x += ww + charW*k
	}
}

// drawLegend writes the supplier's legend in small type along the bottom.
func (j *renderJob) drawLegend() {
	text := j.s.Dealer
	if text == "" {
		return
	}
	geo := j.geo
	capMM := 4.2
	if j.s.Layout == Motorcycle {
		capMM = 3.6
	}
	base := geo.h - 3.2 - j.rng.Float64()*1.5
	c := j.pal.ink.lerp(j.pal.bg, 0.15)
	if capMM*j.px < 2.5 {
		j.legendSmudge(text, capMM, base, c)
		return
	}
	var ps []poly
	x := 0.0
	if lf := j.r.legend; lf != nil {
		const narrow = 0.88
		for _, ch := range text {
			adv, ok := lf.advance[ch]
			if !ok {
				adv = lf.advance[' ']
			}
			for _, p := range lf.glyphs[ch] {
				q := make(poly, len(p))
				for i, v := range p {
					q[i] = pt{x + v.x*capMM*narrow, base + v.y*capMM}
				}
				ps = append(ps, q)
			}
			x += adv * capMM * narrow
		}
	} else {
		for _, ch := range text {
			if ch >= 'a' && ch <= 'z' {
				ch -= 'a' - 'A'
			}
			g, err := j.r.glyph(Mandatory, ch, 1, j.lod)
			if err == nil {
				k := capMM / cellH
				for _, p := range g.polys {
					q := make(poly, len(p))
					for i, v := range p {
						q[i] = pt{x + v.x*k, base - capMM + v.y*k}
					}
					ps = append(ps, q)
				}
				x += g.w*k + capMM*0.2
			} else {
				x += capMM * 0.5
			}
		}
	}
	avail := geo.text.w()
	k := 1.0
	if x > avail {
		k = avail / x
	}
	x0 := geo.text.x0 + (geo.text.w()-x*k)/2
	m := translate(0, -base).then(scaleXY(k, 1)).then(translate(x0, base))
	j.fillPolys(ps, m, c, 1)
}
