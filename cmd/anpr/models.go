package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"anpr/engine/ocr"
	"anpr/sim/dataset"
	"anpr/sim/harness"
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
		condition, out, asOf, model string
		count                       int
		seed                        uint64
		emptyShare                  float64
	)
	cmd := &cobra.Command{
		Use:   "prepare [--for reader|detector] --count N --seed S --out DIR",
		Short: "Render a training set for the plate reader or detector, preprocessed as the engine sees it",
		Long: `Render images and write them as a training set for one of the engine's models.

--for reader: plate crops as images.u8 (each crop through the reader's own
preprocessing: grey, 48 x 160), labels.txt and conditions.txt (one line per
crop) and, last, meta.json.

--for detector: whole 1920 x 1080 frames as frames.u8 (each through the
detector's preprocessing: grey, 640 x 360), plates.jsonl (the plate's corners
in those pixels, and unreadable plates to ignore) and, last, meta.json.
--empty-share of the frames have no plate at all.

Keep training and evaluation seeds apart: make models uses seeds 1001 and up
for training and 9001 and up for evaluation.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			date, err := parseAsOf(asOf)
			if err != nil {
				return err
			}
			switch model {
			case "reader":
				req := dataset.Request{Kind: scene.KindCrop, Condition: condition, Count: count, Seed: seed, Dir: out}
				return renderSet(cmd, req, scene.Options{AsOf: date}, dataset.WriteReaderSet)
			case "detector":
				req := dataset.Request{Kind: scene.KindScene, Condition: condition, Count: count, Seed: seed, Dir: out}
				// Plates from 10 px characters: a little below the
				// smallest the detector must find (16 px), so the edge
				// of its range is learnt too.
				opts := scene.Options{AsOf: date, MinCharPx: 10, MaxCharPx: 90}
				return renderSet(cmd, req, opts, func(ctx context.Context, r *scene.Renderer, q dataset.Request) error {
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
		condition, modelPath, asOf string
		count                      int
		seed                       uint64
		asJSON                     bool
	)
	cmd := &cobra.Command{
		Use:   "evaluate [--condition each|mixed|NAME] [--count N] [--seed S]",
		Short: "Measure the plate reader on rendered crops it has never seen",
		Long: `Render plate crops (as written files hold them, JPEG and all), read each with
the plate reader, and print plate-exact accuracy overall and per condition with
95% Wilson intervals, per-character accuracy, the commonest character
confusions and some misreads.

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
			r, err := scene.NewRenderer(scene.Options{AsOf: date})
			if err != nil {
				return err
			}
			defer r.Close()
			sha := manifestSHA(modelPath)
			open := func() (*ocr.Reader, error) {
				return ocr.Open(modelPath, ocr.Options{SHA256: sha, Now: func() time.Time { return date }})
			}
			rep, err := harness.EvaluateReader(cmd.Context(), r, open, harness.ReaderRequest{Condition: condition, Count: count, Seed: seed})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			fmt.Fprintf(out, "| condition | reads | plate-exact | 95%% interval | characters |\n|---|---|---|---|---|\n")
			for _, s := range append(rep.PerCondition, rep.Overall) {
				fmt.Fprintf(out, "| %s | %d | %.1f%% | %.1f to %.1f%% | %.1f%% |\n", s.Condition, s.Reads, 100*s.Rate,
					100*s.Interval95.Low, 100*s.Interval95.High, 100*s.CharAccuracy)
			}
			fmt.Fprintf(out, "\nmean read time %.2f ms per crop (one core per worker)\n", rep.MeanReadMS)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&condition, "condition", harness.EachCondition, "each (every named condition), mixed, or a condition name")
	f.IntVar(&count, "count", 200, "crops per condition (each) or in all")
	f.Uint64Var(&seed, "seed", 9101, "random seed; keep apart from training seeds")
	f.StringVar(&modelPath, "model", defaultReaderModel, "plate reader model (ONNX)")
	f.StringVar(&asOf, "date", "2026-11-25", "date the plates are issued up to and read on, YYYY-MM-DD")
	f.BoolVar(&asJSON, "json", false, "print the full report as JSON")
	return cmd
}
