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
	var q request
	flag.StringVar(&q.model, "for", "reader", "which model the set is for: reader or detector")
	flag.IntVar(&q.count, "count", 1000, "number of images")
	flag.Uint64Var(&q.seed, "seed", 1001, "random seed")
	flag.StringVar(&q.out, "out", "", "output directory (created if missing)")
	flag.BoolVar(&q.split, "split-lines", false, "reader sets: two-line crops' halves side by side")
	flag.Float64Var(&q.empty, "empty-share", 0.15, "detector sets: share of frames with no plate")
	flag.StringVar(&q.date, "date", "2026-11-25", "date the plates are issued up to, YYYY-MM-DD")
	flag.StringVar(&q.mix, "plate-mix", "road", "reader sets: road, hard (more two-line, motorcycle and black-and-silver plates) or old-type (half the old marks in the pressed-metal typeface)")
	flag.Float64Var(&q.occluded, "occluded", 0, "reader sets: share of plates with a tow bar or bike rack in front (0: as the conditions draw them)")
	flag.Float64Var(&q.letteringCut, "lettering-cut", 0, "reader sets: share of crops cut to the lettering, no border in view")
	flag.BoolVar(&q.patches, "engine-patches", false, "reader sets: plates cut from --count camera frames as the engine cuts them")
	flag.StringVar(&q.detModel, "detector-model", "fixtures/models/detector.onnx", "with --engine-patches: the plate detector model (ONNX)")
	flag.Parse()
	if err := run(q); err != nil {
		fmt.Fprintln(os.Stderr, "devicekit-render:", err)
		os.Exit(1)
	}
}

// request is what the command line asks for, as models prepare's flags.
type request struct {
	model, out, date, mix, detModel string
	count                           int
	seed                            uint64
	split, patches                  bool
	empty, occluded, letteringCut   float64
}

// run mirrors cmd/anpr's models prepare: the same requests and renderer
// options, so the sets are byte for byte the same.
func run(q request) error {
	asOf, err := time.Parse(time.DateOnly, q.date)
	if err != nil {
		return fmt.Errorf("--date %q: want YYYY-MM-DD", q.date)
	}
	mix, ok := plate.Mixes[q.mix]
	if !ok {
		return fmt.Errorf("--plate-mix %q: want road, hard or old-type", q.mix)
	}
	ctx := context.Background()
	start := time.Now()
	var req dataset.Request
	switch q.model {
	case "reader":
		req = dataset.Request{Kind: scene.KindCrop, Condition: scene.Mixed, Count: q.count, Seed: q.seed, Dir: q.out, SplitLines: q.split}
		if mix != plate.RoadMix {
			req.PlateMix = q.mix
		}
		req.Occluded, req.LetteringCut = q.occluded, q.letteringCut
		if err := req.Check(); err != nil {
			return err
		}
		r, err := scene.NewRenderer(scene.Options{AsOf: asOf, PlateMix: mix, Occluded: q.occluded, LetteringCut: q.letteringCut})
		if err != nil {
			return err
		}
		defer r.Close()
		if q.patches {
			req.Kind = scene.KindScene
			err = dataset.WriteEnginePatchSet(ctx, r, req, func() (*detect.Detector, error) {
				return detect.Open(q.detModel, detect.Options{})
			})
		} else {
			err = dataset.WriteReaderSet(ctx, r, req)
		}
		if err != nil {
			return err
		}
	case "detector":
		if mix != plate.RoadMix || q.patches || q.occluded != 0 || q.letteringCut != 0 {
			return fmt.Errorf("--plate-mix, --occluded, --lettering-cut and --engine-patches are for reader sets")
		}
		req = dataset.Request{Kind: scene.KindScene, Condition: scene.Mixed, Count: q.count, Seed: q.seed, Dir: q.out}
		if err := req.Check(); err != nil {
			return err
		}
		r, err := scene.NewRenderer(dataset.DetectorSceneOptions(asOf))
		if err != nil {
			return err
		}
		defer r.Close()
		if err := dataset.WriteDetectorSet(ctx, r, req, q.empty); err != nil {
			return err
		}
	default:
		return fmt.Errorf("--for %q: want reader or detector", q.model)
	}
	fmt.Fprintf(os.Stderr, "wrote %d %s images in %s to %s\n", q.count, req.Kind, time.Since(start).Round(time.Millisecond), q.out)
	return nil
}
