package scene

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"

	"gocv.io/x/gocv"

	"anpr/sim/plate"
)

// laneWidth is a UK trunk-road lane, metres.
const laneWidth = 3.65

// road is the carriageway the target vehicle is on.
type road struct {
	lanes     int
	leftEdge  float64 // world X of the nearside and offside edges
	rightEdge float64
	asphalt   color.RGBA
	verge     color.RGBA
	dashed    bool
}

func drawRoad(rng *rand.Rand) road {
	lanes := 1 + rng.IntN(4)
	lane := rng.IntN(lanes) // the target's lane, counted from the left
	left := -laneWidth * (float64(lane) + 0.5)
	g := 70 + 45*rng.Float64()
	r := road{
		lanes: lanes, leftEdge: left, rightEdge: left + laneWidth*float64(lanes),
		asphalt: rgb(g, g, g*1.03),
		verge:   rgb(60+30*rng.Float64(), 85+40*rng.Float64(), 45+20*rng.Float64()),
		dashed:  true,
	}
	if rng.Float64() < 0.4 { // pavement rather than grass
		p := 120 + 40*rng.Float64()
		r.verge = rgb(p, p, p*0.97)
	}
	return r
}

// groundQuad is a rectangle on the road surface between two X and two Z.
func groundQuad(cam *Camera, x0, x1, z0, z1 float64) ([][2]float64, bool) {
	pts := make([][2]float64, 0, 4)
	for _, p := range []vec3{{x0, 0, z0}, {x1, 0, z0}, {x1, 0, z1}, {x0, 0, z1}} {
		u, v, ok := cam.project(p)
		if !ok {
			return nil, false
		}
		pts = append(pts, [2]float64{u, v})
	}
	return pts, true
}

// paintRoad draws the road, verges, markings, skyline and roadside clutter
// onto the canvas; clutter stands beyond the target vehicle, at vehicleZ
// metres along the road. Only what falls inside the canvas costs anything.
func (r road) paint(rng *rand.Rand, c *canvas, cam *Camera, t *textures, vehicleZ float64) {
	c.fill(r.asphalt)

	// Depth bands: the road is drawn from 2 m to 800 m ahead, in pieces so
	// that the near end can be clipped when it falls behind the camera.
	zs := []float64{2, 5, 10, 20, 40, 80, 160, 320, 800}
	for i := 0; i+1 < len(zs); i++ {
		for _, side := range [][2]float64{{r.leftEdge - 60, r.leftEdge - 0.3}, {r.rightEdge + 0.3, r.rightEdge + 60}} {
			if q, ok := groundQuad(cam, side[0], side[1], zs[i], zs[i+1]); ok {
				fillPoly(&c.img, c, q, r.verge)
			}
		}
		for _, x := range []float64{r.leftEdge - 0.3, r.rightEdge} { // kerbs
			if q, ok := groundQuad(cam, x, x+0.3, zs[i], zs[i+1]); ok {
				fillPoly(&c.img, c, q, shade(r.asphalt, 1.5))
			}
		}
	}
	white := rgb(215, 215, 210)
	// Edge lines, solid, and lane lines, dashed (UK: 2 m marks, 7 m gaps on
	// all-purpose roads; longer on motorways; close enough for a camera).
	for _, x := range []float64{r.leftEdge + 0.2, r.rightEdge - 0.35} {
		for i := 0; i+1 < len(zs); i++ {
			if q, ok := groundQuad(cam, x, x+0.15, zs[i], zs[i+1]); ok {
				fillPoly(&c.img, c, q, white)
			}
		}
	}
	phase := rng.Float64() * 9
	for k := 1; k < r.lanes; k++ {
		x := r.leftEdge + laneWidth*float64(k) - 0.05
		for z := 2 + phase; z < 300; z += 9 {
			if q, ok := groundQuad(cam, x, x+0.1, z, z+2); ok {
				fillPoly(&c.img, c, q, white)
			}
		}
	}
	r.paintSkyline(rng, c, cam)
	// Grain of asphalt, grass and paving.
	t.addGrain(rng, &c.img, 14*c.light.gain())
	paintSigns(rng, c, cam, r, vehicleZ)
}

// paintSkyline draws sky, trees and buildings above the horizon when the
// camera is aimed high enough to see it.
func (r road) paintSkyline(rng *rand.Rand, c *canvas, cam *Camera) {
	const far = 3000.0
	var horizon [][2]float64
	for _, a := range []float64{-1.2, -0.6, 0, 0.6, 1.2} {
		d := vec3{X: cam.forward.X, Z: cam.forward.Z}.norm()
		ca, sa := math.Cos(a), math.Sin(a)
		dir := vec3{X: d.X*ca - d.Z*sa, Z: d.X*sa + d.Z*ca}
		u, v, ok := cam.project(cam.Pos.add(dir.scale(far)).add(vec3{Y: -cam.Pos.Y}))
		if !ok {
			continue
		}
		horizon = append(horizon, [2]float64{u, v})
	}
	if len(horizon) < 2 {
		return
	}
	top := float64(c.origin.Y) - 10
	if horizon[0][1] < top && horizon[len(horizon)-1][1] < top {
		return // the horizon is above the window
	}
	sky := rgb(150+60*rng.Float64(), 175+50*rng.Float64(), 205+40*rng.Float64())
	poly := append([][2]float64{}, horizon...)
	poly = append(poly, [2]float64{horizon[len(horizon)-1][0], top - 1e4}, [2]float64{horizon[0][0], top - 1e4})
	fillPoly(&c.img, c, poly, sky)
	// A ragged band of trees and roofs along the horizon.
	l, rr := horizon[0], horizon[len(horizon)-1]
	steps := 40
	band := make([][2]float64, 0, steps+2)
	scale := cam.FocalPx / 200 // roughly how tall a 10 m tree looks 2 km away
	for i := 0; i <= steps; i++ {
		t := float64(i) / float64(steps)
		u := l[0] + (rr[0]-l[0])*t
		v := l[1] + (rr[1]-l[1])*t
		band = append(band, [2]float64{u, v - scale*(0.5+rng.Float64())})
	}
	band = append(band, rr, l)
	fillPoly(&c.img, c, band, rgb(40+30*rng.Float64(), 55+30*rng.Float64(), 40+20*rng.Float64()))
}

// signTexts are the kinds of lettering ANPR cameras see beside plates: road
// signs, shop fronts, lorry sides. Some look like marks on purpose.
var signTexts = []string{"LICHFIELD", "A38", "M6 TOLL", "CANNOCK A5", "STAFFORD", "TAMWORTH 6", "SLOW",
	"BUS STOP", "NO ENTRY", "KEEP CLEAR", "TAXI", "SALE 50%", "TESCO", "POLICE", "AB12 XYZ", "HGV 44T",
	"M6 J11", "A446", "BURTON 12", "TOW AWAY", "30", "40", "STOKE", "GIVE WAY"}

// paintSigns puts roadside signs with lettering on the verges, further
// along the road than beyond (metres), so nothing drawn later should hide them.
func paintSigns(rng *rand.Rand, c *canvas, cam *Camera, r road, beyond float64) {
	n := rng.IntN(4)
	for i := 0; i < n; i++ {
		x := r.leftEdge - 1.5 - 3*rng.Float64()
		if rng.IntN(2) == 0 {
			x = r.rightEdge + 1.5 + 3*rng.Float64()
		}
		z := beyond + 8 + 60*rng.Float64()
		w, h := 1.0+2*rng.Float64(), 0.6+1.2*rng.Float64()
		base := 1.2 + 1.5*rng.Float64()
		corners := []vec3{{x - w/2, base + h, z}, {x + w/2, base + h, z}, {x + w/2, base, z}, {x - w/2, base, z}}
		pts := make([][2]float64, 0, 4)
		for _, p := range corners {
			u, v, ok := cam.project(p)
			if !ok {
				break
			}
			pts = append(pts, [2]float64{u, v})
		}
		if len(pts) < 4 {
			continue
		}
		bounds := polyBounds(pts, 0)
		if !bounds.Overlaps(c.bounds()) {
			continue
		}
		// Post, panel and lettering. UK directional signs: green primary,
		// white local, blue motorway; brown for attractions.
		if pu, pv, ok := cam.project(vec3{x, 0, z}); ok {
			line(&c.img, c, [2]float64{(pts[2][0] + pts[3][0]) / 2, (pts[2][1] + pts[3][1]) / 2}, [2]float64{pu, pv}, rgb(110, 110, 112), int(math.Max(1, float64(bounds.Dx())/25)))
		}
		panels := []struct{ bg, fg color.RGBA }{
			{rgb(0, 100, 60), rgb(250, 250, 250)}, {rgb(245, 245, 245), rgb(10, 10, 10)},
			{rgb(20, 60, 160), rgb(250, 250, 250)}, {rgb(110, 60, 30), rgb(250, 250, 250)}, {rgb(250, 210, 0), rgb(10, 10, 10)},
		}
		p := panels[rng.IntN(len(panels))]
		fillPoly(&c.img, c, pts, p.bg)
		text := signTexts[rng.IntN(len(signTexts))]
		// Lettering sized to the panel's height, then shrunk until it fits
		// its width with a margin: a sign's letters stay on the sign.
		// (Before session 8 long texts ran off the panel onto the verge,
		// where black letters on grey read much like a plate.)
		scale := float64(bounds.Dy()) / 60
		if size := gocv.GetTextSize(text, gocv.FontHersheyDuplex, scale, int(math.Max(1, scale*2))); size.X > 0 {
			scale = math.Min(scale, scale*0.84*float64(bounds.Dx())/float64(size.X))
		}
		if scale < 0.25 {
			continue
		}
		org := c.local(pts[3][0]+float64(bounds.Dx())*0.08, pts[3][1]-float64(bounds.Dy())*0.3)
		gocv.PutTextWithParams(&c.img, text, org, gocv.FontHersheyDuplex, scale, c.light.colour(p.fg), int(math.Max(1, scale*2)), gocv.LineAA, false)
	}
}

// paintTraffic draws a few other vehicles further down the road, small
// enough that their plates are unreadable; their plates are reported so a
// detector is not taught that a plate-shaped patch is background.
func paintTraffic(rng *rand.Rand, c *canvas, cam *Camera, r road, near float64) []image.Rectangle {
	var plates []image.Rectangle
	// Distance at which a 79 mm character shrinks to 6 px.
	far := cam.FocalPx * 0.079 / 6
	n := rng.IntN(3)
	for i := 0; i < n; i++ {
		z := math.Max(far, near+8) * (1 + 1.5*rng.Float64())
		lane := rng.IntN(r.lanes)
		x := r.leftEdge + laneWidth*(float64(lane)+0.5) + (rng.Float64() - 0.5)
		side := plate.Rear
		if rng.IntN(3) == 0 {
			side = plate.Front
		}
		v := drawVehicle(rng, side, plate.OneLine, 0.45)
		f := newFacePlane(cam, vec3{x, 0.45, z}, (rng.Float64()-0.5)*6)
		v.paint(rng, c, f, 520, 111)
		pc := plateColour(side)
		q := f.poly([3]float64{-260, 55, 0}, [3]float64{260, 55, 0}, [3]float64{260, -55, 0}, [3]float64{-260, -55, 0})
		fillPoly(&c.img, c, q, pc)
		b := polyBounds(q, 0)
		if b.Overlaps(c.bounds()) {
			plates = append(plates, b.Sub(c.origin))
		}
	}
	return plates
}

func plateColour(s plate.Side) color.RGBA {
	if s == plate.Rear {
		return rgb(235, 190, 20)
	}
	return rgb(230, 230, 225)
}
