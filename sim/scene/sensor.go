package scene

import (
	"encoding/binary"
	"image"
	"math"

	"gocv.io/x/gocv"
)

// motionKernel is a normalised line of length |(dx, dy)| pixels: the path a
// point of the vehicle travels while the shutter is open. It is sampled
// finely with bilinear weights so that blurs of a pixel or two keep their
// true length.
func motionKernel(dx, dy float64) gocv.Mat {
	l := math.Hypot(dx, dy)
	size := int(math.Ceil(l))/2*2 + 3
	w := make([]float32, size*size)
	c := float64(size-1) / 2
	steps := int(l*4) + 1
	for i := 0; i <= steps; i++ {
		t := float64(i)/float64(steps) - 0.5
		x, y := c+dx*t, c+dy*t
		x0, y0 := int(math.Floor(x)), int(math.Floor(y))
		fx, fy := float32(x-float64(x0)), float32(y-float64(y0))
		w[y0*size+x0] += (1 - fx) * (1 - fy)
		w[y0*size+x0+1] += fx * (1 - fy)
		w[(y0+1)*size+x0] += (1 - fx) * fy
		w[(y0+1)*size+x0+1] += fx * fy
	}
	var sum float32
	for _, v := range w {
		sum += v
	}
	buf := make([]byte, 4*len(w))
	for i, v := range w {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v/sum))
	}
	k, _ := gocv.NewMatFromBytes(size, size, gocv.MatTypeCV32F, buf)
	return k
}

// motionBlur smears m along (dx, dy) pixels. Short blurs use the exact
// line kernel. Long ones shear the rows so the motion runs straight down,
// box-blur down the columns and shear back: whole-pixel row shifts undo
// exactly, so only the smear's path is rounded (to half a pixel), and the
// cost is the same whatever the length or direction.
func motionBlur(m *gocv.Mat, dx, dy float64) {
	l := math.Hypot(dx, dy)
	if l < 0.3 {
		return
	}
	if l <= 6 {
		k := motionKernel(dx, dy)
		defer k.Close()
		gocv.Filter2D(*m, m, -1, k, image.Point{-1, -1}, 0, gocv.BorderConstant)
		return
	}
	if math.Abs(dx) > math.Abs(dy) {
		// Mostly sideways: work on the transpose, where it is mostly down.
		t := gocv.NewMat()
		defer t.Close()
		gocv.Transpose(*m, &t)
		shearBlur(&t, dy, dx)
		gocv.Transpose(t, m)
		return
	}
	shearBlur(m, dx, dy)
}

// shearBlur blurs along (dx, dy) where |dy| >= |dx|.
func shearBlur(m *gocv.Mat, dx, dy float64) {
	k := dx / dy // columns moved per row
	h, w, ch := m.Rows(), m.Cols(), m.Channels()
	shift := func(y int) int { return int(math.Round(float64(y) * k)) }
	lo, hi := min(0, shift(h-1)), max(0, shift(h-1))
	sw := w + hi - lo
	sheared := gocv.NewMatWithSize(h, sw, m.Type())
	defer sheared.Close()
	sheared.SetTo(gocv.NewScalar(0, 0, 0, 0))
	src, err1 := m.DataPtrUint8()
	dst, err2 := sheared.DataPtrUint8()
	if err1 != nil || err2 != nil {
		return
	}
	row, srow := w*ch, sw*ch
	for y := 0; y < h; y++ {
		off := (shift(y) - lo) * ch
		copy(dst[y*srow+off:y*srow+off+row], src[y*row:(y+1)*row])
	}
	n := int(math.Round(math.Abs(dy)))
	gocv.Blur(sheared, &sheared, image.Point{1, n})
	for y := 0; y < h; y++ {
		off := (shift(y) - lo) * ch
		copy(src[y*row:(y+1)*row], dst[y*srow+off:y*srow+off+row])
	}
}

// over lays a premultiplied BGRA image over dst (BGR or BGRA, same size):
// dst = src + dst * (1 - src alpha). All of it in OpenCV's vector code.
func over(dst *gocv.Mat, src gocv.Mat) {
	chans := gocv.Split(src)
	defer func() {
		for _, c := range chans {
			c.Close()
		}
	}()
	inv := gocv.NewMat()
	defer inv.Close()
	gocv.BitwiseNot(chans[3], &inv)
	invN := gocv.NewMat()
	defer invN.Close()
	n := dst.Channels()
	planes := make([]gocv.Mat, n)
	for i := range planes {
		planes[i] = inv
	}
	gocv.Merge(planes, &invN)
	kept := gocv.NewMat()
	defer kept.Close()
	gocv.MultiplyWithParams(*dst, invN, &kept, 1.0/255, -1)
	add := src
	if n == 3 {
		add = gocv.NewMat()
		defer add.Close()
		gocv.CvtColor(src, &add, gocv.ColorBGRAToBGR)
	}
	gocv.Add(kept, add, dst)
}

// premultiplyBGRA scales colour by alpha, in place.
func premultiplyBGRA(m *gocv.Mat) {
	chans := gocv.Split(*m)
	for i := 0; i < 3; i++ {
		gocv.MultiplyWithParams(chans[i], chans[3], &chans[i], 1.0/255, -1)
	}
	gocv.Merge(chans, m)
	for _, c := range chans {
		c.Close()
	}
}

// videoArtefacts imitates a lossy video codec: chroma at half resolution
// and heavy block compression, then decoded again.
func videoArtefacts(m *gocv.Mat, quality int) {
	if m.Channels() == 3 {
		ycc := gocv.NewMat()
		gocv.CvtColor(*m, &ycc, gocv.ColorBGRToYCrCb)
		small := gocv.NewMat()
		gocv.Resize(ycc, &small, image.Point{}, 0.5, 0.5, gocv.InterpolationArea)
		up := gocv.NewMat()
		gocv.Resize(small, &up, image.Point{m.Cols(), m.Rows()}, 0, 0, gocv.InterpolationLinear)
		// Keep full-resolution luma, take chroma from the half-size copy.
		chans := gocv.Split(ycc)
		upChans := gocv.Split(up)
		chans[1].Close()
		chans[2].Close()
		chans[1], chans[2] = upChans[1], upChans[2]
		upChans[0].Close()
		gocv.Merge(chans, &ycc)
		for _, c := range chans {
			c.Close()
		}
		gocv.CvtColor(ycc, m, gocv.ColorYCrCbToBGR)
		ycc.Close()
		small.Close()
		up.Close()
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, *m, []int{gocv.IMWriteJpegQuality, quality})
	if err != nil {
		return
	}
	defer buf.Close()
	dec, err := gocv.IMDecode(buf.GetBytes(), gocv.IMReadUnchanged)
	if err != nil || dec.Empty() {
		return
	}
	dec.CopyTo(m)
	dec.Close()
}
