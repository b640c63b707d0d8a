package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"anpr/sim/dataset"
	"anpr/sim/scene"
)

func newSimCommand() *cobra.Command {
	sim := &cobra.Command{
		Use:   "sim",
		Short: "Simulator: render labelled plates and camera frames",
	}
	sim.AddCommand(newSimRenderCommand(), newSimContactSheetsCommand(), newSimCameraCommand(), newSimRunCommand(), newSimLoadCommand(), newSimScoreCommand())
	return sim
}

func newSimRenderCommand() *cobra.Command {
	var (
		kind, condition, out, asOf, mixName string
		count                               int
		seed                                uint64
		minChar, maxChar, occluded, cut     float64
	)
	cmd := &cobra.Command{
		Use:   "render --kind crop|scene|empty --count N --seed S --condition NAME|mixed --out DIR",
		Short: "Render labelled plate crops or full camera frames",
		Long: `Render synthetic UK number plates as ANPR cameras see them, with the truth
for every image in DIR/labels.jsonl (one JSON object per image: file, plate,
format, box, polygon, character boxes, condition, camera placement...).

  --kind crop    plate patches cut as a camera's plate finder cuts them
  --kind scene   whole camera frames (1920 x 1080) with a vehicle on a road
  --kind empty   whole frames with no readable plate (for false-plate counts)

Conditions:
` + scene.DescribeConditions() + `
--plate-mix, --occluded and --lettering-cut draw plates as training sets may
(see models prepare): to look at what a training mix holds. Their labels name
the typeface (font), any occlusion (condition.occlusion) and a crop cut to
the lettering (cut).

The same seed gives the same images. labels.jsonl is written last: a set
without it is incomplete.`,
		Example: `  anpr sim render --kind crop --count 1000 --seed 7 --condition night-ir --out /tmp/ir
  anpr sim render --kind scene --count 50 --seed 1 --condition mixed --out /tmp/frames`,
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
			req := dataset.Request{Kind: scene.Kind(kind), Condition: condition, Count: count, Seed: seed, Dir: out}
			opts := scene.Options{AsOf: date, MinCharPx: minChar, MaxCharPx: maxChar, PlateMix: mix, Occluded: occluded, LetteringCut: cut}
			return renderSet(cmd, req, opts, dataset.Write)
		},
	}
	f := cmd.Flags()
	f.StringVar(&kind, "kind", "crop", "crop, scene or empty")
	f.IntVar(&count, "count", 100, "number of images")
	f.Uint64Var(&seed, "seed", 1, "random seed; the same seed gives the same images")
	f.StringVar(&condition, "condition", scene.Mixed, "named condition, or mixed")
	f.StringVar(&out, "out", "", "output directory (created if missing)")
	f.StringVar(&asOf, "date", "", "date the plates are issued up to, YYYY-MM-DD (default today)")
	f.Float64Var(&minChar, "min-char-px", 12, "smallest character height in pixels")
	f.Float64Var(&maxChar, "max-char-px", 90, "largest character height in pixels")
	f.StringVar(&mixName, "plate-mix", "road", "kinds of plate: road, hard or old-type (see models prepare)")
	f.Float64Var(&occluded, "occluded", 0, "share of plates with a tow bar or bike rack in front (0: as the conditions draw them, 7%)")
	f.Float64Var(&cut, "lettering-cut", 0, "crops: share cut to the lettering, no border in view (0: none)")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

func newSimContactSheetsCommand() *cobra.Command {
	var (
		out, asOf string
		seed      uint64
	)
	cmd := &cobra.Command{
		Use:   "contact-sheets --out DIR",
		Short: "Render one contact sheet per condition, for looking at",
		Long: `Render one JPEG per named condition: three camera frames above thirty plate
crops, so the renderer's realism and variety can be judged at a glance.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			date, err := parseAsOf(asOf)
			if err != nil {
				return err
			}
			r, err := scene.NewRenderer(scene.Options{AsOf: date})
			if err != nil {
				return err
			}
			defer r.Close()
			for _, name := range append(scene.ConditionNames(), scene.Mixed) {
				path, err := dataset.ContactSheet(r, name, seed, out)
				if err != nil {
					if errors.Is(err, dataset.ErrBadRequest) {
						return usageError{err}
					}
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), path)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "docs/contact-sheets", "output directory")
	cmd.Flags().Uint64Var(&seed, "seed", 2026, "random seed")
	cmd.Flags().StringVar(&asOf, "date", "2026-11-25", "date the plates are issued up to, YYYY-MM-DD")
	return cmd
}

// renderSet runs a dataset writer as the commands that write sets need:
// the request checked first, a progress bar, Ctrl-C honoured, bad requests
// exiting 2, and a closing line saying how long it took.
func renderSet(cmd *cobra.Command, req dataset.Request, opts scene.Options,
	write func(context.Context, *scene.Renderer, dataset.Request) error) error {
	if err := req.Check(); err != nil {
		return usageError{err}
	}
	r, err := scene.NewRenderer(opts)
	if errors.Is(err, scene.ErrBadOptions) {
		return usageError{err}
	} else if err != nil {
		return err
	}
	defer r.Close()
	req.Progress = progressBar(cmd.ErrOrStderr(), req.Count)
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	start := time.Now()
	if err := write(ctx, r, req); err != nil {
		if errors.Is(err, dataset.ErrBadRequest) {
			return usageError{err}
		}
		return err
	}
	el := time.Since(start)
	fmt.Fprintf(cmd.ErrOrStderr(), "\rwrote %d %s images in %s (%.0f/s) to %s\n", req.Count, req.Kind, el.Round(time.Millisecond), float64(req.Count)/el.Seconds(), req.Dir)
	return nil
}

// parseAsOf reads a YYYY-MM-DD date; empty means today.
func parseAsOf(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, badInput("--date %q: want YYYY-MM-DD", s)
	}
	return t, nil
}

// progressBar draws a bar on w when it is a terminal.
func progressBar(w io.Writer, total int) func(int) {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	var last time.Time
	return func(done int) {
		if done != total && time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		const width = 40
		n := done * width / total
		fmt.Fprintf(w, "\r[%-*s] %d/%d", width, strings.Repeat("#", n), done, total)
	}
}
