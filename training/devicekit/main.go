// Command devicekit-render renders plate-reader and detector training sets
// exactly as `anpr models prepare` does, in a binary that calls no more of
// OpenCV than rendering (and, for engine patches, the detector) needs, so
// that it can be carried with its libraries to a GPU machine that has
// neither Go nor OpenCV (see README.md here).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"anpr/engine/detect"
	"anpr/engine/onnx"
	"anpr/sim/dataset"
	"anpr/sim/plate"
	"anpr/sim/scene"
)

func main() {
	onnx.ServeCheck() // when started to try the detector model, do only that
	model := flag.String("for", "reader", "which model the set is for: reader or detector")
	count := flag.Int("count", 1000, "number of images")
	seed := flag.Uint64("seed", 1001, "random seed")
	out := flag.String("out", "", "output directory (created if missing)")
	split := flag.Bool("split-lines", false, "reader sets: two-line crops' halves side by side")
	empty := flag.Float64("empty-share", 0.15, "detector sets: share of frames with no plate")
	date := flag.String("date", "2026-11-25", "date the plates are issued up to, YYYY-MM-DD")
	mix := flag.String("plate-mix", "road", "reader sets: road, hard (more two-line, motorcycle and black-and-silver plates) or old-type (half the old marks in the pressed-metal typeface)")
	patches := flag.Bool("engine-patches", false, "reader sets: plates cut from --count camera frames as the engine cuts them")
	detModel := flag.String("detector-model", "fixtures/models/detector.onnx", "with --engine-patches: the plate detector model (ONNX)")
	flag.Parse()
	if err := run(*model, *count, *seed, *out, *split, *empty, *date, *mix, *patches, *detModel); err != nil {
		fmt.Fprintln(os.Stderr, "devicekit-render:", err)
		os.Exit(1)
	}
}

// run mirrors cmd/anpr's models prepare: the same requests and renderer
// options, so the sets are byte for byte the same.
func run(model string, count int, seed uint64, out string, split bool, empty float64, date, mixName string, patches bool, detModel string) error {
	asOf, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return fmt.Errorf("--date %q: want YYYY-MM-DD", date)
	}
	mix, ok := plate.Mixes[mixName]
	if !ok {
		return fmt.Errorf("--plate-mix %q: want road, hard or old-type", mixName)
	}
	ctx := context.Background()
	start := time.Now()
	var req dataset.Request
	switch model {
	case "reader":
		req = dataset.Request{Kind: scene.KindCrop, Condition: scene.Mixed, Count: count, Seed: seed, Dir: out, SplitLines: split}
		if mix != plate.RoadMix {
			req.PlateMix = mixName
		}
		if err := req.Check(); err != nil {
			return err
		}
		r, err := scene.NewRenderer(scene.Options{AsOf: asOf, PlateMix: mix})
		if err != nil {
			return err
		}
		defer r.Close()
		if patches {
			req.Kind = scene.KindScene
			err = dataset.WriteEnginePatchSet(ctx, r, req, func() (*detect.Detector, error) {
				return detect.Open(detModel, detect.Options{})
			})
		} else {
			err = dataset.WriteReaderSet(ctx, r, req)
		}
		if err != nil {
			return err
		}
	case "detector":
		if mix != plate.RoadMix || patches {
			return fmt.Errorf("--plate-mix and --engine-patches are for reader sets")
		}
		req = dataset.Request{Kind: scene.KindScene, Condition: scene.Mixed, Count: count, Seed: seed, Dir: out}
		if err := req.Check(); err != nil {
			return err
		}
		r, err := scene.NewRenderer(dataset.DetectorSceneOptions(asOf))
		if err != nil {
			return err
		}
		defer r.Close()
		if err := dataset.WriteDetectorSet(ctx, r, req, empty); err != nil {
			return err
		}
	default:
		return fmt.Errorf("--for %q: want reader or detector", model)
	}
	fmt.Fprintf(os.Stderr, "wrote %d %s images in %s to %s\n", count, req.Kind, time.Since(start).Round(time.Millisecond), out)
	return nil
}
