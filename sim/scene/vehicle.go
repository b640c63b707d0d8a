package scene

import (
	"image/color"
	"math"
	"math/rand/v2"

	"anpr/sim/plate"
)

// vehicleKind is the body shape drawn around the plate.
type vehicleKind string

const (
	car        vehicleKind = "car"
	van        vehicleKind = "van"
	motorcycle vehicleKind = "motorcycle"
)

// vehicle is a procedurally drawn vehicle end (front or rear), in
// millimetres on the plane of the plate: x to the right, y up, with the
// plate's centre at the origin.
type vehicle struct {
	Kind       vehicleKind `json:"kind"`
	Side       plate.Side  `json:"-"`
	Colour     string      `json:"colour"`
	body       color.RGBA
	halfWidth  float64 // mm
	ground     float64 // y of the road, mm (negative: below the plate)
	roof       float64 // y of the roof
	belt       float64 // y where the glass starts
	lampY      float64 // y of the head or tail lamps
	lampW      float64 // lamp width
	grille     float64 // grille height above the plate, 0 for none
	length     float64 // body length behind the face, for the visible side
	plateLampy float64 // rear: y of the plate lamp
}

// bodyColours are UK new-car colour shares, roughly: grey, black, white and
// blue dominate; a few bright ones.
var bodyColours = []struct {
	name    string
	r, g, b float64
	weight  float64
}{
	{"grey", 110, 113, 118, 0.24}, {"black", 22, 23, 26, 0.18}, {"white", 225, 227, 228, 0.18},
	{"silver", 175, 178, 182, 0.1}, {"blue", 30, 60, 130, 0.12}, {"red", 150, 25, 30, 0.08},
	{"green", 40, 75, 50, 0.03}, {"orange", 210, 110, 30, 0.02}, {"yellow", 220, 190, 40, 0.01},
	{"brown", 90, 65, 45, 0.02}, {"dark-blue", 20, 30, 60, 0.02},
}

func drawVehicle(rng *rand.Rand, side plate.Side, layout plate.Layout, plateCentreY float64) vehicle {
	v := vehicle{Side: side, Kind: car}
	switch {
	case layout == plate.Motorcycle:
		v.Kind = motorcycle
	case rng.Float64() < 0.14:
		v.Kind = van
	}
	r := rng.Float64()
	for _, c := range bodyColours {
		r -= c.weight
		if r < 0 || c.name == bodyColours[len(bodyColours)-1].name {
			k := 0.85 + 0.3*rng.Float64() // same paint, different light and wear
			v.Colour, v.body = c.name, rgb(c.r*k, c.g*k, c.b*k)
			break
		}
	}
	v.ground = -plateCentreY * 1000
	switch v.Kind {
	case motorcycle:
		v.halfWidth = 180 + 60*rng.Float64()
		v.roof = v.ground + 1250 + 200*rng.Float64()
		v.belt = v.roof
		v.lampY = 120 + 60*rng.Float64()
		v.lampW = 90
		v.length = 1800
	case van:
		v.halfWidth = 950 + 100*rng.Float64()
		v.roof = v.ground + 1950 + 600*rng.Float64()
		v.belt = v.ground + 1050 + 150*rng.Float64()
		v.lampY = v.ground + 800 + 250*rng.Float64()
		v.lampW = 220 + 80*rng.Float64()
		v.length = 4800 + 1200*rng.Float64()
	default:
		v.halfWidth = 820 + 160*rng.Float64()
		v.roof = v.ground + 1400 + 350*rng.Float64()
		v.belt = v.ground + 900 + 200*rng.Float64()
		v.lampY = v.ground + 650 + 300*rng.Float64()
		v.lampW = 250 + 150*rng.Float64()
		v.length = 3800 + 1200*rng.Float64()
	}
	if side == plate.Front && v.Kind != motorcycle {
		v.grille = 80 + 250*rng.Float64()
	}
	v.plateLampy = 90 + 40*rng.Float64()
	return v
}

// facePlane maps vehicle-end millimetres to frame pixels.
type facePlane struct {
	cam          *Camera
	centre       vec3 // plate centre, world metres
	across, back vec3 // unit vectors: to the vehicle's right as seen, and away from the camera along its body
}

func newFacePlane(cam *Camera, centre vec3, yawDeg float64) facePlane {
	y := yawDeg * math.Pi / 180
	return facePlane{cam: cam, centre: centre,
		across: vec3{X: math.Cos(y), Z: math.Sin(y)},
		back:   vec3{X: -math.Sin(y), Z: math.Cos(y)}}
}

// at projects (x, y) mm on the vehicle end, d mm behind it.
func (f facePlane) at(x, y, d float64) [2]float64 {
	p := f.centre.add(f.across.scale(x / 1000)).add(vec3{Y: y / 1000}).add(f.back.scale(d / 1000))
	u, v, _ := f.cam.project(p)
	return [2]float64{u, v}
}

func (f facePlane) poly(pts ...[3]float64) [][2]float64 {
	out := make([][2]float64, len(pts))
	for i, p := range pts {
		out[i] = f.at(p[0], p[1], p[2])
	}
	return out
}

// ellipse is a polygon approximating an ellipse on the vehicle end.
func (f facePlane) ellipse(cx, cy, rx, ry float64) [][2]float64 {
	const n = 20
	out := make([][2]float64, n)
	for i := range out {
		a := 2 * math.Pi * float64(i) / n
		out[i] = f.at(cx+rx*math.Cos(a), cy+ry*math.Sin(a), 0)
	}
	return out
}

// paint draws the vehicle onto c (BGR, or a BGRA layer whose alpha records
// coverage); the lamps' positions are returned so lighting can bloom them.
func (v vehicle) paint(rng *rand.Rand, c *canvas, f facePlane, plateW, plateH float64) (lamps [][2]float64) {
	fill := func(pts [][2]float64, col color.RGBA) { fillPoly(&c.img, c, pts, col) }
	hw, g := v.halfWidth, v.ground
	dark := rgb(18, 18, 20)

	if v.Kind == motorcycle {
		// Rear wheel and tyre below the plate, mudguard and rider above.
		fill(f.poly([3]float64{-70, g, 0}, [3]float64{70, g, 0}, [3]float64{70, g + 620, 0}, [3]float64{-70, g + 620, 0}), dark)
		fill(f.poly([3]float64{-hw * 0.6, -plateH/2 - 40, 0}, [3]float64{hw * 0.6, -plateH/2 - 40, 0}, [3]float64{hw * 0.5, plateH/2 + 220, 0}, [3]float64{-hw * 0.5, plateH/2 + 220, 0}), v.body)
		fill(f.ellipse(0, plateH/2+v.lampY, v.lampW, 35), rgb(120, 10, 15))
		fill(f.poly([3]float64{-hw, plateH/2 + 300, 300}, [3]float64{hw, plateH/2 + 300, 300}, [3]float64{hw * 0.7, v.roof, 400}, [3]float64{-hw * 0.7, v.roof, 400}), rgb(25, 25, 30))
		lamps = append(lamps, f.at(0, plateH/2+v.lampY, 0))
		return lamps
	}

	// The visible side and roof first, so the end is drawn over them.
	sideX := hw
	if f.cam.Pos.X < f.centre.X {
		sideX = -hw
	}
	fill(f.poly([3]float64{sideX, g + 150, 0}, [3]float64{sideX, g + 150, v.length}, [3]float64{sideX, v.roof - 80, v.length}, [3]float64{sideX, v.roof - 80, 300}), shade(v.body, 0.75))
	fill(f.poly([3]float64{sideX, v.belt + 40, 500}, [3]float64{sideX, v.belt + 40, v.length - 700}, [3]float64{sideX, v.roof - 120, v.length - 900}, [3]float64{sideX, v.roof - 120, 1200}), rgb(35, 40, 48))
	fill(f.poly([3]float64{-hw * 0.8, v.roof, 600}, [3]float64{hw * 0.8, v.roof, 600}, [3]float64{hw * 0.8, v.roof, v.length - 500}, [3]float64{-hw * 0.8, v.roof, v.length - 500}), shade(v.body, 1.1))
	// Wheels and tyres at the corners.
	for _, s := range []float64{-1, 1} {
		x := s * (hw - 130)
		fill(f.poly([3]float64{x - 110, g, 0}, [3]float64{x + 110, g, 0}, [3]float64{x + 110, g + 560, 0}, [3]float64{x - 110, g + 560, 0}), dark)
	}
	// Body of the vehicle end, narrowing to the roof.
	glassInset := 0.12 * hw
	if v.Kind == van {
		glassInset = 0.04 * hw
	}
	fill(f.poly(
		[3]float64{-hw, g + 180, 0}, [3]float64{hw, g + 180, 0}, [3]float64{hw, v.belt, 0},
		[3]float64{hw - glassInset, v.roof, 350}, [3]float64{-hw + glassInset, v.roof, 350}, [3]float64{-hw, v.belt, 0}), v.body)
	// Windscreen or rear window with a sky reflection.
	glass := rgb(30+20*rng.Float64(), 36+20*rng.Float64(), 45+25*rng.Float64())
	top := v.roof - 70
	fill(f.poly([3]float64{-hw + glassInset + 60, v.belt + 60, 80}, [3]float64{hw - glassInset - 60, v.belt + 60, 80},
		[3]float64{hw - glassInset - 120, top, 330}, [3]float64{-hw + glassInset + 120, top, 330}), glass)
	if rng.Float64() < 0.7 {
		x0 := (rng.Float64()*2 - 1) * hw * 0.5
		fill(f.poly([3]float64{x0, v.belt + 60, 80}, [3]float64{x0 + 250, v.belt + 60, 80}, [3]float64{x0 + 550, top, 330}, [3]float64{x0 + 330, top, 330}), shade(glass, 1.8))
	}
	if v.Kind == van && v.Side == plate.Rear {
		// Rear doors: the split line and, often, a company's lettering.
		fill(f.poly([3]float64{-8, g + 200, 0}, [3]float64{8, g + 200, 0}, [3]float64{8, v.roof - 60, 0}, [3]float64{-8, v.roof - 60, 0}), shade(v.body, 0.5))
	}
	// Bumper band across the bottom.
	bumperTop := -plateH/2 - 40 - 80*rng.Float64()
	if v.Side == plate.Rear {
		bumperTop = -plateH/2 - 60 - 200*rng.Float64()
	}
	bumper := v.body
	if rng.Float64() < 0.35 {
		bumper = rgb(35, 35, 38) // unpainted plastic
	}
	fill(f.poly([3]float64{-hw - 10, g + 170, 0}, [3]float64{hw + 10, g + 170, 0}, [3]float64{hw + 10, bumperTop, 0}, [3]float64{-hw - 10, bumperTop, 0}), shade(bumper, 0.92))
	// Plate recess, a little darker than the body.
	fill(f.poly([3]float64{-plateW/2 - 30, -plateH/2 - 25, 0}, [3]float64{plateW/2 + 30, -plateH/2 - 25, 0},
		[3]float64{plateW/2 + 30, plateH/2 + 25, 0}, [3]float64{-plateW/2 - 30, plateH/2 + 25, 0}), shade(v.body, 0.6))

	if v.Side == plate.Front {
		// Grille above (and often around) the plate, with slats.
		if v.grille > 0 {
			gw := math.Min(hw-v.lampW-40, plateW/2+150+200*rng.Float64())
			gy0, gy1 := plateH/2+30, plateH/2+30+v.grille
			fill(f.poly([3]float64{-gw, gy0, 0}, [3]float64{gw, gy0, 0}, [3]float64{gw * 0.92, gy1, 0}, [3]float64{-gw * 0.92, gy1, 0}), rgb(28, 28, 30))
			for y := gy0 + 30; y < gy1-15; y += 45 {
				fill(f.poly([3]float64{-gw + 20, y, 0}, [3]float64{gw - 20, y, 0}, [3]float64{gw - 20, y + 12, 0}, [3]float64{-gw + 20, y + 12, 0}), rgb(70, 72, 75))
			}
			fill(f.ellipse(0, (gy0+gy1)/2, 70, 45), rgb(190, 192, 195)) // badge
		}
		// Lower air intake below the plate.
		fill(f.poly([3]float64{-plateW / 2, -plateH/2 - 50, 0}, [3]float64{plateW / 2, -plateH/2 - 50, 0}, [3]float64{plateW/2 - 60, -plateH/2 - 180, 0}, [3]float64{-plateW/2 + 60, -plateH/2 - 180, 0}), rgb(22, 22, 24))
		// Headlamps: light grey housings with a bright lens.
		for _, s := range []float64{-1, 1} {
			x0, x1 := s*(hw-30), s*(hw-30-v.lampW)
			y := v.lampY // measured from the plate centre, like everything here
			fill(f.poly([3]float64{x0, y - 70, 0}, [3]float64{x1, y - 50, 0}, [3]float64{x1, y + 60, 0}, [3]float64{x0, y + 90, 0}), rgb(150, 155, 160))
			fill(f.ellipse((x0+x1)/2, y+10, v.lampW*0.22, 45), rgb(235, 235, 230))
			lamps = append(lamps, f.at((x0+x1)/2, y+10, 0))
		}
	} else {
		// Tail lamps at the sides, reflectors on the bumper, plate lamp above.
		for _, s := range []float64{-1, 1} {
			x0, x1 := s*(hw-20), s*(hw-20-v.lampW*0.8)
			y := v.lampY
			fill(f.poly([3]float64{x0, y - 90, 0}, [3]float64{x1, y - 60, 0}, [3]float64{x1, y + 70, 0}, [3]float64{x0, y + 100, 0}), rgb(140, 12, 18))
			fill(f.poly([3]float64{x0, y - 20, 0}, [3]float64{x1, y - 10, 0}, [3]float64{x1, y + 20, 0}, [3]float64{x0, y + 20, 0}), rgb(200, 200, 195))
			lamps = append(lamps, f.at((x0+x1)/2, y, 0))
			fill(f.ellipse(s*(hw-120), bumperTop-120, 50, 18), rgb(120, 10, 10))
		}
		fill(f.poly([3]float64{-60, plateH/2 + v.plateLampy - 10, 0}, [3]float64{60, plateH/2 + v.plateLampy - 10, 0}, [3]float64{60, plateH/2 + v.plateLampy + 10, 0}, [3]float64{-60, plateH/2 + v.plateLampy + 10, 0}), rgb(60, 60, 60))
	}
	return lamps
}

// paintOcclusion draws what hangs in front of the plate.
func paintOcclusion(rng *rand.Rand, kind string, c *canvas, f facePlane, plateW, plateH float64) {
	fill := func(pts [][2]float64, col color.RGBA) { fillPoly(&c.img, c, pts, col) }
	metal := rgb(45, 45, 48)
	switch kind {
	case occlusionTowBar:
		// Neck and ball in front of the lower middle of the plate.
		x := (rng.Float64()*2 - 1) * plateW * 0.25
		fill(f.poly([3]float64{x - 22, -plateH/2 - 250, -150}, [3]float64{x + 22, -plateH/2 - 250, -150}, [3]float64{x + 18, -plateH * 0.1, -150}, [3]float64{x - 18, -plateH * 0.1, -150}), metal)
		ball := make([][2]float64, 16)
		for i := range ball {
			a := 2 * math.Pi * float64(i) / 16
			ball[i] = f.at(x+40*math.Cos(a), -plateH*0.1+40*math.Sin(a), -160)
		}
		fill(ball, rgb(70, 70, 75))
	case occlusionBikeRack:
		// Two bars across the plate and a wheel arc.
		for _, y := range []float64{plateH * (0.1 + 0.3*rng.Float64()), -plateH * (0.1 + 0.3*rng.Float64())} {
			fill(f.poly([3]float64{-plateW, y - 12, -200}, [3]float64{plateW, y - 12, -200}, [3]float64{plateW, y + 12, -200}, [3]float64{-plateW, y + 12, -200}), metal)
		}
		cx := (rng.Float64()*2 - 1) * plateW * 0.4
		const n = 24
		for i := 0; i < n; i++ {
			a0, a1 := 2*math.Pi*float64(i)/n, 2*math.Pi*float64(i+1)/n
			r0, r1 := 330.0, 355.0
			fill(f.poly([3]float64{cx + r0*math.Cos(a0), plateH*0.6 + r0*math.Sin(a0), -300}, [3]float64{cx + r1*math.Cos(a0), plateH*0.6 + r1*math.Sin(a0), -300},
				[3]float64{cx + r1*math.Cos(a1), plateH*0.6 + r1*math.Sin(a1), -300}, [3]float64{cx + r0*math.Cos(a1), plateH*0.6 + r0*math.Sin(a1), -300}), rgb(20, 20, 20))
		}
	}
}
