package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"anpr/engine/recognise"
	"anpr/sim/harness"
	"anpr/sim/scenario"
)

// errExpectations marks a run that worked but missed its expectations.
var errExpectations = errors.New("expectations not met")

func newSimRunCommand() *cobra.Command {
	var (
		reportDir string
		workers   int
		quiet     bool
		dryRun    bool
	)
	cmd := &cobra.Command{
		Use:   "run SCENARIO --report DIR",
		Short: "Run a scenario: traffic, virtual cameras, the engine and alerts, scored against the truth",
		Long: `Run a scenario (scenarios/*.yaml): simulate its traffic, have its virtual
cameras render what they capture, feed the frames to the engine in-process
(recognise, then track, as anpr serve's feeds do), send the reads into an
embedded back office (SQLite in a temporary directory, the scenario's hotlist,
the alert service), and join every read and alert with the truth.

DIR/report.json holds the measures: read accuracy overall and per condition
with 95% intervals, character confusions, detection recall, false reads,
alert recall and precision, false alerts per 100,000 reads, processing
latency, throughput, CPU and memory. DIR/report.html shows them with plots.
DIR/passages.jsonl and DIR/frames.jsonl are the truth of the run.

--dry-run simulates the traffic and plans the captures only: it says how
many passes and frames a run would render (DIR/report.json and
DIR/passages.jsonl), for sizing a scenario's render section.

Exits 0 when the run meets every expectation of the scenario, 1 when it
misses any (naming them), 2 when the scenario is bad (naming file, line and
problem).`,
		Example: `  anpr sim run scenarios/ci-smoke.yaml --report /tmp/ci-smoke
  xdg-open /tmp/ci-smoke/report.html`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := scenario.Load(args[0])
			if err != nil {
				if errors.Is(err, scenario.ErrInvalid) || errors.Is(err, os.ErrNotExist) {
					return usageError{err}
				}
				return err
			}
			if workers < 0 {
				return badInput("--workers %d: want 0 (the scenario's, or one per CPU) or more", workers)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			stderr := cmd.ErrOrStderr()
			eo := harness.EngineOptions(sc)
			eo.DetectorSHA256, eo.ReaderSHA256 = manifestSHA(eo.DetectorModel), manifestSHA(eo.ReaderModel)
			opts := harness.RunOptions{Workers: workers, Dir: reportDir, DryRun: dryRun,
				Recogniser: func() (*recognise.Recogniser, error) { return recognise.Open(eo) }}
			if !quiet {
				opts.Progress = progressLine(stderr)
				opts.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
			}
			fmt.Fprintf(stderr, "anpr sim run: %s, %s to %s, %d cameras\n", sc.Name, sc.From.Format("2006-01-02 15:04"), sc.To.Format("2006-01-02 15:04"), len(sc.Sites))
			rep, err := harness.Run(ctx, sc, opts)
			if err != nil {
				if errors.Is(err, scenario.ErrInvalid) {
					return usageError{err}
				}
				return err
			}
			if dryRun {
				for _, c := range rep.Cameras {
					fmt.Fprintf(stderr, "  %-30s %6d passages, %6d in view, %5d to render (%d frames); characters %.0f px at the trigger point\n",
						c.ID, c.Passages, c.InView, c.Rendered, c.Frames, c.CharPx)
				}
				fmt.Fprintf(stderr, "would render %d passes (%d of listed or near-miss vehicles), %d frames\n", rep.Rendering.Passes, rep.Rendering.ListedPasses, rep.Rendering.Frames)
				return rep.WriteJSON(reportDir)
			}
			if err := rep.Write(reportDir); err != nil {
				return fmt.Errorf("write the report: %w", err)
			}
			summarise(stderr, rep, reportDir)
			if len(rep.Failed) > 0 {
				return fmt.Errorf("%w: %s", errExpectations, rep.FailedSummary())
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&reportDir, "report", "", "directory for report.json, report.html and the truth (created if missing)")
	f.IntVar(&workers, "workers", 0, "workers rendering and recognising (0: the scenario's, or one per CPU)")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress line or log")
	f.BoolVar(&dryRun, "dry-run", false, "simulate the traffic and plan the captures only: what would be rendered")
	_ = cmd.MarkFlagRequired("report")
	return cmd
}

// progressLine redraws one line on w a few times a second when w is a
// terminal, and otherwise writes a line every ten seconds.
func progressLine(w io.Writer) func(harness.Progress) {
	every, redraw := 10*time.Second, false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			every, redraw = 200*time.Millisecond, true
		}
	}
	var last time.Time
	done := false
	return func(p harness.Progress) {
		end := p.FramesDone == p.Frames && p.PassesDone == p.Passes
		if done || !end && time.Since(last) < every {
			return
		}
		last, done = time.Now(), end
		if !redraw {
			fmt.Fprintln(w, p)
			return
		}
		fmt.Fprintf(w, "\r%s\x1b[K", p)
		if end {
			fmt.Fprintln(w)
		}
	}
}

// summarise prints the headline figures.
func summarise(w io.Writer, r *harness.Report, dir string) {
	fmt.Fprintf(w, "read accuracy %.1f%% (%d of %d passes, 95%% %.1f%% to %.1f%%), detection recall %.1f%%\n",
		100*r.Accuracy.Rate, r.Accuracy.Exact, r.Accuracy.Reads, 100*r.Accuracy.Interval95.Low, 100*r.Accuracy.Interval95.High, 100*r.Detection.Recall)
	fmt.Fprintf(w, "alerts %d: recall %.1f%% (%d of %d listed passes), precision %.1f%%, %.0f false per 100k reads\n",
		r.Alerts.Alerts, 100*r.Alerts.Recall, r.Alerts.Alerted, r.Alerts.ListedPasses, 100*r.Alerts.Precision, r.Alerts.FalsePer100k)
	fmt.Fprintf(w, "latency p50/p95/p99: read %.0f/%.0f/%.0f ms, alert %.0f/%.0f/%.0f ms; engine %.1f frames/s a core; %.1f s wall, %.1f s CPU, %.0f MiB peak\n",
		r.Latency.CaptureToRead.P50, r.Latency.CaptureToRead.P95, r.Latency.CaptureToRead.P99,
		r.Latency.CaptureToAlert.P50, r.Latency.CaptureToAlert.P95, r.Latency.CaptureToAlert.P99,
		r.Throughput.EngineFramesPerCoreS, r.WallSeconds, r.Resources.CPUSeconds, r.Resources.PeakRSSMiB)
	for _, c := range r.Expectations {
		mark := "met"
		if !c.OK {
			mark = "FAILED"
		}
		fmt.Fprintf(w, "  %-34s want %-14s got %-10g %s\n", c.Name, c.Want, c.Got, mark)
	}
	fmt.Fprintf(w, "report: %s/report.html\n", dir)
}
