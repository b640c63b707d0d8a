package plate

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

var writeSheets = flag.Bool("sheets", false, "write the review sheets docs/plate-glyphs.png and docs/plate-samples.png")

// fillSolid paints the whole image one opaque colour.
func fillSolid(img *image.NRGBA, c rgb) {
	row := img.Pix[:img.Stride]
	for i := 0; i < len(row); i += 4 {
		row[i], row[i+1], row[i+2], row[i+3] = c.r, c.g, c.b, 255
	}
	for y := 1; y < img.Rect.Dy(); y++ {
		copy(img.Pix[y*img.Stride:(y+1)*img.Stride], row)
	}
}

// randomMark makes a registration in one of the UK formats, for tests and
// sample sheets.
func randomMark(rng *rand.Rand) string {
	L := func() byte { return "ABCDEFGHJKLMNOPRSTUVWXY"[rng.IntN(23)] }
	D := func() byte { return byte('0' + rng.IntN(10)) }
	switch u := rng.Float64(); {
	case u < 0.7: // current
		return fmt.Sprintf("%c%c%c%c %c%c%c", L(), L(), D(), D(), L(), L(), L())
	case u < 0.82: // prefix
		n := 1 + rng.IntN(3)
		s := string(L())
		for i := 0; i < n; i++ {
			s += string(D())
		}
		return fmt.Sprintf("%s %c%c%c", s, L(), L(), L())
	case u < 0.9: // suffix
		n := 1 + rng.IntN(3)
		s := ""
		for i := 0; i < n; i++ {
			s += string(D())
		}
		return fmt.Sprintf("%c%c%c %s%c", L(), L(), L(), s, L())
	case u < 0.96: // dateless
		n := 1 + rng.IntN(4)
		s := ""
		for i := 0; i < n; i++ {
			s += string(D())
		}
		return fmt.Sprintf("%c%c %s", L(), L(), s)
	default: // Northern Ireland
		n := 1 + rng.IntN(4)
		s := ""
		for i := 0; i < n; i++ {
			s += string(D())
		}
		return fmt.Sprintf("%cI%c %s", L(), "AEGJKLMNWXZ"[rng.IntN(11)], s)
	}
}

func savePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// TestSheets writes the review images when run with -sheets:
//
//	go test ./sim/plate -run TestSheets -sheets
func TestSheets(t *testing.T) {
	if !*writeSheets {
		t.Skip("review sheets are written only with -sheets")
	}
	r := testRenderer(t)
	dir := filepath.Join("..", "..", "docs")
	if d := os.Getenv("PLATE_SHEET_DIR"); d != "" {
		dir = d
	}
	savePNG(t, filepath.Join(dir, "plate-glyphs.png"), glyphSheet(t, r))
	savePNG(t, filepath.Join(dir, "plate-samples.png"), sampleSheet(t, r, 40, 1))
}

// glyphSheet: the 36 mandatory glyphs at 2 px/mm on their 50x79 cells, then
// each system font at 1 px/mm.
func glyphSheet(t *testing.T, r *Renderer) image.Image {
	const s = 2.0
	pad := 12.0
	cols := 12
	cw, ch := (cellW+pad)*s, (cellH+pad)*s
	fontRows := len(r.Fonts()) - 1
	const fs = 0.62 // px/mm for the system fonts, so a font fits one row
	W := int(float64(cols) * cw)
	H := int(3*ch) + fontRows*int((cellH+pad)*fs) + 20
	img := image.NewNRGBA(image.Rect(0, 0, W, H))
	cv := &canvas{}
	cv.startImage(img, rgb{255, 255, 255}, 4)
	fillSolid(img, rgb{255, 255, 255})
	draw1 := func(g *glyphShape, ox, oy, sc float64, cell bool) {
		if cell {
			cv.fillRect(ox, oy, ox+g.w*sc, oy+g.h*sc, rgb{255, 214, 214}, 1)
		}
		m := scaleXY(sc, sc).then(translate(ox, oy))
		if !cv.begin(pxBounds(g.polys, m)) {
			return
		}
		for _, p := range g.polys {
			cv.polyMap(p, m)
		}
		cv.rasterize()
		cv.blend(rgb{0, 0, 0}, 1, 0, 0)
	}
	for i, c := range plateAlphabet {
		g, err := r.glyph(Mandatory, c, 1, lodFine)
		if err != nil {
			t.Fatal(err)
		}
		draw1(g, float64(i%cols)*cw+pad/2*s, float64(i/cols)*ch+pad/2*s, s, true)
	}
	y := 3*ch + 10
	for _, f := range r.Fonts()[1:] {
		x := 6.0
		for _, c := range plateAlphabet {
			g, err := r.glyph(f, c, 1, lodFine)
			if err != nil {
				t.Fatal(err)
			}
			draw1(g, x, y, fs, false)
			x += (g.w + 6) * fs
		}
		y += (cellH + pad) * fs
	}
	return img
}

// sampleSheet renders n RandomSpec plates at scale px/mm on a grey ground.
func sampleSheet(t *testing.T, r *Renderer, n int, scale float64) image.Image {
	rng := rand.New(rand.NewPCG(7, 11))
	var plates []*image.NRGBA
	for i := 0; i < n; i++ {
		spec := RandomSpec(rng, randomMark(rng), r.Fonts())
		p, err := r.Render(spec, scale, rng)
		if err != nil {
			t.Fatalf("%+v: %v", spec, err)
		}
		plates = append(plates, p.Image)
	}
	const gap = 10
	colW := int(oneLineW*scale) + gap
	W := 2*colW + gap
	// Shelf packing into two columns.
	colY := [2]int{gap, gap}
	type pos struct{ x, y int }
	where := make([]pos, len(plates))
	for i, p := range plates {
		c := 0
		if colY[1] < colY[0] {
			c = 1
		}
		where[i] = pos{gap + c*colW, colY[c]}
		colY[c] += p.Bounds().Dy() + gap
	}
	H := max(colY[0], colY[1])
	sheet := image.NewNRGBA(image.Rect(0, 0, W, H))
	draw.Draw(sheet, sheet.Bounds(), image.NewUniform(color.NRGBA{70, 74, 78, 255}), image.Point{}, draw.Src)
	for i, p := range plates {
		draw.Draw(sheet, p.Bounds().Add(image.Pt(where[i].x, where[i].y)), p, image.Point{}, draw.Over)
	}
	return sheet
}
