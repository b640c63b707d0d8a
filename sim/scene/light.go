package scene

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"

	"gocv.io/x/gocv"
)

// grade is a colour transform applied in one pass, out = M * in on B, G, R,
// and a flat lift of every channel (the grey of an overcast sky's veil).
type grade struct {
	m    [3][3]float64
	lift float64
}

// newGrade builds a transform from a brightness gain, a saturation (1 keeps
// colour, 0 is grey), a per-channel tint (R, G, B) and a flat lift.
func newGrade(gain, saturation float64, tintR, tintG, tintB, lift float64) grade {
	// Luma weights in B, G, R order.
	luma := [3]float64{0.114, 0.587, 0.299}
	tint := [3]float64{tintB, tintG, tintR}
	var g grade
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			v := (1 - saturation) * luma[j]
			if i == j {
				v += saturation
			}
			g.m[i][j] = gain * tint[i] * v
		}
	}
	g.lift = lift
	return g
}

// apply transforms m in place: BGR, or BGRA whose alpha it leaves alone.
// The lift is not applied here: a premultiplied layer must stay zero where
// nothing was drawn, so the scene is lifted once, after compositing.
func (g grade) apply(m *gocv.Mat) { g.transform(m, m, false) }

// transform writes the graded src to dst; with fromRGBA, src is RGBA (as Go
// images are) and the channel swap to BGRA happens in the same pass.
func (g grade) transform(src, dst *gocv.Mat, fromRGBA bool) {
	if src.Empty() {
		return
	}
	n := src.Channels()
	tm := gocv.NewMatWithSize(n, n+1, gocv.MatTypeCV32F)
	defer tm.Close()
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			col := j
			if fromRGBA {
				col = 2 - j // input B sits where R would
			}
			tm.SetFloatAt(i, col, float32(g.m[i][j]))
		}
	}
	if n == 4 {
		tm.SetFloatAt(3, 3, 1)
	}
	gocv.Transform(*src, dst, tm)
}

// gain is how much the grade brightens a neutral grey.
func (g grade) gain() float64 {
	sum := 0.0
	for i := range g.m {
		for j := range g.m[i] {
			sum += g.m[i][j]
		}
	}
	return sum / 3
}

// applyLift adds the grade's flat lift to an image.
func (g grade) applyLift(m *gocv.Mat) {
	if g.lift != 0 {
		m.ConvertToWithParams(m, m.Type(), 1, float32(g.lift))
	}
}

// colour transforms one drawing colour.
func (g grade) colour(c color.RGBA) color.RGBA {
	in := [3]float64{float64(c.B), float64(c.G), float64(c.R)} // the matrix works in B, G, R
	var out [3]float64
	for i := 0; i < 3; i++ {
		out[i] = g.m[i][0]*in[0] + g.m[i][1]*in[1] + g.m[i][2]*in[2] // lift comes later, with the scene's
	}
	return color.RGBA{R: clamp8(out[2]), G: clamp8(out[1]), B: clamp8(out[0]), A: c.A}
}

// lighting is how a condition lights the world and, separately, the plate:
// plates are retroreflective, so under a camera's illuminator at night they
// shine far brighter than anything around them.
type lighting struct {
	ambient grade
	plate   grade
	lampsOn bool
	bloom   float64 // how far lamps bloom, in lamp radii
	mono    bool    // infrared: one channel
	fogGrey float64
}

func drawLighting(rng *rand.Rand, c Condition, frontView bool) lighting {
	jitter := func(k float64) float64 { return 1 + k*(rng.Float64()*2-1) }
	var l lighting
	switch c.Light {
	case Day:
		l.ambient = newGrade(1.0*jitter(0.12), 1.0, jitter(0.04), 1, jitter(0.05), 0)
		l.plate = l.ambient
	case Overcast:
		l.ambient = newGrade(0.78*jitter(0.12), 0.65, 1, 1, jitter(0.05)*1.03, 18)
		l.plate = l.ambient
		l.lampsOn = rng.Float64() < 0.3
		l.bloom = 1.5
	case LowSun:
		l.ambient = newGrade(1.08*jitter(0.1), 1.0, 1.12, 1.0, 0.8, 0)
		l.plate = l.ambient
	case Dusk:
		l.ambient = newGrade(0.42*jitter(0.2), 0.6, 0.9, 0.95, 1.15, 6)
		l.plate = newGrade(0.8*jitter(0.15), 0.75, 1, 1, 1, 4)
		l.lampsOn, l.bloom = true, 3
	case NightColour:
		tint := [3]float64{1.25, 1.0, 0.65} // sodium-orange street light
		if rng.Float64() < 0.5 {
			tint = [3]float64{1, 1, 1.08} // white LED street light
		}
		l.ambient = newGrade(0.2*jitter(0.3), 0.55, tint[0], tint[1], tint[2], 2)
		l.plate = newGrade(0.7*jitter(0.25), 0.8, 1.05, 1, 0.95, 2)
		l.lampsOn, l.bloom = true, 5
	case NightIR:
		l.ambient = newGrade(0.14*jitter(0.4), 0, 1, 1, 1, 3)
		// Yellow and white reflect infrared alike; weight red up so the
		// rear plate's yellow comes out as bright as the front's white.
		l.plate = grade{m: [3][3]float64{{0.05, 0.45, 0.5}, {0.05, 0.45, 0.5}, {0.05, 0.45, 0.5}}}
		k := 0.85 + 0.3*rng.Float64()
		for i := range l.plate.m {
			for j := range l.plate.m[i] {
				l.plate.m[i][j] *= k
			}
		}
		l.mono = true
		l.lampsOn = rng.Float64() < 0.5 // halogen lamps show in IR, LEDs barely
		l.bloom = 3
	}
	if c.Weather == Rain || c.Weather == Spray {
		l.lampsOn, l.bloom = true, math.Max(l.bloom, 2.5)
	}
	if !frontView && c.Light != NightIR && l.lampsOn {
		l.bloom *= 0.6 // tail lamps are dimmer than headlamps
	}
	l.fogGrey = 170 + 40*rng.Float64()
	if c.Light == Dusk || c.Light == NightColour || c.Light == NightIR {
		l.fogGrey *= 0.35
	}
	return l
}

// bloomLamps paints the glare of lit lamps: a hot core and a wide halo.
func bloomLamps(c *canvas, lamps [][2]float64, radius, spread float64, tint color.RGBA) {
	if radius < 1 {
		radius = 1
	}
	for _, p := range lamps {
		halo := radius * spread
		box := image.Rect(int(p[0]-3*halo), int(p[1]-3*halo), int(p[0]+3*halo)+1, int(p[1]+3*halo)+1).Intersect(c.bounds())
		if box.Empty() {
			continue
		}
		glow := gocv.NewMatWithSize(box.Dy(), box.Dx(), gocv.MatTypeCV8UC3)
		glow.SetTo(gocv.NewScalar(0, 0, 0, 0))
		centre := image.Point{int(p[0]) - box.Min.X, int(p[1]) - box.Min.Y}
		gocv.Circle(&glow, centre, int(math.Max(1, halo)), tint, -1)
		softBlur(&glow, halo*0.8)
		gocv.Circle(&glow, centre, int(radius), color.RGBA{255, 255, 255, 0}, -1)
		roi := c.img.Region(box.Sub(c.origin))
		gocv.Add(roi, glow, &roi)
		roi.Close()
		glow.Close()
	}
}

// castShadow darkens the canvas under a hard-edged shadow of a pole, a
// building or a bridge, as low sun throws them across plates.
func castShadow(rng *rand.Rand, c *canvas, through [2]float64, length float64) {
	angle := rng.Float64() * math.Pi
	dx, dy := math.Cos(angle), math.Sin(angle)
	nx, ny := -dy, dx
	// Offset the edge from the plate centre so it cuts across the plate
	// about half the time.
	off := (rng.Float64()*2 - 1) * length * 0.6
	cx, cy := through[0]+nx*off, through[1]+ny*off
	far := 4000.0
	var poly [][2]float64
	if rng.Float64() < 0.5 {
		// A band: the shadow of a pole or lamp post.
		w := length * (0.15 + 0.5*rng.Float64())
		poly = [][2]float64{{cx - dx*far, cy - dy*far}, {cx + dx*far, cy + dy*far}, {cx + dx*far + nx*w, cy + dy*far + ny*w}, {cx - dx*far + nx*w, cy - dy*far + ny*w}}
	} else {
		// A half-plane: the shadow of a building or bridge.
		poly = [][2]float64{{cx - dx*far, cy - dy*far}, {cx + dx*far, cy + dy*far}, {cx + dx*far + nx*far, cy + dy*far + ny*far}, {cx - dx*far + nx*far, cy - dy*far + ny*far}}
	}
	mask := gocv.NewMatWithSize(c.size.Y, c.size.X, gocv.MatTypeCV8UC1)
	defer mask.Close()
	mask.SetTo(gocv.NewScalar(0, 0, 0, 0))
	fillPoly(&mask, c, poly, color.RGBA{255, 255, 255, 0})
	dark := gocv.NewMat()
	defer dark.Close()
	k := 0.3 + 0.25*rng.Float64()
	c.img.ConvertToWithParams(&dark, gocv.MatTypeCV8UC3, float32(k), 4)
	newGrade(1, 1, 0.9, 1, 1.15, 0).apply(&dark) // shade is lit by blue sky
	dark.CopyToWithMask(&c.img, mask)
}

// veil lifts everything towards white: glare in the lens, or fog.
func veil(m *gocv.Mat, amount, grey float64) {
	if amount <= 0 || m.Empty() {
		return
	}
	m.ConvertToWithParams(m, m.Type(), float32(1-amount), float32(amount*grey))
}

// fogBackground veils the road by distance, in horizontal bands: the ground
// further up the frame is further away.
func fogBackground(c *canvas, cam *Camera, visibility, grey float64) {
	const bands = 24
	h := c.size.Y
	for b := 0; b < bands; b++ {
		y0, y1 := h*b/bands, h*(b+1)/bands
		if y1 <= y0 {
			continue
		}
		v := float64(c.origin.Y+(y0+y1)/2) - cam.CY
		// Distance to the ground along this row's ray.
		down := cam.up.scale(-v / cam.FocalPx).add(cam.forward)
		dist := 2000.0
		if down.Y < -1e-6 {
			dist = math.Min(dist, cam.Pos.Y/(-down.Y)*math.Sqrt(down.dot(down)))
		}
		roi := c.img.Region(image.Rect(0, y0, c.size.X, y1))
		veil(&roi, 1-math.Exp(-3*dist/visibility), grey)
		roi.Close()
	}
}

// paintRain draws streaks of falling rain in front of everything.
func paintRain(rng *rand.Rand, c *canvas, rate float64, scale float64) {
	layer := gocv.NewMatWithSize(c.size.Y, c.size.X, gocv.MatTypeCV8UC3)
	defer layer.Close()
	layer.SetTo(gocv.NewScalar(0, 0, 0, 0))
	n := int(rate * float64(c.size.X*c.size.Y) / 1500)
	slant := (rng.Float64() - 0.5) * 0.6
	for i := 0; i < n; i++ {
		x, y := rng.Float64()*float64(c.size.X), rng.Float64()*float64(c.size.Y)
		l := (4 + 20*rng.Float64()) * scale
		g := uint8(90 + rng.IntN(110))
		gocv.Line(&layer, image.Point{int(x), int(y)}, image.Point{int(x + slant*l), int(y + l)}, color.RGBA{g, g, g, 0}, 1)
	}
	gocv.GaussianBlur(layer, &layer, image.Point{3, 3}, 0, 0, gocv.BorderConstant)
	gocv.AddWeighted(c.img, 1, layer, 0.35+0.3*rate, 0, &c.img)
}

// lensDrops blurs a few round patches where water sits on the lens window.
func lensDrops(rng *rand.Rand, c *canvas, n int, radius float64) {
	for i := 0; i < n; i++ {
		r := int(radius * (0.5 + rng.Float64()))
		if r < 3 {
			continue
		}
		cx, cy := rng.IntN(c.size.X), rng.IntN(c.size.Y)
		box := image.Rect(cx-r, cy-r, cx+r, cy+r).Intersect(image.Rect(0, 0, c.size.X, c.size.Y))
		if box.Dx() < 3 || box.Dy() < 3 {
			continue
		}
		roi := c.img.Region(box)
		blurred := gocv.NewMat()
		gocv.GaussianBlur(roi, &blurred, image.Point{0, 0}, float64(r)/3, float64(r)/3, gocv.BorderReflect101)
		veil(&blurred, 0.12, 200)
		mask := gocv.NewMatWithSize(box.Dy(), box.Dx(), gocv.MatTypeCV8UC1)
		mask.SetTo(gocv.NewScalar(0, 0, 0, 0))
		gocv.Circle(&mask, image.Point{cx - box.Min.X, cy - box.Min.Y}, r, color.RGBA{255, 255, 255, 0}, -1)
		blurred.CopyToWithMask(&roi, mask)
		mask.Close()
		blurred.Close()
		roi.Close()
	}
}

// blendTowards mixes the canvas towards a grey level where mask is set, by
// up to strength: road spray hanging around a vehicle.
func blendTowards(c *canvas, mask gocv.Mat, grey, strength float64) {
	pix, err := c.img.DataPtrUint8()
	if err != nil {
		return
	}
	m, err := mask.DataPtrUint8()
	if err != nil {
		return
	}
	for i, a := range m {
		if a == 0 {
			continue
		}
		k := strength * float64(a) / 255
		for ch := 0; ch < 3; ch++ {
			p := &pix[3*i+ch]
			*p = clamp8(float64(*p)*(1-k) + grey*k)
		}
	}
}

// paintSpray hangs a mist of road spray around the lower body of the
// vehicle, thickest near the road, thinning upwards.
func paintSpray(rng *rand.Rand, c *canvas, f facePlane, v vehicle, cond Condition, l lighting) {
	hw := v.halfWidth * 1.3
	top := v.ground + 600 + 700*rng.Float64()
	pts := f.poly([3]float64{-hw, v.ground, -300}, [3]float64{hw, v.ground, -300}, [3]float64{hw * 1.1, top, -300}, [3]float64{-hw * 1.1, top, -300})
	mask := gocv.NewMatWithSize(c.size.Y, c.size.X, gocv.MatTypeCV8UC1)
	defer mask.Close()
	mask.SetTo(gocv.NewScalar(0, 0, 0, 0))
	fillPoly(&mask, c, pts, color.RGBA{255, 255, 255, 0})
	b := polyBounds(pts, 0)
	softBlur(&mask, math.Max(2, float64(b.Dy())/5))
	strength := 0.25 + 0.45*rng.Float64()
	if cond.Weather == Rain {
		strength *= 0.5
	}
	blendTowards(c, mask, l.fogGrey, strength)
}

// softBlur is a Gaussian blur for wide, smooth things (halos, mist): above a
// few pixels of sigma it blurs a reduced copy and scales it back, which
// looks the same and costs a small fraction.
func softBlur(m *gocv.Mat, sigma float64) {
	if sigma <= 3 {
		gocv.GaussianBlur(*m, m, image.Point{0, 0}, sigma, sigma, gocv.BorderConstant)
		return
	}
	f := sigma / 1.5
	size := image.Point{m.Cols(), m.Rows()}
	small := image.Point{max(1, int(float64(size.X)/f)), max(1, int(float64(size.Y)/f))}
	s := gocv.NewMat()
	defer s.Close()
	gocv.Resize(*m, &s, small, 0, 0, gocv.InterpolationArea)
	gocv.GaussianBlur(s, &s, image.Point{0, 0}, 1.5, 1.5, gocv.BorderConstant)
	gocv.Resize(s, m, size, 0, 0, gocv.InterpolationLinear)
}
