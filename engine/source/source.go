// Package source delivers camera frames to the engine from image files,
// directories of images, video files, HTTP MJPEG streams, RTSP streams and
// V4L2 devices, all behind one small Source interface.
//
// Two kinds of source behave differently under load:
//
//   - Offline sources (an image file, a directory, a video file) are finite.
//     They never drop a frame: the consumer sets the pace and the reader
//     waits for it. Their Frames channel closes at the end of the input.
//   - Live sources (MJPEG over HTTP, RTSP, V4L2) are never blocked by the
//     consumer, as a camera does not wait. When Options.Buffer frames are
//     queued, the oldest is dropped (its Mat closed) and counted in
//     Stats.Dropped. A lost or refused connection is retried with capped
//     exponential back-off and jitter until Close or the context ends.
//
// Every frame carries its capture time (see Frame.Captured for what that is
// for each kind of source).
//
// Bad input never stops a run. A corrupt, truncated, empty, non-image or
// oversized file (over Options.MaxPixels or Options.MaxBytes) gives a Frame
// with Err set and the source goes on to the next file. A bad part in an
// MJPEG stream is counted in Stats.Errors and skipped.
//
// Not covered by the tests, for want of a server or device here: receiving
// frames from a real RTSP server or V4L2 camera, and reconnecting to one.
// The tests cover their failure paths (a closed RTSP port, a missing
// /dev/video device): the failure is reported in Stats and retried without
// hanging.
package source

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gocv.io/x/gocv"
)

// Frame is one picture from a source. The receiver owns Image and must Close
// it.
type Frame struct {
	// Image is the picture as 8-bit BGR; an empty Mat when Err is set.
	Image gocv.Mat
	// Captured is when the picture was taken, as near as the source knows:
	// for an image file, its modification time; for a video file, the
	// Options.Clock time at Open plus the frame's position in the video;
	// for a live source, the Options.Clock time at which the frame had
	// fully arrived.
	Captured time.Time
	// Seq numbers the frames a source queues, from 0. A gap in a live
	// source's Seq is a dropped frame.
	Seq uint64
	// Name says where the frame came from: a file's path, or a video path or
	// stream URL (without its password) with "#" and the frame's number.
	Name string
	// Err is set, and Image empty, when a file could not be used: it is
	// empty, corrupt, truncated, not an image or over the size limits.
	Err error
}

// Source is a supply of frames.
type Source interface {
	// Frames returns the channel frames arrive on. It is closed when the
	// source ends (the last file or video frame) or after Close.
	Frames() <-chan Frame
	// Stats returns the source's counters so far.
	Stats() Stats
	// Close stops the source, releases the frames still queued and waits
	// for its reader to finish. A read blocked inside OpenCV (an RTSP
	// stream that went silent) can delay it by up to OpenCV's own timeout,
	// 30 s by default, since a call into C cannot be interrupted.
	Close() error
}

// Stats are a source's counters.
type Stats struct {
	// Frames counts frames read successfully, including any dropped later.
	Frames uint64
	// Dropped counts frames a live source discarded because Buffer frames
	// were already queued.
	Dropped uint64
	// Errors counts bad files, bad stream parts, failed connections and lost
	// connections.
	Errors uint64
	// Reconnects counts connection attempts after the first.
	Reconnects uint64
	// Connected says whether a live source is connected now.
	Connected bool
	// LastError describes the latest error, "" if none.
	LastError string
}

// Options configure a source. The zero value gives the defaults.
type Options struct {
	// MaxPixels is the largest image, in pixels, a file or stream part may
	// hold; 50,000,000 when zero.
	MaxPixels int
	// MaxBytes is the largest image file or stream part read, in bytes;
	// 256 MiB when zero.
	MaxBytes int64
	// Buffer is how many frames may wait for the consumer; 8 when zero. A
	// live source drops the oldest beyond it.
	Buffer int
	// MinBackoff and MaxBackoff bound the wait before a live source
	// reconnects: it starts at MinBackoff, doubles after each failure up to
	// MaxBackoff, and resets once frames flow again. 0.5 s and 30 s when
	// zero. The wait is jittered to between half and all of that.
	MinBackoff, MaxBackoff time.Duration
	// Stall is how long an MJPEG stream may send nothing (no response, no
	// frame) before it is treated as lost; 10 s when zero.
	Stall time.Duration
	// Clock gives capture times; time.Now when nil.
	Clock func() time.Time
	// Logger receives connection and file errors; slog.Default() when nil.
	Logger *slog.Logger
	// HTTPClient fetches MJPEG streams; a client with no overall timeout
	// when nil (Stall covers a silent stream).
	HTTPClient *http.Client
}

func (o Options) withDefaults() Options {
	if o.MaxPixels <= 0 {
		o.MaxPixels = 50_000_000
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 256 << 20
	}
	if o.Buffer <= 0 {
		o.Buffer = 8
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 500 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.Stall <= 0 {
		o.Stall = 10 * time.Second
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	return o
}

// videoExts are the file extensions opened as video rather than as images.
var videoExts = map[string]bool{
	".avi": true, ".mp4": true, ".m4v": true, ".mkv": true, ".mov": true,
	".webm": true, ".mpg": true, ".mpeg": true, ".ts": true, ".mts": true,
	".wmv": true, ".flv": true, ".3gp": true, ".mjpeg": true, ".mjpg": true,
	".h264": true, ".h265": true, ".hevc": true,
}

// Open starts reading frames from spec:
//
//   - "http://..." or "https://...": an MJPEG (multipart/x-mixed-replace)
//     stream;
//   - "rtsp://..." or "rtsps://...": an RTSP stream, through OpenCV;
//   - "/dev/videoN" or "v4l2:N": a V4L2 device, through OpenCV;
//   - a directory: its image files in name order (not its subdirectories
//     or hidden files);
//   - a file with a video extension (.mp4, .avi, .mkv, .mov, ...): its
//     frames, through OpenCV;
//   - any other file: one image.
//
// Open fails on an unknown scheme, a path that does not exist and a video
// file OpenCV cannot open. It does not fail when a live source cannot
// connect: that source keeps trying, and reports in Stats and the log.
// Cancelling ctx stops the source as Close does.
func Open(ctx context.Context, spec string, opts Options) (Source, error) {
	opts = opts.withDefaults()
	if dev, ok, err := deviceNumber(spec); ok {
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", spec, err)
		}
		name := fmt.Sprintf("v4l2:%d", dev)
		return start(ctx, opts, true, func(ctx context.Context, s *src) {
			s.keepConnected(ctx, name, func(ctx context.Context) (int, error) {
				return s.captureSession(ctx, name, func() (*gocv.VideoCapture, error) {
					return gocv.VideoCaptureDeviceWithAPI(dev, gocv.VideoCaptureV4L2)
				})
			})
		}), nil
	}
	if scheme, rest, ok := strings.Cut(spec, "://"); ok && !strings.ContainsAny(scheme, `/\`) {
		u, err := url.Parse(spec)
		if err != nil || rest == "" || u.Host == "" {
			return nil, fmt.Errorf("source %q: not a valid URL", spec)
		}
		name := u.Redacted()
		switch strings.ToLower(scheme) {
		case "http", "https":
			return start(ctx, opts, true, func(ctx context.Context, s *src) {
				s.keepConnected(ctx, name, func(ctx context.Context) (int, error) {
					return s.mjpegSession(ctx, spec, name)
				})
			}), nil
		case "rtsp", "rtsps":
			return start(ctx, opts, true, func(ctx context.Context, s *src) {
				s.keepConnected(ctx, name, func(ctx context.Context) (int, error) {
					return s.captureSession(ctx, name, func() (*gocv.VideoCapture, error) {
						return gocv.VideoCaptureFile(spec)
					})
				})
			}), nil
		default:
			return nil, fmt.Errorf("source %q: unsupported scheme %q (want http, https, rtsp or rtsps)", name, scheme)
		}
	}

	info, err := os.Stat(spec)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	switch {
	case info.IsDir():
		files, err := imageCandidates(spec)
		if err != nil {
			return nil, fmt.Errorf("source: %w", err)
		}
		return start(ctx, opts, false, func(ctx context.Context, s *src) {
			for _, f := range files {
				if !s.send(ctx, s.readImageFile(f)) {
					return
				}
			}
		}), nil
	case videoExts[strings.ToLower(filepath.Ext(spec))]:
		vc, err := gocv.VideoCaptureFile(spec)
		if err != nil {
			vc.Close()
			return nil, fmt.Errorf("source: open video %s: OpenCV cannot read it", spec)
		}
		base := opts.Clock()
		return start(ctx, opts, false, func(ctx context.Context, s *src) {
			defer vc.Close()
			s.readVideo(ctx, vc, spec, base)
		}), nil
	default:
		return start(ctx, opts, false, func(ctx context.Context, s *src) {
			s.send(ctx, s.readImageFile(spec))
		}), nil
	}
}

// deviceNumber recognises "/dev/videoN" and "v4l2:N". ok says whether spec
// names a device at all; err whether the number is bad.
func deviceNumber(spec string) (n int, ok bool, err error) {
	var digits string
	switch {
	case strings.HasPrefix(spec, "/dev/video"):
		digits = strings.TrimPrefix(spec, "/dev/video")
	case strings.HasPrefix(strings.ToLower(spec), "v4l2:"):
		digits = spec[len("v4l2:"):]
	default:
		return 0, false, nil
	}
	n, err = strconv.Atoi(digits)
	if err != nil || n < 0 {
		return 0, true, errors.New("want a device number, as in /dev/video0 or v4l2:0")
	}
	return n, true, nil
}

// src is the one implementation of Source; what it reads is the run function
// given to start.
type src struct {
	opts   Options
	live   bool
	out    chan Frame
	cancel context.CancelFunc
	done   chan struct{}
	seq    uint64 // touched by the reader goroutine only
	once   sync.Once

	frames, dropped, errs, reconnects atomic.Uint64
	connected                         atomic.Bool
	lastErr                           atomic.Pointer[string]
}

func start(parent context.Context, opts Options, live bool, run func(context.Context, *src)) *src {
	ctx, cancel := context.WithCancel(parent)
	s := &src{
		opts:   opts,
		live:   live,
		out:    make(chan Frame, opts.Buffer),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		defer close(s.out)
		defer s.connected.Store(false)
		run(ctx, s)
	}()
	return s
}

func (s *src) Frames() <-chan Frame { return s.out }

func (s *src) Stats() Stats {
	st := Stats{
		Frames:     s.frames.Load(),
		Dropped:    s.dropped.Load(),
		Errors:     s.errs.Load(),
		Reconnects: s.reconnects.Load(),
		Connected:  s.connected.Load(),
	}
	if e := s.lastErr.Load(); e != nil {
		st.LastError = *e
	}
	return st
}

func (s *src) Close() error {
	s.once.Do(func() {
		s.cancel()
		<-s.done
		for f := range s.out {
			f.Image.Close()
		}
	})
	return nil
}

// fail records an error in the counters.
func (s *src) fail(err error) {
	s.errs.Add(1)
	msg := err.Error()
	s.lastErr.Store(&msg)
}

// send queues f, numbering it. An offline source waits for room; a live one
// drops the oldest queued frame instead. It reports false, having closed f's
// image, when ctx ended first.
func (s *src) send(ctx context.Context, f Frame) bool {
	f.Seq = s.seq
	s.seq++
	if f.Err != nil {
		f.Image.Close()
		f.Image = gocv.NewMat() // empty, and safe to ask Empty() of
		s.fail(f.Err)
		s.opts.Logger.Warn("source: unusable file", "name", f.Name, "err", f.Err)
	} else {
		s.frames.Add(1)
	}
	if !s.live {
		select {
		case s.out <- f:
			return true
		case <-ctx.Done():
			f.Image.Close()
			return false
		}
	}
	// This goroutine is the only sender, so after taking one frame out
	// there is room; the loop runs at most twice.
	for {
		select {
		case s.out <- f:
			return true
		default:
		}
		select {
		case old := <-s.out:
			old.Image.Close()
			s.dropped.Add(1)
		default:
		}
	}
}
