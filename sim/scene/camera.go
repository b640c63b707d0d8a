package scene

import (
	"math"
	"math/rand/v2"
)

// vec3 is a point or direction in world metres: X across the road (right),
// Y up, Z along the road away from the camera.
type vec3 struct{ X, Y, Z float64 }

func (a vec3) sub(b vec3) vec3      { return vec3{a.X - b.X, a.Y - b.Y, a.Z - b.Z} }
func (a vec3) add(b vec3) vec3      { return vec3{a.X + b.X, a.Y + b.Y, a.Z + b.Z} }
func (a vec3) scale(k float64) vec3 { return vec3{a.X * k, a.Y * k, a.Z * k} }
func (a vec3) dot(b vec3) float64   { return a.X*b.X + a.Y*b.Y + a.Z*b.Z }
func (a vec3) cross(b vec3) vec3 {
	return vec3{a.Y*b.Z - a.Z*b.Y, a.Z*b.X - a.X*b.Z, a.X*b.Y - a.Y*b.X}
}
func (a vec3) norm() vec3 { return a.scale(1 / math.Sqrt(a.dot(a))) }

// Camera is a pinhole camera on a pole or gantry by the road. Lens
// distortion is left out: ANPR lenses are long and nearly rectilinear.
type Camera struct {
	Pos                vec3
	right, up, forward vec3    // camera axes in world coordinates
	FocalPx            float64 // focal length in pixels
	CX, CY             float64 // principal point in pixels
	Width, Height      int     // sensor resolution
}

// project maps a world point to image pixels; ok is false behind the camera.
func (c *Camera) project(p vec3) (u, v float64, ok bool) {
	d := p.sub(c.Pos)
	z := d.dot(c.forward)
	if z <= 0.05 {
		return 0, 0, false
	}
	return c.CX + c.FocalPx*d.dot(c.right)/z, c.CY - c.FocalPx*d.dot(c.up)/z, true
}

// depth is the distance of a world point along the optical axis.
func (c *Camera) depth(p vec3) float64 { return p.sub(c.Pos).dot(c.forward) }

// Placement is how the camera and the target plate were set up for one
// image; every field is recorded in the image's label.
type Placement struct {
	HeightM       float64 `json:"camera_height_m"`
	DistanceM     float64 `json:"distance_m"`      // camera to plate, straight line
	AngleDeg      float64 `json:"angle_deg"`       // horizontal angle between the lane and the line of sight
	ElevationDeg  float64 `json:"elevation_deg"`   // how far the camera looks down at the plate
	VehicleYawDeg float64 `json:"vehicle_yaw_deg"` // vehicle not square to the lane (changing lanes, bends)
	RollDeg       float64 `json:"roll_deg"`
	FocalPx       float64 `json:"focal_px"`
	CharHeightPx  float64 `json:"char_height_px"` // legal 79 mm character height as imaged
}

// placeCamera samples a realistic ANPR set-up: mounting height 3 to 8 m,
// plate 5 to 40 m away, within about 30 degrees of the lane, and a focal
// length giving the requested character height. The plate's centre lands at
// (targetU, targetV) in the image. A positive fixHeight or fixDistance is
// used instead of the draw (which is still made, to keep the seed's other
// draws as they were).
func placeCamera(rng *rand.Rand, width, height int, charPx, plateCentreY, charHeightMM, targetU, targetV, fixHeight, fixDistance float64) (*Camera, Placement, vec3) {
	camH := 3 + 5*rng.Float64()
	if fixHeight > 0 {
		camH = fixHeight
	}
	// Steep views from close gantries are rare; keep the look-down angle
	// under about 35 degrees by pushing the plate out if needed.
	minDist := math.Max(5, (camH-plateCentreY)/math.Tan(35*math.Pi/180))
	dist := minDist + (40-minDist)*math.Pow(rng.Float64(), 1.6)
	if fixDistance > 0 {
		// A camera closer than its height allows looks down steeply: the
		// plate is at least as far as the drop to it.
		dist = math.Max(fixDistance, math.Abs(camH-plateCentreY)+0.5)
	}
	angle := (rng.Float64()*2 - 1) * 28 // degrees either side of the lane
	drop := camH - plateCentreY
	ground := math.Sqrt(math.Max(dist*dist-drop*drop, 1))
	plate := vec3{X: 0, Y: plateCentreY, Z: ground * math.Cos(angle*math.Pi/180)}
	pos := vec3{X: -ground * math.Sin(angle*math.Pi/180), Y: camH, Z: 0}

	roll := (rng.Float64()*2 - 1) * 3 * math.Pi / 180
	forward := plate.sub(pos).norm()
	worldUp := vec3{Y: 1}
	right := worldUp.cross(forward).norm()
	up := forward.cross(right)
	// Roll about the optical axis: cameras are never mounted quite level.
	cr, sr := math.Cos(roll), math.Sin(roll)
	right, up = right.scale(cr).add(up.scale(sr)), up.scale(cr).sub(right.scale(sr))

	focal := charPx * dist / (charHeightMM / 1000)
	cam := &Camera{Pos: pos, right: right, up: up, forward: forward, FocalPx: focal,
		CX: targetU, CY: targetV, Width: width, Height: height}
	pl := Placement{
		HeightM: round(camH, 2), DistanceM: round(dist, 2), AngleDeg: round(angle, 1),
		ElevationDeg: round(math.Atan2(drop, ground)*180/math.Pi, 1),
		RollDeg:      round(roll*180/math.Pi, 1), FocalPx: round(focal, 0),
	}
	return cam, pl, plate
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
