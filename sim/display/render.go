package display

import (
	"fmt"
	"image"
	"image/draw"
	"math"
	"time"

	"anpr/sim/plate"
	"anpr/sim/scene"
)

// Screen is the monitor a plan is shown on.
type Screen struct {
	Width, Height int     // in pixels
	PxPerMM       float64 // pixels per millimetre of the monitor's face
}

// ScreenOf is a screen whose physical width is known rather than its
// pixel pitch.
func ScreenOf(width, height int, widthMM float64) Screen {
	return Screen{Width: width, Height: height, PxPerMM: float64(width) / widthMM}
}

// Check reports what is wrong with a screen.
func (s Screen) Check() error {
	switch {
	case s.Width < 16 || s.Height < 16 || s.Width > 16384 || s.Height > 16384:
		return fmt.Errorf("%w: screen %d x %d px: want 16 to 16384 each way", ErrBadConfig, s.Width, s.Height)
	case !(s.PxPerMM > 0.1) || s.PxPerMM > 100 || math.IsInf(s.PxPerMM, 0):
		return fmt.Errorf("%w: %g px/mm: want more than 0.1 and at most 100 (a 96 dpi monitor has 3.78)", ErrBadConfig, s.PxPerMM)
	}
	return nil
}

// fill is the share of the screen a picture may take each way: a plate
// drawn right to the screen's edge loses its margin to the bezel.
const fill = 0.95

// Picture is one item ready to show: its image and where it goes on the
// screen.
type Picture struct {
	Image image.Image
	// Scale is how much Image is enlarged (or reduced) to draw it: 1 for a
	// clean plate, rendered at the screen's own pitch.
	Scale float64
	// At is where the scaled image lies on the screen, in screen pixels:
	// centred.
	At image.Rectangle
	// Shown is the item's truth, all but the times it went on and off.
	Shown Shown
}

// Renderer draws the items of plans.
type Renderer struct {
	plates *plate.Renderer
	fonts  []plate.Font
	scenes *scene.Renderer
}

// NewRenderer prepares the plate and scene renderers; asOf is the date
// the scene renderer issues its own marks up to (the plans' marks are
// their own).
func NewRenderer(asOf time.Time) (*Renderer, error) {
	pr, err := plate.NewRenderer()
	if err != nil {
		return nil, err
	}
	sr, err := scene.NewRenderer(scene.Options{AsOf: asOf})
	if err != nil {
		return nil, err
	}
	return &Renderer{plates: pr, fonts: pr.Fonts(), scenes: sr}, nil
}

// Close frees the renderer's textures.
func (r *Renderer) Close() { r.scenes.Close() }

// Render draws item i of plan p for screen s.
//
// A clean plate is drawn straight on at the plan's scale (a one-line plate
// PlateMM wide), at the screen's own pixel pitch so that it is drawn one
// to one. A plate under a named condition is the plate patch a camera
// would cut under that condition (perspective, light, weather, blur,
// noise), scaled so that its characters are as high as the clean plate's.
// A scene is a whole 1920 x 1080 frame, scaled to fill the screen. A
// picture that would not fit the screen is made smaller, and its truth
// says the size it is shown at.
func (r *Renderer) Render(p *Plan, i int, s Screen) (Picture, error) {
	if i < 0 || i >= len(p.Items) {
		return Picture{}, fmt.Errorf("%w: no item %d in a plan of %d", ErrBadConfig, i, len(p.Items))
	}
	if err := s.Check(); err != nil {
		return Picture{}, err
	}
	it := p.Items[i]
	var (
		pic Picture
		err error
	)
	switch {
	case p.Kind == KindScene:
		pic, err = r.renderScene(it, s)
	case it.Condition == Clean:
		pic, err = r.renderPlate(p, it, s)
	default:
		pic, err = r.renderCrop(p, it, s)
	}
	if err != nil {
		return Picture{}, fmt.Errorf("item %d (%s, %s): %w", it.Seq, it.Mark.Display, it.Condition, err)
	}
	w, h := pic.Image.Bounds().Dx(), pic.Image.Bounds().Dy()
	sw, sh := int(math.Round(float64(w)*pic.Scale)), int(math.Round(float64(h)*pic.Scale))
	x0, y0 := (s.Width-sw)/2, (s.Height-sh)/2
	pic.At = image.Rect(x0, y0, x0+sw, y0+sh)
	sh0 := &pic.Shown
	sh0.Seq, sh0.Plate, sh0.Display, sh0.Kind, sh0.Seed = it.Seq, it.Mark.Text, it.Mark.Display, p.Kind, it.Seed
	if sh0.Condition == "" {
		sh0.Condition = it.Condition
	}
	sh0.SizePx = [2]int{sw, sh}
	sh0.SizeMM = [2]float64{mm(float64(sw), s), mm(float64(sh), s)}
	sh0.PlateMM = [2]float64{mm(float64(sh0.PlatePx[0]), s), mm(float64(sh0.PlatePx[1]), s)}
	sh0.PxPerMM = round(s.PxPerMM, 4)
	return pic, nil
}

func mm(px float64, s Screen) float64 { return round(px/s.PxPerMM, 1) }

func round(x float64, places int) float64 {
	k := math.Pow(10, float64(places))
	return math.Round(x*k) / k
}

// lifeScale is the plan's plate size over life size.
func lifeScale(p *Plan) float64 { return p.PlateMM / OneLineWidthMM }

// legalCharMM is the height of a layout's characters.
func legalCharMM(l plate.Layout) float64 {
	if l == plate.Motorcycle {
		return 64
	}
	return 79
}

func (r *Renderer) renderPlate(p *Plan, it Item, s Screen) (Picture, error) {
	pxPerMM := lifeScale(p) * s.PxPerMM
	for range 2 {
		rng := itemRand(it.Seed, 2)
		spec := plate.RandomSpec(rng, it.Mark.Display, r.fonts)
		if pxPerMM > plate.MaxPxPerMM {
			return Picture{}, fmt.Errorf("%w: plate at %.1f px/mm: at most %g (is --px-per-mm in pixels per millimetre?)", ErrBadConfig, pxPerMM, plate.MaxPxPerMM)
		}
		pl, err := r.plates.Render(spec, pxPerMM, rng)
		if err != nil {
			return Picture{}, err
		}
		w, h := pl.Image.Bounds().Dx(), pl.Image.Bounds().Dy()
		if k := fitScale(w, h, s); k < 1 {
			pxPerMM *= k * 0.999 // rounding must not push it back over
			continue
		}
		layout := spec.Layout
		if layout == "" {
			layout = plate.OneLine
		}
		return Picture{Image: pl.Image, Scale: 1, Shown: Shown{
			Layout: layout, PlatePx: [2]int{w, h},
			CharMM: round(legalCharMM(layout)*pxPerMM/s.PxPerMM, 1),
		}}, nil
	}
	return Picture{}, fmt.Errorf("plate does not fit a %d x %d screen", s.Width, s.Height)
}

// fitScale is the most a w x h picture may be enlarged to fit the screen;
// more than 1 when it fits as it is.
func fitScale(w, h int, s Screen) float64 {
	return math.Min(fill*float64(s.Width)/float64(w), fill*float64(s.Height)/float64(h))
}

// maxCropCharPx is the largest character height sim/scene renders a
// subject at; larger plates are enlarged when drawn.
const maxCropCharPx = 400

func (r *Renderer) renderCrop(p *Plan, it Item, s Screen) (Picture, error) {
	want := legalCharMM(plate.OneLine) * lifeScale(p) * s.PxPerMM
	img, l, err := r.renderSubject(scene.KindCrop, it, scene.Subject{Mark: it.Mark, CharPx: math.Max(4, math.Min(maxCropCharPx, want))})
	if err != nil {
		return Picture{}, err
	}
	// The patch's characters as high as the clean plate's would be, unless
	// the plate would not fit; what lies around the plate is cut to the
	// screen.
	scale := legalCharMM(l.Layout) * lifeScale(p) * s.PxPerMM / l.Camera.CharHeightPx
	scale = math.Min(scale, fitScale(max(1, l.Box[2]), max(1, l.Box[3]), s))
	img = cutAround(img, image.Rect(l.Box[0], l.Box[1], l.Box[0]+l.Box[2], l.Box[1]+l.Box[3]),
		int(float64(s.Width)/scale), int(float64(s.Height)/scale))
	return picture(img, l, scale, s), nil
}

func (r *Renderer) renderScene(it Item, s Screen) (Picture, error) {
	img, l, err := r.renderSubject(scene.KindScene, it, scene.Subject{Mark: it.Mark})
	if err != nil {
		return Picture{}, err
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	return picture(img, l, math.Min(float64(s.Width)/float64(w), float64(s.Height)/float64(h)), s), nil
}

// renderSubject renders the item as an image of kind, with its label.
func (r *Renderer) renderSubject(kind scene.Kind, it Item, subject scene.Subject) (image.Image, scene.Label, error) {
	sample, err := r.scenes.RenderSubject(kind, it.Condition, it.Seed, subject)
	if err != nil {
		return nil, scene.Label{}, err
	}
	defer sample.Image.Close()
	img, err := sample.Image.ToImage()
	if err != nil {
		return nil, scene.Label{}, err
	}
	return img, sample.Label, nil
}

// picture is img drawn at scale, with what the screen then shows of the
// plate labelled l.
func picture(img image.Image, l scene.Label, scale float64, s Screen) Picture {
	return Picture{Image: img, Scale: scale, Shown: Shown{
		Condition: l.Condition.Name, Layout: l.Layout,
		PlatePx: [2]int{int(math.Round(float64(l.Box[2]) * scale)), int(math.Round(float64(l.Box[3]) * scale))},
		CharMM:  round(l.Camera.CharHeightPx*scale/s.PxPerMM, 1),
	}}
}

// cutAround cuts img to at most w x h pixels, centred on box as far as
// img allows.
func cutAround(img image.Image, box image.Rectangle, w, h int) image.Image {
	b := img.Bounds()
	if b.Dx() <= w && b.Dy() <= h {
		return img
	}
	w, h = min(w, b.Dx()), min(h, b.Dy())
	c := box.Min.Add(box.Max).Div(2)
	x0 := min(max(b.Min.X, c.X-w/2), b.Max.X-w)
	y0 := min(max(b.Min.Y, c.Y-h/2), b.Max.Y-h)
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Bounds(), img, image.Pt(x0, y0), draw.Src)
	return out
}
