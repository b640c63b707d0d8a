package camera

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"time"

	"gocv.io/x/gocv"

	"anpr/sim/scene"
)

// Frame is one rendered frame of a capture and its truth.
type Frame struct {
	Image gocv.Mat // BGR, or one grey channel for infrared; the caller closes it
	Truth FrameTruth
}

// FrameTruth is the truth about one frame.
type FrameTruth struct {
	Camera    string    `json:"camera"`
	Index     int       `json:"index"` // in its capture
	Captured  time.Time `json:"captured"`
	Plate     string    `json:"plate"` // the mark on the plate, normalised
	Vehicle   int32     `json:"vehicle"`
	Condition string    `json:"condition"`
	DistanceM float64   `json:"distance_m"`
	CharPx    float64   `json:"char_px"`
	Box       [4]int    `json:"box"` // the plate, x, y, w, h
}

// NewRenderer returns a renderer of the site's frames. Sites of the same
// resolution may share one; it is safe for concurrent use.
func (p *Placed) NewRenderer(asOf time.Time) (*scene.Renderer, error) {
	return scene.NewRenderer(scene.Options{Width: p.Width, Height: p.Height, MinCharPx: MinCharPx, MaxCharPx: 400, AsOf: asOf})
}

// Render renders the frames of a capture under a named condition (see
// Condition) from a seed: the pass is drawn once at its nearest frame,
// passed through the camera's JPEG encoding at the condition's quality, and
// each frame is that image scaled and moved to where the plate is at the
// frame's distance. r must render the site's resolution. It returns the
// frames, which the caller closes, and the label of the rendered pass.
func (p *Placed) Render(r *scene.Renderer, c *Capture, condition string, seed uint64) ([]Frame, scene.Label, error) {
	if len(c.Frames) == 0 {
		return nil, scene.Label{}, fmt.Errorf("camera %s: capture of vehicle %d has no frames", p.ID, c.Vehicle)
	}
	near := 0
	for k, f := range c.Frames {
		if f.DistanceM < c.Frames[near].DistanceM {
			near = k
		}
	}
	nf := c.Frames[near]
	s, err := r.RenderSubject(scene.KindScene, condition, seed, scene.Subject{Mark: c.Mark, Side: c.Side,
		CharPx: math.Min(nf.CharPx, 400), CameraHeightM: p.HeightM, DistanceM: nf.DistanceM,
		SpeedMPH: math.Min(c.SpeedMPH, 200), ShutterS: p.ShutterS})
	if err != nil {
		return nil, scene.Label{}, fmt.Errorf("camera %s: render %s: %w", p.ID, c.Mark.Display, err)
	}
	label := s.Label
	if label.Width != p.Width || label.Height != p.Height {
		s.Image.Close()
		return nil, label, fmt.Errorf("camera %s: renderer draws %dx%d frames, the camera %dx%d", p.ID, label.Width, label.Height, p.Width, p.Height)
	}
	base, err := jpegRoundTrip(s.Image, label.Condition.JPEG)
	s.Image.Close()
	if err != nil {
		return nil, label, fmt.Errorf("camera %s: %w", p.ID, err)
	}
	defer base.Close()

	// Where the plate is in each frame: the view rises towards the horizon
	// with distance. The camera aims at the trigger point; the rise is
	// squeezed, if need be, to keep the plate in the frame.
	drop := p.HeightM - PlateHeightM
	aim := math.Atan2(drop, p.TriggerM)
	row := func(slant float64) float64 {
		g := math.Sqrt(math.Max(slant*slant-drop*drop, 0.01))
		return p.FocalPx * math.Tan(math.Atan2(drop, g)-aim)
	}
	bx, by := float64(label.Box[0])+float64(label.Box[2])/2, float64(label.Box[1])+float64(label.Box[3])/2
	highest := 0.0
	for _, f := range c.Frames {
		highest = math.Min(highest, row(f.DistanceM)-row(nf.DistanceM))
	}
	squeeze := 1.0
	if top := 0.08 * float64(p.Height); highest < 0 && by+highest < top {
		squeeze = math.Max(0, (by-top)/-highest)
	}

	frames := make([]Frame, 0, len(c.Frames))
	for k, f := range c.Frames {
		scale := nf.DistanceM / f.DistanceM
		dy := (row(f.DistanceM) - row(nf.DistanceM)) * squeeze
		img := base
		if k != near {
			m := gocv.NewMatWithSize(2, 3, gocv.MatTypeCV64F)
			m.SetDoubleAt(0, 0, scale)
			m.SetDoubleAt(0, 2, bx-scale*bx)
			m.SetDoubleAt(1, 1, scale)
			m.SetDoubleAt(1, 2, by-scale*by+dy)
			img = gocv.NewMat()
			gocv.WarpAffineWithParams(base, &img, m, image.Pt(base.Cols(), base.Rows()), gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
			m.Close()
		} else {
			img = base.Clone()
		}
		w, h := float64(label.Box[2])*scale, float64(label.Box[3])*scale
		frames = append(frames, Frame{Image: img, Truth: FrameTruth{
			Camera: p.ID, Index: k, Captured: f.Captured, Plate: c.Mark.Text, Vehicle: int32(c.Vehicle),
			Condition: label.Condition.Name, DistanceM: round2(f.DistanceM), CharPx: round2(f.CharPx),
			Box: [4]int{int(math.Round(bx - w/2)), int(math.Round(by + dy - h/2)), int(math.Round(w)), int(math.Round(h))},
		}})
	}
	return frames, label, nil
}

// jpegRoundTrip returns img as a camera that writes JPEG at quality q
// delivers it.
func jpegRoundTrip(img gocv.Mat, q int) (gocv.Mat, error) {
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, []int{gocv.IMWriteJpegQuality, q})
	if err != nil {
		return gocv.NewMat(), fmt.Errorf("encode frame: %w", err)
	}
	defer buf.Close()
	out, err := gocv.IMDecode(buf.GetBytes(), gocv.IMReadUnchanged)
	if err != nil {
		return gocv.NewMat(), fmt.Errorf("decode frame: %w", err)
	}
	return out, nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
