package main

import (
	"anpr/engine/detect"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"anpr/engine/recognise"
	"anpr/sim/harness"
	"anpr/sim/scene"
)

func newSimLoadCommand() *cobra.Command {
	var (
		condition, asOf     string
		readerPath, detPath string
		fps, maxDrop        float64
		threshold, minConf  float64
		latency, step       time.Duration
		maxCameras, workers int
		perPass, gap, past  int
		width, height       int
		seed                uint64
		asJSON              bool
	)
	cmd := &cobra.Command{
		Use:   "load [--condition NAME] [--fps 10] [--latency-p99 200ms] [--max-drop 0.01] [--step 10s] [--max-cameras 64] [--workers N] [--json]",
		Short: "Find how many live cameras the engine sustains per core, and how it degrades past that",
		Long: `Run the engine in-process against virtual cameras that emit frames in real
time, one more camera each step (1, 2, 3...), each step for --step, until a
step breaks the bound, then --past more steps to show how the engine
degrades, and stop (or at --max-cameras).

The frames are rendered once before the first step (vehicles passing, with
empty road between), and every camera shows them from a vehicle of its own.
Each camera has a queue of two frames: when the engine falls behind, the
oldest frame is dropped and counted, never the camera blocked. --workers
engine workers (one recogniser and one OpenCV thread each) serve the cameras
in turn, each camera's frames in capture order into its own tracker, whose
reads go to a counting sink.

A step meets the bound when the 99th percentile of frame latency (from the
camera emitting the frame to the engine having recognised and tracked it) is
within --latency-p99 and at most --max-drop of the frames were dropped.

Prints a line per step on standard error, then a markdown table of the steps
and the result: the most cameras every step up to which met the bound, and
that over the workers (cameras per core). --json prints the report as JSON
instead.`,
		Example: `  anpr sim load
  anpr sim load --condition night-ir --fps 25 --latency-p99 150ms --step 20s --json > load.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			date, err := parseAsOf(asOf)
			if err != nil {
				return err
			}
			if err := scene.CheckCondition(condition); err != nil {
				return usageError{err}
			}
			if err := detect.CheckThreshold(threshold); err != nil {
				return badInput("--%v", err)
			}
			switch {
			case fps <= 0 || fps > 60:
				return badInput("--fps %g: want more than 0 and at most 60", fps)
			case latency <= 0:
				return badInput("--latency-p99 %s: want a positive duration", latency)
			case maxDrop < 0 || maxDrop >= 1:
				return badInput("--max-drop %g: want a share from 0 to less than 1", maxDrop)
			case step < time.Second:
				return badInput("--step %s: want at least 1s", step)
			case maxCameras < 1:
				return badInput("--max-cameras %d: want at least 1", maxCameras)
			case workers < 0:
				return badInput("--workers %d: want 0 (one per CPU) or more", workers)
			case perPass < 1 || gap < 1 || past < 0:
				return badInput("need --frames-per-pass >= 1, --gap >= 1 and --past >= 0")
			}
			if maxDrop == 0 {
				maxDrop = -1 // harness.LoadOptions: none may be dropped
			}
			if past == 0 {
				past = -1 // harness.LoadOptions: no step past the bound
			}
			eo := recognise.Options{DetectorModel: detPath, DetectorSHA256: manifestSHA(detPath),
				ReaderModel: readerPath, ReaderSHA256: manifestSHA(readerPath), Threshold: threshold, MinConfidence: minConf,
				Now: func() time.Time { return date }}
			stderr := cmd.ErrOrStderr()
			opts := harness.LoadOptions{Condition: condition, Seed: seed, Width: width, Height: height, AsOf: date,
				FramesPerPass: perPass, Gap: gap, FPS: fps, StepDuration: step, LatencyP99: latency, MaxDropShare: maxDrop,
				MaxCameras: maxCameras, PastBound: past, Workers: workers, Engine: eo,
				Progress: func(st harness.LoadStep) { fmt.Fprintf(stderr, "anpr sim load: %s\n", st) }}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			fmt.Fprintf(stderr, "anpr sim load: rendering the frames, then steps of %s, one more camera each\n", step)
			rep, err := harness.Load(ctx, opts)
			if errors.Is(err, harness.ErrBadLoad) {
				return usageError{err}
			}
			if err != nil && !(errors.Is(err, context.Canceled) && rep != nil) {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			return rep.WriteMarkdown(cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&condition, "condition", "day", "light and weather of the frames (a named condition or mixed)")
	f.Float64Var(&fps, "fps", 10, "frames per second of each camera")
	f.DurationVar(&latency, "latency-p99", 200*time.Millisecond, "bound on the 99th percentile of frame latency, capture to recognised")
	f.Float64Var(&maxDrop, "max-drop", 0.01, "bound on the share of frames dropped")
	f.DurationVar(&step, "step", 10*time.Second, "how long each step runs")
	f.IntVar(&maxCameras, "max-cameras", 64, "the most cameras tried")
	f.IntVar(&past, "past", 2, "steps run past the first that breaks the bound")
	f.IntVar(&workers, "workers", 0, "engine workers, one recogniser and one OpenCV thread each (0: one per CPU)")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON instead of a table")
	f.StringVar(&readerPath, "model", defaultReaderModel, "plate reader model (ONNX)")
	f.StringVar(&detPath, "detector-model", defaultDetectorModel, "plate detector model (ONNX)")
	f.Float64Var(&threshold, "threshold", detect.DefaultThreshold, "least detection score taken as a plate")
	f.Float64Var(&minConf, "min-confidence", recognise.DefaultMinConfidence, "least read confidence for a detection to count as a plate (negative: keep all)")
	f.IntVar(&perPass, "frames-per-pass", 10, "frames in which each vehicle is seen")
	f.IntVar(&gap, "gap", 8, "frames of empty road between vehicles")
	f.IntVar(&width, "width", 1280, "frame width")
	f.IntVar(&height, "height", 720, "frame height")
	f.Uint64Var(&seed, "seed", 1, "seed for the vehicles and plates")
	f.StringVar(&asOf, "date", "2026-11-25", "date the plates are issued up to, YYYY-MM-DD")
	return cmd
}
