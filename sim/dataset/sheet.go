package dataset

import (
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"

	"gocv.io/x/gocv"

	"anpr/sim/scene"
)

// Sheet layout: a row of whole frames above a grid of plate crops, so one
// picture shows both what the camera sees and what the reader gets.
const (
	sheetCols   = 6
	sheetRows   = 5
	cellW       = 240
	cellH       = 90
	sceneW      = cellW * sheetCols / 3
	sceneH      = sceneW * 9 / 16
	captionH    = 36
	scenesShown = 3
)

// ContactSheet renders one sheet for a condition and writes it as a JPEG to
// dir/<condition>.jpg, returning the path.
func ContactSheet(r *scene.Renderer, condition string, seed uint64, dir string) (string, error) {
	if err := scene.CheckCondition(condition); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("%w: output directory %s: %v", ErrBadRequest, dir, err)
	}
	w := cellW * sheetCols
	h := captionH + sceneH + sheetRows*cellH
	sheet := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	defer sheet.Close()
	sheet.SetTo(gocv.NewScalar(32, 32, 32, 0))
	gocv.PutTextWithParams(&sheet, fmt.Sprintf("condition: %s   (top: camera frames; below: plate crops at native size, upscaled small ones)", condition),
		image.Point{10, 25}, gocv.FontHersheySimplex, 0.6, color.RGBA{230, 230, 230, 0}, 1, gocv.LineAA, false)

	for i := 0; i < scenesShown; i++ {
		s, err := r.Render(scene.KindScene, condition, scene.ImageSeed(seed, i))
		if err != nil {
			return "", err
		}
		place(&sheet, s.Image, image.Rect(i*sceneW, captionH, (i+1)*sceneW, captionH+sceneH))
		s.Image.Close()
	}
	for i := 0; i < sheetCols*sheetRows; i++ {
		s, err := r.Render(scene.KindCrop, condition, scene.ImageSeed(seed, 1000+i))
		if err != nil {
			return "", err
		}
		x, y := (i%sheetCols)*cellW, captionH+sceneH+(i/sheetCols)*cellH
		place(&sheet, s.Image, image.Rect(x+3, y+3, x+cellW-3, y+cellH-3))
		s.Image.Close()
	}
	path := filepath.Join(dir, condition+".jpg")
	if err := writeJPEG(path, sheet, 88); err != nil {
		return "", err
	}
	return path, nil
}

// place fits img into cell keeping its aspect ratio.
func place(dst *gocv.Mat, img gocv.Mat, cell image.Rectangle) {
	src := img
	if img.Channels() == 1 {
		src = gocv.NewMat()
		defer src.Close()
		gocv.CvtColor(img, &src, gocv.ColorGrayToBGR)
	}
	k := min(float64(cell.Dx())/float64(src.Cols()), float64(cell.Dy())/float64(src.Rows()))
	size := image.Point{max(1, int(float64(src.Cols())*k)), max(1, int(float64(src.Rows())*k))}
	resized := gocv.NewMat()
	defer resized.Close()
	interp := gocv.InterpolationArea
	if k > 1 {
		interp = gocv.InterpolationNearestNeighbor // show the pixels as they are
	}
	gocv.Resize(src, &resized, size, 0, 0, interp)
	off := cell.Min.Add(cell.Size().Sub(size).Div(2))
	roi := dst.Region(image.Rectangle{off, off.Add(size)})
	resized.CopyTo(&roi)
	roi.Close()
}
