package plate

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// systemFont is a Debian font that real plates are often (illegally) made
// with. Files are looked for in order; a font none of whose files exist is
// simply not offered.
type systemFont struct {
	name  Font
	files []string
}

// Font names of the system typefaces, in the order Fonts lists them.
const (
	FontBebasNeue           Font = "bebas-neue"
	FontRobotoCondensedBold Font = "roboto-condensed-bold"
	FontDejaVuCondensedBold Font = "dejavu-sans-condensed-bold"
	FontLiberationNarrow    Font = "liberation-sans-narrow-bold"
	FontLeagueSpartan       Font = "league-spartan-bold"
)

var systemFonts = []systemFont{
	{FontBebasNeue, []string{
		"/usr/share/fonts/opentype/bebas-neue/BebasNeue-Regular.otf",
		"/usr/share/fonts/truetype/bebas-neue/BebasNeue-Regular.otf",
		"/usr/share/fonts/truetype/bebas-neue/BebasNeue-Regular.ttf"}},
	{FontRobotoCondensedBold, []string{
		"/usr/share/fonts/truetype/roboto/unhinted/RobotoCondensed-Bold.ttf",
		"/usr/share/fonts/truetype/roboto/hinted/RobotoCondensed-Bold.ttf",
		"/usr/share/fonts/truetype/roboto/RobotoCondensed-Bold.ttf"}},
	{FontDejaVuCondensedBold, []string{
		"/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf"}},
	{FontLiberationNarrow, []string{
		"/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf",
		"/usr/share/fonts/truetype/liberation2/LiberationSansNarrow-Bold.ttf"}},
	{FontLeagueSpartan, []string{
		"/usr/share/fonts/opentype/league-spartan/LeagueSpartan-Bold.otf",
		"/usr/share/fonts/truetype/league-spartan/LeagueSpartan-Bold.otf",
		"/usr/share/fonts/truetype/league-spartan/LeagueSpartan-Bold.ttf"}},
}

// outlineSource gives glyph outlines in font units (y down, baseline 0) and
// advance widths.
type outlineSource interface {
	outline(r rune, chord float64) ([]poly, error) // chord in font units
	advance(r rune) (float64, error)
	upem() float64
}

func openFontFile(path string) (outlineSource, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := sfnt.Parse(data) // TrueType and OpenType (CFF) alike
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &sfntFont{f: f}, nil
}

// sfntFont reads outlines through golang.org/x/image/font/sfnt. Its buffer
// makes it unsafe for concurrent use; fonts are read once, in NewRenderer.
type sfntFont struct {
	f   *sfnt.Font
	buf sfnt.Buffer
}

func (s *sfntFont) upem() float64 { return float64(s.f.UnitsPerEm()) }

// unitScale asks sfnt for coordinates whose 26.6 values are font units.
func (s *sfntFont) unitScale() fixed.Int26_6 { return fixed.Int26_6(s.f.UnitsPerEm()) }

func (s *sfntFont) glyph(r rune) (sfnt.GlyphIndex, error) {
	i, err := s.f.GlyphIndex(&s.buf, r)
	if err != nil {
		return 0, err
	}
	if i == 0 {
		return 0, fmt.Errorf("no glyph for %q", r)
	}
	return i, nil
}

func (s *sfntFont) advance(r rune) (float64, error) {
	i, err := s.glyph(r)
	if err != nil {
		return 0, err
	}
	adv, err := s.f.GlyphAdvance(&s.buf, i, s.unitScale(), font.HintingNone)
	return float64(adv), err
}

// outline flattens the glyph's contours (y down, baseline 0) into polygons
// whose curves deviate by about chord font units at most.
func (s *sfntFont) outline(r rune, chord float64) ([]poly, error) {
	i, err := s.glyph(r)
	if err != nil {
		return nil, err
	}
	segs, err := s.f.LoadGlyph(&s.buf, i, s.unitScale(), nil)
	if err != nil {
		return nil, fmt.Errorf("glyph %q: %w", r, err)
	}
	var out []poly
	var p poly
	flush := func() {
		if len(p) > 1 && p[len(p)-1] == p[0] {
			p = p[:len(p)-1]
		}
		if len(p) >= 3 {
			out = append(out, p)
		}
		p = nil
	}
	steps := func(l float64) int { return max(2, min(int(math.Ceil(l/chord)), 24)) }
	for _, sg := range segs {
		at := func(k int) pt { return pt{float64(sg.Args[k].X), float64(sg.Args[k].Y)} }
		switch sg.Op {
		case sfnt.SegmentOpMoveTo:
			flush()
			p = poly{at(0)}
		case sfnt.SegmentOpLineTo:
			p = append(p, at(0))
		case sfnt.SegmentOpQuadTo:
			cur, c, e := p[len(p)-1], at(0), at(1)
			k := steps(c.sub(cur).length() + e.sub(c).length())
			for j := 1; j <= k; j++ {
				u := float64(j) / float64(k)
				p = append(p, lerpPt(lerpPt(cur, c, u), lerpPt(c, e, u), u))
			}
		case sfnt.SegmentOpCubeTo:
			cur, c1, c2, e := p[len(p)-1], at(0), at(1), at(2)
			k := steps(c1.sub(cur).length() + c2.sub(c1).length() + e.sub(c2).length())
			for j := 1; j <= k; j++ {
				u := float64(j) / float64(k)
				a, b, c := lerpPt(cur, c1, u), lerpPt(c1, c2, u), lerpPt(c2, e, u)
				p = append(p, lerpPt(lerpPt(a, b, u), lerpPt(b, c, u), u))
			}
		}
	}
	flush()
	if len(out) == 0 {
		return nil, fmt.Errorf("glyph %q has no outline", r)
	}
	return out, nil
}

// fontFace holds a system font's 36 plate glyphs, scaled to the 79 mm cap
// height and stretched towards the 50 mm cell, at each level of detail.
type fontFace struct {
	name   Font
	glyphs [numLODs]map[rune][]poly // mm, ink from x=0, baseline at y=79
}

// loadFontFace reads the font and normalises its plate glyphs. The
// horizontal stretch takes the font's typical letter to the legal 50 mm,
// within limits, so a condensed or a wide font keeps some of its character.
func loadFontFace(name Font, src outlineSource) (*fontFace, error) {
	h, err := src.outline('H', src.upem()/100)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", name, err)
	}
	capH := boundsOf(h).h()
	if capH <= 0 {
		return nil, fmt.Errorf("font %s: empty H", name)
	}
	k := cellH / capH // mm per font unit
	face := &fontFace{name: name}
	var stretch float64
	for l := lod(0); l < numLODs; l++ {
		raw := map[rune][]poly{}
		for _, c := range plateAlphabet {
			ps, err := src.outline(c, lodChordMM[l]/k)
			if err != nil {
				return nil, fmt.Errorf("font %s: %w", name, err)
			}
			raw[c] = ps
		}
		if l == 0 {
			var sumW float64
			const typical = "ABCDEHKNOPRSUXZ02345689"
			for _, c := range typical {
				sumW += boundsOf(raw[c]).w() * k
			}
			stretch = math.Max(0.85, math.Min(1.45, cellW/(sumW/float64(len(typical)))))
		}
		face.glyphs[l] = map[rune][]poly{}
		for c, ps := range raw {
			b := boundsOf(ps)
			// Plate makers fit every character between the same two lines:
			// a descending Q or J is squashed into the cell.
			top, bottom := cellH+b.y0*k, cellH+b.y1*k
			ky, y0 := k, 0.0
			if top < -1.5 || bottom > cellH+1.5 {
				ky = cellH / b.h()
				y0 = -(cellH + b.y0*ky) // so the ink spans [0, cellH]
			}
			out := make([]poly, len(ps))
			for i, p := range ps {
				q := make(poly, len(p))
				for j, v := range p {
					q[j] = pt{(v.x - b.x0) * k * stretch, cellH + v.y*ky + y0}
				}
				out[i] = q
			}
			face.glyphs[l][c] = out
		}
	}
	return face, nil
}

// glyph returns character c at the given stroke weight (1 = as designed).
func (f *fontFace) glyph(c rune, weight float64, l lod) (*glyphShape, error) {
	ps, ok := f.glyphs[l][c]
	if !ok {
		return nil, fmt.Errorf("font %s has no %q", f.name, c)
	}
	if weight != 1 {
		ps = embolden(ps, (weight-1)*penMM/2)
	}
	b := boundsOf(ps)
	g := &glyphShape{polys: ps, h: cellH}
	if b.x0 != 0 {
		g.polys = make([]poly, len(ps))
		for i, p := range ps {
			q := make(poly, len(p))
			for j, v := range p {
				q[j] = pt{v.x - b.x0, v.y}
			}
			g.polys[i] = q
		}
		b.x1 -= b.x0
		b.x0 = 0
	}
	g.w = b.x1
	g.ink = b
	return g, nil
}

// legendFace is the small typeface of the supplier's legend.
type legendFace struct {
	glyphs  map[rune][]poly // units of cap height (cap height = 1), baseline y=0
	advance map[rune]float64
}

const legendRunes = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.,-&'/()"

func loadLegendFace(src outlineSource) (*legendFace, error) {
	hb, err := src.outline('H', src.upem()/100)
	if err != nil {
		return nil, err
	}
	capH := boundsOf(hb).h()
	lf := &legendFace{glyphs: map[rune][]poly{}, advance: map[rune]float64{}}
	for _, c := range legendRunes + " " {
		adv, err := src.advance(c)
		if err != nil {
			continue
		}
		lf.advance[c] = adv / capH
		if c == ' ' {
			continue
		}
		ps, err := src.outline(c, capH/20)
		if err != nil {
			continue
		}
		for _, p := range ps {
			for j := range p {
				p[j] = pt{p[j].x / capH, p[j].y / capH}
			}
		}
		lf.glyphs[c] = ps
	}
	if len(lf.glyphs) < 36 {
		return nil, fmt.Errorf("legend font lacks glyphs")
	}
	return lf, nil
}

// findFontFile returns the first existing path.
func findFontFile(paths []string) string {
	for _, p := range paths {
		if st, err := os.Stat(filepath.Clean(p)); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}
