// Package feed runs the recognition engine on one camera's feed: frames
// from a source are found and read (package recognise), each plate is
// followed from frame to frame (package track), and every vehicle pass is
// handed on as one fused read with its images. It is what `anpr watch`
// prints and what `anpr serve` sends into the back office.
package feed

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"

	"anpr/engine/recognise"
	"anpr/engine/source"
	"anpr/engine/track"
)

// Config is one camera's feed.
type Config struct {
	Source     string                // a path or URL, as source.Open takes
	Buffer     int                   // frames a live source may queue before the oldest are dropped
	Recogniser *recognise.Recogniser // used by this feed alone: it is not safe for concurrent use
	Track      track.Config          // Track.Camera names the camera
	Logger     *slog.Logger          // bad frames and reconnects; nil: discarded
}

// ErrSetup is wrapped by the errors of a feed that could not start: a bad
// tracking configuration, or a source that cannot be opened.
var ErrSetup = errors.New("feed cannot start")

// Stats counts what a run saw.
type Stats struct {
	Frames     int    // frames recognised
	Bad        int    // frames that could not be decoded or recognised
	Dropped    uint64 // frames dropped because recognition fell behind a live source
	Reconnects uint64
	Passes     int
}

// Run reads the feed until the source ends or ctx is done, calling emit
// with each pass as it ends and, at the end, with the passes still open.
// An error from emit stops the run and is returned. Bad frames are logged
// and counted, never fatal.
func Run(ctx context.Context, cfg Config, emit func(track.Pass) error) (Stats, error) {
	var st Stats
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tk, err := track.New(cfg.Track, cfg.Recogniser.Reader())
	if err != nil {
		return st, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	defer tk.Close()
	src, err := source.Open(ctx, cfg.Source, source.Options{Buffer: cfg.Buffer, Logger: log})
	if err != nil {
		return st, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	defer src.Close()
	send := func(ps []track.Pass) error {
		for _, p := range ps {
			st.Passes++
			if err := emit(p); err != nil {
				return err
			}
		}
		return nil
	}
	defer func() {
		s := src.Stats()
		st.Dropped, st.Reconnects = s.Dropped, s.Reconnects
	}()
	for {
		select {
		case <-ctx.Done():
			return st, send(tk.Flush())
		case f, ok := <-src.Frames():
			if !ok {
				return st, send(tk.Flush())
			}
			if f.Err != nil {
				st.Bad++
				log.Warn("bad frame", "camera", cfg.Track.Camera, "frame", f.Name, "err", f.Err)
				continue
			}
			st.Frames++
			plates, err := cfg.Recogniser.Recognise(f.Image)
			if err != nil {
				st.Bad++
				log.Warn("frame not recognised", "camera", cfg.Track.Camera, "frame", f.Name, "err", err)
				f.Image.Close()
				continue
			}
			obs := make([]track.Observation, len(plates))
			for i, p := range plates {
				obs[i] = track.Observation{Box: image.Rect(p.Box[0], p.Box[1], p.Box[0]+p.Box[2], p.Box[1]+p.Box[3]),
					Polygon: p.Polygon, Read: p.Read, Score: p.DetectionScore}
			}
			ended := tk.Update(f.Image, f.Captured, obs)
			f.Image.Close()
			if err := send(ended); err != nil {
				return st, fmt.Errorf("camera %s: %w", cfg.Track.Camera, err)
			}
		}
	}
}
