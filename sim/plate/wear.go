package plate

import (
	"encoding/binary"
	"image"
	"math"
)

// drawScrews draws two screw heads at about a quarter and three quarters of
// the width; they land wherever that is, sometimes on a character.
func (j *renderJob) drawScrews() {
	if !j.s.Wear.Screws {
		return
	}
	rng, geo := j.rng, j.geo
	style := rng.IntN(4) // 0 chrome, 1 cap in plate colour, 2 black cap, 3 bare zinc
	radMM := 4 + rng.Float64()*1.8
	if style == 3 {
		radMM = 3.6 + rng.Float64()*0.8
	}
	cy := geo.h/2 + (rng.Float64()*2-1)*4
	for _, f := range []float64{0.25, 0.75} {
		cx := geo.w * (f + (rng.Float64()*2-1)*0.04)
		j.drawScrew(cx, cy+(rng.Float64()*2-1)*1.2, radMM, style)
	}
}

func (j *renderJob) drawScrew(cxMM, cyMM, radMM float64, style int) {
	cx, cy := cxMM*j.sx, cyMM*j.sy
	rad := radMM * j.px
	x0, y0 := max(0, int(math.Floor(cx-rad-1))), max(0, int(math.Floor(cy-rad-1)))
	x1, y1 := min(j.cv.w, int(math.Ceil(cx+rad+1))), min(j.cv.h, int(math.Ceil(cy+rad+1)))
	var base rgb
	var spec, ambient float64
	switch style {
	case 0:
		base, spec, ambient = rgb{165, 168, 172}, 0.8, 0.55
	case 1:
		base, spec, ambient = j.pal.bg.scale(0.97), 0.35, 0.8
	case 2:
		base, spec, ambient = rgb{28, 28, 30}, 0.5, 0.9
	default:
		base, spec, ambient = rgb{150, 150, 140}, 0.3, 0.6
	}
	slot := style == 0 || style == 3
	j.cv.markRect(image.Rect(x0, y0, x1, y1))
	lx, ly, lz := -0.45, -0.55, 0.70
	img := j.cv.img
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			dx, dy := (float64(x)+0.5-cx)/rad, (float64(y)+0.5-cy)/rad
			d2 := dx*dx + dy*dy
			cov := clamp01((1 - math.Sqrt(d2)) * rad)
			if cov <= 0 {
				continue
			}
			nz := math.Sqrt(math.Max(0, 1-d2*0.85))
			diff := (dx*lx + dy*ly + nz*lz)
			h2 := math.Max(0, diff)
			h2 *= h2
			h2 *= h2 * h2 // diff^6
			hl := h2 * h2 * spec
			k := ambient + 0.45*diff
			c := base.scale(k).lerp(rgb{255, 255, 255}, hl)
			if slot {
				sw := 0.14
				if (math.Abs(dx) < sw && math.Abs(dy) < 0.6) || (math.Abs(dy) < sw && math.Abs(dx) < 0.6) {
					c = c.scale(0.35)
				}
			}
			// Rim shadow where the head meets the plate.
			if d2 > 0.8 {
				c = c.scale(0.8)
			}
			i := y*img.Stride + x*4
			p := img.Pix[i : i+3 : i+3]
			p[0] = uint8(float64(p[0]) + (float64(c.r)-float64(p[0]))*cov + 0.5)
			p[1] = uint8(float64(p[1]) + (float64(c.g)-float64(p[1]))*cov + 0.5)
			p[2] = uint8(float64(p[2]) + (float64(c.b)-float64(p[2]))*cov + 0.5)
		}
	}
}

// drawGrit scatters small dirt specks and flecks, too small for the coarse
// dirt field.
func (j *renderJob) drawGrit() {
	d := clamp01(j.s.Wear.Dirt)
	if d < 0.05 {
		return
	}
	rng, geo := j.rng, j.geo
	c := j.pal.dirt.scale(0.8)
	alpha := 0.35 + 0.45*d
	for i := int(d * 90); i > 0; i-- {
		// More specks low on the plate, where road spray lands.
		y := geo.h * (1 - math.Pow(rng.Float64(), 1.8))
		x := rng.Float64() * geo.w
		r := 0.4 + rng.Float64()*rng.Float64()*2.2
		j.disc(x, y, r, c, alpha*(0.6+0.4*rng.Float64()))
	}
	// Faint smears, bigger than specks and finer than the dirt field.
	for i := int(d * 14); i > 0; i-- {
		y := geo.h * (1 - math.Pow(rng.Float64(), 1.5))
		j.disc(rng.Float64()*geo.w, y, 2.5+rng.Float64()*5, j.pal.dirt, 0.08+0.2*d*rng.Float64())
	}
}

// disc blends an anti-aliased disc (centre and radius in mm).
func (j *renderJob) disc(xMM, yMM, rMM float64, c rgb, alpha float64) {
	cx, cy, r := xMM*j.sx, yMM*j.sy, rMM*j.px
	// Below a pixel, spread the same ink over one pixel's area.
	if r < 0.5 {
		alpha *= (r * r) / 0.25
		r = 0.5
	}
	x0, y0 := max(0, int(cx-r)), max(0, int(cy-r))
	x1, y1 := min(j.cv.w, int(cx+r)+1), min(j.cv.h, int(cy+r)+1)
	a := alpha * 256
	j.cv.markRect(image.Rect(x0, y0, x1, y1))
	for y := y0; y < y1; y++ {
		row := j.cv.img.Pix[y*j.cv.img.Stride:]
		for x := x0; x < x1; x++ {
			dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
			cov := clamp01(r - math.Sqrt(dx*dx+dy*dy) + 0.5)
			if cov > 0 {
				mixPixel(row[4*x:4*x+3:4*x+3], c, int32(cov*a))
			}
		}
	}
}

// effects is a coarse grid over the plate holding, per node, the colour map
// that dirt, uneven fading, shading and reflection make together: each
// composes to c' = c*a + b per channel, so their composition is one such map,
// interpolated per pixel.
type effects struct {
	gw, gh int
	stepX  float64 // node spacing in mm
	stepY  float64
	a      []float32
	b      [3][]float32
}

func smoothstep(a, b, x float64) float64 {
	t := clamp01((x - a) / (b - a))
	return t * t * (3 - 2*t)
}

// valueNoise fills a gw x gh grid with smooth noise in [0,1] whose lattice
// spacing is px by py nodes.
func valueNoise(rng interface{ Float64() float64 }, gw, gh int, px, py float64, out []float32) {
	lw, lh := int(float64(gw)/px)+2, int(float64(gh)/py)+2
	lat := make([]float32, lw*lh)
	for i := range lat {
		lat[i] = float32(rng.Float64())
	}
	ix := make([]int, gw)
	tx := make([]float32, gw)
	for x := 0; x < gw; x++ {
		f := float64(x) / px
		ix[x] = int(f)
		t := f - float64(ix[x])
		tx[x] = float32(t * t * (3 - 2*t))
	}
	for y := 0; y < gh; y++ {
		f := float64(y) / py
		iy := int(f)
		t := f - float64(iy)
		ty := float32(t * t * (3 - 2*t))
		r0, r1 := lat[iy*lw:(iy+1)*lw], lat[(iy+1)*lw:(iy+2)*lw]
		o := out[y*gw : (y+1)*gw]
		for x := range o {
			i, t := ix[x], tx[x]
			a := r0[i] + (r0[i+1]-r0[i])*t
			b := r1[i] + (r1[i+1]-r1[i])*t
			o[x] = a + (b-a)*ty
		}
	}
}

// buildEffects computes the effect grid: wash (uneven sun-bleaching, and a
// faint shading every plate has so that none is perfectly flat), dirt
// (grime, road spray low on the plate, streaks, blotches) and the specular
// reflection band.
func (j *renderJob) buildEffects() *effects {
	rng, geo, w := j.rng, j.geo, j.s.Wear
	// Nodes are whole painted-blocks (16 pixels) apart across, so that
	// spans between nodes start on a block (see finish): one block at crop
	// scales, two from 1.5 px/mm. Down they are 6 mm or 12 pixels apart.
	// The per-node work is then small beside the per-pixel work; detail
	// finer than that comes from grit.
	stepX := float64(j.nodeBlocks()*j.cv.blockPx()) / j.sx
	stepY := math.Max(6, 12/j.px)
	e := &effects{stepX: stepX, stepY: stepY}
	e.gw = int(math.Ceil(geo.w/stepX)) + 2
	e.gh = int(math.Ceil(geo.h/stepY)) + 2
	n := e.gw * e.gh
	if cap(j.cv.fbuf) < 7*n {
		j.cv.fbuf = make([]float32, 7*n)
	}
	buf := j.cv.fbuf[:7*n]
	clear(buf)
	wash, dirt, tmp := buf[:n], buf[n:2*n], buf[2*n:3*n]
	e.a = buf[3*n : 4*n]
	for c := range e.b {
		e.b[c] = buf[(4+c)*n : (5+c)*n]
	}

	fade := clamp01(w.Fade)
	valueNoise(rng, e.gw, e.gh, 30/stepX, 30/stepY, wash)
	side := rng.Float64()*2 - 1
	shade := float32(0.02 + rng.Float64()*0.05)
	for y := 0; y < e.gh; y++ {
		for x := 0; x < e.gw; x++ {
			i := y*e.gw + x
			u := float32(x) / float32(e.gw-1)
			v := wash[i]
			wash[i] = shade*v + float32(fade*0.35)*(0.5+0.5*float32(side)*(2*u-1))*(0.6+0.4*v)
		}
	}

	if d := float32(clamp01(w.Dirt)); d > 0 {
		// Noise no finer than two nodes, or the grid shows.
		per := func(mm, step float64) float64 { return math.Max(mm, 2.2*step) / step }
		valueNoise(rng, e.gw, e.gh, per(20, stepX), per(20, stepY), dirt) // grime
		valueNoise(rng, e.gw, e.gh, per(9, stepX), per(9, stepY), tmp)    // road spray
		for y := 0; y < e.gh; y++ {
			ym := float64(y) * stepY
			low := float32(smoothstep(0.45, 1.0, ym/geo.h))
			for x := 0; x < e.gw; x++ {
				xm := float64(x) * stepX
				edge := float32(math.Max(smoothstep(geo.w*0.1, 0, xm), smoothstep(geo.w*0.9, geo.w, xm)))
				i := y*e.gw + x
				g := dirt[i]
				dirt[i] = 0.18*g + 0.75*low*tmp[i]*(0.5+g) + 0.3*edge*g
			}
		}
		// Streaks running down to the bottom edge, and blotches.
		for k := int(d*8) + rng.IntN(3); k > 0; k-- {
			sx, sw := rng.Float64()*geo.w, math.Max(2+rng.Float64()*8, 0.7*stepX)
			top, a := geo.h*(0.15+rng.Float64()*0.6), float32(0.2+rng.Float64()*0.5)
			x0, x1 := max(0, int((sx-sw)/stepX)), min(e.gw-1, int((sx+sw)/stepX)+1)
			for y := max(0, int(top/stepY)); y < e.gh; y++ {
				ym := float64(y) * stepY
				vy := float32(smoothstep(top, top+15, ym))
				for x := x0; x <= x1; x++ {
					if dx := math.Abs(float64(x)*stepX-sx) / sw; dx < 1 {
						dirt[y*e.gw+x] += a * float32(1-dx) * vy
					}
				}
			}
		}
		for k := int(d*10) + rng.IntN(3); k > 0; k-- {
			sx, sy := rng.Float64()*geo.w, rng.Float64()*geo.h
			r, a := math.Max(3+rng.Float64()*12, 0.8*math.Max(stepX, stepY)), float32(0.2+rng.Float64()*0.5)
			for y := max(0, int((sy-r)/stepY)); y <= min(e.gh-1, int((sy+r)/stepY)+1); y++ {
				for x := max(0, int((sx-r)/stepX)); x <= min(e.gw-1, int((sx+r)/stepX)+1); x++ {
					dx, dy := (float64(x)*stepX-sx)/r, (float64(y)*stepY-sy)/r
					if q := dx*dx + dy*dy; q < 1 {
						dirt[y*e.gw+x] += a * float32(1-q)
					}
				}
			}
		}
		for i := range dirt {
			dirt[i] = min(0.92, d*dirt[i])
		}
	}

	// Reflection: a soft band at angle ang across the plate, plus a glow.
	refl := clamp01(w.Reflection)
	var ca, sa, centre, width, peak, glow float64
	if refl > 0 {
		ang := (rng.Float64()*2 - 1) * 1.1
		ca, sa = math.Cos(ang), math.Sin(ang)
		centre = (rng.Float64()*1.2-0.1)*geo.w*ca + geo.h/2*sa
		width = (0.08 + rng.Float64()*0.3) * geo.w
		peak = refl * (0.55 + 0.35*rng.Float64())
		glow = refl * 0.12 * rng.Float64()
	}

	bl, dc := j.pal.bleach, j.pal.dirt
	blc := [3]float32{float32(bl.r), float32(bl.g), float32(bl.b)}
	dcc := [3]float32{float32(dc.r), float32(dc.g), float32(dc.b)}
	for y := 0; y < e.gh; y++ {
		for x := 0; x < e.gw; x++ {
			i := y*e.gw + x
			wv, dv := wash[i], dirt[i]
			var k float32
			if refl > 0 {
				u := (float64(x)*stepX*ca + float64(y)*stepY*sa - centre) / width
				// (1-u²/6)^6 is a cheap stand-in for exp(-u²).
				g := 0.0
				if q := 1 - u*u/6; q > 0 {
					q2 := q * q
					g = q2 * q2 * q2
				}
				k = float32(math.Min(0.95, glow+peak*g))
			}
			a := (1 - wv) * (1 - dv) * (1 - k)
			e.a[i] = a
			for c := 0; c < 3; c++ {
				e.b[c][i] = ((blc[c]*wv*(1-dv))+dcc[c]*dv)*(1-k) + 255*k
			}
		}
	}
	return e
}

// nodeBlocks is how many painted-blocks lie between effect-grid nodes.
func (j *renderJob) nodeBlocks() int {
	if j.px >= 1.5 {
		return 2
	}
	return 1
}

// finish applies the effect grid to every pixel, then cuts the corners.
//
// Between grid nodes the colour map (A, and B per channel, 16.16 fixed
// point) is bilinear: along a row it steps by a constant per pixel, and both
// the value at a span's first pixel and that step change by a constant from
// one row to the next within a band of rows between two node rows. So each
// span of each row costs a few additions, and each pixel a multiply-add per
// channel, or less where nothing was painted and the input is the known
// background.
func (j *renderJob) finish() {
	e := j.buildEffects()
	img := j.cv.img
	W, H := j.cv.w, j.cv.h
	// Every node maps [0,255] into itself and so does any interpolation
	// between nodes; scaling by just under one and adding a quarter level
	// keeps rounding from wrapping past 0 or 255, so the inner loops need no
	// clamping.
	const one = 1 << 16
	const shrink = one * (1 - 1.0/256)
	const bias = one / 4
	nodes := func(i int) [4]float64 {
		return [4]float64{float64(e.a[i]) * shrink, float64(e.b[0][i])*shrink + bias,
			float64(e.b[1][i])*shrink + bias, float64(e.b[2][i])*shrink + bias}
	}

	pxPerNodeX, pxPerNodeY := e.stepX*j.sx, e.stepY*j.sy
	type span struct {
		i      int // node left of the span
		x0, x1 int
		t0     float64  // fraction of the way from node i at the first pixel
		s, ds  [4]int32 // value at the first pixel, change per row
		t, dt  [4]int32 // step per pixel, change per row
	}
	spans := make([]span, 0, e.gw)
	for i := 0; i+1 < e.gw; i++ {
		x0 := min(W, max(0, int(math.Ceil(float64(i)*pxPerNodeX-0.5))))
		x1 := min(W, max(0, int(math.Ceil(float64(i+1)*pxPerNodeX-0.5))))
		if x0 < x1 {
			spans = append(spans, span{i: i, x0: x0, x1: x1, t0: (float64(x0)+0.5)/pxPerNodeX - float64(i)})
		}
	}
	bg := j.pal.bg
	bgc := [3]int32{int32(bg.r), int32(bg.g), int32(bg.b)}
	bpx := j.cv.blockPx()
	// From 1.5 px/mm the background changes by well under a level per
	// pixel, so it is computed for pairs of pixels.
	pairs := j.px >= 1.5
	band := -1
	for y := 0; y < H; y++ {
		g := (float64(y) + 0.5) / pxPerNodeY
		if iy := min(int(g), e.gh-2); iy != band {
			// New band of rows: set up every span from the four nodes
			// around it.
			band = iy
			ty := g - float64(iy)
			for si := range spans {
				sp := &spans[si]
				i := sp.i
				n00, n01 := nodes(iy*e.gw+i), nodes(iy*e.gw+i+1)
				n10, n11 := nodes((iy+1)*e.gw+i), nodes((iy+1)*e.gw+i+1)
				for c := 0; c < 4; c++ {
					// Bilinear in (u, v): value = a + b*u + c*v + d*u*v.
					a, b := n00[c], n01[c]-n00[c]
					cc, d := n10[c]-n00[c], n11[c]-n10[c]-n01[c]+n00[c]
					u, du, dv := sp.t0, 1/pxPerNodeX, 1/pxPerNodeY
					sp.s[c] = int32(a + b*u + (cc+d*u)*ty)
					sp.ds[c] = int32((cc + d*u) * dv)
					sp.t[c] = int32((b + d*ty) * du)
					sp.dt[c] = int32(d * du * dv)
				}
			}
		}
		row := img.Pix[y*img.Stride : y*img.Stride+4*W]
		for si := range spans {
			sp := &spans[si]
			t := sp.t
			// Spans start on a block; split them where painted and
			// untouched blocks meet.
			for a := sp.x0; a < sp.x1; {
				painted := j.cv.isPainted(y, a)
				b := min(sp.x1, a+bpx)
				for b < sp.x1 && j.cv.isPainted(y, b) == painted {
					b = min(sp.x1, b+bpx)
				}
				s := sp.s
				if k := int32(a - sp.x0); k != 0 {
					for c := range s {
						s[c] += k * t[c]
					}
				}
				px := row[4*a : 4*b]
				if painted {
					applySpan(px, s[0], s[1], s[2], s[3], t[0], t[1], t[2], t[3])
				} else {
					// Plain background: the output is linear along the span.
					bgSpan(px, bgc[0]*s[0]+s[1], bgc[1]*s[0]+s[2], bgc[2]*s[0]+s[3],
						bgc[0]*t[0]+t[1], bgc[1]*t[0]+t[2], bgc[2]*t[0]+t[3], pairs)
				}
				a = b
			}
			for c := 0; c < 4; c++ {
				sp.s[c] += sp.ds[c]
				sp.t[c] += sp.dt[c]
			}
		}
	}
	j.cutCorners()
}

// applySpan maps each pixel p to (p*A + B) >> 16 per channel, A and B
// stepping linearly along the span.
func applySpan(px []uint8, A, R, G, B, dA, dR, dG, dB int32) {
	for k := 0; k < len(px)/4; k++ {
		p := px[4*k : 4*k+3 : 4*k+3]
		p[0] = uint8((int32(p[0])*A + R) >> 16)
		p[1] = uint8((int32(p[1])*A + G) >> 16)
		p[2] = uint8((int32(p[2])*A + B) >> 16)
		A += dA
		R += dR
		G += dG
		B += dB
	}
}

// bgSpan writes pixels whose 16.16 channel values start at r, g, b and
// step by dr, dg, db; with pairs, two pixels at a time share a value.
func bgSpan(px []uint8, r, g, b, dr, dg, db int32, pairs bool) {
	k := 0
	if pairs {
		// Values at the middle of each pair.
		r, g, b = r+dr/2, g+dg/2, b+db/2
		for ; 8*k+8 <= len(px); k++ {
			v := uint64(uint32(r>>16) | uint32(g>>16)<<8 | uint32(b>>16)<<16 | 0xff000000)
			binary.LittleEndian.PutUint64(px[8*k:8*k+8], v|v<<32)
			r += 2 * dr
			g += 2 * dg
			b += 2 * db
		}
		if 8*k+4 <= len(px) {
			r, g, b = r-dr/2, g-dg/2, b-db/2
			binary.LittleEndian.PutUint32(px[8*k:8*k+4], uint32(r>>16)|uint32(g>>16)<<8|uint32(b>>16)<<16|0xff000000)
		}
		return
	}
	for k := 0; k < len(px)/4; k++ {
		binary.LittleEndian.PutUint32(px[4*k:4*k+4], uint32(r>>16)|uint32(g>>16)<<8|uint32(b>>16)<<16|0xff000000)
		r += dr
		g += dg
		b += db
	}
}

// cutCorners makes the pixels outside the rounded corners transparent.
func (j *renderJob) cutCorners() {
	img := j.cv.img
	W, H := j.cv.w, j.cv.h
	rx, ry := j.look.cornerMM*j.sx, j.look.cornerMM*j.sy
	nx, ny := min(W, int(math.Ceil(rx))), min(H, int(math.Ceil(ry)))
	for y := 0; y < ny; y++ {
		for x := 0; x < nx; x++ {
			// Distance outside the ellipse-quadrant, in pixels.
			dx, dy := (rx-(float64(x)+0.5))/rx, (ry-(float64(y)+0.5))/ry
			d := (math.Sqrt(dx*dx+dy*dy) - 1) * math.Min(rx, ry)
			a := uint8(255 * clamp01(0.5-d))
			for _, q := range [4][2]int{{x, y}, {W - 1 - x, y}, {x, H - 1 - y}, {W - 1 - x, H - 1 - y}} {
				i := q[1]*img.Stride + q[0]*4 + 3
				if a < img.Pix[i] {
					img.Pix[i] = a
				}
			}
		}
	}
}
