package plate

import "math"

// Flag colours.
var (
	unionBlue   = rgb{1, 33, 105}
	unionRed    = rgb{200, 16, 46}
	saltireBlue = rgb{0, 94, 184}
	walesGreen  = rgb{0, 165, 70}
	walesRed    = rgb{210, 20, 40}
	white       = rgb{250, 250, 250}
	starYellow  = rgb{255, 204, 0}
)

// drawBands paints the green flash and the national identifier band.
func (j *renderJob) drawBands() {
	geo := j.geo
	inset := 1.5
	if geo.flash.w() > 0 {
		x0, y0, x1, y1 := j.mmRect(rect{geo.flash.x0 + inset, inset, geo.flash.x1, geo.h - inset})
		j.cv.fillRect(x0, y0, x1, y1, j.pal.flash, 1)
	}
	if geo.band.w() == 0 {
		return
	}
	b := geo.band
	left := inset
	if b.x0 > 0 {
		left = 0.8 // right against the flash
	}
	x0, y0, x1, y1 := j.mmRect(rect{b.x0 + left, inset, b.x1 - 1, geo.h - inset})
	j.cv.fillRect(x0, y0, x1, y1, j.pal.band, 1)

	cx := (b.x0 + left + b.x1 - 1) / 2
	bw := b.x1 - 1 - b.x0 - left
	// Identifier letters at the bottom, emblem above.
	letters := map[Band]string{BandUK: "UK", BandGB: "GB", BandEUGB: "GB", BandUnion: "UK",
		BandEngland: "ENG", BandScotland: "SCO", BandWales: "CYM"}[j.s.Band]
	lh := math.Min(0.2*geo.h, 22)
	if j.s.Band == BandUK || j.s.Band == BandGB {
		lh = math.Min(0.3*geo.h, 30) // letters alone: bigger, centred
	}
	base := geo.h - inset - math.Max(0.1*geo.h, 6)
	if j.s.Band == BandUK || j.s.Band == BandGB {
		base = geo.h/2 + lh/2
	}
	j.drawBandLetters(letters, cx, base, lh, bw-5)

	top := inset + 0.06*geo.h
	emH := base - lh - top - 0.05*geo.h // room above the letters
	fw := math.Min(bw-6, emH*1.7)
	fh := fw / 1.7
	fr := rect{cx - fw/2, top + (emH-fh)/2, cx + fw/2, top + (emH+fh)/2}
	switch j.s.Band {
	case BandEUGB:
		j.drawStars(cx, top+emH/2, math.Min(bw*0.3, emH*0.42))
	case BandUnion:
		j.drawUnion(fr)
	case BandEngland:
		j.fillRectMM(fr, white)
		j.fillRectMM(rect{cx - fh/10, fr.y0, cx + fh/10, fr.y1}, unionRed)
		cy := (fr.y0 + fr.y1) / 2
		j.fillRectMM(rect{fr.x0, cy - fh/10, fr.x1, cy + fh/10}, unionRed)
	case BandScotland:
		j.fillRectMM(fr, saltireBlue)
		j.fillPolys(diagonals(fr, fh/10), affine{1, 0, 0, 0, 1, 0}, white, 1)
	case BandWales:
		cy := (fr.y0 + fr.y1) / 2
		j.fillRectMM(rect{fr.x0, fr.y0, fr.x1, cy}, white)
		j.fillRectMM(rect{fr.x0, cy, fr.x1, fr.y1}, walesGreen)
		j.fillPolys([]poly{dragon(fr)}, affine{1, 0, 0, 0, 1, 0}, walesRed, 1)
	}
}

func (j *renderJob) fillRectMM(r rect, c rgb) {
	x0, y0, x1, y1 := j.mmRect(r)
	j.cv.fillRect(x0, y0, x1, y1, c, 1)
}

// drawBandLetters writes the identifier in the plate strokes, white,
// centred on cx with the baseline at base.
func (j *renderJob) drawBandLetters(s string, cx, base, lh, maxW float64) {
	k := lh / cellH
	gap := lh * 0.14
	var gs []*glyphShape
	width := 0.0
	for i, c := range s {
		g, err := j.r.glyph(Mandatory, c, 1, j.lod)
		if err != nil {
			return
		}
		gs = append(gs, g)
		if i > 0 {
			width += gap
		}
		width += g.w * k
	}
	kx := k
	if width > maxW {
		kx *= maxW / width
		gap *= maxW / width
		width = maxW
	}
	x := cx - width/2
	var ps []poly
	for _, g := range gs {
		m := scaleXY(kx, k).then(translate(x, base-lh))
		for _, p := range g.polys {
			q := make(poly, len(p))
			for i, v := range p {
				q[i] = m.apply(v)
			}
			ps = append(ps, q)
		}
		x += g.w*kx + gap
	}
	j.fillPolys(ps, affine{1, 0, 0, 0, 1, 0}, j.pal.bandInk, 1)
}

// drawStars draws the EU circle of twelve five-pointed stars.
func (j *renderJob) drawStars(cx, cy, rad float64) {
	var ps []poly
	sr := rad * 0.2
	for i := 0; i < 12; i++ {
		a := float64(i) * math.Pi / 6
		sx, sy := cx+rad*math.Sin(a), cy-rad*math.Cos(a)
		var p poly
		for k := 0; k < 10; k++ {
			r := sr
			if k%2 == 1 {
				r = sr * 0.4
			}
			b := float64(k) * math.Pi / 5
			p = append(p, pt{sx + r*math.Sin(b), sy - r*math.Cos(b)})
		}
		ps = append(ps, p.orient(true))
	}
	j.fillPolys(ps, affine{1, 0, 0, 0, 1, 0}, starYellow, 1)
}

// drawUnion draws a (simplified) Union flag in r.
func (j *renderJob) drawUnion(r rect) {
	j.fillRectMM(r, unionBlue)
	fh := r.h()
	id := affine{1, 0, 0, 0, 1, 0}
	j.fillPolys(diagonals(r, fh/10), id, white, 1)
	j.fillPolys(diagonals(r, fh/30), id, unionRed, 1)
	cx, cy := (r.x0+r.x1)/2, (r.y0+r.y1)/2
	j.fillRectMM(rect{cx - fh/6, r.y0, cx + fh/6, r.y1}, white)
	j.fillRectMM(rect{r.x0, cy - fh/6, r.x1, cy + fh/6}, white)
	j.fillRectMM(rect{cx - fh/10, r.y0, cx + fh/10, r.y1}, unionRed)
	j.fillRectMM(rect{r.x0, cy - fh/10, r.x1, cy + fh/10}, unionRed)
}

// diagonals are the two corner-to-corner bars of half-width h, clipped to r.
func diagonals(r rect, h float64) []poly {
	var ps []poly
	for _, d := range [][2]pt{{{r.x0, r.y0}, {r.x1, r.y1}}, {{r.x1, r.y0}, {r.x0, r.y1}}} {
		dir := d[1].sub(d[0]).unit().mul(h * 3)
		sp := subpath{pts: []pt{d[0].sub(dir), d[1].add(dir)}}
		for _, p := range strokeOutline(sp, h, miterLoose) {
			if q := clipPoly(p, r); q != nil {
				ps = append(ps, q)
			}
		}
	}
	return ps
}

// dragon is a rough red dragon shape: at plate sizes only its mass shows.
func dragon(r rect) poly {
	pts := []pt{{0.15, 0.55}, {0.3, 0.35}, {0.45, 0.42}, {0.55, 0.2}, {0.62, 0.38}, {0.78, 0.22},
		{0.85, 0.3}, {0.75, 0.45}, {0.82, 0.75}, {0.68, 0.62}, {0.55, 0.8}, {0.45, 0.62}, {0.3, 0.78}, {0.28, 0.6}}
	p := make(poly, len(pts))
	for i, v := range pts {
		p[i] = pt{r.x0 + v.x*r.w(), r.y0 + v.y*r.h()}
	}
	return p.orient(true)
}
