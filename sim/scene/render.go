// Package scene composes what an ANPR camera sees: a plate on a vehicle on a
// road, placed by a camera model and spoilt by light, weather, motion and the
// sensor, together with the truth about every image.
//
// Rendering is deterministic from a seed. A scene is a full camera frame; a
// crop is the plate patch a camera would cut from such a frame, rendered
// through the same pipeline but only in a window around the plate.
package scene

import (
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"time"

	"gocv.io/x/gocv"

	"anpr/engine/vrm"
	"anpr/sim/plate"
)

// Kind is what is rendered: a whole frame or a plate patch.
type Kind string

const (
	KindScene Kind = "scene"
	KindCrop  Kind = "crop"
	// KindEmpty is a whole frame with no readable plate: the road and its
	// distant traffic, and half the time a vehicle whose plate is missing.
	// Detectors are measured for false plates on such frames.
	KindEmpty Kind = "empty"
)

// Options configure a Renderer.
type Options struct {
	Width, Height int       // camera frame size; 1920 x 1080 when zero
	MinCharPx     float64   // smallest character height drawn; 12 when zero
	MaxCharPx     float64   // largest; 90 when zero
	AsOf          time.Time // marks are issued no later than this; today when zero
	// PlateMix is how often the rarer kinds of plate are drawn;
	// plate.RoadMix when zero.
	PlateMix plate.Mix
	// Occluded, when above 0, is the share of plates with a tow bar or a
	// bike rack in front of them (half each), in place of the 7% the
	// conditions draw: for training sets that teach a reader plates partly
	// hidden. Each image is otherwise the one its seed gives without it.
	Occluded float64
	// LetteringCut, when above 0, is the share of crops cut to the
	// lettering itself rather than around the plate: characters at or a
	// little past the crop's edges, no border in view, as in many collected
	// plate photographs (openalpr's GB crops are cut so). Each crop is
	// otherwise the one its seed gives without it.
	LetteringCut float64
}

// ErrBadOptions marks options no renderer can honour.
var ErrBadOptions = errors.New("bad renderer options")

// Renderer renders scenes and crops. It is safe for concurrent use.
type Renderer struct {
	opts   Options
	plates *plate.Renderer
	fonts  []plate.Font
	tex    *textures
}

// NewRenderer prepares fonts, glyphs and noise textures.
func NewRenderer(opts Options) (*Renderer, error) {
	if opts.Width == 0 && opts.Height == 0 {
		opts.Width, opts.Height = 1920, 1080
	}
	if opts.Width < 64 || opts.Height < 64 || opts.Width > 8192 || opts.Height > 8192 {
		return nil, fmt.Errorf("%w: frame size %dx%d out of range 64..8192", ErrBadOptions, opts.Width, opts.Height)
	}
	if opts.MinCharPx == 0 {
		opts.MinCharPx = 12
	}
	if opts.MaxCharPx == 0 {
		opts.MaxCharPx = 90
	}
	if opts.MinCharPx < 4 || opts.MaxCharPx < opts.MinCharPx || opts.MaxCharPx > 400 {
		return nil, fmt.Errorf("%w: character height range %g..%g px: want 4 <= min <= max <= 400", ErrBadOptions, opts.MinCharPx, opts.MaxCharPx)
	}
	if !(opts.Occluded >= 0 && opts.Occluded <= 1) {
		return nil, fmt.Errorf("%w: occluded share %v: want 0 to 1", ErrBadOptions, opts.Occluded)
	}
	if !(opts.LetteringCut >= 0 && opts.LetteringCut <= 1) {
		return nil, fmt.Errorf("%w: lettering-cut share %v: want 0 to 1", ErrBadOptions, opts.LetteringCut)
	}
	if opts.AsOf.IsZero() {
		opts.AsOf = time.Now()
	}
	if opts.PlateMix == (plate.Mix{}) {
		opts.PlateMix = plate.RoadMix
	}
	pr, err := plate.NewRenderer()
	if err != nil {
		return nil, fmt.Errorf("plate renderer: %w", err)
	}
	return &Renderer{opts: opts, plates: pr, fonts: pr.Fonts(), tex: newTextures(opts.Width, opts.Height)}, nil
}

// Close frees the renderer's textures.
func (r *Renderer) Close() { r.tex.Close() }

// Sample is one rendered image and its truth. The caller owns Image (BGR,
// or one grey channel for infrared) and must Close it.
type Sample struct {
	Image gocv.Mat
	Label Label
}

// Label is the truth about one image, as written to labels.jsonl.
type Label struct {
	File        string        `json:"file"`
	Kind        Kind          `json:"kind"`
	Plate       string        `json:"plate"`   // normalised, no spaces
	Display     string        `json:"display"` // as laid out on the plate
	Format      vrm.Format    `json:"format"`
	Box         [4]int        `json:"box"`     // x, y, w, h of the plate in pixels
	Polygon     [4][2]float64 `json:"polygon"` // plate corners, clockwise from top-left
	Chars       []CharLabel   `json:"chars"`
	Side        plate.Side    `json:"side"`
	Layout      plate.Layout  `json:"layout"`
	Band        plate.Band    `json:"band,omitempty"`
	Historic    bool          `json:"historic,omitempty"` // black plate, silver characters
	Font        plate.Font    `json:"font"`
	Cut         string        `json:"cut,omitempty"` // CutLettering when a crop is cut to the lettering
	Wear        plate.Wear    `json:"wear"`
	Condition   Condition     `json:"condition"`
	Camera      Placement     `json:"camera"`
	Vehicle     vehicle       `json:"vehicle"`
	OtherPlates [][4]int      `json:"other_plates,omitempty"` // unreadably small plates elsewhere in the frame
	Width       int           `json:"width"`
	Height      int           `json:"height"`
	Seed        uint64        `json:"seed"`
}

// PlateRect is the plate's box (Box) as a rectangle.
func (l Label) PlateRect() image.Rectangle {
	return image.Rect(l.Box[0], l.Box[1], l.Box[0]+l.Box[2], l.Box[1]+l.Box[3])
}

// CharLabel is one character's box, x, y, w, h in pixels.
type CharLabel struct {
	Char string `json:"char"`
	Box  [4]int `json:"box"`
}

// ImageSeed derives the seed of image i of a run, so that any image can be
// remade alone and workers can render in any order.
func ImageSeed(runSeed uint64, i int) uint64 {
	// SplitMix64 finaliser: neighbouring indices give unrelated seeds.
	z := runSeed + uint64(i+1)*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// Render draws one image of the given kind under a named condition (or
// "mixed"). The same kind, condition and seed always give the same image.
func (r *Renderer) Render(kind Kind, condition string, seed uint64) (Sample, error) {
	return r.render(kind, condition, seed, nil)
}

// Subject fixes what an image shows where the caller knows it, as the
// simulator's virtual cameras do (this vehicle's mark, seen by this camera,
// at this speed), instead of drawing it from the seed. Zero fields are drawn
// as Render draws them. Every draw is made whether or not it is then
// overridden, so that the same seed gives the same road, vehicle and
// weather whatever the subject.
type Subject struct {
	Mark vrm.Mark // the mark on the plate; Display is drawn, Text labels it
	// Side is the end of the vehicle seen: Front or Rear; "" draws one.
	// Motorcycles carry no front plate, so a front drawn with a motorcycle
	// layout is drawn as a one-line car plate.
	Side          plate.Side
	CharPx        float64 // height of the legal 79 mm character in pixels, 4 to 400
	CameraHeightM float64 // mounting height above the road, 1 to 30 m
	DistanceM     float64 // camera to plate in a straight line, 2 to 200 m
	SpeedMPH      float64 // the vehicle's speed, for motion blur
	ShutterS      float64 // exposure in seconds, for motion blur
}

func (s *Subject) check() error {
	switch {
	case s.Mark.Text == "" || s.Mark.Display == "":
		return fmt.Errorf("%w: subject without a mark", ErrBadOptions)
	case s.Side != "" && s.Side != plate.Front && s.Side != plate.Rear:
		return fmt.Errorf("%w: subject side %q: want %s or %s", ErrBadOptions, s.Side, plate.Front, plate.Rear)
	case s.CharPx != 0 && (s.CharPx < 4 || s.CharPx > 400):
		return fmt.Errorf("%w: subject character height %g px: want 4 to 400", ErrBadOptions, s.CharPx)
	case s.CameraHeightM != 0 && (s.CameraHeightM < 1 || s.CameraHeightM > 30):
		return fmt.Errorf("%w: camera height %g m: want 1 to 30", ErrBadOptions, s.CameraHeightM)
	case s.DistanceM != 0 && (s.DistanceM < 2 || s.DistanceM > 200):
		return fmt.Errorf("%w: distance %g m: want 2 to 200", ErrBadOptions, s.DistanceM)
	case s.SpeedMPH < 0 || s.SpeedMPH > 200:
		return fmt.Errorf("%w: speed %g mph: want 0 to 200", ErrBadOptions, s.SpeedMPH)
	case s.ShutterS < 0 || s.ShutterS > 0.1:
		return fmt.Errorf("%w: shutter %g s: want 0 to 0.1", ErrBadOptions, s.ShutterS)
	}
	return nil
}

// RenderSubject is Render with the plate's mark, and whatever else s
// fixes, given rather than drawn. Kind must be KindScene or KindCrop.
func (r *Renderer) RenderSubject(kind Kind, condition string, seed uint64, s Subject) (Sample, error) {
	if kind == KindEmpty {
		return Sample{}, fmt.Errorf("%w: an empty frame shows no subject", ErrBadOptions)
	}
	if err := s.check(); err != nil {
		return Sample{}, err
	}
	return r.render(kind, condition, seed, &s)
}

func (r *Renderer) render(kind Kind, condition string, seed uint64, subject *Subject) (Sample, error) {
	if kind != KindScene && kind != KindCrop && kind != KindEmpty {
		return Sample{}, fmt.Errorf("unknown kind %q (want %s, %s or %s)", kind, KindScene, KindCrop, KindEmpty)
	}
	rng := rand.New(rand.NewPCG(seed, 0x414E5052)) // "ANPR"
	cond, err := drawCondition(rng, condition)
	if err != nil {
		return Sample{}, err
	}
	if r.opts.Occluded > 0 {
		// A stream of its own, so that the rest of the image is drawn as without it.
		orng := rand.New(rand.NewPCG(seed, 0x4F43434C)) // "OCCL"
		cond.Occlusion = ""
		if orng.Float64() < r.opts.Occluded {
			cond.Occlusion = [...]string{occlusionTowBar, occlusionBikeRack}[orng.IntN(2)]
		}
	}
	mark := vrm.GenerateMix(rng, r.opts.AsOf)
	if subject != nil {
		mark = subject.Mark
	}
	spec := r.opts.PlateMix.RandomSpec(rng, mark.Display, r.fonts)
	spec.Wear.Dirt = math.Max(spec.Wear.Dirt, cond.Dirt)
	if subject != nil {
		if subject.Side != "" {
			spec.Side = subject.Side
		}
		if spec.Side == plate.Front && spec.Layout == plate.Motorcycle {
			spec.Layout = plate.OneLine
		}
		if subject.SpeedMPH > 0 {
			cond.SpeedMPH = round(subject.SpeedMPH, 0)
		}
		if subject.ShutterS > 0 {
			cond.ShutterS, cond.Shutter = subject.ShutterS, fmt.Sprintf("1/%d", int(math.Round(1/subject.ShutterS)))
		}
	}

	W, H := float64(r.opts.Width), float64(r.opts.Height)
	// Character heights: log-uniform, so small hard plates are as common as
	// large easy ones.
	lo, hi := math.Log(r.opts.MinCharPx), math.Log(r.opts.MaxCharPx)
	charPx := math.Exp(lo + (hi-lo)*rng.Float64())
	var camHeight, distance float64
	if subject != nil {
		if subject.CharPx > 0 {
			charPx = subject.CharPx
		}
		camHeight, distance = subject.CameraHeightM, subject.DistanceM
	}
	charMM := 79.0
	plateY := 0.3 + 0.3*rng.Float64()
	switch {
	case spec.Layout == plate.Motorcycle:
		charMM, plateY = 64, 0.6+0.3*rng.Float64()
	case spec.Side == plate.Rear:
		plateY = 0.45 + 0.55*rng.Float64()
	}
	u0, v0 := W/2, H/2
	if kind != KindCrop {
		u0, v0 = W*(0.12+0.76*rng.Float64()), H*(0.15+0.72*rng.Float64())
	}
	cam, placement, centre := placeCamera(rng, r.opts.Width, r.opts.Height, charPx, plateY, charMM, u0, v0, camHeight, distance)
	yaw := (rng.Float64()*2 - 1) * 6
	placement.VehicleYawDeg = round(yaw, 1)
	face := newFacePlane(cam, centre, yaw)

	// At the scale the camera sees it: the plate renderer antialiases, and
	// the warp barely resamples.
	pxPerMM := math.Min(6, math.Max(0.2, charPx/charMM))
	pl, err := r.plates.Render(spec, pxPerMM, rng)
	if err != nil {
		return Sample{}, fmt.Errorf("render plate %q: %w", mark.Display, err)
	}
	plateW := math.Hypot(pl.Corners[1][0]-pl.Corners[0][0], pl.Corners[1][1]-pl.Corners[0][1]) / pxPerMM
	plateH := math.Hypot(pl.Corners[2][0]-pl.Corners[1][0], pl.Corners[2][1]-pl.Corners[1][1]) / pxPerMM
	quad := face.poly([3]float64{-plateW / 2, plateH / 2, -5}, [3]float64{plateW / 2, plateH / 2, -5},
		[3]float64{plateW / 2, -plateH / 2, -5}, [3]float64{-plateW / 2, -plateH / 2, -5})
	placement.CharHeightPx = round(charPx, 1)

	window := image.Rect(0, 0, r.opts.Width, r.opts.Height)
	if kind == KindCrop {
		window = cropWindow(rng, quad)
	}
	light := drawLighting(rng, cond, spec.Side == plate.Front)
	if spec.Historic {
		// Black-and-silver plates are painted, not retroreflective: they
		// get no more light than the bodywork around them.
		light.plate = light.ambient
	}
	cv := newCanvas(window, 3, light.ambient)
	ok := false
	defer func() {
		if !ok {
			cv.Close()
		}
	}()

	// The world behind the vehicle.
	rd := drawRoad(rng)
	rd.paint(rng, cv, cam, r.tex, centre.Z)
	others := paintTraffic(rng, cv, cam, rd, centre.Z)
	veh := drawVehicle(rng, spec.Side, spec.Layout, plateY)
	if q, ok := groundQuad(cam, centre.X-veh.halfWidth/1000-0.2, centre.X+veh.halfWidth/1000+0.2, centre.Z-0.3, centre.Z+veh.length/1000); ok {
		fillPoly(&cv.img, cv, q, shade(rd.asphalt, 0.45))
	}
	if cond.Weather == Fog {
		fogBackground(cv, cam, cond.FogM, light.fogGrey)
	}

	// The vehicle, its plate and anything hanging in front, on a layer of
	// its own so that motion blur smears it and not the road.
	motion := face.back.scale(cond.SpeedMPH * 0.44704 * cond.ShutterS)
	if spec.Side == plate.Front {
		motion = motion.scale(-1) // coming towards the camera
	}
	mu, mv, _ := cam.project(centre.add(motion))
	blur := [2]float64{mu - u0, mv - v0}
	cond.BlurPx = round(math.Hypot(blur[0], blur[1]), 2)
	var lamps [][2]float64
	if kind != KindEmpty || rng.IntN(2) == 0 {
		if kind == KindEmpty {
			pl = nil // the vehicle without its plate
		}
		if lamps, err = r.paintTarget(rng, cv, cam, face, veh, pl, cond, light, quad, plateW, plateH, blur); err != nil {
			return Sample{}, err
		}
	}
	light.ambient.applyLift(&cv.img)
	if cond.Weather == Spray || (cond.Weather == Rain && cond.SpeedMPH > 40) {
		paintSpray(rng, cv, face, veh, cond, light)
	}

	// Light and weather over everything.
	lampPx := cam.FocalPx * 0.05 / placement.DistanceM
	if light.lampsOn {
		tint := rgb(255, 250, 235)
		if spec.Side == plate.Rear && !light.mono {
			tint = rgb(255, 60, 50)
		}
		bloomLamps(cv, lamps, lampPx, light.bloom, tint)
	}
	if cond.Shadow {
		castShadow(rng, cv, [2]float64{u0, v0}, float64(polyBounds(quad, 0).Dx()))
	}
	if cond.Glare > 0 {
		veil(&cv.img, cond.Glare*0.3, 255)
	}
	if cond.RainRate > 0 {
		paintRain(rng, cv, cond.RainRate, math.Max(1, charPx/25))
		if cond.Weather == Rain {
			lensDrops(rng, cv, int(cond.RainRate*8*float64(cv.size.X*cv.size.Y)/(1920*1080))+rng.IntN(2), 0.05*math.Min(float64(cv.size.X), float64(cv.size.Y)))
		}
	}

	// The sensor: focus, infrared's single channel, noise, compression.
	gocv.GaussianBlur(cv.img, &cv.img, image.Point{0, 0}, cond.FocusPx, cond.FocusPx, gocv.BorderReflect101)
	if light.mono {
		grey := gocv.NewMat()
		gocv.CvtColor(cv.img, &grey, gocv.ColorBGRToGray)
		cv.img.Close()
		cv.img = grey
	}
	cond.NoiseSD = round(cond.NoiseSD*(1+cond.GainDB/30), 1) // gain amplifies the sensor's noise
	r.tex.addNoise(rng, &cv.img, cond.NoiseSD)
	if cond.Video {
		videoArtefacts(&cv.img, 20+rng.IntN(25))
	}

	label := Label{
		Kind: kind, Plate: mark.Text, Display: mark.Display, Format: mark.Format,
		Side: spec.Side, Layout: spec.Layout, Band: spec.Band, Historic: spec.Historic, Font: fontOf(spec), Wear: spec.Wear,
		Condition: cond, Camera: placement, Vehicle: veh,
		Width: cv.size.X, Height: cv.size.Y, Seed: seed,
	}
	if kind == KindEmpty {
		label.Plate, label.Display, label.Format = "", "", vrm.Unknown
	} else {
		label.place(pl, quad, window.Min)
	}
	for _, o := range others {
		label.OtherPlates = append(label.OtherPlates, [4]int{o.Min.X, o.Min.Y, o.Dx(), o.Dy()})
	}
	img := cv.img
	if kind == KindCrop && r.opts.LetteringCut > 0 {
		// A stream of its own, so that the rest of the crop is drawn as without it.
		lrng := rand.New(rand.NewPCG(seed, 0x4C545253)) // "LTRS"
		if lrng.Float64() < r.opts.LetteringCut {
			if cut, cutOK := cutToLettering(lrng, cv.img, &label); cutOK {
				cv.img.Close()
				img = cut
			}
		}
	}
	ok = true
	return Sample{Image: img, Label: label}, nil
}

// CutLettering marks a crop cut to the plate's lettering (Label.Cut).
const CutLettering = "lettering"

// cutToLettering cuts img to the box round label's characters, each side
// from 6% of a character's height inside it to 20% outside (a person
// cutting to the characters clips one now and then), and moves the label
// into the cut. It returns the cut as a new image, or false (img and label
// untouched) when there are no characters to cut to.
func cutToLettering(rng *rand.Rand, img gocv.Mat, label *Label) (gocv.Mat, bool) {
	box := image.Rectangle{}
	charH := 0
	for i, c := range label.Chars {
		r := image.Rect(c.Box[0], c.Box[1], c.Box[0]+c.Box[2], c.Box[1]+c.Box[3])
		if i == 0 {
			box = r
		} else {
			box = box.Union(r)
		}
		charH = max(charH, c.Box[3])
	}
	margin := func() int { return int(math.Round(float64(charH) * (-0.06 + 0.26*rng.Float64()))) }
	cut := image.Rect(box.Min.X-margin(), box.Min.Y-margin(), box.Max.X+margin(), box.Max.Y+margin())
	cut = cut.Intersect(image.Rect(0, 0, img.Cols(), img.Rows()))
	if len(label.Chars) == 0 || cut.Dx() < 4 || cut.Dy() < 4 {
		return gocv.Mat{}, false
	}
	region := img.Region(cut)
	out := region.Clone()
	region.Close()
	label.shift(cut.Min)
	label.Width, label.Height, label.Cut = cut.Dx(), cut.Dy(), CutLettering
	return out, true
}

func fontOf(s plate.Spec) plate.Font {
	if s.Font == "" {
		return plate.Mandatory
	}
	return s.Font
}

// cropWindow is how a camera's plate finder, or a person cropping a
// roadside photo, cuts a patch: often right at the plate's edge (now and
// then a pixel or two inside it), mostly tight and a little off-centre,
// and now and then loose, with bumper and grille in view.
func cropWindow(rng *rand.Rand, quad [][2]float64) image.Rectangle {
	b := polyBounds(quad, 0)
	w, h := float64(b.Dx()), float64(b.Dy())
	lo, side, vlo, vert := 0.01, 0.12, 0.02, 0.35
	switch u := rng.Float64(); {
	case u < 0.3:
		lo, side, vlo, vert = -0.02, 0.05, -0.04, 0.12
	case u > 0.8:
		side, vert = 0.35, 0.9
	}
	left, right := w*(lo+side*rng.Float64()), w*(lo+side*rng.Float64())
	top, bottom := h*(vlo+vert*rng.Float64()), h*(vlo+vert*rng.Float64())
	return image.Rect(b.Min.X-int(left), b.Min.Y-int(top), b.Max.X+int(right), b.Max.Y+int(bottom))
}

// paintTarget draws the target vehicle with its plate on a layer, blurs the
// layer by the vehicle's motion and lays it over the canvas. It returns
// where the vehicle's lamps are, in frame pixels. A nil plate leaves the
// vehicle without one.
func (r *Renderer) paintTarget(rng *rand.Rand, cv *canvas, cam *Camera, face facePlane, veh vehicle, pl *plate.Plate,
	cond Condition, light lighting, quad [][2]float64, plateW, plateH float64, blur [2]float64) ([][2]float64, error) {
	hw := veh.halfWidth
	silhouette := face.poly([3]float64{-hw - 50, veh.ground, 0}, [3]float64{hw + 50, veh.ground, 0},
		[3]float64{hw + 50, veh.roof, 0}, [3]float64{-hw - 50, veh.roof, 0},
		[3]float64{-hw - 50, veh.ground, veh.length}, [3]float64{hw + 50, veh.ground, veh.length},
		[3]float64{hw + 50, veh.roof, veh.length}, [3]float64{-hw - 50, veh.roof, veh.length})
	pad := math.Hypot(blur[0], blur[1]) + 4
	window := polyBounds(silhouette, pad).Intersect(cv.bounds())
	if window.Empty() {
		return nil, nil
	}
	// One premultiplied BGRA layer: its alpha is the vehicle's coverage, so
	// blurring it smears shape and colour together.
	layer := newCanvas(window, 4, light.ambient)
	defer layer.Close()
	lamps := veh.paint(rng, layer, face, plateW, plateH)
	if pl != nil {
		if err := warpPlate(layer, pl, quad, light.plate); err != nil {
			return nil, err
		}
	}
	if cond.Occlusion != "" {
		paintOcclusion(rng, cond.Occlusion, layer, face, plateW, plateH)
	}
	if cond.Weather == Fog {
		fogLayer(&layer.img, 1-math.Exp(-3*cam.depth(face.centre)/cond.FogM), light.fogGrey)
	}
	motionBlur(&layer.img, blur[0], blur[1])
	roi := cv.img.Region(window.Sub(cv.origin))
	over(&roi, layer.img)
	roi.Close()
	return lamps, nil
}

// fogLayer mixes a premultiplied BGRA layer towards grey by amount, in
// proportion to its coverage.
func fogLayer(m *gocv.Mat, amount, grey float64) {
	chans := gocv.Split(*m)
	defer func() {
		for _, c := range chans {
			c.Close()
		}
	}()
	fog := gocv.NewMat()
	defer fog.Close()
	chans[3].ConvertToWithParams(&fog, gocv.MatTypeCV8U, float32(amount*grey/255), 0)
	for i := 0; i < 3; i++ {
		gocv.AddWeighted(chans[i], 1-amount, fog, 1, 0, &chans[i])
	}
	gocv.Merge(chans, m)
}

// warpPlate maps the flat plate image, lit by its own grade, onto its
// quadrilateral in the layer.
func warpPlate(layer *canvas, pl *plate.Plate, quad [][2]float64, lit grade) error {
	img := pl.Image
	w, h := img.Rect.Dx(), img.Rect.Dy()
	pix := img.Pix
	if img.Stride != 4*w {
		pix = make([]byte, 0, 4*w*h)
		for y := 0; y < h; y++ {
			pix = append(pix, img.Pix[y*img.Stride:y*img.Stride+4*w]...)
		}
	}
	rgba, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC4, pix)
	if err != nil {
		return fmt.Errorf("plate image: %w", err)
	}
	defer rgba.Close()
	bgra := gocv.NewMat()
	defer bgra.Close()
	lit.transform(&rgba, &bgra, true)
	premultiplyBGRA(&bgra)

	dstBox := polyBounds(quad, 2).Intersect(layer.bounds())
	if dstBox.Empty() {
		return fmt.Errorf("plate falls outside the image")
	}
	src := make([]gocv.Point2f, 4)
	dst := make([]gocv.Point2f, 4)
	for i := 0; i < 4; i++ {
		src[i] = gocv.Point2f{X: float32(pl.Corners[i][0]), Y: float32(pl.Corners[i][1])}
		dst[i] = gocv.Point2f{X: float32(quad[i][0] - float64(dstBox.Min.X)), Y: float32(quad[i][1] - float64(dstBox.Min.Y))}
	}
	warped := gocv.NewMat()
	defer warped.Close()
	if nearlyAffine(pl.Corners, quad, 0.25) {
		// A plate is small beside its distance from the camera: its
		// perspective is usually an affine map to within a fraction of a
		// pixel, and an affine warp costs half as much.
		sv, dv := gocv.NewPoint2fVectorFromPoints(src[:3]), gocv.NewPoint2fVectorFromPoints(dst[:3])
		defer sv.Close()
		defer dv.Close()
		am := gocv.GetAffineTransform2f(sv, dv)
		defer am.Close()
		gocv.WarpAffineWithParams(bgra, &warped, am, dstBox.Size(), gocv.InterpolationLinear, gocv.BorderConstant, colorTransparent)
	} else {
		sv, dv := gocv.NewPoint2fVectorFromPoints(src), gocv.NewPoint2fVectorFromPoints(dst)
		defer sv.Close()
		defer dv.Close()
		hm := gocv.GetPerspectiveTransform2f(sv, dv)
		defer hm.Close()
		gocv.WarpPerspectiveWithParams(bgra, &warped, hm, dstBox.Size(), gocv.InterpolationLinear, gocv.BorderConstant, colorTransparent)
	}
	roi := layer.img.Region(dstBox.Sub(layer.origin))
	defer roi.Close()
	over(&roi, warped)
	return nil
}

// place fills in where the plate and its characters landed in the image.
func (l *Label) place(pl *plate.Plate, quad [][2]float64, origin image.Point) {
	o := [2]float64{float64(origin.X), float64(origin.Y)}
	for i := 0; i < 4; i++ {
		l.Polygon[i] = [2]float64{round(quad[i][0]-o[0], 1), round(quad[i][1]-o[1], 1)}
	}
	l.Box = boxOf(polyBounds(l.Polygon[:], 0))
	hm := homography(pl.Corners, quad)
	for _, ch := range pl.Chars {
		b := ch.Box
		corners := [][2]float64{{float64(b.Min.X), float64(b.Min.Y)}, {float64(b.Max.X), float64(b.Min.Y)}, {float64(b.Max.X), float64(b.Max.Y)}, {float64(b.Min.X), float64(b.Max.Y)}}
		for i, c := range corners {
			x, y := hm.apply(c[0], c[1])
			corners[i] = [2]float64{x - o[0], y - o[1]}
		}
		l.Chars = append(l.Chars, CharLabel{Char: string(ch.Char), Box: boxOf(polyBounds(corners, 0))})
	}
}

// shift moves the label's plate, polygon and characters to an image whose
// origin was at o in this one.
func (l *Label) shift(o image.Point) {
	l.Box[0], l.Box[1] = l.Box[0]-o.X, l.Box[1]-o.Y
	for i := range l.Polygon {
		l.Polygon[i][0], l.Polygon[i][1] = l.Polygon[i][0]-float64(o.X), l.Polygon[i][1]-float64(o.Y)
	}
	for i := range l.Chars {
		l.Chars[i].Box[0], l.Chars[i].Box[1] = l.Chars[i].Box[0]-o.X, l.Chars[i].Box[1]-o.Y
	}
}

func boxOf(r image.Rectangle) [4]int { return [4]int{r.Min.X, r.Min.Y, r.Dx(), r.Dy()} }
