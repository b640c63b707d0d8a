package stream

import (
	"image"
	"image/color"

	"gocv.io/x/gocv"

	"anpr/sim/dataset"
	"anpr/sim/scene"
)

// Pass renders one vehicle passing a camera as n frames: one rendered
// frame, its plate drawn closer and lower in each frame as an approaching
// vehicle's is. (A stand-in until the traffic simulator drives vehicles
// past virtual cameras.) It returns the frames, which the caller closes,
// and the truth.
func Pass(r *scene.Renderer, condition string, seed uint64, n int) ([]gocv.Mat, scene.Label, error) {
	base, label, err := dataset.RenderWritten(r, scene.KindScene, condition, seed)
	if err != nil {
		return nil, scene.Label{}, err
	}
	defer base.Close()
	if base.Channels() == 1 {
		gocv.CvtColor(base, &base, gocv.ColorGrayToBGR)
	}
	centre := image.Pt(label.Box[0]+label.Box[2]/2, label.Box[1]+label.Box[3]/2)
	frames := make([]gocv.Mat, 0, n)
	for k := 0; k < n; k++ {
		m := gocv.GetRotationMatrix2D(centre, 0, 0.92+0.02*float64(k))
		m.SetDoubleAt(1, 2, m.GetDoubleAt(1, 2)+float64(6*k-20))
		out := gocv.NewMat()
		gocv.WarpAffineWithParams(base, &out, m, image.Pt(base.Cols(), base.Rows()), gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
		m.Close()
		frames = append(frames, out)
	}
	return frames, label, nil
}
