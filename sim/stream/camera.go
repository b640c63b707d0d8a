package stream

import (
	"context"
	"errors"
	"time"

	"gocv.io/x/gocv"

	"anpr/sim/dataset"
	"anpr/sim/scene"
)

// A Sink takes a virtual camera's frames: a live MJPEG stream
// (MJPEGServer) or a video file (VideoFile).
type Sink interface {
	Show(frame gocv.Mat) error
}

// CameraOptions is what a virtual camera shows and how fast.
type CameraOptions struct {
	Condition     string  // light and weather: a named condition, or scene.Mixed
	Seed          uint64  // for the vehicles and plates
	FPS           float64 // frames a second
	FramesPerPass int     // frames each vehicle is seen in
	Gap           int     // frames of empty road between vehicles
	Passes        int     // vehicles to show; 0: until ctx ends
	WaitForViewer bool    // show nothing until a viewer connects (a live stream)
	// Unpaced shows frames as fast as they are rendered (a video file,
	// whose own frame rate paces whoever plays it), not FPS a second.
	Unpaced bool
}

// PassTruth is what a virtual camera showed in one pass.
type PassTruth struct {
	Pass      int    `json:"pass"`
	Plate     string `json:"plate"`
	Condition string `json:"condition"`
	// FirstFrame and LastFrame number the frames the vehicle is in, from 0
	// at the camera's first frame (a video file's frame index).
	FirstFrame int `json:"first_frame"`
	LastFrame  int `json:"last_frame"`
	// Start and End are when the pass was shown on a live stream (not set
	// for an unpaced camera).
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
}

// RunCamera shows vehicles passing a camera on cam, one after another,
// until opts.Passes have been shown or ctx ends (which is not an error).
// before, if set, learns each pass's plate before its first frame is shown;
// after, if set, when its last frame has been.
func RunCamera(ctx context.Context, cam Sink, r *scene.Renderer, opts CameraOptions, before, after func(PassTruth) error) error {
	tick := time.NewTicker(time.Duration(float64(time.Second) / opts.FPS))
	defer tick.Stop()
	shown := 0 // frames shown so far
	show := func(frames []gocv.Mat) error {
		for _, f := range frames {
			if opts.Unpaced {
				if err := ctx.Err(); err != nil {
					return err
				}
			} else {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-tick.C:
				}
			}
			if err := cam.Show(f); err != nil {
				return err
			}
			shown++
		}
		return nil
	}
	viewers, live := cam.(interface{ Clients() int })
	for opts.WaitForViewer && live && viewers.Clients() == 0 {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(20 * time.Millisecond):
		}
	}
	for i := 0; opts.Passes == 0 || i < opts.Passes; i++ {
		frames, label, err := Pass(r, opts.Condition, scene.ImageSeed(opts.Seed, i), opts.FramesPerPass)
		if err != nil {
			return err
		}
		road, _, err := dataset.RenderWritten(r, scene.KindEmpty, label.Condition.Name, scene.ImageSeed(opts.Seed+1, i))
		if err != nil {
			closeMats(frames)
			return err
		}
		for range opts.Gap {
			frames = append(frames, road.Clone())
		}
		road.Close()
		truth := PassTruth{Pass: i + 1, Plate: label.Plate, Condition: label.Condition.Name,
			FirstFrame: shown, LastFrame: shown + opts.FramesPerPass - 1}
		if !opts.Unpaced {
			truth.Start = time.Now().UTC()
		}
		if before != nil {
			if err := before(truth); err != nil {
				closeMats(frames)
				return err
			}
		}
		err = show(frames)
		closeMats(frames)
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil
		}
		if err != nil {
			return err
		}
		if !opts.Unpaced {
			truth.End = time.Now().UTC()
		}
		if after != nil {
			if err := after(truth); err != nil {
				return err
			}
		}
	}
	return nil
}

func closeMats(ms []gocv.Mat) {
	for _, m := range ms {
		m.Close()
	}
}
