package main

import (
	"encoding/json"
	"fmt"
	"image"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gocv.io/x/gocv"

	"anpr/engine/recognise"
	"anpr/internal/cvthreads"
	"anpr/sim/dataset"
	"anpr/sim/scene"
)

// recogniseBench is what `anpr bench recognise` measures.
type recogniseBench struct {
	Frames         int     `json:"frames"`
	Width          int     `json:"width"`
	Height         int     `json:"height"`
	Condition      string  `json:"condition"`
	FrameMedianMS  float64 `json:"frame_median_ms"` // detect and read every plate, one core
	FrameP90MS     float64 `json:"frame_p90_ms"`
	FrameMeanMS    float64 `json:"frame_mean_ms"`
	DetectMedianMS float64 `json:"detect_median_ms"`
	CropReads      int     `json:"crop_reads"`
	CropMedianMS   float64 `json:"crop_median_ms"` // read one plate crop, one core
	CropMeanMS     float64 `json:"crop_mean_ms"`
	PlatesFound    int     `json:"plates_found"`
	ExactReads     int     `json:"exact_reads"`
	RSSMB          float64 `json:"rss_mb"`      // resident memory with models loaded and frames read
	PeakRSSMB      float64 `json:"peak_rss_mb"` // high-water mark, the rendered frames included
	FramesHeldMB   float64 `json:"frames_held_mb"`
}

func newBenchRecogniseCommand() *cobra.Command {
	var (
		frames                           int
		seed                             uint64
		condition, readerPath, patchPath string
		detPath                          string
		asJSON                           bool
	)
	cmd := &cobra.Command{
		Use:   "recognise [--frames N] [--json]",
		Short: "Time finding and reading plates in 1920 x 1080 frames on one core",
		Long: `Render 1920 x 1080 camera frames with one plate each (JPEG round trip, as a
camera sends them), then time the engine on one core: the whole frame (detect
and read every plate), detection alone, and reading one plate crop alone.
Prints medians and the process's resident memory with the models loaded.
--json prints the figures as one JSON object.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if frames < 1 {
				return badInput("--frames must be at least 1")
			}
			if condition != scene.Mixed {
				if err := scene.CheckCondition(condition); err != nil {
					return usageError{err}
				}
			}
			date := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
			rec, err := recognise.Open(recognise.Options{DetectorModel: detPath, DetectorSHA256: manifestSHA(detPath),
				ReaderModel: readerPath, ReaderSHA256: manifestSHA(readerPath),
				PatchReaderModel: patchPath, PatchReaderSHA256: manifestSHA(patchPath), Now: func() time.Time { return date }})
			if err != nil {
				return err
			}
			defer rec.Close()
			r, err := scene.NewRenderer(scene.Options{AsOf: date, MinCharPx: 16})
			if err != nil {
				return err
			}
			defer r.Close()
			var imgs []gocv.Mat
			var truths []string
			var held int
			defer func() {
				for _, m := range imgs {
					m.Close()
				}
			}()
			for i := 0; i < frames; i++ {
				m, l, err := dataset.RenderWritten(r, scene.KindScene, condition, scene.ImageSeed(seed, i))
				if err != nil {
					return err
				}
				imgs, truths = append(imgs, m), append(truths, l.Plate)
				held += m.Rows() * m.Cols() * m.Channels()
			}

			// One core: Go and OpenCV both held to one thread.
			prev := runtime.GOMAXPROCS(1)
			defer runtime.GOMAXPROCS(prev)
			cvthreads.Set(1)
			defer cvthreads.Set(0)
			debug.FreeOSMemory()

			res := recogniseBench{Frames: frames, Width: imgs[0].Cols(), Height: imgs[0].Rows(), Condition: condition,
				FramesHeldMB: float64(held) / (1 << 20)}
			// A warm-up frame: the first forward pass allocates.
			if _, err := rec.Recognise(imgs[0]); err != nil {
				return err
			}
			var frameMS, detMS, cropMS []float64
			var crops []gocv.Mat
			defer func() {
				for _, c := range crops {
					c.Close()
				}
			}()
			for i, m := range imgs {
				start := time.Now()
				plates, err := rec.Recognise(m)
				frameMS = append(frameMS, ms(time.Since(start)))
				if err != nil {
					return err
				}
				res.PlatesFound += len(plates)
				if len(plates) > 0 {
					if plates[0].Text == truths[i] {
						res.ExactReads++
					}
					b := plates[0].Box
					crops = append(crops, m.Region(recognise.CropWindow(image.Rect(b[0], b[1], b[0]+b[2], b[1]+b[3])).Intersect(imageRect(m))))
				}
				start = time.Now()
				if _, err := rec.Detect(m); err != nil {
					return err
				}
				detMS = append(detMS, ms(time.Since(start)))
			}
			for _, c := range crops {
				start := time.Now()
				if _, err := rec.ReadCrop(c); err != nil {
					return err
				}
				cropMS = append(cropMS, ms(time.Since(start)))
			}
			res.FrameMedianMS, res.FrameP90MS, res.FrameMeanMS = quantile(frameMS, 0.5), quantile(frameMS, 0.9), mean(frameMS)
			res.DetectMedianMS = quantile(detMS, 0.5)
			res.CropReads, res.CropMedianMS, res.CropMeanMS = len(cropMS), quantile(cropMS, 0.5), mean(cropMS)
			res.RSSMB, res.PeakRSSMB = procStatusMB("VmRSS"), procStatusMB("VmHWM")

			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(res)
			}
			fmt.Fprintf(out, "%d frames %dx%d (%s), one core:\n", res.Frames, res.Width, res.Height, res.Condition)
			fmt.Fprintf(out, "  frame (detect + read):  median %.2f ms, p90 %.2f ms, mean %.2f ms\n", res.FrameMedianMS, res.FrameP90MS, res.FrameMeanMS)
			fmt.Fprintf(out, "  detection alone:        median %.2f ms\n", res.DetectMedianMS)
			fmt.Fprintf(out, "  plate crop read:        median %.2f ms, mean %.2f ms (%d crops)\n", res.CropMedianMS, res.CropMeanMS, res.CropReads)
			fmt.Fprintf(out, "  plates found %d in %d frames; best plate read exactly in %d\n", res.PlatesFound, res.Frames, res.ExactReads)
			fmt.Fprintf(out, "  resident memory %.0f MB now (the %.0f MB of rendered frames included), peak %.0f MB\n", res.RSSMB, res.FramesHeldMB, res.PeakRSSMB)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&frames, "frames", 200, "frames to time")
	f.Uint64Var(&seed, "seed", 9601, "random seed of the frames")
	f.StringVar(&condition, "condition", "day", "named condition of the frames, or mixed")
	f.StringVar(&readerPath, "model", defaultReaderModel, "reader model (ONNX) of the plates the detector finds")
	f.StringVar(&patchPath, "patch-model", defaultPatchReaderModel, "reader model (ONNX) of the plate crops timed alone")
	f.StringVar(&detPath, "detector-model", defaultDetectorModel, "plate detector model (ONNX)")
	f.BoolVar(&asJSON, "json", false, "print the figures as one JSON object")
	return cmd
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[int(q*float64(len(s)-1)+0.5)]
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t / float64(len(xs))
}

// procStatusMB reads a memory figure (VmRSS, VmHWM) of this process, in MB;
// 0 where /proc is not there.
func procStatusMB(field string) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func imageRect(m gocv.Mat) image.Rectangle { return image.Rect(0, 0, m.Cols(), m.Rows()) }
