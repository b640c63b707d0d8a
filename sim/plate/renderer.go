package plate

import (
	"fmt"
	"math"
	"sync"
)

// Renderer holds parsed fonts and glyph outlines; safe for concurrent use
// once built.
type Renderer struct {
	fonts  []Font
	faces  map[Font]*fontFace
	legend *legendFace // nil: the legend is drawn with the plate strokes

	glyphs sync.Map // glyphKey -> *glyphShape
	pool   sync.Pool
}

type glyphKey struct {
	font   Font
	c      rune
	weight int // stroke weight in steps of weightStep
	lod    lod
}

// Stroke weights are quantised so that glyph outlines can be cached.
const weightStep = 0.02

// NewRenderer builds the mandatory glyphs and loads whichever of the system
// fonts are installed; missing ones are just not offered by Fonts.
func NewRenderer() (*Renderer, error) {
	return newRenderer(systemFonts)
}

func newRenderer(sys []systemFont) (*Renderer, error) {
	r := &Renderer{fonts: []Font{Mandatory}, faces: map[Font]*fontFace{}}
	for _, w := range []float64{1, motorcycleWeight} {
		for l := lod(0); l < numLODs; l++ {
			for _, c := range plateAlphabet {
				if _, err := r.glyph(Mandatory, c, w, l); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, sf := range sys {
		path := findFontFile(sf.files)
		if path == "" {
			continue
		}
		src, err := openFontFile(path)
		if err != nil {
			continue // a broken font is as good as a missing one
		}
		face, err := loadFontFace(sf.name, src)
		if err != nil {
			continue
		}
		r.faces[sf.name] = face
		r.fonts = append(r.fonts, sf.name)
		if r.legend == nil && sf.name != FontBebasNeue {
			if lf, err := loadLegendFace(src); err == nil {
				r.legend = lf
			}
		}
	}
	r.pool.New = func() any { return &canvas{} }
	return r, nil
}

// Fonts lists the typefaces RandomSpec may draw a plate in: Mandatory
// first, then the installed system fonts. Render accepts PressedMetal too.
func (r *Renderer) Fonts() []Font {
	return append([]Font(nil), r.fonts...)
}

func (r *Renderer) hasFont(f Font) bool {
	if f == Mandatory || f == PressedMetal {
		return true
	}
	_, ok := r.faces[f]
	return ok
}

// glyph returns character c of font f at stroke weight w, building and
// caching it on first use.
func (r *Renderer) glyph(f Font, c rune, w float64, l lod) (*glyphShape, error) {
	if f == "" {
		f = Mandatory
	}
	q := int(math.Round(w / weightStep))
	key := glyphKey{f, c, q, l}
	if g, ok := r.glyphs.Load(key); ok {
		return g.(*glyphShape), nil
	}
	wq := float64(q) * weightStep
	var (
		g   *glyphShape
		err error
	)
	switch f {
	case Mandatory:
		g, err = mandatoryGlyph(c, wq, l)
	case PressedMetal:
		g, err = pressedGlyph(c, wq, l)
	default:
		face, ok := r.faces[f]
		if !ok {
			return nil, fmt.Errorf("unknown font %q", f)
		}
		g, err = face.glyph(c, wq, l)
	}
	if err != nil {
		return nil, err
	}
	act, _ := r.glyphs.LoadOrStore(key, g)
	return act.(*glyphShape), nil
}
