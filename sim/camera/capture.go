package camera

import (
	"math"
	"time"

	"anpr/engine/vrm"
	"anpr/sim/plate"
	"anpr/sim/traffic"
)

// Capture is what a camera captures of one passage: the plan of its frames
// before any is rendered.
type Capture struct {
	Camera  string
	Vehicle traffic.VehicleID
	Mark    vrm.Mark   // the mark on the plate the camera sees
	Side    plate.Side // front for an oncoming camera, rear for a departing one
	// Trigger is when the vehicle reaches the trigger point.
	Trigger  time.Time
	Lane     int     // 1 is the nearside
	InView   bool    // the lane is one the camera covers
	SpeedMPH float64 // over the link
	// Frames are the capture time of each frame and the plate's distance
	// in it, in capture order; none when the vehicle is not in view.
	Frames []FramePlan
}

// FramePlan is one frame of a capture.
type FramePlan struct {
	Captured  time.Time
	DistanceM float64 // camera to plate, straight line
	CharPx    float64 // character height at that distance
}

// Plan works out what the camera captures of a passage along its link:
// when the vehicle is at the trigger point (the passage's times
// interpolated), its lane (drawn evenly from the link's lanes by the
// vehicle and time, so the same run gives the same lanes), and a frame
// every 1/FPS seconds while the plate is in the capture zone, at most
// maxFrames of them (0: no limit), taken evenly from the pass when there
// would be more, as a camera set to record fewer frames does.
func (p *Placed) Plan(pass traffic.Passage, maxFrames int) Capture {
	dur := pass.Exit.Sub(pass.Enter)
	trigger := pass.Enter.Add(time.Duration(float64(dur) * *p.At))
	v := p.Road.Length / math.Max(dur.Seconds(), 0.001) // metres a second
	c := Capture{Camera: p.ID, Vehicle: pass.Vehicle.ID, Trigger: trigger, SpeedMPH: v / 0.44704,
		Mark: pass.Vehicle.Front, Side: plate.Front}
	if p.Facing == Departing {
		c.Mark, c.Side = pass.Vehicle.Rear, plate.Rear
	}
	lanes := max(p.Road.Lanes, 1)
	c.Lane = 1 + int(mix(uint64(pass.Vehicle.ID), uint64(pass.Enter.UnixNano()))%uint64(lanes))
	c.InView = len(p.Lanes) == 0
	for _, l := range p.Lanes {
		c.InView = c.InView || l == c.Lane
	}
	if !c.InView {
		return c
	}
	// Ground distance to the plate at time t: an oncoming plate closes on
	// the camera, a departing one draws away from it.
	ground := func(t time.Duration) float64 {
		if p.Facing == Departing {
			return p.TriggerM + v*t.Seconds()
		}
		return p.TriggerM - v*t.Seconds()
	}
	// Offsets from the trigger time at which the plate enters and leaves
	// the zone.
	sec := func(metres float64) time.Duration { return time.Duration(metres / v * float64(time.Second)) }
	first, last := -sec(p.Far-p.TriggerM), sec(p.TriggerM-p.Near)
	if p.Facing == Departing {
		first, last = -sec(p.TriggerM-p.Near), sec(p.Far-p.TriggerM)
	}
	// The camera's frames while the plate is in the zone, from its entry:
	// the frame clock's phase is the passage's own, so two vehicles are
	// never caught in the very same instant.
	period := time.Duration(float64(time.Second) / p.FPS)
	n := int((last-first)/period) + 1
	frames := make([]int, n)
	for k := range frames {
		frames[k] = k
	}
	if maxFrames > 0 && n > maxFrames {
		frames = frames[:maxFrames]
		for k := range frames {
			frames[k] = (n - 1) / 2 // one frame: the middle one
			if maxFrames > 1 {
				frames[k] = int(math.Round(float64(k) * float64(n-1) / float64(maxFrames-1)))
			}
		}
	}
	for _, k := range frames {
		off := first + time.Duration(k)*period
		g := ground(off)
		c.Frames = append(c.Frames, FramePlan{Captured: trigger.Add(off), DistanceM: p.slant(g), CharPx: p.CharPxAt(g)})
	}
	return c
}

// mix hashes two numbers into one (SplitMix64's finaliser).
func mix(a, b uint64) uint64 {
	z := a*0x9E3779B97F4A7C15 + b
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}
