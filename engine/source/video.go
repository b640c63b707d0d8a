package source

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gocv.io/x/gocv"
)

// readVideo sends a video file's frames until its end. A frame's capture time
// is base plus its position in the video, so frames keep their spacing
// however fast they are read; base is the clock at Open because a file's
// modification time is usually when recording ended, not began.
func (s *src) readVideo(ctx context.Context, vc *gocv.VideoCapture, path string, base time.Time) {
	fps := vc.Get(gocv.VideoCaptureFPS)
	var last time.Duration
	for n := 0; ctx.Err() == nil; n++ {
		img := gocv.NewMat()
		if !vc.Read(&img) || img.Empty() {
			img.Close()
			if n == 0 {
				s.send(ctx, Frame{Name: path, Captured: base, Err: errors.New(path + ": no frame could be decoded")})
			}
			return
		}
		pos := time.Duration(vc.Get(gocv.VideoCapturePosMsec) * float64(time.Millisecond))
		if n > 0 && pos <= last && fps > 0 {
			// Some backends report no position; count frames instead.
			pos = time.Duration(float64(n) / fps * float64(time.Second))
		}
		last = pos
		f := Frame{Image: img, Captured: base.Add(pos), Name: fmt.Sprintf("%s#%d", path, n)}
		if !s.send(ctx, f) {
			return
		}
	}
}
