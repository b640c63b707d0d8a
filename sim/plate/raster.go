package plate

import (
	"math"
	"math/bits"
)

// raster is a signed-area coverage rasteriser for polygons, the algorithm of
// font-rs and golang.org/x/image/vector (floating-point variant): every edge
// adds the area it sweeps to the cells it crosses, and a running sum along
// each row turns that into coverage. Coverage is |winding| clamped to 1, so
// overlapping shapes of the same winding union cleanly and opposite windings
// cut holes.
//
// A bitmap records which cells edges touched. Between touched cells the
// coverage is constant, so a row is walked edge to edge and the runs in
// between are skipped (empty) or filled in one go (ink): the cost follows
// the outline length and the ink, not the area. That is why it is ours and
// not x/image/vector, which accumulates over the whole area: plates are
// drawn as many small shapes on one image, on the renderer's hot path.
type raster struct {
	w, h   int
	words  int       // bitmap words per row
	acc    []float32 // zero outside touched cells; reading clears
	bits   []uint64  // touched cells; reading clears
	penX   float32
	penY   float32
	firstX float32
	firstY float32
}

func (z *raster) reset(w, h int) {
	z.w, z.h = w, h
	z.words = (w + 63) / 64
	if n := w * h; cap(z.acc) < n {
		z.acc = make([]float32, n)
	} else {
		z.acc = z.acc[:n]
	}
	if n := z.words * h; cap(z.bits) < n {
		z.bits = make([]uint64, n)
	} else {
		z.bits = z.bits[:n]
	}
}

func (z *raster) moveTo(x, y float32) {
	z.penX, z.penY = x, y
	z.firstX, z.firstY = x, y
}

func (z *raster) closePath() {
	if z.penX != z.firstX || z.penY != z.firstY {
		z.lineTo(z.firstX, z.firstY)
	}
}

// add adds v at column i of row y; columns left of the raster fold into
// column 0 (they still change the running sum), columns right of it are
// dropped.
func (z *raster) add(y, i int, v float32) {
	if i < 0 {
		i = 0
	}
	if i >= z.w {
		return
	}
	z.acc[y*z.w+i] += v
	z.bits[y*z.words+i>>6] |= 1 << (uint(i) & 63)
}

func (z *raster) lineTo(bx, by float32) {
	ax, ay := z.penX, z.penY
	z.penX, z.penY = bx, by
	dir := float32(1)
	if ay > by {
		dir, ax, ay, bx, by = -1, bx, by, ax, ay
	}
	if !(by-ay > 1e-6) || by <= 0 || ay >= float32(z.h) || bx != bx || ax != ax {
		return // horizontal, outside, or NaN
	}
	dxdy := (bx - ax) / (by - ay)
	x := ax
	y := int(math.Floor(float64(ay)))
	yMax := min(int(math.Ceil(float64(by))), z.h)
	for ; y < yMax; y++ {
		dy := min(float32(y+1), by) - max(float32(y), ay)
		xNext := x + dy*dxdy
		if y < 0 {
			x = xNext
			continue
		}
		d := dy * dir
		x0, x1 := x, xNext
		if x > xNext {
			x0, x1 = x1, x0
		}
		x0i := int(math.Floor(float64(x0)))
		x0Floor := float32(x0i)
		x1i := int(math.Ceil(float64(x1)))
		x1Ceil := float32(x1i)
		if x1i <= x0i+1 {
			xmf := 0.5*(x+xNext) - x0Floor
			z.add(y, x0i, d-d*xmf)
			z.add(y, x0i+1, d*xmf)
		} else {
			s := 1 / (x1 - x0)
			x0f := x0 - x0Floor
			oneMinusX0f := 1 - x0f
			a0 := 0.5 * s * oneMinusX0f * oneMinusX0f
			x1f := x1 - x1Ceil + 1
			am := 0.5 * s * x1f * x1f
			z.add(y, x0i, d*a0)
			if x1i == x0i+2 {
				z.add(y, x0i+1, d*(1-a0-am))
			} else {
				a1 := s * (1.5 - x0f)
				z.add(y, x0i+1, d*(a1-a0))
				ds := d * s
				for xi := x0i + 2; xi < x1i-1; xi++ {
					z.add(y, xi, ds)
				}
				a2 := a1 + s*float32(x1i-x0i-3)
				z.add(y, x1i-1, d*(1-a2-am))
			}
			z.add(y, x1i, d*am)
		}
		x = xNext
	}
}

// coverageOf turns an accumulated winding into 0..256.
func coverageOf(acc float32) int32 {
	if acc < 0 {
		acc = -acc
	}
	if acc >= 1 {
		return 256
	}
	return int32(acc * 256)
}

// coverage writes the mask (0..255) into dst (len >= w*h) and clears the
// accumulator.
func (z *raster) coverage(dst []uint8) {
	for y := 0; y < z.h; y++ {
		out := dst[y*z.w : (y+1)*z.w]
		row := z.acc[y*z.w : (y+1)*z.w]
		bm := z.bits[y*z.words : (y+1)*z.words]
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
				v := uint8(min(coverageOf(acc), 255))
				for i := prev; i < x; i++ {
					out[i] = v
				}
				acc += row[x]
				row[x] = 0
				out[x] = uint8(min(coverageOf(acc), 255))
				prev = x + 1
			}
		}
		v := uint8(min(coverageOf(acc), 255))
		for i := prev; i < z.w; i++ {
			out[i] = v
		}
	}
}
