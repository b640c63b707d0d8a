// Package ocr reads the characters of a plate from a plate crop with the
// project's own neural reader, and decodes them with UK format rules.
//
// Training and serving share Preprocess, so the model sees at run time
// exactly what it was trained on.
package ocr

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// The reader's input: one grey channel, InputHeight x InputWidth, the whole
// crop stretched to fit (two-line plates included).
const (
	InputHeight = 48
	InputWidth  = 160
)

// Preprocess turns a plate crop (BGR, BGRA or grey) into the reader's input:
// grey, InputHeight x InputWidth, 8 bits. The caller closes the result.
func Preprocess(crop gocv.Mat) (gocv.Mat, error) {
	if crop.Empty() || crop.Rows() < 2 || crop.Cols() < 2 {
		return gocv.NewMat(), fmt.Errorf("crop is empty or too small (%dx%d)", crop.Cols(), crop.Rows())
	}
	grey := gocv.NewMat()
	switch crop.Channels() {
	case 1:
		crop.CopyTo(&grey)
	case 3:
		gocv.CvtColor(crop, &grey, gocv.ColorBGRToGray)
	case 4:
		gocv.CvtColor(crop, &grey, gocv.ColorBGRAToGray)
	default:
		grey.Close()
		return gocv.NewMat(), fmt.Errorf("crop has %d channels", crop.Channels())
	}
	if grey.Type() != gocv.MatTypeCV8U {
		grey.ConvertTo(&grey, gocv.MatTypeCV8U)
	}
	// Area averaging when shrinking keeps thin strokes; linear when
	// enlarging small, distant plates.
	interp := gocv.InterpolationLinear
	if crop.Cols() >= InputWidth && crop.Rows() >= InputHeight {
		interp = gocv.InterpolationArea
	}
	out := gocv.NewMat()
	gocv.Resize(grey, &out, image.Point{InputWidth, InputHeight}, 0, 0, interp)
	grey.Close()
	return out, nil
}
