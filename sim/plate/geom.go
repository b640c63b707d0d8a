package plate

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// pt is a point in millimetres (or pixels, once transformed); y grows down.
type pt struct{ x, y float64 }

func (a pt) add(b pt) pt           { return pt{a.x + b.x, a.y + b.y} }
func (a pt) sub(b pt) pt           { return pt{a.x - b.x, a.y - b.y} }
func (a pt) mul(k float64) pt      { return pt{a.x * k, a.y * k} }
func (a pt) dot(b pt) float64      { return a.x*b.x + a.y*b.y }
func (a pt) cross(b pt) float64    { return a.x*b.y - a.y*b.x }
func (a pt) length() float64       { return math.Hypot(a.x, a.y) }
func lerpPt(a, b pt, t float64) pt { return pt{a.x + (b.x-a.x)*t, a.y + (b.y-a.y)*t} }

func (a pt) unit() pt {
	l := a.length()
	if l == 0 {
		return pt{}
	}
	return pt{a.x / l, a.y / l}
}

// poly is a closed polygon. Filled shapes are lists of polys accumulated with
// the non-zero rule (x/image/vector takes |winding| clamped to 1), so every
// outline a glyph is built from must wind the same way and holes the other.
type poly []pt

func (p poly) signedArea() float64 {
	var a float64
	for i := range p {
		j := (i + 1) % len(p)
		a += p[i].cross(p[j])
	}
	return a / 2
}

func (p poly) reversed() poly {
	q := make(poly, len(p))
	for i := range p {
		q[len(p)-1-i] = p[i]
	}
	return q
}

// orient returns p wound positively (positive=true) or negatively.
func (p poly) orient(positive bool) poly {
	if (p.signedArea() > 0) != positive {
		return p.reversed()
	}
	return p
}

// rect is an axis-aligned box in millimetres.
type rect struct{ x0, y0, x1, y1 float64 }

func (r rect) w() float64 { return r.x1 - r.x0 }
func (r rect) h() float64 { return r.y1 - r.y0 }

func emptyRect() rect { return rect{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)} }

func (r rect) extend(p pt) rect {
	return rect{math.Min(r.x0, p.x), math.Min(r.y0, p.y), math.Max(r.x1, p.x), math.Max(r.y1, p.y)}
}

func boundsOf(ps []poly) rect {
	r := emptyRect()
	for _, p := range ps {
		for _, q := range p {
			r = r.extend(q)
		}
	}
	return r
}

// clipPoly clips a (possibly concave) polygon to an axis-aligned box with
// Sutherland–Hodgman. Concave input may leave zero-area slivers along the box
// edge; they add nothing to the accumulated coverage.
func clipPoly(p poly, r rect) poly {
	type edge struct {
		inside func(pt) bool
		cut    func(a, b pt) pt
	}
	edges := [4]edge{
		{func(q pt) bool { return q.x >= r.x0 }, func(a, b pt) pt { return lerpPt(a, b, (r.x0-a.x)/(b.x-a.x)) }},
		{func(q pt) bool { return q.x <= r.x1 }, func(a, b pt) pt { return lerpPt(a, b, (r.x1-a.x)/(b.x-a.x)) }},
		{func(q pt) bool { return q.y >= r.y0 }, func(a, b pt) pt { return lerpPt(a, b, (r.y0-a.y)/(b.y-a.y)) }},
		{func(q pt) bool { return q.y <= r.y1 }, func(a, b pt) pt { return lerpPt(a, b, (r.y1-a.y)/(b.y-a.y)) }},
	}
	out := p
	for _, e := range edges {
		if len(out) == 0 {
			break
		}
		in := out
		out = make(poly, 0, len(in)+4)
		prev := in[len(in)-1]
		for _, cur := range in {
			ci, pi := e.inside(cur), e.inside(prev)
			switch {
			case ci && pi:
				out = append(out, cur)
			case ci && !pi:
				out = append(out, e.cut(prev, cur), cur)
			case !ci && pi:
				out = append(out, e.cut(prev, cur))
			}
			prev = cur
		}
	}
	if len(out) < 3 {
		return nil
	}
	return out
}

// subpath is a flattened centre line.
type subpath struct {
	pts    []pt
	closed bool
}

// parsePath reads a small SVG-like path language, absolute coordinates only:
//
//	M x,y          move
//	L x,y          line
//	Q cx,cy x,y    quadratic Bézier
//	C ax,ay bx,by x,y  cubic Bézier
//	R cx,cy x,y    rounded corner: from the pen to x,y, bending towards the
//	               corner point cx,cy (a cubic whose handles run k of the way
//	               to the corner; k>0.552 makes it squarer than a circle)
//	Z              close
//
// Curves are flattened into short chords (at most about chordMM long).
// pathArgs is how many points each path command takes.
var pathArgs = map[string]int{"M": 1, "L": 1, "Q": 2, "C": 3, "R": 2, "Z": 0}

func parsePath(d string, k, chordMM float64) ([]subpath, error) {
	toks := tokenizePath(d)
	var (
		subs []subpath
		cur  *subpath
		pen  pt
		i    int
	)
	num := func() (float64, error) {
		if i >= len(toks) {
			return 0, fmt.Errorf("path %q: missing number", d)
		}
		v, err := strconv.ParseFloat(toks[i], 64)
		if err != nil {
			return 0, fmt.Errorf("path %q: %w", d, err)
		}
		i++
		return v, nil
	}
	// points reads the n points a command takes.
	points := func(n int) ([]pt, error) {
		ps := make([]pt, n)
		for j := range ps {
			x, err := num()
			if err != nil {
				return nil, err
			}
			y, err := num()
			if err != nil {
				return nil, err
			}
			ps[j] = pt{x, y}
		}
		return ps, nil
	}
	cubic := func(a, b, c, e pt) {
		n := int(math.Ceil((b.sub(a).length() + c.sub(b).length() + e.sub(c).length()) / chordMM))
		n = max(4, min(n, 64))
		for j := 1; j <= n; j++ {
			t := float64(j) / float64(n)
			u := 1 - t
			p := a.mul(u * u * u).add(b.mul(3 * u * u * t)).add(c.mul(3 * u * t * t)).add(e.mul(t * t * t))
			cur.pts = append(cur.pts, p)
		}
	}
	for i < len(toks) {
		cmd := toks[i]
		i++
		if cmd != "M" && cur == nil {
			return nil, fmt.Errorf("path %q: must start with M", d)
		}
		n, known := pathArgs[cmd]
		if !known {
			return nil, fmt.Errorf("path %q: unknown command %q", d, cmd)
		}
		ps, err := points(n)
		if err != nil {
			return nil, err
		}
		switch cmd {
		case "M":
			subs = append(subs, subpath{pts: []pt{ps[0]}})
			cur = &subs[len(subs)-1]
		case "L":
			cur.pts = append(cur.pts, ps[0])
		case "Q":
			cubic(pen, lerpPt(pen, ps[0], 2.0/3), lerpPt(ps[1], ps[0], 2.0/3), ps[1])
		case "C":
			cubic(pen, ps[0], ps[1], ps[2])
		case "R":
			cubic(pen, lerpPt(pen, ps[0], k), lerpPt(ps[1], ps[0], k), ps[1])
		case "Z":
			cur.closed = true
			if n := len(cur.pts); n > 1 && cur.pts[n-1] == cur.pts[0] {
				cur.pts = cur.pts[:n-1]
			}
		}
		if n > 0 {
			pen = ps[n-1]
		}
	}
	for si := range subs {
		subs[si].pts = dedupe(subs[si].pts)
	}
	return subs, nil
}

// tokenizePath splits "M7,7 L25,7" into ["M" "7" "7" "L" "25" "7"].
func tokenizePath(d string) []string {
	var toks []string
	start := -1
	flush := func(i int) {
		if start >= 0 {
			toks = append(toks, d[start:i])
			start = -1
		}
	}
	for i, r := range d {
		switch {
		case strings.ContainsRune("MLQCRZ", r):
			flush(i)
			toks = append(toks, string(r))
		case r == ' ' || r == ',' || r == '\n' || r == '\t':
			flush(i)
		default:
			if start < 0 {
				start = i
			}
		}
	}
	flush(len(d))
	return toks
}

func dedupe(ps []pt) []pt {
	out := ps[:0:0]
	for _, p := range ps {
		if len(out) > 0 && p.sub(out[len(out)-1]).length() < 1e-9 {
			continue
		}
		out = append(out, p)
	}
	return out
}

// strokeOutline turns a centre line into filled outlines for a pen of
// half-width h with butt caps. Joins are mitred up to miterLimit (the ratio
// of the miter length to h) and bevelled beyond it. Open lines give one
// positively wound polygon; closed ones give an outer ring wound positively
// and an inner one wound negatively, so the counter stays empty.
func strokeOutline(sp subpath, h, miterLimit float64) []poly {
	ps := sp.pts
	n := len(ps)
	if n < 2 {
		return nil
	}
	// Segment normals (left of travel in y-down coordinates).
	segs := n - 1
	if sp.closed {
		segs = n
	}
	normals := make([]pt, segs)
	for i := 0; i < segs; i++ {
		d := ps[(i+1)%n].sub(ps[i]).unit()
		normals[i] = pt{d.y, -d.x}
	}
	var left, right []pt
	join := func(p pt, na, nb pt) {
		cosT := na.dot(nb)
		m := na.add(nb)
		if 1+cosT < 1e-9 {
			// U-turn: square it off.
			left = append(left, p.add(na.mul(h)))
			right = append(right, p.sub(na.mul(h)))
			return
		}
		m = m.mul(1 / (1 + cosT))
		if m.length() <= miterLimit {
			left = append(left, p.add(m.mul(h)))
			right = append(right, p.sub(m.mul(h)))
			return
		}
		// Bevel on the outer side, miter point on the inner side.
		turn := na.cross(nb) // sign tells which side is outer
		if turn < 0 {
			// Turning so that the left side is outer.
			left = append(left, p.add(na.mul(h)), p.add(nb.mul(h)))
			right = append(right, p.sub(m.mul(h)))
		} else {
			left = append(left, p.add(m.mul(h)))
			right = append(right, p.sub(na.mul(h)), p.sub(nb.mul(h)))
		}
	}
	if sp.closed {
		for i := 0; i < n; i++ {
			join(ps[i], normals[(i-1+segs)%segs], normals[i])
		}
		a, b := poly(left), poly(right)
		if math.Abs(a.signedArea()) < math.Abs(b.signedArea()) {
			a, b = b, a
		}
		return []poly{a.orient(true), b.orient(false)}
	}
	left = append(left, ps[0].add(normals[0].mul(h)))
	right = append(right, ps[0].sub(normals[0].mul(h)))
	for i := 1; i < n-1; i++ {
		join(ps[i], normals[i-1], normals[i])
	}
	left = append(left, ps[n-1].add(normals[segs-1].mul(h)))
	right = append(right, ps[n-1].sub(normals[segs-1].mul(h)))
	out := make(poly, 0, len(left)+len(right))
	out = append(out, left...)
	for i := len(right) - 1; i >= 0; i-- {
		out = append(out, right[i])
	}
	return []poly{out.orient(true)}
}

// embolden moves every vertex of a filled outline by d (mm) away from the
// filled side (d<0 thins), using mitred vertex normals. Fonts wind all their
// contours so that ink lies on the same side of travel, which is what lets
// one rule serve outer contours and holes alike.
func embolden(ps []poly, d float64) []poly {
	if d == 0 {
		return ps
	}
	// Ink side: the biggest contour is an outer one; positive area means
	// ink on the right of travel for our y-down winding convention.
	var big poly
	for _, p := range ps {
		if math.Abs(p.signedArea()) > math.Abs(big.signedArea()) {
			big = p
		}
	}
	sign := 1.0
	if big.signedArea() < 0 {
		sign = -1
	}
	out := make([]poly, 0, len(ps))
	for _, p := range ps {
		n := len(p)
		q := make(poly, n)
		for i := range p {
			a, b, c := p[(i-1+n)%n], p[i], p[(i+1)%n]
			d1, d2 := b.sub(a).unit(), c.sub(b).unit()
			n1, n2 := pt{-d1.y, d1.x}, pt{-d2.y, d2.x}
			cosT := n1.dot(n2)
			m := n1.add(n2)
			if 1+cosT > 0.25 {
				m = m.mul(1 / (1 + cosT))
			} else {
				m = m.unit().mul(2)
			}
			q[i] = b.add(m.mul(-sign * d))
		}
		out = append(out, q)
	}
	return out
}
