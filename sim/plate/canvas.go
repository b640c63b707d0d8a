package plate

import (
	"encoding/binary"
	"image"
	"math"
	"math/bits"
)

// rgb is an opaque colour.
type rgb struct{ r, g, b uint8 }

func (c rgb) lerp(d rgb, t float64) rgb {
	t = clamp01(t)
	return rgb{
		uint8(float64(c.r) + (float64(d.r)-float64(c.r))*t + 0.5),
		uint8(float64(c.g) + (float64(d.g)-float64(c.g))*t + 0.5),
		uint8(float64(c.b) + (float64(d.b)-float64(c.b))*t + 0.5),
	}
}

func (c rgb) scale(k float64) rgb {
	f := func(v uint8) uint8 { return uint8(math.Max(0, math.Min(255, float64(v)*k+0.5))) }
	return rgb{f(c.r), f(c.g), f(c.b)}
}

func clamp01(t float64) float64 { return math.Max(0, math.Min(1, t)) }

// affine maps millimetres to pixels: p' = (a*x + b*y + c, d*x + e*y + f).
type affine struct{ a, b, c, d, e, f float64 }

func (m affine) apply(p pt) pt {
	return pt{m.a*p.x + m.b*p.y + m.c, m.d*p.x + m.e*p.y + m.f}
}

// then returns the map that applies m and then n.
func (m affine) then(n affine) affine {
	return affine{
		a: n.a*m.a + n.b*m.d, b: n.a*m.b + n.b*m.e, c: n.a*m.c + n.b*m.f + n.c,
		d: n.d*m.a + n.e*m.d, e: n.d*m.b + n.e*m.e, f: n.d*m.c + n.e*m.f + n.f,
	}
}

func translate(x, y float64) affine { return affine{1, 0, x, 0, 1, y} }
func scaleXY(x, y float64) affine   { return affine{x, 0, 0, 0, y, 0} }
func rotate(rad float64) affine {
	s, c := math.Sincos(rad)
	return affine{c, -s, 0, s, c, 0}
}

// canvas paints opaque colours onto the plate's NRGBA pixels, through
// coverage from raster or directly. It is reused between renders (scratch
// buffers), one render at a time.
type canvas struct {
	img  *image.NRGBA
	w, h int

	ras  raster
	mask []uint8
	mw   int             // mask width
	mr   image.Rectangle // where the mask sits in img
	fbuf []float32       // scratch for the effect grid

	// painted marks 16-pixel blocks of each row that have been filled with
	// the background colour and possibly painted on. The image starts
	// empty; a block gets its background when something is first painted
	// there, and finish computes the untouched ones from scratch, so most
	// pixels are written once.
	painted    []uint64
	pwords     int // words per row
	bg         uint32
	blockShift int
	bgRow      []uint8 // one row of background pixels, to copy from
	inkRow     []uint8 // one row of the current fill colour
}

// solidRow returns buf resized to w pixels of colour v.
func solidRow(buf []uint8, w int, v uint32) []uint8 {
	if cap(buf) < 4*w {
		buf = make([]uint8, 4*w)
	}
	buf = buf[:4*w]
	binary.LittleEndian.PutUint32(buf, v)
	for n := 4; n < len(buf); n *= 2 {
		copy(buf[n:], buf[:n])
	}
	return buf
}

// startImage prepares the canvas for a new, empty image with background
// colour bg; blocks of painted pixels are 1<<blockShift wide.
func (cv *canvas) startImage(img *image.NRGBA, bg rgb, blockShift int) {
	cv.img, cv.w, cv.h = img, img.Rect.Dx(), img.Rect.Dy()
	cv.blockShift = blockShift
	cv.bg = uint32(bg.r) | uint32(bg.g)<<8 | uint32(bg.b)<<16 | 0xff000000
	cv.bgRow = solidRow(cv.bgRow, cv.w, cv.bg)
	cv.pwords = ((cv.w+cv.blockPx()-1)>>blockShift + 63) / 64
	n := cv.pwords * cv.h
	if cap(cv.painted) < n {
		cv.painted = make([]uint64, n)
	} else {
		cv.painted = cv.painted[:n]
		clear(cv.painted)
	}
}

// mark must be called before painting pixels [x0, x1) of row y: it gives
// the blocks there their background the first time.
func (cv *canvas) mark(y, x0, x1 int) {
	if y < 0 || y >= cv.h {
		return
	}
	x0, x1 = max(x0, 0), min(x1, cv.w)
	if x1 <= x0 {
		return
	}
	row := cv.painted[y*cv.pwords : (y+1)*cv.pwords]
	pix := cv.img.Pix[y*cv.img.Stride : y*cv.img.Stride+4*cv.w]
	for b := x0 >> cv.blockShift; b <= (x1-1)>>cv.blockShift; b++ {
		bit := uint64(1) << (uint(b) & 63)
		if row[b>>6]&bit != 0 {
			continue
		}
		row[b>>6] |= bit
		copy(pix[4*(b<<cv.blockShift):min(len(pix), 4*((b+1)<<cv.blockShift))], cv.bgRow)
	}
}

// markRect records a painted rectangle.
func (cv *canvas) markRect(r image.Rectangle) {
	r = r.Intersect(image.Rect(0, 0, cv.w, cv.h))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		cv.mark(y, r.Min.X, r.Max.X)
	}
}

// blockPx is the width of a painted-block.
func (cv *canvas) blockPx() int { return 1 << cv.blockShift }

// isPainted reports whether the block holding pixel x of row y was painted.
func (cv *canvas) isPainted(y, x int) bool {
	b := x >> cv.blockShift
	return cv.painted[y*cv.pwords+b>>6]&(1<<(uint(b)&63)) != 0
}

// begin starts a mask covering r (clipped to the image); it reports false if
// nothing of r is on the image.
func (cv *canvas) begin(r image.Rectangle) bool {
	r = r.Intersect(image.Rect(0, 0, cv.w, cv.h))
	cv.mr = r
	if r.Empty() {
		return false
	}
	w, h := r.Dx(), r.Dy()
	cv.ras.reset(w, h)
	if n := w * h; cap(cv.mask) < n {
		cv.mask = make([]uint8, n)
	} else {
		cv.mask = cv.mask[:n]
	}
	cv.mw = w
	return true
}

// polyMap adds polygon p transformed by m.
func (cv *canvas) polyMap(p poly, m affine) {
	if len(p) < 3 {
		return
	}
	m = m.then(translate(-float64(cv.mr.Min.X), -float64(cv.mr.Min.Y)))
	q := m.apply(p[0])
	cv.ras.moveTo(float32(q.x), float32(q.y))
	for _, v := range p[1:] {
		q = m.apply(v)
		cv.ras.lineTo(float32(q.x), float32(q.y))
	}
	cv.ras.closePath()
}

// rasterize fills the mask from the paths added since begin.
func (cv *canvas) rasterize() {
	cv.ras.coverage(cv.mask)
}

// blend paints colour c through the mask at opacity alpha (0..1), the mask
// shifted by (dx, dy) pixels.
func (cv *canvas) blend(c rgb, alpha float64, dx, dy int) {
	a := int32(alpha*256 + 0.5)
	if a <= 0 {
		return
	}
	a = min(a, 256)
	r := cv.mr.Add(image.Pt(dx, dy)).Intersect(image.Rect(0, 0, cv.w, cv.h))
	if r.Empty() {
		return
	}
	cv.markRect(r)
	mw, n := cv.mw, r.Dx()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		base := (y-dy-cv.mr.Min.Y)*mw + (r.Min.X - dx - cv.mr.Min.X)
		mrow := cv.mask[base : base+n]
		px := cv.img.Pix[y*cv.img.Stride+4*r.Min.X : y*cv.img.Stride+4*r.Max.X]
		for x, m := range mrow {
			if m == 0 {
				continue
			}
			mixPixel(px[4*x:4*x+3:4*x+3], c, (int32(m)+int32(m>>7))*a>>8)
		}
	}
}

// mixPixel moves p towards c by k/256.
func mixPixel(p []uint8, c rgb, k int32) {
	if k >= 256 {
		p[0], p[1], p[2] = c.r, c.g, c.b
		return
	}
	p[0] = uint8(int32(p[0]) + ((int32(c.r)-int32(p[0]))*k)>>8)
	p[1] = uint8(int32(p[1]) + ((int32(c.g)-int32(p[1]))*k)>>8)
	p[2] = uint8(int32(p[2]) + ((int32(c.b)-int32(p[2]))*k)>>8)
}

// fill paints colour c at opacity alpha through the paths added since
// begin, in one pass (no mask), and clears the rasteriser. Rows are walked
// edge to edge (see raster): runs between touched cells have constant
// coverage and are skipped or filled whole.
func (cv *canvas) fill(c rgb, alpha float64) {
	z := &cv.ras
	a := int32(math.Min(256, alpha*256+0.5))
	ox := cv.mr.Min.X
	cv.inkRow = solidRow(cv.inkRow, z.w, uint32(c.r)|uint32(c.g)<<8|uint32(c.b)<<16|0xff000000)
	solid := cv.inkRow
	for y := 0; y < z.h; y++ {
		iy := y + cv.mr.Min.Y
		px := cv.img.Pix[iy*cv.img.Stride+4*ox : iy*cv.img.Stride+4*(ox+z.w)]
		row := z.acc[y*z.w : (y+1)*z.w]
		bm := z.bits[y*z.words : (y+1)*z.words]
		prow := cv.painted[iy*cv.pwords : (iy+1)*cv.pwords]
		var acc float32
		prev := 0
		for wi, word := range bm {
			if word == 0 {
				continue
			}
			bm[wi] = 0
			for word != 0 {
				x := wi<<6 | bits.TrailingZeros64(word)
				word &= word - 1
				if x > prev {
					if k := coverageOf(acc) * a >> 8; k > 0 {
						cv.mark(iy, ox+prev, ox+x)
						fillRun(px, prev, x, c, solid, k)
					}
				}
				acc += row[x]
				row[x] = 0
				if k := coverageOf(acc) * a >> 8; k > 0 {
					if b := (ox + x) >> cv.blockShift; prow[b>>6]&(1<<(uint(b)&63)) == 0 {
						cv.mark(iy, ox+x, ox+x+1)
					}
					mixPixel(px[4*x:4*x+3:4*x+3], c, k)
				}
				prev = x + 1
			}
		}
		// Shapes running off the right of the mask leave coverage behind.
		if k := coverageOf(acc) * a >> 8; k > 0 && prev < z.w {
			cv.mark(iy, ox+prev, ox+z.w)
			fillRun(px, prev, z.w, c, solid, k)
		}
	}
}

// fillRun paints pixels [x0, x1) of a row slice with coverage k (1..256).
func fillRun(px []uint8, x0, x1 int, c rgb, solid []uint8, k int32) {
	if k >= 256 {
		copy(px[4*x0:4*x1], solid)
		return
	}
	for x := x0; x < x1; x++ {
		mixPixel(px[4*x:4*x+3:4*x+3], c, k)
	}
}

// fillRect paints an axis-aligned rectangle given in pixels, with
// anti-aliased edges, without going through the rasteriser.
func (cv *canvas) fillRect(x0, y0, x1, y1 float64, c rgb, alpha float64) {
	ix0, iy0 := max(int(math.Floor(x0)), 0), max(int(math.Floor(y0)), 0)
	ix1, iy1 := min(int(math.Ceil(x1)), cv.w), min(int(math.Ceil(y1)), cv.h)
	if ix0 >= ix1 || iy0 >= iy1 {
		return
	}
	cv.markRect(image.Rect(ix0, iy0, ix1, iy1))
	// Coverage of the first and last columns; the ones between are full.
	colCov := func(x int) float64 { return math.Min(float64(x+1), x1) - math.Max(float64(x), x0) }
	cFirst, cLast := colCov(ix0), colCov(ix1-1)
	a := alpha * 256
	for y := iy0; y < iy1; y++ {
		ry := (math.Min(float64(y+1), y1) - math.Max(float64(y), y0)) * a
		row := cv.img.Pix[y*cv.img.Stride : y*cv.img.Stride+4*cv.w]
		k := int32(ry)
		for x := ix0; x < ix1; x++ {
			kk := k
			if x == ix0 {
				kk = int32(ry * cFirst)
			} else if x == ix1-1 {
				kk = int32(ry * cLast)
			}
			if kk > 0 {
				mixPixel(row[4*x:4*x+3:4*x+3], c, kk)
			}
		}
	}
}

// inkBoundsPx is the pixel box of a glyph's ink under m, from the corners
// of its ink rectangle (exact for scaling, a little loose under rotation).
func inkBoundsPx(g *glyphShape, m affine) image.Rectangle {
	r := emptyRect()
	for _, c := range [4]pt{{g.ink.x0, g.ink.y0}, {g.ink.x1, g.ink.y0}, {g.ink.x1, g.ink.y1}, {g.ink.x0, g.ink.y1}} {
		r = r.extend(m.apply(c))
	}
	return image.Rect(int(math.Floor(r.x0)), int(math.Floor(r.y0)), int(math.Ceil(r.x1)), int(math.Ceil(r.y1)))
}

// pxBounds is the pixel rectangle covering polygons transformed by m.
func pxBounds(ps []poly, m affine) image.Rectangle {
	r := emptyRect()
	for _, p := range ps {
		for _, q := range p {
			r = r.extend(m.apply(q))
		}
	}
	if r.x0 > r.x1 {
		return image.Rectangle{}
	}
	return image.Rect(int(math.Floor(r.x0)), int(math.Floor(r.y0)), int(math.Ceil(r.x1)), int(math.Ceil(r.y1)))
}
