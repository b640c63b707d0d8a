package plate

import (
	"fmt"
	"math"
)

// The mandatory typeface (Charles Wright, 2001) drawn as centre lines for a
// 14 mm pen inside a 50 x 79 mm cell (y down, baseline at 79). Strokes that
// reach an edge of the cell are drawn past it and clipped, which gives the
// flat, square-cut ends of the real letters; a mitred corner on the cell edge
// is clipped square the same way.
//
// Coordinates are tuned for the nominal pen: the centre lines of the outer
// strokes sit 7 mm inside the cell (x 7..43, y 7..72). Other stroke weights
// are obtained by pulling the centre lines in or out so the ink box stays
// 50 x 79 (see mandatoryGlyph).

const (
	cellW      = 50.0
	cellH      = 79.0
	penMM      = 14.0
	cornerK    = 0.60 // R-corner handle length; 0.552 is a circle, higher is squarer
	miterLoose = 8.0  // mitre everything; spikes on the cell edge get clipped
	miterBevel = 1.6  // bevel sharp interior joins (M's V)
)

type strokeDef struct {
	d     string
	pen   float64 // pen width in mm; 0 means penMM
	bevel bool
}

type glyphDef struct {
	width   float64 // cell width in mm
	strokes []strokeDef
}

func s(d string) strokeDef { return strokeDef{d: d} }

const (
	pathO   = "M43,25 R43,7 25,7 R7,7 7,25 L7,54 R7,72 25,72 R43,72 43,54 Z"
	stemL   = "M7,-10 L7,89"
	stemR   = "M43,-10 L43,89"
	barTop  = "M-10,7 L60,7"
	barBase = "M-10,72 L60,72"
)

var mandatoryDefs = map[rune]glyphDef{
	'A': {cellW, []strokeDef{s("M4.90,89 L27.46,-10"), s("M45.10,89 L22.54,-10"), s("M12.42,55 L37.58,55")}},
	'B': {cellW, []strokeDef{s(stemL),
		s("M7,7 L24,7 R40,7 40,22 R40,37 24,37 L7,37"),
		s("M7,37 L25,37 R43,37 43,54.5 R43,72 25,72 L7,72")}},
	'C': {cellW, []strokeDef{s("M43,27 L43,25 R43,7 25,7 R7,7 7,25 L7,54 R7,72 25,72 R43,72 43,54 L43,52")}},
	'D': {cellW, []strokeDef{s("M7,7 L25,7 R43,7 43,25 L43,54 R43,72 25,72 L7,72 Z")}},
	'E': {cellW, []strokeDef{s(stemL), s("M7,7 L60,7"), s("M7,38.5 L46,38.5"), s("M7,72 L60,72")}},
	'F': {cellW, []strokeDef{s(stemL), s("M7,7 L60,7"), s("M7,40 L45,40")}},
	'G': {cellW, []strokeDef{s("M43,26 L43,25 R43,7 25,7 R7,7 7,25 L7,54 R7,72 25,72 R43,72 43,54 L43,43 L27,43")}},
	'H': {cellW, []strokeDef{s(stemL), s(stemR), s("M7,39.5 L43,39.5")}},
	'I': {14, []strokeDef{s(stemL)}},
	'J': {cellW, []strokeDef{s("M43,-10 L43,54 R43,72 25,72 R7,72 7,57 L7,56")}},
	'K': {cellW, []strokeDef{s(stemL), s("M48.36,-10.18 L7,56"), s("M23.5,30 L47.4,90.2")}},
	'L': {cellW, []strokeDef{s(stemL), s("M7,72 L60,72")}},
	'M': {cellW, []strokeDef{s(stemL), s(stemR), {d: "M5.8,-10 L25,50 L44.2,-10", bevel: true}}},
	'N': {cellW, []strokeDef{s(stemL), s(stemR), s("M2.44,-10 L47.56,89")}},
	'O': {cellW, []strokeDef{s(pathO)}},
	'P': {cellW, []strokeDef{s(stemL), s("M7,7 L25,7 R43,7 43,24.5 R43,42 25,42 L7,42")}},
	'Q': {cellW, []strokeDef{s(pathO), {d: "M27,54 L52,80", pen: 13}}},
	'R': {cellW, []strokeDef{s(stemL), s("M7,7 L25,7 R43,7 43,24 R43,41 25,41 L7,41"), s("M24,41 L49.5,93.4")}},
	'S': {cellW, []strokeDef{s("M43,23 L43,22 R43,7 25,7 R7,7 7,23 R7,39.5 25,39.5 R43,39.5 43,56 R43,72 25,72 R7,72 7,57 L7,56")}},
	'T': {cellW, []strokeDef{s(barTop), s("M25,7 L25,89")}},
	'U': {cellW, []strokeDef{s("M7,-10 L7,54 R7,72 25,72 R43,72 43,54 L43,-10")}},
	'V': {cellW, []strokeDef{s("M5.01,-10 L26.31,89"), s("M44.99,-10 L23.69,89")}},
	'W': {cellW, []strokeDef{
		{d: "M5.02,-10 L15.01,89", pen: 12}, {d: "M12.61,89 L26.39,-10", pen: 12},
		{d: "M37.39,89 L23.61,-10", pen: 12}, {d: "M44.98,-10 L34.99,89", pen: 12}}},
	'X': {cellW, []strokeDef{s("M3.26,-10 L46.74,89"), s("M46.74,-10 L3.26,89")}},
	'Y': {cellW, []strokeDef{s("M3.56,-10 L25,44"), s("M46.44,-10 L25,44"), s("M25,38 L25,89")}},
	'Z': {cellW, []strokeDef{s(barTop), s(barBase), s("M47.11,5.62 L2.89,73.38")}},

	'0': {cellW, []strokeDef{s(pathO)}},
	'1': {26, []strokeDef{s("M19,-10 L19,89"), {d: "M18,4 L3,19", pen: 12}}},
	'2': {cellW, []strokeDef{s("M7,23 L7,22 R7,7 25,7 R43,7 43,24 C43,33 39,38 33,44 L4,72"), s(barBase)}},
	'3': {cellW, []strokeDef{s("M7,22 L7,21 R7,7 25,7 R42,7 42,22 R42,37 25,37 L17,37"),
		s("M17,37 L25,37 R43,37 43,54.5 R43,72 25,72 R7,72 7,59 L7,58")}},
	'4': {cellW, []strokeDef{s("M36,-10 L36,89"), s("M-10,56 L60,56"), s("M40.37,-10.73 L6,58")}},
	'5': {cellW, []strokeDef{s("M60,7 L7,7 L7,45"), s("M7,38 L25,38 R43,38 43,55 R43,72 25,72 R7,72 7,59 L7,58")}},
	'6': {cellW, []strokeDef{s("M43,53 R43,34 25,34 R7,34 7,53 R7,72 25,72 R43,72 43,53 Z"),
		s("M7,53 L7,25 R7,7 25,7 R43,7 43,21 L43,22")}},
	'7': {cellW, []strokeDef{s(barTop), s("M46.75,2.77 L13.76,90.2")}},
	'8': {cellW, []strokeDef{s("M41,21 R41,7 25,7 R9,7 9,21 R9,37 25,37 R41,37 41,21 Z"),
		s("M43,54.5 R43,37 25,37 R7,37 7,54.5 R7,72 25,72 R43,72 43,54.5 Z")}},
	'9': {cellW, []strokeDef{s("M7,26 R7,45 25,45 R43,45 43,26 R43,7 25,7 R7,7 7,26 Z"),
		s("M43,26 L43,54 R43,72 25,72 R7,72 7,59 L7,58")}},
}

// glyphShape is one character ready to rasterise: filled outlines in mm
// inside its cell (origin top-left of the cell, y down), the cell size and the
// ink bounds.
type glyphShape struct {
	polys []poly
	w, h  float64 // cell size in mm
	ink   rect
}

// mandatoryGlyph builds character c for stroke weight scale (1 = 14 mm).
// Centre lines move towards or away from the cell centre so that the ink box
// keeps its legal size whatever the weight; narrow glyphs (1, I) instead get
// wider or narrower with the pen.
func mandatoryGlyph(c rune, scale float64, l lod) (*glyphShape, error) {
	def, ok := mandatoryDefs[c]
	if !ok {
		return nil, fmt.Errorf("no mandatory glyph for %q", c)
	}
	return strokeGlyph(c, def, scale, l)
}

// pressedDefs are the glyphs in which PressedMetal differs from the
// mandatory typeface: a 1 that is a plain bar (the real OWV 991G in the
// project's sample of real photographs, read DWV99IG before readers saw it).
var pressedDefs = map[rune]glyphDef{
	'1': {14, []strokeDef{s(stemL)}},
}

// pressedPen is PressedMetal's pen as a share of the mandatory one: the
// pressed characters are drawn thinner, about 11 mm against 14.
const pressedPen = 0.8

// pressedGlyph builds character c of PressedMetal for stroke weight scale.
func pressedGlyph(c rune, scale float64, l lod) (*glyphShape, error) {
	def, ok := pressedDefs[c]
	if !ok {
		if def, ok = mandatoryDefs[c]; !ok {
			return nil, fmt.Errorf("no pressed-metal glyph for %q", c)
		}
	}
	return strokeGlyph(c, def, scale*pressedPen, l)
}

// strokeGlyph builds glyph def (character c) for stroke weight scale.
func strokeGlyph(c rune, def glyphDef, scale float64, l lod) (*glyphShape, error) {
	h0 := penMM / 2
	hN := h0 * scale
	w := def.width
	narrow := w < 30
	cx, cy := w/2, cellH/2
	ky := (cy - hN) / (cy - h0)
	kx := (cx - hN) / (cx - h0)
	if narrow {
		kx = 1 // scale about x=0 instead, below
		w *= scale
	}
	mapPt := func(p pt) pt {
		y := cy + (p.y-cy)*ky
		if narrow {
			return pt{p.x * scale, y}
		}
		return pt{cx + (p.x-cx)*kx, y}
	}
	clip := rect{0, 0, w, cellH}
	g := &glyphShape{w: w, h: cellH}
	for _, sd := range def.strokes {
		subs, err := parsePath(sd.d, cornerK, lodChordMM[l])
		if err != nil {
			return nil, fmt.Errorf("glyph %q: %w", c, err)
		}
		pen := sd.pen
		if pen == 0 {
			pen = penMM
		}
		limit := miterLoose
		if sd.bevel {
			limit = miterBevel
		}
		for _, sp := range subs {
			for i := range sp.pts {
				sp.pts[i] = mapPt(sp.pts[i])
			}
			for _, p := range strokeOutline(sp, pen/2*scale, limit) {
				if q := clipPoly(p, clip); q != nil && math.Abs(q.signedArea()) > 1e-6 {
					g.polys = append(g.polys, q)
				}
			}
		}
	}
	g.ink = boundsOf(g.polys)
	return g, nil
}

// lod is a level of detail: curves are flattened into chords short enough
// for the scale they are drawn at, since every edge costs rasterising time.
type lod int

const (
	lodFine   lod = iota // above 4 px/mm
	lodMedium            // 1.2 to 4 px/mm
	lodCoarse            // crop scales, up to 1.2 px/mm
	numLODs
)

// lodChordMM is the flattening chord in mm for each level: the chord's
// sagitta on the tightest curves (11 mm radius) stays under about a tenth
// of a pixel at the largest scale of its level.
var lodChordMM = [numLODs]float64{0.8, 2, 5}

func lodFor(pxPerMM float64) lod {
	switch {
	case pxPerMM <= 1.2:
		return lodCoarse
	case pxPerMM <= 4:
		return lodMedium
	}
	return lodFine
}

// plateAlphabet is every character a registration mark may contain.
const plateAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
