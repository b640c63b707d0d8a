package main

import (
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
		condition, out, asOf string
		count                int
		seed                 uint64
	)
	cmd := &cobra.Command{
		Use:   "prepare --count N --seed S --out DIR",
		Short: "Render a plate-reader training set, preprocessed as the engine reads",
		Long: `Render plate crops and write them as a reader training set: images.u8 (each
crop through the engine's own preprocessing: grey, 48 x 160), labels.txt and
conditions.txt (one line per crop) and, last, meta.json.

Keep training and evaluation seeds apart: make models uses seeds 1001 and up
for training and 9001 and up for evaluation.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			date, err := parseAsOf(asOf)
			if err != nil {
				return err
			}
			req := dataset.Request{Kind: scene.KindCrop, Condition: condition, Count: count, Seed: seed, Dir: out}
			return renderSet(cmd, req, scene.Options{AsOf: date}, dataset.WriteReaderSet)
		},
	}
	f := cmd.Flags()
	f.IntVar(&count, "count", 1000, "number of crops")
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
