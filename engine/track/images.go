package track

import (
	"image"
	"math"

	"gocv.io/x/gocv"
)

// snapshot cuts a pass's images from one frame: a plate patch for each
// track whose best frame this is, and one downscaled overview that all of
// them copy.
type snapshot struct {
	frame gocv.Mat // BGR or grey, 8 bits; empty when the frame gives no images
	owned bool     // frame is a converted copy this snapshot must close
	cfg   Config
	small gocv.Mat
	made  bool
}

func newSnapshot(frame gocv.Mat, cfg Config) snapshot {
	s := snapshot{frame: frame, cfg: cfg}
	if frame.Ptr() == nil || frame.Empty() || frame.Type() != gocv.MatTypeCV8UC1 && frame.Type() != gocv.MatTypeCV8UC3 && frame.Type() != gocv.MatTypeCV8UC4 {
		s.frame = gocv.NewMat()
		s.owned = true
	} else if frame.Channels() == 4 { // JPEG has no alpha
		s.frame = gocv.NewMat()
		s.owned = true
		gocv.CvtColor(frame, &s.frame, gocv.ColorBGRAToBGR)
	}
	return s
}

func (s *snapshot) Close() {
	if s.owned {
		s.frame.Close()
	}
	if s.made {
		s.small.Close()
	}
}

// patch writes the plate in box, with a margin of a fifth of its height,
// into dst, scaled down (never up) to fit the configured patch size.
// It reports whether there was anything to cut.
func (s *snapshot) patch(box image.Rectangle, dst *gocv.Mat) bool {
	if s.frame.Empty() {
		return false
	}
	m := box.Dy() / 5
	r := box.Inset(-m).Intersect(image.Rect(0, 0, s.frame.Cols(), s.frame.Rows()))
	if r.Dx() < 2 || r.Dy() < 2 {
		return false
	}
	region := s.frame.Region(r)
	defer region.Close()
	size := fit(r.Size(), image.Pt(s.cfg.PatchWidth, s.cfg.PatchHeight))
	if size == r.Size() {
		region.CopyTo(dst)
	} else {
		gocv.Resize(region, dst, size, 0, 0, gocv.InterpolationArea)
	}
	return true
}

// overview writes the frame, scaled down to the configured width, into dst.
func (s *snapshot) overview(dst *gocv.Mat) bool {
	if s.frame.Empty() {
		return false
	}
	if !s.made {
		s.small, s.made = gocv.NewMat(), true
		w := min(s.cfg.OverviewWidth, s.frame.Cols())
		h := max(1, int(math.Round(float64(s.frame.Rows())*float64(w)/float64(s.frame.Cols()))))
		if w == s.frame.Cols() {
			s.frame.CopyTo(&s.small)
		} else {
			gocv.Resize(s.frame, &s.small, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
		}
	}
	s.small.CopyTo(dst)
	return true
}

// fit is the largest size of size's shape within bound, but no larger than
// size itself.
func fit(size, bound image.Point) image.Point {
	k := math.Min(1, math.Min(float64(bound.X)/float64(size.X), float64(bound.Y)/float64(size.Y)))
	if k == 1 {
		return size
	}
	return image.Pt(
		min(bound.X, max(1, int(math.Round(float64(size.X)*k)))),
		min(bound.Y, max(1, int(math.Round(float64(size.Y)*k)))))
}

// encodeJPEG encodes m at quality, lowering the quality in steps until it
// fits maxBytes (or the steps run out, giving the smallest tried). Nil for
// an empty image, or if OpenCV cannot encode it.
func encodeJPEG(m gocv.Mat, quality, maxBytes int) []byte {
	if m.Empty() {
		return nil
	}
	var smallest []byte
	for q := quality; ; q -= 10 {
		q = max(q, minQuality)
		buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, m, []int{gocv.IMWriteJpegQuality, q})
		if err != nil {
			return smallest
		}
		if smallest == nil || buf.Len() < len(smallest) {
			smallest = append([]byte(nil), buf.GetBytes()...) // the buffer is C memory
		}
		buf.Close()
		if len(smallest) <= maxBytes || q == minQuality {
			return smallest
		}
	}
}

// minQuality is as low as a JPEG goes before plates turn to blocks.
const minQuality = 30
