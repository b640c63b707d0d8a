package main

import (
	"anpr/engine/detect"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"anpr/engine/feed"
	"anpr/engine/ocr"
	"anpr/engine/recognise"
	"anpr/engine/track"
)

// passLine is one line of `anpr watch` output: one vehicle's pass.
type passLine struct {
	Camera string `json:"camera"`
	ocr.Read
	Box       [4]int        `json:"box"`
	Polygon   [4][2]float64 `json:"polygon"`
	Frames    int           `json:"frames"`
	FirstSeen time.Time     `json:"first_seen"`
	LastSeen  time.Time     `json:"last_seen"`
	BestAt    time.Time     `json:"best_at"`
	Lane      string        `json:"lane,omitempty"`
	Direction string        `json:"direction,omitempty"`
	PerFrame  []string      `json:"per_frame,omitempty"`
	// Where the best frame's images were written (with --images), or their
	// sizes.
	Patch         string `json:"patch,omitempty"`
	Overview      string `json:"overview,omitempty"`
	PatchBytes    int    `json:"patch_bytes"`
	OverviewBytes int    `json:"overview_bytes"`
}

func newWatchCommand() *cobra.Command {
	var (
		src, camera, imagesDir string
		readerPath, detPath    string
		threshold, minConf     float64
		maxGap                 time.Duration
		maxMissed, buffer      int
		towards, away          string
		lanesFile              string
		pyroscope, pprofAddr   string
	)
	cmd := &cobra.Command{
		Use:   "watch --source URL|PATH --camera ID",
		Short: "Find, follow and read plates in a camera feed, one JSON line per vehicle pass",
		Long: `Read frames from a source, find and read the plates in each, follow each plate
from frame to frame and print one JSON line per vehicle pass: the read fused
from every frame the plate was seen in, with per-character confidence, first
and last seen times, the plate's place in its best frame, and the direction of
travel. Runs until the source ends or it is interrupted (Ctrl-C), then prints
the passes still open.

Sources: an image file, a directory of images (in name order), a video file,
an HTTP MJPEG stream (http://...), an RTSP stream (rtsp://...) or a V4L2
device (/dev/video0 or v4l2:0). Streams reconnect with back-off after loss;
when recognition falls behind a live source, the oldest frames are dropped
and counted, never the camera blocked. Bad files and frames are reported on
standard error and the run goes on.

--lanes FILE names the camera's lanes as polygons in frame pixels; each pass
then says the lane its plate was in. --towards and --away name the
directions of travel (say northbound and southbound).

--images DIR writes each pass's plate patch (at most 120 x 60) and overview
JPEGs there and names them in the line.`,
		Example: `  anpr watch --source traffic.mp4 --camera A38-N1
  anpr watch --source http://127.0.0.1:8081/camera.mjpg --camera M6-J14 --images /tmp/passes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if src == "" || camera == "" {
				return badInput("--source and --camera are required")
			}
			if err := detect.CheckThreshold(threshold); err != nil {
				return badInput("--%v", err)
			}
			if strings.ContainsAny(camera, "/\\") {
				return badInput("--camera %q: no slashes in a camera id", camera)
			}
			lanes, err := loadLanes(lanesFile)
			if err != nil {
				return badInput("%v", err)
			}
			rec, err := recognise.Open(recognise.Options{DetectorModel: detPath, DetectorSHA256: manifestSHA(detPath),
				ReaderModel: readerPath, ReaderSHA256: manifestSHA(readerPath), Threshold: threshold, MinConfidence: minConf})
			if err != nil {
				return err
			}
			defer rec.Close()
			if imagesDir != "" {
				if err := os.MkdirAll(imagesDir, 0o755); err != nil {
					return err
				}
			}

			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			stopProfiling, err := startProfilers(pyroscope, pprofAddr, "anpr.watch", logger)
			if err != nil {
				return err
			}
			defer stopProfiling()
			out := json.NewEncoder(cmd.OutOrStdout())
			out.SetEscapeHTML(false)
			passes := 0
			st, err := feed.Run(ctx, feed.Config{Source: src, Buffer: buffer, Recogniser: rec, Logger: logger,
				Track: track.Config{Camera: camera, MaxGap: maxGap, MaxMissedFrames: maxMissed, Lanes: lanes, Towards: towards, Away: away}},
				func(p track.Pass) error {
					passes++
					line, err := passLineOf(p, imagesDir, passes)
					if err != nil {
						return err
					}
					return out.Encode(line)
				})
			if err != nil {
				if errors.Is(err, feed.ErrSetup) {
					return usageError{err}
				}
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "anpr watch: %d frames read, %d dropped, %d bad, %d reconnects; %d passes\n",
				st.Frames, st.Dropped, st.Bad, st.Reconnects, st.Passes)
			if err := ctx.Err(); err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&pyroscope, "pyroscope", "", "push CPU and heap profiles continuously to this Pyroscope server (http://host:4040)")
	f.StringVar(&pprofAddr, "pprof", "", "serve Go's pprof endpoints (/debug/pprof/) on this address, e.g. 127.0.0.1:6060")
	f.StringVar(&src, "source", "", "image file, directory, video file, http:// MJPEG stream, rtsp:// stream or V4L2 device")
	f.StringVar(&camera, "camera", "", "camera id, copied into every pass")
	f.StringVar(&imagesDir, "images", "", "write each pass's patch and overview JPEGs into this directory")
	f.StringVar(&readerPath, "model", defaultReaderModel, "plate reader model (ONNX)")
	f.StringVar(&detPath, "detector-model", defaultDetectorModel, "plate detector model (ONNX)")
	f.Float64Var(&threshold, "threshold", detect.DefaultThreshold, "least detection score taken as a plate")
	f.Float64Var(&minConf, "min-confidence", recognise.DefaultMinConfidence, "least read confidence for a detection to count as a plate (negative: keep all)")
	f.DurationVar(&maxGap, "max-gap", 500*time.Millisecond, "a plate unseen for longer than this (capture time) has passed")
	f.IntVar(&maxMissed, "max-missed-frames", 10, "a plate missing from more frames than this in a row has passed (0: off)")
	f.IntVar(&buffer, "buffer", 8, "frames a live source may queue before dropping the oldest")
	f.StringVar(&towards, "towards", "", "name for the direction of vehicles coming towards the camera (default towards)")
	f.StringVar(&away, "away", "", "name for the direction of vehicles going away (default away)")
	f.StringVar(&lanesFile, "lanes", "", `JSON file of the camera's lanes, [{"name": "lane 1", "region": [[x,y], ...]}, ...] in frame pixels`)
	return cmd
}

// passLineOf turns a pass into its output line, writing its images when
// asked to.
func passLineOf(p track.Pass, imagesDir string, n int) (passLine, error) {
	l := passLine{Camera: p.Camera, Read: p.Read, Box: [4]int{p.Box.Min.X, p.Box.Min.Y, p.Box.Dx(), p.Box.Dy()},
		Polygon: p.Polygon, Frames: p.Frames, FirstSeen: p.FirstSeen, LastSeen: p.LastSeen, BestAt: p.BestAt,
		Lane: p.Lane, Direction: p.Direction, PerFrame: p.PerFrame, PatchBytes: len(p.Patch), OverviewBytes: len(p.Overview)}
	if imagesDir == "" {
		return l, nil
	}
	stem := fmt.Sprintf("%s-%s-%06d", p.Camera, p.FirstSeen.UTC().Format("20060102T150405.000"), n)
	for _, img := range []struct {
		data []byte
		name string
		into *string
	}{{p.Patch, stem + "-patch.jpg", &l.Patch}, {p.Overview, stem + "-overview.jpg", &l.Overview}} {
		if len(img.data) == 0 {
			continue
		}
		path := filepath.Join(imagesDir, img.name)
		if err := writeFileAtomic(path, img.data); err != nil {
			return l, err
		}
		*img.into = path
	}
	return l, nil
}

// writeFileAtomic writes data under a temporary name and renames it, so a
// reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".partial"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// loadLanes reads a camera's lanes from a JSON file; none when path is
// empty.
func loadLanes(path string) ([]track.Lane, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--lanes: %w", err)
	}
	var lanes []track.Lane
	if err := json.Unmarshal(data, &lanes); err != nil {
		return nil, fmt.Errorf("--lanes %s: %w", path, err)
	}
	for i, l := range lanes {
		if l.Name == "" || len(l.Region) < 3 {
			return nil, fmt.Errorf("--lanes %s: lane %d needs a name and a region of at least three corners", path, i+1)
		}
	}
	return lanes, nil
}
