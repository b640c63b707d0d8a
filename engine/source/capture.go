package source

import (
	"context"
	"errors"
	"fmt"

	"gocv.io/x/gocv"
)

// captureSession reads an RTSP stream or a V4L2 device through OpenCV until a
// read fails. open makes the connection; OpenCV says only that it failed,
// not why (its backends write the reason to stderr).
func (s *src) captureSession(ctx context.Context, name string, open func() (*gocv.VideoCapture, error)) (int, error) {
	vc, err := open()
	if err != nil || !vc.IsOpened() {
		if vc != nil {
			vc.Close()
		}
		return 0, fmt.Errorf("open %s: OpenCV could not connect", name)
	}
	defer vc.Close()
	s.connected.Store(true)
	s.opts.Logger.Info("source: connected", "source", name)

	n := 0
	for ctx.Err() == nil {
		img := gocv.NewMat()
		if !vc.Read(&img) || img.Empty() {
			img.Close()
			return n, errors.New("stream ended or a read failed")
		}
		captured := s.opts.Clock()
		s.send(ctx, Frame{Image: img, Captured: captured, Name: fmt.Sprintf("%s#%d", name, s.seq)})
		n++
	}
	return n, ctx.Err()
}
