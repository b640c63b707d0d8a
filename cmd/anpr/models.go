package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"anpr/engine/detect"
	"anpr/engine/ocr"
	"anpr/engine/recognise"
	"anpr/sim/dataset"
	"anpr/sim/harness"
	"anpr/sim/plate"
	"anpr/sim/scene"
)

func newModelsCommand() *cobra.Command {
	models := &cobra.Command{
		Use:   "models",
		Short: "Make the data the engine's models learn from",
	}
	models.AddCommand(newModelsPrepareCommand(), newModelsEvaluateCommand())
	return models
}

func newModelsPrepareCommand() *cobra.Command {
	var (
		condition, out, asOf, model, mixName, detModel string
		count                                          int
		seed                                           uint64
		emptyShare, occluded, letteringCut             float64
		splitLines, enginePatches                      bool
	)
	cmd := &cobra.Command{
		Use:   "prepare [--for reader|detector] --count N --seed S --out DIR",
		Short: "Render a training set for the plate reader or detector, preprocessed as the engine sees it",
		Long: `Render images and write them as a training set for one of the engine's models.

--for reader: plate crops as images.u8 (each crop through the reader's own
preprocessing: grey, 48 x 160), labels.txt and conditions.txt (one line per
crop) and, last, meta.json. --split-lines prepares for the line (CTC) reader:
crops that look two-line have their halves put side by side, top first.

--for detector: whole 1920 x 1080 frames as frames.u8 (each through the
detector's preprocessing: grey, 640 x 360), plates.jsonl (the plate's corners
in those pixels, and unreadable plates to ignore) and, last, meta.json.
--empty-share of the frames have no plate at all.

--engine-patches (reader sets) renders --count camera frames instead of
crops, finds the plate in each with --detector-model and cuts it out as the
engine does (upright along the detected corners, at each of the margins the
engine reads with): up to three patches a frame, none where the detector
misses the plate. Crops are cut around the true plate, as roadside photos
are; engine patches teach the reader what the engine hands it from frames.

--plate-mix hard (reader sets) draws two-line, motorcycle and black-and-silver
plates about three times as often as on the road, for teaching a reader more
of what it reads worst; --plate-mix old-type draws the road's plates with half
the marks from before 2001 in the pressed-metal typeface of older plates (a 1
with no flag). Evaluation uses the road's mix.

--occluded SHARE (reader sets) puts a tow bar or a bike rack in front of that
share of the plates instead of the conditions' 7%: on development frames
they were a third of the misreads.

--lettering-cut SHARE (reader sets) cuts that share of the crops to the
lettering itself, characters at or just past the edges and no border in
view, as many collected plate photographs are cut.

Keep training and evaluation seeds apart: make models uses seeds 1001 and up
for training and 9001 and up for evaluation.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			date, err := parseAsOf(asOf)
			if err != nil {
				return err
			}
			mix, err := plateMix(mixName)
			if err != nil {
				return err
			}
			switch model {
			case "reader":
				req := dataset.Request{Kind: scene.KindCrop, Condition: condition, Count: count, Seed: seed, Dir: out, SplitLines: splitLines}
				if mix != plate.RoadMix {
					req.PlateMix = mixName
				}
				// The renderer refuses shares outside 0..1.
				req.Occluded, req.LetteringCut = occluded, letteringCut
				opts := scene.Options{AsOf: date, PlateMix: mix, Occluded: occluded, LetteringCut: letteringCut}
				if enginePatches {
					req.Kind = scene.KindScene // frames are what is rendered
					return renderSet(cmd, req, opts, func(ctx context.Context, r *scene.Renderer, q dataset.Request) error {
						return dataset.WriteEnginePatchSet(ctx, r, q, func() (*detect.Detector, error) {
							return detect.Open(detModel, detect.Options{SHA256: manifestSHA(detModel)})
						})
					})
				}
				return renderSet(cmd, req, opts, dataset.WriteReaderSet)
			case "detector":
				if mix != plate.RoadMix {
					return badInput("--plate-mix is for reader sets")
				}
				if occluded != 0 || letteringCut != 0 {
					return badInput("--occluded and --lettering-cut are for reader sets")
				}
				if enginePatches {
					return badInput("--engine-patches is for reader sets")
				}
				req := dataset.Request{Kind: scene.KindScene, Condition: condition, Count: count, Seed: seed, Dir: out}
				return renderSet(cmd, req, dataset.DetectorSceneOptions(date), func(ctx context.Context, r *scene.Renderer, q dataset.Request) error {
					return dataset.WriteDetectorSet(ctx, r, q, emptyShare)
				})
			default:
				return badInput("--for %q: want reader or detector", model)
			}
		},
	}
	f := cmd.Flags()
	f.StringVar(&model, "for", "reader", "which model the set is for: reader or detector")
	f.Float64Var(&emptyShare, "empty-share", 0.15, "detector sets: share of frames with no plate")
	f.StringVar(&mixName, "plate-mix", "road", "reader sets: kinds of plate as on the road, hard (three times the two-line, motorcycle and black-and-silver plates) or old-type (half the old marks in the pressed-metal typeface)")
	f.Float64Var(&occluded, "occluded", 0, "reader sets: share of plates with a tow bar or bike rack in front (0: as the conditions draw them, 7%)")
	f.Float64Var(&letteringCut, "lettering-cut", 0, "reader sets: share of crops cut to the lettering, no border in view (0: none)")
	f.BoolVar(&enginePatches, "engine-patches", false, "reader sets: plates cut from camera frames as the engine cuts them (see above), instead of crops")
	f.StringVar(&detModel, "detector-model", defaultDetectorModel, "with --engine-patches: the plate detector model (ONNX)")
	f.BoolVar(&splitLines, "split-lines", false, "reader sets: two-line crops' halves side by side, as the line (CTC) reader reads")
	f.IntVar(&count, "count", 1000, "number of images")
	f.Uint64Var(&seed, "seed", 1001, "random seed")
	f.StringVar(&condition, "condition", scene.Mixed, "named condition, or mixed")
	f.StringVar(&out, "out", "", "output directory (created if missing)")
	f.StringVar(&asOf, "date", "2026-11-25", "date the plates are issued up to, YYYY-MM-DD")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

func newModelsEvaluateCommand() *cobra.Command {
	var (
		condition, modelPath, detModel, asOf, perImage, mixName string
		count, empty                                            int
		seed                                                    uint64
		asJSON, frames                                          bool
		threshold, occluded, letteringCut                       float64
	)
	cmd := &cobra.Command{
		Use:   "evaluate [--frames] [--condition each|mixed|NAME] [--count N] [--seed S]",
		Short: "Measure the plate reader, or the whole engine, on rendered images it has never seen",
		Long: `Render plate crops (as written files hold them, JPEG and all), read each with
the patch reader (or --model), and print plate-exact accuracy overall and per condition with
95% Wilson intervals and per-character accuracy (--json adds the commonest
character confusions and some misreads).

With --frames, measure the whole engine instead: render 1920 x 1080 camera
frames (characters 16 to 90 px high), find and read the plates in each, and
print plate-exact accuracy per condition (a plate not found counts as
misread), detection recall for plates with characters of 16 px or more, and
false plates on --empty frames that hold no plate.

--per-image FILE also writes every image's result as a JSON line (condition,
seed, truth, read, and for frames whether the plate was detected and found and
the false plates), in a fixed order: diff two runs' files to see which images
changed.

--plate-mix (crops) draws the kinds of plate as a training mix does, to see
how a reader reads the plates a mix adds: old-type draws half the marks from
before 2001 in the pressed-metal typeface (plain-bar 1), scored as a kind of
plate of its own; --occluded SHARE puts a tow bar or bike rack in front of
that share of the plates; --lettering-cut SHARE cuts that share of the crops
to the lettering (no border in view), scored as a kind of its own. Occluded
plates are a kind of their own either way.
The README's figures use the road's mix and neither --occluded nor
--lettering-cut, the defaults.

Use seeds the training never used: make models trains on 1001 and up and
validates on 9001; evaluation defaults to 9101.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			date, err := parseAsOf(asOf)
			if err != nil {
				return err
			}
			if condition != harness.EachCondition {
				if err := scene.CheckCondition(condition); err != nil {
					return usageError{err}
				}
			}
			if count <= 0 {
				return badInput("--count must be at least 1")
			}
			mix, err := plateMix(mixName)
			if err != nil {
				return err
			}
			if frames {
				if mix != plate.RoadMix || occluded != 0 || letteringCut != 0 {
					return badInput("--plate-mix, --occluded and --lettering-cut are for crop evaluations; frames draw plates as on the road")
				}
				if err := detect.CheckThreshold(threshold); err != nil {
					return badInput("--%v", err)
				}
				if modelPath == "" {
					modelPath = defaultReaderModel
				}
				return evaluateFrames(cmd, date, condition, count, empty, seed, modelPath, detModel, threshold, asJSON, perImage)
			}
			r, err := scene.NewRenderer(scene.Options{AsOf: date, PlateMix: mix, Occluded: occluded, LetteringCut: letteringCut})
			if errors.Is(err, scene.ErrBadOptions) {
				return usageError{err}
			} else if err != nil {
				return err
			}
			defer r.Close()
			if modelPath == "" {
				modelPath = defaultPatchReaderModel
			}
			sha := manifestSHA(modelPath)
			open := func() (*ocr.Reader, error) {
				return ocr.Open(modelPath, ocr.Options{SHA256: sha, Now: func() time.Time { return date }})
			}
			rep, err := harness.EvaluateReader(cmd.Context(), r, open, harness.ReaderRequest{Condition: condition, Count: count, Seed: seed})
			if err != nil {
				return err
			}
			if err := writeImageResults(perImage, rep.Images); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			printScores(out, append(rep.PerCondition, rep.Overall))
			printKinds(out, rep.PerKind)
			fmt.Fprintf(out, "\nmean read time %.2f ms per crop (one core per worker)\n", rep.MeanReadMS)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&condition, "condition", harness.EachCondition, "each (every named condition), mixed, or a condition name")
	f.IntVar(&count, "count", 200, "crops per condition (each) or in all")
	f.Uint64Var(&seed, "seed", 9101, "random seed; keep apart from training seeds")
	f.StringVar(&modelPath, "model", "", "plate reader model (ONNX); default: "+defaultPatchReaderModel+" for crops, "+defaultReaderModel+" for --frames")
	f.StringVar(&asOf, "date", "2026-11-25", "date the plates are issued up to and read on, YYYY-MM-DD")
	f.BoolVar(&asJSON, "json", false, "print the full report as JSON")
	f.BoolVar(&frames, "frames", false, "evaluate the whole engine (detect and read) on camera frames")
	f.IntVar(&empty, "empty", 1000, "with --frames: frames with no plate, for counting false plates")
	f.StringVar(&detModel, "detector-model", defaultDetectorModel, "with --frames: plate detector model (ONNX)")
	f.Float64Var(&threshold, "threshold", detect.DefaultThreshold, "with --frames: least detection score taken as a plate")
	f.StringVar(&perImage, "per-image", "", "also write every image's result to this file, one JSON line each")
	f.StringVar(&mixName, "plate-mix", "road", "crops: the kinds of plate drawn (road, hard or old-type; see above)")
	f.Float64Var(&occluded, "occluded", 0, "crops: share of plates with a tow bar or bike rack in front (0: as the conditions draw them, 7%)")
	f.Float64Var(&letteringCut, "lettering-cut", 0, "crops: share of crops cut to the lettering, no border in view (0: none)")
	return cmd
}

// writeImageResults writes one JSON line per image to path (nothing when
// path is empty), through a temporary file so a failed run leaves no half
// file behind.
func writeImageResults(path string, images []harness.ImageResult) error {
	if path == "" {
		return nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, im := range images {
		if err := enc.Encode(im); err != nil {
			return err
		}
	}
	tmp := path + ".partial"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("--per-image: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("--per-image: %w", err)
	}
	return nil
}

func printScores(out io.Writer, scores []harness.Score) {
	fmt.Fprintf(out, "| condition | plates | plate-exact | 95%% interval | characters |\n|---|---|---|---|---|\n")
	for _, s := range scores {
		printScoreRow(out, s.Condition, s)
	}
}

// printKinds prints plate-exact accuracy by kind of plate (layout, and
// black-and-silver plates of any layout).
func printKinds(out io.Writer, kinds []harness.KindScore) {
	fmt.Fprintf(out, "\n| kind of plate | plates | plate-exact | 95%% interval | characters |\n|---|---|---|---|---|\n")
	for _, k := range kinds {
		printScoreRow(out, k.Kind, k.Score)
	}
}

// printScoreRow prints one group's scores as a row of printScores' and
// printKinds' tables.
func printScoreRow(out io.Writer, name string, s harness.Score) {
	fmt.Fprintf(out, "| %s | %d | %.1f%% | %.1f to %.1f%% | %.1f%% |\n", name, s.Reads, 100*s.Rate,
		100*s.Interval95.Low, 100*s.Interval95.High, 100*s.CharAccuracy)
}

// evaluateFrames measures the whole recognition engine on rendered frames.
func evaluateFrames(cmd *cobra.Command, date time.Time, condition string, count, empty int, seed uint64, readerModel, detModel string, threshold float64, asJSON bool, perImage string) error {
	if empty < 0 {
		return badInput("--empty must be 0 or more")
	}
	r, err := scene.NewRenderer(scene.Options{AsOf: date, MinCharPx: 16})
	if err != nil {
		return err
	}
	defer r.Close()
	open := func() (*recognise.Recogniser, error) {
		return recognise.Open(recognise.Options{DetectorModel: detModel, DetectorSHA256: manifestSHA(detModel),
			ReaderModel: readerModel, ReaderSHA256: manifestSHA(readerModel), Threshold: threshold, Now: func() time.Time { return date }})
	}
	rep, err := harness.EvaluateRecogniser(cmd.Context(), r, open, harness.RecogniserRequest{Condition: condition, Count: count, EmptyFrames: empty, Seed: seed})
	if err != nil {
		return err
	}
	if err := writeImageResults(perImage, rep.Images); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printScores(out, append(rep.PerCondition, rep.Overall))
	printKinds(out, rep.PerKind)
	d := rep.Detection
	fmt.Fprintf(out, "\ndetection recall (characters >= %.0f px): %d of %d, %.2f%% (95%% interval %.2f to %.2f%%)\n",
		d.MinCharPx, d.Found, d.Plates, 100*d.Recall, 100*d.Interval95.Low, 100*d.Interval95.High)
	fmt.Fprintf(out, "  the detector alone, before detections read under 5%% confidence are dropped: %d, %.2f%%\n",
		d.DetectorFound, 100*d.DetectorRecall)
	fmt.Fprintf(out, "false plates: %d on %d plate-free frames (%.1f per 1,000); %d more on frames with a plate\n",
		d.FalseOnEmpty, d.EmptyFrames, d.FalsePerThousand, d.FalseOnPlateFrames)
	fmt.Fprintf(out, "mean %.2f ms per frame to detect and read (one core per worker)\n", rep.MeanFrameMS)
	return nil
}

// plateMix is the plate mix a --plate-mix flag names.
func plateMix(name string) (plate.Mix, error) {
	mix, ok := plate.Mixes[name]
	if !ok {
		return plate.Mix{}, badInput("--plate-mix %q: want one of %s", name, strings.Join(slices.Sorted(maps.Keys(plate.Mixes)), ", "))
	}
	return mix, nil
}
