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

// TwoLineAspect is the width-to-height ratio below which a crop is taken to
// hold a two-line (square or motorcycle) plate. Those plates are about 1.4
// wide to 1 high and one-line plates 4.7 to 1; crops add margins. Among
// 3,000 rendered crops (seed 5) every two-line crop was under 1.75, and 95%
// of one-line crops over 1.72 (the rest are very loose crops).
const TwoLineAspect = 1.8

// IsTwoLine says whether a crop of this size is read as a two-line plate.
func IsTwoLine(width, height int) bool {
	return height > 0 && float64(width) < TwoLineAspect*float64(height)
}

// Preprocess turns a plate crop (BGR, BGRA or grey) into the reader's input:
// grey, InputHeight x InputWidth, 8 bits, the whole crop stretched to fit.
// The caller closes the result.
func Preprocess(crop gocv.Mat) (gocv.Mat, error) { return preprocess(crop, false, false) }

// PreprocessLines is Preprocess for readers that read left to right along
// one line (the CTC reader): a crop that looks two-line (IsTwoLine) has its
// top and bottom halves put side by side, top first, each half
// InputWidth/2 wide, so the whole mark reads as one line in reading order.
// One-line crops are stretched as by Preprocess.
func PreprocessLines(crop gocv.Mat) (gocv.Mat, error) { return preprocess(crop, true, false) }

// preprocessInverted is PreprocessLines with the grey levels inverted: how
// a plate with light characters on a dark ground (historic black-and-silver
// plates) looks like the dark-on-light plates the reader mostly learns.
func preprocessInverted(crop gocv.Mat) (gocv.Mat, error) { return preprocess(crop, true, true) }

func preprocess(crop gocv.Mat, splitLines, invert bool) (gocv.Mat, error) {
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
	defer grey.Close()
	if invert {
		gocv.BitwiseNot(grey, &grey)
	}
	if !splitLines || !IsTwoLine(grey.Cols(), grey.Rows()) {
		return resized(grey, InputWidth, InputHeight), nil
	}
	mid := grey.Rows() / 2
	top := grey.Region(image.Rect(0, 0, grey.Cols(), mid))
	defer top.Close()
	bottom := grey.Region(image.Rect(0, mid, grey.Cols(), grey.Rows()))
	defer bottom.Close()
	left := resized(top, InputWidth/2, InputHeight)
	defer left.Close()
	right := resized(bottom, InputWidth-InputWidth/2, InputHeight)
	defer right.Close()
	out := gocv.NewMat()
	gocv.Hconcat(left, right, &out)
	return out, nil
}

// resized scales src to w x h: area averaging when shrinking keeps thin
// strokes; linear when enlarging small, distant plates.
func resized(src gocv.Mat, w, h int) gocv.Mat {
	interp := gocv.InterpolationLinear
	if src.Cols() >= w && src.Rows() >= h {
		interp = gocv.InterpolationArea
	}
	out := gocv.NewMat()
	gocv.Resize(src, &out, image.Point{w, h}, 0, 0, interp)
	return out
}
