// Package detect finds number plates in camera frames with the project's
// own neural detector.
//
// The detector sees the frame shrunk to fit InputWidth x InputHeight in
// grey, and answers on a grid of Stride-pixel cells: for each cell, how
// likely a plate's centre lies in it, and where that plate's four corners
// are. Training and serving share Preprocess, so the model sees at run time
// exactly what it was trained on.
package detect

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// The detector's input and output grid.
const (
	InputWidth  = 640
	InputHeight = 360
	Stride      = 8
	GridWidth   = InputWidth / Stride
	GridHeight  = InputHeight / Stride
	// Channels per cell: the centre score (a logit), then the four corners'
	// offsets from the cell's centre, x and y, clockwise from top-left, in
	// units of CornerUnit input pixels.
	Channels   = 9
	CornerUnit = 32.0
)

// Preprocess shrinks a frame (BGR, BGRA or grey) to fit the detector's input,
// keeping its shape: the picture sits in the top-left corner and the rest is
// black. It returns the input and the scale from frame to input pixels. The
// caller closes the input.
func Preprocess(frame gocv.Mat) (gocv.Mat, float64, error) {
	if frame.Empty() || frame.Rows() < 8 || frame.Cols() < 8 {
		return gocv.NewMat(), 0, fmt.Errorf("frame is empty or too small (%dx%d)", frame.Cols(), frame.Rows())
	}
	grey := gocv.NewMat()
	defer grey.Close()
	switch frame.Channels() {
	case 1:
		frame.CopyTo(&grey)
	case 3:
		gocv.CvtColor(frame, &grey, gocv.ColorBGRToGray)
	case 4:
		gocv.CvtColor(frame, &grey, gocv.ColorBGRAToGray)
	default:
		return gocv.NewMat(), 0, fmt.Errorf("frame has %d channels", frame.Channels())
	}
	if grey.Type() != gocv.MatTypeCV8U {
		grey.ConvertTo(&grey, gocv.MatTypeCV8U)
	}
	scale := min(float64(InputWidth)/float64(frame.Cols()), float64(InputHeight)/float64(frame.Rows()))
	w := max(1, min(InputWidth, int(float64(frame.Cols())*scale+0.5)))
	h := max(1, min(InputHeight, int(float64(frame.Rows())*scale+0.5)))
	in := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), InputHeight, InputWidth, gocv.MatTypeCV8U)
	roi := in.Region(image.Rect(0, 0, w, h))
	defer roi.Close()
	interp := gocv.InterpolationArea // shrinking: average, keep thin strokes
	if scale > 1 {
		interp = gocv.InterpolationLinear
	}
	gocv.Resize(grey, &roi, image.Point{w, h}, 0, 0, interp)
	return in, scale, nil
}
